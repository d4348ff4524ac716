// The delivery lifecycle (a Boost.MSM machine) and the pure policy: backoff with jitter, dead
// letters, working hours, the token bucket on a VirtualClock, digest slots.
#include <gtest/gtest.h>

#include <set>

#include "rectify/clock.h"
#include "rectify/notify/delivery.h"
#include "rectify/notify/policy.h"
#include "rectify/notify/receipt.h"

namespace rectify::notify {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Timestamp T(const char* iso) { return *ParseIso(iso); }

// Asia/Shanghai, 08:30-18:00, Monday to Friday; 2017-05-01 (Labour Day) off.
Calendar Cn() {
  CalendarSpec spec;
  spec.name = "cn";
  spec.time_zone = "Asia/Shanghai";
  spec.working_hours = {minutes(8 * 60 + 30), minutes(18 * 60)};
  spec.years[2017].holidays.insert(*ParseDate("2017-05-01"));
  return *Calendar::Create(spec);
}

// The receipt machine beside the lifecycle: sent, then delivered or failed (final), or unknown
// until a late receipt; a repeat is a duplicate and a contradiction is refused.
TEST(ReceiptMachineTest, FinalReceiptsStayAndRepeatsChangeNothing) {
  using R = ReceiptState;
  EXPECT_EQ(NextReceipt(R::kNone, R::kSent), ReceiptMove::kApply);
  EXPECT_EQ(NextReceipt(R::kNone, R::kFailed), ReceiptMove::kApply) << "WeCom's invaliduser";
  EXPECT_EQ(NextReceipt(R::kSent, R::kDelivered), ReceiptMove::kApply);
  EXPECT_EQ(NextReceipt(R::kSent, R::kFailed), ReceiptMove::kApply);
  EXPECT_EQ(NextReceipt(R::kSent, R::kUnknown), ReceiptMove::kApply);
  EXPECT_EQ(NextReceipt(R::kSent, R::kSent), ReceiptMove::kDuplicate);
  EXPECT_EQ(NextReceipt(R::kUnknown, R::kDelivered), ReceiptMove::kApply) << "a late receipt";
  EXPECT_EQ(NextReceipt(R::kUnknown, R::kUnknown), ReceiptMove::kDuplicate);
  EXPECT_EQ(NextReceipt(R::kUnknown, R::kSent), ReceiptMove::kRefused);
  EXPECT_EQ(NextReceipt(R::kDelivered, R::kDelivered), ReceiptMove::kDuplicate);
  EXPECT_EQ(NextReceipt(R::kDelivered, R::kFailed), ReceiptMove::kRefused);
  EXPECT_EQ(NextReceipt(R::kFailed, R::kUnknown), ReceiptMove::kRefused);
  for (R s : {R::kNone, R::kSent, R::kDelivered, R::kFailed, R::kUnknown}) {
    EXPECT_EQ(*ParseReceiptState(ReceiptStateName(s)), s);
  }
  EXPECT_FALSE(ParseReceiptState("read").ok());
}

TEST(DeliveryLifecycleTest, FollowsTheAllowedMovesOnly) {
  DeliveryLifecycle life;
  EXPECT_EQ(life.state(), DeliveryState::kQueued);
  ASSERT_TRUE(life.Process(DeliveryEvent::kClaim).ok());
  EXPECT_EQ(life.state(), DeliveryState::kSending);
  Status cancel = life.Process(DeliveryEvent::kCancel);
  ASSERT_FALSE(cancel.ok());
  EXPECT_EQ(cancel.error().message(), "a delivery that is sending cannot take 'cancel'");
  EXPECT_EQ(life.state(), DeliveryState::kSending);
  ASSERT_TRUE(life.Process(DeliveryEvent::kRetry).ok());
  EXPECT_EQ(life.state(), DeliveryState::kWaitingToRetry);
  ASSERT_TRUE(life.Process(DeliveryEvent::kClaim).ok());
  ASSERT_TRUE(life.Process(DeliveryEvent::kDelivered).ok());
  EXPECT_TRUE(IsFinal(life.state()));
  // A delivered message stays delivered.
  for (auto e : {DeliveryEvent::kClaim, DeliveryEvent::kCancel, DeliveryEvent::kRetry,
                 DeliveryEvent::kFail, DeliveryEvent::kRelease}) {
    EXPECT_FALSE(life.Process(e).ok()) << DeliveryEventName(e);
    EXPECT_EQ(life.state(), DeliveryState::kDelivered);
  }
}

TEST(DeliveryLifecycleTest, CancelsOnlyWhatHasNotGoneOut) {
  DeliveryLifecycle queued;
  EXPECT_TRUE(queued.Process(DeliveryEvent::kCancel).ok());
  DeliveryLifecycle waiting(DeliveryState::kWaitingToRetry);
  EXPECT_TRUE(waiting.Process(DeliveryEvent::kCancel).ok());
  DeliveryLifecycle dead(DeliveryState::kDeadLettered);
  EXPECT_FALSE(dead.Process(DeliveryEvent::kCancel).ok());
  DeliveryLifecycle sending(DeliveryState::kSending);
  EXPECT_TRUE(sending.Process(DeliveryEvent::kRelease).ok());
  EXPECT_EQ(sending.state(), DeliveryState::kQueued);
}

TEST(DeliveryLifecycleTest, RestoresEveryStateAndMapsItToTheStoredOne) {
  for (auto s :
       {DeliveryState::kQueued, DeliveryState::kSending, DeliveryState::kDelivered,
        DeliveryState::kWaitingToRetry, DeliveryState::kDeadLettered, DeliveryState::kCancelled}) {
    DeliveryLifecycle life(s);
    EXPECT_EQ(life.state(), s) << DeliveryStateName(s);
    DeliveryLifecycle copy = life;
    EXPECT_EQ(copy.state(), s);
  }
  EXPECT_EQ(StoredState(DeliveryState::kWaitingToRetry), OutboxState::kPending);
  EXPECT_EQ(StoredState(DeliveryState::kDelivered), OutboxState::kSent);
  EXPECT_EQ(StoredDeliveryState(OutboxState::kPending, 0, false), DeliveryState::kQueued);
  EXPECT_EQ(StoredDeliveryState(OutboxState::kPending, 2, false), DeliveryState::kWaitingToRetry);
  EXPECT_EQ(StoredDeliveryState(OutboxState::kPending, 2, true), DeliveryState::kSending);
  EXPECT_EQ(StoredDeliveryState(OutboxState::kDead, 5, false), DeliveryState::kDeadLettered);
}

TEST(BackoffTest, DoublesUpToTheCapWithJitterInTheUpperHalf) {
  RetryPolicy p{10, minutes(1), hours(1)};
  for (std::int64_t n = 1; n <= 10; ++n) {
    Duration full = std::min<Duration>(minutes(1) * (1LL << (n - 1)), hours(1));
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
      Duration d = Backoff(p, n, seed, "Q-1|remind:rectifying:0|1|xs-0014");
      EXPECT_GE(d, full / 2) << "attempt " << n;
      EXPECT_LE(d, full) << "attempt " << n;
    }
  }
}

TEST(BackoffTest, IsReproducibleFromTheSeedAndSpreadsAcrossKeys) {
  RetryPolicy p;
  EXPECT_EQ(Backoff(p, 3, 7, "a"), Backoff(p, 3, 7, "a"));
  std::set<std::int64_t> waits;
  for (int i = 0; i < 100; ++i) waits.insert(Backoff(p, 3, 7, "key-" + std::to_string(i)).count());
  EXPECT_GT(waits.size(), 90u) << "jitter must spread a burst of retries";
}

TEST(DecideTest, RetriesThenDeadLettersAtTheLimit) {
  RetryPolicy p{3, minutes(1), hours(1)};
  Timestamp now = T("2017-05-08T10:00:00+08:00");
  auto d1 = DecideAfterAttempt(p, AttemptOutcome::kRetry, 1, now, nullptr, false, 1, "k");
  EXPECT_EQ(d1.event, DeliveryEvent::kRetry);
  EXPECT_GT(d1.next_attempt_at, now);
  EXPECT_LE(d1.next_attempt_at, now + minutes(1));
  auto d3 = DecideAfterAttempt(p, AttemptOutcome::kRetry, 3, now, nullptr, false, 1, "k");
  EXPECT_EQ(d3.event, DeliveryEvent::kFail);
  EXPECT_EQ(d3.reason, "gave up after 3 attempts");
  auto permanent = DecideAfterAttempt(p, AttemptOutcome::kFailed, 1, now, nullptr, false, 1, "k");
  EXPECT_EQ(permanent.event, DeliveryEvent::kFail);
  EXPECT_EQ(DecideAfterAttempt(p, AttemptOutcome::kDelivered, 3, now, nullptr, false, 1, "k").event,
            DeliveryEvent::kDelivered);
}

TEST(DecideTest, HoldsRetriesToWorkingHoursUnlessUrgent) {
  Calendar cal = Cn();
  RetryPolicy p{5, hours(1), hours(1)};
  // Friday 17:50: a retry an hour on falls after 18:00, so it waits for Tuesday (Monday is
  // Labour Day) at 08:30.
  Timestamp now = T("2017-04-28T17:50:00+08:00");
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    auto d = DecideAfterAttempt(p, AttemptOutcome::kRetry, 1, now, &cal, false, seed, "k");
    if (d.next_attempt_at > T("2017-04-28T18:00:00+08:00")) {
      EXPECT_EQ(d.next_attempt_at, T("2017-05-02T08:30:00+08:00"));
    }
    auto urgent = DecideAfterAttempt(p, AttemptOutcome::kRetry, 1, now, &cal, true, seed, "k");
    EXPECT_LE(urgent.next_attempt_at, now + hours(1));
  }
  auto late = DecideAfterAttempt(p, AttemptOutcome::kRetry, 1, T("2017-04-28T17:59:00+08:00"), &cal,
                                 false, 3, "k");
  EXPECT_EQ(late.next_attempt_at, T("2017-05-02T08:30:00+08:00"));
}

TEST(TokenBucketTest, LimitsARateOnTheVirtualClock) {
  boost::asio::io_context io;
  VirtualClock clock(T("2017-05-08T09:00:00+08:00"));
  TokenBucket bucket(2, 2, clock.Now());  // two a minute, two saved up
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
  EXPECT_EQ(bucket.NextToken(clock.Now()), clock.Now() + seconds(30));
  clock.Advance(io, seconds(29));
  EXPECT_FALSE(bucket.TryTake(clock.Now()));
  clock.Advance(io, seconds(1));
  EXPECT_TRUE(bucket.TryTake(clock.Now()));
  clock.Advance(io, hours(1));  // saves up no more than the burst
  int taken = 0;
  while (bucket.TryTake(clock.Now())) ++taken;
  EXPECT_EQ(taken, 2);
  TokenBucket unlimited(0, 1, clock.Now());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(unlimited.TryTake(clock.Now()));
}

TEST(DigestTest, GroupsADaysRemindersAtTheStartOfWorkingHours) {
  Calendar cal = Cn();
  // Due at the start of a working day: that morning's digest.
  EXPECT_EQ(DigestSlot(cal, T("2017-05-08T08:30:00+08:00")), T("2017-05-08T08:30:00+08:00"));
  // Due during the day or in the night: the next working morning.
  EXPECT_EQ(DigestSlot(cal, T("2017-05-08T10:00:00+08:00")), T("2017-05-09T08:30:00+08:00"));
  EXPECT_EQ(DigestSlot(cal, T("2017-05-08T02:00:00+08:00")), T("2017-05-08T08:30:00+08:00"));
  // Friday afternoon: Tuesday, past the weekend and Labour Day.
  EXPECT_EQ(DigestSlot(cal, T("2017-04-28T15:00:00+08:00")), T("2017-05-02T08:30:00+08:00"));
  EXPECT_TRUE(IsDigestible("reminder"));
  EXPECT_FALSE(IsDigestible("escalation"));
}

TEST(WorkingHoursTest, HoldsToTheNextWorkingTime) {
  Calendar cal = Cn();
  EXPECT_EQ(HoldToWorkingHours(&cal, T("2017-05-06T10:00:00+08:00")),
            T("2017-05-08T08:30:00+08:00"));
  EXPECT_EQ(HoldToWorkingHours(&cal, T("2017-05-08T10:00:00+08:00")),
            T("2017-05-08T10:00:00+08:00"));
  EXPECT_EQ(HoldToWorkingHours(nullptr, T("2017-05-06T10:00:00+08:00")),
            T("2017-05-06T10:00:00+08:00"));
}

}  // namespace
}  // namespace rectify::notify
