// Time, as the engine sees it.
//
// The engine never reads the time itself: it takes a `Clock&`. A clock offers two times, kept
// apart as Envoy's TimeSource does:
//   - wall time (`Now()`), UTC instants, for deadlines, audit rows and what people read;
//   - steady time (`SteadyNow()`), which never jumps, for measuring and waiting.
// and makes timers (`MakeTimer()`) that fire when wall time reaches an instant.
//
// `SystemClock` is the real one. Its timers wait on the steady clock and re-check wall time
// when they wake, so a wall-clock jump backwards never fires a timer early, and a jump forwards
// is noticed within `SystemClock::kRecheck`.
//
// `VirtualClock` is for tests and `rectify simulate`: time stands still until the owner moves it
// with `AdvanceTo()`, which fires every timer due on the way, in due order (ties in the order they
// were armed), each handler seeing `Now()` equal to its due time. A test can arm a timer 30 days
// ahead and see it fire at once:
//
//   boost::asio::io_context io;
//   VirtualClock clock(FromIso("2017-04-21T00:00:00Z"));
//   auto timer = clock.MakeTimer(io.get_executor());
//   timer->ExpireAt(clock.Now() + std::chrono::days(30));
//   timer->AsyncWait([&](const boost::system::error_code& ec) { ... });
//   clock.AdvanceTo(io, clock.Now() + std::chrono::days(31));   // the handler has run
//
// `AcceleratedClock` is for demonstrations (`rectify serve --speed N`): wall time starts at a
// chosen instant and runs N times faster than real time; its timers sleep on the steady clock for
// the scaled time left, so a day of engine time passes in 1/N of a day:
//
//   AcceleratedClock clock(FromIso("2017-04-21T00:00:00+08:00"), 86400);   // a day a second
//
// Thread-safety: `SystemClock` and `AcceleratedClock` may be shared between threads. `VirtualClock`
// and every `Timer` belong to one thread (the one running their io_context). A clock must outlive
// its timers.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "rectify/timestamp.h"

namespace rectify {

using TimerHandler = std::function<void(const boost::system::error_code&)>;

// A one-shot timer that fires when its clock's wall time reaches an instant. Re-arm it with
// another `ExpireAt`. Arming or cancelling completes a pending wait with
// `boost::asio::error::operation_aborted`.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void ExpireAt(Timestamp at) = 0;
  virtual void AsyncWait(TimerHandler handler) = 0;
  virtual void Cancel() = 0;
  virtual Timestamp expiry() const = 0;
};

// A timer for a clock whose wall time follows real time at some rate: it sleeps on the steady
// clock for `real_time_until(at)` (at most SystemClock::kRecheck) and then asks again, so a jump
// of the clock's wall time is noticed within kRecheck and it never fires before wall time reaches
// `at`. SystemClock and AcceleratedClock make theirs with it; a test clock can too.
std::unique_ptr<Timer> MakeRecheckingTimer(boost::asio::any_io_executor executor,
                                           std::function<Duration(Timestamp)> real_time_until);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
  virtual SteadyTime SteadyNow() const = 0;
  virtual std::unique_ptr<Timer> MakeTimer(boost::asio::any_io_executor executor) = 0;
};

class SystemClock final : public Clock {
 public:
  // How long a timer sleeps at most before it looks at wall time again.
  static constexpr Duration kRecheck = std::chrono::seconds(1);

  Timestamp Now() const override;
  SteadyTime SteadyNow() const override;
  std::unique_ptr<Timer> MakeTimer(boost::asio::any_io_executor executor) override;
};

class AcceleratedClock final : public Clock {
 public:
  // `speed` > 0: wall-clock seconds per real second. Wall time is `start` when the clock is made.
  AcceleratedClock(Timestamp start, double speed);
  // Wall time is `start` at the real instant `real_anchor` (read from the system clock), so
  // several processes, or one restarted, share one accelerated timeline (the crash tests).
  AcceleratedClock(Timestamp start, double speed, Timestamp real_anchor);

  Timestamp Now() const override;
  SteadyTime SteadyNow() const override;
  std::unique_ptr<Timer> MakeTimer(boost::asio::any_io_executor executor) override;

  double speed() const { return speed_; }
  // The real (steady) time until wall time reaches `at`; zero when it has.
  Duration RealTimeUntil(Timestamp at) const;

 private:
  Timestamp start_;
  SteadyTime steady_start_;
  double speed_;
  std::optional<Timestamp> real_anchor_;
};

class VirtualClock final : public Clock {
 public:
  explicit VirtualClock(Timestamp start);
  VirtualClock(const VirtualClock&) = delete;
  VirtualClock& operator=(const VirtualClock&) = delete;
  ~VirtualClock() override;

  Timestamp Now() const override { return now_; }
  SteadyTime SteadyNow() const override;
  std::unique_ptr<Timer> MakeTimer(boost::asio::any_io_executor executor) override;

  // Moves wall time forward to `target`, firing each timer due by then in due order. Between
  // firings it runs `io`'s ready handlers, so work a handler starts (and timers it arms, if they
  // fall due by `target`) happens before the next firing. Never moves time backwards.
  void AdvanceTo(boost::asio::io_context& io, Timestamp target);
  void Advance(boost::asio::io_context& io, Duration by) { AdvanceTo(io, now_ + by); }

  // The earliest armed timer's due time, if any timer is armed.
  std::optional<Timestamp> NextDue() const;
  std::size_t armed() const { return armed_.size(); }

 private:
  class VirtualTimer;
  struct Key {
    Timestamp due;
    std::uint64_t seq;
    bool operator<(const Key& o) const { return due != o.due ? due < o.due : seq < o.seq; }
  };

  void Arm(VirtualTimer* timer, Timestamp due);
  void Disarm(VirtualTimer* timer);

  Timestamp now_;
  Timestamp start_;
  SteadyTime steady_start_;
  std::uint64_t next_seq_ = 0;
  std::map<Key, VirtualTimer*> armed_;
};

}  // namespace rectify
