// What a serving node keeps in memory (the item index, the credentials it has checked), brought
// up to date before each request from node_changes (migration 0021: a trigger adds a row for every
// write to instances, accounts, API tokens and sessions, by any writer on any node).
//
//   NodeChanges changes(items, accounts, {&store, &db}, reconnect);  // the reader's connection
//   changes.Start();                   // before items.Load: where reading begins
//   changes.CatchUp();                 // before each request: apply what changed since
//   changes.AfterCatchUp([](const Status& s) { ... });  // the same, without blocking a thread
//
// Fresh as of the request: a catch-up reads the rows after the last it applied; instances are
// reloaded into the item index, credentials forgotten by the account cache. An answer from memory
// therefore includes every write committed before the request came, this node's or another's, as
// the store's would. One reader thread does every read: a request waits for the first read that
// begins after it came (the waiters are taken as a batch when a read begins), so under load one
// read serves every request that came while the previous one was reading. A write, which reads
// what it changes from the store, waits only until the read's credentials are forgotten, not for
// its instances to be reloaded (Fresh::kCredentials).
//
// Rows commit in any order on PostgreSQL (ids come from a sequence): a gap below the highest id
// read is a transaction maybe still in flight, so the reader keeps reading from the gap until the
// row comes or kGapWait passes (a rolled-back transaction leaves a gap for ever); rows above the
// gap that were applied are not applied twice.
//
// Thread-safety: CatchUp and AfterCatchUp from any thread; Start before either. AfterCatchUp's
// callbacks run on the reader's thread, one after another, so they must be short and must not
// block (the next read waits for them). Stop (and the destructor) end the reader.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "adapters/store/soci/database.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::api {

class ItemIndex;     // item_index.h
class AccountCache;  // account_cache.h

class NodeChanges {
 public:
  static constexpr std::chrono::seconds kGapWait{5};

  using Done = std::function<void(const Status&)>;

  // The reader's connection: the store the instances are reloaded from and the database
  // node_changes is read from.
  struct Reading {
    Store* store = nullptr;
    store_soci::Database* db = nullptr;
  };
  // Opens a fresh connection for the reader, after a read failed (PostgreSQL restarted, the
  // network broke): called before the next read, on the reader's thread, until it succeeds (the
  // requests waiting meanwhile get its error).
  using Reconnect = std::function<Result<Reading>()>;

  // `reading` is the reader's alone from Start on.
  NodeChanges(ItemIndex& items, AccountCache& accounts, Reading reading, Reconnect reconnect)
      : items_(items), accounts_(accounts), reading_(reading), reconnect_(std::move(reconnect)) {}
  ~NodeChanges();
  NodeChanges(const NodeChanges&) = delete;
  NodeChanges& operator=(const NodeChanges&) = delete;

  // Where reading begins: a little below the newest change, so that a transaction that took its
  // id before the start but commits after it is not missed; then starts the reader.
  // kFailedPrecondition when the table node_changes is missing (run `rectify migrate`).
  Status Start();

  // What a request needs fresh: the item index and the credentials (a read from memory), or the
  // credentials alone (a write, which reads what it changes from the store).
  enum class Fresh { kIndex, kCredentials };

  // Calls `done` once a read that began after this call has been applied (for kCredentials:
  // once its credentials have been forgotten, before its instances are reloaded), with its
  // status.
  void AfterCatchUp(Done done, Fresh need = Fresh::kIndex);
  // The same, waiting for it.
  Status CatchUp(Fresh need = Fresh::kIndex);

  // Stops the reader: every waiter, and every later one, gets kUnavailable.
  void Stop();

 private:
  struct Waiter {
    Done done;
    Fresh need = Fresh::kIndex;
  };
  void Run();  // the reader's thread
  // One catch-up: reads every change after the floor, forgets the credentials they name, calls
  // `credentials_applied`, then reloads the instances they name.
  Status ReadOnce(const std::function<void()>& credentials_applied);

  ItemIndex& items_;
  AccountCache& accounts_;
  Reading reading_;
  const Reconnect reconnect_;

  std::mutex wait_mu_;  // guards the three below
  std::condition_variable wake_;
  std::vector<Waiter> waiting_;  // the next read's batch
  bool stopping_ = false;
  std::thread reader_;

  // The reader's alone.
  bool broken_ = false;  // the last read failed: reconnect before the next
  using SteadyClock = std::chrono::steady_clock;
  std::int64_t floor_ = 0;                // every change up to here is applied
  std::set<std::int64_t> applied_above_;  // applied changes above a gap
  std::optional<SteadyClock::time_point> gap_since_;
};

}  // namespace rectify::api
