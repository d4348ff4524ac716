// Slows down repeated failed logins, per account and per client address, so that passwords cannot
// be guessed at the server's speed.
//
//   LoginThrottle throttle;                        // the default policy
//   if (Duration wait = throttle.WaitFor("xs-0012", "10.1.2.3", now); wait > Duration::zero())
//     return 429 with Retry-After: wait;
//   ... verify ...; ok ? throttle.Succeeded("xs-0012") : throttle.Failed("xs-0012", "10.1.2.3",
//   now);
//
// The first few failures cost nothing (people mistype); after `free_per_account` failures of one
// account, each further attempt on it must wait `first_delay`, doubling with each failure up to
// `max_delay`; the same for one address after `free_per_address` failures (one address trying
// many accounts). A success clears the account's count. Counts are forgotten `forget_after` the
// last failure. The account key is whatever id was tried, whether or not it exists, so the delay
// says nothing about which accounts exist.
//
// The counts are kept in this process: each node of a cluster slows its own share of attempts.
// Every failure is also recorded in account_events by the caller, where all nodes' show together.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "rectify/timestamp.h"

namespace rectify::api {

class LoginThrottle {
 public:
  struct Policy {
    int free_per_account = 5;
    int free_per_address = 20;
    Duration first_delay = std::chrono::seconds(1);
    Duration max_delay = std::chrono::minutes(15);
    Duration forget_after = std::chrono::hours(1);
    std::size_t max_entries = 100000;  // per map; the oldest are dropped beyond it
  };

  LoginThrottle() : LoginThrottle(Policy()) {}
  explicit LoginThrottle(Policy policy) : policy_(policy) {}

  // How long an attempt on `account` from `address` must still wait (zero: it may go now).
  Duration WaitFor(const std::string& account, const std::string& address, Timestamp now);
  void Failed(const std::string& account, const std::string& address, Timestamp now);
  void Succeeded(const std::string& account);

 private:
  struct Entry {
    int failures = 0;
    Timestamp last{};
  };
  Duration Delay(const Entry& e, int free, Timestamp now) const;
  void Note(std::map<std::string, Entry>& map, const std::string& key, Timestamp now);

  Policy policy_;
  std::mutex mu_;
  std::map<std::string, Entry> by_account_;
  std::map<std::string, Entry> by_address_;
};

}  // namespace rectify::api
