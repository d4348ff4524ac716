// The HTTP server (http_server.h): an acceptor on its own strand, one Session per connection.
#include "adapters/http/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <optional>
#include <set>

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

std::vector<std::string> Segments(std::string_view path) {
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

bool IsParam(const std::string& segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// How many request drained bytes after a 413 are read and thrown away before the connection is
// closed: closing with unread data makes the kernel reset the connection, and the client might
// lose the response.
constexpr std::size_t kDrainLimit = 8 * 1024 * 1024;
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

class Session;

struct RouteEntry {
  std::string method;
  std::vector<std::string> segments;
  AsyncHandler handler;
  std::size_t max_body = 0;  // 0: the server's Options::max_body
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
  std::vector<RouteEntry> routes;
  tcp::acceptor acceptor;
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};

  mutable std::mutex mu;  // guards what follows
  std::string bound_address;
  std::map<std::uint64_t, std::weak_ptr<Session>> sessions;
  std::uint64_t next_id = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::State> state, std::uint64_t id)
      : stream_(std::move(socket)), state_(std::move(state)), id_(id) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_ =
          ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
      remote_ += ":" + std::to_string(ep.port());
    }
  }
  ~Session() { state_->Forget(id_); }

  void Run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->Read(); });
  }

  // Graceful: an idle connection closes now; one whose request is being handled closes after
  // its response is written.
  void Shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->Close();
    });
  }

 private:
  void Read() {
    busy_ = false;
    if (closing_) return Close();
    parser_.emplace();
    body_limit_ = state_->options.max_body;
    // Beast checks a Content-Length against the limit while parsing the header, before the
    // route is known: the header is parsed without one, then the body held to its route's.
    parser_->body_limit(boost::none);
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.max_header));
    stream_.expires_after(state_->options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // The header is in: the body's limit is the route's own when it has one (an upload), else the
  // server's. Then the rest of the request, under the same read timeout.
  void OnHeader(beast::error_code ec, std::size_t n) {
    if (ec) return OnRead(ec, n);
    const auto& head = parser_->get();
    std::string target(head.target());
    auto url = boost::urls::parse_origin_form(target);
    if (url) {
      std::vector<std::string> segments = Segments(url->path());
      std::string method(head.method_string());
      for (const RouteEntry& route : state_->routes) {
        if (route.max_body == 0 || route.method != method) continue;
        if (route.segments.size() != segments.size()) continue;
        bool match = true;
        for (std::size_t i = 0; i < segments.size() && match; ++i) {
          match = IsParam(route.segments[i]) || route.segments[i] == segments[i];
        }
        if (match) body_limit_ = std::max(body_limit_, route.max_body);
      }
    }
    parser_->body_limit(body_limit_);
    if (auto length = parser_->content_length(); length && *length > body_limit_) {
      return OnRead(bhttp::error::body_limit, n);
    }
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::OnRead, shared_from_this()));
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
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.remote = remote_;
    req.body = std::move(msg.body());
    for (const auto& field : msg) {
      std::string name = Lower(field.name_string());
      auto [it, fresh] = req.headers.emplace(name, std::string(field.value()));
      if (!fresh) it->second += ", " + std::string(field.value());
    }
    auto url = boost::urls::parse_origin_form(req.target);
    if (!url) {
      return Write(Response::Error(400, "bad_request",
                                   "the request target '" + req.target + "' is not a path"));
    }
    req.path = url->path();
    for (const auto& p : url->params()) req.query[p.key] = p.value;

    std::vector<std::string> segments = Segments(req.path);
    const RouteEntry* best = nullptr;
    int best_exact = -1;
    std::set<std::string> allowed;
    for (const RouteEntry& route : state_->routes) {
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
      if (route.method == req.method && exact > best_exact) {
        best = &route;
        best_exact = exact;
      }
    }
    if (best == nullptr && allowed.empty()) {
      return Write(Response::Error(404, "not_found", "no resource at " + req.path));
    }
    if (best == nullptr) {
      std::string allow;
      for (const auto& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
      Response r =
          Response::Error(405, "method_not_allowed",
                          req.method + " is not allowed on " + req.path + "; allowed: " + allow);
      r.headers.emplace_back("Allow", allow);
      return Write(std::move(r));
    }
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (IsParam(best->segments[i])) {
        req.params[best->segments[i].substr(1, best->segments[i].size() - 2)] = segments[i];
      }
    }
    // Until it is answered, a request counts as work: io.run() does not return while an async
    // handler still holds its Responder.
    struct Pending {
      explicit Pending(net::io_context& io) : work(net::make_work_guard(io)) {}
      std::atomic<bool> answered{false};
      net::executor_work_guard<net::io_context::executor_type> work;
    };
    auto pending = std::make_shared<Pending>(state_->io);
    Responder respond = [self = shared_from_this(), pending](Response r) {
      if (pending->answered.exchange(true)) return;  // answered already: a handler's bug, ignored
      net::dispatch(self->stream_.get_executor(), [self, pending, r = std::move(r)]() mutable {
        self->Write(std::move(r));
        pending->work.reset();
      });
    };
    try {
      best->handler(req, respond);
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

  void Write(Response r) {
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
    msg->version(version_);
    msg->result(r.status);
    msg->set(bhttp::field::server, state_->options.server_name);
    msg->set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : state_->options.headers) msg->set(name, value);
    for (auto& [name, value] : r.headers) msg->set(name, value);
    msg->body() = std::move(r.body);
    msg->keep_alive(keep_alive_ && !closing_ && !drain_);
    msg->prepare_payload();
    stream_.expires_after(state_->options.read_timeout);
    bhttp::async_write(stream_, *msg,
                       [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
                         if (ec) return self->Close();
                         if (msg->need_eof()) return self->drain_ ? self->Drain() : self->Close();
                         self->Read();
                       });
  }

  // After a refused body: stop sending, read what the client still sends, then close.
  void Drain() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    drain_buffer_.resize(64 * 1024);
    drained_ = 0;
    stream_.expires_after(kDrainTimeout);
    DrainMore();
  }

  void DrainMore() {
    stream_.async_read_some(net::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kDrainLimit) return self->Close();
                              self->DrainMore();
                            });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::State> state_;
  std::uint64_t id_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::size_t body_limit_ = 0;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool busy_ = false;     // a request is being handled or its response written
  bool closing_ = false;  // Stop() was called
  bool drain_ = false;
  std::vector<char> drain_buffer_;
  std::size_t drained_ = 0;
};

void HttpServer::State::Accept() {
  acceptor.async_accept(
      net::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopping || ec == net::error::operation_aborted || !self->acceptor.is_open()) {
          return;
        }
        if (!ec) {
          std::shared_ptr<Session> session;
          {
            std::lock_guard lock(self->mu);
            std::uint64_t id = self->next_id++;
            session = std::make_shared<Session>(std::move(socket), self, id);
            self->sessions.emplace(id, session);
          }
          session->Run();
          if (self->stopping) session->Shutdown();
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

void HttpServer::Route(std::string method, std::string path, Handler handler) {
  RouteAsync(std::move(method), std::move(path),
             [h = std::move(handler)](const Request& req, Responder respond) { respond(h(req)); });
}

void HttpServer::RouteAsync(std::string method, std::string path, AsyncHandler handler,
                            std::size_t max_body) {
  state_->routes.push_back(
      RouteEntry{std::move(method), Segments(path), std::move(handler), max_body});
}

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
  std::vector<std::shared_ptr<Session>> live;
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
