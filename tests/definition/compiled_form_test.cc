// The compiled tables the engine interprets: states by index, transitions per state, resolved
// references, parsed spans, role paths resolved over the org tree, versions and hashes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rectify/definition/canonical.h"
#include "rectify/definition/definition_set.h"
#include "tests/definition/library.h"

namespace rectify::definition {
namespace {

using test::Library;
using ::testing::ElementsAre;

std::vector<std::string> Events(const Workflow& wf, StateIndex s) {
  std::vector<std::string> out;
  for (TransitionIndex t : wf.state(s).transitions) out.push_back(wf.transition(t).event);
  return out;
}

TEST(CompiledFormTest, StatesAreIndexedInTheOrderWritten) {
  auto wf = Library()->FindWorkflow("rectification-item");
  ASSERT_NE(wf, nullptr);
  ASSERT_EQ(wf->states().size(), 4u);
  EXPECT_EQ(wf->initial(), 0);
  EXPECT_EQ(wf->state(0).id, "registered");
  EXPECT_EQ(*wf->FindState("verifying"), 2);
  EXPECT_TRUE(wf->state(3).final);
  EXPECT_EQ(wf->FindState("nowhere"), std::nullopt);
  EXPECT_EQ(wf->info().version, 2);  // the latest of rectification-item (1 is kept for old items)
  EXPECT_EQ(wf->info().hash.size(), 64u);
}

TEST(CompiledFormTest, TransitionsArePerStateWithResolvedTargets) {
  auto wf = Library()->FindWorkflow("rectification-item");
  StateIndex rectifying = *wf->FindState("rectifying");
  EXPECT_THAT(Events(*wf, rectifying),
              ElementsAre("submit", "extend", "pause", "resume", "change_limit"));
  const Transition* submit = wf->FindTransition(rectifying, "submit");
  ASSERT_NE(submit, nullptr);
  EXPECT_EQ(submit->to, *wf->FindState("verifying"));
  ASSERT_EQ(submit->requires_.size(), 1u);
  EXPECT_EQ(submit->requires_[0].kind, Requirement::Kind::kEvidence);
  EXPECT_EQ(wf->FindTransition(rectifying, "accept"), nullptr);  // not from this state

  const Transition* extend = wf->FindTransition(rectifying, "extend");
  EXPECT_EQ(extend->to, rectifying);
  EXPECT_EQ(*extend->adds, Span::WorkingDays(10));
  EXPECT_EQ(extend->at_most, 1);
  EXPECT_FALSE(extend->RestartsClock());
  EXPECT_EQ(wf->FindTransition(rectifying, "pause")->clock, ClockEffect::kPause);

  const Transition* reject = wf->FindTransition(*wf->FindState("verifying"), "reject");
  EXPECT_EQ(reject->clock, ClockEffect::kContinue);
  EXPECT_FALSE(reject->RestartsClock());
  const Transition* reopen = wf->FindTransition(*wf->FindState("closed"), "reopen");
  EXPECT_TRUE(reopen->RestartsClock());
  ASSERT_TRUE(reopen->deadline.has_value());
  EXPECT_EQ(reopen->deadline->within, Span::WorkingDays(10));
}

TEST(CompiledFormTest, DeadlinesRemindersAndEscalationsAreResolved) {
  auto set = Library();
  auto wf = set->FindWorkflow("rectification-item");
  const State& rectifying = wf->state(*wf->FindState("rectifying"));
  EXPECT_EQ(rectifying.deadline.kind, Deadline::Kind::kField);
  EXPECT_EQ(wf->fields().at(static_cast<std::size_t>(rectifying.deadline.field)).name,
            "time_limit");
  EXPECT_EQ(*rectifying.deadline.otherwise, Span::WorkingDays(15));
  ASSERT_EQ(rectifying.reminders.size(), 3u);
  EXPECT_EQ(rectifying.reminders[0].offset, Span::WorkingDays(-5));
  EXPECT_EQ(rectifying.reminders[2].offset.kind, Span::Kind::kZero);
  EXPECT_EQ(rectifying.overdue, set->FindEscalation("overdue-rectification"));
  EXPECT_EQ(wf->calendar(), set->FindCalendar("cn"));
  EXPECT_EQ(wf->calendar_ref().Label(), "cn@1");
}

TEST(CompiledFormTest, RolePathsAreParsed) {
  auto wf = Library()->FindWorkflow("rectification-item");
  const Transition* extend = wf->FindTransition(*wf->FindState("rectifying"), "extend");
  ASSERT_EQ(extend->by.size(), 2u);
  EXPECT_EQ(extend->by[0].base, RolePath::Base::kUnit);
  EXPECT_EQ(extend->by[0].role, "head");
  EXPECT_EQ(extend->by[1].parent_steps, 1);
  EXPECT_EQ(extend->by[1].role, "leader");
  const Transition* accept = wf->FindTransition(*wf->FindState("verifying"), "accept");
  EXPECT_EQ(accept->by[0].base, RolePath::Base::kNamed);
  EXPECT_TRUE(accept->by[0].is_field);  // the item's verifier field, not the org role
}

TEST(CompiledFormTest, EscalationTargetsResolveOverTheOrgTree) {
  auto set = Library();
  auto chain = set->FindEscalation("overdue-rectification");
  auto org = set->FindOrg("xinshao");
  ASSERT_EQ(chain->steps().size(), 8u);
  UnitIndex team = *org->FindUnit("niangxi-team-3");
  PersonIndex captain = org->unit(team).roles.at("head").at(0);

  const EscalationStep& suggestion = chain->steps()[2];
  EXPECT_EQ(suggestion.measure, Measure::kSuggestionLetter);
  EXPECT_EQ(suggestion.after, Span::WorkingDays(5));
  auto leaders = org->Resolve(suggestion.notify[1], team, captain);  // unit.parent.leader
  ASSERT_EQ(leaders.size(), 1u);
  EXPECT_EQ(org->person(leaders[0]).unit, *org->FindUnit("niangxi"));

  const EscalationStep& interview = chain->steps()[3];
  ASSERT_TRUE(interview.task.has_value());
  EXPECT_EQ(interview.task->workflow.Label(), "interview-task@1");
  EXPECT_EQ(*interview.task->within, Span::WorkingDays(3));

  const EscalationStep& criticism = chain->steps()[6];
  EXPECT_DOUBLE_EQ(criticism.score, -2);
  EXPECT_EQ(criticism.bulletin, "county");

  const EscalationStep& accountability = chain->steps()[7];
  auto committee = org->ResolveUnit(accountability.notify[0], team, captain);
  EXPECT_EQ(org->unit(committee).id, "xinshao-jiwei");
  auto committee_head = org->Resolve(accountability.notify[1], team, captain);
  ASSERT_EQ(committee_head.size(), 1u);
  EXPECT_EQ(org->person(committee_head[0]).unit, committee);

  const EscalationStep& suspend = chain->steps()[5];
  EXPECT_TRUE(suspend.suspend_payment);
  auto county_head = org->Resolve(suspend.notify[1], team, captain);  // unit.county.head
  ASSERT_EQ(county_head.size(), 1u);
  EXPECT_EQ(org->person(county_head[0]).unit, *org->FindUnit("xinshao"));
}

TEST(CompiledFormTest, AcceptanceNeedsEverySignatureOfThePeopleField) {
  auto wf = Library()->FindWorkflow("project-acceptance");
  const Transition* sign = wf->FindTransition(*wf->FindState("inspecting"), "sign_off");
  ASSERT_NE(sign, nullptr);
  EXPECT_EQ(sign->requires_[0].kind, Requirement::Kind::kSignatures);
  EXPECT_EQ(wf->fields().at(static_cast<std::size_t>(sign->requires_[0].field)).type,
            FieldType::kPeople);
}

TEST(CompiledFormTest, VersionsLoadSideBySideAndResolveToTheHighestUnlessPinned) {
  std::vector<YamlDocument> docs;
  Diagnostics diags;
  std::string text =
      "kind: workflow\nname: w\nversion: 1\nstates: { a: { final: true } }\n---\n"
      "kind: workflow\nname: w\nversion: 2\nstates: { a: { on: { go: { to: b, by: [responsible] } "
      "} }, b: { final: true } }\n---\n"
      "kind: escalation\nname: e\nsteps: [{ after: 0, measure: notice, task: { workflow: w@1, "
      "owner: responsible } }]\n";
  docs = ParseYamlText(text, "v.yaml", {}, diags);
  auto set = CompileDocuments(docs, diags);
  ASSERT_TRUE(set.ok()) << diags.Format();
  EXPECT_EQ((*set)->FindWorkflow("w")->info().version, 2);
  EXPECT_EQ((*set)->FindWorkflow("w", 1)->states().size(), 1u);
  EXPECT_EQ((*set)->FindEscalation("e")->steps()[0].task->workflow.Label(), "w@1");
  EXPECT_NE((*set)->FindWorkflow("w", 1)->info().hash, (*set)->FindWorkflow("w", 2)->info().hash);
}

TEST(CompiledFormTest, AMissingVersionIsReported) {
  Diagnostics diags;
  auto docs = ParseYamlText(
      "kind: workflow\nname: w\nstates: { a: { final: true } }\n---\n"
      "kind: escalation\nname: e\nsteps:\n  - { after: 0, measure: notice, task: { workflow: w@3, "
      "owner: responsible } }\n",
      "v.yaml", {}, diags);
  auto set = CompileDocuments(docs, diags);
  EXPECT_FALSE(set.ok());
  EXPECT_EQ(diags.Format(),
            "v.yaml:8:52: error: steps[0].task.workflow: workflow 'w' has no version 3 (hint: "
            "loaded versions: 1)\n");
}

TEST(CompiledFormTest, CompilingLeavesTheDocumentsUntouched) {
  Diagnostics diags;
  auto docs =
      ReadYamlFile(test::SourcePath("workflows/workflows/rectification-item.yaml"), {}, diags);
  auto more = ReadYamlFile(test::SourcePath("workflows/calendars/cn.yaml"), {}, diags);
  docs.insert(docs.end(), more.begin(), more.end());
  std::string before = CanonicalForm(docs[0].root);
  auto set = CompileDocuments(docs, diags);
  EXPECT_EQ(CanonicalForm(docs[0].root), before);
}

}  // namespace
}  // namespace rectify::definition
