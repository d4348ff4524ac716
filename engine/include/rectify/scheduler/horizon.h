// The scheduler's near horizon: the due times of the timers that fall due soon, in memory, so one
// Asio timer can wake the engine at the next one without asking the database.
//
// The database stays the truth (workers claim what is due from it); the horizon only says when
// to look. It holds at most `limit` entries, the earliest ones: when more are added, the latest
// are dropped and `truncated()` says so, and the next refresh from the database reads them again.
// Timers beyond the horizon, or armed by another node, are found by that refresh or by the
// workers' periodic poll.
//
//   Horizon h(100000);
//   h.Add(due);                         // a timer this node armed, or one a refresh read
//   if (auto next = h.Next()) wake_at(*next);
//   std::size_t n = h.PopDue(now);      // entries due by now; wake the workers if n > 0
//
// Thread-safety: a value owned by one thread (the io_context's).
#pragma once

#include <cstddef>
#include <iterator>
#include <optional>
#include <set>
#include <vector>

#include "rectify/timestamp.h"

namespace rectify::scheduler {

class Horizon {
 public:
  explicit Horizon(std::size_t limit) : limit_(limit) {}

  void Add(Timestamp due);
  // Replaces everything with a fresh read of the database (`read_all`: the read returned every
  // timer up to its end, so nothing was left out).
  void Replace(const std::vector<Timestamp>& due, bool read_all);
  // Removes the entries due at or before `now`; returns how many there were.
  std::size_t PopDue(Timestamp now);

  std::optional<Timestamp> Next() const;
  std::size_t size() const { return due_.size(); }
  bool truncated() const { return truncated_; }

 private:
  std::size_t limit_;
  std::multiset<Timestamp> due_;
  bool truncated_ = false;
};

}  // namespace rectify::scheduler
