// Reading a `kind: calendar` YAML document into a `Calendar`.
//
//   kind: calendar
//   name: cn
//   timezone: Asia/Shanghai              # an IANA zone from the tz database
//   workweek: [mon, tue, wed, thu, fri]  # optional; this is the default
//   working_hours: "08:30-18:00"         # optional; default the whole day, "00:00-24:00"
//   years:
//     2017:
//       holidays: [2017-01-02, 2017-01-27..2017-02-02]   # a date or a range FROM..TO, inclusive
//       workdays: [2017-01-22, 2017-02-04]               # weekend days worked instead (调休)
//
// Every date under a year must be in that year. `version` and `description` are accepted and
// ignored here. Each problem is reported into `diags` with file:line:col (from yaml-cpp marks),
// the path in the document and a hint, and checking goes on so that one run shows them all:
//   errors:   unknown or duplicate keys, missing name/timezone/years, an unknown time zone, a bad
//             date, a backwards range, a date under the wrong year, a year listed twice, a day
//             both a holiday and a workday, bad working hours, an unknown weekday;
//   warnings: a workday that is already a workweek day, a date listed twice, a gap in the years.
//
//   Diagnostics diags;
//   Result<Calendar> cal = LoadCalendar(YAML::LoadFile(path), path, diags);
//   if (!cal) std::cerr << diags.Format();
//
// Thread-safety: a pure function of its arguments (it writes only to `diags`).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "rectify/calendar/calendar.h"
#include "rectify/diagnostics.h"
#include "rectify/result.h"

namespace rectify {

// Builds the calendar `doc` describes; `file` is used in positions and in the calendar's
// `source()`. Fails with kBadInput ("calendar 'cn' in FILE has 2 errors") when it reported any
// error into `diags`; warnings alone do not fail it.
Result<Calendar> LoadCalendar(const YAML::Node& doc, const std::string& file, Diagnostics& diags);

}  // namespace rectify
