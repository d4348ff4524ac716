// The shipped workflows other than rectification-item, walked on the engine with the cn calendar,
// on SQLite and PostgreSQL: a clue from the public (public-report: checked, escalated when late,
// the reporter told) and a project acceptance (project-acceptance: a team that must all sign).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

using store_soci::Backend;

using test::T;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class WorkflowsTest : public test::EngineFixture {
 protected:
  void Register(const std::string& id, const std::string& workflow, const std::string& responsible,
                std::map<std::string, std::string> fields) {
    engine::NewInstance req;
    req.id = id;
    req.workflow = workflow;
    req.unit = "niangxi";
    req.responsible = responsible;
    req.title = id == "C-1" ? "群众举报：低保评定优亲厚友" : "酿溪镇安全饮水工程验收";
    req.actor = "xs-0009";  // 韩兰娟, the registrar of 县扶贫开发办公室
    req.fields = std::move(fields);
    auto item = engine_->Register(req);
    ASSERT_TRUE(item.ok()) << item.error().message();
  }

  // Audit rows as "local-at event actor".
  std::vector<std::string> Events(const std::string& id) {
    std::vector<std::string> out;
    auto rows = store_->AuditOf(id);
    EXPECT_TRUE(rows.ok());
    if (!rows.ok()) return out;
    for (const auto& a : *rows)
      out.push_back(Cn().FormatLocal(a.at) + " " + a.event + " " + a.actor);
    return out;
  }
};

TEST_P(WorkflowsTest, APublicReportIsCheckedEscalatedWhenLateAndTheReporterIsTold) {
  At("2017-06-01T10:00:00+08:00");
  Register("C-1", "public-report", "", {{"reporter_contact", "13900000000"}});
  EXPECT_EQ(Load("C-1").record.state, "received");
  EXPECT_THAT(PendingTimers("C-1"), IsEmpty());
  auto registered = Act("C-1", "register", "xs-0009");
  ASSERT_TRUE(registered.ok()) << registered.error().message();
  EXPECT_EQ(registered->record.state, "checking");
  // 10wd from June 1: the end of June 15; -2wd; then overdue-clue-check at 0 and 5wd.
  EXPECT_EQ(Due("C-1"), "2017-06-16T00:00:00+08:00");
  EXPECT_THAT(PendingTimers("C-1"), ElementsAre("2017-06-13T08:30:00+08:00 remind:checking:0",
                                                "2017-06-16T00:00:00+08:00 escalate:checking:0",
                                                "2017-06-22T08:30:00+08:00 escalate:checking:1"));

  RunUntil("2017-06-23T00:00:00+08:00");  // nobody checked it in time
  // The reminder goes to the deadline's owner: the inspectors whose scope covers 酿溪镇.
  EXPECT_THAT(AuditValues("C-1", "remind", "recipients"),
              ElementsAre("2017-06-13T08:30:00+08:00 [\"xs-0003\",\"xs-0004\",\"xs-0005\","
                          "\"xs-0006\"]"));
  EXPECT_THAT(AuditValues("C-1", "escalate", "measure", true),
              ElementsAre("2017-06-16T00:00:00+08:00 reminder_letter",
                          "2017-06-22T08:30:00+08:00 supervision_letter"));
  EXPECT_THAT(
      AuditValues("C-1", "escalate", "recipients"),
      ElementsAre("2017-06-16T00:00:00+08:00 [\"xs-0012\"]",  // 酿溪镇's head
                                                              // the county head and the head of the
                                                              // discipline committee
                  "2017-06-22T08:30:00+08:00 [\"xs-0001\",\"xs-0011\"]"));
  EXPECT_EQ(Load("C-1").EscalationLevel(), 2);

  At("2017-06-23T10:00:00+08:00");
  auto no_evidence = Act("C-1", "confirm", "xs-0004", {}, "", {{"outcome", "problem"}});
  ASSERT_FALSE(no_evidence.ok());
  EXPECT_EQ(no_evidence.error().message(),
            "'confirm' on item C-1 needs evidence: attach at least 1 file or text showing the "
            "rectification (--evidence)");
  auto no_outcome = Act("C-1", "confirm", "xs-0004", {"核查笔录.pdf"});
  ASSERT_FALSE(no_outcome.ok());
  EXPECT_EQ(no_outcome.error().message(),
            "'confirm' on item C-1 needs the field 'outcome' (核查结论) to be set (--set "
            "outcome=...)");
  auto bad_outcome = Act("C-1", "confirm", "xs-0004", {"核查笔录.pdf"}, "", {{"outcome", "yes"}});
  ASSERT_FALSE(bad_outcome.ok());
  EXPECT_EQ(bad_outcome.error().message(),
            "field 'outcome': 'yes' is not one of problem, dismissed");
  auto cadre = Act("C-1", "confirm", "xs-0014", {"x"}, "", {{"outcome", "dismissed"}});
  ASSERT_FALSE(cadre.ok());
  EXPECT_EQ(cadre.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(Load("C-1").record.version, 5);  // register, register, remind, 2 steps: unchanged

  auto confirmed = Act("C-1", "confirm", "xs-0004", {"核查笔录.pdf"}, "", {{"outcome", "problem"}});
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message();
  EXPECT_EQ(confirmed->record.state, "telling_problem");
  EXPECT_EQ(confirmed->Field("outcome"), "problem");
  EXPECT_EQ(confirmed->EscalationLevel(), 0);
  // The registrar tells the reporter within 3wd: by the end of June 28. Nothing escalates here.
  EXPECT_EQ(Due("C-1"), "2017-06-29T00:00:00+08:00");
  EXPECT_THAT(PendingTimers("C-1"), IsEmpty());

  At("2017-06-26T09:00:00+08:00");
  auto told = Act("C-1", "tell", "xs-0009");
  ASSERT_TRUE(told.ok()) << told.error().message();
  EXPECT_EQ(told->record.state, "closed");
  for (const auto& [state, c] : told->clocks) {
    EXPECT_EQ(c.clock.phase, ClockPhase::kStopped) << state;
  }
  EXPECT_THAT(Events("C-1"), ElementsAre("2017-06-01T10:00:00+08:00 register xs-0009",
                                         "2017-06-01T10:00:00+08:00 register xs-0009",
                                         "2017-06-13T08:30:00+08:00 remind system",
                                         "2017-06-16T00:00:00+08:00 escalate system",
                                         "2017-06-22T08:30:00+08:00 escalate system",
                                         "2017-06-23T10:00:00+08:00 confirm xs-0004",
                                         "2017-06-26T09:00:00+08:00 tell xs-0009"));
}

TEST_P(WorkflowsTest, AnAcceptanceIsSignedOffOnlyWhenEveryMemberOfTheTeamHasSigned) {
  At("2017-06-01T10:00:00+08:00");
  // The team: the finance bureau's head, the poverty alleviation office's head, the township's
  // head.
  Register("A-1", "project-acceptance", "xs-0012",
           {{"acceptance_team", "xs-0010,xs-0007,xs-0012"}, {"completed_on", "2017-05-26"}});
  ASSERT_TRUE(Act("A-1", "form_team", "xs-0009").ok());
  EXPECT_EQ(Load("A-1").record.state, "inspecting");
  // 20wd from June 1: the end of June 29, reminded five working days before.
  EXPECT_EQ(Due("A-1"), "2017-06-30T00:00:00+08:00");
  EXPECT_THAT(PendingTimers("A-1"), ElementsAre("2017-06-22T08:30:00+08:00 remind:inspecting:0"));

  At("2017-06-05T10:00:00+08:00");
  auto db = db_->url();
  auto sign = test::RunRectify({"--db", db, "item", "act", "A-1", "sign", "--as", "xs-0010", "--at",
                                "2017-06-05T10:00:00+08:00"});
  EXPECT_EQ(sign.exit_code, 0) << sign.err;
  EXPECT_EQ(sign.out, "A-1: sign -> inspecting (due 2017-06-29)\n");
  auto outsider = Act("A-1", "sign", "xs-0014");
  ASSERT_FALSE(outsider.ok());
  EXPECT_EQ(outsider.error().code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(outsider.error().message(),
            "唐强华 (xs-0014) is on no team of item A-1 and has nothing to sign");

  // One member has not signed: refused, saying who, and nothing changes.
  At("2017-06-06T10:00:00+08:00");
  engine::Instance before = Load("A-1");
  auto early = Act("A-1", "sign_off", "xs-0007", {"验收报告.pdf"});
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(early.error().message(),
            "'sign_off' on item A-1 needs the signature of every member of acceptance_team; still "
            "missing: 徐文波 (xs-0012) (each signs with the event 'sign')");
  engine::Instance after = Load("A-1");
  EXPECT_EQ(after.record.version, before.record.version);
  EXPECT_EQ(after.record.state, "inspecting");
  EXPECT_EQ(after.audit_seq, before.audit_seq);
  EXPECT_THAT(after.signatures.at("inspecting"), ElementsAre("xs-0010"));

  At("2017-06-07T10:00:00+08:00");
  ASSERT_TRUE(Act("A-1", "sign", "xs-0012").ok());
  auto no_report = Act("A-1", "sign_off", "xs-0007");  // all signed, but no evidence
  ASSERT_FALSE(no_report.ok());
  EXPECT_EQ(no_report.error().message(),
            "'sign_off' on item A-1 needs evidence: attach at least 1 file or text showing the "
            "rectification (--evidence)");
  // The last member signs by taking the transition.
  auto signed_off = Act("A-1", "sign_off", "xs-0007", {"验收报告.pdf"});
  ASSERT_TRUE(signed_off.ok()) << signed_off.error().message();
  EXPECT_EQ(signed_off->record.state, "tracking");
  EXPECT_THAT(AuditValues("A-1", "sign", "evidence"),
              ElementsAre("2017-06-05T10:00:00+08:00 []", "2017-06-07T10:00:00+08:00 []"));
  // Performance is tracked for three years, reminded two years and one year before.
  EXPECT_EQ(Due("A-1"), "2020-06-08T00:00:00+08:00");
  EXPECT_THAT(PendingTimers("A-1"), ElementsAre("2018-06-07T08:30:00+08:00 remind:tracking:0",
                                                "2019-06-07T08:30:00+08:00 remind:tracking:1"));

  // A problem found while tracking sends it back; the rework's acceptance needs every signature
  // again, since those of the first visit do not count.
  At("2017-09-01T10:00:00+08:00");
  ASSERT_TRUE(Act("A-1", "flag", "xs-0008", {}, "管网漏水").ok());
  EXPECT_EQ(Load("A-1").record.state, "rework");
  At("2017-09-15T10:00:00+08:00");
  ASSERT_TRUE(Act("A-1", "resubmit", "xs-0012", {"维修记录.pdf"}).ok());
  auto again = Act("A-1", "sign_off", "xs-0007", {"复验报告.pdf"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().message(),
            "'sign_off' on item A-1 needs the signature of every member of acceptance_team; still "
            "missing: 田秀春 (xs-0010), 徐文波 (xs-0012) (each signs with the event 'sign')");
}

INSTANTIATE_TEST_SUITE_P(Backends, WorkflowsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
