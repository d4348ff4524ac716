// What a person reads of an item's time limit at an instant: the due day on the official
// calendar, whether it is overdue, and the working days left or overdue. The CLI's item show and
// the API's items say the same thing from here.
//
//   DeadlineView d = ViewDeadline(calendar, item, clock.Now());
//   if (d.has) std::cout << FormatDate(d.due) << (d.overdue ? " overdue" : " left ") ...
//
// Thread-safety: pure functions over immutable values.
#pragma once

#include "rectify/calendar/calendar.h"
#include "rectify/definition/workflow.h"
#include "rectify/engine/instance.h"
#include "rectify/store.h"

namespace rectify::engine {

struct DeadlineView {
  bool has = false;  // the current state has a running or paused clock with a deadline
  Date due{};        // the local day it ends
  Timestamp ends_at{};
  bool overdue = false;
  bool paused = false;
  int working_days_left = 0;     // when not overdue: working days after today up to the due day
  int working_days_overdue = 0;  // when overdue: working days after the due day up to today
};

DeadlineView ViewDeadline(const Calendar* calendar, const Instance& instance, Timestamp now);
// The same from the clock of the instance's current state (Instance::CurrentClock; null: none).
DeadlineView ViewDeadline(const Calendar* calendar, const ClockRecord* clock, Timestamp now);

// The same for a clock whose deadline is already known (a list keeps each running clock's
// deadline, DeadlineClock::RunningDeadline, which does not move while it runs), without the
// working-day counts: a filter needs only `due` and `overdue`. CountDays adds the counts.
DeadlineView ViewKnownDeadline(const Calendar& calendar, Timestamp deadline, ClockPhase phase,
                               Timestamp now);
void CountDays(const Calendar& calendar, Timestamp now, DeadlineView& view);

// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
int CountWorkdays(const Calendar& calendar, Date from, Date to);

// The columns item lists narrow on (InstanceRecord::due_at, escalation_level and people), as of
// `now`, set in instance.record. The engine sets them with every change it commits. `workflow`
// is null for an instance bound to none (a campaign's run), which names nobody.
void ProjectForLists(const Calendar* calendar, const definition::Workflow* workflow,
                     Instance& instance, Timestamp now);

class Interpreter;
struct ProjectionReport {
  std::int64_t projected = 0;
  std::int64_t unbound = 0;  // their definitions are not loaded: left as they were
};
// Projects every row written before the engine kept the columns (`rectify migrate` runs it
// after the migrations), a page at a time, each page in its own transaction.
Result<ProjectionReport> ProjectOldInstances(Store& store, const Interpreter& interpreter,
                                             Timestamp now);

}  // namespace rectify::engine
