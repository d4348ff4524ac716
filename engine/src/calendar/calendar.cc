#include "rectify/calendar/calendar.h"

#include <cstdio>
#include <cstdlib>

#include "tz_config.h"

namespace rectify {

namespace chr = std::chrono;

namespace {

date::local_days ToDateLib(Date d) {
  return date::local_days{date::days{d.time_since_epoch().count()}};
}

Date FromDateLib(date::local_days d) { return Date{chr::days{d.time_since_epoch().count()}}; }

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int ToInt(std::string_view s) { return std::atoi(std::string(s).c_str()); }

}  // namespace

Result<Date> ParseDate(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Error::BadInput("'" + std::string(text) + "' is not a date" + why +
                           "; write it as YYYY-MM-DD, e.g. 2017-05-15");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !AllDigits(text.substr(0, 4)) ||
      !AllDigits(text.substr(5, 2)) || !AllDigits(text.substr(8, 2))) {
    return bad("");
  }
  chr::year_month_day ymd{chr::year{ToInt(text.substr(0, 4))},
                          chr::month{static_cast<unsigned>(ToInt(text.substr(5, 2)))},
                          chr::day{static_cast<unsigned>(ToInt(text.substr(8, 2)))}};
  if (!ymd.ok()) return bad(" (no such day)");
  return Date{ymd};
}

std::string FormatDate(Date d) {
  chr::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Result<WorkingHours> ParseWorkingHours(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Error::BadInput("'" + std::string(text) + "' is not a range of working hours" + why +
                           "; write it as HH:MM-HH:MM, e.g. \"08:30-18:00\"");
  };
  auto clock_time = [](std::string_view s, chr::minutes& out) {
    if (s.size() != 5 || s[2] != ':' || !AllDigits(s.substr(0, 2)) || !AllDigits(s.substr(3, 2))) {
      return false;
    }
    int h = ToInt(s.substr(0, 2));
    int m = ToInt(s.substr(3, 2));
    if (h > 24 || m > 59 || (h == 24 && m != 0)) return false;
    out = chr::minutes{h * 60 + m};
    return true;
  };
  WorkingHours hours;
  if (text.size() != 11 || text[5] != '-' || !clock_time(text.substr(0, 5), hours.start) ||
      !clock_time(text.substr(6, 5), hours.end)) {
    return bad("");
  }
  if (hours.start >= hours.end) return bad(" (the start must come before the end)");
  return hours;
}

std::string FormatWorkingHours(const WorkingHours& hours) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d-%02d:%02d", static_cast<int>(hours.start.count() / 60),
                static_cast<int>(hours.start.count() % 60),
                static_cast<int>(hours.end.count() / 60), static_cast<int>(hours.end.count() % 60));
  return buf;
}

Result<Calendar> Calendar::Create(CalendarSpec spec) {
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(spec.time_zone);
  } catch (const std::exception&) {
    return Error::BadInput("unknown time zone '" + spec.time_zone +
                           "'; use an IANA name from the tz database, e.g. Asia/Shanghai");
  }
  return Calendar(std::move(spec), zone);
}

bool Calendar::Covers(Date d) const {
  return spec_.years.count(static_cast<int>(chr::year_month_day{d}.year())) > 0;
}

std::string Calendar::CoveredYears() const {
  if (spec_.years.empty()) return "no years";
  std::string s;
  auto it = spec_.years.begin();
  while (it != spec_.years.end()) {
    int first = it->first;
    int last = first;
    ++it;
    while (it != spec_.years.end() && it->first == last + 1) last = (it++)->first;
    if (!s.empty()) s += ", ";
    s += std::to_string(first);
    if (last != first) s += "-" + std::to_string(last);
  }
  return s;
}

Error Calendar::OutsideError(Date d) const {
  std::string where = spec_.source.empty() ? "the calendar's definition" : spec_.source;
  return Error::BadInput(FormatDate(d) + " is outside calendar '" + spec_.name +
                         "', which covers " + CoveredYears() + "; add the year's holidays to " +
                         where);
}

Result<bool> Calendar::IsWorkday(Date d) const {
  auto year = spec_.years.find(static_cast<int>(chr::year_month_day{d}.year()));
  if (year == spec_.years.end()) return OutsideError(d);
  if (year->second.holidays.count(d) > 0) return false;
  if (year->second.workdays.count(d) > 0) return true;
  return spec_.workweek[chr::weekday{d}.c_encoding()];
}

Result<Date> Calendar::AddWorkdays(Date from, int n) const {
  const chr::days step{n >= 0 ? 1 : -1};
  int left = n >= 0 ? n : -n;
  Date d = from;
  while (left > 0) {
    d += step;
    auto work = IsWorkday(d);
    if (!work) return work.error();
    if (*work) --left;
  }
  return d;
}

Result<Date> Calendar::NextWorkday(Date d) const {
  for (;; d += chr::days{1}) {
    auto work = IsWorkday(d);
    if (!work) return work.error();
    if (*work) return d;
  }
}

Timestamp Calendar::AtLocalTime(Date d, chr::minutes since_midnight) const {
  date::local_time<chr::minutes> local = ToDateLib(d) + since_midnight;
  return chr::time_point_cast<Duration>(zone_->to_sys(local, date::choose::earliest));
}

Timestamp Calendar::StartOfDay(Date d) const { return AtLocalTime(d, chr::minutes{0}); }

Timestamp Calendar::EndOfDay(Date d) const { return StartOfDay(d + chr::days{1}); }

Date Calendar::DateOf(Timestamp t) const {
  return FromDateLib(date::floor<date::days>(zone_->to_local(t)));
}

Result<Timestamp> Calendar::NextWorkingTime(Timestamp t) const {
  Date d = DateOf(t);
  for (;; d += chr::days{1}) {
    auto work = IsWorkday(d);
    if (!work) return work.error();
    if (!*work) continue;
    Timestamp start = AtLocalTime(d, spec_.working_hours.start);
    Timestamp end = AtLocalTime(d, spec_.working_hours.end);
    if (t < start) return start;
    if (t < end) return t;
  }
}

std::string Calendar::FormatLocal(Timestamp t) const {
  // Written by hand rather than with date::format (like FormatIso): lists format a due time per
  // row, and the stream date::format builds cost more than the rest of a list row together.
  auto info = zone_->get_info(t);
  auto local = chr::floor<chr::seconds>(t) + info.offset;
  auto days = chr::floor<chr::days>(local);
  chr::year_month_day ymd{days};
  auto in_day = (local - days).count();
  auto offset = chr::duration_cast<chr::minutes>(info.offset).count();
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d",
                        static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(in_day / 3600),
                        static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60),
                        offset < 0 ? '-' : '+', static_cast<int>(std::abs(offset) / 60),
                        static_cast<int>(std::abs(offset) % 60));
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace rectify
