// The deadline clock on the shipped cn calendar: exact dates, as a headquarters officer would
// check them against a wall calendar.
#include "rectify/instance/deadline_clock.h"

#include <gtest/gtest.h>

#include "tests/calendar/calendar_test_util.h"

namespace rectify {
namespace {

using test::Cn;
using test::T;

DeadlineSpec Budget(const char* text) { return *ParseDeadlineSpec(text); }

std::string Local(Result<Timestamp> t) {
  if (!t) return "error: " + t.error().message();
  return Cn().FormatLocal(*t);
}

class DeadlineClockTest : public ::testing::Test {
 protected:
  DeadlineClock clock_{Cn()};
};

TEST_F(DeadlineClockTest, TenWorkingDaysFromApril21EndOnMay8BecauseOfLabourDay) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  EXPECT_EQ(Local(clock_.Deadline(T("2017-04-21T10:00:00+08:00"))), "2017-05-09T00:00:00+08:00");
  EXPECT_EQ(FormatIso(*clock_.Deadline(T("2017-04-21T10:00:00+08:00"))), "2017-05-08T16:00:00Z");
}

TEST_F(DeadlineClockTest, RemindersFallAtTheStartOfWorkingHours) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  EXPECT_EQ(Local(clock_.At(*ParseSpan("-5wd"))), "2017-04-28T08:30:00+08:00");
  EXPECT_EQ(Local(clock_.At(*ParseSpan("-1wd"))), "2017-05-05T08:30:00+08:00");
  EXPECT_EQ(Local(clock_.At(*ParseSpan("0"))), "2017-05-09T00:00:00+08:00");
  EXPECT_EQ(Local(clock_.At(*ParseSpan("3wd"))), "2017-05-11T08:30:00+08:00");
}

TEST_F(DeadlineClockTest, PauseAcrossNationalDayMovesTheDeadlineByTheWorkingDaysPausedOnly) {
  // 10wd from Monday 2017-09-25: Sep 26-29, Saturday Sep 30 (a make-up working day), then the
  // National Day and Mid-Autumn holiday Oct 1-8, then Oct 9-13.
  ASSERT_TRUE(clock_.Start(T("2017-09-25T09:00:00+08:00"), Budget("10wd")));
  EXPECT_EQ(Local(clock_.Deadline(T("2017-09-25T09:00:00+08:00"))), "2017-10-14T00:00:00+08:00");

  // Paused on Friday Sep 29, resumed on Tuesday Oct 10: Sep 29, Sep 30 and Oct 9 were working
  // days lost to the item; the eight holidays in between were not.
  ASSERT_TRUE(clock_.Pause(T("2017-09-29T10:00:00+08:00")));
  ASSERT_TRUE(clock_.Resume(T("2017-10-10T09:00:00+08:00")));
  EXPECT_EQ(Local(clock_.Deadline(T("2017-10-10T09:00:00+08:00"))), "2017-10-19T00:00:00+08:00");
  EXPECT_EQ(Local(clock_.At(*ParseSpan("-1wd"))), "2017-10-17T08:30:00+08:00");
}

TEST_F(DeadlineClockTest, PauseAndResumeOnTheSameDayCostNothing) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  ASSERT_TRUE(clock_.Pause(T("2017-04-24T09:00:00+08:00")));
  ASSERT_TRUE(clock_.Resume(T("2017-04-24T17:00:00+08:00")));
  EXPECT_EQ(FormatIso(**clock_.RunningDeadline()), "2017-05-08T16:00:00Z");
}

TEST_F(DeadlineClockTest, PausedClockHasNoRunningDeadlineAndIsNotOverdue) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  ASSERT_TRUE(clock_.Pause(T("2017-05-02T10:00:00+08:00")));
  EXPECT_FALSE(clock_.RunningDeadline()->has_value());
  EXPECT_FALSE(clock_.IsOverdue(T("2017-05-20T10:00:00+08:00")));
  EXPECT_EQ(clock_.At(*ParseSpan("-1wd")).error().code(), ErrorCode::kFailedPrecondition);
}

TEST_F(DeadlineClockTest, ExtensionAddsWorkingDaysFromTheDeadlinesDay) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  ASSERT_TRUE(clock_.Extend(*ParseSpan("10wd")));
  EXPECT_EQ(Local(**clock_.RunningDeadline()), "2017-05-23T00:00:00+08:00");
}

TEST_F(DeadlineClockTest, OverdueIsComputedFromTheDeadline) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  EXPECT_FALSE(clock_.IsOverdue(T("2017-05-08T15:59:59Z")));
  EXPECT_TRUE(clock_.IsOverdue(T("2017-05-08T16:00:00Z")));
  ASSERT_TRUE(clock_.Stop(T("2017-05-10T10:00:00+08:00")));
  EXPECT_FALSE(clock_.IsOverdue(T("2017-06-01T00:00:00Z")));
}

TEST_F(DeadlineClockTest, AStopCountsLikeAPauseThatAReopenAndResumeEnd) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  ASSERT_TRUE(clock_.Stop(T("2017-05-02T10:00:00+08:00")));  // closed on May 2
  EXPECT_EQ(clock_.phase(), ClockPhase::kStopped);
  EXPECT_FALSE(clock_.RunningDeadline()->has_value());
  EXPECT_EQ(clock_.At(*ParseSpan("0")).error().code(), ErrorCode::kFailedPrecondition);
  // What the deadline was when it stopped (reports read it).
  EXPECT_EQ(Local(clock_.Deadline(T("2017-05-02T10:00:00+08:00"))), "2017-05-09T00:00:00+08:00");
  std::int64_t generation = clock_.record().generation;
  ASSERT_TRUE(clock_.Stop(T("2017-05-03T10:00:00+08:00")));  // stopping again changes nothing
  EXPECT_EQ(clock_.record().generation, generation);
  EXPECT_EQ(clock_.Resume(T("2017-06-05T10:00:00+08:00")).error().message(),
            "cannot resume a clock that is stopped");

  // Reopened on June 5 and continued: May 2 - June 4 held 23 working days (May 27 a make-up
  // Saturday, May 29-30 the Dragon Boat Festival), so May 8 becomes June 9.
  ASSERT_TRUE(clock_.Reopen(T("2017-06-05T10:00:00+08:00")));
  EXPECT_EQ(clock_.phase(), ClockPhase::kPaused);
  ASSERT_TRUE(clock_.Resume(T("2017-06-05T10:00:00+08:00")));
  EXPECT_EQ(Local(**clock_.RunningDeadline()), "2017-06-10T00:00:00+08:00");
  EXPECT_EQ(clock_.Reopen(T("2017-06-06T10:00:00+08:00")).error().message(),
            "cannot reopen a clock that is running");
}

TEST_F(DeadlineClockTest, AChangedBudgetCountsFromTheSameAnchorAndSupersedesExtensions) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  ASSERT_TRUE(clock_.Extend(*ParseSpan("10wd")));
  std::int64_t generation = clock_.record().generation;
  ASSERT_TRUE(clock_.ChangeBudget(Budget("2017-05-31")));
  EXPECT_EQ(Local(**clock_.RunningDeadline()), "2017-06-01T00:00:00+08:00");
  EXPECT_TRUE(clock_.record().extensions.empty());
  EXPECT_EQ(clock_.record().generation, generation + 1);
  // 20wd from April 21: ten to May 8, ten more to May 22.
  ASSERT_TRUE(clock_.ChangeBudget(Budget("20wd")));
  EXPECT_EQ(Local(**clock_.RunningDeadline()), "2017-05-23T00:00:00+08:00");
  // A paused clock keeps its pause, and the change too.
  ASSERT_TRUE(clock_.Pause(T("2017-05-02T10:00:00+08:00")));
  ASSERT_TRUE(clock_.ChangeBudget(Budget("2017-05-31")));
  ASSERT_TRUE(clock_.Resume(T("2017-05-04T10:00:00+08:00")));  // May 2 and 3 lost
  EXPECT_EQ(Local(**clock_.RunningDeadline()), "2017-06-03T00:00:00+08:00");
  ASSERT_TRUE(clock_.Stop(T("2017-05-05T10:00:00+08:00")));
  EXPECT_EQ(clock_.ChangeBudget(Budget("2017-06-30")).error().message(),
            "cannot change the due date of a clock that is stopped");
}

TEST_F(DeadlineClockTest, DateBudgetEndsAtTheEndOfThatDay) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("2017-05-15")));
  EXPECT_EQ(Local(**clock_.RunningDeadline()), "2017-05-16T00:00:00+08:00");
}

TEST_F(DeadlineClockTest, EventsTheLifecycleDoesNotAllowAreRefusedAndChangeNothing) {
  EXPECT_EQ(clock_.Pause(T("2017-04-21T10:00:00+08:00")).error().code(),
            ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  ClockRecord before = clock_.record();
  Status s = clock_.Resume(T("2017-04-22T10:00:00+08:00"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "cannot resume a clock that is running");
  EXPECT_EQ(clock_.record().generation, before.generation);
  EXPECT_EQ(clock_.record().pauses, before.pauses);
}

TEST_F(DeadlineClockTest, RecordRoundTripsAndEveryChangeBumpsTheGeneration) {
  ASSERT_TRUE(clock_.Start(T("2017-04-21T10:00:00+08:00"), Budget("10wd")));
  ASSERT_TRUE(clock_.Pause(T("2017-04-25T10:00:00+08:00")));
  EXPECT_EQ(clock_.record().generation, 2);
  DeadlineClock restored(Cn(), clock_.record());
  EXPECT_EQ(restored.phase(), ClockPhase::kPaused);
  ASSERT_TRUE(restored.Resume(T("2017-04-27T10:00:00+08:00")));
  EXPECT_EQ(restored.record().generation, 3);
  // Apr 25 and Apr 26 were lost: the deadline moves from May 8 to May 10.
  EXPECT_EQ(Local(**restored.RunningDeadline()), "2017-05-11T00:00:00+08:00");
}

TEST_F(DeadlineClockTest, DeadlineOutsideTheCalendarIsAnErrorNamingTheYearsCovered) {
  ASSERT_TRUE(clock_.Start(T("2026-12-20T10:00:00+08:00"), Budget("30wd")));
  auto d = clock_.RunningDeadline();
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("2016-2026"), std::string::npos) << d.error().message();
}

}  // namespace
}  // namespace rectify
