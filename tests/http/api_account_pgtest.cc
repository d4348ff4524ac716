// A person's own account through the API (account_routes.cc), against a live `rectify serve` on
// SQLite and PostgreSQL: changing one's password (checked, held to the policy, ending every
// session but giving this browser a new one), one's API tokens (made and shown once, working as
// bearer tokens, listed without secrets, revoked by their owner only), the messages addressed to
// one, and the public form's honeypot (a bot's report is answered like a taken one and stored
// nowhere).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/http/api_env.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using test::kApiPassword;
using ::testing::HasSubstr;
using ::testing::Not;

class ApiAccountTest : public ::testing::TestWithParam<Backend> {
 public:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(
        GetParam(),
        std::vector<std::string>{"--public-unit", "xinshao-fpo", "--public-registrar", "xs-0009"});
    ASSERT_TRUE(env_->Start());
  }

  HttpAnswer Login(HttpClient& c, const std::string& person, const std::string& password) {
    return c.Send("POST", "/api/v1/session",
                  R"({"person":")" + person + R"(","password":")" + password + R"("})");
  }

  std::unique_ptr<ApiEnv> env_;
};

TEST_P(ApiAccountTest, ChangingThePasswordChecksItEndsOtherSessionsAndKeepsThisBrowserIn) {
  HttpClient browser = env_->Client();
  HttpClient phone = env_->Client();
  std::string csrf = env_->SignIn(browser, "xs-0014");
  std::string phone_csrf = env_->SignIn(phone, "xs-0014");
  auto change = [&](const std::string& body) {
    return browser.Send("POST", "/api/v1/session/password", body, {{"X-CSRF-Token", csrf}});
  };

  // A wrong current password, a new one against the policy, and a malformed body change nothing.
  HttpAnswer wrong =
      change(R"({"current_password":"not it at all","new_password":"一个更长的新密码-2018"})");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_THAT(wrong.body, HasSubstr("current_password"));
  HttpAnswer weak =
      change(R"({"current_password":")" + kApiPassword + R"(","new_password":"short"})");
  EXPECT_EQ(weak.status, 400) << weak.body;
  EXPECT_THAT(weak.body, HasSubstr("new_password"));
  HttpAnswer unknown = change(R"({"current_password":"x","new_password":"y","extra":1})");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_EQ(phone.Send("GET", "/api/v1/session").status, 200) << "nothing changed yet";

  // Without the CSRF token the change is refused.
  HttpAnswer no_csrf = browser.Send(
      "POST", "/api/v1/session/password",
      R"({"current_password":")" + kApiPassword + R"(","new_password":"一个更长的新密码-2018"})");
  EXPECT_EQ(no_csrf.status, 403) << no_csrf.body;

  HttpAnswer done = change(R"({"current_password":")" + kApiPassword +
                           R"(","new_password":"一个更长的新密码-2018"})");
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_THAT(done.Header("set-cookie"), HasSubstr("rectify_session="));
  std::string new_csrf(done.Json().at("csrf_token").as_string());
  EXPECT_NE(new_csrf, csrf);

  // The other device is out; this browser is in with its new session and CSRF token.
  EXPECT_EQ(phone.Send("GET", "/api/v1/session").status, 401);
  HttpAnswer me = browser.Send("GET", "/api/v1/session");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json().at("csrf_token").as_string(), new_csrf);
  HttpAnswer write =
      browser.Send("POST", "/api/v1/feeds", R"({"label":"after"})", {{"X-CSRF-Token", new_csrf}});
  EXPECT_EQ(write.status, 201) << write.body;

  HttpClient fresh = env_->Client();
  EXPECT_EQ(Login(fresh, "xs-0014", kApiPassword).status, 401);
  EXPECT_EQ(Login(fresh, "xs-0014", "一个更长的新密码-2018").status, 200);
  (void)phone_csrf;
}

TEST_P(ApiAccountTest, APasswordChangeNeedsASession) {
  std::string token = env_->Token("xs-0012", "write");
  HttpClient system = env_->Client();
  HttpAnswer a = system.Send(
      "POST", "/api/v1/session/password",
      R"({"current_password":")" + kApiPassword + R"(","new_password":"一个更长的新密码-2018"})",
      {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(a.status, 403) << a.body;
  HttpClient fresh = env_->Client();
  EXPECT_EQ(Login(fresh, "xs-0012", kApiPassword).status, 200) << "the password did not change";
}

TEST_P(ApiAccountTest, MyTokensAreShownOnceWorkAndAreRevokedByTheirOwnerOnly) {
  HttpClient cadre = env_->Client();
  std::string csrf = env_->SignIn(cadre, "xs-0014");
  std::map<std::string, std::string> h{{"X-CSRF-Token", csrf}};

  for (const char* bad :
       {R"({"label":""})", R"({"label":"x","scope":"admin"})", R"({"label":"x","expires_days":0})",
        R"({"label":"x","expires_days":731})", R"({"scope":"read"})"}) {
    HttpAnswer a = cadre.Send("POST", "/api/v1/tokens", bad, h);
    EXPECT_EQ(a.status, 400) << bad << ": " << a.body;
  }
  HttpAnswer made =
      cadre.Send("POST", "/api/v1/tokens",
                 R"({"label":"county platform","scope":"write","expires_days":30})", h);
  ASSERT_EQ(made.status, 201) << made.body;
  std::string token(made.Json().at("token").as_string());
  std::string id(made.Json().at("id").as_string());
  EXPECT_EQ(made.Json().at("scope").as_string(), "write");
  EXPECT_EQ(made.Json().at("active").as_bool(), true);

  // The token acts as the person.
  HttpClient system = env_->Client();
  std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + token}};
  HttpAnswer who = system.Send("GET", "/api/v1/session", "", bearer);
  ASSERT_EQ(who.status, 200) << who.body;
  EXPECT_EQ(who.Json().at("person").as_string(), "xs-0014");
  EXPECT_EQ(who.Json().at("via").as_string(), "token");
  // ... but may not make more tokens.
  EXPECT_EQ(system.Send("POST", "/api/v1/tokens", R"({"label":"more"})", bearer).status, 403);

  // Listed without its secret.
  HttpAnswer list = cadre.Send("GET", "/api/v1/tokens");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_THAT(list.body, Not(HasSubstr(token)));
  json::value tokens = list.Json().at("tokens");
  ASSERT_EQ(tokens.as_array().size(), 1u);
  EXPECT_EQ(tokens.as_array()[0].at("label").as_string(), "county platform");

  // Another person cannot see or revoke it.
  HttpClient other = env_->Client();
  std::string other_csrf = env_->SignIn(other, "xs-0025");
  EXPECT_TRUE(other.Send("GET", "/api/v1/tokens").Json().at("tokens").as_array().empty());
  HttpAnswer theirs =
      other.Send("DELETE", "/api/v1/tokens/" + id, "", {{"X-CSRF-Token", other_csrf}});
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  EXPECT_EQ(system.Send("GET", "/api/v1/session", "", bearer).status, 200);

  HttpAnswer revoked = cadre.Send("DELETE", "/api/v1/tokens/" + id, "", h);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(system.Send("GET", "/api/v1/session", "", bearer).status, 401);
  json::value after = cadre.Send("GET", "/api/v1/tokens").Json().at("tokens");
  EXPECT_EQ(after.as_array()[0].at("active").as_bool(), false);
  EXPECT_TRUE(after.as_array()[0].at("revoked_at").is_string());
}

TEST_P(ApiAccountTest, MyNotificationsAreTheMessagesToMeOrMyUnitOnly) {
  HttpClient cadre = env_->Client();
  env_->SignIn(cadre, "xs-0014");
  HttpAnswer a = cadre.Send("GET", "/api/v1/me/notifications");
  ASSERT_EQ(a.status, 200) << a.body;
  json::value v = a.Json();
  for (const auto& n : v.at("notifications").as_array()) {
    EXPECT_TRUE(n.at("to") == "person" || n.at("to") == "unit") << n;
    if (!n.at("item").is_null()) {
      EXPECT_EQ(n.at("item").as_string(), "T-A1") << "xs-0014 is in niangxi-team-1 only: " << n;
    }
  }
  EXPECT_EQ(cadre.Send("GET", "/api/v1/me/notifications?limit=0").status, 400);
  EXPECT_EQ(cadre.Send("GET", "/api/v1/me/notifications?state=x").status, 400);
}

TEST_P(ApiAccountTest, APublicReportWithTheHoneypotFilledIsAnsweredLikeOneAndStoresNothing) {
  HttpClient bot = env_->Client();
  HttpAnswer a = bot.Send("POST", "/api/v1/public/reports",
                          R"({"text":"点击领取奖品","website":"http://spam.example"})");
  ASSERT_EQ(a.status, 201) << a.body;
  std::string ticket(a.Json().at("ticket").as_string());
  std::string secret(a.Json().at("secret").as_string());
  EXPECT_EQ(ticket.size(), 9u);
  EXPECT_EQ(ticket[4], '-');
  EXPECT_FALSE(secret.empty());
  // Nothing to follow, and no item at the intake unit.
  HttpAnswer follow =
      bot.Send("GET", "/api/v1/public/reports/" + ticket, "", {{"X-Ticket-Secret", secret}});
  EXPECT_EQ(follow.status, 404) << follow.body;
  HttpClient admin = env_->Client();
  env_->SignIn(admin, "xs-0003");
  HttpAnswer items = admin.Send("GET", "/api/v1/items?unit=xinshao-fpo");
  ASSERT_EQ(items.status, 200) << items.body;
  EXPECT_TRUE(items.Json().at("items").as_array().empty()) << items.body;

  // A person's report (the honeypot empty, as the page sends it) is taken.
  HttpAnswer person =
      bot.Send("POST", "/api/v1/public/reports", R"({"text":"村道路灯坏了三个月","website":""})");
  ASSERT_EQ(person.status, 201) << person.body;
  EXPECT_EQ(
      admin.Send("GET", "/api/v1/items?unit=xinshao-fpo").Json().at("items").as_array().size(), 1u);
}

TEST_P(ApiAccountTest, APublicReportFromAUnitsQrCodeNamesTheUnit) {
  HttpClient villager = env_->Client();
  HttpAnswer unit = villager.Send("GET", "/api/v1/public/units/niangxi-team-1");
  ASSERT_EQ(unit.status, 200) << unit.body;
  std::string name(unit.Json().at("name").as_string());
  EXPECT_FALSE(name.empty());
  EXPECT_EQ(villager.Send("GET", "/api/v1/public/units/no-such-unit").status, 404);

  HttpAnswer wrong = villager.Send("POST", "/api/v1/public/reports",
                                   R"({"text":"路灯坏了","unit":"no-such-unit"})");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_THAT(wrong.body, HasSubstr("$.unit"));
  HttpAnswer made = villager.Send("POST", "/api/v1/public/reports",
                                  R"({"text":"路灯坏了","unit":"niangxi-team-1"})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string ticket(made.Json().at("ticket").as_string());
  std::string item = "PR-" + ticket.substr(0, 4) + ticket.substr(5);
  HttpClient admin = env_->Client();
  env_->SignIn(admin, "xs-0003");
  HttpAnswer got = admin.Send("GET", "/api/v1/items/" + item);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Json().at("title").as_string(), "【" + name + "】路灯坏了");
  EXPECT_EQ(got.Json().at("unit").as_string(), "xinshao-fpo") << "it still goes to the intake unit";
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiAccountTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
