// A county that is not shipped, defined in a temporary folder beside the library, through the real
// binary on SQLite and PostgreSQL: every command takes its folder (--definitions, repeatable, or
// RECTIFY_DEFINITIONS), a name it does not have is an error that says to add the folder (never
// "0 items"), dispatch sends nothing to an org that is not loaded, reading changes nothing, a
// county's copy of a library file replaces it, and --format is refused where a command does not
// print it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/store/store_test_env.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

namespace fs = std::filesystem;
using test::Backend;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = RECTIFY_SOURCE_DIR;

const char kOrg[] = R"(kind: org
name: dongkou
title: 洞口县脱贫攻坚指挥体系
units:
  - id: dongkou
    name: 洞口县
    kind: county
    discipline_committee: dk-jiwei
    units:
      - { id: dk-jiwei, name: 县纪委监委, kind: discipline_committee }
      - { id: dk-zhb, name: 县脱贫攻坚指挥部, kind: inspection_group }
      - { id: dk-finance, name: 县财政局, kind: department }
      - { id: dk-gaosha, name: 高沙镇, kind: township }
people:
  - { id: dk-01, name: 王县, unit: dongkou, roles: [head] }
  - { id: dk-02, name: 李副, unit: dongkou, roles: [leader] }
  - { id: dk-03, name: 张纪, unit: dk-jiwei, roles: [head] }
  - { id: dk-04, name: 刘督, unit: dk-zhb, roles: [head, inspector, registrar] }
  - { id: dk-05, name: 陈验, unit: dk-zhb, roles: [inspector, verifier] }
  - { id: dk-06, name: 赵财, unit: dk-finance, roles: [head] }
  - { id: dk-10, name: 周镇, unit: dk-gaosha, roles: [head, leader] }
  - { id: dk-11, name: 吴干, unit: dk-gaosha, roles: [cadre] }
)";

const char kCampaign[] = R"(kind: campaign
name: dongkou-2017q3
title: 洞口县2017年第三季度问题整改
calendar: cn
org: dongkou
from: 2017-07-01
to: 2017-09-30
items: { workflow: rectification-item, escalation: overdue-rectification, time_limit: 10wd }
)";

// `rectify dispatch` runs on the real clock and holds messages outside working hours: the channels
// these tests dispatch with run on a calendar open around the clock, so they pass at any hour.
std::string RoundTheClockCalendar() {
  std::string years;
  for (int y = 2016; y <= 2040; ++y)
    years += (years.empty() ? "" : ", ") + std::to_string(y) + ": {}";
  return "kind: calendar\nname: round-the-clock\ntimezone: Asia/Shanghai\n"
         "workweek: [mon, tue, wed, thu, fri, sat, sun]\n"
         "working_hours: \"00:00-24:00\"\nyears: { " +
         years + " }\n";
}

class CountyFolderTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    fs::create_directories(dir_.path() / "county/orgs");
    fs::create_directories(dir_.path() / "county/campaigns");
    std::ofstream(dir_.File("county/orgs/dongkou.yaml")) << kOrg;
    std::ofstream(dir_.File("county/campaigns/dongkou-2017q3.yaml")) << kCampaign;
    ASSERT_EQ(Run({"migrate"}).exit_code, 0);
  }

  std::string County() const { return dir_.File("county"); }

  // rectify on the test database, run from the temporary folder (letters written there), with the
  // library of this source tree and no county folder unless `env` names one.
  test::CommandResult Run(std::vector<std::string> args,
                          std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), {"--db", db_->url()});
    env.emplace("RECTIFY_HOME", kSource);
    env.emplace("RECTIFY_DEFINITIONS", "");
    return test::RunRectify(args, env, dir_.path().string());
  }
  // rectify simulate, on its own in-memory database.
  test::CommandResult Simulate(std::vector<std::string> args,
                               std::map<std::string, std::string> env = {}) {
    args.insert(args.begin(), "simulate");
    args.insert(args.end(), {"--quiet", "--until", "2017-07-10"});
    env.emplace("RECTIFY_HOME", kSource);
    env.emplace("RECTIFY_DEFINITIONS", "");
    return test::RunRectify(args, env, dir_.path().string());
  }
  // The same with the county's folder given by --definitions.
  test::CommandResult RunCounty(std::vector<std::string> args) {
    args.insert(args.end(), {"--definitions", County()});
    return Run(args);
  }

  // What the database holds, row counts by table.
  std::string Counts() {
    auto r = Run({"--format", "json", "status"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return boost::json::serialize(boost::json::parse(r.out).as_object().at("counts"));
  }

  // Starts the county's campaign, registers one item, assigns it and lets it go 6 working days
  // overdue (due 2017-07-17), so that escalation letters are queued.
  void RunTheQuarter() {
    auto start = RunCounty({"campaign", "start", "dongkou-2017q3", "--at", "2017-07-03"});
    ASSERT_EQ(start.exit_code, 0) << start.err;
    auto add =
        RunCounty({"item", "add", "--id", "DK-1", "--campaign", "dongkou-2017q3", "--unit",
                   "dk-gaosha", "--responsible", "dk-11", "--title", "危房改造资金拨付滞后",
                   "--time-limit", "10wd", "--as", "dk-04", "--at", "2017-07-03T10:00:00+08:00"});
    ASSERT_EQ(add.exit_code, 0) << add.err;
    auto assign = RunCounty({"item", "act", "DK-1", "assign", "--as", "dk-04", "--set",
                             "verifier=dk-05", "--at", "2017-07-03T10:05:00+08:00"});
    ASSERT_EQ(assign.exit_code, 0) << assign.err;
    auto tick = RunCounty({"tick", "--until", "2017-07-25T10:00:00+08:00"});
    ASSERT_EQ(tick.exit_code, 0) << tick.err;
  }

  std::unique_ptr<test::TestDatabase> db_;
  test::TempDir dir_;
};

const char kAsOf[] = "2017-07-25T10:00:00+08:00";

TEST_P(CountyFolderTest, EveryCommandAddsTheCountysFolderToTheLibrary) {
  auto validate = RunCounty({"validate", County()});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_EQ(validate.err, "rectify: 0 errors, 0 warnings in 2 files\n");
  auto explain = RunCounty({"explain", County() + "/campaigns/dongkou-2017q3.yaml"});
  EXPECT_EQ(explain.exit_code, 0) << explain.err;
  EXPECT_THAT(explain.out, HasSubstr("dongkou-2017q3"));
  auto simulate = Simulate({"--campaign", "dongkou-2017q3", "--definitions", County()});
  EXPECT_EQ(simulate.exit_code, 0) << simulate.err;
  auto calendar = RunCounty({"calendar", "is-workday", "--calendar", "cn", "2017-10-02"});
  EXPECT_EQ(calendar.exit_code, 0) << calendar.err;
  EXPECT_EQ(calendar.out, "no\n");

  ASSERT_NO_FATAL_FAILURE(RunTheQuarter());
  std::ofstream(dir_.File("ledger.csv"))
      << "id,title,unit,responsible,registered_at,time_limit,verifier\n"
         "DK-2,村道硬化未验收,dk-gaosha,dk-11,2017-07-04,10wd,dk-05\n";
  auto import = RunCounty({"ledger", "import", "ledger.csv", "--campaign", "dongkou-2017q3", "--as",
                           "dk-04", "--at", "2017-07-04T10:00:00+08:00"});
  EXPECT_EQ(import.exit_code, 0) << import.err;
  EXPECT_EQ(import.out, "imported 1 item from ledger.csv into campaign dongkou-2017q3\n");
  auto reproject = RunCounty({"instances", "reproject", "--dry-run", "--at", kAsOf});
  EXPECT_EQ(reproject.exit_code, 0) << reproject.err;
  auto show = RunCounty({"item", "show", "DK-1", "--at", kAsOf});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("2017-07-17, OVERDUE by 6 working days"));
  auto overdue = RunCounty(
      {"report", "overdue", "--campaign", "dongkou-2017q3", "--unit", "dongkou", "--as-of", kAsOf});
  EXPECT_EQ(overdue.exit_code, 0) << overdue.err;
  EXPECT_THAT(overdue.out, HasSubstr("2 items of campaign dongkou-2017q3"));
  EXPECT_THAT(overdue.out, HasSubstr("吴干 (dk-11)"));
  auto summary = RunCounty({"report", "summary", "--campaign", "dongkou-2017q3", "--as-of", kAsOf});
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  auto campaign = RunCounty({"campaign", "show", "dongkou-2017q3"});
  EXPECT_EQ(campaign.exit_code, 0) << campaign.err;
  auto exported = RunCounty({"ledger", "export", "--campaign", "dongkou-2017q3"});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_THAT(exported.out, HasSubstr("DK-1,危房改造资金拨付滞后,dk-gaosha,dk-11"));
  auto ics = RunCounty({"ics", "--person", "dk-11", "--at", kAsOf});
  EXPECT_EQ(ics.exit_code, 0) << ics.err;
  EXPECT_THAT(ics.out, HasSubstr("BEGIN:VCALENDAR"));
  auto deliveries = RunCounty({"report", "deliveries"});
  EXPECT_EQ(deliveries.exit_code, 0) << deliveries.err;
  std::ofstream(dir_.File("log-channels.yaml"))
      << RoundTheClockCalendar() << "---\nkind: channels\nname: log-only\n"
      << "calendar: round-the-clock\nchannels: { log: { kind: log } }\n"
      << "routes: { email: log, wecom: log, dingtalk: log, sms: log, inbox: log, bulletin: log }\n";
  auto dispatch = RunCounty({"dispatch", "--once", "--channels", "log-channels.yaml"});
  EXPECT_EQ(dispatch.exit_code, 0) << dispatch.err;
  EXPECT_THAT(dispatch.err, HasSubstr("dispatch: 10 delivered"));
  EXPECT_THAT(dispatch.out, HasSubstr("周镇"));  // the township head, by name
}

TEST_P(CountyFolderTest, WithoutTheFolderANameItDefinesIsAnErrorNeverZero) {
  ASSERT_NO_FATAL_FAILURE(RunTheQuarter());
  const std::string add_folder =
      "is not in the loaded definitions (the shipped library (" + kSource +
      "/workflows)); add the folder that defines it with --definitions DIR or "
      "RECTIFY_DEFINITIONS=DIR";
  auto overdue = Run({"report", "overdue", "--campaign", "dongkou-2017q3", "--as-of", kAsOf});
  EXPECT_EQ(overdue.exit_code, 1);
  EXPECT_EQ(overdue.out, "");
  EXPECT_EQ(overdue.err, "rectify: error: campaign 'dongkou-2017q3' " + add_folder + "\n");
  auto summary = Run({"--format", "csv", "report", "summary", "--campaign", "dongkou-2017q3"});
  EXPECT_EQ(summary.exit_code, 1);
  EXPECT_EQ(summary.out, "");
  EXPECT_THAT(summary.err, HasSubstr("campaign 'dongkou-2017q3' " + add_folder));
  // Without a campaign: the database's items of the county are not left out of the count.
  auto all = Run({"report", "overdue", "--as-of", kAsOf});
  EXPECT_EQ(all.exit_code, 1);
  EXPECT_EQ(all.out, "");
  EXPECT_THAT(all.err, HasSubstr("rectify: error: 1 item in the database run on org dongkou@1, "
                                 "which is not in the loaded definitions; the report would leave "
                                 "them out (loaded: the shipped library ("));
  auto all_summary = Run({"report", "summary", "--as-of", kAsOf});
  EXPECT_EQ(all_summary.exit_code, 1);
  EXPECT_THAT(all_summary.err, HasSubstr("--definitions DIR or RECTIFY_DEFINITIONS=DIR"));
  auto unit = Run({"report", "overdue", "--unit", "dk-gaosha"});
  EXPECT_EQ(unit.exit_code, 1);
  EXPECT_THAT(unit.err, HasSubstr("unit 'dk-gaosha' " + add_folder));
  auto item = Run({"item", "show", "DK-1"});
  EXPECT_EQ(item.exit_code, 1);
  EXPECT_THAT(item.err, HasSubstr("org 'dongkou@1' of item DK-1 " + add_folder));
  auto act = Run({"item", "act", "DK-1", "submit", "--as", "dk-11", "--evidence-text", "照片"});
  EXPECT_EQ(act.exit_code, 1);
  EXPECT_THAT(act.err, HasSubstr("person 'dk-11' " + add_folder));
  auto ics = Run({"ics", "--person", "dk-11"});
  EXPECT_EQ(ics.exit_code, 1);
  EXPECT_THAT(ics.err, HasSubstr("person 'dk-11' " + add_folder));
  auto show = Run({"campaign", "show", "dongkou-2017q3"});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_THAT(show.err, HasSubstr("campaign 'dongkou-2017q3' " + add_folder));
  auto exported = Run({"ledger", "export", "--campaign", "dongkou-2017q3"});
  EXPECT_EQ(exported.exit_code, 1);
  EXPECT_EQ(exported.out, "");
  auto add = Run({"item", "add", "--id", "DK-2", "--campaign", "dongkou-2017q3", "--unit",
                  "dk-gaosha", "--title", "x", "--as", "dk-04"});
  EXPECT_EQ(add.exit_code, 1);
  EXPECT_THAT(add.err, HasSubstr("campaign 'dongkou-2017q3' " + add_folder));
  std::ofstream(dir_.File("ledger.csv")) << "id,title,unit,responsible,registered_at,time_limit\n"
                                            "DK-3,x,dk-gaosha,dk-11,2017-07-04,10wd\n";
  auto import =
      Run({"ledger", "import", "ledger.csv", "--campaign", "dongkou-2017q3", "--as", "dk-04"});
  EXPECT_EQ(import.exit_code, 1);
  EXPECT_THAT(import.err, HasSubstr("campaign 'dongkou-2017q3' " + add_folder));
  auto start = Run({"campaign", "start", "dongkou-2018"});
  EXPECT_EQ(start.exit_code, 1);
  EXPECT_THAT(start.err, HasSubstr("campaign 'dongkou-2018' " + add_folder));
  auto simulate = Simulate({"--campaign", "dongkou-2017q3"});
  EXPECT_EQ(simulate.exit_code, 1);
  EXPECT_THAT(simulate.err, HasSubstr("campaign 'dongkou-2017q3' " + add_folder));
  auto calendar = Run({"calendar", "add", "--calendar", "dongkou", "2017-07-03", "1wd"});
  EXPECT_EQ(calendar.exit_code, 1);
  EXPECT_THAT(calendar.err, HasSubstr("--definitions DIR or RECTIFY_DEFINITIONS=DIR"));

  // The letters for the county's people stay queued, untouched, until the folder is given.
  std::string before = Counts();
  EXPECT_THAT(before, HasSubstr("\"pending\":"));
  EXPECT_THAT(before, Not(HasSubstr("\"pending\":0")));
  auto dispatch = Run({"dispatch", "--once"});
  EXPECT_EQ(dispatch.exit_code, 1);
  EXPECT_EQ(dispatch.out, "");
  EXPECT_THAT(dispatch.err, HasSubstr("rectify: error: org 洞口县 (dongkou), which queued messages "
                                      "are for (dk-"));
  EXPECT_THAT(dispatch.err, HasSubstr(add_folder + "; nothing was sent: the messages stay queued"));
  EXPECT_EQ(Counts(), before);
  auto deliveries = Run({"--format", "json", "report", "deliveries"});
  EXPECT_EQ(deliveries.exit_code, 0) << deliveries.err;
  EXPECT_THAT(deliveries.out, Not(HasSubstr("delivered\":1")));
}

TEST_P(CountyFolderTest, CommandsThatOnlyReadChangeNothing) {
  // A fresh database: reading with the library loaded registers none of it.
  const std::string empty = Counts();
  EXPECT_THAT(empty, HasSubstr("\"definitions\":0,\"units\":0,\"people\":0"));
  EXPECT_EQ(Run({"report", "overdue"}).exit_code, 0);
  EXPECT_EQ(Run({"report", "summary"}).exit_code, 0);
  EXPECT_EQ(Run({"ledger", "export"}).exit_code, 0);
  EXPECT_EQ(Run({"ics", "--unit", "xinshao"}).exit_code, 0);
  EXPECT_EQ(Counts(), empty);

  ASSERT_NO_FATAL_FAILURE(RunTheQuarter());
  const std::string before = Counts();
  std::string file_before;
  if (GetParam() == Backend::kSqlite) {
    std::ifstream in(db_->dir().File("rectify.db"), std::ios::binary);
    file_before = std::string(std::istreambuf_iterator<char>(in), {});
  }
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"report", "overdue", "--as-of", kAsOf},
                                             {"report", "summary", "--as-of", kAsOf},
                                             {"report", "deliveries"},
                                             {"item", "show", "DK-1"},
                                             {"campaign", "show", "dongkou-2017q3"},
                                             {"ics", "--unit", "dongkou"},
                                             {"ledger", "export"}}) {
    auto r = RunCounty(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args[1] << ": " << r.err;
    // And without the county's folder: the library's orgs are not written in either.
    Run(args);
  }
  EXPECT_EQ(Counts(), before);
  if (GetParam() == Backend::kSqlite) {
    std::ifstream in(db_->dir().File("rectify.db"), std::ios::binary);
    EXPECT_TRUE(std::string(std::istreambuf_iterator<char>(in), {}) == file_before)
        << "the SQLite file changed";
  }
}

TEST_P(CountyFolderTest, FoldersFromTheEnvironmentAndWithoutTheLibrary) {
  // The org in one folder, the campaign in another: RECTIFY_DEFINITIONS takes both, like PATH.
  fs::create_directories(dir_.path() / "org-only");
  fs::create_directories(dir_.path() / "campaign-only");
  fs::copy(County() + "/orgs/dongkou.yaml", dir_.File("org-only/dongkou.yaml"));
  fs::copy(County() + "/campaigns/dongkou-2017q3.yaml", dir_.File("campaign-only/c.yaml"));
  std::map<std::string, std::string> env{
      {"RECTIFY_DEFINITIONS", dir_.File("org-only") + ":" + dir_.File("campaign-only")}};
  auto simulate = Simulate({"--campaign", "dongkou-2017q3"}, env);
  EXPECT_EQ(simulate.exit_code, 0) << simulate.err;
  auto start = Run({"campaign", "start", "dongkou-2017q3", "--at", "2017-07-03"}, env);
  EXPECT_EQ(start.exit_code, 0) << start.err;
  auto show = Run({"campaign", "show", "dongkou-2017q3"}, env);
  EXPECT_EQ(show.exit_code, 0) << show.err;

  // --no-library: the county's files alone do not know the national calendar.
  auto alone = Run({"validate", "--no-library", County()});
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_THAT(alone.err, HasSubstr("unknown calendar 'cn'"));
  // The library's chains name roles its orgs hold (jinkouhe-funds: the district's `finance`), so
  // the chains come with the orgs that give those roles.
  auto with_calendar = Run(
      {"validate", "--no-library", "--definitions", kSource + "/workflows/calendars",
       "--definitions", kSource + "/workflows/workflows", "--definitions",
       kSource + "/workflows/escalations", "--definitions", kSource + "/workflows/orgs", County()});
  EXPECT_EQ(with_calendar.exit_code, 0) << with_calendar.err;
  auto no_calendar =
      Run({"calendar", "is-workday", "--no-library", "--calendar", "cn", "2017-07-03"}, env);
  EXPECT_EQ(no_calendar.exit_code, 1);
  EXPECT_THAT(no_calendar.err, HasSubstr("no calendar named 'cn'"));

  // A folder named that does not hold a definition file.
  fs::create_directories(dir_.path() / "empty");
  auto empty = Run({"report", "overdue", "--definitions", dir_.File("empty")});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.err, HasSubstr(dir_.File("empty") + ": error: no definition file"));
}

TEST_P(CountyFolderTest, ACountysCopyOfTheDefaultChannelsReplacesTheLibrarys) {
  // Edited as workflows/channels/default.yaml invites: every message to letters in a folder of
  // the county's.
  std::ifstream in(kSource + "/workflows/channels/default.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  auto replace = [&](const std::string& from, const std::string& to) {
    auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("folder: var/outbox", "folder: " + dir_.File("county-letters"));
  replace("calendar: cn", "calendar: round-the-clock");
  for (const char* kind : {"email", "wecom", "dingtalk", "sms"}) {
    replace(std::string("  ") + kind + ": log", std::string("  ") + kind + ": letters");
  }
  fs::create_directories(dir_.path() / "county/channels");
  std::ofstream(dir_.File("county/channels/default.yaml")) << text;
  std::ofstream(dir_.File("county/channels/round-the-clock.yaml")) << RoundTheClockCalendar();

  auto explain = RunCounty({"explain", County() + "/channels/round-the-clock.yaml"});
  EXPECT_EQ(explain.exit_code, 0) << explain.err;
  EXPECT_THAT(explain.err, HasSubstr("note: channels default@1 replaces the library's"));
  auto validate = RunCounty({"validate", County()});
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_THAT(validate.err, HasSubstr(County() +
                                      "/channels/default.yaml:4:1: note: channels default@1 "
                                      "replaces the library's, in " +
                                      kSource + "/workflows/channels/default.yaml\n"));

  ASSERT_NO_FATAL_FAILURE(RunTheQuarter());
  auto dispatch = RunCounty({"dispatch", "--once"});
  EXPECT_EQ(dispatch.exit_code, 0) << dispatch.err;
  EXPECT_EQ(dispatch.out, "");  // no log channel: the county's file is in force
  std::size_t letters = 0;      // one JSON file a message (letters have their HTML beside it)
  for (const auto& e : fs::directory_iterator(dir_.File("county-letters"))) {
    letters += e.path().extension() == ".json";
  }
  EXPECT_EQ(letters, 10u);
  EXPECT_FALSE(fs::exists(dir_.path() / "var/outbox"));
}

TEST_P(CountyFolderTest, AFormatACommandDoesNotPrintIsAUsageError) {
  ASSERT_NO_FATAL_FAILURE(RunTheQuarter());
  auto show = RunCounty({"--format", "csv", "item", "show", "DK-1"});
  EXPECT_EQ(show.exit_code, 2);
  EXPECT_EQ(show.out, "");
  EXPECT_EQ(show.err,
            "rectify: usage error: --format csv: rectify item show prints text, json or jsonl\n");
  auto tick = RunCounty({"tick", "--format", "json"});
  EXPECT_EQ(tick.exit_code, 2);
  EXPECT_EQ(tick.err, "rectify: usage error: --format json: rectify tick prints text only\n");
  auto explain = RunCounty({"--format", "csv", "explain", County() + "/orgs/dongkou.yaml"});
  EXPECT_EQ(explain.exit_code, 2);
  EXPECT_THAT(explain.err, HasSubstr("rectify explain prints text or mermaid"));
  auto campaign = RunCounty({"--format", "jsonl", "campaign", "show", "dongkou-2017q3"});
  EXPECT_EQ(campaign.exit_code, 2);
  EXPECT_THAT(campaign.err, HasSubstr("rectify campaign show prints text or json"));
  // Where the format is printed, it still is.
  auto csv = RunCounty({"--format", "csv", "report", "overdue", "--as-of", kAsOf});
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, HasSubstr("unit,unit_path,item"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CountyFolderTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

// A file named on the command line is read from where the user stands: the command printed at the
// top of workflows/channels/rehearsal.yaml, with its relative path, and a county's copy of the
// library's channels file named relatively.
TEST(RelativePathsTest, AChannelsFileIsReadFromTheCurrentDirectory) {
  test::TempDir dir;
  fs::create_directory_symlink(kSource + "/workflows", dir.path() / "workflows");
  std::map<std::string, std::string> env{
      {"RECTIFY_HOME", kSource}, {"RECTIFY_DEFINITIONS", ""}, {"RECTIFY_DB", ""}};
  auto library =
      test::RunRectify({"simulate", "--campaign", "xinshao-2017", "--channels",
                        "workflows/channels/default.yaml", "--until", "2017-01-04", "--quiet"},
                       env, dir.path().string());
  EXPECT_EQ(library.exit_code, 0) << library.err;
  EXPECT_THAT(library.err, Not(HasSubstr("has no 'kind: channels' document")));

  fs::create_directories(dir.path() / "county");
  fs::copy(kSource + "/workflows/channels/default.yaml", dir.path() / "county/default.yaml");
  auto copy = test::RunRectify({"simulate", "--campaign", "xinshao-2017", "--channels",
                                "county/default.yaml", "--until", "2017-01-04", "--quiet"},
                               env, dir.path().string());
  EXPECT_EQ(copy.exit_code, 0) << copy.err;
  EXPECT_THAT(copy.err, Not(HasSubstr("duplicate")));
}

}  // namespace
}  // namespace rectify
