#include "rectify/calendar/deadline.h"

namespace rectify {

namespace chr = std::chrono;

namespace {

// `d` plus `months` months, clamped to the last day of the month it lands in.
Date AddMonths(Date d, int months) {
  chr::year_month_day ymd{d};
  chr::year_month_day moved = ymd + chr::months{months};
  if (!moved.ok()) moved = moved.year() / moved.month() / chr::last;
  return Date{moved};
}

// The local date `span`'s date part leads to from `d`. Working days may fail.
Result<Date> MoveDate(const Calendar& cal, Date d, const Span& span) {
  switch (span.kind) {
    case Span::Kind::kWorkingDays:
      return cal.AddWorkdays(d, span.working_days);
    case Span::Kind::kCalendar:
      return AddMonths(d, span.months) + chr::days{span.days};
    case Span::Kind::kZero:
    case Span::Kind::kExact:
      break;
  }
  return d;
}

// The instant at the same local wall time as `t`, moved by the calendar part of `span`, then
// the exact part added.
Timestamp MoveWallTime(const Calendar& cal, Timestamp t, const Span& span) {
  Date d = cal.DateOf(t);
  Duration time_of_day = t - cal.StartOfDay(d);
  Date moved = AddMonths(d, span.months) + chr::days{span.days};
  Timestamp at = cal.AtLocalTime(moved, chr::duration_cast<chr::minutes>(time_of_day)) +
                 (time_of_day % chr::minutes{1});
  return at + span.exact;
}

}  // namespace

Result<Timestamp> AddSpan(const Calendar& cal, Timestamp anchor, const Span& span) {
  switch (span.kind) {
    case Span::Kind::kZero:
      return anchor;
    case Span::Kind::kExact:
      return anchor + span.exact;
    case Span::Kind::kWorkingDays:
    case Span::Kind::kCalendar:
      break;
  }
  if (!span.day_based()) return MoveWallTime(cal, anchor, span);
  auto day = MoveDate(cal, cal.DateOf(anchor), span);
  if (!day) return day.error();
  if (!cal.Covers(*day)) return cal.OutsideError(*day);
  return cal.EndOfDay(*day);
}

Result<Timestamp> AddSpan(const Calendar& cal, Date anchor, const Span& span) {
  return AddSpan(cal, cal.StartOfDay(anchor), span);
}

Result<Timestamp> ResolveDeadline(const Calendar& cal, Timestamp anchor, const DeadlineSpec& spec) {
  switch (spec.kind) {
    case DeadlineSpec::Kind::kDate:
      if (!cal.Covers(spec.date)) return cal.OutsideError(spec.date);
      return cal.EndOfDay(spec.date);
    case DeadlineSpec::Kind::kInstant:
      return spec.at;
    case DeadlineSpec::Kind::kSpan:
      break;
  }
  return AddSpan(cal, anchor, spec.span);
}

Date DeadlineDay(const Calendar& cal, Timestamp deadline) {
  return cal.DateOf(deadline - Duration{1});
}

Result<Timestamp> OffsetFrom(const Calendar& cal, Timestamp deadline, const Span& offset) {
  switch (offset.kind) {
    case Span::Kind::kZero:
      return deadline;
    case Span::Kind::kExact:
      return deadline + offset.exact;
    case Span::Kind::kWorkingDays:
    case Span::Kind::kCalendar:
      break;
  }
  if (!offset.day_based()) return MoveWallTime(cal, deadline, offset);
  auto day = MoveDate(cal, DeadlineDay(cal, deadline), offset);
  if (!day) return day.error();
  if (!cal.Covers(*day)) return cal.OutsideError(*day);
  return cal.AtLocalTime(*day, cal.working_hours().start);
}

Result<Timestamp> ReminderAt(const Calendar& cal, Timestamp deadline, const Span& offset) {
  auto at = OffsetFrom(cal, deadline, offset);
  if (!at) return at;
  // Still reaches people at their desks before the deadline: as it is (the outbox holds one that
  // falls on a holiday or at night to the next working hours).
  auto reaches = cal.NextWorkingTime(*at);
  if (!reaches || *reaches < deadline) return at;
  // Else the last working hours that start before the deadline: the deadline day's own when it is
  // a working day, else those of the working day before it.
  Date day = DeadlineDay(cal, deadline);
  for (int back = 0; back < 366; ++back, day -= std::chrono::days{1}) {
    auto work = cal.IsWorkday(day);
    if (!work) return work.error();
    if (!*work) continue;
    Timestamp start = cal.AtLocalTime(day, cal.working_hours().start);
    if (start < deadline) return start;
  }
  return at;
}

}  // namespace rectify
