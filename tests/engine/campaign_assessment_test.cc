// The monthly assessment's ranking (RankUnits) on the shipped xinshao-monthly definition, with
// instances held in memory: the one-vote veto, by a measure and by an assessor's recorded finding;
// the marks, bonus and vetoes of a sheet (engine/assessment.h) with figures worked by hand, the
// ties broken as the definition says, and each deduction with its cause.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rectify/engine/assessment.h"
#include "rectify/engine/campaign.h"
#include "tests/engine/shipped_definitions.h"

namespace rectify {
namespace {

using test::T;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class CampaignAssessmentTest : public ::testing::Test {
 protected:
  // An instance of the campaign in `unit`, registered at `at`, with `fields`.
  engine::Instance Item(const std::string& id, const std::string& unit, const char* at,
                        std::map<std::string, std::string> fields = {}) {
    engine::Instance i;
    i.record.id = id;
    i.record.workflow = "rectification-item";
    i.record.campaign = "xinshao-2017";
    i.record.unit_id = unit;
    i.record.state = "rectifying";
    i.record.created_at = T(at);
    i.fields = std::move(fields);
    return i;
  }

  // May 2017, ranked on June 1 as the shipped campaign does.
  std::vector<engine::RankedUnit> RankMay(const std::vector<engine::Instance>& items) {
    return engine::RankUnits(*assessment_, *org_, &test::Cn(), items,
                             T("2017-05-01T00:00:00+08:00"), T("2017-06-01T00:00:00+08:00"),
                             T("2017-06-01T08:30:00+08:00"));
  }

  static const engine::RankedUnit& Find(const std::vector<engine::RankedUnit>& ranking,
                                        const std::string& unit) {
    for (const auto& r : ranking) {
      if (r.unit == unit) return r;
    }
    ADD_FAILURE() << "no unit " << unit;
    return ranking.front();
  }

  std::vector<engine::RankedUnit> RankMay(const std::vector<engine::Instance>& items,
                                          const engine::AssessmentSheet& sheet) {
    return engine::RankUnits(*assessment_, *org_, &test::Cn(), items,
                             T("2017-05-01T00:00:00+08:00"), T("2017-06-01T00:00:00+08:00"),
                             T("2017-06-01T08:30:00+08:00"), sheet);
  }

  // Marks in the order of the criteria: accurate_identification, accurate_withdrawal,
  // accurate_assistance, policy_implementation, fund_use, discipline.
  static void Marks(engine::AssessmentSheet& sheet, const std::string& unit,
                    std::vector<double> marks) {
    const char* ids[] = {"accurate_identification",
                         "accurate_withdrawal",
                         "accurate_assistance",
                         "policy_implementation",
                         "fund_use",
                         "discipline"};
    for (std::size_t i = 0; i < marks.size(); ++i) {
      engine::SheetEntry e;
      e.event = "assessment_mark";
      e.unit = unit;
      e.criterion = ids[i];
      e.value = marks[i];
      sheet.marks[{unit, ids[i]}] = e;
    }
  }

  std::shared_ptr<const definition::Assessment> assessment_ =
      test::ShippedDefinitions()->FindAssessment("xinshao-monthly");
  std::shared_ptr<const definition::Org> org_ = test::ShippedDefinitions()->FindOrg("xinshao");
};

TEST_F(CampaignAssessmentTest, WithoutFindingsEveryTownshipPassesWithFullMarks) {
  auto ranking = RankMay({Item("Q-1", "niangxi", "2017-05-03T10:00:00+08:00")});
  ASSERT_EQ(ranking.size(), 15u);
  for (const auto& r : ranking) {
    EXPECT_EQ(r.score, 100) << r.unit;
    EXPECT_THAT(r.vetoes, IsEmpty()) << r.unit;
  }
}

TEST_F(CampaignAssessmentTest, ARecordedManualVetoFailsTheUnitWhateverItsScore) {
  // An assessor's finding of false poverty exit (虚假脱贫) in 酿溪镇, recorded in May on a
  // village team's instance: it counts for the township.
  auto ranking =
      RankMay({Item("F-1", "niangxi", "2017-05-20T15:00:00+08:00", {{"veto", "false_withdrawal"}}),
               Item("Q-2", "yantang", "2017-05-03T10:00:00+08:00")});
  const engine::RankedUnit& niangxi = Find(ranking, "niangxi");
  EXPECT_THAT(niangxi.vetoes, ElementsAre("false_withdrawal"));
  EXPECT_EQ(niangxi.score, 100);  // the score stands; the veto fails the unit anyway
  EXPECT_EQ(niangxi.rank, 15);    // after every unit that passed
  EXPECT_EQ(ranking.back().unit, "niangxi");
  EXPECT_THAT(Find(ranking, "yantang").vetoes, IsEmpty());
  // The 14 that passed are level at 100: the org's order (ties: [..., unit_order]) puts 严塘镇,
  // listed right after 酿溪镇, first.
  EXPECT_EQ(Find(ranking, "yantang").rank, 1);
}

TEST_F(CampaignAssessmentTest, AFindingCountsOnlyInItsPeriodAndOnlyForManualCriteria) {
  auto ranking = RankMay({
      Item("F-1", "niangxi", "2017-04-28T10:00:00+08:00", {{"veto", "false_withdrawal"}}),  // April
      Item("F-2", "yantang", "2017-05-10T10:00:00+08:00",
           {{"veto", "accountability_case, no_such_criterion"}}),  // a measure veto: not manual
      Item("F-3", "daxin", "2017-05-10T10:00:00+08:00",
           {{"veto", " no_such_criterion , false_withdrawal "}}),
  });
  EXPECT_THAT(Find(ranking, "niangxi").vetoes, IsEmpty());
  EXPECT_THAT(Find(ranking, "yantang").vetoes, IsEmpty());
  EXPECT_THAT(Find(ranking, "daxin").vetoes, ElementsAre("false_withdrawal"));
  EXPECT_EQ(ranking.back().unit, "daxin");
}

TEST_F(CampaignAssessmentTest, AnAccountabilityStepIsAMeasureVetoBesideAManualOne) {
  engine::Instance item = Item("Q-1", "niangxi", "2017-04-21T10:00:00+08:00");
  engine::EscalationTaken step;
  step.state = "rectifying";
  step.step = 7;
  step.step_id = "accountability";
  step.measure = "accountability";
  step.due = step.at = T("2017-05-20T08:30:00+08:00");
  item.escalations.push_back(step);
  auto ranking = RankMay(
      {item, Item("F-1", "niangxi", "2017-05-21T10:00:00+08:00", {{"veto", "false_withdrawal"}})});
  const engine::RankedUnit& niangxi = Find(ranking, "niangxi");
  EXPECT_THAT(niangxi.vetoes, ElementsAre("accountability_case", "false_withdrawal"));
  EXPECT_EQ(niangxi.rank, 15);
}

TEST_F(CampaignAssessmentTest, MarksAreWeightedBonusAddsAndTiesFollowTheDefinition) {
  engine::AssessmentSheet sheet;
  // 0.2 x (90 + 80 + 85) + 0.15 x (70 + 60) + 0.1 x 100 = 51 + 19.5 + 10 = 80.5, plus 2 bonus.
  Marks(sheet, "niangxi", {90, 80, 85, 70, 60, 100});
  sheet.bonus["niangxi"].value = 2;
  // 85 on every criterion, plus 3 bonus: 88.
  Marks(sheet, "yantang", {85, 85, 85, 85, 85, 85});
  sheet.bonus["yantang"].value = 3;
  // Both 80: 0.2 x 240 + 0.15 x (90 + 70) + 0.1 x 80 = 48 + 24 + 8 = 80 against 80 everywhere.
  // Neither has an overdue item; 大新镇's better policy_implementation mark puts it first, though
  // 陈家坊镇 comes first by id.
  Marks(sheet, "daxin", {80, 80, 80, 90, 70, 80});
  Marks(sheet, "chenjiafang", {80, 80, 80, 80, 80, 80});
  auto ranking = RankMay({}, sheet);
  ASSERT_EQ(ranking.size(), 15u);
  const auto& niangxi = Find(ranking, "niangxi");
  EXPECT_DOUBLE_EQ(niangxi.marks, 80.5);
  EXPECT_DOUBLE_EQ(niangxi.bonus, 2);
  EXPECT_DOUBLE_EQ(niangxi.score, 82.5);
  EXPECT_THAT(niangxi.not_assessed, IsEmpty());
  EXPECT_DOUBLE_EQ(Find(ranking, "yantang").score, 88);
  EXPECT_DOUBLE_EQ(Find(ranking, "daxin").score, 80);
  EXPECT_DOUBLE_EQ(Find(ranking, "chenjiafang").score, 80);
  // The 11 townships not marked yet keep 100 provisionally and say what is missing.
  EXPECT_EQ(ranking[0].not_assessed.size(), 6u);
  EXPECT_DOUBLE_EQ(ranking[0].score, 100);
  EXPECT_EQ(Find(ranking, "yantang").rank, 12);
  EXPECT_EQ(Find(ranking, "niangxi").rank, 13);
  EXPECT_EQ(Find(ranking, "daxin").rank, 14);
  EXPECT_EQ(Find(ranking, "chenjiafang").rank, 15);
}

TEST_F(CampaignAssessmentTest, UnmarkedUnitsAreLevelAndFollowTheOrgsOrder) {
  auto ranking = RankMay({}, engine::AssessmentSheet{});
  // unit_order: the townships in the order the org lists them, not by id.
  std::vector<std::string> in_org;
  for (definition::UnitIndex i : org_->UnitsOfKind("township")) in_org.push_back(org_->unit(i).id);
  ASSERT_EQ(ranking.size(), in_org.size());
  for (std::size_t i = 0; i < in_org.size(); ++i) EXPECT_EQ(ranking[i].unit, in_org[i]);
}

TEST_F(CampaignAssessmentTest, AVetoTakenByARoleFailsTheUnitWithItsReason) {
  engine::AssessmentSheet sheet;
  engine::SheetEntry v;
  v.event = "assessment_veto";
  v.unit = "yantang";
  v.criterion = "false_withdrawal";
  v.note = "虚报脱贫户3户";
  v.by = "xs-0004";
  v.at = T("2017-06-02T10:00:00+08:00");
  sheet.vetoes[{"yantang", "false_withdrawal"}] = v;
  auto ranking = RankMay({}, sheet);
  const auto& yantang = Find(ranking, "yantang");
  EXPECT_THAT(yantang.vetoes, ElementsAre("false_withdrawal"));
  EXPECT_EQ(yantang.veto_reasons.at("false_withdrawal"), "邓涛华 2017-06-02: 虚报脱贫户3户");
  EXPECT_EQ(yantang.rank, 15);
}

TEST_F(CampaignAssessmentTest, EachDeductionKeepsItsCause) {
  engine::Instance item = Item("Q-1", "niangxi-team-1", "2017-04-21T10:00:00+08:00");
  engine::EscalationTaken step;
  step.state = "rectifying";
  step.step = 1;
  step.step_id = "reminder";
  step.measure = "reminder_letter";
  step.due = step.at = T("2017-05-05T00:00:00+08:00");
  item.escalations.push_back(step);
  item.deductions.push_back({"niangxi", -2, "criticism", T("2017-05-24T00:00:00+08:00")});
  auto ranking = RankMay({item}, engine::AssessmentSheet{});
  const auto& niangxi = Find(ranking, "niangxi");
  ASSERT_EQ(niangxi.deductions.size(), 2u);
  EXPECT_EQ(niangxi.deductions[0].cause, "measure");
  EXPECT_EQ(niangxi.deductions[0].item, "Q-1");
  EXPECT_EQ(niangxi.deductions[0].step, "reminder");
  EXPECT_EQ(niangxi.deductions[0].measure, "reminder_letter");
  EXPECT_EQ(niangxi.deductions[0].date, "2017-05-05");
  EXPECT_DOUBLE_EQ(niangxi.deductions[0].points, 0.5);
  EXPECT_EQ(niangxi.deductions[1].cause, "step_score");
  EXPECT_EQ(niangxi.deductions[1].date, "2017-05-24");
  EXPECT_DOUBLE_EQ(niangxi.deductions[1].points, 2);
  EXPECT_DOUBLE_EQ(niangxi.score, 97.5);
}

TEST_F(CampaignAssessmentTest, TheSheetIsTheLastEntryOfEachKeyInItsPeriod) {
  auto row = [](std::int64_t seq, const std::string& event, const std::string& data) {
    AuditRecord r;
    r.seq = seq;
    r.event = event;
    r.actor = "xs-0004";
    r.data_json = data;
    return r;
  };
  std::vector<AuditRecord> audit = {
      row(1, "assessment_mark",
          R"({"assessment":"xinshao-monthly","period":"2017-05","unit":"niangxi",)"
          R"("criterion":"fund_use","mark":"60","note":"a"})"),
      row(2, "assessment_mark",
          R"({"assessment":"xinshao-monthly","period":"2017-05","unit":"niangxi",)"
          R"("criterion":"fund_use","mark":"75","previous":"60","note":"b"})"),
      row(3, "assessment_mark",
          R"({"assessment":"xinshao-monthly","period":"2017-06","unit":"niangxi",)"
          R"("criterion":"fund_use","mark":"10","note":"june"})"),
      row(4, "assessment_veto",
          R"({"assessment":"xinshao-monthly","period":"2017-05","unit":"daxin",)"
          R"("criterion":"false_withdrawal","note":"x","withdrawn":false})"),
      row(5, "assessment_veto",
          R"({"assessment":"xinshao-monthly","period":"2017-05","unit":"daxin",)"
          R"("criterion":"false_withdrawal","note":"复核撤销","withdrawn":true})"),
  };
  engine::AssessmentSheet sheet = engine::ReadSheet(audit, "xinshao-monthly", "2017-05");
  ASSERT_EQ(sheet.marks.size(), 1u);
  const auto& mark = sheet.marks.at({"niangxi", "fund_use"});
  EXPECT_DOUBLE_EQ(mark.value, 75);
  ASSERT_TRUE(mark.previous.has_value());
  EXPECT_DOUBLE_EQ(*mark.previous, 60);
  EXPECT_THAT(sheet.vetoes, IsEmpty());
  EXPECT_EQ(sheet.history.size(), 4u);
  EXPECT_FALSE(sheet.published.has_value());
}

}  // namespace
}  // namespace rectify
