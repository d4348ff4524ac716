// A workflow while it is being compiled: the tables plus the YAML nodes needed to position
// messages about them (private; see workflow_compiler.cc and workflow_checks.cc).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "node_reader.h"
#include "rectify/definition/workflow.h"

namespace rectify::definition::internal {

struct DraftState {
  State state;
  YAML::Node key_node;
  std::string path;
  YAML::Node deadline_node;  // undefined when absent
  YAML::Node remind_node;
  YAML::Node overdue_node;
  std::vector<YAML::Node> reminder_nodes;  // parallel to state.reminders
};

struct DraftTransition {
  Transition transition;
  YAML::Node key_node;
  std::string path;
  YAML::Node adds_node;
  YAML::Node clock_node;
  YAML::Node deadline_node;
  YAML::Node ladder_node;
};

struct WorkflowDraft {
  std::vector<Field> fields;
  std::vector<DraftState> states;
  std::vector<DraftTransition> transitions;
  StateIndex initial = 0;
};

// Unreachable states, non-final states with no way out, states from which no final state can be
// reached.
void CheckWorkflowGraph(DocContext& doc, const WorkflowDraft& draft);
// Deadlines, reminders, escalations, extensions and clock effects that contradict each other.
void CheckWorkflowTimes(DocContext& doc, const WorkflowDraft& draft);

}  // namespace rectify::definition::internal
