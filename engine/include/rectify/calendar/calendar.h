// A working-day calendar: which local dates are working days, in which time zone.
//
// China's working days are not "Monday to Friday": each year the State Council's General Office
// announces the public holidays and the weekend days that become working days to make up for
// them (调休). So a `Calendar` is data, one entry per year it covers, usually loaded from a
// `kind: calendar` YAML document (see calendar_loader.h and workflows/calendars/cn.yaml):
//
//   Result<Calendar> cn = LoadCalendar(doc, "workflows/calendars/cn.yaml", diags);
//   cn->IsWorkday(*ParseDate("2017-05-01"));           // false: Labour Day
//   cn->AddWorkdays(*ParseDate("2017-04-21"), 10);      // 2017-05-08
//   cn->EndOfDay(*ParseDate("2017-05-08"));             // 2017-05-08T16:00:00Z (24:00 in Shanghai)
//
// A calendar never guesses: asking about a date in a year it does not cover is an error whose
// message names the years it covers and where to add the missing one.
//
// Dates are civil dates in the calendar's own zone (`Date`, days since 1970-01-01 local). The
// zone comes from the IANA tz database (never a fixed offset), so zones with daylight saving time
// have 23- and 25-hour days and `EndOfDay` accounts for them.
//
// Thread-safety: a `Calendar` is immutable once created; share it freely between threads. It is
// a value (copyable); the time zone it refers to belongs to the tz database and lives for the
// whole process.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rectify/result.h"
#include "rectify/timestamp.h"

namespace date {
class time_zone;
}  // namespace date

namespace rectify {

// A civil date in a calendar's time zone.
using Date = std::chrono::local_days;

// "2017-05-08" (four-digit year, two-digit month and day; the date must exist).
Result<Date> ParseDate(std::string_view text);
// "2017-05-08".
std::string FormatDate(Date d);

// The hours of a working day, as minutes after local midnight: [start, end).
struct WorkingHours {
  std::chrono::minutes start{0};
  std::chrono::minutes end{24 * 60};
};

// "08:30-18:00" ("24:00" is allowed as an end); the start must come before the end.
Result<WorkingHours> ParseWorkingHours(std::string_view text);
std::string FormatWorkingHours(const WorkingHours& hours);

// One year's exceptions to the working week.
struct CalendarYear {
  std::set<Date> holidays;  // days off, including weekend days inside a holiday period
  std::set<Date> workdays;  // weekend days that are working days (调休)
};

// Everything a calendar is made of, before its time zone is looked up.
struct CalendarSpec {
  std::string name;
  std::string time_zone;  // an IANA name, e.g. "Asia/Shanghai"
  // Which weekdays are working days, indexed by std::chrono::weekday::c_encoding() (0 = Sunday).
  std::array<bool, 7> workweek{false, true, true, true, true, true, false};
  WorkingHours working_hours;
  std::map<int, CalendarYear> years;  // by year; a date's year must be a key to be answered
  std::string source;                 // the file it was defined in, for messages; may be empty
};

class Calendar {
 public:
  // Looks the time zone up in the tz database; an unknown zone is kBadInput.
  static Result<Calendar> Create(CalendarSpec spec);

  const std::string& name() const { return spec_.name; }
  const std::string& time_zone_name() const { return spec_.time_zone; }
  const std::string& source() const { return spec_.source; }
  const WorkingHours& working_hours() const { return spec_.working_hours; }
  const CalendarSpec& spec() const { return spec_; }

  // Whether `d`'s year is one the calendar covers.
  bool Covers(Date d) const;
  // The covered years as people read them: "2016-2026", or "2016-2018, 2020" with a gap.
  std::string CoveredYears() const;
  // The error for a date outside the covered years:
  //   "2031-01-05 is outside calendar 'cn', which covers 2016-2026; add the year's holidays to
  //    workflows/calendars/cn.yaml"
  Error OutsideError(Date d) const;

  // A working day is a workweek day that is not a holiday, or a listed make-up working day.
  Result<bool> IsWorkday(Date d) const;

  // The n-th working day after `from` (n > 0) or before it (n < 0); `from` itself is never
  // counted, whether or not it is a working day. n == 0 returns `from`.
  //   AddWorkdays(2017-04-21, 10) == 2017-05-08   (2017-05-01 was a holiday)
  //   AddWorkdays(2017-05-08, -5) == 2017-04-28
  // Fails when the walk leaves the covered years.
  Result<Date> AddWorkdays(Date from, int n) const;

  // The first working day on or after `d`.
  Result<Date> NextWorkday(Date d) const;

  // The instant local day `d` starts (local 00:00) and ends (local 24:00, which is the next
  // day's start). In Asia/Shanghai EndOfDay(2017-05-08) is 2017-05-08T16:00:00Z; in Europe/Berlin
  // the day DST starts (2017-03-26) runs from 2017-03-25T23:00Z to 2017-03-26T22:00Z.
  Timestamp StartOfDay(Date d) const;
  Timestamp EndOfDay(Date d) const;
  // The instant of local wall time `since_midnight` on `d`. A wall time that does not exist (a
  // DST gap) maps to the instant the gap ends; an ambiguous one to the earlier instant.
  Timestamp AtLocalTime(Date d, std::chrono::minutes since_midnight) const;
  // The local date an instant falls on.
  Date DateOf(Timestamp t) const;

  // The first instant at or after `t` inside working hours on a working day: `t` itself when it
  // already is, else the start of the next working period. Notifications wait for this.
  Result<Timestamp> NextWorkingTime(Timestamp t) const;

  // "2017-05-08T18:00:00+08:00": `t` in the calendar's zone, with its UTC offset.
  std::string FormatLocal(Timestamp t) const;

 private:
  Calendar(CalendarSpec spec, const date::time_zone* zone) : spec_(std::move(spec)), zone_(zone) {}

  CalendarSpec spec_;
  const date::time_zone* zone_;  // owned by the tz database; never null
};

}  // namespace rectify
