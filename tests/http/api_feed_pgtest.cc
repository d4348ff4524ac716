// A person's calendar feed at a URL of its own, against a live `rectify serve` on SQLite and
// PostgreSQL: made by the person, fetched with no credential but the URL (as a calendar app
// does), parsed by Debian's python3-icalendar, listed without its secret, revoked at once, and
// gone when the account is disabled.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/http/api_env.h"
#include "tests/support/sink_process.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::HasSubstr;

class ApiFeedTest : public ::testing::TestWithParam<Backend> {
 public:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
  }

  // The feed at `url` as python3-icalendar reads it: the events' summaries.
  std::vector<std::string> Summaries(const HttpAnswer& a) {
    std::string file = env_->db().dir().File("feed.ics");
    std::ofstream(file, std::ios::binary) << a.body;
    auto parsed = test::RunCommand(
        {test::kSystemPython, std::string(RECTIFY_SOURCE_DIR) + "/tests/ics/ics_dump.py", file});
    EXPECT_EQ(parsed.exit_code, 0) << parsed.err;
    std::vector<std::string> out;
    if (parsed.exit_code != 0) return out;
    json::value v = json::parse(parsed.out);
    for (const auto& e : v.at("events").as_array()) out.emplace_back(e.at("summary").as_string());
    return out;
  }

  std::unique_ptr<ApiEnv> env_;
};

TEST_P(ApiFeedTest, APersonsFeedIsReadByItsUrlAloneAndStopsWhenRevoked) {
  HttpClient cadre = env_->Client();
  std::string csrf = env_->SignIn(cadre, "xs-0014");
  HttpAnswer made =
      cadre.Send("POST", "/api/v1/feeds", R"({"label":"phone"})", {{"X-CSRF-Token", csrf}});
  ASSERT_EQ(made.status, 201) << made.body;
  std::string url(made.Json().at("url").as_string());
  std::string id(made.Json().at("id").as_string());
  std::string token(made.Json().at("token").as_string());
  EXPECT_EQ(url, "/api/v1/feeds/" + token + ".ics");
  EXPECT_EQ(made.Json().at("label"), "phone");

  // A calendar app: no cookie, no header, only the URL.
  HttpClient app = env_->Client();
  HttpAnswer feed = app.Send("GET", url);
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_THAT(feed.Header("content-type"), HasSubstr("text/calendar"));
  std::vector<std::string> events = Summaries(feed);
  ASSERT_EQ(events.size(), 1u) << feed.body;
  EXPECT_THAT(events[0], HasSubstr("T-A1"));
  EXPECT_EQ(feed.body.find("T-B1"), std::string::npos);

  // The list shows the feed, never its token; another person can neither see nor revoke it.
  HttpAnswer list = cadre.Send("GET", "/api/v1/feeds");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.Json().at("feeds").at(0).at("id"), id.c_str());
  EXPECT_EQ(list.Json().at("feeds").at(0).at("active"), true);
  EXPECT_EQ(list.body.find(token), std::string::npos);
  HttpClient other = env_->Client();
  std::string other_csrf = env_->SignIn(other, "xs-0025");
  EXPECT_EQ(other.Send("GET", "/api/v1/feeds").Json().at("feeds").as_array().size(), 0u);
  EXPECT_EQ(other.Send("DELETE", "/api/v1/feeds/" + id, "", {{"X-CSRF-Token", other_csrf}}).status,
            404);
  EXPECT_EQ(app.Send("GET", url).status, 200);

  // A wrong token, or the token without .ics, is no feed; and a feed token is no bearer token.
  EXPECT_EQ(app.Send("GET", "/api/v1/feeds/" + token.substr(1) + "x.ics").status, 404);
  EXPECT_EQ(app.Send("GET", "/api/v1/feeds/" + token).status, 404);
  EXPECT_EQ(app.Send("GET", "/api/v1/items", "", {{"Authorization", "Bearer " + token}}).status,
            401);

  HttpAnswer revoked = cadre.Send("DELETE", "/api/v1/feeds/" + id, "", {{"X-CSRF-Token", csrf}});
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  HttpAnswer gone = app.Send("GET", url);
  EXPECT_EQ(gone.status, 404) << gone.body;
  EXPECT_EQ(cadre.Send("GET", "/api/v1/feeds").Json().at("feeds").at(0).at("active"), false);
}

TEST_P(ApiFeedTest, AFeedOfADisabledAccountIsGone) {
  HttpClient head = env_->Client();
  std::string csrf = env_->SignIn(head, "xs-0012");
  HttpAnswer made = head.Send("POST", "/api/v1/feeds", "", {{"X-CSRF-Token", csrf}});
  ASSERT_EQ(made.status, 201) << made.body;
  std::string url(made.Json().at("url").as_string());
  HttpClient app = env_->Client();
  HttpAnswer feed = app.Send("GET", url);
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_THAT(Summaries(feed), ::testing::ElementsAre(HasSubstr("T-A2")));

  ASSERT_TRUE(env_->Run({"user", "disable", "xs-0012"}));
  EXPECT_EQ(app.Send("GET", url).status, 404);

  // A read-only token may not make feeds; a label must be text.
  HttpClient sys = env_->Client();
  std::string token = env_->Token("xs-0014", "read");
  EXPECT_EQ(sys.Send("POST", "/api/v1/feeds", "", {{"Authorization", "Bearer " + token}}).status,
            403);
  std::string write = env_->Token("xs-0014", "write");
  HttpAnswer bad =
      sys.Send("POST", "/api/v1/feeds", R"({"label":3})", {{"Authorization", "Bearer " + write}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(bad.body, HasSubstr("label"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiFeedTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
