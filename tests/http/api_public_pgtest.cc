// The public reporter through a live `rectify serve` on SQLite and PostgreSQL: a member of the
// public reports a problem, gets a ticket and a secret, follows the report with them (and only
// their own report, in plain words, with no names), adds a photo; the cadres see and handle it
// as any other item; wrong secrets and floods are refused.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "tests/http/api_env.h"
#include "tests/http/multipart_body.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using test::MultipartBody;
using ::testing::HasSubstr;
using ::testing::Not;

class ApiPublicTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(
        GetParam(), std::vector<std::string>{"--public-unit", "xinshao-fpo", "--public-registrar",
                                             "xs-0009", "--public-report-limit", "8"});
    ASSERT_TRUE(env_->Start());
  }

  HttpAnswer Report(const std::string& body) {
    return env_->Client().Send("POST", "/api/v1/public/reports", body);
  }
  HttpAnswer Show(const std::string& ticket, const std::string& secret) {
    std::map<std::string, std::string> h;
    if (!secret.empty()) h["X-Ticket-Secret"] = secret;
    return env_->Client().Send("GET", "/api/v1/public/reports/" + ticket, "", h);
  }

  std::unique_ptr<ApiEnv> env_;
};

TEST_P(ApiPublicTest, AReporterFollowsTheirOwnReportAndTheCadresHandleIt) {
  HttpAnswer made = Report(
      R"({"text":"长塘村村部门前的危房还没有拆除，已有半年","contact":"139 0000 0000","language":"zh"})");
  ASSERT_EQ(made.status, 201) << made.body;
  json::value m = made.Json();
  std::string ticket(m.at("ticket").as_string());
  std::string secret(m.at("secret").as_string());
  EXPECT_TRUE(std::regex_match(ticket, std::regex("[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")))
      << ticket;
  EXPECT_GE(secret.size(), 40u);
  EXPECT_EQ(made.Header("location"), "/api/v1/public/reports/" + ticket);
  const std::string item = "PR-" + ticket.substr(0, 4) + ticket.substr(5);

  // The reporter sees their report, typed in lower case and without the dash too.
  HttpAnswer seen = Show(ticket, secret);
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(seen.Json().at("status"), "已收到，等待登记 (received)");
  EXPECT_EQ(seen.Json().at("closed"), false);
  EXPECT_TRUE(seen.Json().at("replies").as_array().empty());
  std::string lower = ticket.substr(0, 4) + ticket.substr(5);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(Show(lower, secret).status, 200);

  // A wrong secret, no secret, the secret in the URL, an unknown ticket: the same 404.
  HttpAnswer wrong = Show(ticket, secret + "x");
  HttpAnswer unknown = Show("2222-2222", secret);
  EXPECT_EQ(wrong.status, 404);
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(wrong.body, unknown.body);
  EXPECT_EQ(Show(ticket, "").body, unknown.body);
  EXPECT_EQ(
      env_->Client().Send("GET", "/api/v1/public/reports/" + ticket + "?secret=" + secret).status,
      404);

  // A photo, with the secret.
  MultipartBody photo;
  photo.File("危房.jpg", test::FakeJpeg("house"));
  HttpAnswer added =
      env_->Client().Send("POST", "/api/v1/public/reports/" + ticket + "/evidence", photo.Body(),
                          {{"Content-Type", photo.Type()}, {"X-Ticket-Secret", secret}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.Json().at("files").at(0).at("type"), "image/jpeg");
  EXPECT_EQ(env_->Client()
                .Send("POST", "/api/v1/public/reports/" + ticket + "/evidence", photo.Body(),
                      {{"Content-Type", photo.Type()}})
                .status,
            404);

  // To the cadres it is an item like any other: the registrar registers it, the inspector
  // confirms it with the reporter's photo, the registrar tells the reporter.
  HttpClient registrar = env_->Client();
  std::string csrf = env_->SignIn(registrar, "xs-0009");
  HttpAnswer detail = registrar.Send("GET", "/api/v1/items/" + item);
  ASSERT_EQ(detail.status, 200) << detail.body;
  json::value d = detail.Json();
  EXPECT_EQ(d.at("workflow"), "public-report");
  EXPECT_EQ(d.at("unit"), "xinshao-fpo");
  EXPECT_EQ(d.at("title"), "长塘村村部门前的危房还没有拆除，已有半年");
  EXPECT_EQ(d.at("fields").at("reporter_contact"), "139 0000 0000");
  ASSERT_EQ(d.at("files").as_array().size(), 1u);
  EXPECT_EQ(d.at("files").at(0).at("uploaded_by"), "public");
  std::string photo_hash(d.at("files").at(0).at("sha256").as_string());
  EXPECT_EQ(d.at("history").at(0).at("data").at("channel"), "public");
  auto act = [&](HttpClient& c, const std::string& csrf_token, const std::string& event,
                 const std::string& body) {
    HttpAnswer now = c.Send("GET", "/api/v1/items/" + item);
    return c.Send("POST", "/api/v1/items/" + item + "/events/" + event, body,
                  {{"X-CSRF-Token", csrf_token}, {"If-Match", now.Header("etag")}});
  };
  ASSERT_EQ(act(registrar, csrf, "register", "{}").status, 200);
  EXPECT_EQ(Show(ticket, secret).Json().at("status"), "正在核查 (being checked)");
  HttpClient inspector = env_->Client();
  std::string inspector_csrf = env_->SignIn(inspector, "xs-0004");
  HttpAnswer confirmed =
      act(inspector, inspector_csrf, "confirm",
          R"({"evidence":["sha256:)" + photo_hash + R"("],"fields":{"outcome":"problem"}})");
  ASSERT_EQ(confirmed.status, 200) << confirmed.body;
  ASSERT_EQ(act(registrar, csrf, "tell", "{}").status, 200);

  HttpAnswer closed = Show(ticket, secret);
  ASSERT_EQ(closed.status, 200);
  json::value c = closed.Json();
  EXPECT_EQ(c.at("status"), "已办结 (closed)");
  EXPECT_EQ(c.at("closed"), true);
  ASSERT_EQ(c.at("replies").as_array().size(), 1u);
  EXPECT_THAT(std::string(c.at("replies").at(0).at("text").as_string()), HasSubstr("属实"));
  // Nothing internal: no person ids or names, no units, no notes.
  for (const char* internal : {"xs-0", "韩兰娟", "xinshao", "registrar", "inspector", "sha256"}) {
    EXPECT_THAT(closed.body, Not(HasSubstr(internal)));
  }
  // A closed report takes no more photos.
  EXPECT_EQ(env_->Client()
                .Send("POST", "/api/v1/public/reports/" + ticket + "/evidence", photo.Body(),
                      {{"Content-Type", photo.Type()}, {"X-Ticket-Secret", secret}})
                .status,
            409);
}

TEST_P(ApiPublicTest, ADismissedReportSaysOnItsTicketWhenAndWhy) {
  HttpAnswer made = Report(R"({"text":"村道维修资金没有用到路上","language":"en"})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string ticket(made.Json().at("ticket").as_string());
  std::string secret(made.Json().at("secret").as_string());
  const std::string item = "PR-" + ticket.substr(0, 4) + ticket.substr(5);
  EXPECT_EQ(Show(ticket, secret).Json().at("dismissed"), nullptr);

  HttpClient registrar = env_->Client();
  std::string csrf = env_->SignIn(registrar, "xs-0009");
  HttpClient inspector = env_->Client();
  std::string inspector_csrf = env_->SignIn(inspector, "xs-0004");
  auto act = [&](HttpClient& c, const std::string& csrf_token, const std::string& event,
                 const std::string& body) {
    HttpAnswer now = c.Send("GET", "/api/v1/items/" + item);
    return c.Send("POST", "/api/v1/items/" + item + "/events/" + event, body,
                  {{"X-CSRF-Token", csrf_token}, {"If-Match", now.Header("etag")}});
  };
  ASSERT_EQ(act(registrar, csrf, "register", "{}").status, 200);
  // A report is not a round's finding: the findings route says how it is dismissed.
  HttpAnswer wrong_route =
      inspector.Send("POST", "/api/v1/findings/" + item + "/dismiss", R"({"reason":"x"})",
                     {{"X-CSRF-Token", inspector_csrf}, {"Idempotency-Key", "dismiss-1"}});
  EXPECT_EQ(wrong_route.status, 400) << wrong_route.body;
  EXPECT_THAT(wrong_route.body, HasSubstr("its own 'dismiss'"));
  EXPECT_EQ(Show(ticket, secret).Json().at("dismissed"), nullptr);

  HttpAnswer dismissed = act(inspector, inspector_csrf, "dismiss",
                             R"({"reason":"经核查，村道维修资金已于3月拨付并完工。",)"
                             R"("fields":{"outcome":"dismissed"}})");
  ASSERT_EQ(dismissed.status, 200) << dismissed.body;
  HttpAnswer seen = Show(ticket, secret);
  ASSERT_EQ(seen.status, 200) << seen.body;
  json::value v = seen.Json();
  ASSERT_TRUE(v.at("dismissed").is_object()) << seen.body;
  EXPECT_EQ(v.at("dismissed").at("reason"), "经核查，村道维修资金已于3月拨付并完工。");
  EXPECT_THAT(std::string(v.at("dismissed").at("at").as_string()), HasSubstr("+08:00"));
  EXPECT_EQ(v.at("rectification"), nullptr);
  for (const char* internal : {"xs-0", "xinshao", "inspector"}) {
    EXPECT_THAT(seen.body, Not(HasSubstr(internal)));
  }
}

TEST_P(ApiPublicTest, BadReportsAreRefusedAndFloodsSlowedDown) {
  for (const auto& [body, says] : std::vector<std::pair<std::string, std::string>>{
           {"{}", "$.text"},
           {R"({"text":"   "})", "$.text"},
           {R"({"text":"x","contact":"ask at the shop"})", "$.contact"},
           {R"({"text":"x","language":"fr"})", "$.language"},
           {R"({"text":"x","name":"me"})", "name"},
           {R"({"text":")" + std::string(2001, 'a') + R"("})", "at most 2000 bytes"},
       }) {
    HttpAnswer a = Report(body);
    EXPECT_EQ(a.status, 400) << body << ": " << a.body;
    EXPECT_THAT(a.body, HasSubstr(says)) << body;
  }
  // Refused bodies cost nothing; reports do: the limit is 8 per address here.
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(Report(R"({"text":"report )" + std::to_string(i) + "\"}").status, 201) << i;
  }
  HttpAnswer held = Report(R"({"text":"one too many"})");
  EXPECT_EQ(held.status, 429) << held.body;
  EXPECT_FALSE(held.Header("retry-after").empty());
  // And wrong secrets count with them.
  EXPECT_EQ(Show("2222-2222", "guess").status, 429);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiPublicTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
