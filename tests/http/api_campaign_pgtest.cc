// GET /api/v1/campaigns, GET /api/v1/campaigns/{id}, POST /api/v1/campaigns/{id}/start through a
// live `rectify serve` on SQLite and PostgreSQL: the list and the detail as each kind of caller
// sees them (the units of their scope only), starting as an administrator (recorded with channel
// api and the request id, what `rectify campaign show` then shows), a second start (409), and
// starting as anyone else (403, nothing started).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "adapters/store/soci/soci_store.h"
#include "tests/http/api_table_support.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::Cli;
using test::HttpAnswer;
using ::testing::HasSubstr;

class ApiCampaignTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
  }
  HttpAnswer Send(const std::string& person, const std::string& method, const std::string& target,
                  const std::string& body = {}, std::map<std::string, std::string> headers = {}) {
    if (!tokens_.count(person)) tokens_[person] = env_->Token(person);
    headers["Authorization"] = "Bearer " + tokens_[person];
    return env_->Client().Send(method, target, body, headers);
  }
  std::set<std::string> Units(const json::value& detail) {
    std::set<std::string> out;
    for (const auto& u : detail.at("units").as_array()) out.emplace(u.at("unit").as_string());
    return out;
  }
  std::unique_ptr<ApiEnv> env_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(ApiCampaignTest, ListAndDetailShowTheCallersUnitsOnly) {
  HttpAnswer list = Send("xs-0014", "GET", "/api/v1/campaigns");
  ASSERT_EQ(list.status, 200) << list.body;
  json::value list_json = list.Json();
  const json::array& campaigns = list_json.at("campaigns").as_array();
  ASSERT_EQ(campaigns.size(), 1u) << list.body;  // Xinshao's; not the other counties'
  EXPECT_EQ(campaigns[0].at("id"), "xinshao-2017");
  EXPECT_EQ(campaigns[0].at("state"), "draft");
  EXPECT_EQ(campaigns[0].at("started"), false);
  EXPECT_EQ(campaigns[0].at("phase"), "summer_attack");  // 2017-04-21 falls in it

  HttpAnswer cadre = Send("xs-0014", "GET", "/api/v1/campaigns/xinshao-2017");
  ASSERT_EQ(cadre.status, 200) << cadre.body;
  EXPECT_EQ(Units(cadre.Json()), std::set<std::string>{"niangxi-team-1"});
  json::value cadre_json = cadre.Json();
  const json::array& phases = cadre_json.at("phases").as_array();
  ASSERT_EQ(phases.size(), 4u);
  EXPECT_EQ(phases[1].at("from"), "2017-04-01");
  EXPECT_EQ(phases[1].at("current"), true);

  HttpAnswer head = Send("xs-0012", "GET", "/api/v1/campaigns/xinshao-2017");
  ASSERT_EQ(head.status, 200) << head.body;
  std::set<std::string> township = Units(head.Json());
  EXPECT_TRUE(township.count("niangxi") && township.count("niangxi-team-1")) << head.body;
  EXPECT_FALSE(township.count("yantang"));
  // The township is due to hand in its materials at the submission checkpoint.
  bool materials = false;
  json::value head_json = head.Json();
  for (const auto& u : head_json.at("units").as_array()) {
    if (u.at("unit") != "niangxi") continue;
    for (const auto& k : u.at("checkpoints").as_array()) {
      if (k.at("checkpoint") == "materials") {
        materials = true;
        EXPECT_EQ(k.at("due"), "2017-05-15");
        EXPECT_EQ(k.at("kind"), "submission");
      }
    }
  }
  EXPECT_TRUE(materials) << head.body;

  HttpAnswer leader = Send("xs-0002", "GET", "/api/v1/campaigns/xinshao-2017");
  ASSERT_EQ(leader.status, 200);
  EXPECT_TRUE(Units(leader.Json()).count("yantang"));
  EXPECT_GT(Units(leader.Json()).size(), township.size());

  // Another county's campaign is answered as one that does not exist.
  HttpAnswer other = Send("xs-0012", "GET", "/api/v1/campaigns/jinkouhe-2017");
  HttpAnswer none = Send("xs-0012", "GET", "/api/v1/campaigns/no-such-campaign");
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(env_->Client().Send("GET", "/api/v1/campaigns").status, 401);
}

TEST_P(ApiCampaignTest, AnAdministratorStartsOnceAndTheRunCountsItsItems) {
  // Nobody else may start it, and a refusal starts nothing.
  for (const char* person : {"xs-0012", "xs-0002", "xs-0004"}) {
    HttpAnswer a = Send(person, "POST", "/api/v1/campaigns/xinshao-2017/start");
    EXPECT_EQ(a.status, 403) << person << ": " << a.body;
  }
  HttpAnswer read_only =
      env_->Client().Send("POST", "/api/v1/campaigns/xinshao-2017/start", "",
                          {{"Authorization", "Bearer " + env_->Token("xs-0003", "read")}});
  EXPECT_EQ(read_only.status, 403);
  EXPECT_EQ(Send("xs-0002", "GET", "/api/v1/campaigns").Json().at("campaigns").at(0).at("started"),
            false);

  HttpAnswer bad_body =
      Send("xs-0003", "POST", "/api/v1/campaigns/xinshao-2017/start", R"({"at":"2017-01-01"})");
  EXPECT_EQ(bad_body.status, 400) << bad_body.body;

  HttpAnswer started = Send("xs-0003", "POST", "/api/v1/campaigns/xinshao-2017/start", "",
                            {{"X-Request-Id", "start-xinshao-1"}});
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.Json().at("state"), "running");
  EXPECT_EQ(started.Json().at("started"), true);

  HttpAnswer again = Send("xs-0003", "POST", "/api/v1/campaigns/xinshao-2017/start");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_THAT(again.body, HasSubstr("was started before"));

  // What the CLI shows of it; the audit row names the administrator, the API and the request.
  json::value show =
      json::parse(Cli(*env_, {"campaign", "show", "xinshao-2017", "--format", "json"}).out);
  EXPECT_EQ(show.at("state"), "running");
  auto url = store_soci::ParseDatabaseUrl(env_->db().url());
  ASSERT_TRUE(url.ok());
  auto store = store_soci::OpenStore(*url, {});
  ASSERT_TRUE(store.ok()) << store.error().message();
  auto audit = (*store)->AuditOf("campaign:xinshao-2017");
  ASSERT_TRUE(audit.ok());
  ASSERT_FALSE(audit->empty());
  const AuditRecord& first = audit->front();
  EXPECT_EQ(first.event, "campaign_started");
  EXPECT_EQ(first.actor, "xs-0003");
  json::value data = json::parse(first.data_json);
  EXPECT_EQ(data.at("channel"), "api");
  EXPECT_EQ(data.at("request_id"), "start-xinshao-1");

  // Items registered into it count at their unit, with what is overdue.
  std::string ledger = env_->db().dir().File("campaign.csv");
  std::ofstream(ledger) << "id,title,unit,responsible,registered_at,time_limit\n"
                           "C-A1,长塘村饮水工程未完工,niangxi-team-1,xs-0014,2017-04-21,5wd\n"
                           "C-A2,酿溪镇档案不全,niangxi-team-1,xs-0014,2017-04-21,30wd\n";
  Cli(*env_, {"ledger", "import", ledger, "--as", "xs-0009", "--campaign", "xinshao-2017", "--at",
              "2017-04-21T09:00:00+08:00"});
  HttpAnswer detail = Send("xs-0014", "GET", "/api/v1/campaigns/xinshao-2017");
  ASSERT_EQ(detail.status, 200) << detail.body;
  json::value d = detail.Json();
  EXPECT_EQ(d.at("state"), "running");
  EXPECT_FALSE(d.at("pending").as_array().empty());
  const json::value& unit = d.at("units").at(0);
  EXPECT_EQ(unit.at("unit"), "niangxi-team-1");
  EXPECT_EQ(unit.at("items"), 2);
  EXPECT_EQ(unit.at("open"), 2);
  EXPECT_EQ(unit.at("overdue"), 0);  // the server's clock stands at 2017-04-21

  // The run opens the township's materials submission, due at its checkpoint, when the server
  // fires the run's first timers (at once: they fell due when it started).
  json::value materials;
  for (int tries = 0; tries < 100 && !materials.is_object(); ++tries) {
    if (tries) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    HttpAnswer township = Send("xs-0012", "GET", "/api/v1/campaigns/xinshao-2017");
    ASSERT_EQ(township.status, 200);
    json::value t = township.Json();
    for (const auto& u : t.at("units").as_array()) {
      if (u.at("unit") != "niangxi") continue;
      for (const auto& k : u.at("checkpoints").as_array()) {
        if (k.at("checkpoint") == "materials") materials = k.at("item");
      }
    }
  }
  ASSERT_TRUE(materials.is_object()) << "the materials submission was not opened";
  EXPECT_EQ(materials.at("id"), "xinshao-2017/materials/niangxi");
  EXPECT_EQ(materials.at("due"), "2017-05-15");
  EXPECT_EQ(materials.at("overdue"), false);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiCampaignTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
