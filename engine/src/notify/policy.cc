#include "rectify/notify/policy.h"

#include <algorithm>
#include <cmath>

namespace rectify::notify {

std::uint64_t JitterHash(std::uint64_t seed, std::string_view key, std::int64_t attempt) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  std::uint64_t z = seed ^ h ^ (static_cast<std::uint64_t>(attempt) * 0x9e3779b97f4a7c15ULL);
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Duration Backoff(const RetryPolicy& policy, std::int64_t attempts_made, std::uint64_t seed,
                 std::string_view key) {
  std::int64_t n = std::max<std::int64_t>(attempts_made, 1);
  std::int64_t base = std::max<std::int64_t>(policy.base.count(), 1);
  std::int64_t cap = std::max<std::int64_t>(policy.max.count(), base);
  std::int64_t full = base;
  for (std::int64_t i = 1; i < n && full < cap; ++i) full *= 2;
  full = std::min(full, cap);
  std::int64_t half = full / 2;
  std::uint64_t span = static_cast<std::uint64_t>(full - half) + 1;
  std::int64_t extra = static_cast<std::int64_t>(JitterHash(seed, key, n) % span);
  return Duration(half + extra);
}

Timestamp HoldToWorkingHours(const Calendar* calendar, Timestamp t) {
  if (!calendar) return t;
  auto next = calendar->NextWorkingTime(t);
  return next ? *next : t;
}

AttemptDecision DecideAfterAttempt(const RetryPolicy& policy, AttemptOutcome outcome,
                                   std::int64_t attempts_made, Timestamp now,
                                   const Calendar* calendar, bool urgent, std::uint64_t seed,
                                   std::string_view key) {
  AttemptDecision d;
  switch (outcome) {
    case AttemptOutcome::kDelivered:
      d.event = DeliveryEvent::kDelivered;
      return d;
    case AttemptOutcome::kFailed:
      d.event = DeliveryEvent::kFail;
      d.reason = "permanent failure";
      return d;
    case AttemptOutcome::kRetry:
      break;
  }
  if (attempts_made >= policy.max_attempts) {
    d.event = DeliveryEvent::kFail;
    d.reason = "gave up after " + std::to_string(attempts_made) + " attempts";
    return d;
  }
  d.event = DeliveryEvent::kRetry;
  Timestamp at = now + Backoff(policy, attempts_made, seed, key);
  d.next_attempt_at = urgent ? at : HoldToWorkingHours(calendar, at);
  return d;
}

Timestamp DigestSlot(const Calendar& calendar, Timestamp due) {
  Timestamp next = HoldToWorkingHours(&calendar, due);
  Date day = calendar.DateOf(next);
  Timestamp start = calendar.AtLocalTime(day, calendar.working_hours().start);
  if (next <= start) return start;
  auto following = calendar.AddWorkdays(day, 1);
  if (!following) return next;
  return calendar.AtLocalTime(*following, calendar.working_hours().start);
}

bool IsDigestible(std::string_view template_name) { return template_name == "reminder"; }

std::string_view HoldRuleName(HoldRule rule) {
  switch (rule) {
    case HoldRule::kNone:
      return "";
    case HoldRule::kNotYetDue:
      return "not yet due";
    case HoldRule::kBackoff:
      return "backoff after a failed attempt";
    case HoldRule::kWorkingHours:
      return "working hours";
    case HoldRule::kDigest:
      return "daily digest";
    case HoldRule::kRateLimit:
      return "rate limit";
    case HoldRule::kBusy:
      return "busy";
  }
  return "";
}

HoldReason WhyWaiting(const OutboxRecord& row, Timestamp at, const Calendar* calendar, bool urgent,
                      bool digest) {
  const bool hours = calendar != nullptr && !urgent;
  digest = digest && hours;
  // When it can go at the earliest, by every rule.
  Timestamp go = std::max(row.next_attempt_at, at);
  if (hours) go = HoldToWorkingHours(calendar, go);
  Timestamp slot{};
  if (digest) {
    slot = DigestSlot(*calendar, row.not_before);
    go = std::max(go, slot);
  }
  if (go <= at) return {};
  HoldReason r{HoldRule::kNone, go};
  if (row.next_attempt_at > at) {
    // The row's own time: a retry's backoff, a digest slot or working hours the dispatcher put it
    // back to, working hours the engine queued it for, or a time of its own.
    bool opens_working_hours =
        hours &&
        HoldToWorkingHours(calendar, row.next_attempt_at - Duration{1}) == row.next_attempt_at;
    if (row.attempts > 0 && !row.last_error.empty()) {
      r.rule = HoldRule::kBackoff;
    } else if (digest && row.next_attempt_at == slot) {
      r.rule = HoldRule::kDigest;
    } else if (opens_working_hours) {
      r.rule = HoldRule::kWorkingHours;
    } else {
      r.rule = HoldRule::kNotYetDue;
    }
  } else if (hours && HoldToWorkingHours(calendar, at) != at) {
    r.rule = HoldRule::kWorkingHours;
  } else {
    r.rule = HoldRule::kDigest;
  }
  return r;
}

TokenBucket::TokenBucket(double per_minute, double burst, Timestamp now)
    : per_minute_(per_minute),
      burst_(std::max(burst, 1.0)),
      tokens_(std::max(burst, 1.0)),
      last_(now) {}

void TokenBucket::Refill(Timestamp now) {
  if (now <= last_) return;
  double minutes = std::chrono::duration<double, std::ratio<60>>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + minutes * per_minute_);
  last_ = now;
}

bool TokenBucket::TryTake(Timestamp now) {
  if (unlimited()) return true;
  Refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

Timestamp TokenBucket::NextToken(Timestamp now) {
  if (unlimited()) return now;
  Refill(now);
  if (tokens_ >= 1.0) return now;
  double minutes = (1.0 - tokens_) / per_minute_;
  return now + Duration(static_cast<std::int64_t>(std::ceil(minutes * 60e6)));
}

}  // namespace rectify::notify
