// `rectify simulate` through the real binary: a whole Xinshao 2017 year with the sample ledger,
// byte-for-byte the same on every run and on both backends, in time order, every line JSON with
// `at` and `event`, and every kind of event there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/store/store_test_env.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

using testing::CommandResult;
using ::testing::HasSubstr;
using testing::RunRectify;

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
        "transition", "reminder", "escalation", "notification", "campaign_closed"}) {
    EXPECT_TRUE(events.count(e)) << "no " << e;
  }
  for (const char* a : {"assign", "submit", "accept", "reject", "reopen", "hold", "file"}) {
    EXPECT_TRUE(actions.count(a)) << "no transition " << a;
  }
  EXPECT_THAT(lines.front(), HasSubstr("\"at\":\"2017-01-01T00:00:00+08:00\""));
  EXPECT_THAT(lines.back(), HasSubstr("\"at\":\"2018-01-01T00:00:00+08:00\""));

  // The same year on PostgreSQL, byte for byte.
  auto pg = testing::TestDatabase::Create(store_soci::Backend::kPostgresql);
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
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(
      r.out,
      HasSubstr("2017-04-01 00:00  phase_began         phase 夏季攻势 (summer_attack) began"));
  EXPECT_THAT(
      r.out,
      HasSubstr("2017-05-02 08:30  assessment          月度考核排名 2017-04-01..2017-04-30:"));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("\n2017-06-02")));  // stops at the end of 05-31
}

TEST(SimulateTest, BadSharesAndLedgersAreTheUsersError) {
  CommandResult shares = RunRectify(Args({"--on-time", "0.8", "--late", "0.5"}), Env());
  EXPECT_EQ(shares.exit_code, 1);
  EXPECT_THAT(shares.err, HasSubstr("--on-time and --late add up to more than 1"));
  testing::TempDir dir;
  std::string ledger = dir.File("bad.csv");
  {
    std::ofstream out(ledger);
    out << "id,title,unit,responsible,registered_at\nQ-1,t,niangxi,xs-0014,2017-04-21\n";
  }
  auto args = Args();
  args[4] = ledger;
  CommandResult bad = RunRectify(args, Env());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("row 1: the header has no column 'time_limit'"));
}

}  // namespace
}  // namespace rectify
