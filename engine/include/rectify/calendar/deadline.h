// Deadline arithmetic on a working-day calendar.
//
// Pure functions of (calendar, instant, span) -> instant: they read no clock and keep no state,
// so the engine can re-project every deadline, reminder and escalation step after a pause, an
// extension or a change of calendar by calling them again with a new anchor or span.
//
// Deadlines (`AddSpan`, `ResolveDeadline`). Let D be the local date of the anchor in the
// calendar's zone. The deadline ends:
//   - N working days (`10wd`): at the END of the N-th working day after D, D itself not counted
//     (whether or not it is a working day). With a negative N, of the N-th working day before D.
//       AddSpan(cn, 2017-04-21T10:00+08:00, 10wd) == 2017-05-08T16:00:00Z  (= 2017-05-08 24:00
//       local), because 2017-05-01 was a holiday.
//   - N calendar days (`3d`, `P3D`, `P2W`): at the end of day D+N.
//       AddSpan(cn, 2017-04-21T10:00+08:00, 3d) == end of 2017-04-24
//   - months and years (`P1M`, `P1Y`): at the end of D plus that many months, clamped to the
//     month's last day (2017-01-31 + P1M ends at the end of 2017-02-28).
//   - hours and minutes (`4h`, `PT30M`): exactly that much later, whatever the calendar says.
//   - an ISO span with both parts (`P1DT12H`): the date part moves the local wall time by whole
//     days and months, then the time part is added exactly.
//   - `0`: at the anchor itself.
//   - a date (`2017-05-15`): at the end of that day, whatever the anchor.
//   - a date-time with an offset: exactly that instant.
// "The end of day X" is local 24:00 of X, which is the first instant of X+1: an item is overdue
// once that instant is reached.
//
// Reminders and offsets (`OffsetFrom`). Let X be the deadline's day (`DeadlineDay`): the local
// date the deadline falls in, where a deadline at local midnight belongs to the day it ends
// (the end of 2017-05-08 is on 2017-05-08). An offset falls:
//   - `0`: at the deadline itself.
//   - N working days (`-5wd`, `3wd`): at the START OF WORKING HOURS of the N-th working day
//     before (or after) X, so the notification reaches people at their desks.
//       OffsetFrom(cn, end of 2017-05-08, -5wd) == 2017-04-28T08:30+08:00 (00:30Z)
//       OffsetFrom(cn, end of 2017-05-08, -1wd) == 2017-05-05T08:30+08:00
//   - N calendar days or months (`-1d`, `-P1W`): at the start of working hours of X+N. That day
//     may be a holiday; the notification outbox holds it back to the next working hours.
//   - hours and minutes (`-4h`): exactly that long before (or after) the deadline.
//   - ISO with a time part (`-P1DT2H`): the deadline's local wall time moved as for deadlines.
//
// Every function fails (kBadInput, with the calendar's `OutsideError` text) when it needs to know
// about a day in a year the calendar does not cover, and when a day-based deadline or offset
// lands on such a day (even in calendar days: a deadline nobody can check against holidays is a
// guess). Exact spans (hours, minutes) never fail.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include "rectify/calendar/calendar.h"
#include "rectify/calendar/span.h"
#include "rectify/result.h"
#include "rectify/timestamp.h"

namespace rectify {

// Where `span` measured from `anchor` ends (see above).
Result<Timestamp> AddSpan(const Calendar& cal, Timestamp anchor, const Span& span);
// The same with a date as the anchor (any instant of that day gives the same day-based result;
// exact spans count from the start of the day).
Result<Timestamp> AddSpan(const Calendar& cal, Date anchor, const Span& span);

// Where a deadline given as a span, a date or an instant ends, counted from `anchor`.
Result<Timestamp> ResolveDeadline(const Calendar& cal, Timestamp anchor, const DeadlineSpec& spec);

// The local day a deadline falls in: a deadline at local midnight belongs to the day it ends.
Date DeadlineDay(const Calendar& cal, Timestamp deadline);

// When a reminder or escalation step with `offset` relative to `deadline` falls (see above).
Result<Timestamp> OffsetFrom(const Calendar& cal, Timestamp deadline, const Span& offset);

// When a reminder with `offset` (0 or negative) before `deadline` is sent: at OffsetFrom, unless
// the outbox could only deliver it at or after the deadline (`0`, which is local 24:00 of a day
// deadline; `-2h` at 22:00), where it would go out with the first escalation letter for the same
// lapse. Such a reminder is sent when the working hours of the deadline day start (of the last
// working day before it when the deadline day is a holiday), the last day people can act:
//   ReminderAt(cn, end of 2017-05-08, 0)     == 2017-05-08T08:30+08:00
//   ReminderAt(cn, 2017-05-08T15:00+08:00, 0) == 2017-05-08T08:30+08:00
//   ReminderAt(cn, end of 2017-05-08, -1wd)  == 2017-05-05T08:30+08:00   (as OffsetFrom)
// The engine's reminder timers and the ICS feed's alarms both use it, so they agree.
Result<Timestamp> ReminderAt(const Calendar& cal, Timestamp deadline, const Span& offset);

}  // namespace rectify
