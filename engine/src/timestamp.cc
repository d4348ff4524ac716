// Instants as rectify/timestamp.h writes and reads them: ISO 8601, microseconds since the epoch.
#include "rectify/timestamp.h"

#include <date/date.h>

#include <cstdio>
#include <sstream>

namespace rectify {

std::string FormatIso(Timestamp t) {
  // Written by hand rather than with date::format: this runs several times per firing, and the
  // stream that date::format builds costs more than the rest of the formatting put together.
  auto days = std::chrono::floor<std::chrono::days>(t);
  date::year_month_day ymd{date::sys_days(days)};
  auto in_day = std::chrono::floor<std::chrono::seconds>(t - days).count();
  auto frac = (t - std::chrono::floor<std::chrono::seconds>(t)).count();
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", int(ymd.year()),
                        unsigned(ymd.month()), unsigned(ymd.day()), int(in_day / 3600),
                        int(in_day / 60 % 60), int(in_day % 60));
  if (frac != 0) {
    n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%06lld",
                       static_cast<long long>(frac));
  }
  buf[n++] = 'Z';
  return std::string(buf, static_cast<std::size_t>(n));
}

Result<Timestamp> ParseIso(std::string_view text) {
  std::istringstream in{std::string(text)};
  date::sys_time<std::chrono::microseconds> t;
  std::string s(text);
  // date::parse wants the offset spelled with %Ez ("+08:00") or a literal Z.
  if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) {
    in.str(s.substr(0, s.size() - 1));
    in >> date::parse("%Y-%m-%dT%H:%M:%S", t);
  } else {
    in >> date::parse("%Y-%m-%dT%H:%M:%S%Ez", t);
  }
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) {
    return Error::BadInput("'" + s +
                           "' is not an ISO 8601 date-time; write it as 2017-05-08T10:00:00Z or "
                           "2017-05-08T18:00:00+08:00");
  }
  return Timestamp(t);
}

}  // namespace rectify
