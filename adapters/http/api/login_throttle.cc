#include "adapters/http/api/login_throttle.h"

#include <algorithm>

namespace rectify::api {

Duration LoginThrottle::Delay(const Entry& e, int free, Timestamp now) const {
  if (e.failures <= free || now - e.last >= policy_.forget_after) return Duration::zero();
  int doublings = std::min(e.failures - free - 1, 20);
  Duration delay =
      std::min<Duration>(policy_.first_delay * (std::int64_t{1} << doublings), policy_.max_delay);
  Timestamp until = e.last + delay;
  return until > now ? until - now : Duration::zero();
}

Duration LoginThrottle::WaitFor(const std::string& account, const std::string& address,
                                Timestamp now) {
  std::lock_guard lock(mu_);
  Duration wait = Duration::zero();
  if (auto it = by_account_.find(account); it != by_account_.end()) {
    wait = std::max(wait, Delay(it->second, policy_.free_per_account, now));
  }
  if (auto it = by_address_.find(address); it != by_address_.end()) {
    wait = std::max(wait, Delay(it->second, policy_.free_per_address, now));
  }
  return wait;
}

void LoginThrottle::Note(std::map<std::string, Entry>& map, const std::string& key, Timestamp now) {
  Entry& e = map[key];
  if (now - e.last >= policy_.forget_after) e.failures = 0;
  ++e.failures;
  e.last = now;
  if (map.size() > policy_.max_entries) {
    // Drop what has been forgotten anyway, then the oldest, to stay within the bound.
    std::erase_if(map,
                  [&](const auto& kv) { return now - kv.second.last >= policy_.forget_after; });
    while (map.size() > policy_.max_entries) {
      auto oldest = std::min_element(map.begin(), map.end(), [](const auto& a, const auto& b) {
        return a.second.last < b.second.last;
      });
      map.erase(oldest);
    }
  }
}

void LoginThrottle::Failed(const std::string& account, const std::string& address, Timestamp now) {
  std::lock_guard lock(mu_);
  Note(by_account_, account, now);
  Note(by_address_, address, now);
}

void LoginThrottle::Succeeded(const std::string& account) {
  std::lock_guard lock(mu_);
  by_account_.erase(account);
}

}  // namespace rectify::api
