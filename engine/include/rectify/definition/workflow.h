// A compiled workflow (`kind: workflow`): the state machine an item, a task, a clue or an
// acceptance moves through, as tables the engine interprets.
//
// States are indexed by integer in the order written; `initial()` is where a new instance
// starts. Each state lists the transitions that leave it (indices into `transitions()`), its
// deadline (a budget from entering the state, or a date taken from one of the item's fields),
// its reminders (offsets before the deadline, on the workflow's calendar) and the escalation
// chain to run when the deadline passes. Every name is resolved: `to` is a state index, `by`
// are role paths checked against the org vocabulary, `overdue` points at the compiled
// escalation, deadline fields are field indices.
//
//   const Workflow& wf = *set.FindWorkflow("rectification-item");
//   StateIndex s = wf.initial();
//   const Transition* t = wf.FindTransition(s, "assign");   // nullptr when not allowed here
//   s = t->to;
//
// The clock: entering a state with a deadline starts its clock (`kRestart`) unless the
// transition says `clock: continue` (the budget already used in that state is kept, as when a
// verifier rejects a rectification); a transition that stays in its state keeps the clock.
// `clock: pause` and `clock: resume` stop and restart the running clock without leaving the
// state, `adds` extends the running deadline, at most `at_most` times per instance, and a
// `deadline` on a transition that stays (without a clock effect) changes the running clock's due
// date. Reaching a final state stops every clock; leaving it brings them back for the target's
// entry to continue or restart.
//
// Thread-safety: immutable once compiled; share it freely (shared_ptr<const Workflow>).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/calendar/span.h"
#include "rectify/definition/common.h"

namespace rectify::definition {

class Escalation;
using StateIndex = int;
using TransitionIndex = int;
using FieldIndex = int;

// kDuration holds a span or a date (DeadlineSpec); kPerson/kPeople hold person ids (and may
// then be used as roles: `by: [verifier]`); kChoice one of `choices`; kContact the address of
// someone outside the org (an email address or a phone number, notify/contact.h), or nothing.
enum class FieldType {
  kText,
  kDate,
  kDateTime,
  kDuration,
  kNumber,
  kBool,
  kPerson,
  kPeople,
  kUnit,
  kChoice,
  kContact,
};
std::optional<FieldType> ParseFieldType(std::string_view text);
const std::vector<std::string>& FieldTypeNames();
std::string_view FieldTypeName(FieldType t);

struct Field {
  std::string name;
  FieldType type = FieldType::kText;
  bool required = false;
  std::vector<std::string> choices;  // kChoice
  std::string title;
  SourcePos pos;
};

// A deadline: none, a budget from entering the state (`within: 15wd`), a fixed date or instant
// (`at: 2017-05-15`), or a field of the item (`at: $due`). A field that is a `duration` holds a
// span or a date (a ledger's time limit: `10wd` or `2017-05-15`); when the item leaves the field
// empty, `otherwise` applies.
struct Deadline {
  enum class Kind { kNone, kWithin, kAt, kField };
  Kind kind = Kind::kNone;
  Span within;                    // kWithin
  DeadlineSpec at;                // kAt
  FieldIndex field = -1;          // kField: a date, date-time or duration field
  std::optional<Span> otherwise;  // kField: the budget when the field is empty
  std::optional<RolePath> owner;  // who the clock runs against (default: responsible)
  std::string text;               // as written: "15wd", "2017-05-15", "$due"
  SourcePos pos;
};

struct Reminder {
  Span offset;                   // zero or negative: before the deadline
  std::vector<RolePath> notify;  // empty: the deadline's owner
  std::string text;
  SourcePos pos;
};

// Something a transition needs before the engine applies it.
struct Requirement {
  enum class Kind {
    kEvidence,    // at least `count` attachments
    kReason,      // a written reason (comment)
    kField,       // the item field must be set
    kSignatures,  // a signature from every person in a people field (an acceptance team)
  };
  Kind kind = Kind::kEvidence;
  int count = 1;
  FieldIndex field = -1;
  std::string text;
  SourcePos pos;
};

// A notification a transition sends when it is taken (`notify:` on a transition): to people of
// the org (role paths, each in their own language and through their own contacts), or to the
// address an item field holds (a public reporter, who is not in the org), in a language fixed
// here or read from another field.
struct TransitionNotice {
  std::vector<RolePath> people;  // org people; empty when `contact` is set
  FieldIndex contact = -1;       // a contact field: the address to send to
  std::string template_name = "notice";
  std::string language;            // with `contact`: "zh" or "en" (empty: from the field, or zh)
  FieldIndex language_field = -1;  // with `contact`: a choice field of zh/en; empty value: zh
  std::string text;                // as written, for explain
  SourcePos pos;
};

enum class ClockEffect { kDefault, kRestart, kContinue, kPause, kResume };
std::string_view ClockEffectName(ClockEffect c);

// Where the escalation ladder of the state a transition out of a final state reopens stands
// (seed 001: found again means held fully responsible). kDefault is kStepUp there.
enum class Ladder { kDefault, kStepUp, kContinue, kRestart };
std::string_view LadderName(Ladder l);

struct Transition {
  std::string event;  // the name users and the API use: "submit"
  std::string title;
  StateIndex from = 0;
  StateIndex to = 0;  // == from for transitions that stay (pause, resume, extend)
  std::vector<RolePath> by;
  std::vector<Requirement> requires_;
  ClockEffect clock = ClockEffect::kDefault;
  std::optional<Span> adds;          // an extension of the running deadline
  int at_most = 0;                   // how many times per instance; 0: no limit
  Ladder ladder = Ladder::kDefault;  // only on a transition out of a final state
  // Replaces the target state's deadline when taken; on a transition that stays in its state
  // (and has no clock effect), the state's new due date.
  std::optional<Deadline> deadline;
  // Sent when it is taken, queued in the same commit as the transition.
  std::vector<TransitionNotice> notify;
  SourcePos pos;

  // Whether taking it starts a new clock for the target state (see the header comment).
  bool RestartsClock() const;
};

struct State {
  std::string id;
  std::string title;
  StateIndex index = 0;
  bool final = false;
  Deadline deadline;
  std::vector<Reminder> reminders;
  std::shared_ptr<const Escalation> overdue;  // may be null
  std::vector<TransitionIndex> transitions;   // leaving this state, in the order written
  SourcePos pos;
};

class Workflow {
 public:
  Workflow(DefinitionInfo info, std::shared_ptr<const Calendar> calendar, Ref calendar_ref,
           std::vector<Field> fields, std::vector<State> states,
           std::vector<Transition> transitions, StateIndex initial);

  const DefinitionInfo& info() const { return info_; }
  // The calendar deadlines and reminders are counted on; null when the workflow names none.
  const std::shared_ptr<const Calendar>& calendar() const { return calendar_; }
  const Ref& calendar_ref() const { return calendar_ref_; }
  const std::vector<Field>& fields() const { return fields_; }
  const std::vector<State>& states() const { return states_; }
  const std::vector<Transition>& transitions() const { return transitions_; }
  StateIndex initial() const { return initial_; }

  const State& state(StateIndex i) const { return states_.at(static_cast<std::size_t>(i)); }
  const Transition& transition(TransitionIndex i) const {
    return transitions_.at(static_cast<std::size_t>(i));
  }
  std::optional<StateIndex> FindState(std::string_view id) const;
  std::optional<FieldIndex> FindField(std::string_view name) const;
  // The transition named `event` that leaves `from`, or nullptr.
  const Transition* FindTransition(StateIndex from, std::string_view event) const;

 private:
  DefinitionInfo info_;
  std::shared_ptr<const Calendar> calendar_;
  Ref calendar_ref_;
  std::vector<Field> fields_;
  std::vector<State> states_;
  std::vector<Transition> transitions_;
  StateIndex initial_;
  std::unordered_map<std::string, StateIndex> state_index_;
};

}  // namespace rectify::definition
