// The leaders' reports on SQLite and PostgreSQL, for a scripted spring on the virtual clock: two
// items overdue at different levels, one closed on time, one closed late, one not yet due, and
// a work interview held.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "rectify/engine/report.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

using test::T;
using ::testing::ElementsAre;

constexpr const char* kAsOf = "2017-06-07T10:00:00+08:00";

class ReportTest : public test::EngineFixture {
 protected:
  void Assigned(const std::string& id, const char* at, const std::string& unit,
                const std::string& responsible, const char* limit) {
    At(at);
    engine::NewInstance req;
    req.id = id;
    req.workflow = "rectification-item";
    req.campaign = "xinshao-2017";
    req.unit = unit;
    req.responsible = responsible;
    req.title = "问题 " + id;
    req.actor = "xs-0009";
    req.fields = {{"time_limit", limit}};
    ASSERT_TRUE(engine_->Register(req).ok());
    auto a = Act(id, "assign", "xs-0003", {}, "", {{"verifier", "xs-0007"}});
    ASSERT_TRUE(a.ok()) << a.error().message();
  }

  void Scenario() {
    // Registered the day before Xinshao's special rectification window opens (04-21 .. 05-21), so
    // its time limit is not cut to the window's end.
    Assigned("Q-2", "2017-04-20T10:00:00+08:00", "yantang", "xs-0025", "2017-05-31");
    // Due 05-04: the campaign works the window's weekends (04-22 .. 04-28, 05-02 .. 05-04).
    Assigned("Q-1", "2017-04-21T10:00:00+08:00", "niangxi", "xs-0014", "10wd");
    Assigned("Q-3", "2017-04-21T10:00:00+08:00", "niangxi", "xs-0015", "10wd");
    Assigned("Q-4", "2017-04-21T10:00:00+08:00", "yantang", "xs-0026", "10wd");
    RunUntil("2017-05-03T10:00:00+08:00");
    ASSERT_TRUE(Act("Q-3", "submit", "xs-0015", {"照片"}).ok());  // before its deadline
    RunUntil("2017-05-06T10:00:00+08:00");
    ASSERT_TRUE(Act("Q-4", "submit", "xs-0026", {"照片"}).ok());  // Saturday, a day and a half late
    RunUntil("2017-05-08T10:00:00+08:00");
    ASSERT_TRUE(Act("Q-3", "accept", "xs-0007").ok());
    RunUntil("2017-05-08T11:00:00+08:00");
    ASSERT_TRUE(Act("Q-4", "accept", "xs-0007").ok());
    RunUntil("2017-05-13T10:00:00+08:00");  // Q-1's work interview opened on 05-12 (8wd)
    ASSERT_TRUE(Act("Q-1/work_interview", "hold", "xs-0002").ok());
    ASSERT_TRUE(Act("Q-1/work_interview", "file", "xs-0002", {"约谈记录.pdf"}).ok());
    RunUntil("2017-06-01T09:00:00+08:00");
    Assigned("Q-5", "2017-06-01T09:00:00+08:00", "quetang", "xs-0036", "10wd");
    RunUntil(kAsOf);
  }

  engine::ReportQuery Query() { return {.as_of = T(kAsOf)}; }

  test::CommandResult Rectify(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_->url()});
    return test::RunRectify(args, {{"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
  }
};

TEST_P(ReportTest, OverdueItemsByUnitWithDaysOverdueAndEscalation) {
  Scenario();
  auto rows = engine::OverdueReport(*store_, *definitions_, Query());
  ASSERT_TRUE(rows.ok()) << rows.error().message();
  std::vector<std::string> got;
  for (const auto& r : *rows) got.push_back(boost::json::serialize(engine::ToJson(r)));
  // Units in pinyin order: 酿溪 (niangxi) before 严塘 (yantang), whatever their UTF-8 bytes.
  EXPECT_THAT(
      got,
      ElementsAre(
          R"({"unit":"niangxi","unit_path":"新邵县 / 酿溪镇","item":"Q-1","title":"问题 Q-1","responsible":"xs-0014","responsible_name":"唐强华","state":"rectifying","deadline":"2017-05-04","working_days_overdue":29,"calendar_days_overdue":34,"escalation_level":7,"escalation_measure":"informed_criticism","payment_suspended":true})",
          R"({"unit":"yantang","unit_path":"新邵县 / 严塘镇","item":"Q-2","title":"问题 Q-2","responsible":"xs-0025","responsible_name":"冯文志","state":"rectifying","deadline":"2017-05-31","working_days_overdue":5,"calendar_days_overdue":7,"escalation_level":3,"escalation_measure":"suggestion_letter","payment_suspended":false})"));

  auto niangxi = Query();
  niangxi.unit = "niangxi";
  auto only = engine::OverdueReport(*store_, *definitions_, niangxi);
  ASSERT_TRUE(only.ok());
  ASSERT_EQ(only->size(), 1u);
  EXPECT_EQ((*only)[0].item, "Q-1");

  // As of the day before Q-1's deadline nothing is overdue: computed, never stored.
  auto earlier =
      engine::OverdueReport(*store_, *definitions_, {.as_of = T("2017-05-04T23:59:00+08:00")});
  ASSERT_TRUE(earlier.ok());
  EXPECT_TRUE(earlier->empty());
}

TEST_P(ReportTest, SummaryCountsOpenClosedOnTimeAndLateEscalationsInterviewsBulletins) {
  Scenario();
  auto sum = engine::SummaryReport(*store_, *definitions_, Query());
  ASSERT_TRUE(sum.ok()) << sum.error().message();
  EXPECT_EQ(
      boost::json::serialize(engine::ToJson(*sum)),
      R"({"items":5,"open":3,"closed_on_time":1,"closed_late":1,"overdue_now":2,)"
      R"("by_workflow":[{"workflow":"rectification-item","items":5,"open":3,"closed_on_time":1,"closed_late":1,"overdue_now":2}],)"
      R"("escalations_by_measure":{"reminder_letter":3,"supervision_letter":2,"suggestion_letter":2,"work_interview":1,"warning_interview":1,"suspend_payment":1,"informed_criticism":1},)"
      R"("interviews_held":1,)"
      R"("units_on_bulletins":[{"unit":"niangxi","unit_path":"新邵县 / 酿溪镇","value":1}],)"
      R"("deductions_by_unit":[{"unit":"niangxi","unit_path":"新邵县 / 酿溪镇","value":-2}]})");
}

TEST_P(ReportTest, TheCommandLinePrintsTextJsonAndCsv) {
  Scenario();
  auto text = Rectify({"report", "overdue", "--campaign", "xinshao-2017", "--as-of", kAsOf});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out,
            "overdue as of 2017-06-07T10:00:00+08:00: 2 items of campaign xinshao-2017\n"
            "unit             item  title     responsible       deadline    working days  days  "
            "level  measure                        payment\n"
            "新邵县 / 酿溪镇  Q-1   问题 Q-1  唐强华 (xs-0014)  2017-05-04  29            34    "
            "7      informed criticism (通报批评)  suspended\n"
            "新邵县 / 严塘镇  Q-2   问题 Q-2  冯文志 (xs-0025)  2017-05-31  5             7     "
            "3      suggestion letter (建议函)     -\n");

  auto csv = Rectify({"--format", "csv", "report", "overdue", "--as-of", kAsOf});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  // A UTF-8 byte order mark first: Excel then reads the Chinese as UTF-8.
  EXPECT_EQ(csv.out,
            "\xEF\xBB\xBF"
            "unit,unit_path,item,title,responsible,responsible_name,state,deadline,"
            "working_days_overdue,calendar_days_overdue,escalation_level,escalation_measure,"
            "payment_suspended\r\n"
            "niangxi,新邵县 / 酿溪镇,Q-1,问题 Q-1,xs-0014,唐强华,rectifying,2017-05-04,29,34,7,"
            "informed_criticism,true\r\n"
            "yantang,新邵县 / 严塘镇,Q-2,问题 Q-2,xs-0025,冯文志,rectifying,2017-05-31,5,7,3,"
            "suggestion_letter,false\r\n");

  auto json =
      Rectify({"--format", "json", "report", "overdue", "--unit", "niangxi", "--as-of", kAsOf});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto v = boost::json::parse(json.out).as_object();
  EXPECT_EQ(v.at("as_of").as_string(), kAsOf);
  ASSERT_EQ(v.at("items").as_array().size(), 1u);
  EXPECT_EQ(v.at("items").as_array()[0].at("working_days_overdue").as_int64(), 29);

  auto summary = Rectify({"report", "summary", "--campaign", "xinshao-2017", "--as-of", kAsOf});
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_EQ(summary.out,
            "summary as of 2017-06-07T10:00:00+08:00 of campaign xinshao-2017\n"
            "workflow                       items  open  closed on time  closed late  overdue now\n"
            "问题整改 (rectification item)  5      3     1               1            2\n"
            "interviews held: 1\n"
            "escalations by measure:\n"
            "  measure                                steps\n"
            "  reminder letter (提醒函)               3\n"
            "  supervision letter (督办函)            2\n"
            "  suggestion letter (建议函)             2\n"
            "  work interview (工作约谈)              1\n"
            "  warning interview (警示约谈)           1\n"
            "  suspension of fund payment (暂停拨付)  1\n"
            "  informed criticism (通报批评)          1\n"
            "units on bulletins:\n"
            "  unit             items\n"
            "  新邵县 / 酿溪镇  1\n"
            "score deductions by unit:\n"
            "  unit             points\n"
            "  新邵县 / 酿溪镇  -2\n");

  auto summary_csv = Rectify({"--format", "csv", "report", "summary", "--as-of", kAsOf});
  ASSERT_EQ(summary_csv.exit_code, 0) << summary_csv.err;
  EXPECT_EQ(summary_csv.out,
            "\xEF\xBB\xBFsection,name,unit_path,value\r\n"
            "count,items,,5\r\ncount,open,,3\r\ncount,closed_on_time,,1\r\ncount,closed_late,,1\r\n"
            "count,overdue_now,,2\r\ncount,interviews_held,,1\r\n"
            "workflow:rectification-item,items,,5\r\nworkflow:rectification-item,open,,3\r\n"
            "workflow:rectification-item,closed_on_time,,1\r\n"
            "workflow:rectification-item,closed_late,,1\r\n"
            "workflow:rectification-item,overdue_now,,2\r\n"
            "escalation,reminder_letter,,3\r\nescalation,supervision_letter,,2\r\n"
            "escalation,suggestion_letter,,2\r\nescalation,work_interview,,1\r\n"
            "escalation,warning_interview,,1\r\nescalation,suspend_payment,,1\r\n"
            "escalation,informed_criticism,,1\r\n"
            "bulletin,niangxi,新邵县 / 酿溪镇,1\r\n"
            "score_deduction,niangxi,新邵县 / 酿溪镇,-2\r\n");

  // JSON for a program: the same counts as the text, as one object with the instant they hold
  // at; jsonl is the same object on its line.
  auto summary_json = Rectify(
      {"--format", "json", "report", "summary", "--campaign", "xinshao-2017", "--as-of", kAsOf});
  ASSERT_EQ(summary_json.exit_code, 0) << summary_json.err;
  EXPECT_EQ(summary_json.err, "");
  EXPECT_EQ(
      summary_json.out,
      R"({"as_of":"2017-06-07T10:00:00+08:00","items":5,"open":3,"closed_on_time":1,)"
      R"("closed_late":1,"overdue_now":2,)"
      R"("by_workflow":[{"workflow":"rectification-item","items":5,"open":3,"closed_on_time":1,"closed_late":1,"overdue_now":2}],)"
      R"("escalations_by_measure":{"reminder_letter":3,"supervision_letter":2,"suggestion_letter":2,"work_interview":1,"warning_interview":1,"suspend_payment":1,"informed_criticism":1},)"
      R"("interviews_held":1,)"
      R"("units_on_bulletins":[{"unit":"niangxi","unit_path":"新邵县 / 酿溪镇","value":1}],)"
      R"("deductions_by_unit":[{"unit":"niangxi","unit_path":"新邵县 / 酿溪镇","value":-2}]})"
      "\n");
  auto summary_jsonl = Rectify(
      {"--format", "jsonl", "report", "summary", "--campaign", "xinshao-2017", "--as-of", kAsOf});
  ASSERT_EQ(summary_jsonl.exit_code, 0) << summary_jsonl.err;
  EXPECT_EQ(summary_jsonl.out, summary_json.out);
  // Another instant gives other counts: before anything fell due nothing is overdue.
  auto early =
      Rectify({"--format", "json", "report", "summary", "--as-of", "2017-04-24T10:00:00+08:00"});
  ASSERT_EQ(early.exit_code, 0) << early.err;
  auto e = boost::json::parse(early.out).as_object();
  EXPECT_EQ(e.at("as_of").as_string(), "2017-04-24T10:00:00+08:00");
  EXPECT_EQ(e.at("overdue_now").as_int64(), 0);
  // A campaign with no items: zero counts, empty lists, in every format.
  auto none_csv = Rectify(
      {"--format", "csv", "report", "summary", "--campaign", "jinkouhe-2017", "--as-of", kAsOf});
  ASSERT_EQ(none_csv.exit_code, 0) << none_csv.err;
  EXPECT_EQ(none_csv.out,
            "\xEF\xBB\xBFsection,name,unit_path,value\r\n"
            "count,items,,0\r\ncount,open,,0\r\ncount,closed_on_time,,0\r\ncount,closed_late,,0\r\n"
            "count,overdue_now,,0\r\ncount,interviews_held,,0\r\n");
  auto bad_as_of = Rectify({"--format", "json", "report", "summary", "--as-of", "June 7"});
  EXPECT_EQ(bad_as_of.exit_code, 1);
  EXPECT_EQ(bad_as_of.out, "");
  EXPECT_THAT(bad_as_of.err, ::testing::StartsWith("rectify: error: --as-of: "));

  auto unknown = Rectify({"report", "overdue", "--unit", "niangxii"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err,
            "rectify: error: unit 'niangxii' is not in the loaded definitions (the shipped library "
            "(" RECTIFY_SOURCE_DIR
            "/workflows)); add the folder that defines it with "
            "--definitions DIR or RECTIFY_DEFINITIONS=DIR\n");
}

// Reports list units in pinyin order (ICU's zh collation), not in the order of their UTF-8
// bytes: 陈家坊 chen < 酿溪 niang < 太芝庙 tai < 土桥 tu < 严塘 yan, where the bytes give the
// reverse (严 U+4E25 < 土 U+571F < 太 U+592A < 酿 U+917F < 陈 U+9648).
TEST_P(ReportTest, OverdueUnitsAreInPinyinOrder) {
  Assigned("P-1", "2017-04-21T10:00:00+08:00", "yantang", "xs-0025", "3wd");
  Assigned("P-2", "2017-04-21T10:00:00+08:00", "tuqiao", "xs-0159", "3wd");
  Assigned("P-3", "2017-04-21T10:00:00+08:00", "taizhimiao", "xs-0109", "3wd");
  Assigned("P-4", "2017-04-21T10:00:00+08:00", "niangxi", "xs-0014", "3wd");
  Assigned("P-5", "2017-04-21T10:00:00+08:00", "chenjiafang", "xs-0045", "3wd");
  RunUntil("2017-05-02T10:00:00+08:00");
  auto csv =
      Rectify({"--format", "csv", "report", "overdue", "--as-of", "2017-05-02T10:00:00+08:00"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::vector<std::string> paths;
  std::istringstream in(csv.out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line.rfind("\xEF\xBB\xBFunit,unit_path,", 0), 0u) << line;
  while (std::getline(in, line)) {
    auto first = line.find(',');
    paths.push_back(line.substr(first + 1, line.find(',', first + 1) - first - 1));
  }
  EXPECT_THAT(paths, ElementsAre("新邵县 / 陈家坊镇", "新邵县 / 酿溪镇", "新邵县 / 太芝庙镇",
                                 "新邵县 / 土桥镇", "新邵县 / 严塘镇"));
}

// A campaign's materials submissions (one per township, opened by a checkpoint) are counted
// apart from its rectification items, which come first.
TEST_P(ReportTest, SummaryCountsRectificationItemsApartFromMaterialsSubmissions) {
  Assigned("Q-1", "2017-04-21T10:00:00+08:00", "niangxi", "xs-0014", "10wd");
  for (const auto& [unit, head] : std::vector<std::pair<std::string, std::string>>{
           {"niangxi", "xs-0012"}, {"yantang", "xs-0023"}}) {
    engine::NewInstance req;
    req.id = "M-" + unit;
    req.workflow = "materials-submission";
    req.campaign = "xinshao-2017";
    req.unit = unit;
    req.responsible = head;
    req.title = "整改材料 " + unit;
    req.actor = "xs-0009";
    req.fields = {{"due", "2017-05-15"}};
    auto r = engine_->Register(req);
    ASSERT_TRUE(r.ok()) << r.error().message();
  }
  RunUntil("2017-05-16T10:00:00+08:00");
  auto text = Rectify(
      {"report", "summary", "--campaign", "xinshao-2017", "--as-of", "2017-05-16T10:00:00+08:00"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(
      text.out,
      ::testing::StartsWith(
          "summary as of 2017-05-16T10:00:00+08:00 of campaign xinshao-2017\n"
          "workflow                             items  open  closed on time  closed late  "
          "overdue now\n"
          "问题整改 (rectification item)        1      1     0               0            1\n"
          "整改材料报送 (materials submission)  2      2     0               0            2\n"
          "interviews held: 0\n"));
  auto json = Rectify({"--format", "json", "report", "summary", "--campaign", "xinshao-2017",
                       "--as-of", "2017-05-16T10:00:00+08:00"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto kinds = boost::json::parse(json.out).at("by_workflow").as_array();
  ASSERT_EQ(kinds.size(), 2u);
  EXPECT_EQ(kinds[0].at("workflow").as_string(), "rectification-item");
  EXPECT_EQ(kinds[0].at("items").as_int64(), 1);
  EXPECT_EQ(kinds[1].at("workflow").as_string(), "materials-submission");
  EXPECT_EQ(kinds[1].at("items").as_int64(), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReportTest,
                         ::testing::Values(test::Backend::kSqlite, test::Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
