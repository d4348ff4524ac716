// Lengths of time as the definition language writes them, and deadline anchors.
//
// A `Span` is a signed length measured in one of three ways, because "three days", "three
// working days" and "72 hours" end at different instants:
//
//   text                    kind            meaning
//   0                       kZero           no time at all (a reminder "at the deadline")
//   10wd, -5wd              kWorkingDays    working days on the calendar in force
//   3d, -1d                 kCalendar       calendar days
//   P3D, P2W, P1M, P1Y      kCalendar       ISO 8601 days, weeks (7 days), months, years (12
//   months) P1DT12H                 kCalendar       ISO 8601 with both a date and a time part 4h,
//   30m, PT4H, PT30M    kExact          hours and minutes (ISO: also seconds, PT90S) -P1D, -PT2H
//   (any)           a leading '-' makes any form negative
//
// Negative spans are for reminders and offsets before a deadline. How each kind is added to an
// instant is documented in deadline.h.
//
// A deadline may also be an absolute date or date-time instead of a span (`DeadlineSpec`):
//   2017-05-15                  ends at the end of that day in the calendar's zone
//   2017-05-15T18:00:00+08:00   exactly that instant (also ...Z)
//
//   Result<Span> s = ParseSpan("10wd");          // s->kind == Span::Kind::kWorkingDays, 10
//   Result<Span> bad = ParseSpan("10 days");
//   // bad.error().message(): "'10 days' is not a duration; write ... (accepted: ...)"
//
// Thread-safety: values; no shared state.
#pragma once

#include <string>
#include <string_view>

#include "rectify/calendar/calendar.h"
#include "rectify/result.h"
#include "rectify/timestamp.h"

namespace rectify {

struct Span {
  enum class Kind { kZero, kWorkingDays, kCalendar, kExact };

  Kind kind = Kind::kZero;
  int working_days = 0;  // kWorkingDays
  int months = 0;        // kCalendar: years count as 12 months
  int days = 0;          // kCalendar: weeks count as 7 days
  // kExact: the whole span; kCalendar: the ISO time part (after 'T'), zero when there is none.
  Duration exact{0};

  static Span WorkingDays(int n) { return {Kind::kWorkingDays, n, 0, 0, Duration{0}}; }
  static Span CalendarDays(int n) { return {Kind::kCalendar, 0, 0, n, Duration{0}}; }
  static Span Exact(Duration d) { return {Kind::kExact, 0, 0, 0, d}; }

  bool negative() const {
    return working_days < 0 || months < 0 || days < 0 || exact < Duration{0};
  }
  // Whether the span counts whole days (working or calendar) with no time part, so that a
  // deadline it makes ends at the end of a day.
  bool day_based() const {
    return kind == Kind::kWorkingDays || (kind == Kind::kCalendar && exact == Duration{0});
  }

  bool operator==(const Span&) const = default;
};

// Every accepted form, for error messages and --help.
inline constexpr std::string_view kSpanForms =
    "0, 10wd (working days), 3d (calendar days), 4h, 30m, ISO 8601 such as P3D, P2W, P1M, PT4H, "
    "P1DT12H, with a leading '-' for an offset before (-5wd, -1d)";

// Parses a span; on failure the message says what was wrong and lists `kSpanForms`.
Result<Span> ParseSpan(std::string_view text);
// The canonical text: "10wd", "-3d", "4h", "30m", "P1M", "P1DT12H", "0".
std::string FormatSpan(const Span& span);

// What a deadline is given as: a span from an anchor, a date, or an instant.
struct DeadlineSpec {
  enum class Kind { kSpan, kDate, kInstant };

  Kind kind = Kind::kSpan;
  Span span;       // kSpan
  Date date{};     // kDate
  Timestamp at{};  // kInstant
};

// Parses a span (as ParseSpan), a date ("2017-05-15") or a date-time with an offset
// ("2017-05-15T18:00:00+08:00", "2017-05-15T10:00:00Z"). A date-time without an offset is
// refused: which zone it means would be a guess.
Result<DeadlineSpec> ParseDeadlineSpec(std::string_view text);

}  // namespace rectify
