// Scenarios on the shipped definitions (workflows/), the cn calendar and a virtual clock, run on
// SQLite and on PostgreSQL (sqlite/EngineScenarioTest.*, postgresql/EngineScenarioTest.*). They
// assert what a headquarters officer would check: exact dates, recipients, messages, and that
// nothing happens twice.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/engine/audit_chain.h"
#include "rectify/engine/engine.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

using store_soci::Backend;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using test::T;

struct OutboxRow {
  std::string recipient, template_name, not_before, measure, message;
};

class EngineScenarioTest : public test::EngineFixture {
 protected:
  // A new connection and a new engine on the same database: an engine restart.
  void Reopen() { Open(definitions_); }

  soci::session& Sql() {
    if (!sql_) {
      auto url = store_soci::ParseDatabaseUrl(db_->url());
      auto db = store_soci::Database::Open(*url, {});
      EXPECT_TRUE(db.ok());
      sql_ = std::move(*db);
    }
    return sql_->session();
  }

  // Registers Q-1 in 酿溪镇, responsible 唐强华 (a village team captain there), and assigns it.
  void RegisterAndAssign(const char* at, const char* limit, const std::string& id = "Q-1") {
    At(at);
    engine::NewInstance req;
    req.id = id;
    req.workflow = "rectification-item";
    req.unit = "niangxi";
    req.responsible = "xs-0014";
    req.title = "危房改造对象识别不准";
    req.actor = "xs-0009";
    req.fields = {{"time_limit", limit}};
    auto item = engine_->Register(req);
    ASSERT_TRUE(item.ok()) << item.error().message();
    EXPECT_EQ(item->record.state, "registered");
    auto assigned = Act(id, "assign", "xs-0003", {}, "", {{"verifier", "xs-0007"}});
    ASSERT_TRUE(assigned.ok()) << assigned.error().message();
  }

  engine::Instance Load(const std::string& id = "Q-1") { return EngineFixture::Load(id); }
  std::vector<std::string> PendingTimers(const std::string& id = "Q-1") {
    return EngineFixture::PendingTimers(id);
  }

  std::vector<std::string> AuditOf(const std::string& event, const char* field,
                                   const std::string& id = "Q-1") {
    return AuditValues(id, event, field);
  }

  std::vector<OutboxRow> Outbox(const std::string& template_name) {
    std::vector<OutboxRow> out;
    soci::rowset<soci::row> rows =
        (Sql().prepare << "SELECT recipient, template, not_before, payload, state FROM outbox "
                          "ORDER BY id");
    for (const auto& r : rows) {
      if (r.get<std::string>(1) != template_name) continue;
      auto payload = boost::json::parse(r.get<std::string>(3)).as_object();
      out.push_back({r.get<std::string>(0), r.get<std::string>(1),
                     Cn().FormatLocal(FromMicros(r.get<long long>(2))),
                     payload.contains("measure") ? std::string(payload["measure"].as_string()) : "",
                     std::string(payload["message"].as_string())});
    }
    return out;
  }

  // The outbox as "template recipient not_before state", in the order the rows were written.
  std::vector<std::string> OutboxStates() {
    std::vector<std::string> out;
    soci::rowset<soci::row> rows =
        (Sql().prepare << "SELECT template, recipient, not_before, state FROM outbox ORDER BY id");
    for (const auto& r : rows) {
      out.push_back(r.get<std::string>(0) + " " + r.get<std::string>(1) + " " +
                    Cn().FormatLocal(FromMicros(r.get<long long>(2))) + " " +
                    r.get<std::string>(3));
    }
    return out;
  }

  std::string LastError(const std::string& template_name, const std::string& recipient) {
    std::string error;
    soci::indicator ind = soci::i_ok;
    Sql() << "SELECT last_error FROM outbox WHERE template = :t AND recipient = :r ORDER BY id "
             "DESC LIMIT 1",
        soci::use(template_name), soci::use(recipient), soci::into(error, ind);
    return ind == soci::i_ok ? error : "";
  }

  // What a dispatcher does with the rows due by `iso`: claims them and records them delivered.
  void DeliverDueBy(const char* iso) {
    store_soci::SociOutboxStore outbox(*OutboxDatabase());
    Timestamp now = T(iso);
    auto claimed = outbox.Claim(now, 1000, "test-dispatcher", now + std::chrono::minutes(5));
    ASSERT_TRUE(claimed.ok()) << claimed.error().message();
    std::vector<notify::RowResult> results;
    for (const notify::ClaimedRow& c : *claimed) {
      notify::RowResult r;
      r.outbox_id = c.row.id;
      r.lease_token = c.lease_token;
      r.state = OutboxState::kSent;
      r.attempts_total = 1;
      r.sent_at = now;
      r.attempts.push_back({c.row.id, 1, now, c.row.channel, "delivered", "", {}, {}, {}});
      results.push_back(std::move(r));
    }
    auto finished = outbox.Finish(results);
    ASSERT_TRUE(finished.ok()) << finished.error().message();
  }

  store_soci::Database* OutboxDatabase() {
    if (!outbox_db_) {
      auto url = store_soci::ParseDatabaseUrl(db_->url());
      auto db = store_soci::Database::Open(*url, {});
      EXPECT_TRUE(db.ok());
      outbox_db_ = std::move(*db);
    }
    return outbox_db_.get();
  }

  long long Count(const std::string& table) {
    long long n = 0;
    Sql() << "SELECT COUNT(*) FROM " + table, soci::into(n);
    return n;
  }

  std::unique_ptr<store_soci::Database> sql_;
  std::unique_ptr<store_soci::Database> outbox_db_;
};

TEST_P(EngineScenarioTest, TenWorkingDaysFromApril21AreDueAtTheEndOfMay8WithRemindersAndSteps) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  EXPECT_THAT(PendingTimers(), ElementsAre("2017-04-28T08:30:00+08:00 remind:rectifying:0",
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

  RunUntil("2017-07-01T00:00:00+08:00");
  EXPECT_THAT(AuditOf("remind", "offset"),
              ElementsAre("2017-04-28T08:30:00+08:00 \"-5wd\"",
                          "2017-05-05T08:30:00+08:00 \"-1wd\"", "2017-05-08T08:30:00+08:00 \"0\""));
  EXPECT_THAT(AuditOf("escalate", "measure"),
              ElementsAre("2017-05-09T00:00:00+08:00 \"reminder_letter\"",
                          "2017-05-11T08:30:00+08:00 \"supervision_letter\"",
                          "2017-05-15T08:30:00+08:00 \"suggestion_letter\"",
                          "2017-05-18T08:30:00+08:00 \"work_interview\"",
                          "2017-05-24T08:30:00+08:00 \"warning_interview\"",
                          "2017-05-27T08:30:00+08:00 \"suspend_payment\"",
                          "2017-06-06T08:30:00+08:00 \"informed_criticism\"",
                          "2017-06-20T08:30:00+08:00 \"accountability\""));
  EXPECT_THAT(
      AuditOf("escalate", "recipients"),
      ElementsAre(HasSubstr("[\"xs-0014\",\"xs-0012\"]"),              // responsible, head
                  HasSubstr("[\"xs-0014\",\"xs-0012\",\"xs-0001\"]"),  // + county head
                  HasSubstr("[\"xs-0012\",\"xs-0002\"]"),              // head, county leader
                  HasSubstr("[\"xs-0012\",\"xs-0002\"]"), HasSubstr("[\"xs-0012\",\"xs-0001\"]"),
                  HasSubstr("[\"xs-0012\",\"xs-0001\"]"),  // unit.county.head
                  HasSubstr("[\"xs-0012\",\"xs-0001\"]"),
                  HasSubstr("[\"xs-0011\",\"xs-0001\"]")));  // the discipline committee

  engine::Instance item = Load();
  EXPECT_EQ(item.EscalationLevel(), 8);
  EXPECT_EQ(item.EscalationMeasure(), "accountability");
  EXPECT_TRUE(item.payment_suspended);
  EXPECT_THAT(item.bulletins, ElementsAre("xinshao"));
  ASSERT_EQ(item.deductions.size(), 1u);
  EXPECT_EQ(item.deductions[0].points, -2);

  // The work interview is a task of its own, owned by the county leader, due in 3wd.
  engine::Instance task = Load("Q-1/work_interview");
  EXPECT_EQ(task.record.workflow, "interview-task");
  EXPECT_EQ(task.record.state, "scheduled");
  EXPECT_EQ(task.owner, "xs-0002");
  EXPECT_EQ(task.parent, "Q-1");
  EXPECT_EQ(FormatIso(**DeadlineClock(Cn(), task.clocks.at("scheduled").clock).RunningDeadline()),
            "2017-05-23T16:00:00Z");  // the end of 2017-05-23: 3wd after May 18
  EXPECT_EQ(Load("Q-1/warning_interview").owner, "xs-0001");

  // Step 2's letter, held to working hours, with a message a cadre reads.
  auto letters = Outbox("escalation");
  ASSERT_GE(letters.size(), 5u);
  EXPECT_EQ(letters[2].recipient, "xs-0014");
  EXPECT_EQ(letters[2].not_before, "2017-05-11T08:30:00+08:00");
  EXPECT_EQ(letters[2].measure, "supervision_letter");
  EXPECT_EQ(letters[2].message,
            "supervision letter (督办函): item Q-1 '危房改造对象识别不准' of 酿溪镇 is overdue "
            "since 2017-05-08 (step 2 of 8, overdue-rectification)");
  // The first letter falls at midnight; it waits for 08:30 on the next working day.
  EXPECT_EQ(letters[0].not_before, "2017-05-09T08:30:00+08:00");
}

TEST_P(EngineScenarioTest, EachStepTakesEffectOnceAcrossRestartsAndRepeatedFirings) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  RunUntil("2017-05-16T00:00:00+08:00");
  long long outbox = Count("outbox"), audit = Count("audit_log");
  EXPECT_EQ(Load().EscalationLevel(), 3);

  RunUntil("2017-05-16T00:00:00+08:00");
  Reopen();  // a new engine on the same database
  RunUntil("2017-05-16T00:00:00+08:00");
  EXPECT_EQ(Count("outbox"), outbox);
  EXPECT_EQ(Count("audit_log"), audit);

  // Two engines that both saw the same due timers: the second one's claim loses.
  auto due = store_->DueTimers(T("2017-05-19T00:00:00+08:00"), 100);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);  // the work interview of 2017-05-18
  At("2017-05-18T08:30:00+08:00");
  auto first = engine_->FireTimers(*due);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->timers, 1);
  auto second = engine_->FireTimers(*due);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->timers, 0);
  EXPECT_EQ(second->skipped, 1);
  EXPECT_EQ(Load().EscalationLevel(), 4);
  EXPECT_THAT(AuditOf("escalate", "measure"), ::testing::SizeIs(4));
}

TEST_P(EngineScenarioTest, ATimerDueWhileTheEngineWasDownFiresLateAndIsMarkedLate) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  RunUntil("2017-05-09T00:00:00+08:00");
  At("2017-05-12T09:00:00+08:00");  // down over May 11
  auto r = engine_->FireDue();
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(AuditOf("escalate", "late"),
              ElementsAre("2017-05-09T00:00:00+08:00 false", "2017-05-12T09:00:00+08:00 true"));
}

TEST_P(EngineScenarioTest, SubmittingStopsTheEscalationAndCancelsHeldNotices) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  RunUntil("2017-04-30T00:00:00+08:00");
  // A dispatcher delivered what was due by then: the -5wd reminder of April 28.
  DeliverDueBy("2017-04-30T00:00:00+08:00");
  // May 5: the -1wd reminder, not yet delivered; May 8, 08:30: the reminder on the deadline day.
  // Midnight of May 9: step 1's letters, held back to 08:30.
  RunUntil("2017-05-09T00:00:00+08:00");
  EXPECT_EQ(Load().EscalationLevel(), 1);
  At("2017-05-09T07:30:00+08:00");
  auto refused = Act("Q-1", "submit", "xs-0014");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(refused.error().message(),
            "'submit' on item Q-1 needs evidence: attach at least 1 file or text showing the "
            "rectification (--evidence)");
  auto submitted = Act("Q-1", "submit", "xs-0014", {"整改照片.zip"});
  ASSERT_TRUE(submitted.ok()) << submitted.error().message();
  EXPECT_EQ(submitted->record.state, "verifying");
  EXPECT_EQ(submitted->EscalationLevel(), 0);
  EXPECT_THAT(PendingTimers(), ElementsAre("2017-05-15T08:30:00+08:00 remind:verifying:0"));

  // What the outbox shows: the delivered reminder stays delivered; every notice of the state the
  // item left that nobody has received yet is cancelled, held back to 08:30 or not. The -1wd row
  // (due on May 5, never sent) is cancelled by Step::CancelHeld's semantics since 6655ff7; before
  // that only rows still held back were, and this row would still be pending.
  EXPECT_THAT(OutboxStates(),
              ElementsAre("reminder xs-0014 2017-04-28T08:30:00+08:00 sent",
                          "reminder xs-0014 2017-05-05T08:30:00+08:00 cancelled",
                          "reminder xs-0014 2017-05-08T08:30:00+08:00 cancelled",
                          "escalation xs-0014 2017-05-09T08:30:00+08:00 cancelled",
                          "escalation xs-0012 2017-05-09T08:30:00+08:00 cancelled"));
  EXPECT_EQ(LastError("escalation", "xs-0012"), "cancelled: the item moved on to 'verifying'");

  RunUntil("2017-07-31T00:00:00+08:00");
  EXPECT_THAT(AuditOf("escalate", "measure"), ::testing::SizeIs(1));
  // Only the verifier's reminder came after: -1wd of the 5wd check, which ends on May 16.
  EXPECT_EQ(OutboxStates().size(), 6u);
  EXPECT_EQ(OutboxStates().back(), "reminder xs-0007 2017-05-15T08:30:00+08:00 pending");
}

TEST_P(EngineScenarioTest, ACadreOfOneTownshipCannotActOnAnothersItem) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  At("2017-04-24T10:00:00+08:00");
  auto r = Act("Q-1", "submit", "xs-0025", {"x"});  // a village team head of 严塘镇
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(r.error().message(),
            "冯文志 (xs-0025) of 严塘镇第1驻村工作队 may not act on item Q-1: it belongs to 酿溪镇 "
            "(niangxi), outside 严塘镇第1驻村工作队");
  auto head = Act("Q-1", "extend", "xs-0023", {}, "need more time");  // 严塘镇's head
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.error().code(), ErrorCode::kPermissionDenied);
  auto own = Act("Q-1", "extend", "xs-0013", {}, "x");  // 酿溪镇's leader: not the head
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().message(),
            "高建玉 (xs-0013) may not 'extend' item Q-1: only unit.head (徐文波 (xs-0012)), "
            "unit.parent.leader (胡明敏 (xs-0002)) may");
  EXPECT_EQ(Load().record.version, 2);  // nothing changed
}

TEST_P(EngineScenarioTest, AnExtensionReprojectsEverythingAndIsAllowedOnce) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  RunUntil("2017-05-09T12:00:00+08:00");
  EXPECT_EQ(Load().EscalationLevel(), 1);
  auto ext = Act("Q-1", "extend", "xs-0012", {}, "村民外出务工，需补充核实");
  ASSERT_TRUE(ext.ok()) << ext.error().message();
  // 10wd from May 8: May 22; May 27 is a make-up Saturday and May 28-30 the Dragon Boat
  // Festival. The reminder letter already sent is not sent again.
  EXPECT_THAT(PendingTimers(), ElementsAre("2017-05-15T08:30:00+08:00 remind:rectifying:0",
                                           "2017-05-19T08:30:00+08:00 remind:rectifying:1",
                                           "2017-05-22T08:30:00+08:00 remind:rectifying:2",
                                           "2017-05-25T08:30:00+08:00 escalate:rectifying:1",
                                           "2017-05-27T08:30:00+08:00 escalate:rectifying:2",
                                           "2017-06-02T08:30:00+08:00 escalate:rectifying:3",
                                           "2017-06-08T08:30:00+08:00 escalate:rectifying:4",
                                           "2017-06-13T08:30:00+08:00 escalate:rectifying:5",
                                           "2017-06-20T08:30:00+08:00 escalate:rectifying:6",
                                           "2017-07-04T08:30:00+08:00 escalate:rectifying:7"));
  auto again = Act("Q-1", "extend", "xs-0012", {}, "again");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message(),
            "'extend' may be taken at most once on item Q-1, and it was already taken");
}

TEST_P(EngineScenarioTest, APauseAcrossNationalDayMovesTheDeadlineByTheWorkingDaysPausedOnly) {
  RegisterAndAssign("2017-09-25T09:00:00+08:00", "10wd");
  EXPECT_THAT(PendingTimers()[1], "2017-10-12T08:30:00+08:00 remind:rectifying:1");
  At("2017-09-29T10:00:00+08:00");
  ASSERT_TRUE(Act("Q-1", "pause", "xs-0002", {}, "等待县扶贫办认定").ok());
  EXPECT_THAT(PendingTimers(), ::testing::IsEmpty());  // nothing falls due while paused
  At("2017-10-10T09:00:00+08:00");
  ASSERT_TRUE(Act("Q-1", "resume", "xs-0002").ok());
  // Sep 29, Sep 30 (a make-up working day) and Oct 9 were lost; Oct 1-8 were holidays anyway.
  auto timers = PendingTimers();
  EXPECT_EQ(timers[0], "2017-10-11T08:30:00+08:00 remind:rectifying:0");
  EXPECT_EQ(timers[1], "2017-10-17T08:30:00+08:00 remind:rectifying:1");
  EXPECT_EQ(timers[2], "2017-10-18T08:30:00+08:00 remind:rectifying:2");
  EXPECT_EQ(timers[3], "2017-10-19T00:00:00+08:00 escalate:rectifying:0");
}

TEST_P(EngineScenarioTest, RejectContinuesTheClockAndReopenRestartsIt) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  At("2017-05-02T10:00:00+08:00");
  ASSERT_TRUE(Act("Q-1", "submit", "xs-0014", {"材料"}).ok());
  At("2017-05-04T10:00:00+08:00");
  ASSERT_TRUE(Act("Q-1", "reject", "xs-0007", {}, "", {}).ok() == false);  // needs a reason
  ASSERT_TRUE(Act("Q-1", "reject", "xs-0007", {}, "照片不清晰").ok());
  // continue: May 2 and May 3 were spent in verifying, so the deadline moves two working days.
  // The -5wd reminder (May 3) has passed: it is sent at once; -1wd falls on May 9.
  EXPECT_EQ(PendingTimers()[0], "2017-05-04T10:00:00+08:00 remind:rectifying:0");
  EXPECT_EQ(PendingTimers()[1], "2017-05-09T08:30:00+08:00 remind:rectifying:1");
  EXPECT_THAT(PendingTimers(),
              ::testing::Contains("2017-05-11T00:00:00+08:00 escalate:rectifying:0"));
  ASSERT_TRUE(Act("Q-1", "submit", "xs-0014", {"新照片"}).ok());
  ASSERT_TRUE(Act("Q-1", "accept", "xs-0007").ok());
  EXPECT_THAT(PendingTimers(), ::testing::IsEmpty());

  At("2017-06-05T10:00:00+08:00");  // the look back finds it was not done
  ASSERT_TRUE(Act("Q-1", "reopen", "xs-0003", {}, "回头看发现问题反弹").ok());
  EXPECT_EQ(Load().record.state, "rectifying");
  // restart: a fresh 10wd from June 5 ends on June 19. Found again (ladder: step_up by
  // default): it had reached no step, so the first, the reminder letter, is taken at once, and
  // the supervision letter follows 3wd after the new deadline (June 20, 21, 22).
  auto rows = store_->AuditOf("Q-1");
  ASSERT_TRUE(rows.ok() && !rows->empty());
  EXPECT_EQ(rows->back().event, "escalate");
  EXPECT_EQ(boost::json::parse(rows->back().data_json).as_object().at("measure").as_string(),
            "reminder_letter");
  EXPECT_THAT(PendingTimers(),
              ::testing::Contains("2017-06-22T08:30:00+08:00 escalate:rectifying:1"));
  EXPECT_THAT(
      PendingTimers(),
      ::testing::Not(::testing::Contains("2017-06-20T00:00:00+08:00 escalate:rectifying:0")));
  EXPECT_EQ(PendingTimers()[0], "2017-06-12T08:30:00+08:00 remind:rectifying:0");
}

TEST_P(EngineScenarioTest, AuditVerifyFindsAChangedAndADeletedRow) {
  RegisterAndAssign("2017-04-21T10:00:00+08:00", "10wd");
  RunUntil("2017-05-12T00:00:00+08:00");
  auto verify = [&] { return test::RunRectify({"--db", db_->url(), "audit", "verify"}); };
  auto ok = verify();
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("audit intact: 1 instances, 7 rows"));

  Sql() << "UPDATE audit_log SET reason = 'nothing happened' WHERE instance_id = 'Q-1' AND seq = 3";
  auto changed = verify();
  EXPECT_EQ(changed.exit_code, 1);
  EXPECT_THAT(changed.out,
              HasSubstr("instance Q-1 seq 3: row 3 was changed (its hash does not match its "
                        "contents)"));

  Sql() << "DELETE FROM audit_log WHERE instance_id = 'Q-1' AND seq = 7";
  auto deleted = verify();
  EXPECT_EQ(deleted.exit_code, 1);
  EXPECT_THAT(deleted.out, HasSubstr("instance Q-1 seq 7: row 7 was deleted"));
}

TEST_P(EngineScenarioTest, TheCommandLineRefusesAnotherTownshipsCadreWithExitCode1) {
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_->url()});
    return test::RunRectify(args);
  };
  auto add = run({"item", "add", "--id", "Q-9", "--unit", "niangxi", "--responsible", "xs-0014",
                  "--title", "台账不实", "--time-limit", "10wd", "--as", "xs-0009", "--at",
                  "2017-04-21T10:00:00+08:00"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  auto assign =
      run({"item", "act", "Q-9", "assign", "--as", "xs-0003", "--at", "2017-04-21T10:05:00+08:00"});
  ASSERT_EQ(assign.exit_code, 0) << assign.err;
  EXPECT_EQ(assign.out, "Q-9: assign -> rectifying (due 2017-05-08)\n");
  auto other = run({"item", "act", "Q-9", "submit", "--as", "xs-0023", "--evidence-text", "x",
                    "--at", "2017-04-24T10:00:00+08:00"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_EQ(other.err,
            "rectify: error: 朱秀霞 (xs-0023) of 严塘镇 may not act on item Q-9: it belongs to "
            "酿溪镇 (niangxi), outside 严塘镇\n");
  auto show = run({"item", "show", "Q-9", "--at", "2017-05-10T10:00:00+08:00"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("deadline:     2017-05-08, OVERDUE by 2 working days"));
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineScenarioTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
