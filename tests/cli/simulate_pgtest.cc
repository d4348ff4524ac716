// `rectify simulate` through the real binary: a whole Xinshao 2017 year with the sample ledger,
// byte-for-byte the same on every run and on both backends, in time order, every line JSON with
// `at` and `event`, and every kind of event there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/store/store_test_env.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;

std::map<std::string, std::string> Env() {
  return {{"RECTIFY_DB", ""}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
}

std::vector<std::string> Args(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {
      "simulate",
      "--campaign",
      std::string(RECTIFY_SOURCE_DIR) + "/workflows/campaigns/xinshao-2017.yaml",
      "--items",
      std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/xinshao-2017-sample.csv",
      "--format",
      "jsonl",
      "--seed",
      "7"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(SimulateTest, AWholeYearIsDeterministicInTimeOrderAndHasEveryKindOfEvent) {
  CommandResult first = RunRectify(Args(), Env());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  CommandResult second = RunRectify(Args(), Env());
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(first.out == second.out) << "two runs differ";
  EXPECT_THAT(first.err, HasSubstr("simulated 2017-01-01 to 2017-12-31: "));
  std::cerr << first.err;  // the figure for docs/benchmarks.md

  auto lines = Lines(first.out);
  ASSERT_GT(lines.size(), 1000u);
  std::string previous;
  std::set<std::string> events;
  std::set<std::string> actions;
  for (const std::string& line : lines) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    const auto& o = v.as_object();
    ASSERT_TRUE(o.contains("at") && o.contains("event")) << line;
    std::string at(o.at("at").as_string());
    EXPECT_EQ(at.substr(19), "+08:00") << line;
    EXPECT_GE(at, previous) << line;  // one offset, so text order is time order
    previous = at;
    std::string event(o.at("event").as_string());
    events.insert(event);
    if (event == "transition") actions.insert(std::string(o.at("action").as_string()));
    if (event == "escalation" || event == "reminder" || event == "registered") {
      EXPECT_TRUE(o.contains("item") && o.contains("unit")) << line;
    }
  }
  for (const char* e :
       {"campaign_started", "phase_began", "phase_ended", "checkpoint_began", "checkpoint_ended",
        "checkpoint_opened", "look_back", "look_back_sampled", "assessment", "registered",
        "transition", "reminder", "escalation", "notification", "campaign_closed", "bulletin",
        // The monthly assessment as people do it (engine/assessment.h): marks, bonus points and
        // (with seed 7, once, in November) the one-vote veto, then the published ranking.
        "assessment_mark", "assessment_bonus", "assessment_veto"}) {
    EXPECT_TRUE(events.count(e)) << "no " << e;
  }
  for (const char* a : {"assign", "submit", "accept", "reject", "reopen", "hold", "file"}) {
    EXPECT_TRUE(actions.count(a)) << "no transition " << a;
  }
  int published = 0;
  for (const std::string& line : lines) {
    published += line.find("\"event\":\"assessment\"") != std::string::npos &&
                 line.find("\"published\":true") != std::string::npos;
  }
  EXPECT_EQ(published, 11) << "January to November published, December's after the year";
  EXPECT_THAT(lines.front(), HasSubstr("\"at\":\"2017-01-01T00:00:00+08:00\""));
  EXPECT_THAT(lines.back(), HasSubstr("\"at\":\"2018-01-01T00:00:00+08:00\""));

  // The same year on PostgreSQL, byte for byte.
  auto pg = test::TestDatabase::Create(store_soci::Backend::kPostgresql);
  ASSERT_TRUE(pg.ok()) << pg.error().message();
  std::vector<std::string> on_pg = {"--db", (*pg)->url()};
  auto args = Args();
  on_pg.insert(on_pg.end(), args.begin(), args.end());
  CommandResult postgres = RunRectify(on_pg, Env());
  ASSERT_EQ(postgres.exit_code, 0) << postgres.err;
  EXPECT_TRUE(postgres.out == first.out) << "PostgreSQL's year differs from SQLite's";
}

TEST(SimulateTest, UntilStopsEarlyAndTextIsForPeople) {
  auto args = Args({"--until", "2017-05-31", "--quiet"});
  args[6] = "text";  // --format text
  CommandResult r = RunRectify(args, Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // --quiet drops progress and the summary, not what the user must know: four rows are later.
  EXPECT_EQ(r.err, std::string(RECTIFY_SOURCE_DIR) +
                       "/workflows/ledgers/xinshao-2017-sample.csv:94:5: warning: "
                       "registered_at: 2017-06-01T09:00:00+08:00 is after the run ends "
                       "(2017-06-01T00:00:00+08:00), so this row and 3 later ones are not "
                       "registered (hint: run further (--until) to see them)\n");
  EXPECT_THAT(
      r.out,
      HasSubstr("2017-04-01 00:00  phase_began         phase 夏季攻势 (summer_attack) began"));
  EXPECT_THAT(
      r.out,
      HasSubstr("2017-05-02 08:30  assessment          月度考核排名 2017-04-01..2017-04-30:"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("\n2017-06-02")));  // stops at the end of 05-31
}

TEST(SimulateTest, BadSharesAreTheUsersError) {
  CommandResult shares = RunRectify(Args({"--on-time", "0.8", "--late", "0.5"}), Env());
  EXPECT_EQ(shares.exit_code, 1);
  EXPECT_EQ(shares.err,
            "rectify: error: --on-time and --late add up to more than 1; the rest never submit\n");
  CommandResult reject = RunRectify(Args({"--reject", "1.5"}), Env());
  EXPECT_EQ(reject.exit_code, 1);
  EXPECT_EQ(reject.err, "rectify: error: --reject is a share between 0 and 1, e.g. 0.25\n");
  EXPECT_EQ(reject.out, "");
}

// The ledger of --items is read and checked as `rectify ledger import` reads it (ledger.h):
// every problem at its row and column, and nothing runs when there is one.
class SimulateLedgerTest : public ::testing::Test {
 protected:
  std::string Ledger(const std::string& text) {
    std::string path = dir_.File("ledger.csv");
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::vector<std::string> WithLedger(const std::string& path,
                                      std::vector<std::string> extra = {}) {
    auto args = Args(std::move(extra));
    args[4] = path;
    return args;
  }
  test::TempDir dir_;
};

TEST_F(SimulateLedgerTest, AWrongRowStopsTheWholeRunWithEveryProblemAtItsRowAndColumn) {
  std::string ledger = Ledger(
      "id,title,unit,responsible,registered_at,time_limit\n"
      "Q-1,危房改造对象识别不准,niangxi,xs-0014,2017-04-21,10wd\n"
      "Q-2,扶贫资金拨付滞后,niangxii,xs-0014,2017-04-21,10wd\n"
      "Q-3,驻村工作队考勤不实,yantang,xs-0025,2017-04-24,10 days\n"
      "Q-4,台账缺失,yantang,xs-0025,2017-04-24,15wd\n");
  std::string db = "sqlite:" + dir_.File("sim.db");
  auto args = WithLedger(ledger);
  args.insert(args.begin(), {"--db", db});
  CommandResult r = RunRectify(args, Env());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");  // not one event: nothing ran
  EXPECT_EQ(r.err, ledger +
                       ":3:3: error: unit: no unit 'niangxii' in the loaded orgs (hint: did you "
                       "mean 'niangxi'?)\n" +
                       ledger +
                       ":4:6: error: time_limit: '10 days' is not a duration or a date (hint: "
                       "write a duration such as 10wd (working days), 15d, or a date such as "
                       "2017-05-15)\n"
                       "rectify: error: " +
                       ledger + ": 2 errors; nothing was run\n");
  // The database the simulation was given holds no campaign run and no item.
  CommandResult status = RunRectify({"--db", db, "--format", "json", "status"}, Env());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("\"instances\":0"));
}

TEST_F(SimulateLedgerTest, AMissingColumnAndAnUnreadableFileAreTheUsersError) {
  std::string ledger =
      Ledger("id,title,unit,responsible,registered_at\nQ-1,t,niangxi,xs-0014,2017-04-21\n");
  CommandResult bad = RunRectify(WithLedger(ledger), Env());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.out, "");
  EXPECT_THAT(bad.err, HasSubstr(ledger + ":1: error: missing required column time_limit"));
  EXPECT_THAT(bad.err, HasSubstr("rectify: error: " + ledger + ": 1 error; nothing was run\n"));

  CommandResult missing = RunRectify(WithLedger(dir_.File("no-such.csv")), Env());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "rectify: error: cannot read the ledger " + dir_.File("no-such.csv") +
                             "; check the path\n");
}

TEST_F(SimulateLedgerTest, ChineseHeadersNamesAndTheCampaignsDefaultTimeLimitAreAccepted) {
  // As a county office saves its 问题台账: Chinese headers, a byte order mark, CRLF, the unit and
  // the person by name, and a row without a time limit (the campaign's items.time_limit, 15wd).
  std::string ledger = Ledger(
      "\xEF\xBB\xBF编号,问题,责任单位,责任人,登记日期,整改时限,专项行动\r\n"
      "Q-1,危房改造对象识别不准,酿溪镇,唐强华,2017-04-21,10wd,accurate_identification\r\n"
      "Q-2,\"扶贫资金拨付滞后，\"\"群众\"\"反映强烈\",严塘镇,xs-0025,2017-04-24,,\r\n");
  CommandResult r = RunRectify(WithLedger(ledger, {"--until", "2017-05-31", "--quiet"}), Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> registered, deadlines;
  for (const std::string& line : Lines(r.out)) {
    auto o = boost::json::parse(line).as_object();
    std::string item = o.contains("item") ? std::string(o.at("item").as_string()) : "";
    if (!item.starts_with("Q-") || item.find('/') != std::string::npos) continue;
    if (o.at("event") == "transition" && o.at("action") == "assign") {
      deadlines.push_back(item + " " + std::string(o.at("deadline").as_string()));
    }
    if (o.at("event") != "registered") continue;
    registered.push_back(std::string(o.at("at").as_string()) + " " +
                         std::string(o.at("item").as_string()) + " " +
                         std::string(o.at("unit").as_string()));
  }
  EXPECT_THAT(registered, ::testing::ElementsAre("2017-04-21T09:00:00+08:00 Q-1 niangxi",
                                                 "2017-04-24T09:00:00+08:00 Q-2 yantang"));
  // The campaign works the weekends of its special rectification (04-21 .. 05-21), May 1 stays a
  // holiday: Q-1 (10wd from 04-21: 04-22 .. 04-28, 05-02 .. 05-04) is due at the end of 05-04;
  // Q-2 (the default 15wd from 04-24: 04-25 .. 04-28, 05-02 .. 05-12) at the end of 05-12.
  EXPECT_THAT(deadlines, ::testing::ElementsAre("Q-1 2017-05-05T00:00:00+08:00",
                                                "Q-2 2017-05-13T00:00:00+08:00"));
}

TEST_F(SimulateLedgerTest, AnIdAlreadyInTheDatabaseStopsTheRun) {
  std::string db = "sqlite:" + dir_.File("sim.db");
  std::map<std::string, std::string> env = {{"RECTIFY_DB", db},
                                            {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
  ASSERT_EQ(RunRectify({"migrate"}, env).exit_code, 0);
  auto add = RunRectify(
      {"item", "add", "--id", "Q-1", "--unit", "niangxi", "--responsible", "xs-0014", "--title",
       "台账不实", "--time-limit", "10wd", "--as", "xs-0009", "--at", "2017-04-21T10:00:00+08:00"},
      env);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  std::string ledger = Ledger(
      "id,title,unit,responsible,registered_at,time_limit\n"
      "Q-1,危房改造对象识别不准,niangxi,xs-0014,2017-04-21,10wd\n");
  auto args = WithLedger(ledger);
  args.insert(args.begin(), {"--db", db});
  CommandResult r = RunRectify(args, Env());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(ledger + ":2:1: error: id: item 'Q-1' already exists in the "
                                        "database (state registered)"));
}

TEST_F(SimulateLedgerTest, RowsRegisteredAfterTheRunEndsAreAWarningNotASilentDrop) {
  std::string ledger = Ledger(
      "id,title,unit,responsible,registered_at,time_limit\n"
      "Q-1,危房改造对象识别不准,niangxi,xs-0014,2017-04-21,10wd\n"
      "Q-2,扶贫资金拨付滞后,niangxi,xs-0014,2017-06-05,10wd\n"
      "Q-3,驻村工作队考勤不实,yantang,xs-0025,2017-06-06,10wd\n");
  CommandResult r = RunRectify(WithLedger(ledger, {"--until", "2017-05-31", "--quiet"}), Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, ledger +
                       ":3:5: warning: registered_at: 2017-06-05T09:00:00+08:00 is after the run "
                       "ends (2017-06-01T00:00:00+08:00), so this row and 1 later ones are not "
                       "registered (hint: run further (--until) to see them)\n");
  EXPECT_THAT(r.out, HasSubstr(R"("item":"Q-1")"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr(R"("item":"Q-2")")));
}

// The scripted behaviour decides the year: who submits on time, who late, who never; what a
// verifier sends back; what a look back reopens; and the seed picks who is who.
struct Outcome {
  int escalations = 0;                       // escalation steps of ledger items
  int accountability = 0;                    // the last step: never submitted at all
  std::map<std::string, int> actions;        // transitions of ledger items by action
  int sampled = 0;                           // items a look back sampled
  std::set<std::string> accepted, rejected;  // items
};

Outcome Count(const std::string& out) {
  Outcome o;
  for (const std::string& line : Lines(out)) {
    auto v = boost::json::parse(line).as_object();
    std::string event(v.at("event").as_string());
    std::string item = v.contains("item") ? std::string(v.at("item").as_string()) : "";
    if (event == "escalation" && item.starts_with("XS-") && item.find('/') == std::string::npos) {
      ++o.escalations;
      o.accountability += v.at("measure") == "accountability";
    }
    bool ledger_item = item.starts_with("XS-") && item.find('/') == std::string::npos;
    if (event == "transition" && ledger_item) {
      std::string action(v.at("action").as_string());
      ++o.actions[action];
      if (action == "accept") o.accepted.insert(item);
      if (action == "reject") o.rejected.insert(item);
    }
    if (event == "look_back_sampled") ++o.sampled;
  }
  return o;
}

TEST(SimulateBehaviourTest, TheSharesAndTheSeedChangeTheYear) {
  auto run = [](std::vector<std::string> extra, const std::string& seed = "7") {
    extra.insert(extra.end(), {"--until", "2017-07-31", "--quiet"});
    auto args = Args(extra);
    args[8] = seed;  // --seed
    CommandResult r = RunRectify(args, Env());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  };
  std::string usual = run({});  // --on-time 0.6 --late 0.25 --reject 0.15 --look-back-fail 0.3
  Outcome u = Count(usual);
  EXPECT_GT(u.escalations, 0);
  EXPECT_GT(u.actions["reject"], 0);
  EXPECT_GT(u.actions["reopen"], 0);

  // Everyone on time, no verifier sends anything back, no look back fails: not one escalation.
  Outcome diligent =
      Count(run({"--on-time", "1", "--late", "0", "--reject", "0", "--look-back-fail", "0"}));
  EXPECT_EQ(diligent.escalations, 0);
  EXPECT_EQ(diligent.accountability, 0);
  EXPECT_EQ(diligent.actions["reject"], 0);
  EXPECT_EQ(diligent.actions["reopen"], 0);
  EXPECT_GT(diligent.actions["accept"], u.actions["accept"]);
  EXPECT_GT(diligent.sampled, 0);  // the look back still samples; it finds nothing

  // Few on time and many never: more steps, and some climb to accountability; every first
  // verification sent back; every sampled item reopened.
  Outcome lax =
      Count(run({"--on-time", "0.2", "--late", "0.3", "--reject", "1", "--look-back-fail", "1"}));
  EXPECT_GT(lax.escalations, u.escalations);
  EXPECT_GT(lax.accountability, u.accountability);
  EXPECT_GT(lax.actions["reject"], u.actions["reject"]);
  // Each item accepted was sent back first.
  EXPECT_TRUE(std::includes(lax.rejected.begin(), lax.rejected.end(), lax.accepted.begin(),
                            lax.accepted.end()));
  EXPECT_FALSE(lax.accepted.empty());
  EXPECT_EQ(lax.actions["reopen"], lax.sampled);
  EXPECT_GT(lax.sampled, 0);

  // The seed picks who does what: the same seed gives the same bytes, another seed another year.
  EXPECT_TRUE(run({}) == usual) << "the same seed gave another year";
  std::string other = run({}, "8");
  EXPECT_FALSE(other == usual) << "seed 8 gave seed 7's year";
  EXPECT_EQ(Lines(other).front(), Lines(usual).front());  // the campaign itself is the same
}

}  // namespace
}  // namespace rectify
