// Loading `kind: calendar` YAML: every problem reported with file:line:col, path and hint.
#include "rectify/calendar/calendar_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/calendar/calendar_test_util.h"

namespace rectify {
namespace {

using test::D;
using ::testing::ElementsAre;

struct Loaded {
  Result<Calendar> calendar;
  std::vector<std::string> messages;
};

Loaded Load(const std::string& yaml) {
  Diagnostics diags;
  auto cal = LoadCalendar(YAML::Load(yaml), "cal.yaml", diags);
  diags.Sort();
  std::vector<std::string> messages;
  for (const auto& d : diags.items()) messages.push_back(d.Format());
  return {std::move(cal), std::move(messages)};
}

const char* const kGood = R"(kind: calendar
name: test
timezone: Asia/Shanghai
workweek: [mon, tue, wed, thu, fri]
working_hours: "09:00-17:30"
years:
  2017:
    holidays: [2017-01-02, 2017-01-27..2017-02-02]
    workdays: [2017-01-22]
  2018:
)";

TEST(CalendarLoaderTest, LoadsAGoodCalendar) {
  auto loaded = Load(kGood);
  ASSERT_TRUE(loaded.calendar.ok()) << loaded.calendar.error().message();
  EXPECT_THAT(loaded.messages, ElementsAre());
  const Calendar& cal = *loaded.calendar;
  EXPECT_EQ(cal.name(), "test");
  EXPECT_EQ(cal.source(), "cal.yaml");
  EXPECT_EQ(cal.CoveredYears(), "2017-2018");
  EXPECT_FALSE(*cal.IsWorkday(D("2017-01-30")));
  EXPECT_TRUE(*cal.IsWorkday(D("2017-01-22")));
  EXPECT_TRUE(*cal.IsWorkday(D("2018-01-01")));  // 2018 declared with no exceptions
  EXPECT_EQ(FormatWorkingHours(cal.working_hours()), "09:00-17:30");
}

TEST(CalendarLoaderTest, ShippedCnCalendarLoadsWithoutWarnings) {
  Diagnostics diags;
  auto cal =
      LoadCalendar(YAML::LoadFile(std::string(RECTIFY_SOURCE_DIR) + "/workflows/calendars/cn.yaml"),
                   "workflows/calendars/cn.yaml", diags);
  ASSERT_TRUE(cal.ok()) << diags.Format();
  EXPECT_EQ(diags.Format(), "");
}

TEST(CalendarLoaderTest, ReportsEveryProblemWithItsPosition) {
  auto loaded = Load(R"(kind: calendar
name: test
timezone: Asia/Shanghia
workweek: [mon, tue, wed, thu, fri, funday]
working_hours: "18:00-08:30"
colour: red
years:
  2017:
    holidays: [2017-01-02, 2017-02-02..2017-01-27, 2017-13-01, 2018-01-01]
    workdays: [2017-01-02, 2017-01-23]
    extra: []
  2017: {}
  twenty: {}
)");
  ASSERT_FALSE(loaded.calendar.ok());
  EXPECT_EQ(loaded.calendar.error().message(), "calendar 'test' in cal.yaml has 11 errors");
  EXPECT_THAT(
      loaded.messages,
      ElementsAre(
          "cal.yaml:3:11: error: timezone: unknown time zone 'Asia/Shanghia' (hint: use an IANA "
          "name from the tz database, e.g. Asia/Shanghai or Europe/Berlin)",
          "cal.yaml:4:37: error: workweek[5]: unknown weekday 'funday' (hint: use mon, tue, wed, "
          "thu, fri, sat or sun)",
          "cal.yaml:5:16: error: working_hours: '18:00-08:30' is not a range of working hours "
          "(the start must come before the end); write it as HH:MM-HH:MM, e.g. \"08:30-18:00\" "
          "(hint: notifications wait for these hours)",
          "cal.yaml:6:1: error: colour: unknown key 'colour' in a calendar (hint: known keys: "
          "kind, name, version, description, timezone, workweek, working_hours, years)",
          "cal.yaml:9:28: error: years.2017.holidays[1]: the range 2017-02-02..2017-01-27 runs "
          "backwards (hint: write the earlier date first: 2017-01-27..2017-02-02)",
          "cal.yaml:9:52: error: years.2017.holidays[2]: '2017-13-01' is not a date (no such "
          "day); write it as YYYY-MM-DD, e.g. 2017-05-15 (hint: write a date as 2017-01-02 or a "
          "range as 2017-01-27..2017-02-02)",
          "cal.yaml:9:64: error: years.2017.holidays[3]: 2018-01-01 is not in 2017 (hint: list it "
          "under year 2018 (split a range that crosses the new year))",
          "cal.yaml:10:16: error: years.2017.workdays[0]: 2017-01-02 is listed both as a holiday "
          "(line 9) and as a workday (hint: a day is either off or worked; remove it from one "
          "list)",
          "cal.yaml:10:28: warning: years.2017.workdays[1]: 2017-01-23 is a Monday, already a "
          "working day in the workweek (hint: make-up workdays (调休) are weekend days; check the "
          "date)",
          "cal.yaml:11:5: error: years.2017.extra: unknown key 'extra' in a year (hint: known "
          "keys: holidays, workdays)",
          "cal.yaml:12:3: error: years.2017: year 2017 is listed twice (first at line 8) (hint: "
          "merge the two entries into one)",
          "cal.yaml:13:3: error: years.twenty: 'twenty' is not a year (hint: write the year as "
          "2017)"));
}

TEST(CalendarLoaderTest, SuggestsTheKeyMeant) {
  auto loaded = Load(R"(kind: calendar
name: test
time_zone: Asia/Shanghai
years: {2017: {holiday: []}}
)");
  ASSERT_FALSE(loaded.calendar.ok());
  EXPECT_THAT(loaded.messages,
              ElementsAre("cal.yaml:1:1: error: the calendar has no 'timezone' (hint: add e.g. "
                          "'timezone: Asia/Shanghai')",
                          "cal.yaml:3:1: error: time_zone: unknown key 'time_zone' in a calendar "
                          "(hint: did you mean 'timezone'? known keys: kind, name, version, "
                          "description, timezone, workweek, working_hours, years)",
                          "cal.yaml:4:16: error: years.2017.holiday: unknown key 'holiday' in a "
                          "year (hint: did you mean 'holidays'? known keys: holidays, workdays)"));
}

TEST(CalendarLoaderTest, RefusesAFixedOffsetAsAZone) {
  auto loaded = Load("kind: calendar\nname: x\ntimezone: \"+08:00\"\nyears: {2017: }\n");
  ASSERT_FALSE(loaded.calendar.ok());
  EXPECT_THAT(loaded.messages,
              ElementsAre("cal.yaml:3:11: error: timezone: unknown time zone '+08:00' (hint: a "
                          "fixed UTC offset is not a time zone; use an IANA name such as "
                          "Asia/Shanghai, which knows the zone's history)"));
}

TEST(CalendarLoaderTest, MissingPartsAndWrongKind) {
  auto loaded = Load("kind: workflow\n");
  ASSERT_FALSE(loaded.calendar.ok());
  EXPECT_EQ(loaded.calendar.error().message(), "calendar in cal.yaml has 4 errors");
  EXPECT_THAT(
      loaded.messages,
      ElementsAre(
          "cal.yaml:1:1: error: the calendar has no 'name' (hint: add 'name: cn')",
          "cal.yaml:1:1: error: the calendar has no 'timezone' (hint: add e.g. 'timezone: "
          "Asia/Shanghai')",
          "cal.yaml:1:1: error: the calendar has no 'years' (hint: list each year's holidays and "
          "make-up workdays under 'years:')",
          "cal.yaml:1:7: error: kind: expected 'calendar', found 'workflow' (hint: a calendar file "
          "has 'kind: calendar')"));
  auto not_a_map = Load("- a\n- b\n");
  ASSERT_FALSE(not_a_map.calendar.ok());
  EXPECT_THAT(not_a_map.messages,
              ElementsAre("cal.yaml:1:1: error: a calendar must be a mapping with kind, name, "
                          "timezone and years (hint: start the document with 'kind: calendar')"));
}

TEST(CalendarLoaderTest, WarnsAboutGapsAndRepeats) {
  auto loaded = Load(R"(kind: calendar
name: test
timezone: Europe/Berlin
workweek: [mon, tue, wed, thu, fri, mon]
years:
  2016: {holidays: [2016-01-01, 2016-01-01..2016-01-02]}
  2019: {}
)");
  ASSERT_TRUE(loaded.calendar.ok()) << loaded.calendar.error().message();
  EXPECT_THAT(
      loaded.messages,
      ElementsAre("cal.yaml:4:37: warning: workweek[5]: 'mon' is listed twice (hint: list each "
                  "day once)",
                  "cal.yaml:6:3: warning: years: no entry for 2017-2018 (hint: dates in a year "
                  "without an entry are errors; add the year's holidays)",
                  "cal.yaml:6:33: warning: years.2016.holidays[1]: 2016-01-01..2016-01-02 repeats "
                  "a date listed before (hint: list each date once)"));
  EXPECT_EQ(loaded.calendar->CoveredYears(), "2016, 2019");
}

TEST(CalendarLoaderTest, WorkweekAfterTheYearsStillChecksWorkdays) {
  auto loaded = Load(R"(kind: calendar
name: six-day
timezone: Asia/Shanghai
years:
  2017: {workdays: [2017-01-21]}
workweek: [mon, tue, wed, thu, fri, sat]
)");
  ASSERT_TRUE(loaded.calendar.ok());
  EXPECT_THAT(loaded.messages,
              ElementsAre("cal.yaml:5:21: warning: years.2017.workdays[0]: 2017-01-21 is a "
                          "Saturday, already a working day in the workweek (hint: make-up "
                          "workdays (调休) are weekend days; check the date)"));
}

}  // namespace
}  // namespace rectify
