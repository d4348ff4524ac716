// The server's edges through a live `rectify serve` on SQLite and PostgreSQL: HTTPS with a
// throw-away self-signed certificate (--tls-cert, --tls-key), and single sign-on by a header from
// a trusted proxy (--auth-header, --trusted-proxy).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fstream>
#include <thread>

#include "adapters/store/soci/database.h"
#include "adapters/store/soci/soci_account_store.h"
#include "tests/http/api_env.h"
#include "tests/support/pg_test_cluster.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::HasSubstr;
using ::testing::Not;

// A self-signed certificate for 127.0.0.1 and its key, made by the openssl command.
bool MakeCertificate(const std::string& cert, const std::string& key) {
  test::CommandResult r = test::RunCommand(
      {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
       "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
       "subjectAltName=IP:127.0.0.1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

// One HTTPS request, trusting only `ca_file`; status 0 when the TLS handshake or the request
// fails.
HttpAnswer HttpsSend(int port, const std::string& ca_file, const std::string& method,
                     const std::string& target, const std::string& body = {},
                     const std::map<std::string, std::string>& headers = {}) {
  HttpAnswer answer;
  net::io_context io;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  beast::error_code ec;
  beast::get_lowest_layer(stream).socket().connect(
      net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
      ec);
  if (ec) return answer;
  timeval limit{10, 0};
  ::setsockopt(beast::get_lowest_layer(stream).socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO,
               &limit, sizeof limit);
  stream.handshake(net::ssl::stream_base::client, ec);
  if (ec) return answer;
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty()) {
    req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  bhttp::write(stream, req, ec);
  if (ec) return answer;
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(stream, buffer, res, ec);
  if (ec) return answer;
  answer.status = static_cast<int>(res.result_int());
  answer.body = res.body();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    answer.headers[name] = std::string(f.value());
  }
  return answer;
}

// Opens GET /api/v1/stream over HTTPS with `cookie` and reads until `until` arrives (or 10 s);
// what was read.
std::string HttpsStreamUntil(int port, const std::string& ca_file, const std::string& cookie,
                             const std::string& until) {
  net::io_context io;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  beast::error_code ec;
  beast::get_lowest_layer(stream).socket().connect(
      net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
      ec);
  if (ec) return {};
  timeval limit{10, 0};
  ::setsockopt(beast::get_lowest_layer(stream).socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO,
               &limit, sizeof limit);
  stream.handshake(net::ssl::stream_base::client, ec);
  if (ec) return {};
  std::string req =
      "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie + "\r\n\r\n";
  net::write(stream, net::buffer(req), ec);
  std::string got;
  char buf[4096];
  while (!ec && got.find(until) == std::string::npos) {
    std::size_t n = stream.read_some(net::buffer(buf), ec);
    got.append(buf, n);
  }
  return got;
}

class ApiTlsTest : public ::testing::TestWithParam<Backend> {};

TEST_P(ApiTlsTest, ServesHttpsWithASecureCookieAndRefusesPlainHttpAndABadKey) {
  test::TempDir dir;
  std::string cert = dir.File("cert.pem"), key = dir.File("key.pem");
  std::string other_cert = dir.File("other.pem"), other_key = dir.File("other-key.pem");
  ASSERT_TRUE(MakeCertificate(cert, key));
  ASSERT_TRUE(MakeCertificate(other_cert, other_key));
  ApiEnv env(GetParam());
  ASSERT_TRUE(env.Start({"--tls-cert", cert, "--tls-key", key}));

  HttpAnswer document = HttpsSend(env.port(), cert, "GET", "/api/v1/openapi.json");
  EXPECT_EQ(document.status, 200) << document.body;
  HttpAnswer login =
      HttpsSend(env.port(), cert, "POST", "/api/v1/session",
                R"({"person":"xs-0014","password":")" + test::kApiPassword + R"("})");
  ASSERT_EQ(login.status, 200) << login.body;
  std::string cookie = login.Header("set-cookie");
  EXPECT_THAT(cookie, HasSubstr("; Secure"));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  std::string session = cookie.substr(0, cookie.find(';'));
  HttpAnswer items = HttpsSend(env.port(), cert, "GET", "/api/v1/items", "", {{"Cookie", session}});
  ASSERT_EQ(items.status, 200) << items.body;
  EXPECT_THAT(items.body, HasSubstr("T-A1"));
  EXPECT_FALSE(items.Header("content-security-policy").empty());
  // Live updates over TLS: the stream opens, and a change reaches it.
  HttpAnswer login_a =
      HttpsSend(env.port(), cert, "POST", "/api/v1/session",
                R"({"person":"xs-0014","password":")" + test::kApiPassword + R"("})");
  ASSERT_EQ(login_a.status, 200);
  std::string stream_cookie =
      login_a.Header("set-cookie").substr(0, login_a.Header("set-cookie").find(';'));
  std::string csrf(login_a.Json().at("csrf_token").as_string());
  std::thread change([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    HttpAnswer now =
        HttpsSend(env.port(), cert, "GET", "/api/v1/items/T-A1", "", {{"Cookie", stream_cookie}});
    HttpsSend(
        env.port(), cert, "POST", "/api/v1/items/T-A1/events/submit",
        R"({"evidence":["照片.jpg"]})",
        {{"Cookie", stream_cookie}, {"X-CSRF-Token", csrf}, {"If-Match", now.Header("etag")}});
  });
  std::string streamed = HttpsStreamUntil(env.port(), cert, stream_cookie, "\"T-A1\"");
  change.join();
  EXPECT_THAT(streamed, HasSubstr("text/event-stream"));
  EXPECT_THAT(streamed, HasSubstr("event: item"));
  EXPECT_THAT(streamed, HasSubstr("\"T-A1\""));

  // A client that does not trust the certificate gets nothing; plain HTTP to the TLS port is
  // closed without an answer; the server goes on serving.
  EXPECT_EQ(HttpsSend(env.port(), other_cert, "GET", "/api/v1/openapi.json").status, 0);
  HttpAnswer plain = env.Client().Send("GET", "/api/v1/openapi.json");
  EXPECT_EQ(plain.status, 0);
  EXPECT_EQ(HttpsSend(env.port(), cert, "GET", "/api/v1/openapi.json").status, 200);

  // A key that is not the certificate's, a missing file, and garbage: a clear error at start
  // naming the file, nothing served.
  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  std::string junk = dir.File("junk.pem");
  std::ofstream(junk) << "not a certificate\n";
  for (const Bad& b : std::vector<Bad>{
           {{"--tls-cert", cert, "--tls-key", other_key},
            "is not the private key of the certificate"},
           {{"--tls-cert", dir.File("missing.pem"), "--tls-key", key}, "cannot be read"},
           {{"--tls-cert", junk, "--tls-key", key}, "is not a PEM certificate"},
           {{"--tls-cert", cert, "--tls-key", junk}, "is not a PEM private key"},
           {{"--tls-cert", cert}, "--tls-cert and --tls-key go together"},
       }) {
    std::vector<std::string> args{"--db", env.db().url(), "serve", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), b.args.begin(), b.args.end());
    test::CommandResult r = test::RunRectify(args, ApiEnv::Env());
    EXPECT_NE(r.exit_code, 0) << r.out;
    EXPECT_THAT(r.err, HasSubstr(b.says)) << ::testing::PrintToString(b.args);
    EXPECT_THAT(r.out, Not(HasSubstr("listening on")));
    if (b.args.size() == 4) {
      EXPECT_THAT(r.err, ::testing::AnyOf(HasSubstr(b.args[1]), HasSubstr(b.args[3])));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiTlsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

// The account events of `person`, newest first.
std::vector<auth::AccountEvent> AccountEvents(const ApiEnv& env, const std::string& person) {
  auto url = store_soci::ParseDatabaseUrl(env.db().url());
  EXPECT_TRUE(url.ok());
  store_soci::OpenOptions open;
  open.create = false;
  auto db = store_soci::Database::Open(*url, open);
  EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message());
  if (!db.ok()) return {};
  store_soci::SociAccountStore accounts(**db);
  auto events = accounts.Events(person, 20);
  EXPECT_TRUE(events.ok());
  return events.ok() ? *events : std::vector<auth::AccountEvent>{};
}

class ApiHeaderAuthTest : public ::testing::TestWithParam<Backend> {};

TEST_P(ApiHeaderAuthTest, ATrustedProxyNamesThePersonAndAnyoneElseIsRefusedAndRecorded) {
  ApiEnv env(GetParam());
  ASSERT_TRUE(
      env.Start({"--auth-header", "X-Remote-User", "--trusted-proxy", "10.9.9.9,127.0.0.0/8"}));
  HttpClient c = env.Client();
  // The cadre of unit A, named by the proxy: their own items only, and a write without a CSRF
  // token (no cookie), still under If-Match.
  std::map<std::string, std::string> as_a{{"X-Remote-User", "xs-0014"}};
  HttpAnswer list = c.Send("GET", "/api/v1/items", "", as_a);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(list.body, HasSubstr("T-A1"));
  EXPECT_THAT(list.body, Not(HasSubstr("T-B1")));
  EXPECT_EQ(c.Send("GET", "/api/v1/items/T-B1", "", as_a).status, 404);
  HttpAnswer who = c.Send("GET", "/api/v1/session", "", as_a);
  EXPECT_EQ(who.status, 200) << who.body;
  EXPECT_THAT(who.body, HasSubstr("xs-0014"));
  auto write = as_a;
  EXPECT_EQ(
      c.Send("POST", "/api/v1/items/T-A1/events/submit", R"({"evidence":["照片.jpg"]})", write)
          .status,
      428);
  write["If-Match"] = "\"1\"";
  HttpAnswer submitted =
      c.Send("POST", "/api/v1/items/T-A1/events/submit", R"({"evidence":["照片.jpg"]})", write);
  EXPECT_EQ(submitted.status, 200) << submitted.body;
  // Someone of unit B cannot act on unit A's item.
  std::map<std::string, std::string> as_b{{"X-Remote-User", "xs-0025"}, {"If-Match", "\"2\""}};
  EXPECT_EQ(c.Send("POST", "/api/v1/items/T-A1/events/submit", "{}", as_b).status, 404);

  // A person of no loaded org, and a disabled account: 401, the same answer.
  HttpAnswer unknown = c.Send("GET", "/api/v1/items", "", {{"X-Remote-User", "nobody-9999"}});
  EXPECT_EQ(unknown.status, 401);
  ASSERT_TRUE(env.Run({"user", "disable", "xs-0012"}));
  HttpAnswer disabled = c.Send("GET", "/api/v1/items", "", {{"X-Remote-User", "xs-0012"}});
  EXPECT_EQ(disabled.status, 401);
  EXPECT_EQ(disabled.body, unknown.body);
  // A person without an account may act (the proxy vouches for them), as no administrator.
  HttpAnswer no_account = c.Send("GET", "/api/v1/items", "", {{"X-Remote-User", "xs-0013"}});
  EXPECT_NE(no_account.status, 401) << no_account.body;
}

TEST_P(ApiHeaderAuthTest, TheHeaderFromAnUntrustedAddressIsAnAttack) {
  ApiEnv env(GetParam());
  ASSERT_TRUE(env.Start({"--auth-header", "X-Remote-User", "--trusted-proxy", "10.9.9.9"}));
  HttpClient c = env.Client();
  HttpAnswer a = c.Send("GET", "/api/v1/items", "", {{"X-Remote-User", "xs-0003"}});
  EXPECT_EQ(a.status, 401);
  EXPECT_THAT(a.body, HasSubstr("only from the single-sign-on proxy"));
  // Refused even on a public route, and even with a good session beside it.
  HttpClient s = env.Client();
  env.SignIn(s, "xs-0014");
  EXPECT_EQ(s.Send("GET", "/api/v1/items", "", {{"X-Remote-User", "xs-0003"}}).status, 401);
  EXPECT_EQ(s.Send("GET", "/api/v1/items").status, 200);
  bool recorded = false;
  for (const auto& e : AccountEvents(env, "xs-0003")) {
    if (e.event == "auth_header_untrusted") {
      recorded = true;
      EXPECT_THAT(e.detail, HasSubstr("127.0.0.1"));
    }
  }
  EXPECT_TRUE(recorded);
}

TEST_P(ApiHeaderAuthTest, WithoutAuthHeaderTheHeaderMeansNothing) {
  ApiEnv env(GetParam());
  ASSERT_TRUE(env.Start());
  HttpClient c = env.Client();
  HttpAnswer a = c.Send("GET", "/api/v1/items", "", {{"X-Remote-User", "xs-0003"}});
  EXPECT_EQ(a.status, 401);
  EXPECT_THAT(a.body, HasSubstr("sign in first"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiHeaderAuthTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

// PostgreSQL restarted (or an administrator ending sessions) under a running server ends every
// connection the server holds. Each worker opens a fresh one at its next request, so the API
// answers again without restarting `rectify serve`; a request that met the dead connection
// answered 503 (retry shortly), never a wrong answer.
TEST(ApiReconnectTest, ConnectionsThatPostgresqlEndedAreOpenedAgainAtTheNextRequest) {
  ApiEnv env(Backend::kPostgresql);
  ASSERT_TRUE(env.Start());
  const std::map<std::string, std::string> bearer{
      {"Authorization", "Bearer " + env.Token("xs-0012")}};
  HttpClient c = env.Client();
  ASSERT_EQ(c.Send("GET", "/api/v1/items", {}, bearer).status, 200);
  ASSERT_EQ(c.Send("GET", "/api/v1/reports/summary", {}, bearer).status, 200);  // a heavy route

  auto admin = test::PgClusterUrl();
  ASSERT_TRUE(admin.ok()) << admin.error().message();
  const std::string& url = env.db().url();
  const std::string name = url.substr(url.rfind('/') + 1);
  test::CommandResult ended = test::RunCommand(
      {"psql", "-X", "-q", "-At", *admin, "-c",
       "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '" + name +
           "' AND pid <> pg_backend_pid()"});
  ASSERT_EQ(ended.exit_code, 0) << ended.err;
  // The workers', the heavy workers', the item index's and the live stream's connections at least.
  EXPECT_GE(std::atoi(ended.out.c_str()), 6) << ended.out;

  // Each connection fails at most once (503, nothing else), then the server answers again. The
  // lists and the summary are answered from memory after the catch-up (its reader's connection);
  // an item's page reads on a worker's connection, which meets its end at its next use.
  for (const char* path : {"/api/v1/items", "/api/v1/reports/summary", "/api/v1/items/T-A2"}) {
    int unavailable = 0;
    test::HttpAnswer a;
    for (int attempt = 0; attempt < 8; ++attempt) {
      a = c.Send("GET", path, {}, bearer);
      if (a.status != 503) break;
      ++unavailable;
    }
    EXPECT_EQ(a.status, 200) << path << " after " << unavailable << " answers 503: " << a.body
                             << "\n"
                             << env.server().output();
    EXPECT_LE(unavailable, 4) << path;
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(c.Send("GET", path, {}, bearer).status, 200) << path << " request " << i;
    }
  }
}

}  // namespace
}  // namespace rectify
