// The HTTP server (http_server.h): an acceptor on its own strand, one Session per connection,
// over plain TCP or TLS (Session<Stream>: one code path for both).
#include "adapters/http/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cstdio>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>

#include "adapters/http/request_parsing.h"

namespace rectify::http {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsParam(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// How many request drained bytes after a 413 are read and thrown away before the connection is
// closed: closing with unread data makes the kernel reset the connection, and the client might
// lose the response.
constexpr std::size_t kDrainLimit = std::size_t{8} * 1024 * 1024;
constexpr auto kDrainTimeout = std::chrono::seconds(2);

}  // namespace

std::string Request::Header(std::string_view name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? std::string() : it->second;
}

Response Response::Json(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::Text(unsigned status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::Error(unsigned status, std::string_view code, std::string_view message) {
  return Json(status, ErrorJson(code, message));
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error::BadInput(
        "'" + std::string(text) + "' " + std::string(why) +
        " (write HOST:PORT, e.g. 127.0.0.1:8080, or 127.0.0.1:0 for a free port)");
  };
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("is not HOST:PORT");
  std::string host(text.substr(0, colon));
  std::string_view port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad("has an IPv6 address without brackets");
  }
  if (host == "localhost") host = "127.0.0.1";
  if (host.empty()) return bad("has no host");
  beast::error_code ec;
  net::ip::make_address(host, ec);
  if (ec) return bad("has a host that is not an IP address or localhost");
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("has a port that is not a number");
  }
  unsigned long n = std::stoul(std::string(port));
  if (n > 65535) return bad("has a port above 65535");
  return ListenAddress{host, static_cast<std::uint16_t>(n)};
}

std::string ErrorJson(std::string_view code, std::string_view message) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  boost::json::object root;
  root["error"] = std::move(error);
  return boost::json::serialize(root);
}

std::vector<std::string> PathSegments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

RouteMatch MatchRoute(const std::vector<RoutePattern>& routes, std::string_view method,
                      std::string_view path) {
  RouteMatch out;
  std::vector<std::string> segments = PathSegments(path);
  int best_exact = -1;
  std::set<std::string> allowed;
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const RoutePattern& route = routes[r];
    if (route.segments.size() != segments.size()) continue;
    int exact = 0;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      if (IsParam(route.segments[i])) continue;
      match = route.segments[i] == segments[i];
      ++exact;
    }
    if (!match) continue;
    allowed.insert(route.method);
    if (route.method == method && exact > best_exact) {
      out.route = r;
      best_exact = exact;
    }
  }
  out.allowed.assign(allowed.begin(), allowed.end());
  if (out.route) {
    const RoutePattern& best = routes[*out.route];
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (IsParam(best.segments[i])) {
        out.params[best.segments[i].substr(1, best.segments[i].size() - 2)] = segments[i];
      }
    }
  }
  return out;
}

void PrepareParser(RequestParser& parser, std::size_t max_header) {
  // Beast checks a Content-Length against the limit while parsing the header, before the route
  // is known: the header is parsed without one, then the body held to its route's.
  parser.body_limit(boost::none);
  parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(max_header, UINT32_MAX)));
}

std::size_t BodyLimitFor(const RequestParser& parser, const std::vector<RoutePattern>& patterns,
                         const std::vector<std::size_t>& max_bodies, std::size_t fallback) {
  std::size_t limit = fallback;
  const auto& head = parser.get();
  auto url = boost::urls::parse_origin_form(head.target());
  if (!url) return limit;
  std::vector<std::string> segments = PathSegments(url->path());
  std::string_view method = head.method_string();
  for (std::size_t r = 0; r < patterns.size() && r < max_bodies.size(); ++r) {
    const RoutePattern& route = patterns[r];
    if (max_bodies[r] == 0 || route.method != method) continue;
    if (route.segments.size() != segments.size()) continue;
    bool match = true;
    for (std::size_t i = 0; i < segments.size() && match; ++i) {
      match = IsParam(route.segments[i]) || route.segments[i] == segments[i];
    }
    if (match) limit = std::max(limit, max_bodies[r]);
  }
  return limit;
}

Result<Request> ToRequest(bhttp::request<bhttp::string_body>&& msg, std::string remote) {
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  req.remote = std::move(remote);
  req.body = std::move(msg.body());
  for (const auto& field : msg) {
    std::string name = Lower(field.name_string());
    auto [it, fresh] = req.headers.emplace(name, std::string(field.value()));
    if (!fresh) it->second += ", " + std::string(field.value());
  }
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) return Error::BadInput("the request target '" + req.target + "' is not a path");
  req.path = url->path();
  for (const auto& p : url->params()) req.query[p.key] = p.value;
  return req;
}

struct RouteEntry {
  AsyncHandler handler;
  std::size_t max_body = 0;  // 0: the server's Options::max_body
};

// What the State knows of a connection: enough to stop it.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void Shutdown() = 0;
};

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(net::io_context& io_context, std::string addr, std::uint16_t p, Options o)
      : io(io_context),
        address(std::move(addr)),
        requested_port(p),
        options(std::move(o)),
        acceptor(net::make_strand(io_context)) {}

  void Accept();
  void Forget(std::uint64_t id) {
    std::lock_guard lock(mu);
    sessions.erase(id);
  }

  net::io_context& io;
  std::string address;
  std::uint16_t requested_port;
  Options options;
  std::vector<RoutePattern> patterns;  // what each route matches
  std::vector<std::size_t> max_bodies;
  std::vector<RouteEntry> routes;          // same index: how it answers
  Handler fallback;                        // set: answers paths no route has
  std::shared_ptr<net::ssl::context> tls;  // set: HTTPS
  tcp::acceptor acceptor;
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};

  mutable std::mutex mu;  // guards what follows
  std::string bound_address;
  std::map<std::uint64_t, std::weak_ptr<SessionBase>> sessions;
  std::uint64_t next_id = 0;
};

// The sink of a streaming response: it forwards to its connection, which it does not keep alive.
template <class Stream>
class SessionSink;

// One connection. Stream is beast::tcp_stream (HTTP) or beast::ssl_stream<beast::tcp_stream>
// (HTTPS); only the start (a TLS handshake) differs.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::State> state, std::uint64_t id)
      : stream_(MakeStream(std::move(socket), *state)), state_(std::move(state)), id_(id) {
    beast::error_code ec;
    auto ep = Tcp().socket().remote_endpoint(ec);
    if (!ec) {
      remote_ =
          ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
      remote_ += ":" + std::to_string(ep.port());
    }
  }
  ~Session() override { state_->Forget(id_); }
  std::uint64_t id() const { return id_; }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Tcp().expires_after(self->state_->options.read_timeout);
        self->stream_.async_handshake(net::ssl::stream_base::server, [self](beast::error_code ec) {
          // Not TLS (plain HTTP to the HTTPS port), or a client
          // that does not trust the certificate: closed.
          if (ec) return self->Close();
          self->Read();
        });
      } else {
        self->Read();
      }
    });
  }

  // Graceful: an idle connection closes now; one whose request is being handled closes after
  // its response is written; a stream ends now.
  void Shutdown() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->closing_ = true;
      if (self->streaming_) return self->EndStream();
      if (!self->busy_) self->Close();
    });
  }

  // For the sink (any thread).
  bool QueueChunk(std::string chunk) {
    {
      std::lock_guard lock(sink_mu_);
      if (sink_closed_) return false;
      if (pending_bytes_ + chunk.size() > state_->options.stream_buffer) {
        // Too slow: cut off (what is queued is not worth sending); it reconnects.
        sink_closed_ = true;
        net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
        return false;
      }
      pending_bytes_ += chunk.size();
    }
    net::post(stream_.get_executor(),
              [self = this->shared_from_this(), chunk = std::move(chunk)]() mutable {
                if (self->stream_done_) return;
                self->chunks_.push_back(std::move(chunk));
                self->WriteChunks();
              });
    return true;
  }
  // What was written before goes out first, then the last chunk.
  void CloseSink() {
    MarkSinkClosed();
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->EndStream(); });
  }
  bool SinkClosed() {
    std::lock_guard lock(sink_mu_);
    return sink_closed_;
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, HttpServer::State& state) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *state.tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Read() {
    busy_ = false;
    if (closing_) return Close();
    parser_.emplace();
    body_limit_ = state_->options.max_body;
    PrepareParser(*parser_, state_->options.max_header);
    Tcp().expires_after(state_->options.read_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        beast::bind_front_handler(&Session::OnHeader, this->shared_from_this()));
  }

  // The header is in: the body's limit is the route's own when it has one (an upload), else the
  // server's. Then the rest of the request, under the same read timeout.
  void OnHeader(beast::error_code ec, std::size_t n) {
    if (ec) return OnRead(ec, n);
    body_limit_ =
        BodyLimitFor(*parser_, state_->patterns, state_->max_bodies, state_->options.max_body);
    parser_->body_limit(body_limit_);
    if (auto length = parser_->content_length(); length && *length > body_limit_) {
      return OnRead(bhttp::error::body_limit, n);
    }
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || closing_) {
      return Close();
    }
    busy_ = true;
    version_ = 11;
    keep_alive_ = false;
    if (ec == bhttp::error::body_limit) {
      drain_ = true;
      return Write(Response::Error(
          413, "payload_too_large",
          "the request body is larger than " + std::to_string(body_limit_) + " bytes"));
    }
    if (ec == bhttp::error::header_limit) {
      return Write(Response::Error(431, "header_too_large",
                                   "the request header is larger than " +
                                       std::to_string(state_->options.max_header) + " bytes"));
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      return Write(Response::Error(400, "bad_request", "malformed HTTP request: " + ec.message()));
    }
    if (ec) return Close();  // the connection broke
    Dispatch(parser_->release());
  }

  void Dispatch(bhttp::request<bhttp::string_body> msg) {
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    auto parsed = ToRequest(std::move(msg), remote_);
    if (!parsed) return Write(Response::Error(400, "bad_request", parsed.error().message()));
    Request req = std::move(*parsed);
    RouteMatch match = MatchRoute(state_->patterns, req.method, req.path);
    if (!match.route && match.allowed.empty()) {
      if (state_->fallback) {
        try {
          return Write(state_->fallback(req));
        } catch (const std::exception& e) {
          std::fprintf(stderr, "rectify serve: %s %s failed: %s\n", req.method.c_str(),
                       req.path.c_str(), e.what());
          return Write(
              Response::Error(500, "internal", "the request failed; the server's log says why"));
        }
      }
      return Write(Response::Error(404, "not_found", "no resource at " + req.path));
    }
    if (!match.route) {
      std::string allow;
      for (const auto& m : match.allowed) allow += (allow.empty() ? "" : ", ") + m;
      Response r =
          Response::Error(405, "method_not_allowed",
                          req.method + " is not allowed on " + req.path + "; allowed: " + allow);
      r.headers.emplace_back("Allow", allow);
      return Write(std::move(r));
    }
    req.params = std::move(match.params);
    const RouteEntry& best = state_->routes[*match.route];
    // Until it is answered, a request counts as work: io.run() does not return while an async
    // handler still holds its Responder.
    struct Pending {
      explicit Pending(net::io_context& io) : work(net::make_work_guard(io)) {}
      std::atomic<bool> answered{false};
      net::executor_work_guard<net::io_context::executor_type> work;
    };
    auto pending = std::make_shared<Pending>(state_->io);
    Responder respond = [self = this->shared_from_this(), pending](Response r) {
      if (pending->answered.exchange(true)) return;  // answered already: a handler's bug, ignored
      net::dispatch(self->stream_.get_executor(), [self, pending, r = std::move(r)]() mutable {
        if (r.stream) {
          self->StartStream(std::move(r));
        } else {
          self->Write(std::move(r));
        }
        pending->work.reset();
      });
    };
    try {
      best.handler(req, respond);
    } catch (const std::exception& e) {
      // The exception's text may hold SQL or paths: it goes to the server's log, not to the
      // client.
      std::fprintf(stderr, "rectify serve: %s %s failed: %s\n", req.method.c_str(),
                   req.path.c_str(), e.what());
      respond(Response::Error(500, "internal", "the request failed; the server's log says why"));
    } catch (...) {
      respond(Response::Error(500, "internal", "the handler failed"));
    }
  }

  template <class Message>
  void SetHeaders(Message& msg, Response& r) {
    msg.version(version_);
    msg.result(r.status);
    msg.set(bhttp::field::server, state_->options.server_name);
    msg.set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : state_->options.headers) msg.set(name, value);
    for (auto& [name, value] : r.headers) msg.set(name, value);
  }

  void Write(Response r) {
    if (r.shared_body) {
      // A kept body is sent from where it is kept: the message holds a view of it and the write
      // holds it alive.
      auto msg = std::make_shared<bhttp::response<bhttp::span_body<const char>>>();
      SetHeaders(*msg, r);
      msg->body() = boost::span<const char>(r.shared_body->data(), r.shared_body->size());
      return Send(std::move(msg), std::move(r.shared_body));
    }
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
    SetHeaders(*msg, r);
    msg->body() = std::move(r.body);
    Send(std::move(msg), nullptr);
  }

  template <class Message>
  void Send(std::shared_ptr<Message> msg, std::shared_ptr<const std::string> kept) {
    msg->keep_alive(keep_alive_ && !closing_ && !drain_);
    msg->prepare_payload();
    Tcp().expires_after(state_->options.read_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = this->shared_from_this(), msg, kept = std::move(kept)](
                           beast::error_code ec, std::size_t) {
                         if (ec) return self->Close();
                         if (msg->need_eof()) return self->drain_ ? self->Drain() : self->Close();
                         self->Read();
                       });
  }

  // A streaming response: its headers (chunked, the connection closes after it), then the
  // handler's callback gets the sink.
  void StartStream(Response r) {
    if (closing_) {
      return Write(Response::Error(503, "unavailable", "the server is stopping; retry shortly"));
    }
    streaming_ = true;
    auto head = std::make_shared<bhttp::response<bhttp::empty_body>>();
    SetHeaders(*head, r);
    head->keep_alive(false);
    head->chunked(version_ >= 11);
    chunked_ = version_ >= 11;
    auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
    Tcp().expires_after(state_->options.read_timeout);
    bhttp::async_write_header(stream_, *serializer,
                              [self = this->shared_from_this(), head, serializer,
                               start = std::move(r.stream)](beast::error_code ec, std::size_t) {
                                if (ec) {
                                  self->MarkSinkClosed();
                                  return self->Close();
                                }
                                self->Tcp().expires_never();
                                start(std::make_shared<SessionSink<Stream>>(self));
                                self->WriteChunks();
                                self->WatchClient();
                              });
  }

  // A client that leaves is noticed by a read that ends (it sends nothing more on a stream).
  void WatchClient() {
    watch_buffer_.resize(512);
    stream_.async_read_some(net::buffer(watch_buffer_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) {
                                self->MarkSinkClosed();
                                self->Close();
                                return;
                              }
                              self->WatchClient();
                            });
  }

  void MarkSinkClosed() {
    std::lock_guard lock(sink_mu_);
    sink_closed_ = true;
  }

  void WriteChunks() {
    if (writing_ || chunks_.empty() || stream_done_) return;
    writing_ = true;
    auto data = std::make_shared<std::string>(std::move(chunks_.front()));
    chunks_.pop_front();
    auto done = [self = this->shared_from_this(), data](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      {
        std::lock_guard lock(self->sink_mu_);
        self->pending_bytes_ -= std::min(self->pending_bytes_, data->size());
      }
      if (ec) {
        self->MarkSinkClosed();
        return self->Close();
      }
      self->Tcp().expires_never();
      if (self->chunks_.empty() && self->end_after_) return self->EndStream();
      self->WriteChunks();
    };
    Tcp().expires_after(state_->options.read_timeout);
    if (chunked_) {
      net::async_write(stream_, bhttp::make_chunk(net::buffer(*data)), std::move(done));
    } else {
      net::async_write(stream_, net::buffer(*data), std::move(done));
    }
  }

  // The last chunk, then close; after the chunks queued before, if any.
  void EndStream() {
    MarkSinkClosed();
    if (stream_done_) return;
    if (writing_ || !chunks_.empty()) {
      end_after_ = true;
      return WriteChunks();
    }
    stream_done_ = true;
    if (!chunked_) return Close();
    Tcp().expires_after(std::chrono::seconds(2));
    net::async_write(
        stream_, bhttp::make_chunk_last(),
        [self = this->shared_from_this()](beast::error_code, std::size_t) { self->Close(); });
  }

  // After a refused body: stop sending, read what the client still sends, then close.
  void Drain() {
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    drain_buffer_.resize(std::size_t{64} * 1024);
    drained_ = 0;
    Tcp().expires_after(kDrainTimeout);
    DrainMore();
  }

  void DrainMore() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kDrainLimit) return self->Close();
                              self->DrainMore();
                            });
  }

  void Close() {
    MarkSinkClosed();
    stream_done_ = true;
    beast::error_code ec;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    Tcp().close();
  }

  Stream stream_;
  std::shared_ptr<HttpServer::State> state_;
  std::uint64_t id_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::size_t body_limit_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool busy_ = false;     // a request is being handled or its response written
  bool closing_ = false;  // Stop() was called
  bool drain_ = false;
  std::vector<char> drain_buffer_;
  std::size_t drained_ = 0;
  // A streaming response (on the strand, but the sink's flags below).
  bool streaming_ = false;
  bool chunked_ = true;
  bool writing_ = false;
  bool end_after_ = false;
  bool stream_done_ = false;
  std::deque<std::string> chunks_;
  std::vector<char> watch_buffer_;
  std::mutex sink_mu_;        // guards what follows (the sink writes from other threads)
  bool sink_closed_ = false;  // no more writes taken
  std::size_t pending_bytes_ = 0;
};

template <class Stream>
class SessionSink : public StreamSink {
 public:
  explicit SessionSink(std::weak_ptr<Session<Stream>> session) : session_(std::move(session)) {}
  bool Write(std::string chunk) override {
    auto s = session_.lock();
    return s && s->QueueChunk(std::move(chunk));
  }
  void Close() override {
    if (auto s = session_.lock()) s->CloseSink();
  }
  bool closed() const override {
    auto s = session_.lock();
    return !s || s->SinkClosed();
  }

 private:
  std::weak_ptr<Session<Stream>> session_;
};

void HttpServer::State::Accept() {
  acceptor.async_accept(
      net::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopping || ec == net::error::operation_aborted || !self->acceptor.is_open()) {
          return;
        }
        if (!ec) {
          auto start = [&](auto session) {
            {
              std::lock_guard lock(self->mu);
              self->sessions.emplace(session->id(), session);
            }
            session->Run();
            if (self->stopping) session->Shutdown();
          };
          std::uint64_t id;
          {
            std::lock_guard lock(self->mu);
            id = self->next_id++;
          }
          if (self->tls) {
            start(std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket),
                                                                                  self, id));
          } else {
            start(std::make_shared<Session<beast::tcp_stream>>(std::move(socket), self, id));
          }
        }
        // An accept error (too many open files) ends that accept only.
        self->Accept();
      });
}

HttpServer::HttpServer(net::io_context& io, std::string address, std::uint16_t port)
    : HttpServer(io, std::move(address), port, Options()) {}

HttpServer::HttpServer(net::io_context& io, std::string address, std::uint16_t port,
                       Options options)
    : state_(std::make_shared<State>(io, std::move(address), port, std::move(options))) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(std::string method, const std::string& path, Handler handler) {
  RouteAsync(
      std::move(method), path,
      [h = std::move(handler)](const Request& req, const Responder& respond) { respond(h(req)); });
}

void HttpServer::RouteAsync(std::string method, const std::string& path, AsyncHandler handler,
                            std::size_t max_body) {
  state_->patterns.push_back(RoutePattern{std::move(method), PathSegments(path)});
  state_->max_bodies.push_back(max_body);
  state_->routes.push_back(RouteEntry{std::move(handler), max_body});
}

void HttpServer::Fallback(Handler handler) { state_->fallback = std::move(handler); }

namespace {

// kBadInput naming the option and the file, with what to do.
Error TlsFileError(const char* option, const std::string& file, const std::string& what) {
  return Error::BadInput(std::string(option) + " " + file + ": " + what);
}

}  // namespace

namespace {

// The server's TLS context from a PEM certificate (chain) and its key, or kBadInput naming the
// file and what to do.
Result<std::shared_ptr<net::ssl::context>> LoadTlsContext(const std::string& cert_file,
                                                          const std::string& key_file) {
  for (auto [option, file] : {std::pair{"--tls-cert", &cert_file}, {"--tls-key", &key_file}}) {
    if (file->empty()) {
      return Error::BadInput(std::string(option) + " is empty (give --tls-cert and --tls-key, " +
                             "both PEM files)");
    }
    std::ifstream in(*file);
    if (!in) {
      return TlsFileError(option, *file,
                          "cannot be read (check the path and that this user may read it)");
    }
  }
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                   net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  beast::error_code ec;
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    return TlsFileError("--tls-cert", cert_file,
                        "is not a PEM certificate (" + ec.message() +
                            "); give the server's certificate, then any intermediates, in PEM");
  }
  ctx->use_private_key_file(key_file, net::ssl::context::pem, ec);
  if (ec) {
    // OpenSSL checks the key against the certificate as it loads it: a key that loads alone is
    // another certificate's.
    net::ssl::context alone(net::ssl::context::tls_server);
    beast::error_code alone_ec;
    alone.use_private_key_file(key_file, net::ssl::context::pem, alone_ec);
    if (alone_ec) {
      return TlsFileError("--tls-key", key_file,
                          "is not a PEM private key (" + alone_ec.message() +
                              "); give the unencrypted key of the certificate, in PEM");
    }
  }
  if (ec || SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return TlsFileError("--tls-key", key_file,
                        "is not the private key of the certificate in " + cert_file +
                            " (give the key the certificate was made for)");
  }
  return ctx;
}

}  // namespace

Status HttpServer::CheckTls(const std::string& cert_file, const std::string& key_file) {
  auto ctx = LoadTlsContext(cert_file, key_file);
  if (!ctx) return ctx.error();
  return OkStatus();
}

Status HttpServer::UseTls(const std::string& cert_file, const std::string& key_file) {
  auto ctx = LoadTlsContext(cert_file, key_file);
  if (!ctx) return ctx.error();
  state_->tls = std::move(*ctx);
  return OkStatus();
}

bool HttpServer::tls() const { return state_->tls != nullptr; }

Status HttpServer::Start() {
  beast::error_code ec;
  auto addr = net::ip::make_address(state_->address, ec);
  if (ec) {
    return Error::BadInput("'" + state_->address +
                           "' is not an IP address (write 127.0.0.1, 0.0.0.0 or ::1)");
  }
  tcp::endpoint endpoint(addr, state_->requested_port);
  std::string where = (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) + ":" +
                      std::to_string(state_->requested_port);
  auto fail = [&](const char* what) {
    beast::error_code ignored;
    state_->acceptor.close(ignored);
    return Error::Unavailable("cannot listen on " + where + ": " + what + ": " + ec.message());
  };
  tcp::acceptor& acceptor = state_->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail("open");
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) return fail("option");
  if (acceptor.bind(endpoint, ec); ec) return fail("bind");
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) return fail("listen");
  auto local = acceptor.local_endpoint(ec);
  if (ec) return fail("local address");
  state_->bound_port = local.port();
  {
    std::lock_guard lock(state_->mu);
    state_->bound_address = local.address().to_string();
  }
  state_->started = true;
  net::dispatch(acceptor.get_executor(), [s = state_] { s->Accept(); });
  return {};
}

void HttpServer::Stop() {
  if (state_->stopping.exchange(true)) return;
  if (state_->started) {
    net::post(state_->acceptor.get_executor(), [s = state_] {
      beast::error_code ec;
      s->acceptor.close(ec);
    });
  }
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lock(state_->mu);
    for (auto& [id, weak] : state_->sessions) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->Shutdown();
}

std::uint16_t HttpServer::port() const { return state_->bound_port; }

std::string HttpServer::address() const {
  std::lock_guard lock(state_->mu);
  return state_->bound_address;
}

std::size_t HttpServer::open_connections() const {
  std::lock_guard lock(state_->mu);
  return state_->sessions.size();
}

}  // namespace rectify::http
