// Parsing durations and deadline anchors, and the errors for bad ones.
#include "rectify/calendar/span.h"

#include <gtest/gtest.h>

#include "tests/calendar/calendar_test_util.h"

namespace rectify {
namespace {

using namespace std::chrono_literals;
using test::D;
using test::T;

Span Parse(const std::string& text) {
  auto s = ParseSpan(text);
  if (!s) ADD_FAILURE() << text << ": " << s.error().message();
  return s ? *s : Span{};
}

std::string ErrorOf(const std::string& text) {
  auto s = ParseSpan(text);
  if (s) return "(parsed as " + FormatSpan(*s) + ")";
  return s.error().message();
}

TEST(CalendarSpanTest, ParsesTheShortForms) {
  EXPECT_EQ(Parse("10wd"), Span::WorkingDays(10));
  EXPECT_EQ(Parse("3d"), Span::CalendarDays(3));
  EXPECT_EQ(Parse("4h"), Span::Exact(4h));
  EXPECT_EQ(Parse("30m"), Span::Exact(30min));
  EXPECT_EQ(Parse("0"), Span{});
  EXPECT_EQ(Parse("0").kind, Span::Kind::kZero);
}

TEST(CalendarSpanTest, ParsesNegativeOffsets) {
  EXPECT_EQ(Parse("-5wd"), Span::WorkingDays(-5));
  EXPECT_EQ(Parse("-1d"), Span::CalendarDays(-1));
  EXPECT_EQ(Parse("-2h"), Span::Exact(-2h));
  EXPECT_TRUE(Parse("-5wd").negative());
  EXPECT_FALSE(Parse("5wd").negative());
  EXPECT_EQ(Parse("-P1D"), Span::CalendarDays(-1));
  EXPECT_EQ(Parse("-PT30M"), Span::Exact(-30min));
}

TEST(CalendarSpanTest, ParsesIso8601) {
  EXPECT_EQ(Parse("P3D"), Span::CalendarDays(3));
  EXPECT_EQ(Parse("P2W"), Span::CalendarDays(14));
  Span month = Parse("P1M");
  EXPECT_EQ(month.kind, Span::Kind::kCalendar);
  EXPECT_EQ(month.months, 1);
  EXPECT_EQ(Parse("P1Y").months, 12);
  EXPECT_EQ(Parse("PT4H"), Span::Exact(4h));
  EXPECT_EQ(Parse("PT90S"), Span::Exact(90s));
  Span mixed = Parse("P1DT12H");
  EXPECT_EQ(mixed.kind, Span::Kind::kCalendar);
  EXPECT_EQ(mixed.days, 1);
  EXPECT_EQ(mixed.exact, std::chrono::microseconds(12h));
  EXPECT_FALSE(mixed.day_based());
  EXPECT_TRUE(Parse("P1M").day_based());
  EXPECT_TRUE(Parse("10wd").day_based());
  EXPECT_FALSE(Parse("4h").day_based());
}

TEST(CalendarSpanTest, FormatsCanonically) {
  for (const char* text :
       {"10wd", "-5wd", "3d", "-1d", "4h", "30m", "-2h", "0", "P1M", "-P1M", "P1DT12H", "PT90S"}) {
    EXPECT_EQ(FormatSpan(Parse(text)), text);
  }
  EXPECT_EQ(FormatSpan(Parse("P2W")), "14d");
  EXPECT_EQ(FormatSpan(Parse("PT4H")), "4h");
}

TEST(CalendarSpanTest, BadDurationsSayWhatIsWrongAndShowTheForms) {
  const std::string forms = std::string("; accepted forms: ") + std::string(kSpanForms);
  EXPECT_EQ(ErrorOf("10 days"), "'10 days' is not a duration (unknown unit ' days')" + forms);
  EXPECT_EQ(ErrorOf("10"), "'10' is not a duration (the number has no unit)" + forms);
  EXPECT_EQ(ErrorOf(""), "'' is not a duration (it is empty)" + forms);
  EXPECT_EQ(ErrorOf("wd"),
            "'wd' is not a duration (it does not start with a number or 'P')" + forms);
  EXPECT_EQ(ErrorOf("-"), "'-' is not a duration (nothing follows '-')" + forms);
  EXPECT_EQ(ErrorOf("P"), "'P' is not a duration ('P' needs at least one number and unit)" + forms);
  EXPECT_EQ(ErrorOf("P1H"),
            "'P1H' is not a duration (unknown designator 'H' (use Y, M, W or D))" + forms);
  EXPECT_EQ(ErrorOf("PT1D"),
            "'PT1D' is not a duration (unknown designator 'D' after 'T' (use H, M or S))" + forms);
  EXPECT_EQ(ErrorOf("P1DT"), "'P1DT' is not a duration (nothing follows 'T')" + forms);
  EXPECT_EQ(ErrorOf("P1D2M"), "'P1D2M' is not a duration (designators out of order)" + forms);
  EXPECT_EQ(ErrorOf("P1"), "'P1' is not a duration (the last number has no designator)" + forms);
  EXPECT_EQ(ErrorOf("99999999wd"),
            "'99999999wd' is not a duration (the number is too large)" + forms);
  EXPECT_NE(ErrorOf("1.5h").find("unknown unit '.5h'"), std::string::npos);
  EXPECT_NE(ErrorOf("+3d").find("does not start with a number"), std::string::npos);
  EXPECT_NE(ErrorOf("p3d").find("does not start with a number"), std::string::npos);
}

TEST(CalendarSpanTest, ParsesDeadlineAnchors) {
  auto date = ParseDeadlineSpec("2017-05-15");
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(date->kind, DeadlineSpec::Kind::kDate);
  EXPECT_EQ(date->date, D("2017-05-15"));

  auto at = ParseDeadlineSpec("2017-05-15T18:00:00+08:00");
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(at->kind, DeadlineSpec::Kind::kInstant);
  EXPECT_EQ(at->at, T("2017-05-15T10:00:00Z"));

  auto span = ParseDeadlineSpec("15wd");
  ASSERT_TRUE(span.ok());
  EXPECT_EQ(span->kind, DeadlineSpec::Kind::kSpan);
  EXPECT_EQ(span->span, Span::WorkingDays(15));
}

TEST(CalendarSpanTest, BadDeadlineAnchorsAreRefused) {
  auto no_offset = ParseDeadlineSpec("2017-05-15T18:00:00");
  ASSERT_FALSE(no_offset.ok());
  EXPECT_EQ(no_offset.error().message(),
            "'2017-05-15T18:00:00' is not a date-time with a UTC offset; write it as "
            "2017-05-15T18:00:00+08:00 or 2017-05-15T10:00:00Z");
  auto bad_date = ParseDeadlineSpec("2017-02-30");
  ASSERT_FALSE(bad_date.ok());
  EXPECT_EQ(bad_date.error().message(),
            "'2017-02-30' is not a date (no such day); write it as YYYY-MM-DD, e.g. 2017-05-15");
  auto neither = ParseDeadlineSpec("soon");
  ASSERT_FALSE(neither.ok());
  EXPECT_EQ(neither.error().message(),
            "'soon' is not a duration (it does not start with a number or 'P'); accepted forms: " +
                std::string(kSpanForms) +
                "; or a date (2017-05-15) or date-time (2017-05-15T18:00:00+08:00)");
}

}  // namespace
}  // namespace rectify
