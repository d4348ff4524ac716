// Findings of an inspection round turned into ledger items (issue 15, point 1) on SQLite and
// PostgreSQL, on Xinshao 2017 (seed 001): the first-quarter inspection ran April 7-14; after the
// April 21 mobilisation meeting the problems went into the ledger for a one-month special
// rectification, during which the weekend break was cancelled.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rectify/engine/campaign.h"
#include "rectify/engine/findings.h"
#include "tests/engine/engine_fixture.h"

namespace rectify {
namespace {

using store_soci::Backend;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FindingsTest : public test::EngineFixture {
 protected:
  FindingsTest() : EngineFixture("2017-04-01T09:00:00+08:00") {}

  engine::NewFinding Finding(const std::string& unit, const std::string& title) {
    engine::NewFinding f;
    f.campaign = "xinshao-2017";
    f.round = "q1_inspection";
    f.unit = unit;
    f.title = title;
    f.actor = "xs-0004";  // an inspector of the county headquarters
    return f;
  }
};

TEST_P(FindingsTest, AConfirmedFindingOpensItsItemWithTheCampaignsTimeLimit) {
  auto started = engine::StartCampaign(*engine_, "xinshao-2017");
  ASSERT_TRUE(started.ok()) << started.error().message();
  At("2017-04-10T10:00:00+08:00");
  auto f = Finding("niangxi", "长塘村贫困户信息采集表与系统数据不一致（7户）");
  f.location = "长塘村";
  f.found_by = "unannounced_visit";
  f.evidence = {"走访记录 7 户"};
  auto recorded = engine::RecordFinding(*engine_, f);
  ASSERT_TRUE(recorded.ok()) << recorded.error().message();
  EXPECT_EQ(recorded->record.id, "F-xinshao-2017-q1_inspection-001");
  EXPECT_EQ(recorded->record.state, "draft");
  EXPECT_EQ(recorded->origin.found_by, "unannounced_visit");
  auto second = engine::RecordFinding(*engine_, Finding("yantang", "退出户收入测算台账缺失"));
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(second->record.id, "F-xinshao-2017-q1_inspection-002");
  EXPECT_EQ(second->origin.found_by, "inspection");  // the round's way, by default

  // Confirmed on the day of the mobilisation meeting by the poverty alleviation office (the
  // findings workflow's verifier): the item is in the ledger, assigned, due 15 working days on
  // with the special rectification's weekends worked and Labour Day (04-29 .. 05-01) rested:
  // 04-22, 04-23, 04-24 .. 04-28, 05-02 .. 05-09 is 15 days, so it ends with 05-09.
  At("2017-04-21T09:00:00+08:00");
  engine::Confirmation c;
  c.source = recorded->record.id;
  c.actor = "xs-0007";
  auto confirmed = engine::ConfirmFinding(*engine_, c);
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message();
  EXPECT_EQ(confirmed->source.record.state, "confirmed");
  const engine::Instance& item = confirmed->item;
  EXPECT_EQ(item.record.id, "P-xinshao-2017-q1_inspection-001");
  EXPECT_EQ(item.record.campaign, "xinshao-2017");
  EXPECT_EQ(item.record.unit_id, "niangxi");
  EXPECT_EQ(item.record.workflow, "rectification-item");
  EXPECT_EQ(item.record.state, "rectifying");
  EXPECT_EQ(item.Field("time_limit"), "15wd");
  EXPECT_EQ(Due(item.record.id), "2017-05-10T00:00:00+08:00");

  // Linked both ways, as stored.
  engine::Instance stored_item = Load(item.record.id);
  EXPECT_EQ(stored_item.origin.found_by, "unannounced_visit");
  EXPECT_EQ(stored_item.origin.round, "q1_inspection");
  EXPECT_EQ(stored_item.origin.campaign, "xinshao-2017");
  EXPECT_EQ(stored_item.origin.source, "F-xinshao-2017-q1_inspection-001");
  EXPECT_EQ(stored_item.origin.recorded_by, "xs-0004");
  EXPECT_EQ(Cn().FormatLocal(stored_item.origin.found_at), "2017-04-10T10:00:00+08:00");
  EXPECT_EQ(Load(recorded->record.id).origin.opened, "P-xinshao-2017-q1_inspection-001");
  auto org = definitions_->FindOrg("xinshao");
  EXPECT_THAT(engine::DescribeOrigin(stored_item.origin, *org, &Cn()),
              HasSubstr("unannounced_visit, round q1_inspection of xinshao-2017, finding "
                        "F-xinshao-2017-q1_inspection-001, 2017-04-10, by "));

  // The round lists both, the item it opened and where it stands.
  auto listed = engine::ListFindings(*store_, "xinshao-2017", "q1_inspection");
  ASSERT_TRUE(listed.ok()) << listed.error().message();
  ASSERT_EQ(listed->size(), 2u);
  ASSERT_TRUE((*listed)[0].item.has_value());
  EXPECT_EQ((*listed)[0].item->record.state, "rectifying");
  EXPECT_FALSE((*listed)[1].item.has_value());
  EXPECT_EQ((*listed)[1].finding.record.state, "draft");

  // Confirmed twice: refused, nothing opened again.
  auto again = engine::ConfirmFinding(*engine_, c);
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(again.error().message(), HasSubstr("opened item P-xinshao-2017-q1_inspection-001"));
}

TEST_P(FindingsTest, AFindingsOwnTimeLimitAndADismissalWithItsReason) {
  At("2017-04-12T15:00:00+08:00");
  auto f = Finding("tuqiao", "帮扶手册填写不规范");
  f.time_limit = "2017-05-12";
  auto recorded = engine::RecordFinding(*engine_, f);
  ASSERT_TRUE(recorded.ok()) << recorded.error().message();
  auto other = engine::RecordFinding(*engine_, Finding("tuqiao", "重复记录"));
  ASSERT_TRUE(other.ok()) << other.error().message();
  At("2017-04-21T09:00:00+08:00");
  auto confirmed = engine::ConfirmFinding(
      *engine_, {.source = recorded->record.id, .actor = "xs-0007", .item_id = "XS-2017-003"});
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message();
  EXPECT_EQ(Due("XS-2017-003"), "2017-05-13T00:00:00+08:00");  // the end of 05-12

  auto no_reason = engine::DismissFinding(*engine_, other->record.id, "xs-0007", " ");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_THAT(no_reason.error().message(), HasSubstr("say why"));
  auto dismissed = engine::DismissFinding(*engine_, other->record.id, "xs-0007", "与第1条重复");
  ASSERT_TRUE(dismissed.ok()) << dismissed.error().message();
  EXPECT_EQ(dismissed->record.state, "dismissed");
  EXPECT_THAT(AuditValues(other->record.id, "dismiss", "channel"), ::testing::SizeIs(1));
}

TEST_P(FindingsTest, WhoMayRecordAndConfirmAndWhatIsRefused) {
  At("2017-04-05T09:00:00+08:00");
  auto early = engine::RecordFinding(*engine_, Finding("niangxi", "提前记录"));
  ASSERT_FALSE(early.ok());
  EXPECT_THAT(early.error().message(), HasSubstr("begins on 2017-04-07"));

  At("2017-04-10T10:00:00+08:00");
  auto township_head = Finding("niangxi", "乡镇自己记录");
  township_head.actor = "xs-0012";  // the head of niangxi holds no inspector role
  auto refused = engine::RecordFinding(*engine_, township_head);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kPermissionDenied);

  auto round = Finding("niangxi", "x");
  round.round = "materials";
  auto not_round = engine::RecordFinding(*engine_, round);
  ASSERT_FALSE(not_round.ok());
  EXPECT_THAT(not_round.error().message(), HasSubstr("not an inspection round; its rounds: "
                                                     "q1_inspection"));
  auto how = Finding("niangxi", "x");
  how.found_by = "rumour";
  auto bad_how = engine::RecordFinding(*engine_, how);
  ASSERT_FALSE(bad_how.ok());
  EXPECT_THAT(bad_how.error().message(), HasSubstr("inspection, open_visit, unannounced_visit"));

  auto recorded = engine::RecordFinding(*engine_, Finding("niangxi", "资金台账不清"));
  ASSERT_TRUE(recorded.ok()) << recorded.error().message();
  auto by_inspector =
      engine::ConfirmFinding(*engine_, {.source = recorded->record.id, .actor = "xs-0004"});
  ASSERT_FALSE(by_inspector.ok());
  EXPECT_EQ(by_inspector.error().code(), ErrorCode::kPermissionDenied);
  std::int64_t before = Instances();
  // Nothing of a refused confirmation is kept: the item id is taken, so the commit fails whole.
  auto clash = engine::ConfirmFinding(
      *engine_, {.source = recorded->record.id, .actor = "xs-0007", .item_id = "X-1"});
  ASSERT_TRUE(clash.ok()) << clash.error().message();
  auto second = engine::RecordFinding(*engine_, Finding("niangxi", "另一问题"));
  ASSERT_TRUE(second.ok());
  auto taken = engine::ConfirmFinding(
      *engine_, {.source = second->record.id, .actor = "xs-0007", .item_id = "X-1"});
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code(), ErrorCode::kUniqueViolation);
  EXPECT_EQ(Load(second->record.id).record.state, "draft");
  EXPECT_EQ(Instances(), before + 2);  // the first item and the second finding, no more
}

TEST_P(FindingsTest, AConfirmedPublicReportOpensItsItemAtTheResponsibleUnit) {
  At("2017-05-03T09:00:00+08:00");
  engine::NewInstance report;
  report.id = "PR-K7QM4XPA";
  report.workflow = "public-report";
  report.unit = "xinshao-fpo";
  report.title = "【长塘村】低保户名单公示不全";
  report.actor = "xs-0009";
  ASSERT_TRUE(engine_->Register(report).ok());
  ASSERT_TRUE(Act("PR-K7QM4XPA", "register", "xs-0009").ok());
  engine::Confirmation c;
  c.source = "PR-K7QM4XPA";
  c.actor = "xs-0004";
  c.campaign = "xinshao-2017";
  auto no_unit = engine::ConfirmFinding(*engine_, c);
  ASSERT_FALSE(no_unit.ok());
  EXPECT_THAT(no_unit.error().message(), HasSubstr("name the responsible unit"));
  c.unit = "niangxi";
  c.evidence = {"核查笔录"};
  auto confirmed = engine::ConfirmFinding(*engine_, c);
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message();
  EXPECT_EQ(confirmed->source.record.state, "telling_problem");
  EXPECT_EQ(confirmed->source.Field("outcome"), "problem");
  EXPECT_EQ(confirmed->item.record.id, "PR-K7QM4XPA-P");
  EXPECT_EQ(confirmed->item.record.unit_id, "niangxi");
  EXPECT_EQ(confirmed->item.record.state, "rectifying");
  engine::Instance item = Load("PR-K7QM4XPA-P");
  EXPECT_EQ(item.origin.found_by, "public_report");
  EXPECT_EQ(item.origin.source, "PR-K7QM4XPA");
  EXPECT_EQ(Load("PR-K7QM4XPA").origin.opened, "PR-K7QM4XPA-P");
  // Registered 05-03 inside the special rectification: 15 working days (weekends worked, none
  // rested) would end with 05-18; the window (04-21 + P1M) ends 05-21, so no cap.
  EXPECT_EQ(Due("PR-K7QM4XPA-P"), "2017-05-19T00:00:00+08:00");
}

INSTANTIATE_TEST_SUITE_P(Backends, FindingsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
