// Kept answers (adapters/http/api/response_cache.h): the item lists and the summary are served
// from memory with an ETag, and If-None-Match is answered 304, but never after a change the
// answer should show: a write by this server, a write by another process (through node_changes),
// or the clock passing a midnight that changes the working days left. Through a live
// `rectify serve` on SQLite and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <thread>

#include "tests/http/api_env.h"

namespace rectify {
namespace {

using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::Contains;
using ::testing::Not;

std::vector<std::string> Ids(const HttpAnswer& a) {
  std::vector<std::string> ids;
  boost::json::value v = a.Json();
  if (!v.is_object()) return ids;
  for (const auto& i : v.at("items").as_array()) ids.emplace_back(i.at("id").as_string());
  return ids;
}

// The row of `id` in a list's answer (null when absent).
boost::json::value Row(const HttpAnswer& a, const std::string& id) {
  boost::json::value v = a.Json();
  for (const auto& i : v.at("items").as_array()) {
    if (i.at("id").as_string() == id) return i;
  }
  return nullptr;
}

class ApiCacheTest : public ::testing::TestWithParam<Backend> {};

TEST_P(ApiCacheTest, AListIsNotModifiedUntilAWriteByThisServerOrAnotherProcessChangesIt) {
  ApiEnv env(GetParam());
  ASSERT_TRUE(env.Start());
  HttpClient leader = env.Client(), cadre = env.Client();
  env.SignIn(leader, "xs-0002");
  std::string csrf = env.SignIn(cadre, "xs-0014");
  const std::string list = "/api/v1/items?state=rectifying&limit=50";

  HttpAnswer first = leader.Send("GET", list);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_THAT(Ids(first), ::testing::ElementsAre("T-A1", "T-A2", "T-B1"));
  const std::string tag = first.Header("etag");
  ASSERT_FALSE(tag.empty());
  HttpAnswer again = leader.Send("GET", list);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.Header("etag"), tag);
  HttpAnswer unchanged = leader.Send("GET", list, {}, {{"If-None-Match", tag}});
  EXPECT_EQ(unchanged.status, 304);
  EXPECT_EQ(unchanged.body, "");
  EXPECT_EQ(unchanged.Header("etag"), tag);

  // A write through this server: the next request shows it.
  HttpAnswer item = cadre.Send("GET", "/api/v1/items/T-A1");
  HttpAnswer sent =
      cadre.Send("POST", "/api/v1/items/T-A1/events/submit", R"({"evidence":["照片.jpg"]})",
                 {{"X-CSRF-Token", csrf}, {"If-Match", item.Header("etag")}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  HttpAnswer after_api = leader.Send("GET", list, {}, {{"If-None-Match", tag}});
  ASSERT_EQ(after_api.status, 200) << after_api.body;
  EXPECT_THAT(Ids(after_api), ::testing::ElementsAre("T-A2", "T-B1"));
  const std::string tag2 = after_api.Header("etag");
  EXPECT_NE(tag2, tag);

  // A write by another process (the CLI on the same database): the next request shows it.
  ASSERT_TRUE(env.Run({"item", "act", "T-A2", "submit", "--as", "xs-0012", "--evidence-text",
                       "整改照片", "--at", "2017-04-21T10:00:00+08:00"}));
  HttpAnswer after_cli = leader.Send("GET", list, {}, {{"If-None-Match", tag2}});
  ASSERT_EQ(after_cli.status, 200) << after_cli.body;
  EXPECT_THAT(Ids(after_cli), ::testing::ElementsAre("T-B1"));
  EXPECT_NE(after_cli.Header("etag"), tag2);

  // Each caller sees only their own scope, cached or not.
  HttpAnswer other = cadre.Send("GET", list);
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_THAT(Ids(other), Not(Contains("T-B1")));
}

TEST_P(ApiCacheTest, ASummaryIsNotModifiedUntilAnotherProcessRegistersAnItem) {
  ApiEnv env(GetParam());
  ASSERT_TRUE(env.Start());
  HttpClient leader = env.Client();
  env.SignIn(leader, "xs-0002");
  const std::string summary = "/api/v1/reports/summary?as_of=2017-04-21T10:00:00%2B08:00";
  HttpAnswer first = leader.Send("GET", summary);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::int64_t items = first.Json().at("items").as_int64();
  const std::string tag = first.Header("etag");
  ASSERT_FALSE(tag.empty());
  EXPECT_EQ(leader.Send("GET", summary, {}, {{"If-None-Match", tag}}).status, 304);

  std::string ledger = env.db().dir().File("one.csv");
  std::ofstream(ledger) << "id,title,unit,responsible,registered_at,time_limit\n"
                           "T-C1,酿溪镇危房改造验收滞后,niangxi,xs-0012,2017-04-21,15wd\n";
  ASSERT_TRUE(env.Run(
      {"ledger", "import", ledger, "--as", "xs-0009", "--at", "2017-04-21T09:30:00+08:00"}));
  HttpAnswer after = leader.Send("GET", summary, {}, {{"If-None-Match", tag}});
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.Json().at("items").as_int64(), items + 1);
  EXPECT_NE(after.Header("etag"), tag);
}

// A kept answer is sent from memory without a worker (Route::kept), but only to a caller whose
// credential still works as of the request: a token revoked and an account disabled by another
// process stop getting the list they had just been given.
TEST_P(ApiCacheTest, AKeptListIsNotSentOnACredentialEndedElsewhere) {
  ApiEnv env(GetParam());
  ASSERT_TRUE(env.Start());
  const std::string list = "/api/v1/items?state=rectifying&limit=50";
  const std::string token = env.Token("xs-0002");
  HttpClient by_token = env.Client(), by_session = env.Client();
  env.SignIn(by_session, "xs-0014");
  const std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + token}};
  for (int i = 0; i < 3; ++i) {  // the second and third are the kept answer
    HttpAnswer a = by_token.Send("GET", list, {}, bearer);
    ASSERT_EQ(a.status, 200) << a.body;
    HttpAnswer b = by_session.Send("GET", list);
    ASSERT_EQ(b.status, 200) << b.body;
  }
  HttpAnswer other = env.Client().Send("GET", list);
  EXPECT_EQ(other.status, 401) << "no credential, no kept answer: " << other.body;

  ASSERT_TRUE(env.Run({"token", "revoke", token.substr(4, 12)}));
  HttpAnswer revoked = by_token.Send("GET", list, {}, bearer);
  EXPECT_EQ(revoked.status, 401) << revoked.body;
  ASSERT_TRUE(env.Run({"user", "disable", "xs-0014"}));
  HttpAnswer disabled = by_session.Send("GET", list);
  EXPECT_EQ(disabled.status, 401) << disabled.body;
  EXPECT_EQ(by_session.Send("GET", "/api/v1/reports/summary").status, 401);
}

// Nothing is written at the midnight between 2017-05-10 and 05-11, yet the working days left to
// T-A1's deadline (the end of 05-15) go from 3 to 2: a list kept before midnight is not served
// after it. The node's clock starts at 23:59:45, so midnight comes about 15 seconds after.
TEST_P(ApiCacheTest, AListKeptBeforeMidnightIsNotServedAfterIt) {
  ApiEnv env(GetParam());
  env.SetFrom("2017-05-10T23:59:45+08:00");
  ASSERT_TRUE(env.Start());
  HttpClient leader = env.Client();
  env.SignIn(leader, "xs-0002");
  const std::string list = "/api/v1/items?state=rectifying&limit=50";
  auto server_day = [&] {
    HttpAnswer s = leader.Send("GET", "/api/v1/reports/summary");
    EXPECT_EQ(s.status, 200) << s.body;
    return std::string(s.Json().at("as_of").as_string()).substr(0, 10);
  };

  HttpAnswer before = leader.Send("GET", list);
  ASSERT_EQ(before.status, 200) << before.body;
  ASSERT_EQ(server_day(), "2017-05-10") << "the server took too long to start for this test";
  EXPECT_EQ(Row(before, "T-A1").at("working_days_left").as_int64(), 3) << before.body;
  const std::string tag = before.Header("etag");
  EXPECT_EQ(leader.Send("GET", list, {}, {{"If-None-Match", tag}}).status, 304);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (server_day() == "2017-05-10" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_EQ(server_day(), "2017-05-11");
  HttpAnswer after = leader.Send("GET", list, {}, {{"If-None-Match", tag}});
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(Row(after, "T-A1").at("working_days_left").as_int64(), 2) << after.body;
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiCacheTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
