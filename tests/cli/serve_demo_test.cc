// `rectify serve --items`, the campaign demonstration that `make demo` runs (scripts/demo.sh),
// through the real binary on an SQLite file, as a headquarters officer watches it in a terminal:
// the campaign's phases, each problem registered and assigned, reminders before the deadline, the
// escalation ladder climbing after it, interviews held, closings, the look back and the monthly
// ranking, in time order, then a summary; the ledger checked whole before anything runs; SIGINT
// stops it cleanly. A high --speed over a short --from/--until window keeps it to a second.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/child_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class ServeDemoTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(RunRectify({"migrate"}, Env()).exit_code, 0); }

  std::map<std::string, std::string> Env() {
    return {{"RECTIFY_DB", url_}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
  }

  std::string Ledger(const std::string& text) {
    std::string path = dir_.File("ledger.csv");
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Three problems of three townships; nobody submits on time, half late, the rest never.
  std::string ThreeProblems() {
    return Ledger(
        "id,title,unit,responsible,registered_at,time_limit\n"
        "Q-1,危房改造对象识别不准,niangxi,xs-0014,2017-04-21,10wd\n"
        "Q-2,扶贫资金拨付滞后,yantang,xs-0025,2017-04-24,10wd\n"
        "Q-3,驻村工作队考勤不实,xiaotang,xs-0142,2017-04-25,15wd\n");
  }

  std::vector<std::string> Demo(const std::string& ledger, const std::string& speed,
                                const std::string& until) {
    return {"serve",  "--campaign", "xinshao-2017", "--items", ledger,   "--speed", speed,
            "--from", "2017-04-21", "--until",      until,     "--seed", "7",       "--on-time",
            "0",      "--late",     "0.5"};
  }

  // The lines of `out` that contain `what`, in order.
  static std::vector<std::string> With(const std::string& out, const std::string& what) {
    std::vector<std::string> found;
    for (const auto& line : Lines(out)) {
      if (line.find(what) != std::string::npos) found.push_back(line);
    }
    return found;
  }

  test::TempDir dir_;
  std::string url_ = "sqlite:" + dir_.File("demo.db");
};

TEST_F(ServeDemoTest, TheCampaignUnfoldsInTimeOrderAndEndsWithASummary) {
  CommandResult r = RunRectify(Demo(ThreeProblems(), "8640000", "2017-06-10"), Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_GT(lines.size(), 40u) << r.out;
  EXPECT_EQ(lines[0],
            "rectify serve: 新邵县2017年脱贫攻坚 (xinshao-2017) on an accelerated clock, 100 days "
            "a second, from 2017-04-21 to the end of 2017-06-10");

  // Every event line starts with its local time, and they come in time order.
  std::regex event(R"(^(2017-\d\d-\d\d \d\d:\d\d)  )");
  std::string previous;
  std::size_t events = 0;
  for (const auto& line : lines) {
    std::smatch m;
    if (!std::regex_search(line, m, event)) continue;
    EXPECT_GE(m[1].str(), previous) << line;
    previous = m[1].str();
    ++events;
  }
  EXPECT_GT(events, 40u);
  EXPECT_EQ(previous, "2017-06-08 08:30") << "the last event falls inside the window";

  // The campaign's own events.
  EXPECT_THAT(r.out, HasSubstr("\n2017-04-21 00:00  phase 夏季攻势 (summer_attack) began\n"));
  EXPECT_THAT(r.out, HasSubstr("\n2017-04-21 00:00  整改材料汇总成册报送: opened for 15 units, "
                               "due 2017-05-15 (materials-submission@1)\n"));
  EXPECT_THAT(r.out, HasSubstr("\n2017-05-22 00:00  rectification 突出问题集中整治专项行动 ended "
                               "(2017-04-21 to 2017-05-21)\n"));
  EXPECT_THAT(r.out, HasSubstr("\n2017-06-01 00:00  六月回头看: sampled 1 of 2 closed items for "
                               "re-inspection\n"));
  EXPECT_THAT(r.out, HasSubstr("\n2017-06-01 08:30  月度考核排名 2017-05-01..2017-05-31: 1.寸石镇 "
                               "98.5 2.小塘镇 97.0 3.巨口铺镇 92.5 ... 13.潭溪镇 91.5 14.严塘镇 "
                               "90.0 15.酿溪镇 74.0\n"));

  // Q-1 is never submitted: registered at 09:00, due at the end of 2017-05-04 (the campaign
  // works the weekends of its special rectification, 04-21 .. 05-21; Labour Day stays off),
  // reminded, then the ladder climbs on those working days (checked by hand: 3wd 05-07, 5wd
  // 05-09, 8wd 05-12, 12wd 05-16, 15wd 05-19, 20wd 05-24, 30wd 06-08).
  EXPECT_THAT(
      With(r.out, "  Q-1  "),
      ::testing::ElementsAre(
          "2017-04-21 09:00  Q-1  酿溪镇  registered '危房改造对象识别不准', responsible 唐强华",
          "2017-04-21 09:00  Q-1  酿溪镇  assign: registered -> rectifying by 韩兰娟",
          "2017-04-26 08:30  Q-1  酿溪镇  reminder, 5 working days before the deadline, to 唐强华",
          "2017-05-03 08:30  Q-1  酿溪镇  reminder, 1 working day before the deadline, to 唐强华",
          "2017-05-04 08:30  Q-1  酿溪镇  reminder, on the deadline day, to 唐强华",
          "2017-05-05 00:00  Q-1  酿溪镇  escalation step 1: reminder letter (提醒函) to 唐强华, "
          "徐文波",
          "2017-05-07 08:30  Q-1  酿溪镇  escalation step 2: supervision letter (督办函) to "
          "唐强华, 徐文波, 赵强杰",
          "2017-05-09 08:30  Q-1  酿溪镇  escalation step 3: suggestion letter (建议函) to 徐文波, "
          "胡明敏",
          "2017-05-12 08:30  Q-1  酿溪镇  escalation step 4: work interview (工作约谈) to 徐文波, "
          "胡明敏, task Q-1/work_interview",
          "2017-05-16 08:30  Q-1  酿溪镇  escalation step 5: warning interview (警示约谈) to "
          "徐文波, 赵强杰, task Q-1/warning_interview",
          "2017-05-19 08:30  Q-1  酿溪镇  escalation step 6: suspension of fund payment (暂停拨付) "
          "to 徐文波, 赵强杰; payment suspended",
          "2017-05-24 08:30  Q-1  酿溪镇  escalation step 7: informed criticism (通报批评) to "
          "徐文波, 赵强杰; on 新邵县's bulletin; score -2",
          "2017-06-08 08:30  Q-1  酿溪镇  escalation step 8: accountability referral (问责处理) "
          "to 刘林伟, 赵强杰"));
  // Its interviews are held and their minutes filed by their owners.
  EXPECT_THAT(r.out, HasSubstr("\n2017-05-13 09:30  Q-1/work_interview  酿溪镇  hold: scheduled -> "
                               "minutes by 胡明敏\n"));
  EXPECT_THAT(r.out, HasSubstr("\n2017-05-14 16:00  Q-1/work_interview  酿溪镇  file: minutes -> "
                               "done by 胡明敏\n"));
  // Q-2 is submitted late, after its first two steps, and closed: its ladder stops there.
  EXPECT_THAT(
      With(r.out, "  Q-2  "),
      ::testing::IsSupersetOf(
          {"2017-05-08 00:00  Q-2  严塘镇  escalation step 1: reminder letter (提醒函) to 冯文志, "
           "朱秀霞",
           "2017-05-10 08:30  Q-2  严塘镇  escalation step 2: supervision letter (督办函) to "
           "冯文志, 朱秀霞, 赵强杰",
           "2017-05-11 10:00  Q-2  严塘镇  submit: rectifying -> verifying by 冯文志",
           "2017-05-14 15:00  Q-2  严塘镇  accept: verifying -> closed by 马娟德"}));
  EXPECT_THAT(r.out, Not(HasSubstr("Q-2  严塘镇  escalation step 3")));
  EXPECT_THAT(r.out, Not(HasSubstr("notification")));  // --notifications is off

  // The summary at the end of the window.
  EXPECT_THAT(r.out, HasSubstr("\n\n== 新邵县2017年脱贫攻坚 (xinshao-2017) at the end of "
                               "2017-06-10 ==\n"
                               "items: 3, overdue now: 1, payments suspended: 1, units on a "
                               "bulletin: 13\n"));
  EXPECT_THAT(r.out, HasSubstr("  2  rectification-item closed\n"
                               "  1  rectification-item rectifying\n"
                               "escalation steps taken:\n"
                               "  18  reminder letter (提醒函)\n"
                               "  18  supervision letter (督办函)\n"
                               "  1  suggestion letter (建议函)\n"));
  EXPECT_TRUE(
      r.out.ends_with("  14  informed criticism (通报批评)\n"
                      "  1  accountability referral (问责处理)\n"))
      << r.out;
}

TEST_F(ServeDemoTest, AWrongLedgerIsRefusedWholeBeforeAnythingRuns) {
  std::string ledger = Ledger(
      "编号,问题,责任单位,责任人,登记日期,整改时限\n"
      "Q-1,危房改造对象识别不准,niangxi,xs-0014,2017-04-21,10wd\n"
      "Q-2,扶贫资金拨付滞后,yantang,许文波,2017-04-24,10wd\n"
      "Q-3,驻村工作队考勤不实,xiaotang,xs-0142,2017-13-25,15wd\n");
  CommandResult r = RunRectify(Demo(ledger, "8640000", "2017-06-10"), Env());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");  // not even the banner: nothing started
  EXPECT_THAT(r.err, HasSubstr(ledger + ":3:4: error: responsible: no person '许文波' in org "));
  EXPECT_THAT(r.err, HasSubstr(ledger + ":4:5: error: registered_at: '2017-13-25' is not a date "
                                        "or a date-time"));
  EXPECT_TRUE(r.err.ends_with("rectify: error: " + ledger + ": 2 errors; nothing was run\n"))
      << r.err;
  CommandResult status = RunRectify({"--format", "json", "status"}, Env());
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("\"instances\":0"));  // not the campaign, not one row

  CommandResult shares =
      RunRectify({"serve", "--campaign", "xinshao-2017", "--items", ThreeProblems(), "--speed",
                  "86400", "--from", "2017-04-21", "--late", "2"},
                 Env());
  EXPECT_EQ(shares.exit_code, 1);
  EXPECT_EQ(shares.err, "rectify: error: --late is a share between 0 and 1, e.g. 0.25\n");
}

TEST_F(ServeDemoTest, ADatabaseWhereTheCampaignRanAlreadyIsRefused) {
  ASSERT_EQ(RunRectify(Demo(ThreeProblems(), "8640000", "2017-04-25"), Env()).exit_code, 0);
  CommandResult again = RunRectify(Demo(ThreeProblems(), "8640000", "2017-04-25"), Env());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(again.err, "rectify: error: campaign xinshao-2017 has already run on " + url_ +
                           "; --items registers the ledger's problems itself, so it needs a "
                           "database without it (a fresh one: make demo re-creates "
                           "var/demo.db)\n");
}

TEST_F(ServeDemoTest, SigintStopsTheDemoCleanlyWithASummary) {
  // A day a second, as `make demo` runs: stopped a few engine days in.
  auto demo = test::ChildProcess::StartRectify(Demo(ThreeProblems(), "86400", "2017-07-31"), Env());
  std::string first = demo.WaitForLine("Q-1  酿溪镇  assign", std::chrono::seconds(60));
  ASSERT_FALSE(first.empty()) << demo.output();
  demo.Kill(SIGINT);
  EXPECT_EQ(demo.Wait(), 0) << demo.output();
  std::string out = demo.output();
  EXPECT_THAT(out, HasSubstr("\nstopping\n\n== 新邵县2017年脱贫攻坚 (xinshao-2017) at 2017-0"));
  EXPECT_THAT(out, HasSubstr("\nitems: "));
  EXPECT_THAT(out, Not(HasSubstr("\n2017-07-")));  // stopped long before the end
}

}  // namespace
}  // namespace rectify
