// The seed years rehearsed whole through the real binary (`rectify simulate`), on SQLite and on
// PostgreSQL, with what a county officer would check against the seeds:
//   - Jinkouhe 2017 (seed 000: "special supervision and inspection of poverty 5 times, issued
//     bulletin 5, 113 issues existing in 6 townships, 8 district level departments, 6 villages,
//     2 primary schools"): five rounds, 113 problems, a bulletin three working days after each
//     round, numbered 2017年第1期..第5期, the problems per unit kind; and (campaign version 4) the
//     monthly assessment of its townships and departments, published each month with the
//     escalation measures deducted;
//   - Hecheng 2017 (seed 003): reports from the public come in, are confirmed into items found by
//     public_report, and the reporter is told.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>
#include <sstream>

#include "tests/store/store_test_env.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

namespace json = boost::json;
using test::Backend;
using test::CommandResult;
using test::RunRectify;

std::map<std::string, std::string> Env() {
  return {{"RECTIFY_DB", ""}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
}

std::vector<json::object> Events(const std::string& out) {
  std::vector<json::object> events;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) events.push_back(json::parse(line).as_object());
  return events;
}

std::string S(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

class SeedYearsTest : public ::testing::TestWithParam<Backend> {
 protected:
  CommandResult Simulate(const std::string& campaign, const std::string& ledger,
                         std::vector<std::string> extra = {}) {
    auto db = test::TestDatabase::Create(GetParam());
    EXPECT_TRUE(db.ok()) << db.error().message();
    if (!db.ok()) return {};
    std::vector<std::string> args = {
        "--db",
        (*db)->url(),
        "simulate",
        "--campaign",
        std::string(RECTIFY_SOURCE_DIR) + "/workflows/campaigns/" + campaign + ".yaml",
        "--items",
        std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/" + ledger + ".csv",
        "--format",
        "jsonl",
        "--seed",
        "7",
        "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunRectify(args, Env());
  }
};

TEST_P(SeedYearsTest, Jinkouhe2017HasFiveRoundsFiveBulletinsAnd113Problems) {
  CommandResult r = Simulate("jinkouhe-2017", "jinkouhe-2017-findings");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto events = Events(r.out);

  // 113 problems: each recorded as a finding of its round and confirmed into an item.
  std::set<std::string> items;
  std::map<std::string, int> per_round;
  for (const json::object& e : events) {
    std::string item = S(e, "item");
    // The problems, not the follow-up interview tasks their chains opened (JKH-2017-003/...).
    if (S(e, "event") != "registered" || item.rfind("JKH-2017-", 0) != 0 ||
        item.find('/') != std::string::npos) {
      continue;
    }
    items.insert(item);
    ++per_round[S(e, "round")];
  }
  EXPECT_EQ(items.size(), 113u);
  EXPECT_EQ(per_round, (std::map<std::string, int>{{"special_1", 24},
                                                   {"special_2", 25},
                                                   {"special_3", 22},
                                                   {"special_4", 21},
                                                   {"special_5", 21}}));

  // Five bulletins, each three working days after its round's last day (a Friday): the
  // Wednesday after, at 10:00; the rounds checked by hand against the calendar (no holiday falls
  // in those weeks: Qingming is April 2-4, Labour Day May 1, Dragon Boat May 28-30, National Day
  // October 1-8).
  struct Expected {
    std::string number, at, round;
    std::int64_t problems;
  };
  const std::vector<Expected> expected = {
      {"2017年第1期", "2017-03-22T10:00:00+08:00", "special_1", 24},
      {"2017年第2期", "2017-05-17T10:00:00+08:00", "special_2", 25},
      {"2017年第3期", "2017-07-19T10:00:00+08:00", "special_3", 22},
      {"2017年第4期", "2017-09-20T10:00:00+08:00", "special_4", 21},
      {"2017年第5期", "2017-11-22T10:00:00+08:00", "special_5", 21},
  };
  std::vector<json::object> bulletins;
  for (const json::object& e : events) {
    if (S(e, "event") == "bulletin") bulletins.push_back(e);
  }
  ASSERT_EQ(bulletins.size(), expected.size()) << r.out.substr(0, 2000);
  std::int64_t problems = 0;
  std::map<std::string, std::int64_t> per_kind;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const json::object& b = bulletins[i];
    const Expected& x = expected[i];
    EXPECT_EQ(S(b.at("number_label").as_object(), "zh"), x.number);
    EXPECT_EQ(S(b.at("number_label").as_object(), "en"), "2017 No. " + std::to_string(i + 1));
    EXPECT_EQ(S(b, "at"), x.at);
    EXPECT_EQ(S(b, "issued_on"), x.at.substr(0, 10));
    EXPECT_EQ(S(b, "round"), x.round);
    // Sent to the 6 townships and 8 district departments; their villages and schools counted in.
    EXPECT_EQ(b.at("units").as_int64(), 14);
    EXPECT_EQ(b.at("problems").as_int64(), x.problems) << json::serialize(b);
    problems += b.at("problems").as_int64();
    for (const json::value& k : b.at("problems_by_kind").as_array()) {
      per_kind[S(k.as_object(), "kind")] += k.as_object().at("problems").as_int64();
    }
  }
  EXPECT_EQ(problems, 113);
  EXPECT_EQ(per_kind, (std::map<std::string, std::int64_t>{
                          {"township", 46}, {"department", 37}, {"village", 25}, {"school", 5}}));

  // The units that had problems over the year: 6 townships, 8 departments, 6 villages, 2 schools.
  std::set<std::string> units;
  for (const json::object& e : events) {
    if (S(e, "event") == "registered" && items.count(S(e, "item"))) units.insert(S(e, "unit"));
  }
  EXPECT_EQ(units.size(), 22u);

  // Each bulletin goes to the heads of the 14 units in its scope (the run's own notices, a
  // round opened, are messages of the same kind, without a number).
  int sent = 0;
  for (const json::object& e : events) {
    sent += S(e, "event") == "notification" && S(e, "template") == "bulletin" &&
            S(e, "message").rfind("2017年第", 0) == 0;
  }
  EXPECT_EQ(sent, 5 * 14);

  // The monthly assessment (jinkouhe-monthly): January to November, each published by the
  // district's leader 曾勇 (jkh-02) early in the month after, the 6 townships and the 8
  // departments ranked apart.
  std::map<std::string, json::array> published;  // period -> its ranking
  for (const json::object& e : events) {
    const json::value* p = e.if_contains("published");
    if (S(e, "event") != "assessment" || !p || !p->is_bool() || !p->as_bool()) continue;
    EXPECT_EQ(S(e, "by"), "jkh-02");
    published[S(e, "period_label")] = e.at("ranking").as_array();
  }
  std::vector<std::string> periods;
  periods.reserve(published.size());
  for (const auto& [period, ranking] : published) periods.push_back(period);
  EXPECT_EQ(periods, (std::vector<std::string>{"2017-01", "2017-02", "2017-03", "2017-04",
                                               "2017-05", "2017-06", "2017-07", "2017-08",
                                               "2017-09", "2017-10", "2017-11"}));
  // "name score -deducted" per rank, townships then departments, as the ranking sheet lists them.
  auto sheet = [&](const std::string& period, const std::string& kind) {
    std::vector<std::string> out;
    for (const json::value& v : published[period]) {
      const json::object& row = v.as_object();
      if (S(row, "kind") != kind) continue;
      out.push_back(std::to_string(row.at("rank").as_int64()) + "." + S(row, "name") + " " +
                    S(row, "score") + " -" + S(row, "deducted") +
                    (row.contains("vetoes") ? " 否决" : ""));
    }
    return out;
  };
  for (const auto& [period, ranking] : published) {
    EXPECT_EQ(sheet(period, "township").size(), 6u) << period;
    EXPECT_EQ(sheet(period, "department").size(), 8u) << period;
  }
  // January: no item was overdue yet, so the marks alone decide.
  EXPECT_EQ(sheet("2017-01", "township"),
            (std::vector<std::string>{"1.金河镇 91.1 -0.0", "2.永胜乡 83.5 -0.0",
                                      "3.吉星乡 81.2 -0.0", "4.永和镇 80.5 -0.0",
                                      "5.共安彝族乡 78.1 -0.0", "6.和平彝族乡 75.4 -0.0"}));
  // April: the first round's problems went overdue and climbed the ladder (reminder letter 0.5,
  // supervision and suggestion letters 1, work interview 2, ...): 金河镇, first in January,
  // is last with 15 points deducted.
  EXPECT_EQ(sheet("2017-04", "township"),
            (std::vector<std::string>{"1.永胜乡 80.3 -7.5", "2.和平彝族乡 78.9 -2.0",
                                      "3.吉星乡 69.6 -11.5", "4.共安彝族乡 64.5 -12.0",
                                      "5.永和镇 61.0 -11.5", "6.金河镇 59.9 -15.0"}));
  // May: accountability processing in two townships fails them whatever their score (一票否决):
  // 吉星乡's 65.6 ranks below 永胜乡's 59.1.
  EXPECT_EQ(sheet("2017-05", "township"),
            (std::vector<std::string>{"1.共安彝族乡 85.4 -9.0", "2.和平彝族乡 71.3 -10.0",
                                      "3.金河镇 67.6 -6.0", "4.永胜乡 59.1 -10.0",
                                      "5.吉星乡 65.6 -18.0 否决", "6.永和镇 52.0 -17.0 否决"}));
  EXPECT_EQ(sheet("2017-05", "department").front(), "1.区农业农村局 86.0 -4.0");
  // Each deduction names the measure and the item it comes from.
  bool measured = false;
  for (const json::value& v : published["2017-04"]) {
    for (const json::value& d : v.as_object().at("deductions").as_array()) {
      measured = measured || (S(d.as_object(), "cause") == "measure" &&
                              S(d.as_object(), "measure") == "work_interview" &&
                              S(d.as_object(), "points") == "2.0");
    }
  }
  EXPECT_TRUE(measured);
}

TEST_P(SeedYearsTest, Hecheng2017PublicReportsAreConfirmedIntoItemsAndTheReporterIsTold) {
  CommandResult r = Simulate("hecheng-supervision-2017", "hecheng-2017-public-reports");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto events = Events(r.out);
  std::map<std::string, std::string> source_of;  // item -> the report it came from
  std::set<std::string> confirmed, told;
  for (const json::object& e : events) {
    std::string event = S(e, "event"), item = S(e, "item");
    if (event == "registered" && item.rfind("HC-2017-J", 0) == 0 &&
        item.find('/') == std::string::npos) {
      source_of[item] = S(e, "source");
    }
    if (event == "transition" && S(e, "action") == "confirm") confirmed.insert(item);
    if (event == "transition" && S(e, "action") == "tell") told.insert(item);
  }
  ASSERT_EQ(source_of.size(), 6u) << r.out.substr(0, 2000);
  for (const auto& [item, source] : source_of) {
    EXPECT_EQ(source, "R-" + item);
    EXPECT_TRUE(confirmed.count(source)) << source;
    EXPECT_TRUE(told.count(source)) << source;
  }
  // The first report came in on Monday 2017-03-06 and was confirmed two working days on.
  bool seen = false;
  for (const json::object& e : events) {
    if (S(e, "item") == "R-HC-2017-J01" && S(e, "action") == "confirm") {
      EXPECT_EQ(S(e, "at"), "2017-03-08T10:00:00+08:00");
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
  // And the city's quarterly bulletins to its counties.
  int bulletins = 0;
  for (const json::object& e : events) bulletins += S(e, "event") == "bulletin";
  EXPECT_EQ(bulletins, 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, SeedYearsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
