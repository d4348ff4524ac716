// When a notification goes out, and what happens when it does not: pure decisions, no I/O.
//
//   RetryPolicy policy{.max_attempts = 5, .base = 1min, .max = 1h};
//   AttemptDecision d = DecideAfterAttempt(policy, SendOutcome::kRetry, 2, now, &cal, false, seed);
//   // d.event == DeliveryEvent::kRetry, d.next_attempt_at inside working hours
//
// - Backoff: exponential (base * 2^(n-1), capped at max) with "equal jitter": the wait is drawn
//   from [d/2, d] by a hash of an injected seed, the message's key and the attempt number, so a
//   run is reproducible and two dispatchers do not retry a burst in lock step.
// - Dead letter after `max_attempts` attempts, or at once on a permanent failure.
// - Working hours: a retry waits for the calendar's next working time, unless the message is
//   urgent (an escalation step marked `urgent: true`).
// - Rate limit: a token bucket per channel on the Clock's wall time (so a VirtualClock drives it in
//   tests and in `rectify simulate`).
// - Digest: a person who asked for a daily digest gets their reminders in one message at the start
//   of a working day (`DigestSlot`).
// - Explanations: `WhyWaiting` names the rule that holds a message and when it will go.
//
// Thread-safety: the functions are pure; a TokenBucket belongs to one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rectify/calendar/calendar.h"
#include "rectify/notify/delivery.h"
#include "rectify/store.h"
#include "rectify/timestamp.h"

namespace rectify::notify {

struct RetryPolicy {
  int max_attempts = 5;
  Duration base = std::chrono::minutes(1);
  Duration max = std::chrono::hours(1);
};

// What a channel said about one attempt (mirrors adapters/notify/channel.h's SendOutcome, which
// the engine cannot include).
enum class AttemptOutcome { kDelivered, kRetry, kFailed };

// The wait before the next attempt after `attempts_made` attempts (1 after the first failure).
Duration Backoff(const RetryPolicy& policy, std::int64_t attempts_made, std::uint64_t seed,
                 std::string_view key);

// A stable 64-bit mix (SplitMix64 over FNV-1a of the key), the jitter's only source of randomness.
std::uint64_t JitterHash(std::uint64_t seed, std::string_view key, std::int64_t attempt);

struct AttemptDecision {
  DeliveryEvent event = DeliveryEvent::kDelivered;  // kDelivered, kRetry or kFail
  Timestamp next_attempt_at;                        // for kRetry
  std::string reason;                               // why dead-lettered, for the row's last_error
};

// The move after an attempt that ended with `outcome`, `attempts_made` attempts counted so far
// (this one included). `calendar` may be null (no working hours: retry at the backoff).
AttemptDecision DecideAfterAttempt(const RetryPolicy& policy, AttemptOutcome outcome,
                                   std::int64_t attempts_made, Timestamp now,
                                   const Calendar* calendar, bool urgent, std::uint64_t seed,
                                   std::string_view key);

// `t`, or the calendar's next working time after it (null calendar, or an instant the calendar
// does not cover: `t` itself).
Timestamp HoldToWorkingHours(const Calendar* calendar, Timestamp t);

// The digest that takes a reminder due at `due`: the start of working hours of the day it falls
// in when `due` is that very instant, else of the next working day.
Timestamp DigestSlot(const Calendar& calendar, Timestamp due);

// Which messages a digest replaces: plain reminders. Escalations, letters and bulletins go alone.
bool IsDigestible(std::string_view template_name);

// Why a message waits, as `rectify dispatch`, `dispatch --at` and `outbox list` say it.
enum class HoldRule {
  kNone,          // it goes now
  kNotYetDue,     // its time has not come (a notice queued for later)
  kBackoff,       // a failed attempt: the retry waits for its backoff
  kWorkingHours,  // outside the calendar's working hours
  kDigest,        // a daily digest's slot, the start of a working day
  kRateLimit,     // the channel's rate limit: the next token
  kBusy,          // put back untried so that a send does not outlast the batch's lease
};
// "not yet due", "backoff after a failed attempt", "working hours", "daily digest",
// "rate limit", "busy"; "" for kNone.
std::string_view HoldRuleName(HoldRule rule);

struct HoldReason {
  HoldRule rule = HoldRule::kNone;
  Timestamp until{};  // when it will go (the rate limit aside, which depends on the others)
};

// Why a pending row is not sent at `at`, by every rule but the rate limit (which needs the
// channel's bucket) and when it will go: kNone when it is due, inside working hours and past its
// digest slot. `urgent` rows skip working hours and digests; `digest` says the recipient takes
// this row in a daily digest. `calendar` may be null (no working hours, no digests).
HoldReason WhyWaiting(const OutboxRecord& row, Timestamp at, const Calendar* calendar, bool urgent,
                      bool digest);

// A token bucket: `per_minute` tokens a minute, at most `burst` saved up. per_minute <= 0 means
// no limit.
class TokenBucket {
 public:
  TokenBucket(double per_minute, double burst, Timestamp now);

  // Takes a token if one is there at `now`.
  bool TryTake(Timestamp now);
  // When the next token will be there (now when one is).
  Timestamp NextToken(Timestamp now);
  bool unlimited() const { return per_minute_ <= 0; }

 private:
  void Refill(Timestamp now);
  double per_minute_;
  double burst_;
  double tokens_;
  Timestamp last_;
};

}  // namespace rectify::notify
