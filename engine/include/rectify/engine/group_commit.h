// Group commit: the change sets that several threads commit at the same moment, each through its
// own Engine and Store (connection), reach the database together in one transaction (one WAL
// flush, one batched statement per table), and each caller gets its own outcome.
//
//   engine::GroupCommit commits;                      // one per process, shared by the engines
//   engine.SetCommitFunction(commits.Function());     // on each worker's Engine
//   engine.Act(command);                              // commits with whoever commits meanwhile
//
// How: callers queue up. The first in the queue leads: it takes the change sets queued behind it
// and commits them with its own as ONE ChangeSet on its own Store, while they wait; then it wakes
// each with its outcome, and the next in the queue leads the next group. Change sets that arrive
// while a group commits form the next group, so groups grow with the load by themselves; a caller
// alone commits at once, as it would without grouping (no timer, no added delay). A group never
// holds two change sets that touch the same instance (nor a later one that shares an instance
// with one left out): one item's changes commit one after the other, in the order they came, and
// the second meets the first's new version as it would have without grouping.
//
// Outcomes are what Store::Commit would have said to each caller alone, and an OK comes only after
// the group's commit returned (durable as Store::Commit is):
//   - the group commits: every member is OK;
//   - it fails with kUnavailable (the database went away: nothing of the group committed, or the
//     fate of its COMMIT is unknown, so it must not be tried again): every member gets that error;
//   - it fails otherwise (a member's instance moved on: kConflict; a key taken: kUniqueViolation;
//     a member's rows the database refuses): nothing of it committed, so it is split in halves,
//     each committed on its own, down to the members at fault, which alone get their error. One
//     conflicting change set costs a few more transactions, never the others' commits.
// Engine::Act retries a kConflict as before (each retry queues again).
//
// Only for change sets that stand alone: a caller inside a transaction of its own on its
// connection must not commit through a GroupCommit (the group commits on another connection).
//
// Thread-safety: Commit, Function's callable and stats may be called from any thread at once; a
// caller's Store is used by the leader's thread while the caller waits, never by two threads at
// once. Ownership: borrows the callers' Stores for the length of a commit; must outlive every
// engine given its Function().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "rectify/engine/engine.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::engine {

// A group stops growing at this many change sets or rows (ChangeSet::size); a change set larger
// than max_rows commits alone.
struct GroupCommitOptions {
  std::size_t max_change_sets = 256;
  std::size_t max_rows = 20000;
};

class GroupCommit {
 public:
  using Options = GroupCommitOptions;
  struct Stats {
    std::int64_t change_sets = 0;   // change sets given to Commit
    std::int64_t groups = 0;        // groups led (each one or more change sets)
    std::int64_t transactions = 0;  // store commits tried (a split group tries more than one)
  };

  // `inner` commits one (merged) ChangeSet on a Store; by default Store::Commit. A test or a
  // wrapper may replace it, as Engine::SetCommitFunction allows.
  explicit GroupCommit(Engine::CommitFunction inner = nullptr, Options options = {});
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  // Commits `changes` with whatever other callers commit at the same time, on the Store of the
  // caller that leads (see above); returns this change set's outcome.
  Status Commit(Store& store, const ChangeSet& changes);
  // Commit as an Engine's commit function.
  Engine::CommitFunction Function();

  Stats stats() const;
  // Callers in the queue now, the one committing included (for tests that line callers up).
  std::size_t queued() const;

 private:
  struct Waiter;

  // The members of the next group, the leader (the queue's front) first; under mu_.
  std::vector<Waiter*> TakeGroup() const;
  // Commits the change sets of group[from, to) as one, splitting on failure (see above); sets
  // each member's status and counts the store commits tried in `transactions`.
  void CommitRange(Store& store, const std::vector<Waiter*>& group, std::size_t from,
                   std::size_t to, std::int64_t& transactions);

  Engine::CommitFunction inner_;
  Options options_;
  mutable std::mutex mu_;
  std::deque<Waiter*> queue_;  // the leader first; guarded by mu_
  Stats stats_;                // guarded by mu_
};

}  // namespace rectify::engine
