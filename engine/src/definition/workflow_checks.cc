// The checks that need a whole workflow: its graph, and its deadlines against its reminders,
// escalations, extensions and clock effects.
#include <algorithm>
#include <set>

#include "compile.h"
#include "workflow_draft.h"

namespace rectify::definition::internal {
namespace {

std::vector<std::vector<StateIndex>> Edges(const WorkflowDraft& draft) {
  std::vector<std::vector<StateIndex>> out(draft.states.size());
  for (const auto& t : draft.transitions) {
    out[static_cast<std::size_t>(t.transition.from)].push_back(t.transition.to);
  }
  return out;
}

std::vector<bool> ReachableFrom(const std::vector<std::vector<StateIndex>>& edges,
                                StateIndex start) {
  std::vector<bool> seen(edges.size(), false);
  std::vector<StateIndex> stack{start};
  seen[static_cast<std::size_t>(start)] = true;
  while (!stack.empty()) {
    StateIndex s = stack.back();
    stack.pop_back();
    for (StateIndex n : edges[static_cast<std::size_t>(s)]) {
      if (!seen[static_cast<std::size_t>(n)]) {
        seen[static_cast<std::size_t>(n)] = true;
        stack.push_back(n);
      }
    }
  }
  return seen;
}

}  // namespace

void CheckWorkflowGraph(DocContext& doc, const WorkflowDraft& draft) {
  auto edges = Edges(draft);
  const auto& initial = draft.states[static_cast<std::size_t>(draft.initial)].state;
  auto reachable = ReachableFrom(edges, draft.initial);
  bool any_final = false;
  for (const auto& ds : draft.states) any_final = any_final || ds.state.final;
  if (!any_final) {
    doc.Error(draft.states.front().key_node, "states", "no state is final, so no item ever ends",
              "mark the state where the work ends with final: true");
  }
  // Which states can reach a final state (walk the edges backwards from the finals).
  std::vector<std::vector<StateIndex>> reverse(draft.states.size());
  for (std::size_t s = 0; s < edges.size(); ++s) {
    for (StateIndex n : edges[s])
      reverse[static_cast<std::size_t>(n)].push_back(static_cast<StateIndex>(s));
  }
  std::vector<bool> ends(draft.states.size(), false);
  std::vector<StateIndex> stack;
  for (const auto& ds : draft.states) {
    if (ds.state.final) {
      ends[static_cast<std::size_t>(ds.state.index)] = true;
      stack.push_back(ds.state.index);
    }
  }
  while (!stack.empty()) {
    StateIndex s = stack.back();
    stack.pop_back();
    for (StateIndex p : reverse[static_cast<std::size_t>(s)]) {
      if (!ends[static_cast<std::size_t>(p)]) {
        ends[static_cast<std::size_t>(p)] = true;
        stack.push_back(p);
      }
    }
  }
  for (const auto& ds : draft.states) {
    const State& s = ds.state;
    if (!reachable[static_cast<std::size_t>(s.index)]) {
      doc.Error(
          ds.key_node, ds.path,
          "state '" + s.id + "' cannot be reached from the initial state '" + initial.id + "'",
          "add a transition to it (to: " + s.id + ") or remove it");
      continue;
    }
    if (s.final) continue;
    bool way_out = std::any_of(edges[static_cast<std::size_t>(s.index)].begin(),
                               edges[static_cast<std::size_t>(s.index)].end(),
                               [&](StateIndex n) { return n != s.index; });
    if (!way_out) {
      doc.Error(ds.key_node, ds.path, "state '" + s.id + "' is not final and has no way out",
                "add a transition to another state, or mark it final: true");
    } else if (any_final && !ends[static_cast<std::size_t>(s.index)]) {
      doc.Error(ds.key_node, ds.path, "no final state can be reached from state '" + s.id + "'",
                "add a transition that leads towards a final state");
    }
  }
}

void CheckWorkflowTimes(DocContext& doc, const WorkflowDraft& draft) {
  for (const auto& ds : draft.states) {
    const State& s = ds.state;
    const bool has_deadline = s.deadline.kind != Deadline::Kind::kNone;
    if (s.final && has_deadline) {
      doc.Error(ds.deadline_node, JoinPath(ds.path, "deadline"),
                "final state '" + s.id + "' cannot have a deadline",
                "nothing is due once the work has ended; move the deadline to the state before");
    }
    if (!s.reminders.empty() && !has_deadline) {
      doc.Error(ds.remind_node, JoinPath(ds.path, "remind"),
                "reminders need a deadline in the same state",
                "add deadline: { within: 15wd } to state '" + s.id + "', or remove remind:");
    }
    if (ds.overdue_node.IsDefined() && !has_deadline) {
      doc.Error(ds.overdue_node, JoinPath(ds.path, "overdue"),
                "an escalation needs a deadline to run from",
                "add deadline: { within: 15wd } to state '" + s.id + "', or remove overdue:");
    }
    std::set<std::string> seen;
    for (std::size_t i = 0; i < s.reminders.size() && has_deadline; ++i) {
      const Reminder& r = s.reminders[i];
      const YAML::Node& node = ds.reminder_nodes[i];
      std::string path = JoinPath(ds.path, "remind");
      if (!r.offset.negative() && r.offset.kind != Span::Kind::kZero) {
        doc.Error(node, path, "reminder '" + r.text + "' falls after the deadline",
                  "a reminder is 0 or a negative offset such as -1wd; what happens after the "
                  "deadline belongs under overdue:");
        continue;
      }
      if (s.deadline.kind == Deadline::Kind::kWithin && r.offset.kind != Span::Kind::kZero) {
        Span back = r.offset;
        back.working_days = -back.working_days;
        back.days = -back.days;
        back.months = -back.months;
        back.exact = -back.exact;
        if (NominalHours(back) >= NominalHours(s.deadline.within)) {
          doc.Error(node, path,
                    "reminder '" + r.text + "' falls before the state's whole budget of " +
                        s.deadline.text + " has begun",
                    "a reminder must fall inside the budget; use an offset shorter than " +
                        s.deadline.text);
          continue;
        }
      }
      if (!seen.insert(FormatSpan(r.offset)).second) {
        doc.Warning(node, path, "reminder '" + r.text + "' is listed twice",
                    "remove the duplicate");
      }
    }
  }
  for (const auto& dt : draft.transitions) {
    const Transition& t = dt.transition;
    const DraftState& from = draft.states[static_cast<std::size_t>(t.from)];
    const DraftState& to = draft.states[static_cast<std::size_t>(t.to)];
    const bool target_deadline =
        to.state.deadline.kind != Deadline::Kind::kNone || t.deadline.has_value();
    if (t.adds && !target_deadline) {
      doc.Error(dt.adds_node, JoinPath(dt.path, "adds"),
                "state '" + to.state.id + "' has no deadline to extend",
                "give the state a deadline, or remove adds:");
    }
    if (t.clock == ClockEffect::kPause || t.clock == ClockEffect::kResume) {
      const std::string effect = t.clock == ClockEffect::kPause ? "pause" : "resume";
      if (t.to != t.from) {
        doc.Error(dt.clock_node, JoinPath(dt.path, "clock"),
                  "'clock: " + effect + "' keeps the item in state '" + from.state.id +
                      "', but this transition goes to '" + to.state.id + "'",
                  "remove 'to:' from the " + effect + " transition");
      } else if (from.state.deadline.kind == Deadline::Kind::kNone) {
        doc.Error(dt.clock_node, JoinPath(dt.path, "clock"),
                  "state '" + from.state.id + "' has no deadline clock to " + effect,
                  "give the state a deadline, or remove clock: " + effect);
      }
    }
    // A transition that stays and names a deadline changes the due date of the running clock.
    if (t.deadline && t.to == t.from && t.clock != ClockEffect::kRestart) {
      const std::string path = JoinPath(dt.path, "deadline");
      if (t.clock != ClockEffect::kDefault) {
        doc.Error(dt.deadline_node, path,
                  "a transition that stays in '" + from.state.id +
                      "' and names a deadline changes the due date; 'clock: " +
                      std::string(ClockEffectName(t.clock)) + "' cannot go with it",
                  "remove clock:, or make the change a transition of its own");
      } else if (t.adds) {
        doc.Error(dt.deadline_node, path,
                  "a transition either extends the deadline (adds:) or changes the due date "
                  "(deadline:), not both",
                  "keep one of them");
      } else if (from.state.deadline.kind == Deadline::Kind::kNone) {
        doc.Error(dt.deadline_node, path,
                  "state '" + from.state.id + "' has no deadline whose due date could change",
                  "give the state a deadline, or remove deadline: from the transition");
      }
    }
    if (t.ladder != Ladder::kDefault) {
      const std::string path = JoinPath(dt.path, "ladder");
      if (!from.state.final || to.state.final) {
        doc.Error(dt.ladder_node, path,
                  "'ladder' says where the escalation ladder stands when an item is reopened; "
                  "this transition goes from '" +
                      from.state.id + "' to '" + to.state.id + "', not out of a final state",
                  "remove it, or put it on the transition that reopens a final state");
      } else if (!to.state.overdue && !to.overdue_node.IsDefined()) {
        doc.Error(dt.ladder_node, path,
                  "state '" + to.state.id +
                      "' does not escalate (it names no overdue: chain), "
                      "so there is no ladder to continue",
                  "remove it, or give the state overdue: CHAIN");
      }
    }
    if ((t.clock == ClockEffect::kContinue || t.clock == ClockEffect::kRestart) &&
        !target_deadline) {
      doc.Warning(dt.clock_node, JoinPath(dt.path, "clock"),
                  "state '" + to.state.id + "' has no deadline, so 'clock: " +
                      std::string(ClockEffectName(t.clock)) + "' has no effect",
                  "remove it");
    }
  }
  // A state that can pause its clock must be able to resume it.
  for (const auto& ds : draft.states) {
    bool pauses = false;
    bool resumes = false;
    const DraftTransition* pause = nullptr;
    for (TransitionIndex ti : ds.state.transitions) {
      const auto& dt = draft.transitions[static_cast<std::size_t>(ti)];
      if (dt.transition.to != dt.transition.from) continue;
      if (dt.transition.clock == ClockEffect::kPause) {
        pauses = true;
        pause = &dt;
      }
      resumes = resumes || dt.transition.clock == ClockEffect::kResume;
    }
    if (pauses && !resumes) {
      doc.Error(pause->key_node, pause->path,
                "state '" + ds.state.id + "' can pause its clock but nothing resumes it",
                "add a transition with clock: resume to the state");
    }
  }
}

}  // namespace rectify::definition::internal
