// The HTTP server over real loopback connections: a Beast client in the test talks to the server
// running on its io_context in a second thread.
#include "adapters/http/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <thread>

#include "adapters/http/health_routes.h"
#include "rectify/metrics.h"

namespace rectify::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using ::testing::HasSubstr;
using ::testing::Not;

using ClientResponse = bhttp::response<bhttp::string_body>;

// One client connection to the server.
class Client {
 public:
  explicit Client(std::uint16_t port) : stream_(io_) {
    stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    // A server that never answers fails the test instead of hanging it.
    timeval limit{10, 0};
    ::setsockopt(stream_.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }

  ClientResponse Send(bhttp::verb method, const std::string& target, std::string body = {},
                      bool keep_alive = true) {
    bhttp::request<bhttp::string_body> req(method, target, 11);
    req.set(bhttp::field::host, "127.0.0.1");
    req.keep_alive(keep_alive);
    if (!body.empty() || method == bhttp::verb::post) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = std::move(body);
      req.prepare_payload();
    }
    bhttp::write(stream_, req);
    return Receive();
  }

  ClientResponse Receive() {
    ClientResponse res;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(stream_, buffer_, parser);
    return parser.release();
  }

  void WriteRaw(const std::string& bytes) { net::write(stream_, net::buffer(bytes)); }

  // True when the server closed the connection (a read ends with end of file).
  bool ClosedByServer() {
    char c;
    beast::error_code ec;
    stream_.socket().read_some(net::buffer(&c, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

 private:
  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void Start(HttpServer::Options options = {}) {
    server_ = std::make_unique<HttpServer>(io_, "127.0.0.1", 0, options);
    server_->Route("GET", "/echo", [](const Request& req) {
      return Response::Text(200, req.method + " " + req.path + " from " + req.remote);
    });
    server_->Route("POST", "/echo",
                   [](const Request& req) { return Response::Json(201, req.body); });
    server_->RouteAsync(
        "POST", "/uploads/{name}",
        [](const Request& req, Responder respond) {
          respond(Response::Text(201, std::to_string(req.body.size())));
        },
        /*max_body=*/5000);
    server_->Route("GET", "/items/{id}", [](const Request& req) {
      std::string unit = req.query.count("unit") ? req.query.at("unit") : "-";
      return Response::Text(200, "item " + req.params.at("id") + " unit " + unit + " agent " +
                                     req.Header("User-Agent"));
    });
    server_->Route("GET", "/items/new", [](const Request&) { return Response::Text(200, "form"); });
    server_->Route("GET", "/boom",
                   [](const Request&) -> Response { throw std::runtime_error("kaput"); });
    server_->RouteAsync("GET", "/slow", [this](const Request&, Responder respond) {
      slow_.set_value(std::move(respond));
    });
    server_->Route("GET", "/stream", [this](const Request&) {
      Response r = Response::Text(200, "", "text/event-stream");
      r.stream = [this](std::shared_ptr<StreamSink> sink) { sink_.set_value(std::move(sink)); };
      return r;
    });
    AddHealthRoutes(*server_, metrics_, health_);
    ASSERT_TRUE(server_->Start());
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();  // io.run() returns once every connection is gone
  }

  net::io_context io_;
  Metrics metrics_;
  Health health_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  std::promise<Responder> slow_;
  std::promise<std::shared_ptr<StreamSink>> sink_;
};

TEST_F(HttpServerTest, AStreamingResponseSendsItsChunksAsTheyComeUntilClosed) {
  Start();
  Client client(server_->port());
  auto future = sink_.get_future();
  std::thread writer([&] {
    auto sink = future.get();
    EXPECT_TRUE(sink->Write("data: one\n\n"));
    EXPECT_TRUE(sink->Write("data: two\n\n"));
    sink->Close();
    EXPECT_FALSE(sink->Write("data: late\n\n"));  // after Close: refused
  });
  ClientResponse r = client.Send(bhttp::verb::get, "/stream");
  writer.join();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[bhttp::field::content_type], "text/event-stream");
  EXPECT_TRUE(r.chunked());
  EXPECT_EQ(r.body(), "data: one\n\ndata: two\n\n");
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(HttpServerTest, StopEndsAnOpenStreamAndASlowReaderIsCutOff) {
  HttpServer::Options options;
  options.stream_buffer = 64 * 1024;
  Start(options);
  Client client(server_->port());
  auto future = sink_.get_future();
  std::thread stopper([&] {
    auto sink = future.get();
    EXPECT_TRUE(sink->Write("data: hello\n\n"));
    server_->Stop();
    // The stream ends: writes are refused soon after.
    for (int i = 0; i < 200 && !sink->closed(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(sink->closed());
  });
  ClientResponse r = client.Send(bhttp::verb::get, "/stream");
  stopper.join();
  EXPECT_EQ(r.body(), "data: hello\n\n");
  // thread_ joins in TearDown: io.run() returned, the stream held nothing open.
}

TEST_F(HttpServerTest, HealthzIsReadyOrSaysWhyNot) {
  Start();
  health_.SetReady(true);
  Client client(server_->port());
  ClientResponse ready = client.Send(bhttp::verb::get, "/healthz");
  EXPECT_EQ(ready.result_int(), 200);
  EXPECT_EQ(ready[bhttp::field::content_type], "application/json");
  EXPECT_EQ(ready.body(), R"({"status":"ready"})");

  health_.SetReady(false, "database unreachable: connection refused");
  ClientResponse unready = client.Send(bhttp::verb::get, "/healthz");
  EXPECT_EQ(unready.result_int(), 503);
  EXPECT_EQ(unready.body(),
            R"({"status":"unready","reason":"database unreachable: connection refused"})");
}

TEST_F(HttpServerTest, MetricsArePrometheusText) {
  Start();
  metrics_.counter("rectify_timers_fired_total", "Timers fired").Inc(3);
  Client client(server_->port());
  ClientResponse r = client.Send(bhttp::verb::get, "/metrics");
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r[bhttp::field::content_type], "text/plain; version=0.0.4");
  EXPECT_EQ(r.body(),
            "# HELP rectify_timers_fired_total Timers fired\n"
            "# TYPE rectify_timers_fired_total counter\n"
            "rectify_timers_fired_total 3\n");
}

TEST_F(HttpServerTest, UnknownPathIs404WithAJsonError) {
  Start();
  Client client(server_->port());
  ClientResponse r = client.Send(bhttp::verb::get, "/nowhere?x=1");
  EXPECT_EQ(r.result_int(), 404);
  EXPECT_EQ(r[bhttp::field::content_type], "application/json");
  EXPECT_EQ(r.body(), R"({"error":{"code":"not_found","message":"no resource at /nowhere"}})");
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  Start();
  Client client(server_->port());
  ClientResponse r = client.Send(bhttp::verb::delete_, "/echo");
  EXPECT_EQ(r.result_int(), 405);
  EXPECT_EQ(r[bhttp::field::allow], "GET, POST");
  EXPECT_EQ(
      r.body(),
      R"({"error":{"code":"method_not_allowed","message":"DELETE is not allowed on /echo; allowed: GET, POST"}})");
}

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  Start();
  Client client(server_->port());
  ClientResponse first = client.Send(bhttp::verb::get, "/echo");
  ClientResponse second = client.Send(bhttp::verb::post, "/echo", R"({"a":1})");
  EXPECT_EQ(first.result_int(), 200);
  EXPECT_TRUE(first.keep_alive());
  EXPECT_THAT(first.body(), HasSubstr("GET /echo from 127.0.0.1:"));
  EXPECT_EQ(second.result_int(), 201);
  EXPECT_EQ(second.body(), R"({"a":1})");
  // Both came over the same connection: the server still has exactly one.
  EXPECT_EQ(server_->open_connections(), 1u);
  ClientResponse third = client.Send(bhttp::verb::get, "/echo");
  EXPECT_EQ(third.body(), first.body());  // the same remote port
}

TEST_F(HttpServerTest, ConnectionCloseIsHonoured) {
  Start();
  Client client(server_->port());
  ClientResponse r = client.Send(bhttp::verb::get, "/echo", "", /*keep_alive=*/false);
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(HttpServerTest, OversizedBodyIs413AndTheConnectionCloses) {
  Start();
  Client client(server_->port());
  ClientResponse r = client.Send(bhttp::verb::post, "/echo", std::string(1024 * 1024 + 1, 'x'));
  EXPECT_EQ(r.result_int(), 413);
  EXPECT_EQ(
      r.body(),
      R"({"error":{"code":"payload_too_large","message":"the request body is larger than 1048576 bytes"}})");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(HttpServerTest, BodyAtTheCapIsAccepted) {
  HttpServer::Options options;
  options.max_body = 1000;
  Start(options);
  Client client(server_->port());
  EXPECT_EQ(client.Send(bhttp::verb::post, "/echo", std::string(1000, 'x')).result_int(), 201);
  EXPECT_EQ(client.Send(bhttp::verb::post, "/echo", std::string(1001, 'x')).result_int(), 413);
}

TEST_F(HttpServerTest, ARouteOfItsOwnTakesALargerBodyAndNoOtherDoes) {
  HttpServer::Options options;
  options.max_body = 1000;
  Start(options);
  Client client(server_->port());
  ClientResponse big = client.Send(bhttp::verb::post, "/uploads/a.pdf", std::string(5000, 'x'));
  EXPECT_EQ(big.result_int(), 201);
  EXPECT_EQ(big.body(), "5000");
  EXPECT_EQ(client.Send(bhttp::verb::post, "/echo", std::string(1001, 'x')).result_int(), 413);
  Client again(server_->port());
  ClientResponse over = again.Send(bhttp::verb::post, "/uploads/a.pdf", std::string(5001, 'x'));
  EXPECT_EQ(over.result_int(), 413);
  EXPECT_NE(over.body().find("larger than 5000 bytes"), std::string::npos);
}

TEST_F(HttpServerTest, PathParametersQueryAndExactSegmentsFirst) {
  Start();
  Client client(server_->port());
  EXPECT_EQ(client.Send(bhttp::verb::get, "/items/Q%2D1?unit=%E9%85%BF%E6%BA%AA%E9%95%87").body(),
            "item Q-1 unit 酿溪镇 agent ");
  EXPECT_EQ(client.Send(bhttp::verb::get, "/items/new").body(), "form");
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  Start();
  Client client(server_->port());
  client.WriteRaw("GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n");
  ClientResponse r = client.Receive();
  EXPECT_EQ(r.result_int(), 400);
  EXPECT_THAT(r.body(), HasSubstr(R"({"error":{"code":"bad_request","message":"malformed HTTP)"));
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(HttpServerTest, HandlerThatThrowsIs500) {
  Start();
  Client client(server_->port());
  ClientResponse r = client.Send(bhttp::verb::get, "/boom");
  EXPECT_EQ(r.result_int(), 500);
  // What failed inside (it may be SQL or a path) stays in the server's log.
  EXPECT_EQ(
      r.body(),
      R"({"error":{"code":"internal","message":"the request failed; the server's log says why"}})");
  EXPECT_THAT(r.body(), Not(HasSubstr("kaput")));
  EXPECT_EQ(client.Send(bhttp::verb::get, "/healthz").result_int(), 503);  // still serving
}

TEST_F(HttpServerTest, SilentConnectionIsClosedAfterTheReadTimeout) {
  HttpServer::Options options;
  options.read_timeout = std::chrono::milliseconds(200);
  Start(options);
  Client client(server_->port());
  client.WriteRaw("GET /echo HTTP/1.1\r\nHost:");  // and nothing more
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.ClosedByServer());
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST_F(HttpServerTest, StopLetsARequestInFlightFinishThenCloses) {
  Start();
  Client idle(server_->port());
  Client busy(server_->port());
  EXPECT_EQ(idle.Send(bhttp::verb::get, "/echo").result_int(), 200);
  auto answer =
      std::async(std::launch::async, [&] { return busy.Send(bhttp::verb::get, "/slow"); });
  Responder respond = slow_.get_future().get();  // the handler has the request
  server_->Stop();
  EXPECT_TRUE(idle.ClosedByServer());  // idle: closed at once
  respond(Response::Text(200, "late but whole"));
  ClientResponse r = answer.get();
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(r.body(), "late but whole");
  EXPECT_FALSE(r.keep_alive());
  EXPECT_TRUE(busy.ClosedByServer());
  thread_.join();     // nothing left: io.run() returned
  respond = nullptr;  // it held the connection's state
  EXPECT_EQ(server_->open_connections(), 0u);
  EXPECT_THROW(Client{server_->port()}, boost::system::system_error);  // no longer accepting
}

TEST(HttpServerStartTest, BadAddressAndTakenPortAreErrors) {
  net::io_context io;
  HttpServer bad(io, "localhost", 0);
  Status st = bad.Start();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kBadInput);
  EXPECT_EQ(st.error().message(),
            "'localhost' is not an IP address (write 127.0.0.1, 0.0.0.0 or ::1)");

  HttpServer first(io, "127.0.0.1", 0);
  ASSERT_TRUE(first.Start());
  HttpServer second(io, "127.0.0.1", first.port());
  st = second.Start();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), ErrorCode::kUnavailable);
  EXPECT_THAT(st.error().message(),
              HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": bind: "));
}

TEST(ParseListenAddressTest, HostAndPort) {
  auto v4 = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8080);
  auto v6 = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_EQ(ParseListenAddress("localhost:9").value().host, "127.0.0.1");
}

TEST(ParseListenAddressTest, BadValuesSayWhatToWrite) {
  auto message = [](const char* text) { return ParseListenAddress(text).error().message(); };
  const std::string hint =
      " (write HOST:PORT, e.g. 127.0.0.1:8080, or 127.0.0.1:0 for a free port)";
  EXPECT_EQ(message("8080"), "'8080' is not HOST:PORT" + hint);
  EXPECT_EQ(message("127.0.0.1:http"), "'127.0.0.1:http' has a port that is not a number" + hint);
  EXPECT_EQ(message("127.0.0.1:70000"), "'127.0.0.1:70000' has a port above 65535" + hint);
  EXPECT_EQ(message("example.org:80"),
            "'example.org:80' has a host that is not an IP address or localhost" + hint);
  EXPECT_EQ(message("::1:80"), "'::1:80' has an IPv6 address without brackets" + hint);
  EXPECT_EQ(message(":80"), "':80' has no host" + hint);
}

}  // namespace
}  // namespace rectify::http
