// The library that ships under workflows/ loads with no error and no warning, and says what the
// seeds say.
#include "tests/definition/library.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rectify/definition/definition_set.h"

namespace rectify::definition {
namespace {

using test::Library;
using test::SourcePath;

TEST(LibraryTest, LoadsWithNoErrorAndNoWarning) {
  Diagnostics diags;
  auto set = LoadDefinitions({SourcePath("workflows")}, diags);
  EXPECT_EQ(diags.Format(), "");
  ASSERT_TRUE(set.ok());
  EXPECT_GE((*set)->size(), 18u);
}

TEST(LibraryTest, HasEveryDefinitionTheSeedsCallFor) {
  auto set = Library();
  ASSERT_NE(set, nullptr);
  EXPECT_NE(set->FindCalendar("cn"), nullptr);
  for (const char* org : {"xinshao", "hecheng", "jinkouhe"})
    EXPECT_NE(set->FindOrg(org), nullptr) << org;
  for (const char* wf : {"rectification-item", "materials-submission", "public-report",
                         "project-acceptance", "interview-task", "inspection-round"}) {
    EXPECT_NE(set->FindWorkflow(wf), nullptr) << wf;
  }
  EXPECT_NE(set->FindEscalation("overdue-rectification"), nullptr);
  for (const char* c : {"xinshao-2017", "jinkouhe-2017", "hecheng-supervision-2017"}) {
    EXPECT_NE(set->FindCampaign(c), nullptr) << c;
  }
  EXPECT_NE(set->FindAssessment("xinshao-monthly"), nullptr);
}

TEST(LibraryTest, PublicReportRepliesToTheReporterFromVersion2AndKeepsVersion1) {
  auto v2 = Library()->FindWorkflow("public-report");
  ASSERT_NE(v2, nullptr);
  EXPECT_EQ(v2->info().version, 2);
  for (const char* state : {"telling_problem", "telling_dismissed"}) {
    const Transition* tell = v2->FindTransition(*v2->FindState(state), "tell");
    ASSERT_NE(tell, nullptr) << state;
    ASSERT_EQ(tell->notify.size(), 1u) << state;
    const TransitionNotice& n = tell->notify[0];
    EXPECT_EQ(v2->fields().at(static_cast<std::size_t>(n.contact)).name, "reporter_contact");
    EXPECT_EQ(v2->fields().at(static_cast<std::size_t>(n.contact)).type, FieldType::kContact);
    EXPECT_EQ(v2->fields().at(static_cast<std::size_t>(n.language_field)).name,
              "reporter_language");
    EXPECT_EQ(n.template_name,
              std::string(state) == "telling_problem" ? "public-reply" : "public-reply-dismissed");
  }
  // Clues registered on version 1 keep running on it; its registrar tells the reporter.
  auto v1 = Library()->FindWorkflow("public-report", 1);
  ASSERT_NE(v1, nullptr);
  for (const auto& t : v1->transitions()) EXPECT_TRUE(t.notify.empty()) << t.event;
  EXPECT_EQ(v1->fields().at(0).type, FieldType::kText);
}

TEST(LibraryTest, XinshaoCountsAsSeed001Does) {
  auto org = Library()->FindOrg("xinshao");
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(org->UnitsOfKind("township").size(), 15u);
  EXPECT_EQ(org->UnitsOfKind("work_promotion_group").size(), 23u);
  EXPECT_EQ(org->UnitsOfKind("supporting_unit").size(), 134u);
  EXPECT_EQ(org->UnitsOfKind("village_team").size(), 127u);
}

TEST(LibraryTest, HechengLinksFourLevels) {
  auto org = Library()->FindOrg("hecheng");
  ASSERT_NE(org, nullptr);
  UnitIndex village = *org->FindUnit("shuikou-dongcun");
  EXPECT_EQ(org->unit(village).depth, 3);
  EXPECT_EQ(org->unit(*org->Enclosing(village, "city")).id, "hecheng");
  EXPECT_EQ(org->unit(*org->Enclosing(village, "county")).id, "pingan");
}

TEST(LibraryTest, Xinshao2017HasItsPhasesAndCheckpoints) {
  auto c = Library()->FindCampaign("xinshao-2017");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->phases().size(), 4u);
  EXPECT_EQ(c->phases()[1].id, "summer_attack");
  EXPECT_EQ(FormatDate(c->phases()[1].from), "2017-04-01");
  ASSERT_EQ(c->checkpoints().size(), 4u);
  const Checkpoint& inspection = c->checkpoints()[0];
  EXPECT_EQ(FormatDate(inspection.from), "2017-04-07");
  EXPECT_EQ(FormatDate(inspection.to), "2017-04-14");
  EXPECT_EQ(inspection.applies_to.size(), 4u);
  const Checkpoint& special = c->checkpoints()[1];
  EXPECT_EQ(special.kind, CheckpointKind::kRectification);
  EXPECT_EQ(FormatDate(special.to), "2017-05-21");  // from 2017-04-21 within P1M
  EXPECT_EQ(special.tags.size(), 6u);
  const Checkpoint& materials = c->checkpoints()[2];
  EXPECT_EQ(FormatDate(materials.to), "2017-05-15");
  EXPECT_EQ(materials.workflow, Library()->FindWorkflow("materials-submission"));
  const Checkpoint& look_back = c->checkpoints()[3];
  EXPECT_DOUBLE_EQ(look_back.sample, 0.2);
  EXPECT_EQ(c->special_actions().size(), 6u);
  EXPECT_EQ(c->PhaseAt(*ParseDate("2017-05-15"))->id, "summer_attack");
}

TEST(LibraryTest, MonthlyAssessmentFallsOnTheFirstWorkingDayOfEachMonth) {
  auto c = Library()->FindCampaign("xinshao-2017");
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->recurring().size(), 1u);
  auto days = Occurrences(c->recurring()[0], c->calendar());
  ASSERT_TRUE(days.ok());
  ASSERT_EQ(days->size(), 12u);
  EXPECT_EQ(FormatDate((*days)[0]), "2017-01-03");  // 2017-01-02 was the New Year holiday
  EXPECT_EQ(FormatDate((*days)[3]), "2017-04-01");  // a Saturday worked before Qingming
  EXPECT_EQ(c->recurring()[0].assessment, Library()->FindAssessment("xinshao-monthly"));
}

TEST(LibraryTest, JinkouheInspectsEveryMonthWithATheme) {
  auto c = Library()->FindCampaign("jinkouhe-2017");
  ASSERT_NE(c, nullptr);
  const Recurring& r = c->recurring().at(0);
  EXPECT_EQ(r.themes.size(), 12u);
  auto days = Occurrences(r, c->calendar());
  ASSERT_TRUE(days.ok());
  EXPECT_EQ(days->size(), 12u);
  EXPECT_EQ(FormatDate((*days)[9]), "2017-10-13");  // 5th working day after National Day week
}

// Seed 002's measures by judgment: finance suspends payment until the rectification is accepted,
// the discipline committee holds a warning interview; the Jinkouhe org names the finance role in
// its version 2 and keeps version 1, as does the campaign that runs the chain.
TEST(LibraryTest, JinkouheFinanceSuspendsPaymentByJudgmentUntilAcceptance) {
  auto chain = Library()->FindEscalation("jinkouhe-funds");
  ASSERT_NE(chain, nullptr);
  const EscalationStep& suspend = chain->steps().at(5);
  EXPECT_EQ(suspend.id, "suspend_payment");
  ASSERT_TRUE(suspend.judgment.has_value());
  ASSERT_EQ(suspend.judgment->by.size(), 1u);
  EXPECT_EQ(suspend.judgment->by[0].text, "finance");
  EXPECT_EQ(suspend.judgment->when, StepJudgment::When::kOpen);
  ASSERT_EQ(suspend.carried_out_by.size(), 1u);
  EXPECT_EQ(suspend.carried_out_by[0].text, "finance");
  ASSERT_TRUE(suspend.until.has_value());
  EXPECT_EQ(suspend.until->events, std::vector<std::string>{"accept"});
  EXPECT_EQ(suspend.until->by.at(0).text, "finance");
  const EscalationStep& interview = chain->steps().at(4);
  ASSERT_TRUE(interview.judgment.has_value());
  EXPECT_EQ(interview.judgment->by.at(0).text, "discipline_committee.head");
  EXPECT_FALSE(interview.until.has_value());
  for (std::size_t i : {0u, 1u, 2u, 3u, 6u, 7u}) {
    EXPECT_FALSE(chain->steps().at(i).judgment.has_value()) << i;
  }
  // Version 3 (seed 000's villages, schools and five rounds) keeps every earlier one loadable.
  EXPECT_EQ(Library()->FindOrg("jinkouhe")->info().version, 3);
  EXPECT_NE(Library()->FindOrg("jinkouhe", 1), nullptr);
  EXPECT_NE(Library()->FindOrg("jinkouhe", 2), nullptr);
  // Version 4 (the monthly assessment) keeps version 3 beside it.
  EXPECT_EQ(Library()->FindCampaign("jinkouhe-2017")->info().version, 4);
  EXPECT_NE(Library()->FindCampaign("jinkouhe-2017", 1), nullptr);
  EXPECT_NE(Library()->FindCampaign("jinkouhe-2017", 2), nullptr);
  ASSERT_NE(Library()->FindCampaign("jinkouhe-2017", 3), nullptr);
  EXPECT_EQ(Library()->FindCampaign("jinkouhe-2017", 3)->recurring().size(), 1u);
  const auto& recurring = Library()->FindCampaign("jinkouhe-2017")->recurring();
  ASSERT_EQ(recurring.size(), 2u);
  ASSERT_NE(recurring[1].assessment, nullptr);
  EXPECT_EQ(recurring[1].assessment->info().name, "jinkouhe-monthly");
}

TEST(LibraryTest, MonthlyAssessmentHasAOneVoteVeto) {
  auto a = Library()->FindAssessment("xinshao-monthly");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->vetoes().size(), 2u);
  EXPECT_EQ(a->vetoes()[1].when, Veto::When::kMeasure);
  EXPECT_EQ(a->vetoes()[1].measure, Measure::kAccountability);
  EXPECT_DOUBLE_EQ(a->deductions().at(Measure::kInformedCriticism), 5);
  EXPECT_EQ(a->period(), Period::kMonth);
}

}  // namespace
}  // namespace rectify::definition
