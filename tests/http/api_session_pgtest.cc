// Signing in, what ends a session, safe writes and bad input, through a live `rectify serve` on
// SQLite and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/http/api_env.h"

namespace rectify {
namespace {

using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::HasSubstr;
using ::testing::Not;

class ApiSessionTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
  }
  HttpAnswer Login(HttpClient& c, const std::string& person, const std::string& password) {
    return c.Send("POST", "/api/v1/session",
                  R"({"person":")" + person + R"(","password":")" + password + R"("})");
  }
  std::unique_ptr<ApiEnv> env_;
};

TEST_P(ApiSessionTest, TheCookieIsHttpOnlyStrictAndEveryAnswerCarriesTheSecurityHeaders) {
  HttpClient c = env_->Client();
  HttpAnswer a = Login(c, "xs-0014", test::kApiPassword);
  ASSERT_EQ(a.status, 200) << a.body;
  std::string cookie = a.Header("set-cookie");
  EXPECT_THAT(cookie, HasSubstr("rectify_session="));
  EXPECT_THAT(cookie, HasSubstr("HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("SameSite=Strict"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // plain HTTP on loopback
  EXPECT_EQ(a.Json().at("name"), "唐强华");
  EXPECT_EQ(a.Json().at("unit"), "niangxi-team-1");
  for (const HttpAnswer& r : {a, c.Send("GET", "/api/v1/items"), c.Send("GET", "/api/v1/nope")}) {
    std::string csp = r.Header("content-security-policy");
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'"));
    EXPECT_THAT(csp, Not(HasSubstr("unsafe-inline")));
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
  }
  HttpAnswer with_id = c.Send("GET", "/api/v1/session", "", {{"X-Request-Id", "req-42"}});
  EXPECT_EQ(with_id.Header("x-request-id"), "req-42");
}

TEST_P(ApiSessionTest, RepeatedFailuresSlowDownAndNeverSayWhetherTheAccountExists) {
  HttpClient c = env_->Client();
  HttpAnswer unknown = Login(c, "xs-9999", "whatever-it-is");
  HttpAnswer wrong = Login(c, "xs-0012", "whatever-it-is");
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.body, wrong.body);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(Login(c, "xs-0012", "still-not-it-" + std::to_string(i)).status, 401);
  // Past the free failures each one makes the next attempt wait, twice as long each time (1 s,
  // 2 s, 4 s ...). On a busy machine one attempt (an Argon2id check) may outlast the first wait,
  // so fail until an attempt is held: then even the right password must wait.
  bool holding = false;
  for (int i = 0; i < 8 && !holding; ++i) {
    HttpAnswer a = Login(c, "xs-0012", "and-again-wrong-" + std::to_string(i));
    holding = a.status == 429;
    if (!holding) {
      EXPECT_EQ(a.status, 401) << a.body;
    }
  }
  ASSERT_TRUE(holding) << "eight failures past the free ones and no attempt was held";
  HttpAnswer held = Login(c, "xs-0012", test::kApiPassword);
  EXPECT_EQ(held.status, 429) << held.body;
  EXPECT_FALSE(held.Header("retry-after").empty());
  // Another account from the same address is not held (the address has not failed 20 times).
  EXPECT_EQ(Login(c, "xs-0014", test::kApiPassword).status, 200);
}

TEST_P(ApiSessionTest, APasswordChangeOrDisablingEndsSessionsAtOnce) {
  HttpClient a = env_->Client(), b = env_->Client();
  env_->SignIn(a, "xs-0012");
  env_->SignIn(b, "xs-0014");
  ASSERT_EQ(a.Send("GET", "/api/v1/items").status, 200);
  ASSERT_TRUE(
      env_->Run({"user", "passwd", "xs-0012", "--password-stdin"}, "另一个足够长的新密码\n"));
  EXPECT_EQ(a.Send("GET", "/api/v1/items").status, 401);
  EXPECT_EQ(Login(a, "xs-0012", test::kApiPassword).status, 401);
  EXPECT_EQ(Login(a, "xs-0012", "另一个足够长的新密码").status, 200);

  std::string token = env_->Token("xs-0014");
  HttpClient t = env_->Client();
  ASSERT_EQ(t.Send("GET", "/api/v1/items", "", {{"Authorization", "Bearer " + token}}).status, 200);
  ASSERT_TRUE(env_->Run({"user", "disable", "xs-0014"}));
  EXPECT_EQ(b.Send("GET", "/api/v1/items").status, 401);
  EXPECT_EQ(t.Send("GET", "/api/v1/items", "", {{"Authorization", "Bearer " + token}}).status, 401);
  ASSERT_TRUE(env_->Run({"user", "enable", "xs-0014"}));
  EXPECT_EQ(t.Send("GET", "/api/v1/items", "", {{"Authorization", "Bearer " + token}}).status, 200);
  EXPECT_EQ(b.Send("GET", "/api/v1/items").status, 401);  // that session stays ended
}

// The server keeps the credentials it has checked in memory (account_cache.h): one already used
// must still stop working at once when it ends, whoever ends it.
TEST_P(ApiSessionTest, ACredentialInUseStopsWorkingAtOnceWhereverItIsEnded) {
  std::string by_cli = env_->Token("xs-0014");
  std::string by_api = env_->Token("xs-0014");
  HttpClient t = env_->Client();
  auto with = [&](const std::string& token) {
    return t.Send("GET", "/api/v1/items", "", {{"Authorization", "Bearer " + token}}).status;
  };
  ASSERT_EQ(with(by_cli), 200);
  ASSERT_EQ(with(by_api), 200);
  ASSERT_TRUE(env_->Run({"token", "revoke", by_cli.substr(4, 12)}));  // another process
  EXPECT_EQ(with(by_cli), 401);
  EXPECT_EQ(with(by_api), 200);

  HttpClient owner = env_->Client();
  std::string csrf = env_->SignIn(owner, "xs-0014");
  HttpAnswer revoked =
      owner.Send("DELETE", "/api/v1/tokens/" + by_api.substr(4, 12), "", {{"X-CSRF-Token", csrf}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(with(by_api), 401);

  // A session used, then signed out by its owner: the kept cookie no longer works.
  ASSERT_EQ(owner.Send("GET", "/api/v1/items").status, 200);
  auto cookies = owner.cookies;
  ASSERT_EQ(owner.Send("DELETE", "/api/v1/session", "", {{"X-CSRF-Token", csrf}}).status, 200);
  owner.cookies = cookies;
  EXPECT_EQ(owner.Send("GET", "/api/v1/items").status, 401);
}

TEST_P(ApiSessionTest, AWriteNeedsIfMatchAndARetryWithTheSameKeyChangesNothingTwice) {
  HttpClient c = env_->Client();
  std::string csrf = env_->SignIn(c, "xs-0014");
  std::map<std::string, std::string> h{{"X-CSRF-Token", csrf}};
  const std::string body = R"({"evidence":["整改照片.jpg"]})";
  HttpAnswer no_match = c.Send("POST", "/api/v1/items/T-A1/events/submit", body, h);
  EXPECT_EQ(no_match.status, 428);
  EXPECT_EQ(no_match.ErrorCode(), "precondition_required");

  h["If-Match"] = "\"1\"";
  h["Idempotency-Key"] = "4f1c2a9e-submit-T-A1";
  HttpAnswer first = c.Send("POST", "/api/v1/items/T-A1/events/submit", body, h);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(first.Header("etag"), "\"2\"");
  HttpAnswer retry = c.Send("POST", "/api/v1/items/T-A1/events/submit", body, h);
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
  HttpAnswer item = c.Send("GET", "/api/v1/items/T-A1");
  EXPECT_EQ(item.Header("etag"), "\"2\"");
  int submits = 0;
  boost::json::value item_history_json = item.Json();
  for (const auto& e : item_history_json.at("history").as_array()) {
    if (e.at("event") != "submit") continue;
    ++submits;
    // Who, through which door, in which request: the audit row says so.
    EXPECT_EQ(e.at("actor"), "xs-0014");
    EXPECT_EQ(e.at("data").at("channel"), "api");
    EXPECT_EQ(e.at("data").at("request_id"), first.Header("x-request-id").c_str());
  }
  EXPECT_EQ(submits, 1);

  // The same key for another request is refused; a stale If-Match without a key is 412.
  HttpAnswer reused =
      c.Send("POST", "/api/v1/items/T-A1/events/submit", R"({"evidence":["另一张.jpg"]})", h);
  EXPECT_EQ(reused.status, 400);
  EXPECT_THAT(reused.body, HasSubstr("was used for a different request"));
  h.erase("Idempotency-Key");
  HttpAnswer stale = c.Send("POST", "/api/v1/items/T-A1/events/submit", body, h);
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(stale.Header("etag"), "\"2\"");
}

TEST_P(ApiSessionTest, BadInputGetsAClearErrorAndChangesNothing) {
  HttpClient c = env_->Client();
  std::string csrf = env_->SignIn(c, "xs-0014");
  std::map<std::string, std::string> h{{"X-CSRF-Token", csrf}, {"If-Match", "\"1\""}};
  struct Case {
    std::string body;
    std::string says;
  };
  for (const Case& k : std::vector<Case>{
           {"{not json", "not valid JSON"},
           {"[1,2]", "must be a JSON object"},
           {R"({"evidenc":["x"]})", "$.evidenc: unknown field"},
           {R"({"evidence":"x"})", "$.evidence: must be an array of strings"},
           {R"({"reason":7})", "$.reason: must be a string"},
           {std::string("{\"reason\":\"\xff\xfe\"}"), "not valid JSON"},
       }) {
    HttpAnswer a = c.Send("POST", "/api/v1/items/T-A1/events/submit", k.body, h);
    EXPECT_EQ(a.status, 400) << k.body;
    EXPECT_THAT(a.body, HasSubstr(k.says)) << k.body;
    EXPECT_THAT(a.body, Not(HasSubstr("SELECT")));
  }
  HttpAnswer missing = c.Send("POST", "/api/v1/session", R"({"person":"xs-0014"})");
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(missing.body, HasSubstr("$.password: required"));
  EXPECT_EQ(c.Send("GET", "/api/v1/items/T-A1").Header("etag"), "\"1\"");  // nothing changed

  HttpAnswer bad_param = c.Send("GET", "/api/v1/items?colour=red");
  EXPECT_EQ(bad_param.status, 400);
  EXPECT_THAT(bad_param.body, HasSubstr("colour: unknown parameter"));
  HttpAnswer bad_date = c.Send("GET", "/api/v1/items?due_before=2017-02-30");
  EXPECT_EQ(bad_date.status, 400);
  EXPECT_THAT(bad_date.body, HasSubstr("due_before"));
  HttpAnswer bad_limit = c.Send("GET", "/api/v1/items?limit=0");
  EXPECT_EQ(bad_limit.status, 400);
}

TEST_P(ApiSessionTest, ListsPageWithACursorBoundToTheirQuery) {
  HttpClient c = env_->Client();
  env_->SignIn(c, "xs-0002");  // the county leader reads all three
  std::vector<std::string> seen;
  std::string target = "/api/v1/items?limit=2";
  HttpAnswer page = c.Send("GET", target);
  ASSERT_EQ(page.status, 200) << page.body;
  boost::json::value page_items_json = page.Json();
  for (const auto& i : page_items_json.at("items").as_array())
    seen.emplace_back(i.at("id").as_string());
  ASSERT_TRUE(page.Json().at("next_cursor").is_string());
  std::string cursor(page.Json().at("next_cursor").as_string());
  HttpAnswer next = c.Send("GET", target + "&cursor=" + cursor);
  ASSERT_EQ(next.status, 200) << next.body;
  boost::json::value next_items_json = next.Json();
  for (const auto& i : next_items_json.at("items").as_array())
    seen.emplace_back(i.at("id").as_string());
  EXPECT_EQ(seen, (std::vector<std::string>{"T-A1", "T-A2", "T-B1"}));
  EXPECT_TRUE(next.Json().at("next_cursor").is_null());

  HttpAnswer other = c.Send("GET", "/api/v1/items?unit=niangxi&cursor=" + cursor);
  EXPECT_EQ(other.status, 400);
  EXPECT_THAT(other.body, HasSubstr("cursor"));
  HttpAnswer junk = c.Send("GET", "/api/v1/items?cursor=%%%");
  EXPECT_EQ(junk.status, 400);

  HttpAnswer subtree = c.Send("GET", "/api/v1/items?unit=niangxi");
  ASSERT_EQ(subtree.status, 200);
  EXPECT_EQ(subtree.Json().at("items").as_array().size(), 2u);
  HttpAnswer overdue = c.Send("GET", "/api/v1/items?overdue=true");
  EXPECT_EQ(overdue.Json().at("items").as_array().size(), 0u);  // registered an hour ago
  HttpAnswer first = c.Send("GET", "/api/v1/items/T-A1");
  // 15 working days from 2017-04-21: May Day (04-29..05-01) is a holiday, so 2017-05-15.
  EXPECT_EQ(first.Json().at("due"), "2017-05-15");
  EXPECT_EQ(first.Json().at("working_days_left"), 15);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiSessionTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
