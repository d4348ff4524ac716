// `rectify finding` and `rectify simulate` with findings, through the real binary: Xinshao 2017's
// first-quarter inspection (April 7-14, seed 001) records its problems, the poverty alleviation
// office confirms them on April 21 and the items they open are in the ledger; `item show` says
// where each was found and `finding list` shows the items and their state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <sstream>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;

std::map<std::string, std::string> Env(const std::string& db) {
  return {{"RECTIFY_DB", db}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
}

TEST(FindingCliTest, RecordConfirmDismissListAndShow) {
  test::TempDir dir;
  auto env = Env("sqlite:" + dir.File("f.db"));
  ASSERT_EQ(RunRectify({"migrate"}, env).exit_code, 0);
  CommandResult add = RunRectify(
      {"finding", "add", "--campaign", "xinshao-2017", "--round", "q1_inspection", "--unit",
       "niangxi", "--title", "长塘村贫困户信息不一致", "--location", "长塘村", "--found-by",
       "unannounced_visit", "--as", "xs-0004", "--at", "2017-04-10T10:00:00+08:00"},
      env);
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_EQ(add.out,
            "recorded F-xinshao-2017-q1_inspection-001 (unannounced_visit, round q1_inspection) "
            "at niangxi, draft until confirmed\n");
  ASSERT_EQ(RunRectify({"finding", "add", "--campaign", "xinshao-2017", "--round", "q1_inspection",
                        "--unit", "yantang", "--title", "重复", "--as", "xs-0004", "--at",
                        "2017-04-11T10:00:00+08:00"},
                       env)
                .exit_code,
            0);
  CommandResult head = RunRectify({"finding", "confirm", "F-xinshao-2017-q1_inspection-001", "--as",
                                   "xs-0012", "--at", "2017-04-21T09:00:00+08:00"},
                                  env);
  EXPECT_EQ(head.exit_code, 1);
  CommandResult confirm = RunRectify({"finding", "confirm", "F-xinshao-2017-q1_inspection-001",
                                      "--as", "xs-0007", "--at", "2017-04-21T09:00:00+08:00"},
                                     env);
  ASSERT_EQ(confirm.exit_code, 0) << confirm.err;
  // 15 working days from 04-21, the special rectification's weekends worked, Labour Day rested.
  EXPECT_THAT(confirm.out, HasSubstr("opened P-xinshao-2017-q1_inspection-001 "
                                     "(rectification-item@2) at niangxi in state rectifying, "
                                     "due 2017-05-09"));
  CommandResult dismiss =
      RunRectify({"finding", "dismiss", "F-xinshao-2017-q1_inspection-002", "--reason", "重复",
                  "--as", "xs-0007", "--at", "2017-04-21T09:00:00+08:00"},
                 env);
  ASSERT_EQ(dismiss.exit_code, 0) << dismiss.err;

  CommandResult list = RunRectify({"finding", "list", "--campaign", "xinshao-2017", "--format",
                                   "json", "--at", "2017-04-22T09:00:00+08:00"},
                                  env);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto v = boost::json::parse(list.out);
  const auto& a = v.as_array();
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].at("item").at("id"), "P-xinshao-2017-q1_inspection-001");
  EXPECT_EQ(a[0].at("item").at("state"), "rectifying");
  EXPECT_EQ(a[0].at("item").at("due"), "2017-05-09");
  EXPECT_EQ(a[1].at("state"), "dismissed");
  EXPECT_TRUE(a[1].at("item").is_null());

  CommandResult show = RunRectify(
      {"item", "show", "P-xinshao-2017-q1_inspection-001", "--at", "2017-04-22T09:00:00+08:00"},
      env);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("found:        unannounced_visit, round q1_inspection of "
                                  "xinshao-2017, finding F-xinshao-2017-q1_inspection-001, "
                                  "2017-04-10, by 邓涛华 (xs-0004)\n"));
}

TEST(FindingCliTest, SimulateRecordsTheRoundsFindingsAndConfirmsThemIntoItems) {
  CommandResult r = RunRectify(
      {"simulate", "--campaign",
       std::string(RECTIFY_SOURCE_DIR) + "/workflows/campaigns/xinshao-2017.yaml", "--items",
       std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/xinshao-2017-q1-findings.csv",
       "--until", "2017-04-22", "--format", "jsonl", "--seed", "7"},
      Env(""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int findings = 0, confirmed = 0, opened = 0;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    auto v = boost::json::parse(line);
    const auto& o = v.as_object();
    std::string event(o.at("event").as_string());
    std::string item = o.contains("item") ? std::string(o.at("item").as_string()) : "";
    std::string at(o.at("at").as_string());
    if (item.rfind("F-xinshao-2017-q1_inspection-", 0) == 0 && event == "transition") {
      std::string action(o.at("action").as_string());
      if (action == "record") {
        ++findings;
        // Recorded during the round, April 7-14.
        EXPECT_GE(at, "2017-04-07") << line;
        EXPECT_LT(at, "2017-04-15") << line;
      }
      if (action == "confirm") ++confirmed;
    }
    if (item.rfind("XS-2017-", 0) == 0 && event == "registered") {
      ++opened;
      EXPECT_EQ(at.substr(0, 10), "2017-04-21") << line;
      EXPECT_TRUE(o.contains("source")) << line;
      EXPECT_EQ(o.at("round"), "q1_inspection") << line;
    }
  }
  EXPECT_EQ(findings, 12);
  EXPECT_EQ(confirmed, 12);
  EXPECT_EQ(opened, 12);
}

}  // namespace
}  // namespace rectify
