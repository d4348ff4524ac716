// The interpreter alone: the shipped workflows, an instance held in memory, no Store. Each test
// applies commands or timer firings and asserts the effects the engine would commit: the state,
// the timers armed and cancelled (exact dates on the cn calendar), the outbox rows, the audit
// rows, and that a refusal says why.
#include "rectify/engine/interpreter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/engine/shipped_definitions.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using test::Cn;
using test::T;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

std::string Local(Timestamp t) { return Cn().FormatLocal(t); }

class InterpreterTest : public ::testing::Test {
 protected:
  // Registers Q-1 in 酿溪镇 (responsible 唐强华, xs-0014) by the registrar xs-0009, and has the
  // inspector xs-0003 assign it with the verifier xs-0007.
  engine::Effects RegisterAndAssign(const char* at, const char* limit) {
    engine::NewInstance req;
    req.id = "Q-1";
    req.workflow = "rectification-item";
    req.unit = "niangxi";
    req.responsible = "xs-0014";
    req.title = "危房改造对象识别不准";
    req.actor = "xs-0009";
    req.fields = {{"time_limit", limit}};
    req.at = T(at);
    auto created = interp_.Create(req);
    EXPECT_TRUE(created.ok()) << created.error().message();
    if (!created.ok()) return {};
    EXPECT_TRUE(created->created);
    EXPECT_EQ(created->instance.record.state, "registered");
    EXPECT_THAT(Events(*created), ElementsAre("register -> registered by xs-0009"));
    EXPECT_THAT(created->arm, IsEmpty());  // registered has no deadline
    item_ = created->instance;
    auto assigned = Act("assign", "xs-0003", at, {}, "", {{"verifier", "xs-0007"}});
    EXPECT_TRUE(assigned.ok()) << assigned.error().message();
    return assigned.ok() ? *assigned : engine::Effects{};
  }

  // Applies a command to the item; on success the item becomes the new state.
  Result<engine::Effects> Act(const std::string& event, const std::string& actor, const char* at,
                              std::vector<std::string> evidence = {},
                              const std::string& reason = "",
                              std::map<std::string, std::string> fields = {}) {
    engine::Command c;
    c.instance_id = item_.record.id;
    c.event = event;
    c.actor = actor;
    c.evidence = std::move(evidence);
    c.reason = reason;
    c.fields = std::move(fields);
    c.at = T(at);
    auto fx = interp_.Apply(item_, c);
    if (fx.ok()) item_ = fx->instance;
    return fx;
  }

  // Fires the item's pending timers due by `at`, at `at`.
  engine::Effects FireDue(const char* at) {
    std::vector<TimerRecord> due;
    for (const engine::PendingTimer& p : item_.timers) {
      if (p.due > T(at)) continue;
      TimerRecord r;
      r.key = {item_.record.id, p.name, p.generation};
      r.due_at = p.due;
      due.push_back(r);
    }
    auto fx = interp_.Fire(item_, due, T(at));
    EXPECT_TRUE(fx.ok()) << fx.error().message();
    if (!fx.ok()) return {};
    item_ = fx->instance;
    return *fx;
  }

  static std::vector<std::string> Armed(const engine::Effects& fx) {
    std::vector<std::string> out;
    for (const TimerRecord& t : fx.arm) out.push_back(Local(t.due_at) + " " + t.key.name);
    std::sort(out.begin(), out.end());
    return out;
  }

  // The item's whole schedule (what it will do next), armed in the store or not.
  std::vector<std::string> Schedule() const {
    std::vector<std::string> out;
    for (const engine::PendingTimer& t : item_.timers) out.push_back(Local(t.due) + " " + t.name);
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::vector<std::string> Cancelled(const engine::Effects& fx) {
    std::vector<std::string> out;
    for (const TimerCancel& c : fx.cancel) out.push_back(c.name);
    std::sort(out.begin(), out.end());
    return out;
  }

  static std::vector<std::string> Claimed(const engine::Effects& fx) {
    std::vector<std::string> out;
    for (const TimerFire& f : fx.fire) out.push_back(f.key.name + " at " + Local(f.fired_at));
    return out;
  }

  static std::vector<std::string> Events(const engine::Effects& fx) {
    std::vector<std::string> out;
    for (const AuditRecord& a : fx.audit) {
      out.push_back(a.event + (a.from_state.empty() ? "" : " " + a.from_state) + " -> " +
                    a.to_state + " by " + a.actor);
    }
    return out;
  }

  // "recipient channel template not_before [measure]"
  static std::vector<std::string> Outbox(const engine::Effects& fx) {
    std::vector<std::string> out;
    for (const OutboxRecord& o : fx.outbox) {
      auto payload = boost::json::parse(o.payload_json).as_object();
      std::string measure =
          payload.contains("measure") ? " " + std::string(payload.at("measure").as_string()) : "";
      out.push_back(o.recipient + " " + o.channel + " " + o.template_name + " " +
                    Local(o.not_before) + measure);
    }
    return out;
  }

  engine::Interpreter interp_{test::ShippedDefinitions()};
  engine::Instance item_;
};

TEST_F(InterpreterTest, AssignStartsTheClockAndArmsRemindersAndTheEscalationChain) {
  engine::Effects fx = RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  EXPECT_EQ(item_.record.state, "rectifying");
  EXPECT_EQ(item_.Field("verifier"), "xs-0007");
  EXPECT_THAT(Events(fx), ElementsAre("assign registered -> rectifying by xs-0003"));
  // Due at the end of 2017-05-08: Labour Day (May 1) is not a working day. The reminder `0`
  // goes when the deadline day's working hours start, not at 00:00 after it with the first letter.
  EXPECT_THAT(Schedule(), ElementsAre("2017-04-28T08:30:00+08:00 remind:rectifying:0",
                                      "2017-05-05T08:30:00+08:00 remind:rectifying:1",
                                      "2017-05-08T08:30:00+08:00 remind:rectifying:2",
                                      "2017-05-09T00:00:00+08:00 escalate:rectifying:0",
                                      "2017-05-11T08:30:00+08:00 escalate:rectifying:1",
                                      "2017-05-15T08:30:00+08:00 escalate:rectifying:2",
                                      "2017-05-18T08:30:00+08:00 escalate:rectifying:3",
                                      "2017-05-24T08:30:00+08:00 escalate:rectifying:4",
                                      "2017-05-27T08:30:00+08:00 escalate:rectifying:5",
                                      "2017-06-06T08:30:00+08:00 escalate:rectifying:6",
                                      "2017-06-20T08:30:00+08:00 escalate:rectifying:7"));
  // Only the front of the schedule is armed in the store; each firing arms the next.
  EXPECT_THAT(Armed(fx), ElementsAre("2017-04-28T08:30:00+08:00 remind:rectifying:0"));
  EXPECT_THAT(Cancelled(fx), IsEmpty());
  EXPECT_THAT(fx.outbox, IsEmpty());
}

TEST_F(InterpreterTest, AnEventNotPossibleInTheStateIsRefusedAndChangesNothing) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  engine::Instance before = item_;
  auto r = Act("accept", "xs-0007", "2017-04-24T10:00:00+08:00");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(r.error().message(),
            "item Q-1 is in state 'rectifying' (整改中), where 'accept' is not possible; "
            "possible: submit, extend, pause, resume, change_limit");
  EXPECT_EQ(item_.DataJson(), before.DataJson());
}

TEST_F(InterpreterTest, ScopeAndRoleRefusals) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  auto other_township = Act("submit", "xs-0025", "2017-04-24T10:00:00+08:00", {"x"});
  ASSERT_FALSE(other_township.ok());
  EXPECT_EQ(other_township.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(other_township.error().message(),
            "冯文志 (xs-0025) of 严塘镇第1驻村工作队 may not act on item Q-1: it belongs to 酿溪镇 "
            "(niangxi), outside 严塘镇第1驻村工作队");
  auto wrong_role = Act("extend", "xs-0013", "2017-04-24T10:00:00+08:00", {}, "x");
  ASSERT_FALSE(wrong_role.ok());
  EXPECT_EQ(wrong_role.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(wrong_role.error().message(),
            "高建玉 (xs-0013) may not 'extend' item Q-1: only unit.head (徐文波 (xs-0012)), "
            "unit.parent.leader (胡明敏 (xs-0002)) may");
  // The county's inspectors serve the whole county: xs-0003 may assign anywhere, which the
  // registration above relied on.
}

TEST_F(InterpreterTest, SubmitNeedsEvidenceThenMovesToVerifyingAndSwapsTheTimers) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  auto bare = Act("submit", "xs-0014", "2017-05-02T10:00:00+08:00");
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(bare.error().message(),
            "'submit' on item Q-1 needs evidence: attach at least 1 file or text showing the "
            "rectification (--evidence)");
  EXPECT_EQ(item_.record.state, "rectifying");

  auto fx = Act("submit", "xs-0014", "2017-05-02T10:00:00+08:00", {"整改照片.zip"});
  ASSERT_TRUE(fx.ok()) << fx.error().message();
  EXPECT_EQ(item_.record.state, "verifying");
  ASSERT_EQ(item_.evidence.size(), 1u);
  EXPECT_EQ(item_.evidence[0].text, "整改照片.zip");
  EXPECT_EQ(item_.evidence[0].by, "xs-0014");
  EXPECT_THAT(Events(*fx), ElementsAre("submit rectifying -> verifying by xs-0014"));
  // The rest of rectifying's schedule goes with the state; of it, only the armed front (the -5wd
  // reminder, which in a real run would have fired by now) has a timer row to cancel.
  EXPECT_THAT(Cancelled(*fx), ElementsAre("remind:rectifying:0"));
  EXPECT_THAT(Schedule(), ElementsAre("2017-05-08T08:30:00+08:00 remind:verifying:0"));
  // verifying: 5wd for the verifier from May 2, due at the end of May 9; reminded at -1wd.
  EXPECT_THAT(Armed(*fx), ElementsAre("2017-05-08T08:30:00+08:00 remind:verifying:0"));
}

TEST_F(InterpreterTest, ExtendAddsTenWorkingDaysOnceAndNeedsAReason) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  auto no_reason = Act("extend", "xs-0012", "2017-05-03T10:00:00+08:00");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_EQ(no_reason.error().code(), ErrorCode::kFailedPrecondition);
  auto fx = Act("extend", "xs-0012", "2017-05-03T10:00:00+08:00", {}, "村民外出务工");
  ASSERT_TRUE(fx.ok()) << fx.error().message();
  EXPECT_EQ(item_.record.state, "rectifying");
  // 2017-05-08 + 10wd = 2017-05-22: the whole schedule moves to a new generation.
  EXPECT_THAT(Schedule(), ElementsAre("2017-05-15T08:30:00+08:00 remind:rectifying:0",
                                      "2017-05-19T08:30:00+08:00 remind:rectifying:1",
                                      "2017-05-22T08:30:00+08:00 remind:rectifying:2",
                                      "2017-05-23T00:00:00+08:00 escalate:rectifying:0",
                                      "2017-05-25T08:30:00+08:00 escalate:rectifying:1",
                                      "2017-05-27T08:30:00+08:00 escalate:rectifying:2",
                                      "2017-06-02T08:30:00+08:00 escalate:rectifying:3",
                                      "2017-06-08T08:30:00+08:00 escalate:rectifying:4",
                                      "2017-06-13T08:30:00+08:00 escalate:rectifying:5",
                                      "2017-06-20T08:30:00+08:00 escalate:rectifying:6",
                                      "2017-07-04T08:30:00+08:00 escalate:rectifying:7"));
  // In the store: the old generation's armed front is cancelled, the new one's armed.
  EXPECT_THAT(Cancelled(*fx), ElementsAre("remind:rectifying:0"));
  EXPECT_THAT(Armed(*fx), ElementsAre("2017-05-15T08:30:00+08:00 remind:rectifying:0"));
  for (const TimerRecord& t : fx->arm)
    EXPECT_EQ(t.key.generation, fx->cancel[0].generation.value() + 1);
  for (const engine::PendingTimer& t : item_.timers)
    EXPECT_EQ(t.generation, fx->cancel[0].generation.value() + 1);
  auto again = Act("extend", "xs-0012", "2017-05-04T10:00:00+08:00", {}, "again");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message(),
            "'extend' may be taken at most once on item Q-1, and it was already taken");
}

TEST_F(InterpreterTest, APauseAcrossNationalDayCostsOnlyTheWorkingDaysPaused) {
  RegisterAndAssign("2017-09-25T09:00:00+08:00", "10wd");
  auto paused = Act("pause", "xs-0002", "2017-09-29T10:00:00+08:00", {}, "等待县扶贫办认定");
  ASSERT_TRUE(paused.ok()) << paused.error().message();
  EXPECT_THAT(paused->arm, IsEmpty());  // a paused clock arms nothing
  EXPECT_THAT(Cancelled(*paused), ElementsAre("remind:rectifying:0"));
  EXPECT_THAT(Schedule(), IsEmpty());
  auto resumed = Act("resume", "xs-0002", "2017-10-10T09:00:00+08:00");
  ASSERT_TRUE(resumed.ok()) << resumed.error().message();
  // Due 2017-10-18 instead of 2017-10-13: Sep 29, Sep 30 (a make-up working day) and Oct 9 were
  // lost; Oct 1-8 were holidays anyway.
  std::vector<std::string> schedule = Schedule();
  ASSERT_GE(schedule.size(), 4u);
  EXPECT_EQ(schedule[0], "2017-10-11T08:30:00+08:00 remind:rectifying:0");
  EXPECT_EQ(schedule[1], "2017-10-17T08:30:00+08:00 remind:rectifying:1");
  EXPECT_EQ(schedule[2], "2017-10-18T08:30:00+08:00 remind:rectifying:2");
  EXPECT_EQ(schedule[3], "2017-10-19T00:00:00+08:00 escalate:rectifying:0");
  EXPECT_THAT(Armed(*resumed), ElementsAre("2017-10-11T08:30:00+08:00 remind:rectifying:0"));
}

TEST_F(InterpreterTest, AReminderNotifiesTheResponsibleCadreAtOnceInWorkingHours) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  engine::Effects fx = FireDue("2017-04-28T08:30:00+08:00");
  EXPECT_THAT(Claimed(fx), ElementsAre("remind:rectifying:0 at 2017-04-28T08:30:00+08:00"));
  EXPECT_THAT(Events(fx), ElementsAre("remind rectifying -> rectifying by system"));
  ASSERT_EQ(fx.outbox.size(), 1u);
  EXPECT_EQ(fx.outbox[0].recipient, "xs-0014");
  EXPECT_EQ(Local(fx.outbox[0].not_before), "2017-04-28T08:30:00+08:00");
  // The firing arms the next timer of the schedule, in the same commit.
  EXPECT_THAT(Armed(fx), ElementsAre("2017-05-05T08:30:00+08:00 remind:rectifying:1"));
}

TEST_F(InterpreterTest, TheFirstEscalationStepAtTheDeadlineWritesLettersHeldToWorkingHours) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  FireDue("2017-05-05T08:30:00+08:00");  // the reminders before the deadline day
  // The reminder `0` on the deadline day, at 08:30, alone.
  engine::Effects last = FireDue("2017-05-08T08:30:00+08:00");
  EXPECT_THAT(Claimed(last), ElementsAre("remind:rectifying:2 at 2017-05-08T08:30:00+08:00"));
  EXPECT_THAT(Outbox(last), ElementsAre("xs-0014 sms reminder 2017-05-08T08:30:00+08:00"));
  // The first letter at the deadline, with no reminder beside it.
  engine::Effects fx = FireDue("2017-05-09T00:00:00+08:00");
  EXPECT_THAT(Claimed(fx), ElementsAre("escalate:rectifying:0 at 2017-05-09T00:00:00+08:00"));
  EXPECT_THAT(Events(fx), ElementsAre("escalate rectifying -> rectifying by system"));
  // The reminder letter (提醒函) goes to the responsible cadre and the unit's head, held back to
  // 08:30: a letter is not sent at midnight.
  std::vector<std::string> outbox = Outbox(fx);
  EXPECT_THAT(outbox, ::testing::Contains(::testing::HasSubstr(
                          "xs-0012 sms escalation 2017-05-09T08:30:00+08:00 reminder_letter")));
  EXPECT_EQ(item_.EscalationLevel(), 1);
  EXPECT_EQ(item_.EscalationMeasure(), "reminder_letter");
  // The item keeps every notification of the state until it leaves it: the three reminders
  // (perhaps delivered by now, perhaps not) and this firing's.
  ASSERT_EQ(item_.held.size(), fx.outbox.size() + 3);

  // Submitting now cancels them all, and the rest of the chain; the store cancels only those
  // not delivered yet (tests/notify/cancellation_pgtest.cc).
  auto submitted = Act("submit", "xs-0014", "2017-05-09T07:00:00+08:00", {"照片"});
  ASSERT_TRUE(submitted.ok()) << submitted.error().message();
  EXPECT_EQ(submitted->outbox_updates.size(), fx.outbox.size() + 3);
  for (const OutboxUpdate& u : submitted->outbox_updates) {
    EXPECT_EQ(u.state, OutboxState::kCancelled);
  }
  EXPECT_THAT(item_.held, IsEmpty());
}

// A database from before reminders moved into working hours holds the reminder `0` armed at
// 00:00 after the deadline, beside the first letter. It still fires (exactly once), but the
// letters speak for the lapse: it is recorded as skipped in the item's history, not sent.
TEST_F(InterpreterTest, AReminderArmedAtMidnightByAnOlderReleaseIsRecordedAsSkippedNotSent) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  FireDue("2017-05-05T08:30:00+08:00");
  for (engine::PendingTimer& t : item_.timers) {
    if (t.name == "remind:rectifying:2") {
      t.due = T("2017-05-09T00:00:00+08:00");  // where the older release armed it
      t.armed = true;
    }
  }
  engine::Effects fx = FireDue("2017-05-09T00:00:00+08:00");
  EXPECT_THAT(Claimed(fx),
              UnorderedElementsAre("escalate:rectifying:0 at 2017-05-09T00:00:00+08:00",
                                   "remind:rectifying:2 at 2017-05-09T00:00:00+08:00"));
  for (const OutboxRecord& o : fx.outbox) EXPECT_NE(o.template_name, "reminder") << o.dedup_key;
  EXPECT_THAT(Events(fx), UnorderedElementsAre("escalate rectifying -> rectifying by system",
                                               "remind rectifying -> rectifying by system"));
  auto remind = std::find_if(fx.audit.begin(), fx.audit.end(),
                             [](const AuditRecord& a) { return a.event == "remind"; });
  ASSERT_NE(remind, fx.audit.end());
  auto data = boost::json::parse(remind->data_json).as_object();
  EXPECT_EQ(data.at("skipped").as_string(),
            "the deadline has passed; the overdue chain overdue-rectification speaks for it");
  EXPECT_TRUE(data.at("recipients").as_array().empty());
  // Fired once: nothing of it is armed again.
  for (const engine::PendingTimer& t : item_.timers) EXPECT_NE(t.name, "remind:rectifying:2");
}

// An item of an older release whose reminder `0` is still only in its schedule (not armed in the
// store) at 00:00 after the deadline: the next firing projects it at 08:30 on the deadline day.
TEST_F(InterpreterTest,
       AnOlderReleasesUnarmedMidnightReminderMovesToTheDeadlineDayAtTheNextFiring) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  FireDue("2017-04-28T08:30:00+08:00");
  for (engine::PendingTimer& t : item_.timers) {
    if (t.name == "remind:rectifying:2") t.due = T("2017-05-09T00:00:00+08:00");
  }
  FireDue("2017-05-05T08:30:00+08:00");
  std::vector<std::string> schedule = Schedule();
  ASSERT_GE(schedule.size(), 2u);
  EXPECT_EQ(schedule[0], "2017-05-08T08:30:00+08:00 remind:rectifying:2");
  EXPECT_EQ(schedule[1], "2017-05-09T00:00:00+08:00 escalate:rectifying:0");
}

// An item assigned after its deadline day's reminder time gets no catch-up reminder once the
// deadline has passed: the first letter alone speaks for the lapse.
TEST_F(InterpreterTest, NoCatchUpReminderAfterTheDeadlineBesideTheFirstLetter) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "2017-04-20");
  std::vector<std::string> schedule = Schedule();
  ASSERT_FALSE(schedule.empty());
  for (const std::string& s : schedule) EXPECT_THAT(s, Not(HasSubstr("remind:"))) << s;
  EXPECT_EQ(schedule.front(), "2017-04-21T00:00:00+08:00 escalate:rectifying:0");
}

// Two workers can split an item's due steps between their claims. Should the later step fire
// first, the steps it passes over take effect with it, in the chain's order, and their armed
// timers fire in the same commit (the other claimer's commit then finds them fired): no step is
// passed over, none taken twice.
TEST_F(InterpreterTest, AStepFiredBeforeTheStepsBeforeItTakesThemFirstInOrder) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  // Weeks later, with nothing fired meanwhile: the reminders are past, steps 0-2 are due.
  for (engine::PendingTimer& t : item_.timers) t.armed = true;  // as if each had been armed
  std::optional<engine::PendingTimer> step2;
  for (const engine::PendingTimer& t : item_.timers) {
    if (t.name == "escalate:rectifying:2") step2 = t;
  }
  ASSERT_TRUE(step2);
  TimerRecord claimed;
  claimed.key = {"Q-1", step2->name, step2->generation};
  claimed.due_at = step2->due;
  auto fx = interp_.Fire(item_, {claimed}, T("2017-05-16T09:00:00+08:00"));
  ASSERT_TRUE(fx.ok()) << fx.error().message();
  EXPECT_THAT(Claimed(*fx), ElementsAre("escalate:rectifying:2 at 2017-05-16T09:00:00+08:00",
                                        "escalate:rectifying:0 at 2017-05-16T09:00:00+08:00",
                                        "escalate:rectifying:1 at 2017-05-16T09:00:00+08:00"));
  std::vector<std::string> steps;
  for (const engine::EscalationTaken& e : fx->instance.escalations) steps.push_back(e.step_id);
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(fx->instance.EscalationLevel(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(fx->instance.escalations[i].step, i) << "in order";
  // Each of them once: firing the passed-over timers again changes nothing.
  item_ = fx->instance;
  TimerRecord again;
  again.key = {"Q-1", "escalate:rectifying:0", step2->generation};
  auto repeat = interp_.Fire(item_, {again}, T("2017-05-16T09:01:00+08:00"));
  ASSERT_TRUE(repeat.ok());
  EXPECT_EQ(repeat->instance.escalations.size(), 3u);
}

TEST_F(InterpreterTest, AStaleGenerationIsClaimedAndIgnored) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  engine::PendingTimer old = item_.timers.front();
  ASSERT_TRUE(Act("extend", "xs-0012", "2017-04-24T10:00:00+08:00", {}, "x").ok());
  TimerRecord stale;
  stale.key = {"Q-1", old.name, old.generation};
  stale.due_at = old.due;
  auto fx = interp_.Fire(item_, {stale}, old.due);
  ASSERT_TRUE(fx.ok()) << fx.error().message();
  ASSERT_EQ(fx->fire.size(), 1u);  // claimed, so it never fires again
  EXPECT_THAT(fx->audit, IsEmpty());
  EXPECT_THAT(fx->outbox, IsEmpty());
}

// An escalation step whose people are nobody at all queues nothing and says so in the history.
TEST(NoRecipientTest, AnEscalationStepToNobodyIsAnAuditedError) {
  test::TempDir dir;
  std::ofstream(dir.File("nobody.yaml"))
      << "kind: escalation\nname: nobody-chain\nversion: 1\nsteps:\n"
         "  - { after: 0, measure: reminder_letter, notify: [unit.parent.parent.head] }\n"
         "---\n"
         "kind: workflow\nname: short-item\nversion: 1\ncalendar: cn\nstates:\n"
         "  open:\n    deadline: { within: 1wd }\n    overdue: nobody-chain\n"
         "    on: { close: { to: done, by: [registrar] } }\n"
         "  done: { final: true }\n";
  engine::Interpreter interp(
      test::LoadSet({std::string(RECTIFY_SOURCE_DIR) + "/workflows", dir.File("nobody.yaml")}));
  engine::NewInstance req;
  req.id = "S-1";
  req.workflow = "short-item";
  req.unit = "niangxi";  // under the county, the root: nothing two levels up
  req.responsible = "xs-0014";
  req.title = "短期问题";
  req.actor = "xs-0009";
  req.at = T("2017-04-24T09:00:00+08:00");
  auto created = interp.Create(req);
  ASSERT_TRUE(created.ok()) << created.error().message();
  engine::Instance item = created->instance;
  std::vector<TimerRecord> due;
  for (const engine::PendingTimer& p : item.timers) {
    if (p.name.rfind("escalate:", 0) != 0) continue;
    TimerRecord r;
    r.key = {item.record.id, p.name, p.generation};
    r.due_at = p.due;
    due.push_back(r);
  }
  ASSERT_EQ(due.size(), 1u);
  auto fx = interp.Fire(item, due, T("2017-04-26T09:00:00+08:00"));
  ASSERT_TRUE(fx.ok()) << fx.error().message();
  EXPECT_THAT(fx->outbox, IsEmpty());
  std::vector<std::string> rows;
  for (const AuditRecord& a : fx->audit) rows.push_back(a.event + ": " + a.reason);
  EXPECT_THAT(rows, ElementsAre("escalate: ",
                                "no_recipient: escalation step step-1"
                                " (escalate:open:0) has no recipient: unit.parent.parent.head "
                                "names nobody in org xinshao for 酿溪镇 (niangxi)"));
}

}  // namespace
}  // namespace rectify
