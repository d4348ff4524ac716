// Deadline arithmetic and reminder offsets on the cn calendar and in a DST zone.
#include "rectify/calendar/deadline.h"

#include <gtest/gtest.h>

#include "tests/calendar/calendar_test_util.h"

namespace rectify {
namespace {

using namespace std::chrono_literals;
using test::Cn;
using test::D;
using test::Plain;
using test::T;

Timestamp Add(const Calendar& cal, const std::string& anchor, const std::string& span) {
  auto r = AddSpan(cal, T(anchor), *ParseSpan(span));
  if (!r) ADD_FAILURE() << anchor << " + " << span << ": " << r.error().message();
  return r ? *r : Timestamp{};
}

Timestamp Offset(const std::string& deadline, const std::string& span) {
  auto r = OffsetFrom(Cn(), T(deadline), *ParseSpan(span));
  if (!r) ADD_FAILURE() << deadline << " " << span << ": " << r.error().message();
  return r ? *r : Timestamp{};
}

TEST(CalendarDeadlineTest, WorkingDaysEndAtTheEndOfTheNthWorkingDay) {
  // Issue 3's example: 10wd from 2017-04-21 ends at 2017-05-08 24:00 in Shanghai.
  EXPECT_EQ(Add(Cn(), "2017-04-21T10:00:00+08:00", "10wd"), T("2017-05-08T16:00:00Z"));
  // Any time of the anchor day gives the same end.
  EXPECT_EQ(Add(Cn(), "2017-04-21T00:00:00+08:00", "10wd"), T("2017-05-08T16:00:00Z"));
  EXPECT_EQ(Add(Cn(), "2017-04-21T23:59:00+08:00", "10wd"), T("2017-05-08T16:00:00Z"));
  // The anchor day is in Shanghai's calendar, not UTC's: 2017-04-21T17:00Z is the 22nd there.
  EXPECT_EQ(Add(Cn(), "2017-04-21T17:00:00Z", "1wd"), T("2017-04-24T16:00:00Z"));
  auto from_date = AddSpan(Cn(), D("2017-04-21"), Span::WorkingDays(10));
  ASSERT_TRUE(from_date.ok());
  EXPECT_EQ(*from_date, T("2017-05-08T16:00:00Z"));
  EXPECT_EQ(DeadlineDay(Cn(), *from_date), D("2017-05-08"));
}

TEST(CalendarDeadlineTest, CalendarDaysAndMonthsEndAtEndOfDay) {
  EXPECT_EQ(Add(Cn(), "2017-04-21T10:00:00+08:00", "3d"), T("2017-04-24T16:00:00Z"));
  EXPECT_EQ(Add(Cn(), "2017-04-21T10:00:00+08:00", "P2W"), T("2017-05-05T16:00:00Z"));
  EXPECT_EQ(Add(Cn(), "2017-04-21T10:00:00+08:00", "P1M"), T("2017-05-21T16:00:00Z"));
  // Clamped to the end of a shorter month.
  EXPECT_EQ(Add(Cn(), "2017-01-31T10:00:00+08:00", "P1M"), T("2017-02-28T16:00:00Z"));
}

TEST(CalendarDeadlineTest, HoursAreExact) {
  EXPECT_EQ(Add(Cn(), "2017-04-21T10:00:00+08:00", "4h"), T("2017-04-21T14:00:00+08:00"));
  EXPECT_EQ(Add(Cn(), "2017-04-30T10:00:00+08:00", "PT30M"), T("2017-04-30T10:30:00+08:00"));
  EXPECT_EQ(Add(Cn(), "2017-04-21T10:00:00+08:00", "0"), T("2017-04-21T10:00:00+08:00"));
  // Hours never consult the holidays, so they work outside the covered years too.
  EXPECT_EQ(Add(Cn(), "2031-01-05T10:00:00+08:00", "4h"), T("2031-01-05T14:00:00+08:00"));
}

TEST(CalendarDeadlineTest, IsoWithATimePartMovesTheWallClock) {
  // Across the Berlin DST start, one day later at the same wall time is 23 hours later.
  auto berlin = Plain("Europe/Berlin", 2017, 2017);
  EXPECT_EQ(Add(berlin, "2017-03-25T12:00:00+01:00", "P1DT2H"), T("2017-03-26T14:00:00+02:00"));
}

TEST(CalendarDeadlineTest, EndOfDayInADaylightSavingZone) {
  auto berlin = Plain("Europe/Berlin", 2017, 2017);
  // 1 calendar day from 2017-03-25 ends at the end of the 23-hour day 2017-03-26.
  EXPECT_EQ(Add(berlin, "2017-03-25T12:00:00+01:00", "1d"), T("2017-03-26T22:00:00Z"));
  EXPECT_EQ(Add(berlin, "2017-10-27T12:00:00+02:00", "1wd"), T("2017-10-30T23:00:00Z"));
}

TEST(CalendarDeadlineTest, DeadlineOutsideTheCalendarIsAnError) {
  auto r = AddSpan(Cn(), T("2026-12-30T10:00:00+08:00"), Span::CalendarDays(5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "2027-01-04 is outside calendar 'cn', which covers 2016-2026; add the year's "
            "holidays to workflows/calendars/cn.yaml");
}

TEST(CalendarDeadlineTest, ResolvesDatesAndInstants) {
  Timestamp anchor = T("2017-04-21T10:00:00+08:00");
  // A date deadline ends at the end of that day in the calendar's zone.
  EXPECT_EQ(*ResolveDeadline(Cn(), anchor, *ParseDeadlineSpec("2017-05-15")),
            T("2017-05-15T16:00:00Z"));
  EXPECT_EQ(*ResolveDeadline(Cn(), anchor, *ParseDeadlineSpec("2017-05-15T18:00:00+08:00")),
            T("2017-05-15T10:00:00Z"));
  EXPECT_EQ(*ResolveDeadline(Cn(), anchor, *ParseDeadlineSpec("15wd")), T("2017-05-15T16:00:00Z"));
  auto outside = ResolveDeadline(Cn(), anchor, *ParseDeadlineSpec("2031-01-05"));
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message(),
            "2031-01-05 is outside calendar 'cn', which covers 2016-2026; add the year's "
            "holidays to workflows/calendars/cn.yaml");
}

TEST(CalendarDeadlineTest, RemindersFallAtTheStartOfWorkingHours) {
  const std::string deadline = "2017-05-08T16:00:00Z";  // the end of 2017-05-08
  EXPECT_EQ(DeadlineDay(Cn(), T(deadline)), D("2017-05-08"));
  EXPECT_EQ(Offset(deadline, "-5wd"), T("2017-04-28T08:30:00+08:00"));
  EXPECT_EQ(Offset(deadline, "-1wd"), T("2017-05-05T08:30:00+08:00"));
  EXPECT_EQ(Offset(deadline, "0"), T(deadline));
  // Calendar days land on that day whatever it is (the outbox waits for working hours).
  EXPECT_EQ(Offset(deadline, "-7d"), T("2017-05-01T08:30:00+08:00"));
  // After the deadline, as escalation steps count: 3 working days after 2017-05-08.
  EXPECT_EQ(Offset(deadline, "3wd"), T("2017-05-11T08:30:00+08:00"));
  // Hours are exact.
  EXPECT_EQ(Offset(deadline, "-4h"), T("2017-05-08T20:00:00+08:00"));
  // An exact deadline in the afternoon belongs to its own day.
  EXPECT_EQ(Offset("2017-05-08T15:00:00+08:00", "-1wd"), T("2017-05-05T08:30:00+08:00"));
}

TEST(CalendarDeadlineTest, ReprojectingAfterAPauseIsJustAnotherCall) {
  // Paused for three working days: the engine moves the anchor and calls again.
  Span budget = Span::WorkingDays(10);
  auto first = AddSpan(Cn(), D("2017-04-21"), budget);
  auto moved = AddSpan(Cn(), *Cn().AddWorkdays(D("2017-04-21"), 3), budget);
  ASSERT_TRUE(first.ok() && moved.ok());
  EXPECT_EQ(DeadlineDay(Cn(), *first), D("2017-05-08"));
  EXPECT_EQ(DeadlineDay(Cn(), *moved), D("2017-05-11"));
}

TEST(CalendarDeadlineTest, ReminderBeforeTheCoveredYearsFails) {
  auto r = OffsetFrom(Cn(), T("2016-01-05T16:00:00Z"), Span::WorkingDays(-5));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "2015-12-31 is outside calendar 'cn', which covers 2016-2026; add the year's "
            "holidays to workflows/calendars/cn.yaml");
}

}  // namespace
}  // namespace rectify

namespace rectify {
namespace {

Timestamp Remind(const std::string& deadline, const std::string& span) {
  auto r = ReminderAt(test::Cn(), test::T(deadline), *ParseSpan(span));
  if (!r) ADD_FAILURE() << deadline << " " << span << ": " << r.error().message();
  return r ? *r : Timestamp{};
}

// A reminder reaches people in working hours on the day it is for, and never at the deadline
// itself (where the first escalation step of an overdue chain falls).
TEST(CalendarDeadlineTest, AReminderAtZeroGoesWhenTheDeadlineDaysWorkingHoursStart) {
  const std::string end_of_may_8 = "2017-05-08T16:00:00Z";  // local 24:00 of Monday 2017-05-08
  EXPECT_EQ(Remind(end_of_may_8, "0"), test::T("2017-05-08T08:30:00+08:00"));
  // Offsets whose day is a working day stay where OffsetFrom puts them.
  EXPECT_EQ(Remind(end_of_may_8, "-1wd"), test::T("2017-05-05T08:30:00+08:00"));
  EXPECT_EQ(Remind(end_of_may_8, "-5wd"), test::T("2017-04-28T08:30:00+08:00"));
  EXPECT_EQ(Remind(end_of_may_8, "-4h"), test::T("2017-05-08T08:30:00+08:00"));  // 20:00
  EXPECT_EQ(Remind(end_of_may_8, "-10h"), test::T("2017-05-08T14:00:00+08:00"));
  // An exact deadline in the afternoon: its day's working hours start.
  EXPECT_EQ(Remind("2017-05-08T15:00:00+08:00", "0"), test::T("2017-05-08T08:30:00+08:00"));
  // A date deadline on a holiday (National Day, 2017-10-01 to 10-08): the last working day
  // before it, Saturday 2017-09-30 being a make-up working day (调休).
  EXPECT_EQ(Remind("2017-10-03T16:00:00Z", "0"), test::T("2017-09-30T08:30:00+08:00"));
}

}  // namespace
}  // namespace rectify
