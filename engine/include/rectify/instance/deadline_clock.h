// The deadline clock of one instance in one state: an anchor plus a budget on a working-day
// calendar, less the time the clock was paused (DESIGN.md section 4).
//
// A clock is started when an item enters a state with a deadline (`Start`), paused and resumed
// (`Pause`/`Resume`: a leader suspends an item, or the item leaves the state and may come back
// with `clock: continue`), extended (`Extend`: `adds: 10wd`), given another due date
// (`ChangeBudget`: a changed time limit), moved to a new version of its calendar
// (`ChangeCalendar`: a holiday notice), stopped when the item reaches a final state (`Stop`) and
// brought back, paused, when the item is reopened (`Reopen`). Its deadline is always *computed*
// from that record, never stored on its own, so every change re-projects the deadline and
// everything measured from it (reminders, escalation steps):
//
//   deadline = ResolveDeadline(anchor, budget)            the budget from the anchor
//              then + each extension, in order           (on the deadline's day for day spans)
//              then + the time the clock was paused, in the budget's own unit:
//                working days for a working-day or date budget, calendar days for a calendar
//                budget, exact time for an hours budget.
//
// A pause from day P to day R (local dates) counts the working days P, P+1, ..., R-1: the day a
// clock is paused is lost to the item, the day it resumes is not. A pause and resume on the same
// day count nothing. So a pause across the National Day holiday moves the deadline by the working
// days inside the pause only, not by the holiday. A stop counts like a pause that a reopen (with
// `clock: continue`) ends.

// The lifecycle (stopped, running, paused) is a Boost.MSM state machine; an event the current
// state does not allow (resuming a clock that runs, pausing or resuming a stopped one, reopening
// one that is not stopped) is kFailedPrecondition and changes nothing:
//
//   stopped --Start--> running --Pause--> paused --Resume--> running
//   running|paused --Stop--> stopped --Reopen--> paused        (Start from any phase: running)
//   running|paused --Extend|ChangeBudget--> the same phase     (ChangeCalendar: any phase)
//
//   DeadlineClock clock(cn);
//   clock.Start(registered_at, DeadlineSpec{.span = *ParseSpan("10wd")});
//   clock.Deadline();                        // end of 2017-05-08 for a start on 2017-04-21
//   clock.Pause(t1); clock.Resume(t2);       // the deadline moves by the working days paused
//   clock.At(*ParseSpan("-5wd"));            // a reminder's instant
//
// `record()` is what the engine persists with the instance; `DeadlineClock(cal, record)` brings
// a clock back. Every change bumps `record().generation`, which names the generation of the
// durable timers armed from this projection, so a stale timer can never fire.
//
// Thread-safety: a value used by one thread at a time. The calendar must outlive the clock.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/calendar/deadline.h"
#include "rectify/calendar/span.h"
#include "rectify/result.h"
#include "rectify/timestamp.h"

namespace rectify {

enum class ClockPhase { kStopped, kRunning, kPaused };
std::string_view ClockPhaseName(ClockPhase phase);

struct PausePeriod {
  Timestamp from;
  std::optional<Timestamp> to;  // open while the clock is paused
  bool operator==(const PausePeriod&) const = default;
};

// What a clock is made of; persisted with the instance.
struct ClockRecord {
  ClockPhase phase = ClockPhase::kStopped;
  Timestamp anchor{};
  DeadlineSpec budget;
  std::vector<Span> extensions;
  std::vector<PausePeriod> pauses;
  std::int64_t generation = 0;
};

class DeadlineClock {
 public:
  explicit DeadlineClock(const Calendar& calendar);
  DeadlineClock(const Calendar& calendar, ClockRecord record);
  DeadlineClock(const DeadlineClock& other);
  DeadlineClock& operator=(const DeadlineClock& other);
  DeadlineClock(DeadlineClock&&) noexcept;
  DeadlineClock& operator=(DeadlineClock&&) noexcept;
  ~DeadlineClock();

  // Starts (or restarts) the clock at `at` with `budget`; pauses and extensions are forgotten.
  Status Start(Timestamp at, DeadlineSpec budget);
  Status Pause(Timestamp at);
  Status Resume(Timestamp at);
  // Adds `by` to the running or paused clock's deadline.
  Status Extend(const Span& by);
  // Gives the running or paused clock another due date: `budget` replaces the budget, counted
  // from the same anchor less the same paused time, as if the clock had been started with it.
  // Extensions taken before are superseded by it (the new time limit is the whole limit).
  Status ChangeBudget(DeadlineSpec budget);
  // The clock now counts on `calendar` (a new version of its calendar, with other holidays); its
  // record is unchanged but its deadline may move. Allowed in every phase.
  Status ChangeCalendar(const Calendar& calendar);
  // Stops the clock at `at` (the item reached a final state): nothing falls due on it and it is
  // never overdue. A running clock's stop counts from `at` like a pause; a paused clock's pause
  // goes on. Stopping a stopped clock changes nothing.
  Status Stop(Timestamp at);
  // Brings a stopped clock back, paused where it stopped (the item left its final state): a
  // transition that continues it then resumes it; one that restarts it starts it afresh.
  Status Reopen(Timestamp at);

  ClockPhase phase() const { return record_.phase; }
  const ClockRecord& record() const { return record_; }

  // The deadline, as if the clock were resumed at `as_of` when it is paused or stopped (an open
  // pause counts up to `as_of`): for a stopped clock, what the deadline was at `as_of` (reports
  // read when a closed item was handed over against it). kFailedPrecondition for a clock that
  // never started; the calendar's error when a date is outside it.
  Result<Timestamp> Deadline(Timestamp as_of) const;
  // The deadline of a running clock; nullopt when paused or stopped (nothing can fall due).
  Result<std::optional<Timestamp>> RunningDeadline() const;
  // The instant at `offset` from the running deadline (reminders, escalation steps); see
  // OffsetFrom in calendar/deadline.h. kFailedPrecondition unless running.
  Result<Timestamp> At(const Span& offset) const;
  // Overdue is computed, never stored: running (or paused) and `now` at or past the deadline.
  bool IsOverdue(Timestamp now) const;

 private:
  struct Machine;
  Status Process(int event);

  const Calendar* calendar_;
  ClockRecord record_;
  std::unique_ptr<Machine> machine_;
};

}  // namespace rectify
