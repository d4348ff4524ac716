// Definitions as a person reads them (`rectify explain`).
//
// Each function renders one compiled definition as plain text: a workflow's states, who may
// take each transition and what it needs, deadlines, reminders and the escalation ladder with
// the dates they would fall on for an item that enters each state on an example day; an
// escalation's steps with their dates for a deadline missed on an example day; a campaign's
// phases, checkpoints and the dates of its recurring events; an org's shape; an assessment's
// scoring. `WorkflowMermaid` draws a workflow as a Mermaid stateDiagram-v2.
//
//   ExplainOptions opts;
//   opts.start = *ParseDate("2017-04-21");
//   std::cout << ExplainWorkflow(*set->FindWorkflow("rectification-item"), opts);
//
// Dates are computed on the definition's calendar (a workflow's own, a campaign's own, or the
// one passed for an escalation); a date the calendar cannot answer is shown as such, never
// guessed.
//
// Thread-safety: pure functions of immutable definitions.
#pragma once

#include <string>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/definition/assessment.h"
#include "rectify/definition/campaign.h"
#include "rectify/definition/escalation.h"
#include "rectify/definition/org.h"
#include "rectify/definition/workflow.h"

namespace rectify::definition {

// The example day `rectify explain` uses unless told otherwise: 2017-04-21, the day Xinshao's
// special rectification began (seed 001).
Date DefaultExampleStart();

struct ExplainOptions {
  Date start = DefaultExampleStart();
};

std::string ExplainWorkflow(const Workflow& wf, const ExplainOptions& options);
// `calendar` may be null: then the steps are listed without dates.
std::string ExplainEscalation(const Escalation& chain, const Calendar* calendar,
                              const ExplainOptions& options);
std::string ExplainCampaign(const Campaign& campaign, const ExplainOptions& options);
std::string ExplainOrg(const Org& org);
std::string ExplainAssessment(const Assessment& assessment);

std::string WorkflowMermaid(const Workflow& wf);

// A definition as a diagram's nodes and edges (the console draws them; GET
// /api/v1/definitions/{kind}/{name}/graph). A workflow: a node per state (kind "state", or
// "final"), `initial` naming the first, an edge per transition labelled with its event and who
// may take it, and on a state with a deadline its text and the chain it escalates to. An
// escalation chain: a node "deadline" (the missed deadline) and a node per step (kind "step",
// labelled with its measure), an edge from each to the next labelled with when the next falls.
struct GraphNode {
  std::string id;
  std::string kind;      // "state", "final", "deadline", "step"
  std::string label;     // the state's title or the step's measure label; may be empty for a state
  std::string deadline;  // a state's deadline as written ("15wd"); empty when none
  std::string escalation;            // the chain a state escalates to when overdue; empty when none
  std::vector<std::string> details;  // a step's notices, task, score, bulletin, as people say
};
struct GraphEdge {
  std::string from, to;
  std::string label;            // the transition's event, or the step's `after` as written
  std::vector<std::string> by;  // who may take the transition (role paths as written)
};
struct DefinitionGraph {
  std::string initial;  // a workflow's first state; empty for a chain
  std::vector<GraphNode> nodes;
  std::vector<GraphEdge> edges;
};
DefinitionGraph WorkflowGraph(const Workflow& wf);
DefinitionGraph EscalationGraph(const Escalation& chain);

// "2017-05-08 (Mon)".
std::string DescribeDate(Date d);
// "end of 2017-05-08 (Mon)" for an end of day, else "2017-04-28 (Fri) 08:30", in the calendar's
// zone.
std::string DescribeInstant(const Calendar& cal, Timestamp t);

}  // namespace rectify::definition
