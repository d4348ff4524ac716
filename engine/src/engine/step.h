// One interpreter step in progress: a working copy of the instance and the effects gathered so
// far. Private to the interpreter (interpreter.cc, firing.cc, step.cc, timer_projection.cc,
// clock_changes.cc).
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/engine/interpreter.h"
#include "rectify/engine/item_view.h"
#include "rectify/engine/timer_name.h"

namespace rectify::engine::internal {

class Step {
 public:
  Step(const Interpreter& interp, Bound bound, Instance instance, Timestamp now);

  Instance& inst() { return fx_.instance; }
  Effects& fx() { return fx_; }
  const Bound& bound() const { return bound_; }
  const definition::Workflow& wf() const { return *bound_.workflow; }
  const definition::Org& org() const { return *bound_.org; }
  const Interpreter& interp() const { return interp_; }
  Timestamp now() const { return now_; }

  const definition::State& CurrentState() const;
  // The current state's clock, if it has one.
  StateClock* Clock();

  // Appends a hash-chained audit row.
  void Audit(const std::string& actor, const std::string& event, const std::string& from,
             const std::string& to, const std::string& reason, boost::json::object data);

  // Moves to state `to` by `via` (null: registration): pauses the clock left behind, starts or
  // continues the target's clock, clears the target's signatures.
  Status EnterState(definition::StateIndex to, const definition::Transition* via,
                    const std::optional<Span>& budget_override = std::nullopt);
  // Applies a transition's clock effect when it stays in its state (pause, resume, restart).
  Status StayClock(const definition::Transition& t);
  // Extends the current clock by `by`.
  Status Extend(const Span& by);

  // Re-projects the current state's clock into durable timers (timer_projection.cc).
  Status ProjectTimers();

  // Changes of the clocks that are not a state's entry or exit (clock_changes.cc). Each bumps the
  // generation of the clocks it changes, so the next ProjectTimers re-arms their timers.
  //
  // Gives the current state's clock the due date of `t`'s `deadline:` (a transition that stays
  // in its state and names a deadline: a changed time limit).
  Status ChangeDue(const definition::Transition& t);
  // Stops every clock (the item reached a final state) / brings every stopped clock back, paused
  // (it left its final state; entering the target then continues or restarts one as usual).
  Status StopClocks();
  Status ReopenClocks();
  // When the workflow's calendar is another version than the one the instance's clocks were
  // projected on (Instance::calendar), moves every clock to it and audits `calendar_changed` as
  // `actor`. `previous` is the old version (for the audit's previous deadline); null: the loaded
  // one, if it still is. Returns whether anything changed.
  Result<bool> FollowCalendar(const std::string& actor, const std::string& reason,
                              const Calendar* previous);
  // The current state's deadline as of now, running or paused; nullopt when it has none.
  std::optional<Timestamp> CurrentDeadline() const;

  // Queues a notification to each of `people` (person ids) or to a unit (`to_unit`), keyed by
  // (instance, timer, generation, recipient) so a retry never sends twice.
  void Notify(const std::vector<std::string>& people, const std::string& template_name,
              boost::json::object payload, const std::string& timer_name, std::int64_t generation,
              bool urgent);
  // Queues a notification to someone outside the org at `address` (an item's contact field),
  // through contact kind `kind` (notify/contact.h), keyed by (instance, timer, generation,
  // `key_part`) rather than by the address, so that the key carries no personal data.
  void NotifyContact(const std::string& address, std::string_view kind, const std::string& key_part,
                     const std::string& template_name, boost::json::object payload,
                     const std::string& timer_name, std::int64_t generation);
  // Records that a notification (`what`: "reminder", "escalation step reminder_letter") reached
  // nobody: an audit row `no_recipient` in the current state whose reason says why each of
  // `paths` named nobody and what to do, so that `item show` and `status` show it. Nothing is
  // queued: a message to nobody is an error to fix, not a send.
  void NoRecipient(const std::string& what, const std::vector<definition::RolePath>& paths,
                   const std::string& timer_name);
  void NotifyUnit(const std::string& unit_id, const std::string& channel,
                  const std::string& template_name, boost::json::object payload,
                  const std::string& timer_name, std::int64_t generation);
  // Cancels the notifications of the state the item is leaving that are not delivered yet
  // (queued, held back, or waiting to retry); call it after the state changed.
  void CancelHeld();

  // What every notification about the item carries: item, title, unit, unit_name, state.
  boost::json::object ItemPayload() const;

  // The running deadline of the current state, if any.
  std::optional<Timestamp> RunningDeadline() const;
  // The calendar whose working hours hold notifications back (step.cc).
  const Calendar* DeliveryCalendar() const;

  // Finishes: the record carries the new data_json and updated_at, and the projection item
  // lists filter on (InstanceRecord::due_at, escalation_level, people).
  Effects Finish();

 private:
  Result<std::optional<DeadlineSpec>> BudgetFor(const definition::State& state,
                                                const definition::Transition* via) const;
  // `timer_name`: the firing that queued it (remind:<state>:<i>, escalate:..., checkpoint:...).
  void Queue(OutboxRecord o, const std::string& timer_name);

  const Interpreter& interp_;
  Bound bound_;
  Timestamp now_;
  Effects fx_;
  // The people the instance named when the step began; nullopt when its row was not projected
  // yet (or is new), so Finish writes them whatever they are.
  std::optional<std::vector<std::string>> people_before_;
};

// The message a reminder carries.
std::string DeadlineText(const Calendar& cal, Timestamp deadline, Timestamp now);

// A step taken by a person's judgment (measures.cc): who, why, and through which door.
struct Judgment {
  std::string actor;
  std::string reason;
  std::string channel;
  std::string request_id;
};

// Takes step `index` of the overdue chain of the item's current state (firing.cc): the measure,
// its notifications (the carrying unit's too), its follow-up task, deductions and bulletin, a
// lasting measure's record, and an `escalate` audit row. A timer firing calls it, a reopening
// that steps the ladder up (interpreter.cc), and a person taking the step by `judgment`
// (measures.cc; the row's actor and reason are theirs).
Status FireEscalation(const Interpreter& interp, Step& step, const PendingTimer& timer, int index,
                      bool late, const Judgment* judgment = nullptr);

// Measures (measures.cc): takes or ends one as `cmd` says (kTakeMeasure / kEndMeasure), or
// refuses changing nothing; and ends those in force that `event` ends (`until: events`), after
// the event's own audit row.
Result<Effects> ApplyMeasure(const Interpreter& interp, const Bound& bound,
                             const Instance& instance, const Command& cmd);
Status EndMeasuresOn(Step& step, const std::string& event, const std::string& actor);

}  // namespace rectify::engine::internal
