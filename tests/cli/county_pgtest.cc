// A new county runs its own campaign (issue 12), as its headquarters officer would: its org, its
// own six-step escalation ladder and a third-quarter campaign written in a folder of its own
// (tests/cli/county/, copied to a temporary folder that is not shipped), used beside the shipped
// library through RECTIFY_DEFINITIONS or --definitions. The quarter is simulated, then run for
// real through the `rectify` binary on SQLite and PostgreSQL: campaign start, a ledger headed in
// Chinese with office dates and no verifier column, a cadre submitting, the verifier accepting,
// tick, dispatch and the reports. What ran must be what the campaign says, and what the
// simulation showed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/store/soci/database.h"
#include "adapters/store/soci/database_url.h"
#include "tests/store/store_test_env.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using store_soci::Backend;
using test::CommandResult;
using test::RunRectify;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCampaign[] = "qingshui-2018-q3";
constexpr char kEnd[] = "2018-09-30T23:00:00+08:00";

// One escalation step as a person reads it in the timeline or the item's history.
struct Step {
  std::string at;
  std::string measure;
  std::vector<std::string> recipients;
  bool operator==(const Step&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Step& s) {
  os << s.at << " " << s.measure << " [";
  for (const auto& r : s.recipients) os << r << " ";
  return os << "]";
}

std::vector<std::string> Strings(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& e : v.as_array()) out.emplace_back(e.as_string());
  return out;
}

class CountyTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    county_ = db_->dir().path() / "qingshui";
    fs::create_directories(county_);
    for (const char* f : {"org.yaml", "ladder.yaml", "campaign.yaml", "ledger.csv"}) {
      fs::copy_file(fs::path(RECTIFY_SOURCE_DIR) / "tests/cli/county" / f, county_ / f);
    }
  }

  // The environment of a county office: the shipped library, plus its own folder.
  std::map<std::string, std::string> CountyEnv() const {
    return {{"RECTIFY_DB", ""},
            {"RECTIFY_HOME", RECTIFY_SOURCE_DIR},
            {"RECTIFY_DEFINITIONS", county_.string()}};
  }
  // Somebody who forgot the county's folder.
  std::map<std::string, std::string> LibraryOnlyEnv() const {
    return {{"RECTIFY_DB", ""}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}, {"RECTIFY_DEFINITIONS", ""}};
  }
  CommandResult Rectify(std::vector<std::string> args, bool with_county = true) {
    args.insert(args.begin(), {"--db", db_->url()});
    return RunRectify(args, with_county ? CountyEnv() : LibraryOnlyEnv(),
                      db_->dir().path().string());
  }
  CommandResult MustRun(std::vector<std::string> args) {
    CommandResult r = Rectify(args);
    EXPECT_EQ(r.exit_code, 0) << "rectify " << ::testing::PrintToString(args) << "\n"
                              << r.out << r.err;
    return r;
  }

  // Row counts of every table that holds the campaign's state: a read-only command must leave
  // each one as it was.
  std::map<std::string, long long> Counts() {
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    EXPECT_TRUE(url.ok());
    auto opened = store_soci::Database::Open(*url, {});
    EXPECT_TRUE(opened.ok()) << opened.error().message();
    std::map<std::string, long long> counts;
    for (const char* table : {"definitions", "instances", "timers", "outbox", "audit_log",
                              "delivery_attempts", "documents", "units", "people"}) {
      long long n = 0;
      (*opened)->session() << "SELECT COUNT(*) FROM " << table, soci::into(n);
      counts[table] = n;
    }
    return counts;
  }

  // The real run of the quarter up to `kEnd`: QS-2018-001 submitted and accepted, QS-2018-002
  // left alone.
  void RunTheQuarter() {
    MustRun({"migrate"});
    MustRun({"campaign", "start", kCampaign, "--at", "2018-07-01T08:00:00+08:00"});
    CommandResult imported =
        MustRun({"ledger", "import", (county_ / "ledger.csv").string(), "--campaign", kCampaign,
                 "--as", "qs-020", "--at", "2018-07-16T09:00:00+08:00"});
    EXPECT_THAT(imported.out, HasSubstr("imported 2 items"));
    MustRun({"item", "act", "QS-2018-001", "submit", "--as", "qs-102", "--evidence-text",
             "东村危房改造补助资金已拨付到户，附银行回单", "--at", "2018-07-25T10:00:00+08:00"});
    // No verifier column: the verifier role within the item's scope (the county's inspection
    // office) decides.
    MustRun({"item", "act", "QS-2018-001", "accept", "--as", "qs-020", "--at",
             "2018-07-27T10:00:00+08:00"});
    MustRun({"tick", "--until", kEnd});
  }

  std::vector<Step> RealSteps(const std::string& item) {
    CommandResult shown = MustRun({"--format", "json", "item", "show", item, "--at", kEnd});
    std::vector<Step> steps;
    json::value v = json::parse(shown.out);
    for (const auto& a : v.at("audit").as_array()) {
      if (a.at("event") != "escalate") continue;
      const auto& d = a.at("data");
      steps.push_back({std::string(a.at("at").as_string()),
                       std::string(d.at("measure").as_string()), Strings(d.at("recipients"))});
    }
    return steps;
  }

  std::unique_ptr<test::TestDatabase> db_;
  fs::path county_;
};

// By hand, on the cn calendar: registered Monday 2018-07-16, 10 working days, due at the end of
// Monday 2018-07-30 (no holiday in between). The ladder counts working days from the missed
// deadline and acts at the start of the working day it reaches: 07-31 (after 0, at once), 08-01
// (2wd), 08-03 (4wd), 08-07 (6wd), 08-09 (8wd), 08-13 (10wd).
const std::vector<Step> kLadder = {
    {"2018-07-31T00:00:00+08:00", "reminder_letter", {"qs-202", "qs-201"}},
    {"2018-08-01T08:30:00+08:00", "supervision_letter", {"qs-201", "qs-002"}},
    {"2018-08-03T08:30:00+08:00", "warning_interview", {"qs-201", "qs-001"}},
    {"2018-08-07T08:30:00+08:00", "suspend_payment", {"qs-030", "qs-201"}},
    {"2018-08-09T08:30:00+08:00", "informed_criticism", {"qs-201", "qs-001"}},
    {"2018-08-13T08:30:00+08:00", "accountability", {"qs-010"}},
};

TEST_P(CountyTest, TheCountysFolderValidatesAndExplainsBesideTheLibrary) {
  CommandResult v = Rectify({"validate", county_.string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_THAT(v.err, HasSubstr("0 errors, 0 warnings in 3 files"));

  CommandResult e = MustRun({"explain", kCampaign});
  EXPECT_THAT(e.out, HasSubstr("qingshui-ladder"));
  EXPECT_THAT(e.out, HasSubstr("rectification-item"));
}

TEST_P(CountyTest, TheRealQuarterRunsTheCountysLadderAsTheSimulationShowed) {
  // The simulation: nobody rectifies, so every item climbs the whole ladder.
  // On a database of its own (in memory), as a headquarters officer tries a quarter first.
  CommandResult sim =
      RunRectify({"--db", "sqlite::memory:", "--format", "jsonl", "simulate", "--definitions",
                  county_.string(), "--campaign", kCampaign, "--items",
                  (county_ / "ledger.csv").string(), "--on-time", "0", "--late", "0", "--quiet"},
                 LibraryOnlyEnv(), db_->dir().path().string());
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  std::vector<Step> simulated;
  std::istringstream lines(sim.out);
  for (std::string line; std::getline(lines, line);) {
    json::value e = json::parse(line);
    if (e.at("event") != "escalation" || e.at("item") != "QS-2018-002") continue;
    simulated.push_back({std::string(e.at("at").as_string()),
                         std::string(e.at("measure").as_string()), Strings(e.at("recipients"))});
  }
  EXPECT_EQ(simulated, kLadder);

  RunTheQuarter();
  EXPECT_EQ(RealSteps("QS-2018-002"), kLadder);
  EXPECT_EQ(RealSteps("QS-2018-002"), simulated);

  CommandResult closed = MustRun({"--format", "json", "item", "show", "QS-2018-001", "--at", kEnd});
  EXPECT_EQ(json::parse(closed.out).at("state"), "closed");
}

TEST_P(CountyTest, RemindersGoOutInWorkingHoursOnTheLastDayApartFromTheLetter) {
  RunTheQuarter();
  CommandResult shown = MustRun({"--format", "json", "item", "show", "QS-2018-002", "--at", kEnd});
  std::vector<std::string> reminders;
  std::vector<std::string> letters;
  json::value item = json::parse(shown.out);
  for (const auto& a : item.at("audit").as_array()) {
    if (a.at("event") == "remind") reminders.emplace_back(a.at("at").as_string());
    if (a.at("event") == "escalate") letters.emplace_back(a.at("at").as_string());
  }
  // -5wd, -1wd and 0: the morning of each day, the last one on the deadline day itself.
  EXPECT_THAT(reminders, ElementsAre("2018-07-23T08:30:00+08:00", "2018-07-27T08:30:00+08:00",
                                     "2018-07-30T08:30:00+08:00"));
  for (const auto& r : reminders) EXPECT_THAT(letters, Not(::testing::Contains(r)));
}

TEST_P(CountyTest, ReportsAndDispatchNameTheCountysPeople) {
  RunTheQuarter();
  CommandResult overdue = MustRun({"report", "overdue", "--campaign", kCampaign, "--as-of", kEnd});
  EXPECT_THAT(overdue.out, HasSubstr("QS-2018-002"));
  EXPECT_THAT(overdue.out, HasSubstr("红山乡"));
  EXPECT_THAT(overdue.out, Not(HasSubstr("QS-2018-001")));

  // Delivered to a folder, on a calendar open around the clock so the test passes at any hour.
  fs::path letters = db_->dir().path() / "letters";
  fs::path channels = db_->dir().path() / "channels.yaml";
  std::string years;
  for (int y = 2016; y <= 2040; ++y)
    years += (years.empty() ? "" : ", ") + std::to_string(y) + ": {}";
  std::ofstream(channels)
      << "kind: calendar\nname: round-the-clock\ntimezone: Asia/Shanghai\n"
         "workweek: [mon, tue, wed, thu, fri, sat, sun]\n"
         "working_hours: \"00:00-24:00\"\nyears: { "
      << years << " }\n---\nkind: channels\nname: county-test\n"
      << "calendar: round-the-clock\nchannels:\n  letters: { kind: file, folder: "
      << letters.string() << " }\nroutes: { email: letters, wecom: letters, "
      << "dingtalk: letters, sms: letters, inbox: letters, bulletin: letters }\n";

  // Without the county's folder nothing is sent to bare ids: dispatch says what to add, and the
  // outbox is as it was.
  auto before = Counts();
  CommandResult blind = Rectify({"dispatch", "--once", "--channels", channels.string()}, false);
  EXPECT_EQ(blind.exit_code, 1) << blind.out << blind.err;
  EXPECT_THAT(blind.err, HasSubstr("qingshui"));
  EXPECT_THAT(blind.err, HasSubstr("--definitions"));
  EXPECT_EQ(Counts(), before);
  EXPECT_FALSE(fs::exists(letters) && !fs::is_empty(letters));

  CommandResult sent = MustRun({"dispatch", "--once", "--channels", channels.string()});
  std::string all;
  for (const auto& f : fs::directory_iterator(letters)) {
    std::ifstream in(f.path());
    all += std::string(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_THAT(all, HasSubstr("周平"));    // the finance bureau's head, told of the suspension
  EXPECT_THAT(all, HasSubstr("清水县"));  // letters signed by the county
}

TEST_P(CountyTest, WithoutTheCountysFolderCommandsSaySoAndChangeNothing) {
  RunTheQuarter();
  auto before = Counts();
  for (std::vector<std::string> args :
       {std::vector<std::string>{"report", "overdue", "--campaign", kCampaign, "--as-of", kEnd},
        {"report", "summary", "--campaign", kCampaign, "--as-of", kEnd},
        {"campaign", "show", kCampaign},
        {"item", "show", "QS-2018-002", "--at", kEnd}}) {
    CommandResult r = Rectify(args, false);
    EXPECT_EQ(r.exit_code, 1) << ::testing::PrintToString(args) << "\n" << r.out << r.err;
    EXPECT_THAT(r.err, HasSubstr("--definitions")) << ::testing::PrintToString(args);
    EXPECT_THAT(r.out, Not(HasSubstr("0 items"))) << ::testing::PrintToString(args);
  }
  // Reading with the county's folder changes nothing either.
  MustRun({"report", "summary", "--campaign", kCampaign, "--as-of", kEnd});
  MustRun({"item", "show", "QS-2018-002", "--at", kEnd});
  EXPECT_EQ(Counts(), before);
}

INSTANTIATE_TEST_SUITE_P(Backends, CountyTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
