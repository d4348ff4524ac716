// Item lists (GET /api/v1/items, answered from the node's item index, item_index.h): what a list
// answers is what MayRead and the filters allow, page after page, for a township, the county, for
// items that name a person outside their units, for rows written before the projection existed,
// and for writes committed before a request by this server or another process (out of order on
// PostgreSQL). Through a live `rectify serve` on SQLite and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "adapters/store/soci/database.h"
#include "adapters/store/soci/database_url.h"
#include "tests/http/api_env.h"

namespace rectify {
namespace {

using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

class ApiListTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
    // 24 more items in four units of two townships, half of them registered long enough ago to
    // be overdue (by a working day or two) when the server's clock stands (2017-04-21 10:00), none
    // long enough for an escalation to open a task of its own; one of 严塘镇 names the
    // cadre of 酿溪镇第1驻村工作队 (xs-0014) as its verifier.
    std::string ledger = env_->db().dir().File("more.csv");
    std::ofstream out(ledger);
    out << "id,title,unit,responsible,registered_at,time_limit,verifier\n";
    const char* units[] = {"niangxi-team-2", "niangxi-team-3", "yantang-team-1", "yantang"};
    const char* people[] = {"xs-0015", "xs-0016", "xs-0025", "xs-0024"};
    for (int i = 0; i < 24; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "L-%02d", i);
      bool old = i % 2 == 0;
      out << id << ",列表测试" << i << "," << units[i % 4] << "," << people[i % 4] << ","
          << (old ? "2017-04-12" : "2017-04-20") << ",5wd," << (i == 2 ? "xs-0014" : "") << "\n";
      all_.insert(id);
      if (old) overdue_.insert(id);
      if (i % 4 < 2) niangxi_.insert(id);
    }
    out.close();
    ASSERT_TRUE(env_->Run(
        {"ledger", "import", ledger, "--as", "xs-0009", "--at", "2017-04-21T09:30:00+08:00"}));
    for (const char* id : {"T-A1", "T-A2", "T-B1"}) all_.insert(id);
    niangxi_.insert("T-A1");
    niangxi_.insert("T-A2");
  }

  // Every id a caller's list gives, page after page of `limit`, in the order given.
  std::vector<std::string> AllPages(const std::string& person, const std::string& query,
                                    int limit) {
    HttpClient c = env_->Client();
    env_->SignIn(c, person);
    std::vector<std::string> ids;
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
      std::string target = "/api/v1/items?limit=" + std::to_string(limit) + query +
                           (cursor.empty() ? "" : "&cursor=" + cursor);
      HttpAnswer a = c.Send("GET", target);
      EXPECT_EQ(a.status, 200) << target << ": " << a.body;
      if (a.status != 200) break;
      boost::json::value v = a.Json();
      for (const auto& item : v.at("items").as_array()) {
        ids.emplace_back(item.at("id").as_string());
      }
      if (v.at("next_cursor").is_null()) break;
      cursor = std::string(v.at("next_cursor").as_string());
    }
    return ids;
  }

  static std::vector<std::string> Sorted(const std::set<std::string>& s) {
    return {s.begin(), s.end()};
  }
  static std::set<std::string> Both(const std::set<std::string>& a,
                                    const std::set<std::string>& b) {
    std::set<std::string> out;
    for (const auto& x : a) {
      if (b.count(x)) out.insert(x);
    }
    return out;
  }

  // Marks every row as written before the projection existed, as an old database's rows are.
  void ForgetProjection() {
    auto url = store_soci::ParseDatabaseUrl(env_->db().url());
    ASSERT_TRUE(url.ok());
    auto db = store_soci::Database::Open(*url, {});
    ASSERT_TRUE(db.ok()) << db.error().message();
    (*db)->session() << "UPDATE instances SET projected = 0, due_at = NULL, escalation_level = 0";
    (*db)->session() << "DELETE FROM instance_people";
  }
  long long Unprojected() {
    auto url = store_soci::ParseDatabaseUrl(env_->db().url());
    auto db = store_soci::Database::Open(*url, {});
    long long n = -1;
    (*db)->session() << "SELECT COUNT(*) FROM instances WHERE projected = 0", soci::into(n);
    return n;
  }

  std::unique_ptr<ApiEnv> env_;
  std::set<std::string> all_, overdue_, niangxi_;
};

TEST_P(ApiListTest, EveryPageOfATownshipAndOfTheCountyHoldsWhatTheyMayReadOnce) {
  // The township head of 酿溪镇 reads its ten units one by one; the county leader scans.
  EXPECT_THAT(AllPages("xs-0012", "", 3), ElementsAreArray(Sorted(niangxi_)));
  EXPECT_THAT(AllPages("xs-0012", "&overdue=true", 2),
              ElementsAreArray(Sorted(Both(niangxi_, overdue_))));
  EXPECT_THAT(AllPages("xs-0002", "", 5), ElementsAreArray(Sorted(all_)));
  EXPECT_THAT(AllPages("xs-0002", "&overdue=true", 4), ElementsAreArray(Sorted(overdue_)));
  std::set<std::string> not_overdue;
  for (const auto& id : all_) {
    if (!overdue_.count(id)) not_overdue.insert(id);
  }
  EXPECT_THAT(AllPages("xs-0002", "&overdue=false", 7), ElementsAreArray(Sorted(not_overdue)));
  // A unit asked for narrows the county leader's scan and the township head's units alike.
  std::set<std::string> team2 = {"L-00", "L-04", "L-08", "L-12", "L-16", "L-20"};
  EXPECT_THAT(AllPages("xs-0002", "&unit=niangxi-team-2", 4), ElementsAreArray(Sorted(team2)));
  EXPECT_THAT(AllPages("xs-0012", "&unit=niangxi-team-2", 4), ElementsAreArray(Sorted(team2)));
  EXPECT_THAT(AllPages("xs-0012", "&unit=yantang", 4), ::testing::IsEmpty());
}

TEST_P(ApiListTest, AnItemNamingAPersonOutsideTheirUnitsIsInTheirList) {
  // xs-0014 is the cadre of 酿溪镇第1驻村工作队 (T-A1) and the verifier of L-02 of
  // 严塘镇第1驻村工作队.
  EXPECT_THAT(AllPages("xs-0014", "", 1), ElementsAreArray({"L-02", "T-A1"}));
  EXPECT_THAT(AllPages("xs-0014", "&overdue=true", 1), ElementsAreArray({"L-02"}));
  HttpClient c = env_->Client();
  env_->SignIn(c, "xs-0014");
  EXPECT_EQ(c.Send("GET", "/api/v1/items/L-02").status, 200);
  EXPECT_EQ(c.Send("GET", "/api/v1/items/L-06").status, 404);
}

TEST_P(ApiListTest, RowsFromBeforeTheProjectionAreListedUntilMigrateProjectsThem) {
  ForgetProjection();
  EXPECT_THAT(AllPages("xs-0012", "&overdue=true", 2),
              ElementsAreArray(Sorted(Both(niangxi_, overdue_))));
  EXPECT_THAT(AllPages("xs-0014", "", 2), ElementsAreArray({"L-02", "T-A1"}));
  EXPECT_THAT(AllPages("xs-0002", "&overdue=true", 3), ElementsAreArray(Sorted(overdue_)));

  test::CommandResult r = test::RunRectify({"--db", env_->db().url(), "migrate"}, ApiEnv::Env(),
                                           env_->db().dir().path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The server fires the overdue items' escalations meanwhile, which projects them too.
  EXPECT_THAT(r.out, HasSubstr(" items for lists"));
  EXPECT_EQ(Unprojected(), 0);
  EXPECT_THAT(AllPages("xs-0012", "&overdue=true", 2),
              ElementsAreArray(Sorted(Both(niangxi_, overdue_))));
  EXPECT_THAT(AllPages("xs-0014", "", 2), ElementsAreArray({"L-02", "T-A1"}));
  // A second run has nothing left to project.
  r = test::RunRectify({"--db", env_->db().url(), "migrate"}, ApiEnv::Env(),
                       env_->db().dir().path().string());
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("projected")));
}

// Lists are answered from the node's item index (adapters/http/api/item_index.h), brought up to
// date before each request: a write committed before a request is in its answer, whether this
// server made it or another process did.
TEST_P(ApiListTest, AWriteCommittedBeforeARequestIsInItsAnswerWhoeverMadeIt) {
  EXPECT_THAT(AllPages("xs-0002", "&state=verifying", 5), ::testing::IsEmpty());
  HttpClient cadre = env_->Client();
  std::string csrf = env_->SignIn(cadre, "xs-0014");
  HttpAnswer now = cadre.Send("GET", "/api/v1/items/T-A1");
  HttpAnswer sent =
      cadre.Send("POST", "/api/v1/items/T-A1/events/submit", R"({"evidence":["照片.jpg"]})",
                 {{"X-CSRF-Token", csrf}, {"If-Match", now.Header("etag")}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_THAT(AllPages("xs-0002", "&state=verifying", 5), ElementsAreArray({"T-A1"}));

  // Another process: the CLI, on the same database.
  ASSERT_TRUE(env_->Run({"item", "act", "L-00", "submit", "--as", "xs-0015", "--evidence-text",
                         "整改照片", "--at", "2017-04-21T10:00:00+08:00"}));
  EXPECT_THAT(AllPages("xs-0002", "&state=verifying", 5), ElementsAreArray({"L-00", "T-A1"}));
  EXPECT_THAT(AllPages("xs-0012", "&state=verifying", 1), ElementsAreArray({"L-00", "T-A1"}));
  // Its new version is what the list says.
  HttpClient leader = env_->Client();
  env_->SignIn(leader, "xs-0002");
  boost::json::value page = leader.Send("GET", "/api/v1/items?state=verifying&limit=5").Json();
  boost::json::value item = leader.Send("GET", "/api/v1/items/L-00").Json();
  EXPECT_EQ(page.at("items").at(0).at("version"), item.at("version"));
}

// PostgreSQL commits out of order: a node_changes id taken by a transaction that commits late is
// below ids already read. The index reads from the gap again until it fills, so the late change
// is listed as soon as it commits. (SQLite has one writer: no such gap can form there.)
TEST(ApiListPostgresqlTest, AChangeCommittedLateIsListedOnceItCommits) {
  ApiEnv env(Backend::kPostgresql);
  ASSERT_TRUE(env.Start());
  auto url = store_soci::ParseDatabaseUrl(env.db().url());
  ASSERT_TRUE(url.ok());
  store_soci::OpenOptions open;
  open.create = false;
  auto db = store_soci::Database::Open(*url, open);
  ASSERT_TRUE(db.ok());
  HttpClient cadre = env.Client(), leader = env.Client();
  std::string csrf = env.SignIn(cadre, "xs-0014");
  env.SignIn(leader, "xs-0002");
  auto states = [&](const std::string& query) {
    std::vector<std::string> ids;
    HttpAnswer a = leader.Send("GET", "/api/v1/items?limit=50" + query);
    EXPECT_EQ(a.status, 200) << a.body;
    boost::json::value v = a.Json();
    for (const auto& i : v.at("items").as_array()) ids.emplace_back(i.at("id").as_string());
    return ids;
  };

  // T-B1 changes in a transaction that stays open: its node_changes id is taken now.
  (*db)->session().begin();
  (*db)->session() << "UPDATE instances SET state = 'verifying', version = version + 1 "
                      "WHERE id = 'T-B1'";
  // A later change commits first, with a higher id, and is listed.
  HttpAnswer now = cadre.Send("GET", "/api/v1/items/T-A1");
  HttpAnswer sent =
      cadre.Send("POST", "/api/v1/items/T-A1/events/submit", R"({"evidence":["照片.jpg"]})",
                 {{"X-CSRF-Token", csrf}, {"If-Match", now.Header("etag")}});
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_THAT(states("&state=verifying"), ElementsAreArray({"T-A1"}));
  (*db)->session().commit();
  EXPECT_THAT(states("&state=verifying"), ElementsAreArray({"T-A1", "T-B1"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiListTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
