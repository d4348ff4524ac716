// Clock changes other than entering and leaving a state, on the shipped definitions and the cn
// calendar, on SQLite and PostgreSQL: a changed due date (rectification-item's change_limit), a
// new version of the calendar (a holiday notice), and the clocks stopped when an item closes.
// Every date is one a headquarters officer can check against a wall calendar.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rectify/engine/report.h"
#include "rectify/engine/reprojection.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using store_soci::Backend;

using test::T;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace fs = std::filesystem;
namespace json = boost::json;

// A second version of cn: a (hypothetical) notice makes 2017-05-02 and 05-03 holidays, so the
// working days after Labour Day start on May 4.
std::string CnVersion2() {
  std::ifstream in(std::string(RECTIFY_SOURCE_DIR) + "/workflows/calendars/cn.yaml");
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  auto insert_after = [&](const std::string& line, const std::string& added) {
    auto at = text.find(line);
    EXPECT_NE(at, std::string::npos) << line;
    text.insert(at + line.size(), added);
  };
  insert_after("name: cn\n", "version: 2\n");
  insert_after("      - 2017-04-29..2017-05-01   # 劳动节: Monday 1 May, with the weekend\n",
               "      - 2017-05-02..2017-05-03   # a later notice: two more days off\n");
  return text;
}

// A workflow whose closed items are reopened with the clock continuing where it stopped.
constexpr const char* kContinuedReopen = R"(kind: workflow
name: fix-item
version: 1
calendar: cn
fields:
  time_limit: { type: duration }
states:
  open:
    deadline: { at: $time_limit, otherwise: 10wd }
    remind: [-1wd]
    overdue: overdue-rectification
    on:
      submit: { to: done, by: [responsible] }
  done:
    final: true
    on:
      reopen: { to: open, by: [registrar], clock: continue, ladder: continue, requires: [reason] }
)";

class ClockChangesTest : public test::EngineFixture {
 protected:
  // Registers `id` in 酿溪镇, responsible 唐强华 (xs-0014), and assigns it (verifier xs-0007).
  void RegisterAndAssign(const char* at, const char* limit, const std::string& id = "Q-1",
                         const std::string& workflow = "rectification-item") {
    At(at);
    engine::NewInstance req;
    req.id = id;
    req.workflow = workflow;
    req.unit = "niangxi";
    req.responsible = "xs-0014";
    req.title = "危房改造对象识别不准";
    req.actor = "xs-0009";
    req.fields = {{"time_limit", limit}};
    auto item = engine_->Register(req);
    ASSERT_TRUE(item.ok()) << item.error().message();
    if (workflow != "rectification-item") return;
    auto assigned = Act(id, "assign", "xs-0003", {}, "", {{"verifier", "xs-0007"}});
    ASSERT_TRUE(assigned.ok()) << assigned.error().message();
  }

  // A definitions folder: the shipped one with cn.yaml and the workflows given replaced or added.
  std::string Definitions(const std::string& cn_text,
                          const std::map<std::string, std::string>& workflows = {}) {
    std::string dir = dir_.File("definitions");
    fs::remove_all(dir);
    fs::copy(std::string(RECTIFY_SOURCE_DIR) + "/workflows", dir, fs::copy_options::recursive);
    if (!cn_text.empty()) std::ofstream(dir + "/calendars/cn.yaml") << cn_text;
    for (const auto& [name, text] : workflows) std::ofstream(dir + "/workflows/" + name) << text;
    return dir;
  }

  // The current state's deadline on the calendar the item now counts on, local.
  std::string DueOn(const std::string& id) {
    engine::Instance i = Load(id);
    const engine::StateClock* c = i.CurrentClock();
    auto bound = engine_->interpreter().Bind(i);
    if (!c || !bound.ok() || !bound->calendar) return "none";
    auto d = DeadlineClock(*bound->calendar, c->clock).Deadline(clock_.Now());
    return d ? bound->calendar->FormatLocal(*d) : d.error().message();
  }

  const AuditRecord LastAudit(const std::string& id) {
    auto rows = store_->AuditOf(id);
    EXPECT_TRUE(rows.ok() && !rows->empty());
    return rows.ok() && !rows->empty() ? rows->back() : AuditRecord{};
  }

  test::TempDir dir_;
};

TEST_P(ClockChangesTest, AChangedTimeLimitMovesRemindersAndStepsNotYetTakenAndIsAudited) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");  // due at the end of 2017-05-08
  RunUntil("2017-05-12T00:00:00+08:00");  // the reminder letter (05-09) and the supervision
                                          // letter (05-11) were sent
  engine::Instance before = Load("Q-1");
  ASSERT_EQ(before.EscalationLevel(), 2);
  At("2017-05-12T10:00:00+08:00");

  // Refusals say why and change nothing.
  auto cadre =
      Act("Q-1", "change_limit", "xs-0014", {}, "想多要时间", {{"time_limit", "2017-05-31"}});
  ASSERT_FALSE(cadre.ok());
  EXPECT_EQ(cadre.error().code(), ErrorCode::kPermissionDenied);
  auto no_limit = Act("Q-1", "change_limit", "xs-0003", {}, "县指挥部调整时限");
  ASSERT_FALSE(no_limit.ok());
  EXPECT_EQ(no_limit.error().message(),
            "'change_limit' on item Q-1 changes the due date to the field 'time_limit'; give the "
            "new time limit (--set time_limit=2017-05-31, or a duration such as 20wd counted from "
            "when the item entered 'rectifying')");
  auto too_early = Act("Q-1", "change_limit", "xs-0003", {}, "x", {{"time_limit", "2017-04-20"}});
  ASSERT_FALSE(too_early.ok());
  EXPECT_EQ(too_early.error().message(),
            "'change_limit' on item Q-1: the new time limit '2017-04-20' ends on 2017-04-20, "
            "before the item entered 'rectifying' on 2017-04-21; give a later date or a longer "
            "duration");
  auto by_pause = Act("Q-1", "pause", "xs-0002", {}, "x", {{"time_limit", "2017-05-31"}});
  ASSERT_FALSE(by_pause.ok());
  EXPECT_EQ(by_pause.error().message(),
            "'pause' on item Q-1 does not change the due date, so it cannot set 'time_limit', "
            "which the deadline of state 'rectifying' is read from; use 'change_limit' to change "
            "the time limit");
  EXPECT_EQ(Load("Q-1").record.version, before.record.version);

  auto changed = Act("Q-1", "change_limit", "xs-0003", {}, "涉及危房鉴定，县指挥部批准延至5月31日",
                     {{"time_limit", "2017-05-31"}});
  ASSERT_TRUE(changed.ok()) << changed.error().message();
  EXPECT_EQ(Due("Q-1"), "2017-06-01T00:00:00+08:00");  // the end of 2017-05-31
  EXPECT_GT(changed->clocks.at("rectifying").clock.generation,
            before.clocks.at("rectifying").clock.generation);
  EXPECT_EQ(changed->EscalationLevel(), 2);  // the two letters stay sent
  // Reminders before the new date (May 27 is a make-up Saturday, May 28-30 the Dragon Boat
  // Festival); steps 3 to 8 after it; steps 1 and 2 are not armed again.
  EXPECT_THAT(PendingTimers("Q-1"), ElementsAre("2017-05-23T08:30:00+08:00 remind:rectifying:0",
                                                "2017-05-27T08:30:00+08:00 remind:rectifying:1",
                                                "2017-05-31T08:30:00+08:00 remind:rectifying:2",
                                                "2017-06-07T08:30:00+08:00 escalate:rectifying:2",
                                                "2017-06-12T08:30:00+08:00 escalate:rectifying:3",
                                                "2017-06-16T08:30:00+08:00 escalate:rectifying:4",
                                                "2017-06-21T08:30:00+08:00 escalate:rectifying:5",
                                                "2017-06-28T08:30:00+08:00 escalate:rectifying:6",
                                                "2017-07-12T08:30:00+08:00 escalate:rectifying:7"));

  // Who, why, the old and the new date.
  AuditRecord row = LastAudit("Q-1");
  EXPECT_EQ(row.event, "change_limit");
  EXPECT_EQ(row.actor, "xs-0003");
  EXPECT_EQ(row.reason, "涉及危房鉴定，县指挥部批准延至5月31日");
  EXPECT_EQ(row.from_state, "rectifying");
  EXPECT_EQ(row.to_state, "rectifying");
  auto data = json::parse(row.data_json).as_object();
  EXPECT_EQ(data.at("previous_deadline").as_string(), "2017-05-08T16:00:00Z");
  EXPECT_EQ(data.at("deadline").as_string(), "2017-05-31T16:00:00Z");
  EXPECT_EQ(data.at("fields").at("time_limit").as_string(), "2017-05-31");

  // The old timers never fire; the new ones fire on their dates, each once.
  RunUntil("2017-07-31T00:00:00+08:00");
  EXPECT_THAT(AuditValues("Q-1", "remind", "offset", true),
              ElementsAre("2017-04-28T08:30:00+08:00 -5wd", "2017-05-05T08:30:00+08:00 -1wd",
                          "2017-05-08T08:30:00+08:00 0", "2017-05-23T08:30:00+08:00 -5wd",
                          "2017-05-27T08:30:00+08:00 -1wd", "2017-05-31T08:30:00+08:00 0"));
  EXPECT_THAT(AuditValues("Q-1", "escalate", "measure", true),
              ElementsAre("2017-05-09T00:00:00+08:00 reminder_letter",
                          "2017-05-11T08:30:00+08:00 supervision_letter",
                          "2017-06-07T08:30:00+08:00 suggestion_letter",
                          "2017-06-12T08:30:00+08:00 work_interview",
                          "2017-06-16T08:30:00+08:00 warning_interview",
                          "2017-06-21T08:30:00+08:00 suspend_payment",
                          "2017-06-28T08:30:00+08:00 informed_criticism",
                          "2017-07-12T08:30:00+08:00 accountability"));
}

TEST_P(ClockChangesTest, TheCommandLineChangesATimeLimitToADuration) {
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_->url()});
    return test::RunRectify(args);
  };
  ASSERT_EQ(run({"item", "add", "--id", "Q-9", "--unit", "niangxi", "--responsible", "xs-0014",
                 "--title", "台账不实", "--time-limit", "10wd", "--as", "xs-0009", "--at",
                 "2017-04-21T10:00:00+08:00"})
                .exit_code,
            0);
  ASSERT_EQ(
      run({"item", "act", "Q-9", "assign", "--as", "xs-0003", "--at", "2017-04-21T10:05:00+08:00"})
          .exit_code,
      0);
  // 20wd from April 21: May 22.
  auto changed =
      run({"item", "act", "Q-9", "change_limit", "--as", "xs-0004", "--set", "time_limit=20wd",
           "--reason", "整改涉及多部门", "--at", "2017-05-02T09:00:00+08:00"});
  EXPECT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_EQ(changed.out, "Q-9: change_limit -> rectifying (due 2017-05-22)\n");
  auto show = run({"item", "show", "Q-9", "--at", "2017-05-02T10:00:00+08:00"});
  EXPECT_THAT(show.out, HasSubstr("deadline:     2017-05-22, 14 working days left"));
}

TEST_P(ClockChangesTest, ANewCalendarVersionMovesRunningItemsWhenReprojectedAndIsAudited) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd", "Q-1");  // due at the end of 05-08
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd", "Q-2");
  At("2017-04-26T10:00:00+08:00");
  ASSERT_TRUE(Act("Q-2", "submit", "xs-0014", {"照片"}).ok());
  ASSERT_TRUE(Act("Q-2", "accept", "xs-0007").ok());  // closed: left alone
  EXPECT_EQ(Load("Q-1").calendar, "cn@1");
  RunUntil("2017-04-28T09:00:00+08:00");  // Q-1's -5wd reminder, 04-28 08:30, was sent

  // The notice arrives: cn.yaml becomes version 2; an engine restarts on it.
  At("2017-04-28T10:00:00+08:00");
  Open(test::LoadSet({Definitions(CnVersion2())}));
  // Still armed on the old dates until the instances are re-projected.
  EXPECT_THAT(PendingTimers("Q-1"),
              ::testing::Contains("2017-05-05T08:30:00+08:00 remind:rectifying:1"));

  engine::ReprojectRequest req;
  req.calendar = "cn";
  req.actor = "xs-0003";
  req.reason = "国务院办公厅补充通知：5月2日至3日放假";
  req.dry_run = true;
  auto dry = engine::ReprojectInstances(*engine_, req);
  ASSERT_TRUE(dry.ok()) << dry.error().message();
  ASSERT_EQ(dry->moved.size(), 1u);
  EXPECT_EQ(Load("Q-1").calendar, "cn@1");  // a dry run changes nothing

  req.dry_run = false;
  auto r = engine::ReprojectInstances(*engine_, req);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->moved.size(), 1u);
  EXPECT_EQ(r->left_final, 1);
  const engine::ReprojectedInstance& m = r->moved[0];
  EXPECT_EQ(m.id, "Q-1");
  EXPECT_EQ(m.from_calendar, "cn@1");
  EXPECT_EQ(m.to_calendar, "cn@2");
  // The old version is no longer loaded; its text in the registry gives the date before.
  EXPECT_EQ(m.previous_deadline, "2017-05-09T00:00:00+08:00");
  EXPECT_EQ(m.deadline, "2017-05-11T00:00:00+08:00");  // the end of 2017-05-10

  engine::Instance q1 = Load("Q-1");
  EXPECT_EQ(q1.calendar, "cn@2");
  EXPECT_EQ(DueOn("Q-1"), "2017-05-11T00:00:00+08:00");
  // Ten working days from April 21 now end on May 10. The -5wd reminder (still April 28) was
  // sent and is not sent again; the rest move.
  EXPECT_THAT(PendingTimers("Q-1"), ElementsAre("2017-05-09T08:30:00+08:00 remind:rectifying:1",
                                                "2017-05-10T08:30:00+08:00 remind:rectifying:2",
                                                "2017-05-11T00:00:00+08:00 escalate:rectifying:0",
                                                "2017-05-15T08:30:00+08:00 escalate:rectifying:1",
                                                "2017-05-17T08:30:00+08:00 escalate:rectifying:2",
                                                "2017-05-22T08:30:00+08:00 escalate:rectifying:3",
                                                "2017-05-26T08:30:00+08:00 escalate:rectifying:4",
                                                "2017-06-01T08:30:00+08:00 escalate:rectifying:5",
                                                "2017-06-08T08:30:00+08:00 escalate:rectifying:6",
                                                "2017-06-22T08:30:00+08:00 escalate:rectifying:7"));
  AuditRecord row = LastAudit("Q-1");
  EXPECT_EQ(row.event, "calendar_changed");
  EXPECT_EQ(row.actor, "xs-0003");
  EXPECT_EQ(row.reason, "国务院办公厅补充通知：5月2日至3日放假");
  auto data = json::parse(row.data_json).as_object();
  EXPECT_EQ(data.at("from_calendar").as_string(), "cn@1");
  EXPECT_EQ(data.at("to_calendar").as_string(), "cn@2");
  EXPECT_EQ(data.at("previous_deadline").as_string(), "2017-05-08T16:00:00Z");
  EXPECT_EQ(data.at("deadline").as_string(), "2017-05-10T16:00:00Z");
  EXPECT_EQ(Load("Q-2").calendar, "cn@1");  // closed: untouched

  // Once is enough.
  auto again = engine::ReprojectInstances(*engine_, req);
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(again->moved, IsEmpty());
  EXPECT_EQ(again->current, 1);

  RunUntil("2017-05-16T00:00:00+08:00");
  EXPECT_THAT(AuditValues("Q-1", "remind", "offset", true),
              ElementsAre("2017-04-28T08:30:00+08:00 -5wd", "2017-05-09T08:30:00+08:00 -1wd",
                          "2017-05-10T08:30:00+08:00 0"));
  EXPECT_THAT(AuditValues("Q-1", "escalate", "measure", true),
              ElementsAre("2017-05-11T00:00:00+08:00 reminder_letter",
                          "2017-05-15T08:30:00+08:00 supervision_letter"));
}

TEST_P(ClockChangesTest, TheCommandLineReprojectsOntoANewCalendarVersion) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd", "Q-1");
  std::string defs = Definitions(CnVersion2());
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_->url()});
    args.insert(args.end(), {"--definitions", defs, "--at", "2017-04-24T09:00:00+08:00"});
    return test::RunRectify(args);
  };
  auto dry = run({"instances", "reproject", "--calendar", "cn", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out,
            "Q-1: rectifying, calendar cn@1 -> cn@2, deadline 2017-05-09T00:00:00+08:00 -> "
            "2017-05-11T00:00:00+08:00\n"
            "would re-project 1 instance onto the loaded version of calendar cn (--dry-run: "
            "nothing was changed)\n");
  auto unknown = run({"instances", "reproject", "--calendar", "cm"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "rectify: error: no calendar 'cm' is loaded; known: cn\n");
  auto done = run({"instances", "reproject", "--as", "xs-0003", "--reason", "补充通知"});
  EXPECT_EQ(done.exit_code, 0) << done.err;
  EXPECT_THAT(done.out, HasSubstr("re-projected 1 instance onto the calendar versions their "
                                  "workflows count on\n"));
  auto show = run({"item", "show", "Q-1"});
  EXPECT_THAT(show.out, HasSubstr("deadline:     2017-05-10, "));
}

TEST_P(ClockChangesTest, WithoutReprojectingTheFirstEventOnAnItemMovesItAsTheSystem) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd", "Q-1");
  At("2017-04-24T09:00:00+08:00");
  Open(test::LoadSet({Definitions(CnVersion2())}));
  // The -1wd reminder was armed for 05-05 on cn@1; on cn@2 it falls on 05-09. Its firing at the
  // old time finds the item on the new calendar: it is claimed, moved, and not sent.
  RunUntil("2017-05-06T00:00:00+08:00");
  EXPECT_THAT(AuditValues("Q-1", "remind", "offset", true),
              ElementsAre("2017-04-28T08:30:00+08:00 -5wd"));
  EXPECT_THAT(AuditValues("Q-1", "calendar_changed", "to_calendar", true),
              ElementsAre("2017-04-28T08:30:00+08:00 cn@2"));
  EXPECT_EQ(Load("Q-1").calendar, "cn@2");
  EXPECT_EQ(PendingTimers("Q-1").front(), "2017-05-09T08:30:00+08:00 remind:rectifying:1");
}

TEST_P(ClockChangesTest, ClosingStopsEveryClockAndReportsStillReadTheClosing) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd", "Q-1");
  At("2017-05-02T10:00:00+08:00");
  ASSERT_TRUE(Act("Q-1", "submit", "xs-0014", {"整改照片.zip"}).ok());
  At("2017-05-03T10:00:00+08:00");
  auto closed = Act("Q-1", "accept", "xs-0007");
  ASSERT_TRUE(closed.ok()) << closed.error().message();
  EXPECT_EQ(closed->record.state, "closed");
  EXPECT_EQ(closed->clocks.at("rectifying").clock.phase, ClockPhase::kStopped);
  EXPECT_EQ(closed->clocks.at("verifying").clock.phase, ClockPhase::kStopped);
  EXPECT_THAT(PendingTimers("Q-1"), IsEmpty());
  EXPECT_EQ(json::parse(LastAudit("Q-1").data_json).as_object().contains("deadline"), false);

  engine::ReportQuery q;
  q.as_of = T("2017-05-20T10:00:00+08:00");
  auto summary = engine::SummaryReport(*store_, *definitions_, q);
  ASSERT_TRUE(summary.ok()) << summary.error().message();
  EXPECT_EQ(summary->closed_on_time, 1);  // handed over on May 2, due May 8
  EXPECT_EQ(summary->closed_late, 0);
  EXPECT_EQ(summary->overdue_now, 0);
  auto show = test::RunRectify(
      {"--db", db_->url(), "item", "show", "Q-1", "--at", "2017-05-20T10:00:00+08:00"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("state:        closed (已销号)\ndeadline:     none\n"));

  // A look back reopens it: rectification-item restarts the clock with 10wd.
  At("2017-06-05T10:00:00+08:00");
  auto reopened = Act("Q-1", "reopen", "xs-0003", {}, "回头看发现问题反弹");
  ASSERT_TRUE(reopened.ok()) << reopened.error().message();
  EXPECT_EQ(reopened->clocks.at("rectifying").clock.phase, ClockPhase::kRunning);
  EXPECT_EQ(reopened->clocks.at("verifying").clock.phase, ClockPhase::kPaused);
  EXPECT_EQ(Due("Q-1"), "2017-06-20T00:00:00+08:00");  // the end of 2017-06-19
}

TEST_P(ClockChangesTest, AReopenThatContinuesResumesTheStoppedClockWhereItStopped) {
  Open(test::LoadSet({Definitions("", {{"fix-item.yaml", kContinuedReopen}})}));
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd", "F-1", "fix-item");
  RunUntil("2017-05-06T00:00:00+08:00");  // the -1wd reminder of 05-05 was sent
  At("2017-05-06T10:00:00+08:00");        // a Saturday: the clock stops with one day left
  auto done = Act("F-1", "submit", "xs-0014");
  ASSERT_TRUE(done.ok()) << done.error().message();
  EXPECT_EQ(done->clocks.at("open").clock.phase, ClockPhase::kStopped);
  EXPECT_THAT(PendingTimers("F-1"), IsEmpty());

  // Reopened on Monday June 5: May 8 was still the item's; the working days it stood stopped
  // (May 8 - June 2) are not. So one working day from June 5: the end of June 5.
  At("2017-06-05T10:00:00+08:00");
  auto reopened = Act("F-1", "reopen", "xs-0009", {}, "回头看发现问题反弹");
  ASSERT_TRUE(reopened.ok()) << reopened.error().message();
  EXPECT_EQ(reopened->clocks.at("open").clock.phase, ClockPhase::kRunning);
  EXPECT_EQ(Due("F-1"), "2017-06-06T00:00:00+08:00");
  // The -1wd reminder was sent against this clock; its time (June 2) has passed: not again.
  // `ladder: continue`: the ladder goes on where it stood (no step reached), none taken at once.
  EXPECT_EQ(PendingTimers("F-1").front(), "2017-06-06T00:00:00+08:00 escalate:open:0");
  EXPECT_EQ(json::parse(LastAudit("F-1").data_json).as_object().at("ladder").as_string(),
            "continue");
}

INSTANTIATE_TEST_SUITE_P(Backends, ClockChangesTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
