// Helpers shared by the calendar tests: the shipped cn calendar and short date/time literals.
#pragma once

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>

#include "rectify/calendar/calendar.h"
#include "rectify/calendar/calendar_loader.h"
#include "rectify/clock.h"

namespace rectify::test {

// workflows/calendars/cn.yaml as shipped, named by its path in the repository.
inline const Calendar& Cn() {
  static const Calendar cal = [] {
    Diagnostics diags;
    auto r = LoadCalendar(
        YAML::LoadFile(std::string(RECTIFY_SOURCE_DIR) + "/workflows/calendars/cn.yaml"),
        "workflows/calendars/cn.yaml", diags);
    if (!r) throw std::runtime_error(r.error().message() + "\n" + diags.Format());
    if (diags.items().size() != 0) throw std::runtime_error("cn.yaml: " + diags.Format());
    return *r;
  }();
  return cal;
}

inline Date D(const std::string& text) {
  auto d = ParseDate(text);
  if (!d) throw std::invalid_argument(d.error().message());
  return *d;
}

inline Timestamp T(const std::string& text) {
  auto t = ParseIso(text);
  if (!t) throw std::invalid_argument(t.error().message());
  return *t;
}

// A calendar with no holidays on a zone, covering `first`..`last`.
inline Calendar Plain(const std::string& zone, int first, int last,
                      const std::string& hours = "09:00-17:00") {
  CalendarSpec spec;
  spec.name = "plain";
  spec.time_zone = zone;
  spec.working_hours = *ParseWorkingHours(hours);
  for (int y = first; y <= last; ++y) spec.years[y];
  return *Calendar::Create(spec);
}

}  // namespace rectify::test
