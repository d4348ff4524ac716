#include "rectify/scheduler/horizon.h"

namespace rectify::scheduler {

void Horizon::Add(Timestamp due) {
  if (limit_ == 0) {
    truncated_ = true;
    return;
  }
  if (due_.size() >= limit_) {
    auto last = std::prev(due_.end());
    truncated_ = true;
    if (due >= *last) return;  // later than everything kept: the next refresh finds it
    due_.erase(last);
  }
  due_.insert(due);
}

void Horizon::Replace(const std::vector<Timestamp>& due, bool read_all) {
  due_.clear();
  truncated_ = false;
  for (Timestamp t : due) Add(t);
  if (!read_all) truncated_ = true;
}

std::size_t Horizon::PopDue(Timestamp now) {
  auto end = due_.upper_bound(now);
  std::size_t n = static_cast<std::size_t>(std::distance(due_.begin(), end));
  due_.erase(due_.begin(), end);
  return n;
}

std::optional<Timestamp> Horizon::Next() const {
  if (due_.empty()) return std::nullopt;
  return *due_.begin();
}

}  // namespace rectify::scheduler
