// The monthly assessment's ranking (RankUnits) on the shipped xinshao-monthly definition, with
// instances held in memory: the one-vote veto, by a measure and by an assessor's recorded finding.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rectify/engine/campaign.h"
#include "tests/engine/shipped_definitions.h"

namespace rectify {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::T;

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
    return engine::RankUnits(*assessment_, *org_, &testing::Cn(), items,
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

  std::shared_ptr<const definition::Assessment> assessment_ =
      testing::ShippedDefinitions()->FindAssessment("xinshao-monthly");
  std::shared_ptr<const definition::Org> org_ = testing::ShippedDefinitions()->FindOrg("xinshao");
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
  EXPECT_EQ(Find(ranking, "yantang").rank, 13);  // 严塘镇 by id among the 14 that passed
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

}  // namespace
}  // namespace rectify
