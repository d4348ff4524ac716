// Measures by judgment and measures that last (issue 15 point 3, seed 002), on the shipped
// Jinkouhe definitions (jinkouhe-funds), on SQLite and PostgreSQL: the finance bureau suspends
// payment "for the illegal allocation and use of funds" before the letters get there, payment
// resumes when the rectification is accepted or when finance resumes it; the discipline
// committee holds a warning interview by judgment. Dates checked by hand on the cn calendar:
// an item assigned on Monday 2017-06-05 with 10wd is due at the end of Monday 2017-06-19
// (June 6-9, 12-16, 19: no holiday in June 2017); 20wd after it is Monday 2017-07-17 (June
// 20-23, 26-30, July 3-7, 10-14, 17) and 30wd Monday 2017-07-31.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rectify/engine/measures.h"
#include "tests/engine/engine_fixture.h"

namespace rectify {
namespace {

using store_soci::Backend;
using test::T;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class MeasuresTest : public test::EngineFixture {
 protected:
  soci::session& Sql() {
    if (!sql_) {
      auto url = store_soci::ParseDatabaseUrl(db_->url());
      auto db = store_soci::Database::Open(*url, {});
      EXPECT_TRUE(db.ok());
      sql_ = std::move(*db);
    }
    return sql_->session();
  }

  // JKH-1 at 金河镇, responsible its head 金一 (jkh-20), registered and assigned by the inspection
  // group's head 唐静 (jkh-04) on 2017-06-05 with 10wd, verifier 许明 (jkh-05), in the Jinkouhe
  // campaign (whose items escalate by jinkouhe-funds).
  void RegisterJinhe() {
    At("2017-06-05T10:00:00+08:00");
    engine::NewInstance req;
    req.id = "JKH-1";
    req.workflow = "rectification-item";
    req.campaign = "jinkouhe-2017";
    req.escalation = "jinkouhe-funds";
    req.unit = "jinhe";
    req.responsible = "jkh-20";
    req.title = "易地扶贫搬迁项目资金违规拨付";
    req.actor = "jkh-04";
    req.fields = {{"time_limit", "10wd"}};
    auto item = engine_->Register(req);
    ASSERT_TRUE(item.ok()) << item.error().message();
    auto assigned = Act("JKH-1", "assign", "jkh-04", {}, "", {{"verifier", "jkh-05"}});
    ASSERT_TRUE(assigned.ok()) << assigned.error().message();
    EXPECT_EQ(Due("JKH-1"), "2017-06-20T00:00:00+08:00");  // the end of June 19
  }

  Result<engine::Instance> Measure(const char* event, const std::string& measure,
                                   const std::string& actor, const std::string& reason) {
    engine::Command c;
    c.instance_id = "JKH-1";
    c.event = event;
    c.measure = measure;
    c.actor = actor;
    c.reason = reason;
    return engine_->Act(c);
  }

  // "template recipient not_before" of the outbox rows of `template_name`, in order.
  std::vector<std::string> Outbox(const std::string& template_name) {
    std::vector<std::string> out;
    soci::rowset<soci::row> rows =
        (Sql().prepare << "SELECT template, recipient, not_before FROM outbox ORDER BY id");
    for (const auto& r : rows) {
      if (r.get<std::string>(0) != template_name) continue;
      out.push_back(r.get<std::string>(1) + " " +
                    test::Cn().FormatLocal(FromMicros(r.get<long long>(2))));
    }
    return out;
  }

  std::string Text(const engine::Instance& item, std::size_t i = 0) {
    auto org = definitions_->FindOrg(item.org, item.org_version);
    return engine::DescribeMeasure(*org, item.measures.at(i), &test::Cn());
  }

  std::unique_ptr<store_soci::Database> sql_;
};

TEST_P(MeasuresTest, FinanceSuspendsPaymentByJudgmentAndAcceptanceResumesIt) {
  RegisterJinhe();
  RunUntil("2017-06-12T09:30:00+08:00");
  auto taken = Measure(engine::kTakeMeasure, "suspend_payment", "jkh-07", "违规拨付使用项目资金");
  ASSERT_TRUE(taken.ok()) << taken.error().message();

  // The item moved up its ladder to the suspension, as the step by time would have moved it.
  engine::Instance item = Load("JKH-1");
  EXPECT_EQ(item.EscalationLevel(), 6);
  EXPECT_EQ(item.EscalationMeasure(), "suspend_payment");
  EXPECT_TRUE(item.payment_suspended);
  ASSERT_EQ(item.measures.size(), 1u);
  EXPECT_TRUE(item.measures[0].in_force());
  EXPECT_EQ(Text(item),
            "suspension of fund payment (暂停拨付) since 2017-06-12 by 区财政局, decided by 曹华 "
            "(jkh-07), "
            "for 违规拨付使用项目资金");
  ASSERT_EQ(item.escalations.size(), 1u);
  EXPECT_EQ(item.escalations[0].by, "jkh-07");
  EXPECT_EQ(item.escalations[0].reason, "违规拨付使用项目资金");

  // Audited as the person's decision, with the reason.
  EXPECT_THAT(AuditValues("JKH-1", "escalate", "measure"),
              ElementsAre("2017-06-12T09:30:00+08:00 \"suspend_payment\""));
  EXPECT_THAT(AuditValues("JKH-1", "escalate", "judgment"),
              ElementsAre("2017-06-12T09:30:00+08:00 true"));
  // The finance bureau, which carries it out, is told to (urgent: at once); the township head and
  // the district head are told of it.
  EXPECT_THAT(Outbox("measure-carry"), ElementsAre("jkh-07 2017-06-12T09:30:00+08:00"));
  EXPECT_THAT(Outbox("escalation"),
              ElementsAre("jkh-20 2017-06-12T09:30:00+08:00", "jkh-01 2017-06-12T09:30:00+08:00"));

  // The ladder by time goes on after the suspension: the letters before it are passed over.
  EXPECT_THAT(PendingTimers("JKH-1"),
              ElementsAre("2017-06-16T08:30:00+08:00 remind:rectifying:1",
                          "2017-06-19T08:30:00+08:00 remind:rectifying:2",
                          "2017-07-17T08:30:00+08:00 escalate:rectifying:6",
                          "2017-07-31T08:30:00+08:00 escalate:rectifying:7"));

  // Submitted on June 15, accepted on June 16: payment resumes with the acceptance.
  At("2017-06-15T10:00:00+08:00");
  ASSERT_TRUE(Act("JKH-1", "submit", "jkh-20", {"资金退回凭证.pdf"}).ok());
  EXPECT_TRUE(Load("JKH-1").payment_suspended);  // still suspended while it is verified
  At("2017-06-16T15:00:00+08:00");
  auto accepted = Act("JKH-1", "accept", "jkh-05");
  ASSERT_TRUE(accepted.ok()) << accepted.error().message();
  item = Load("JKH-1");
  EXPECT_FALSE(item.payment_suspended);
  EXPECT_FALSE(item.measures[0].in_force());
  EXPECT_EQ(item.measures[0].end_event, "accept");
  EXPECT_EQ(Text(item),
            "suspension of fund payment (暂停拨付) since 2017-06-12 by 区财政局, decided by 曹华 "
            "(jkh-07), "
            "for 违规拨付使用项目资金; ended 2017-06-16 on accept by 许明 (jkh-05)");
  EXPECT_THAT(AuditValues("JKH-1", "measure_end", "end_event"),
              ElementsAre("2017-06-16T15:00:00+08:00 \"accept\""));
  // Finance is told to resume, in working hours.
  EXPECT_THAT(Outbox("measure-ended"), ElementsAre("jkh-07 2017-06-16T15:00:00+08:00"));
}

TEST_P(MeasuresTest, FinanceResumesPaymentItselfAndTheLadderGoesOnByTime) {
  RegisterJinhe();
  RunUntil("2017-06-12T09:30:00+08:00");
  ASSERT_TRUE(
      Measure(engine::kTakeMeasure, "suspend_payment", "jkh-07", "违规拨付使用项目资金").ok());
  RunUntil("2017-07-18T09:00:00+08:00");
  // Never submitted: the informed criticism falls at its own time, then nothing else until July 31.
  EXPECT_THAT(AuditValues("JKH-1", "escalate", "measure"),
              ElementsAre("2017-06-12T09:30:00+08:00 \"suspend_payment\"",
                          "2017-07-17T08:30:00+08:00 \"informed_criticism\""));
  engine::Instance item = Load("JKH-1");
  EXPECT_EQ(item.EscalationLevel(), 7);
  EXPECT_THAT(item.bulletins, ElementsAre("jinkouhe"));

  // Who may end it, and only with a reason.
  auto township = Measure(engine::kEndMeasure, "suspend_payment", "jkh-20", "已整改");
  ASSERT_FALSE(township.ok());
  EXPECT_EQ(township.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_THAT(township.error().message(),
              HasSubstr("may not 'end measure suspend_payment' item JKH-1: only finance"));
  auto no_reason = Measure(engine::kEndMeasure, "suspend_payment", "jkh-07", "  ");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_EQ(no_reason.error().code(), ErrorCode::kBadInput);
  EXPECT_EQ(Load("JKH-1").record.version, item.record.version);  // nothing changed

  auto ended = Measure(engine::kEndMeasure, "suspend_payment", "jkh-07", "资金已追回，恢复拨付");
  ASSERT_TRUE(ended.ok()) << ended.error().message();
  item = Load("JKH-1");
  EXPECT_FALSE(item.payment_suspended);
  EXPECT_EQ(item.EscalationLevel(), 7);  // ending a measure does not move the ladder back
  EXPECT_EQ(Text(item),
            "suspension of fund payment (暂停拨付) since 2017-06-12 by 区财政局, decided by 曹华 "
            "(jkh-07), "
            "for 违规拨付使用项目资金; ended 2017-07-18 by 曹华 (jkh-07): 资金已追回，恢复拨付");
  auto again = Measure(engine::kEndMeasure, "suspend_payment", "jkh-07", "再次");
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.error().message(),
              HasSubstr("no measure 'suspend_payment' is in force on item JKH-1; in force: none"));
}

TEST_P(MeasuresTest, OnlyTheChainsRolesTakeOnlyTheStepsItOpensToJudgment) {
  RegisterJinhe();
  At("2017-06-12T09:30:00+08:00");
  const std::int64_t version = Load("JKH-1").record.version;

  auto township = Measure(engine::kTakeMeasure, "suspend_payment", "jkh-20", "自查");
  ASSERT_FALSE(township.ok());
  EXPECT_EQ(township.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_THAT(township.error().message(),
              HasSubstr("金一 (jkh-20) may not 'take measure suspend_payment' item JKH-1: only "
                        "finance (曹华 (jkh-07)) may"));

  auto by_time = Measure(engine::kTakeMeasure, "work_interview", "jkh-07", "约谈");
  ASSERT_FALSE(by_time.ok());
  EXPECT_EQ(by_time.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(by_time.error().message(),
            "step 'work_interview' of chain jinkouhe-funds is taken only by time (8wd after the "
            "deadline); steps taken by judgment: warning_interview, suspend_payment");

  auto unknown = Measure(engine::kTakeMeasure, "freeze_funds", "jkh-07", "冻结");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kBadInput);

  auto no_reason = Measure(engine::kTakeMeasure, "suspend_payment", "jkh-07", "");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_EQ(no_reason.error().code(), ErrorCode::kBadInput);
  EXPECT_THAT(no_reason.error().message(), HasSubstr("a reason is required"));
  EXPECT_EQ(Load("JKH-1").record.version, version);

  ASSERT_TRUE(Measure(engine::kTakeMeasure, "suspend_payment", "jkh-07", "违规拨付").ok());
  auto twice = Measure(engine::kTakeMeasure, "suspend_payment", "jkh-07", "违规拨付");
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(twice.error().message(), HasSubstr("is already in force on item JKH-1"));

  // Not once the item is closed: the ladder no longer runs.
  At("2017-06-13T10:00:00+08:00");
  ASSERT_TRUE(Act("JKH-1", "submit", "jkh-20", {"整改报告.pdf"}).ok());
  auto verifying = Measure(engine::kTakeMeasure, "warning_interview", "jkh-03", "资金管理混乱");
  ASSERT_FALSE(verifying.ok());
  EXPECT_THAT(verifying.error().message(), HasSubstr("runs no escalation chain"));
}

TEST_P(MeasuresTest, TheDisciplineCommitteeHoldsAWarningInterviewByJudgment) {
  RegisterJinhe();
  At("2017-06-08T10:00:00+08:00");
  auto taken = Measure(engine::kTakeMeasure, "warning_interview", "jkh-03", "资金使用管理混乱");
  ASSERT_TRUE(taken.ok()) << taken.error().message();
  engine::Instance item = Load("JKH-1");
  EXPECT_EQ(item.EscalationLevel(), 5);
  EXPECT_TRUE(item.measures.empty());  // a one-off measure: nothing lasts
  // The interview is a task of its own, owned by the district head, due in 3wd (June 13).
  engine::Instance task = Load("JKH-1/warning_interview");
  EXPECT_EQ(task.owner, "jkh-01");
  EXPECT_EQ(Due("JKH-1/warning_interview"), "2017-06-14T00:00:00+08:00");
  EXPECT_THAT(Outbox("measure-carry"), ElementsAre("jkh-03 2017-06-08T10:00:00+08:00"));
  // Before the deadline, the letter does not say the item is overdue.
  soci::rowset<std::string> messages =
      (Sql().prepare << "SELECT payload FROM outbox WHERE template = 'escalation'");
  for (const std::string& p : messages) {
    EXPECT_THAT(p, HasSubstr("decided by 彭军 (jkh-03): 资金使用管理混乱"));
    EXPECT_THAT(p, ::testing::Not(HasSubstr("overdue since")));
  }
  // The steps by time continue after it: the suspension at 15wd after the deadline (July 10).
  EXPECT_THAT(PendingTimers("JKH-1"),
              ElementsAre("2017-06-12T08:30:00+08:00 remind:rectifying:0",
                          "2017-06-16T08:30:00+08:00 remind:rectifying:1",
                          "2017-06-19T08:30:00+08:00 remind:rectifying:2",
                          "2017-07-10T08:30:00+08:00 escalate:rectifying:5",
                          "2017-07-17T08:30:00+08:00 escalate:rectifying:6",
                          "2017-07-31T08:30:00+08:00 escalate:rectifying:7"));
}

INSTANTIATE_TEST_SUITE_P(Backends, MeasuresTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
