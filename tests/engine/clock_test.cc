#include "rectify/clock.h"

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <vector>

namespace rectify {
namespace {

using std::chrono::days;
using std::chrono::hours;

Timestamp At(const char* iso) { return *ParseIso(iso); }

class VirtualClockTest : public ::testing::Test {
 protected:
  boost::asio::io_context io_;
  VirtualClock clock_{At("2017-04-21T00:00:00Z")};
};

TEST_F(VirtualClockTest, TimerThirtyDaysAheadFiresAtOnceWhenTimeAdvances) {
  auto timer = clock_.MakeTimer(io_.get_executor());
  timer->ExpireAt(clock_.Now() + days(30));
  std::optional<Timestamp> fired_at;
  timer->AsyncWait([&](const boost::system::error_code& ec) {
    ASSERT_FALSE(ec);
    fired_at = clock_.Now();
  });
  clock_.Advance(io_, days(29));
  EXPECT_FALSE(fired_at.has_value());
  clock_.Advance(io_, days(2));
  ASSERT_TRUE(fired_at.has_value());
  EXPECT_EQ(FormatIso(*fired_at), "2017-05-21T00:00:00Z");
  EXPECT_EQ(FormatIso(clock_.Now()), "2017-05-22T00:00:00Z");
}

TEST_F(VirtualClockTest, TimersFireInDueOrderWithTiesInArmingOrder) {
  std::vector<std::string> log;
  std::vector<std::unique_ptr<Timer>> timers;
  auto arm = [&](const char* name, Duration in) {
    timers.push_back(clock_.MakeTimer(io_.get_executor()));
    timers.back()->ExpireAt(clock_.Now() + in);
    timers.back()->AsyncWait([&, name](const boost::system::error_code& ec) {
      if (!ec) log.push_back(std::string(name) + "@" + FormatIso(clock_.Now()));
    });
  };
  arm("c", days(3));
  arm("a", days(1));
  arm("b1", days(2));
  arm("b2", days(2));
  clock_.Advance(io_, days(10));
  EXPECT_EQ(log, (std::vector<std::string>{"a@2017-04-22T00:00:00Z", "b1@2017-04-23T00:00:00Z",
                                           "b2@2017-04-23T00:00:00Z", "c@2017-04-24T00:00:00Z"}));
}

TEST_F(VirtualClockTest, HandlerCanArmAnotherTimerThatFiresInTheSameAdvance) {
  auto timer = clock_.MakeTimer(io_.get_executor());
  std::vector<std::string> log;
  std::function<void(const boost::system::error_code&)> tick =
      [&](const boost::system::error_code& ec) {
        if (ec) return;
        log.push_back(FormatIso(clock_.Now()));
        if (log.size() < 3) {
          timer->ExpireAt(clock_.Now() + hours(12));
          timer->AsyncWait(tick);
        }
      };
  timer->ExpireAt(clock_.Now() + hours(12));
  timer->AsyncWait(tick);
  clock_.Advance(io_, days(5));
  EXPECT_EQ(log, (std::vector<std::string>{"2017-04-21T12:00:00Z", "2017-04-22T00:00:00Z",
                                           "2017-04-22T12:00:00Z"}));
}

TEST_F(VirtualClockTest, CancelledTimerReportsAbortedAndNeverFires) {
  auto timer = clock_.MakeTimer(io_.get_executor());
  timer->ExpireAt(clock_.Now() + days(1));
  boost::system::error_code got;
  int calls = 0;
  timer->AsyncWait([&](const boost::system::error_code& ec) {
    got = ec;
    ++calls;
  });
  timer->Cancel();
  clock_.Advance(io_, days(2));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(got, boost::asio::error::operation_aborted);
  EXPECT_EQ(clock_.armed(), 0u);
}

TEST_F(VirtualClockTest, SteadyTimeMovesWithVirtualTime) {
  SteadyTime before = clock_.SteadyNow();
  clock_.Advance(io_, hours(5));
  EXPECT_EQ(clock_.SteadyNow() - before, hours(5));
}

TEST(SystemClockTest, TimerFiresAfterItsWallInstant) {
  boost::asio::io_context io;
  SystemClock clock;
  auto timer = clock.MakeTimer(io.get_executor());
  Timestamp due = clock.Now() + std::chrono::milliseconds(30);
  timer->ExpireAt(due);
  Timestamp fired{};
  timer->AsyncWait([&](const boost::system::error_code& ec) {
    ASSERT_FALSE(ec);
    fired = clock.Now();
  });
  io.run();
  EXPECT_GE(fired, due);
}

TEST(AcceleratedClockTest, WallTimeRunsFasterAndTimersWaitTheScaledTime) {
  boost::asio::io_context io;
  Timestamp start = *ParseIso("2017-04-21T00:00:00+08:00");
  AcceleratedClock clock(start, 36000);  // ten hours a second
  auto real_start = std::chrono::steady_clock::now();
  auto timer = clock.MakeTimer(io.get_executor());
  timer->ExpireAt(start + std::chrono::hours(1));  // 100 ms of real time
  Timestamp fired_at{};
  timer->AsyncWait([&](const boost::system::error_code& ec) {
    EXPECT_FALSE(ec);
    fired_at = clock.Now();
  });
  io.run();
  auto real = std::chrono::steady_clock::now() - real_start;
  EXPECT_GE(fired_at, start + std::chrono::hours(1));
  EXPECT_LT(fired_at, start + std::chrono::hours(3));
  EXPECT_GE(real, std::chrono::milliseconds(95));
  EXPECT_LT(real, std::chrono::milliseconds(300));
}

TEST(AcceleratedClockTest, ReArmingAbortsTheWaitAndRealTimeUntilScales) {
  boost::asio::io_context io;
  Timestamp start = *ParseIso("2017-04-21T00:00:00+08:00");
  AcceleratedClock clock(start, 86400);
  EXPECT_LE(clock.RealTimeUntil(start + std::chrono::days(2)), std::chrono::seconds(2));
  EXPECT_GT(clock.RealTimeUntil(start + std::chrono::days(2)), std::chrono::milliseconds(1900));
  EXPECT_EQ(clock.RealTimeUntil(start - std::chrono::days(1)), Duration::zero());
  auto timer = clock.MakeTimer(io.get_executor());
  timer->ExpireAt(start + std::chrono::days(30));
  std::vector<bool> aborted;
  timer->AsyncWait([&](const boost::system::error_code& ec) {
    aborted.push_back(ec == boost::asio::error::operation_aborted);
  });
  timer->ExpireAt(start);  // already due
  timer->AsyncWait([&](const boost::system::error_code& ec) { aborted.push_back(bool(ec)); });
  io.run();
  EXPECT_EQ(aborted, (std::vector<bool>{true, false}));
}

TEST(IsoTimeTest, ParsesOffsetsAndRejectsGarbageWithAHint) {
  EXPECT_EQ(FormatIso(*ParseIso("2017-05-08T18:00:00+08:00")), "2017-05-08T10:00:00Z");
  EXPECT_EQ(FormatIso(*ParseIso("2017-05-08T10:00:00.250Z")), "2017-05-08T10:00:00.250000Z");
  auto bad = ParseIso("May 8th");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kBadInput);
  EXPECT_NE(bad.error().message().find("2017-05-08T10:00:00Z"), std::string::npos);
}

}  // namespace
}  // namespace rectify
