// A small HTTP/1.1 server on Boost.Beast, the base of `rectify serve`'s `/healthz`, `/metrics`,
// and later the `/api/v1/` routes and the web pages.
//
//   boost::asio::io_context io;
//   http::HttpServer server(io, "127.0.0.1", 0);          // port 0: the system picks one
//   server.Route("GET", "/api/v1/items/{id}", [](const http::Request& req) {
//     return http::Response::Json(200, "{\"id\":\"" + req.params.at("id") + "\"}");
//   });
//   if (Status st = server.Start(); !st) return st.error();   // binds and listens
//   std::cout << server.port();                            // the bound port
//   io.run();                                              // ... until server.Stop()
//
// What it does for every route:
//   - HTTP/1.0 and 1.1, keep-alive (several requests on one connection, one at a time);
//   - a cap on the request body (`Options::max_body`, 1 MiB: 413 `payload_too_large`) and on the
//     header (`max_header`: 431), a read timeout (`read_timeout`: the connection is closed when a
//     request does not arrive whole in time, which also ends idle keep-alive connections);
//   - errors as JSON, `{"error":{"code":"not_found","message":"..."}}` (ErrorJson): 400 for a
//     malformed request, 404 when no route has the path, 405 with `Allow` when routes have the
//     path but not the method, 500 when a handler throws (its text goes to standard error, never
//     to the client);
//   - `Stop()` is graceful: it stops accepting, closes idle connections at once, and lets a
//     request being handled get its response before its connection closes. `io.run()` returns
//     once every connection is gone (if nothing else keeps the io_context busy).
//
// Paths: a route's path is matched segment by segment against the request's (percent-decoded)
// path; a segment `{name}` matches any one segment and puts it in `Request::params`. Exact
// segments win over `{name}` ones, then routes in the order they were added. The query string is
// decoded into `Request::query`.
//
// TLS: UseTls(cert, key) before Start() makes every connection HTTPS (Asio SSL over the same
// code path as plain HTTP); a connection that does not start with a TLS handshake is closed.
//
// Streaming: a Response with `stream` set is sent as its status and headers, then a chunked body
// written piece by piece through the StreamSink it is given (server-sent events), from any thread,
// until the sink or the client closes it, or the server stops (Stop() ends streams at once).
//
// Handlers run on the io_context, on the connection's strand. A `Handler` returns its response at
// once, so it must not block (no database work on the io_context: see docs/architecture.md,
// Threads); an `AsyncHandler` gets a `Responder` to call later, from any thread, exactly once.
//
// Thread-safety: add routes before `Start()`; after it, routes are read without a lock. `Stop()`,
// `port()` and `address()` may be called from any thread. The io_context may be run by several
// threads (each connection is on its own strand). The server must outlive `io.run()`, or at least
// be stopped before it is destroyed; its destructor stops it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rectify/result.h"

namespace rectify::http {

struct Request {
  std::string method;                          // "GET"
  std::string target;                          // as sent: "/api/v1/items?unit=niangxi"
  std::string path;                            // percent-decoded: "/api/v1/items"
  std::map<std::string, std::string> query;    // decoded; a repeated key keeps the last value
  std::map<std::string, std::string> params;   // from the route's `{name}` segments
  std::map<std::string, std::string> headers;  // names lower-cased; repeats joined with ", "
  std::string body;
  std::string remote;  // "127.0.0.1:54321"

  // A header's value by name (any case); empty when absent.
  std::string Header(std::string_view name) const;
};

// The open body of a streaming response. Write and Close may be called from any thread.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues `chunk` for the client; false when the stream is over (the client left, the server
  // stops, or the client reads too slowly: more than the server's stream_buffer is waiting).
  virtual bool Write(std::string chunk) = 0;
  // Ends the body (the last chunk) and the connection.
  virtual void Close() = 0;
  virtual bool closed() const = 0;
};

struct Response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Set: sent instead of `body`, without a copy (an answer kept for many requests).
  std::shared_ptr<const std::string> shared_body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // Set: `body` is ignored; once the headers are sent, this is called (on the connection's
  // strand, so it must not block) with the sink for the rest of the body.
  std::function<void(std::shared_ptr<StreamSink>)> stream;

  // The body as sent: `shared_body` when set, else `body`.
  std::string_view Body() const { return shared_body ? std::string_view(*shared_body) : body; }

  static Response Json(unsigned status, std::string body);
  static Response Text(unsigned status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  // `{"error":{"code":CODE,"message":MESSAGE}}` with the status.
  static Response Error(unsigned status, std::string_view code, std::string_view message);
};

// Where to listen, as `--listen` takes it: "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:0" (port 0:
// a free one), "localhost:8080" (127.0.0.1). kBadInput, saying what to write, for anything else.
struct ListenAddress {
  std::string host;  // an IP literal, without brackets
  std::uint16_t port = 0;
};
Result<ListenAddress> ParseListenAddress(std::string_view text);

// `{"error":{"code":"...","message":"..."}}`, JSON-escaped.
std::string ErrorJson(std::string_view code, std::string_view message);

// The pure pieces of the server, also driven by the fuzzer (tests/fuzz/): a route's path as
// segments, and which route a request's method and path go to.
struct RoutePattern {
  std::string method;
  std::vector<std::string> segments;  // "{id}" matches any one segment
};
std::vector<std::string> PathSegments(std::string_view path);
struct RouteMatch {
  std::optional<std::size_t> route;           // the index of the route that answers
  std::map<std::string, std::string> params;  // its `{name}` segments
  std::vector<std::string> allowed;           // the methods of every route with this path
};
// Exact segments win over `{name}` ones, then the first route added.
RouteMatch MatchRoute(const std::vector<RoutePattern>& routes, std::string_view method,
                      std::string_view path);

using Handler = std::function<Response(const Request&)>;
using Responder = std::function<void(Response)>;
using AsyncHandler = std::function<void(const Request&, Responder)>;

class HttpServer {
 public:
  struct Options {
    std::size_t max_body = std::size_t{1024} * 1024;
    std::size_t max_header = std::size_t{16} * 1024;
    std::chrono::milliseconds read_timeout = std::chrono::seconds(30);
    std::string server_name = "rectify";  // the Server header
    // Headers sent with every response, errors included (security headers); a response's own
    // header of the same name replaces one of these.
    std::vector<std::pair<std::string, std::string>> headers;
    // A streaming response's unsent bytes above which its client counts as gone (too slow).
    std::size_t stream_buffer = std::size_t{1024} * 1024;
  };

  // Nothing is bound until Start(). `address` is an IPv4 or IPv6 literal ("127.0.0.1", "::1").
  HttpServer(boost::asio::io_context& io, std::string address, std::uint16_t port);
  HttpServer(boost::asio::io_context& io, std::string address, std::uint16_t port, Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `method` is upper-case ("GET", "POST"); `path` starts with '/'.
  void Route(std::string method, const std::string& path, Handler handler);
  // `max_body` (bytes), when not 0, raises the body cap for this route alone (an upload); the
  // header is read first, so other routes keep Options::max_body.
  void RouteAsync(std::string method, const std::string& path, AsyncHandler handler,
                  std::size_t max_body = 0);
  // Answers the requests whose path no route has (instead of the 404): the web pages
  // (static_files.h). It runs on the connection's strand, so it must not block.
  void Fallback(Handler handler);

  // Serve HTTPS: a PEM certificate (chain) file and its private key. Before Start(). kBadInput
  // naming the file when it cannot be read, is not PEM, or the key is not the certificate's.
  Status UseTls(const std::string& cert_file, const std::string& key_file);
  // The same checks without a server, to refuse a bad start before anything else is done.
  static Status CheckTls(const std::string& cert_file, const std::string& key_file);
  bool tls() const;

  // Binds, listens and starts accepting. kBadInput for an address that is not an IP literal,
  // kUnavailable when it cannot bind (the port is taken, the address is not local).
  Status Start();
  void Stop();

  std::uint16_t port() const;   // the bound port, after Start()
  std::string address() const;  // the bound address, after Start()
  std::size_t open_connections() const;

 private:
  friend class SessionBase;  // one connection (http_server.cc)
  template <class Stream>
  friend class Session;
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace rectify::http
