// What a serving node keeps in memory (the item index, the credentials it has checked), brought
// up to date before each request from node_changes (migration 0021: a trigger adds a row for every
// write to instances, accounts, API tokens and sessions, by any writer on any node).
//
//   NodeChanges changes(items, accounts);
//   changes.Start(db);                 // before items.Load: where reading begins
//   changes.CatchUp(store, db);        // before each request: apply what changed since
//
// Fresh as of the request: CatchUp reads the rows after the last it applied; instances are
// reloaded into the item index, credentials forgotten by the account cache. An answer from memory
// therefore includes every write committed before the request came, this node's or another's, as
// the store's would. Requests that arrive while another request's catch-up is reading wait for
// it and then read again only if that read began before they came, so under load one read
// serves many requests.
//
// Rows commit in any order on PostgreSQL (ids come from a sequence): a gap below the highest id
// read is a transaction maybe still in flight, so the reader keeps reading from the gap until the
// row comes or kGapWait passes (a rolled-back transaction leaves a gap for ever); rows above the
// gap that were applied are not applied twice.
//
// Thread-safety: CatchUp from any thread (one reads at a time); Start before any CatchUp.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>

#include "adapters/store/soci/database.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::api {

class ItemIndex;     // item_index.h
class AccountCache;  // account_cache.h

class NodeChanges {
 public:
  static constexpr std::chrono::seconds kGapWait{5};

  NodeChanges(ItemIndex& items, AccountCache& accounts) : items_(items), accounts_(accounts) {}
  NodeChanges(const NodeChanges&) = delete;
  NodeChanges& operator=(const NodeChanges&) = delete;

  // Where reading begins: a little below the newest change, so that a transaction that took its
  // id before the start but commits after it is not missed. kFailedPrecondition when the table
  // node_changes is missing (run `rectify migrate`).
  Status Start(store_soci::Database& db);

  // Applies what changed since the last catch-up began (see the file comment).
  Status CatchUp(Store& store, store_soci::Database& db);

 private:
  ItemIndex& items_;
  AccountCache& accounts_;

  std::mutex mu_;  // one catch-up reads at a time; guards what follows
  using SteadyClock = std::chrono::steady_clock;
  SteadyClock::time_point last_read_began_{};
  std::int64_t floor_ = 0;                // every change up to here is applied
  std::set<std::int64_t> applied_above_;  // applied changes above a gap
  std::optional<SteadyClock::time_point> gap_since_;
};

}  // namespace rectify::api
