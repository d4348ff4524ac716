// A compiled escalation chain (`kind: escalation`): what happens, step by step, once a deadline
// has passed (seed 002's ladder: written reminders, interviews, suspended payment, informed
// criticism, accountability).
//
// Each step falls `after` a span from the missed deadline (`0` is the deadline itself), on the
// calendar of the workflow whose deadline it is, and stops when the item leaves the state. A
// step takes one measure and may notify people (role paths resolved over the org tree), open a
// follow-up task (an instance of another workflow, with its owner and deadline), deduct score
// points from the unit's assessment, put the unit on a bulletin at the level of an enclosing
// unit kind, and mark the notification urgent. Steps are in `after` order.
//
//   for (const EscalationStep& s : chain.steps())
//     Timestamp when = *OffsetFrom(*wf.calendar(), deadline, s.after);
//
// A step may also be taken by judgment (seed 002: finance suspends payment "for the illegal
// allocation and use of funds"), by a person holding one of `judgment->by` for the item, at any
// time `judgment->when` allows, with a reason; `carried_out_by` names who carries the measure out
// (told besides `notify`); `until` makes it a measure that lasts until an event of the item's
// workflow or an explicit act ends it (engine/include/rectify/engine/measures.h).
//
// Thread-safety: immutable once compiled; share it freely (shared_ptr<const Escalation>).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rectify/calendar/span.h"
#include "rectify/definition/common.h"

namespace rectify::definition {

struct FollowUpTask {
  Ref workflow;                // the task's workflow (an interview task), resolved by name
  RolePath owner;              // who must carry it out
  std::optional<Span> within;  // its deadline, overriding the workflow's first deadline
  std::string title;
  SourcePos pos;
};

// Who may take a step by judgment, and when.
struct StepJudgment {
  enum class When {
    kOpen,     // in any state that runs the chain, before or after the deadline
    kOverdue,  // only once the state's deadline has passed
  };
  std::vector<RolePath> by;  // org roles (checked over the item's unit as a transition's `by:`)
  When when = When::kOpen;
  SourcePos pos;
};

// What ends a measure that lasts (`until:`).
struct MeasureUntil {
  std::vector<std::string> events;  // events of the item's workflow that end it (accept)
  std::vector<RolePath> by;         // who may end it by an explicit act, with a reason
  SourcePos pos;
};

struct EscalationStep {
  int index = 0;
  std::string id;  // "step-1" unless named
  Span after;
  std::string after_text;
  Measure measure = Measure::kNotice;
  std::vector<RolePath> notify;
  std::optional<FollowUpTask> task;
  double score = 0;      // points deducted (stored negative, as written: -2)
  std::string bulletin;  // unit kind whose bulletin names the unit; empty: none
  bool urgent = false;
  bool suspend_payment = false;          // set by measure suspend_payment, or explicitly
  std::optional<StepJudgment> judgment;  // may be taken by judgment; nullopt: only by time
  std::vector<RolePath> carried_out_by;  // who carries the measure out (told of it)
  std::optional<MeasureUntil> until;     // lasts until ended; nullopt: a one-off measure
  SourcePos pos;
};

class Escalation {
 public:
  Escalation(DefinitionInfo info, std::vector<EscalationStep> steps)
      : info_(std::move(info)), steps_(std::move(steps)) {}

  const DefinitionInfo& info() const { return info_; }
  const std::vector<EscalationStep>& steps() const { return steps_; }

 private:
  DefinitionInfo info_;
  std::vector<EscalationStep> steps_;
};

}  // namespace rectify::definition
