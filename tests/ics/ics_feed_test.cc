// `rectify ics` through the real binary on a SQLite database, with the feed parsed by Debian's
// python3-icalendar: the right items, on the right local days of the cn calendar (Asia/Shanghai),
// with the workflow's reminders as alarms, stable UIDs, and clear errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "tests/support/run_command.h"
#include "tests/support/sink_process.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

namespace json = boost::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class IcsFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Rectify({"migrate"}).exit_code, 0);
    // registered on Friday 2017-04-21 with 10 working days. Xinshao cancels weekend rest
    // during its special rectification (04-21 .. 05-21), Labour Day (04-29 .. 05-01) stays a
    // holiday: 04-22 .. 04-28, 05-02 .. 05-04, due at the end of Thursday 2017-05-04 in
    // Asia/Shanghai (2017-05-04T16:00:00Z). On the official calendar alone it would be 05-08.
    Add("Q-1", "niangxi", "xs-0014", "10wd", "2017-04-21T10:00:00+08:00");
    // a date time limit in another township; registered in Xinshao's special rectification
    // window (04-21 .. 05-21), so 2017-05-31 is cut to the end of the window, 2017-05-21.
    Add("Q-2", "yantang", "xs-0025", "2017-05-31", "2017-04-21T10:00:00+08:00");
    // the same person as Q-1, registered later with an earlier end.
    Add("Q-3", "niangxi", "xs-0014", "3wd", "2017-04-24T09:00:00+08:00");
  }

  test::CommandResult Rectify(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", "sqlite:" + dir_.File("rectify.db")});
    return test::RunRectify(args, {{"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
  }

  void Add(const std::string& id, const std::string& unit, const std::string& responsible,
           const std::string& limit, const std::string& at) {
    auto r = Rectify({"item", "add", "--id", id, "--unit", unit, "--responsible", responsible,
                      "--title", "问题 " + id + "，扶贫资金; 未公示", "--time-limit", limit, "--as",
                      "xs-0009", "--at", at, "--campaign", "xinshao-2017"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = Rectify(
        {"item", "act", id, "assign", "--as", "xs-0003", "--set", "verifier=xs-0007", "--at", at});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Writes the feed with --out and parses it with python3-icalendar.
  json::object Feed(const std::vector<std::string>& who, const std::string& at) {
    std::string file = dir_.File("feed.ics");
    std::vector<std::string> args = {"ics"};
    args.insert(args.end(), who.begin(), who.end());
    args.insert(args.end(), {"--out", file, "--at", at});
    auto r = Rectify(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "");
    auto parsed = test::RunCommand(
        {test::kSystemPython, std::string(RECTIFY_SOURCE_DIR) + "/tests/ics/ics_dump.py", file});
    EXPECT_EQ(parsed.exit_code, 0) << parsed.err;
    if (parsed.exit_code != 0) return {};
    std::ifstream f(file, std::ios::binary);
    std::stringstream s;
    s << f.rdbuf();
    raw_ = s.str();
    return json::parse(parsed.out).as_object();
  }

  static std::vector<std::string> Starts(const json::object& feed) {
    std::vector<std::string> out;
    for (const auto& e : feed.at("events").as_array()) {
      out.push_back(std::string(e.at("summary").as_string()) + " @ " +
                    std::string(e.at("start").as_string()));
    }
    return out;
  }

  test::TempDir dir_;
  std::string raw_;
};

TEST_F(IcsFeedTest, PersonFeedListsTheirDeadlinesAsAllDayEventsOnLocalDays) {
  json::object feed = Feed({"--person", "xs-0014"}, "2017-04-24T09:00:00+08:00");
  EXPECT_EQ(feed["version"], "2.0");
  EXPECT_EQ(feed["timezone"], "Asia/Shanghai");
  EXPECT_EQ(feed["name"], "唐强华 期限 deadlines");
  // 3 working days from Monday 04-24 end on Thursday 04-27.
  EXPECT_THAT(Starts(feed), ElementsAre("问题 Q-3，扶贫资金; 未公示 (Q-3) @ 2017-04-27",
                                        "问题 Q-1，扶贫资金; 未公示 (Q-1) @ 2017-05-04"));
  const json::object& q1 = feed["events"].as_array()[1].as_object();
  EXPECT_EQ(q1.at("all_day"), true);
  EXPECT_EQ(q1.at("end"), "2017-05-05");
  EXPECT_EQ(q1.at("stamp"), "2017-04-24T01:00:00Z");
  EXPECT_THAT(std::string(q1.at("description").as_string()),
              HasSubstr("期限 deadline: 2017-05-04 (2017-05-05T00:00:00+08:00)"));
  // remind: [-5wd, -1wd, 0]: 08:30 local on the 5th and 1st working day before, and `0` (the
  // end of the day, local 24:00) at 08:30 on the deadline day itself rather than at midnight:
  // 04-26 (05-03, 05-02, 04-28, 04-27, 04-26), 05-03 and 05-04.
  EXPECT_EQ(q1.at("alarms"),
            (json::array{"2017-04-26T00:30:00Z", "2017-05-03T00:30:00Z", "2017-05-04T00:30:00Z"}));
}

TEST_F(IcsFeedTest, FileIsCrlfFoldedAt75OctetsAndByteForByteRepeatable) {
  Feed({"--person", "xs-0014"}, "2017-04-24T09:00:00+08:00");
  std::string first = raw_;
  std::size_t start = 0;
  while (start < first.size()) {
    std::size_t end = first.find("\r\n", start);
    ASSERT_NE(end, std::string::npos) << "a line without CRLF";
    EXPECT_LE(end - start, 75u) << first.substr(start, end - start);
    EXPECT_EQ(first.substr(start, end - start).find('\n'), std::string::npos);
    start = end + 2;
  }
  Feed({"--person", "xs-0014"}, "2017-04-24T09:00:00+08:00");
  EXPECT_EQ(raw_, first);
}

TEST_F(IcsFeedTest, UnitFeedCoversTheUnitsBelowAndUidsStayStable) {
  json::object county = Feed({"--unit", "xinshao"}, "2017-04-24T09:00:00+08:00");
  EXPECT_THAT(Starts(county), ElementsAre("问题 Q-3，扶贫资金; 未公示 (Q-3) @ 2017-04-27",
                                          "问题 Q-1，扶贫资金; 未公示 (Q-1) @ 2017-05-04",
                                          "问题 Q-2，扶贫资金; 未公示 (Q-2) @ 2017-05-21"));
  json::object township = Feed({"--unit", "yantang"}, "2017-04-25T09:00:00+08:00");
  ASSERT_EQ(township["events"].as_array().size(), 1u);
  EXPECT_EQ(township["events"].as_array()[0].at("uid"), county["events"].as_array()[2].at("uid"));
  EXPECT_THAT(std::string(township["events"].as_array()[0].at("uid").as_string()),
              ::testing::MatchesRegex("[0-9a-f]{32}@rectify"));
}

TEST_F(IcsFeedTest, AnExtensionMovesTheSameEventAndSubmittingHandsItToTheVerifier) {
  json::object before = Feed({"--person", "xs-0014"}, "2017-04-24T09:00:00+08:00");
  auto r = Rectify({"item", "act", "Q-1", "extend", "--as", "xs-0002", "--reason", "汛期", "--at",
                    "2017-04-25T09:00:00+08:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json::object after = Feed({"--person", "xs-0014"}, "2017-04-25T10:00:00+08:00");
  const auto& b = before["events"].as_array()[1].as_object();
  const auto& a = after["events"].as_array()[1].as_object();
  EXPECT_EQ(a.at("uid"), b.at("uid"));
  EXPECT_GT(a.at("sequence").as_int64(), b.at("sequence").as_int64());
  // + 10 working days, the weekends of the special rectification among them: 05-05 .. 05-14.
  EXPECT_EQ(a.at("start"), "2017-05-14");

  EXPECT_EQ(Feed({"--person", "xs-0007"}, "2017-04-25T10:00:00+08:00")["events"].as_array().size(),
            0u);
  r = Rectify({"item", "act", "Q-3", "submit", "--as", "xs-0014", "--evidence-text", "照片.zip",
               "--at", "2017-04-26T10:00:00+08:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // verifying: 5 working days owned by the verifier, from Wednesday 04-26 to Wednesday 05-04.
  EXPECT_THAT(Starts(Feed({"--person", "xs-0007"}, "2017-04-26T11:00:00+08:00")),
              ElementsAre("问题 Q-3，扶贫资金; 未公示 (Q-3) @ 2017-05-04"));
  EXPECT_THAT(Starts(Feed({"--person", "xs-0014"}, "2017-04-26T11:00:00+08:00")),
              ElementsAre("问题 Q-1，扶贫资金; 未公示 (Q-1) @ 2017-05-14"));
}

// An item that names no verifier is verified by the org's verifiers: its verifying deadline is in
// their feeds (xs-0008 is named by no item here).
TEST_F(IcsFeedTest, AnItemWithoutAVerifierIsInTheFeedsOfTheOrgsVerifiers) {
  auto r = Rectify({"item", "add", "--id", "Q-8", "--unit", "niangxi", "--responsible", "xs-0014",
                    "--title", "问题 Q-8", "--time-limit", "10wd", "--as", "xs-0009", "--at",
                    "2017-04-24T09:00:00+08:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Rectify(
      {"item", "act", "Q-8", "assign", "--as", "xs-0003", "--at", "2017-04-24T09:00:00+08:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Rectify({"item", "act", "Q-8", "submit", "--as", "xs-0014", "--evidence-text", "照片.zip",
               "--at", "2017-04-26T10:00:00+08:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Starts(Feed({"--person", "xs-0008"}, "2017-04-26T11:00:00+08:00")),
              ElementsAre("问题 Q-8 (Q-8) @ 2017-05-04"));
}

TEST_F(IcsFeedTest, AnExactDeadlineIsATimedEventAtItsUtcInstant) {
  Add("Q-9", "quetang", "xs-0036", "4h", "2017-04-24T09:00:00+08:00");
  json::object feed = Feed({"--person", "xs-0036"}, "2017-04-24T10:00:00+08:00");
  ASSERT_EQ(feed["events"].as_array().size(), 1u);
  const json::object& e = feed["events"].as_array()[0].as_object();
  EXPECT_EQ(e.at("all_day"), false);
  EXPECT_EQ(e.at("start"), "2017-04-24T05:00:00Z");  // 13:00 in Asia/Shanghai
  EXPECT_EQ(e.at("end"), nullptr);
}

TEST_F(IcsFeedTest, StandardOutputWithoutOut) {
  auto r = Rectify({"ics", "--unit", "niangxi", "--at", "2017-04-24T09:00:00+08:00"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  EXPECT_THAT(r.out, ::testing::EndsWith("END:VCALENDAR\r\n"));
}

TEST_F(IcsFeedTest, UnknownPersonOrUnitAndBadUsageAreClearErrors) {
  auto r = Rectify({"ics", "--person", "xs-9999"});
  EXPECT_EQ(r.exit_code, 1);
  // Not in the loaded definitions: the message says to add the folder that defines it.
  EXPECT_THAT(r.err, HasSubstr("person 'xs-9999' is not in the loaded definitions"));
  EXPECT_THAT(r.err, HasSubstr("--definitions DIR or RECTIFY_DEFINITIONS=DIR"));
  r = Rectify({"ics", "--unit", "nowhere"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("unit 'nowhere' is not in the loaded definitions"));
  r = Rectify({"ics"});
  EXPECT_EQ(r.exit_code, 2);
  r = Rectify({"ics", "--person", "xs-0014", "--unit", "niangxi"});
  EXPECT_EQ(r.exit_code, 2);
  r = Rectify({"ics", "--person", "xs-0014", "--out", dir_.File("no/such/folder/f.ics")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("cannot write"));
}

}  // namespace
}  // namespace rectify
