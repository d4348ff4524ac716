// POST /api/v1/rehearsals through a live `rectify serve` on SQLite and PostgreSQL: a registered
// campaign rehearsed with the sample ledger counts exactly what `rectify simulate` prints for the
// same input (its events, reminders, escalations), per week, and leaves the server's own database
// as it was; an edited campaign file with an error, a ledger with a bad row, and a run past its
// time limit are each refused with what to fix, and run nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/http/api_table_support.h"
#include "tests/http/multipart_body.h"
#include "tests/support/xlsx_file.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::MultipartBody;
using ::testing::HasSubstr;

const std::string kSample =
    std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/xinshao-2017-sample.csv";
const std::string kUntil = "2017-06-30";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class ApiRehearsalTest : public ::testing::TestWithParam<Backend> {
 protected:
  void Start(std::vector<std::string> args = {}) {
    env_ = std::make_unique<ApiEnv>(GetParam(), std::move(args));
    ASSERT_TRUE(env_->Start());
    admin_ = test::BearerOf(*env_, "xs-0003");
  }
  HttpAnswer Rehearse(const MultipartBody& m) {
    auto h = admin_;
    h["Content-Type"] = m.Type();
    return env_->Client().Send("POST", "/api/v1/rehearsals", m.Body(), h);
  }
  // The items the server's database holds, as the administrator lists them.
  std::size_t Items() {
    HttpAnswer a = env_->Client().Send("GET", "/api/v1/items?limit=200", "", admin_);
    EXPECT_EQ(a.status, 200) << a.body;
    json::value v = a.Json();
    return v.at("items").as_array().size();
  }

  std::unique_ptr<ApiEnv> env_;
  std::map<std::string, std::string> admin_;
};

TEST_P(ApiRehearsalTest, CountsWhatSimulatePrintsAndTouchesNothing) {
  Start();
  std::size_t before = Items();
  MultipartBody m;
  m.Field("campaign", "xinshao-2017")
      .Field("until", kUntil)
      .FileAs("ledger", "xinshao-2017-sample.csv", ReadFile(kSample), "text/csv");
  HttpAnswer a = Rehearse(m);
  ASSERT_EQ(a.status, 200) << a.body;
  json::value v = a.Json();
  EXPECT_EQ(v.at("campaign").at("name"), "xinshao-2017");
  EXPECT_EQ(v.at("from"), "2017-01-01");
  EXPECT_EQ(std::string(v.at("until").as_string()), kUntil);
  EXPECT_EQ(v.at("ledger").at("rows").as_int64(), 96);

  // The same run by the command line, on its own in-memory database.
  test::CommandResult sim =
      test::RunRectify({"simulate", "--campaign", "xinshao-2017", "--items", kSample, "--until",
                        kUntil, "--format", "jsonl", "--quiet"},
                       ApiEnv::Env(), env_->db().dir().path().string());
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  std::map<std::string, std::int64_t> count;
  std::int64_t lines = 0;
  std::istringstream in(sim.out);
  for (std::string line; std::getline(in, line);) {
    ++lines;
    json::value e = json::parse(line);
    ++count[std::string(e.at("event").as_string())];
  }
  const json::object& totals = v.at("totals").as_object();
  EXPECT_EQ(totals.at("events").as_int64(), lines);
  EXPECT_EQ(totals.at("reminders").as_int64(), count["reminder"]);
  EXPECT_EQ(totals.at("escalations").as_int64(), count["escalation"]);
  EXPECT_EQ(totals.at("registered").as_int64(), count["registered"]);
  EXPECT_EQ(totals.at("notifications").as_int64(), count["notification"]);
  EXPECT_GT(totals.at("reminders").as_int64(), 0);
  EXPECT_GT(totals.at("escalations").as_int64(), 0);
  EXPECT_GT(totals.at("closings").as_int64(), 0);
  EXPECT_LE(totals.at("closings").as_int64(), count["transition"]);

  // Every week from the one of 2017-01-01 (a Sunday: its Monday is 2016-12-26) to the one of
  // 2017-06-30, and the weeks add up to the totals.
  const json::array& weeks = v.at("weeks").as_array();
  ASSERT_EQ(weeks.size(), 27u);
  EXPECT_EQ(weeks.front().at("week"), "2016-12-26");
  EXPECT_EQ(weeks.back().at("week"), "2017-06-26");
  for (const char* k : {"reminders", "escalations", "closings", "registered"}) {
    std::int64_t sum = 0;
    for (const auto& w : weeks) sum += w.at(k).as_int64();
    EXPECT_EQ(sum, totals.at(k).as_int64()) << k;
  }
  // Nothing reached the server's own database.
  EXPECT_EQ(Items(), before);
  HttpAnswer item = env_->Client().Send("GET", "/api/v1/items/XS-2017-001", "", admin_);
  EXPECT_EQ(item.status, 404) << item.body;
}

TEST_P(ApiRehearsalTest, RefusesWhatItCannotRunSayingWhatToFix) {
  Start();
  // An edited campaign file with an error: its diagnostics at their lines, nothing run.
  std::string campaign =
      ReadFile(std::string(RECTIFY_SOURCE_DIR) + "/workflows/campaigns/xinshao-2017.yaml");
  std::string edited = campaign;
  edited.replace(edited.find("version: 3"), 10, "version: 4");  // a version beside the shipped 3
  edited.replace(edited.find("to: 2017-03-31"), 14, "to: 2017-13-31");
  MultipartBody bad_file;
  bad_file.FileAs("definition", "xinshao-2017.yaml", edited, "text/yaml");
  HttpAnswer a = Rehearse(bad_file);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.Json().at("error").at("code"), "invalid_definition");
  json::value diags = a.Json().at("diagnostics");
  ASSERT_FALSE(diags.as_array().empty());
  EXPECT_EQ(diags.as_array()[0].at("file"), "upload.yaml");
  EXPECT_GT(diags.as_array()[0].at("line").as_int64(), 1);

  // The edited file without the error runs, as the upload's campaign.
  edited.replace(edited.find("to: 2017-13-31"), 14, "to: 2017-03-31");
  MultipartBody good_file;
  good_file.FileAs("definition", "xinshao-2017.yaml", edited, "text/yaml")
      .Field("until", "2017-02-28");
  a = Rehearse(good_file);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.Json().at("campaign").at("version").as_int64(), 4);
  EXPECT_EQ(a.Json().at("campaign").at("uploaded"), true);

  // A ledger with a bad row: the row and the column.
  MultipartBody bad_ledger;
  bad_ledger.Field("campaign", "xinshao-2017")
      .FileAs("ledger", "ledger.csv",
              "id,title,unit,responsible,registered_at,time_limit\n"
              "R-1,酿溪镇档案不全,niangxi,xs-0012,2017-04-21,15wd\n"
              "R-2,长塘村饮水工程未完工,no-such-unit,xs-0014,2017-04-21,10wd\n",
              "text/csv");
  a = Rehearse(bad_ledger);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.Json().at("error").at("code"), "invalid_ledger");
  json::value row = a.Json().at("diagnostics").as_array().at(0);
  EXPECT_EQ(row.at("file"), "ledger.csv");
  EXPECT_EQ(row.at("line").as_int64(), 3);
  EXPECT_EQ(row.at("column").as_int64(), 3);

  // Neither a campaign nor a file; an unknown campaign; an unknown part.
  MultipartBody none;
  none.Field("seed", "2");
  a = Rehearse(none);
  EXPECT_EQ(a.status, 400) << a.body;
  EXPECT_THAT(a.body, HasSubstr("campaign"));
  MultipartBody unknown;
  unknown.Field("campaign", "no-such-campaign");
  a = Rehearse(unknown);
  EXPECT_EQ(a.status, 404) << a.body;
  MultipartBody extra;
  extra.Field("campaign", "xinshao-2017").Field("speed", "9");
  a = Rehearse(extra);
  EXPECT_EQ(a.status, 400) << a.body;
  EXPECT_THAT(a.body, HasSubstr("speed"));
}

TEST_P(ApiRehearsalTest, AnXlsxLedgerIsReadAsACsvOneIsWithItsCellsNamed) {
  Start();
  auto workbook = [&](const std::string& limit) {
    test::XlsxSheet sheet{
        "台账",
        {{"编号", "问题", "责任单位", "责任人", "登记日期", "整改时限"},
         {"X-1", "酿溪镇档案不全", "niangxi", "xs-0012", "#d2017-04-21", "15wd"},
         {"X-2", "长塘村饮水工程未完工", "niangxi-team-1", "xs-0014", "#d2017-04-21", limit}},
        {}};
    std::string file = env_->db().dir().File("ledger-" + limit + ".xlsx");
    test::WriteXlsx(file, {sheet});
    return ReadFile(file);
  };
  MultipartBody good;
  good.Field("campaign", "xinshao-2017")
      .Field("until", "2017-05-31")
      .FileAs("ledger", "台账.xlsx", workbook("10wd"));
  HttpAnswer a = Rehearse(good);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.Json().at("ledger").at("rows").as_int64(), 2);
  EXPECT_EQ(a.Json().at("ledger").at("file"), "台账.xlsx");
  EXPECT_GE(a.Json().at("totals").at("registered").as_int64(), 2);

  MultipartBody bad;
  bad.Field("campaign", "xinshao-2017").FileAs("ledger", "台账.xlsx", workbook("10 days"));
  a = Rehearse(bad);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.Json().at("error").at("code"), "invalid_ledger");
  EXPECT_THAT(a.body, HasSubstr("台账!F3"));
}

TEST_P(ApiRehearsalTest, StopsAtItsTimeLimitAndSaysSo) {
  Start({"--rehearsal-limit", "0.001"});
  MultipartBody m;
  m.Field("campaign", "xinshao-2017").FileAs("ledger", "sample.csv", ReadFile(kSample), "text/csv");
  HttpAnswer a = Rehearse(m);
  ASSERT_EQ(a.status, 422) << a.body;
  EXPECT_EQ(a.Json().at("error").at("code"), "time_limit");
  EXPECT_THAT(a.body, HasSubstr("--rehearsal-limit"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiRehearsalTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
