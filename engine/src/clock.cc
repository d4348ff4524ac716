// Clocks and their timers (rectify/clock.h): the real, accelerated and virtual clocks.
#include "rectify/clock.h"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>

namespace rectify {

namespace asio = boost::asio;

// ---- Timers for clocks that follow real time ---------------------------------------------

namespace {

// Sleeps on the steady clock for the real time left (at most SystemClock::kRecheck), then looks
// again: so a wall-clock jump is noticed within kRecheck, and a timer never fires before its
// clock's wall time has reached its instant.
class RecheckingTimer final : public Timer {
 public:
  RecheckingTimer(asio::any_io_executor executor, std::function<Duration(Timestamp)> real_until)
      : real_until_(std::move(real_until)), timer_(std::move(executor)) {}

  void ExpireAt(Timestamp at) override {
    at_ = at;
    ++generation_;
    timer_.cancel();
    if (handler_) {
      // A pending wait ends as aborted, as with an Asio timer.
      auto h = std::move(handler_);
      handler_ = nullptr;
      asio::post(timer_.get_executor(), [h = std::move(h)] { h(asio::error::operation_aborted); });
    }
  }

  void AsyncWait(TimerHandler handler) override {
    handler_ = std::move(handler);
    Sleep(generation_);
  }

  void Cancel() override { ExpireAt(at_); }
  Timestamp expiry() const override { return at_; }

 private:
  void Sleep(std::uint64_t generation) {
    Duration left = real_until_(at_);
    if (left <= Duration::zero()) {
      if (generation != generation_ || !handler_) return;
      auto h = std::move(handler_);
      handler_ = nullptr;
      asio::post(timer_.get_executor(), [h = std::move(h)] { h({}); });
      return;
    }
    timer_.expires_after(std::min(left, SystemClock::kRecheck));
    timer_.async_wait([this, generation](const boost::system::error_code& ec) {
      if (ec || generation != generation_) return;
      Sleep(generation);
    });
  }

  std::function<Duration(Timestamp)> real_until_;
  asio::steady_timer timer_;
  Timestamp at_{};
  std::uint64_t generation_ = 0;
  TimerHandler handler_;
};

}  // namespace

std::unique_ptr<Timer> MakeRecheckingTimer(asio::any_io_executor executor,
                                           std::function<Duration(Timestamp)> real_time_until) {
  return std::make_unique<RecheckingTimer>(std::move(executor), std::move(real_time_until));
}

// ---- SystemClock --------------------------------------------------------------------------

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

SteadyTime SystemClock::SteadyNow() const { return std::chrono::steady_clock::now(); }

std::unique_ptr<Timer> SystemClock::MakeTimer(asio::any_io_executor executor) {
  return MakeRecheckingTimer(std::move(executor), [this](Timestamp at) { return at - Now(); });
}

// ---- AcceleratedClock ---------------------------------------------------------------------

AcceleratedClock::AcceleratedClock(Timestamp start, double speed)
    : start_(start),
      steady_start_(std::chrono::steady_clock::now()),
      speed_(speed > 0 ? speed : 1) {}

AcceleratedClock::AcceleratedClock(Timestamp start, double speed, Timestamp real_anchor)
    : AcceleratedClock(start, speed) {
  real_anchor_ = real_anchor;
}

Timestamp AcceleratedClock::Now() const {
  std::chrono::duration<double, std::micro> real;
  if (real_anchor_) {
    real = std::chrono::system_clock::now() - *real_anchor_;
  } else {
    real = std::chrono::steady_clock::now() - steady_start_;
  }
  auto scaled = real * speed_;
  return start_ + std::chrono::duration_cast<Duration>(scaled);
}

SteadyTime AcceleratedClock::SteadyNow() const { return std::chrono::steady_clock::now(); }

Duration AcceleratedClock::RealTimeUntil(Timestamp at) const {
  Duration left = at - Now();
  if (left <= Duration::zero()) return Duration::zero();
  auto real = std::chrono::duration<double, std::micro>(left) / speed_;
  // Round up, so that a timer never wakes a hair before its time and spins.
  return std::chrono::duration_cast<Duration>(real) + Duration(1);
}

std::unique_ptr<Timer> AcceleratedClock::MakeTimer(asio::any_io_executor executor) {
  return MakeRecheckingTimer(std::move(executor),
                             [this](Timestamp at) { return RealTimeUntil(at); });
}

// ---- VirtualClock -------------------------------------------------------------------------

class VirtualClock::VirtualTimer final : public Timer {
 public:
  VirtualTimer(VirtualClock& clock, asio::any_io_executor executor)
      : clock_(&clock), executor_(std::move(executor)) {}
  ~VirtualTimer() override {
    if (clock_ != nullptr) clock_->Disarm(this);
  }

  void ExpireAt(Timestamp at) override {
    Abort();
    at_ = at;
  }

  void AsyncWait(TimerHandler handler) override {
    handler_ = std::move(handler);
    if (clock_ != nullptr) clock_->Arm(this, at_);
  }

  void Cancel() override { Abort(); }
  Timestamp expiry() const override { return at_; }

  // Called by the clock when time reaches at_.
  void Fire() {
    auto h = std::move(handler_);
    handler_ = nullptr;
    if (h) asio::post(executor_, [h = std::move(h)] { h({}); });
  }

  void Detach() { clock_ = nullptr; }
  std::optional<Key> key;

 private:
  void Abort() {
    if (clock_ != nullptr) clock_->Disarm(this);
    if (handler_) {
      auto h = std::move(handler_);
      handler_ = nullptr;
      asio::post(executor_, [h = std::move(h)] { h(asio::error::operation_aborted); });
    }
  }

  VirtualClock* clock_;
  asio::any_io_executor executor_;
  Timestamp at_{};
  TimerHandler handler_;
};

VirtualClock::VirtualClock(Timestamp start)
    : now_(start), start_(start), steady_start_(std::chrono::steady_clock::now()) {}

VirtualClock::~VirtualClock() {
  for (auto& [key, timer] : armed_) {
    timer->key.reset();
    timer->Detach();
  }
}

SteadyTime VirtualClock::SteadyNow() const { return steady_start_ + (now_ - start_); }

std::unique_ptr<Timer> VirtualClock::MakeTimer(asio::any_io_executor executor) {
  return std::make_unique<VirtualTimer>(*this, std::move(executor));
}

void VirtualClock::Arm(VirtualTimer* timer, Timestamp due) {
  Disarm(timer);
  Key key{due, next_seq_++};
  armed_.emplace(key, timer);
  timer->key = key;
}

void VirtualClock::Disarm(VirtualTimer* timer) {
  if (timer->key) {
    armed_.erase(*timer->key);
    timer->key.reset();
  }
}

std::optional<Timestamp> VirtualClock::NextDue() const {
  if (armed_.empty()) return std::nullopt;
  return armed_.begin()->first.due;
}

void VirtualClock::AdvanceTo(asio::io_context& io, Timestamp target) {
  auto drain = [&io] {
    io.restart();
    io.poll();
  };
  drain();
  while (!armed_.empty() && armed_.begin()->first.due <= target) {
    auto it = armed_.begin();
    VirtualTimer* timer = it->second;
    if (it->first.due > now_) now_ = it->first.due;
    armed_.erase(it);
    timer->key.reset();
    timer->Fire();
    drain();
  }
  if (target > now_) now_ = target;
  drain();
}

}  // namespace rectify
