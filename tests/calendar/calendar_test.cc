// The Calendar type: working days, day boundaries in real time zones, working hours.
#include "rectify/calendar/calendar.h"

#include <gtest/gtest.h>

#include "tests/calendar/calendar_test_util.h"

namespace rectify {
namespace {

using test::Cn;
using test::D;
using test::Plain;
using test::T;

TEST(CalendarTest, ParsesAndFormatsDates) {
  EXPECT_EQ(FormatDate(D("2017-05-08")), "2017-05-08");
  EXPECT_EQ(FormatDate(D("2016-02-29")), "2016-02-29");
  auto bad = ParseDate("2017-02-29");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "'2017-02-29' is not a date (no such day); write it as YYYY-MM-DD, e.g. 2017-05-15");
  EXPECT_FALSE(ParseDate("2017-5-8").ok());
  EXPECT_FALSE(ParseDate("17-05-08").ok());
  EXPECT_FALSE(ParseDate("2017/05/08").ok());
}

TEST(CalendarTest, ParsesWorkingHours) {
  auto h = ParseWorkingHours("08:30-18:00");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->start, std::chrono::minutes(8 * 60 + 30));
  EXPECT_EQ(h->end, std::chrono::minutes(18 * 60));
  EXPECT_EQ(FormatWorkingHours(*h), "08:30-18:00");
  EXPECT_TRUE(ParseWorkingHours("00:00-24:00").ok());
  auto backwards = ParseWorkingHours("18:00-08:30");
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().message(),
            "'18:00-08:30' is not a range of working hours (the start must come before the "
            "end); write it as HH:MM-HH:MM, e.g. \"08:30-18:00\"");
  EXPECT_FALSE(ParseWorkingHours("8:30-18:00").ok());
  EXPECT_FALSE(ParseWorkingHours("08:60-18:00").ok());
}

TEST(CalendarTest, UnknownZoneIsRefused) {
  CalendarSpec spec;
  spec.name = "x";
  spec.time_zone = "Asia/Shanghia";
  auto cal = Calendar::Create(spec);
  ASSERT_FALSE(cal.ok());
  EXPECT_EQ(cal.error().message(),
            "unknown time zone 'Asia/Shanghia'; use an IANA name from the tz database, e.g. "
            "Asia/Shanghai");
}

TEST(CalendarTest, CnKnowsItsZoneAndYears) {
  EXPECT_EQ(Cn().name(), "cn");
  EXPECT_EQ(Cn().time_zone_name(), "Asia/Shanghai");
  EXPECT_EQ(Cn().CoveredYears(), "2016-2026");
  EXPECT_EQ(FormatWorkingHours(Cn().working_hours()), "08:30-18:00");
}

TEST(CalendarTest, DateOutsideTheCoveredYearsIsAnErrorNamingThem) {
  auto r = Cn().IsWorkday(D("2031-01-05"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kBadInput);
  EXPECT_EQ(r.error().message(),
            "2031-01-05 is outside calendar 'cn', which covers 2016-2026; add the year's "
            "holidays to workflows/calendars/cn.yaml");
  EXPECT_FALSE(Cn().IsWorkday(D("2015-12-31")).ok());
  EXPECT_TRUE(Cn().IsWorkday(D("2016-01-04")).ok());
}

TEST(CalendarTest, WorkingDayWalkThatLeavesTheYearsFails) {
  auto r = Cn().AddWorkdays(D("2026-12-30"), 5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "2027-01-01 is outside calendar 'cn', which covers 2016-2026; add the year's "
            "holidays to workflows/calendars/cn.yaml");
  EXPECT_FALSE(Cn().AddWorkdays(D("2016-01-05"), -5).ok());
}

TEST(CalendarTest, GapInTheYearsIsNamed) {
  CalendarSpec spec;
  spec.name = "gappy";
  spec.time_zone = "UTC";
  spec.years[2016];
  spec.years[2017];
  spec.years[2018];
  spec.years[2020];
  auto cal = *Calendar::Create(spec);
  EXPECT_EQ(cal.CoveredYears(), "2016-2018, 2020");
  auto r = cal.IsWorkday(D("2019-06-03"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "2019-06-03 is outside calendar 'gappy', which covers 2016-2018, 2020; add the "
            "year's holidays to the calendar's definition");
}

TEST(CalendarTest, AddsWorkingDaysAcrossMayDay2017) {
  // The example of issue 3: 2017-05-01 was a holiday.
  EXPECT_EQ(*Cn().AddWorkdays(D("2017-04-21"), 10), D("2017-05-08"));
  EXPECT_EQ(*Cn().AddWorkdays(D("2017-05-08"), -10), D("2017-04-21"));
  EXPECT_EQ(*Cn().AddWorkdays(D("2017-05-08"), -5), D("2017-04-28"));
  EXPECT_EQ(*Cn().AddWorkdays(D("2017-04-22"), 0), D("2017-04-22"));
  // From a non-working day, the first working day after it is the first counted.
  EXPECT_EQ(*Cn().AddWorkdays(D("2017-04-29"), 1), D("2017-05-02"));
  EXPECT_EQ(*Cn().NextWorkday(D("2017-04-29")), D("2017-05-02"));
  EXPECT_EQ(*Cn().NextWorkday(D("2017-05-02")), D("2017-05-02"));
}

TEST(CalendarTest, DayBoundariesInShanghai) {
  EXPECT_EQ(Cn().StartOfDay(D("2017-05-08")), T("2017-05-07T16:00:00Z"));
  EXPECT_EQ(Cn().EndOfDay(D("2017-05-08")), T("2017-05-08T16:00:00Z"));
  EXPECT_EQ(Cn().DateOf(T("2017-05-08T15:59:59Z")), D("2017-05-08"));
  EXPECT_EQ(Cn().DateOf(T("2017-05-08T16:00:00Z")), D("2017-05-09"));
  EXPECT_EQ(Cn().FormatLocal(T("2017-05-08T10:00:00Z")), "2017-05-08T18:00:00+08:00");
}

TEST(CalendarTest, DayBoundariesFollowDaylightSavingTimeInBerlin) {
  auto berlin = Plain("Europe/Berlin", 2017, 2017);
  // DST starts on 2017-03-26 at 02:00 local: that day has 23 hours.
  EXPECT_EQ(berlin.EndOfDay(D("2017-03-25")), T("2017-03-25T23:00:00Z"));
  EXPECT_EQ(berlin.EndOfDay(D("2017-03-26")), T("2017-03-26T22:00:00Z"));
  EXPECT_EQ(berlin.EndOfDay(D("2017-03-26")) - berlin.StartOfDay(D("2017-03-26")),
            std::chrono::hours(23));
  // DST ends on 2017-10-29: 25 hours.
  EXPECT_EQ(berlin.EndOfDay(D("2017-10-29")) - berlin.StartOfDay(D("2017-10-29")),
            std::chrono::hours(25));
  EXPECT_EQ(berlin.FormatLocal(T("2017-07-01T10:00:00Z")), "2017-07-01T12:00:00+02:00");
  // 02:30 on 2017-03-26 does not exist; it maps to the end of the gap (03:00 CEST).
  EXPECT_EQ(berlin.AtLocalTime(D("2017-03-26"), std::chrono::minutes(150)),
            T("2017-03-26T01:00:00Z"));
}

TEST(CalendarTest, NextWorkingTimeWaitsForWorkingHoursOnAWorkingDay) {
  // Friday 2017-04-28, 07:00 in Shanghai: wait for 08:30.
  EXPECT_EQ(*Cn().NextWorkingTime(T("2017-04-28T07:00:00+08:00")), T("2017-04-28T08:30:00+08:00"));
  // Inside working hours: now.
  EXPECT_EQ(*Cn().NextWorkingTime(T("2017-04-28T10:15:00+08:00")), T("2017-04-28T10:15:00+08:00"));
  // 18:00 is the end: the next working day is Tuesday 2 May (the weekend and May Day between).
  EXPECT_EQ(*Cn().NextWorkingTime(T("2017-04-28T18:00:00+08:00")), T("2017-05-02T08:30:00+08:00"));
  // A make-up Saturday is a working day: 2017-09-30.
  EXPECT_EQ(*Cn().NextWorkingTime(T("2017-09-29T19:00:00+08:00")), T("2017-09-30T08:30:00+08:00"));
  EXPECT_FALSE(Cn().NextWorkingTime(T("2026-12-31T19:00:00+08:00")).ok());
}

}  // namespace
}  // namespace rectify
