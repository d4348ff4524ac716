// The serving node's in-memory copy of what item lists show (GET /api/v1/items): one ItemRow per
// instance, indexed by id, by unit and by the people each item names, so that a cadre's first
// page of overdue items is a walk over a few sorted sets, not a query that reads and parses
// thousands of instances.
//
//   ItemIndex index(interpreter);
//   index.Load(store, db);                        // at start: every instance, once
//   index.CatchUp(store, db);                     // before each list: what changed since
//   index.Visit(sources, after_id, [&](const ItemRow& row) { ...; return more; });
//
// Fresh as of the request: CatchUp reads the rows of item_changes (migration 0015: a trigger adds
// one for every insert or update of an instance, by any writer on any node) after the last it
// applied, and reloads those instances. A list therefore sees every write committed before the
// request came, this node's or another's, as the store would. Requests that arrive while another
// request's catch-up is reading wait for it and then read again only if that read began before
// they came, so under load one read serves many requests.
//
// Rows commit in any order on PostgreSQL (ids come from a sequence): a gap below the highest id
// read is a transaction maybe still in flight, so the index keeps reading from the gap until the
// row comes or kGapWait passes (a rolled-back transaction leaves a gap for ever); rows above the
// gap that were applied are not reloaded twice.
//
// Access decisions stay in the engine: a row keeps its org, unit and named people, and the list
// asks engine::MayRead with them.
//
// Summaries (GET /api/v1/reports/summary) fold the engine's SummaryPart of every instance kept
// here (engine::FoldSummary, the same fold as `rectify report summary`), and the answer is kept
// per unit and campaign until the index changes or an open item's clock runs out
// (FoldSummary's next_change), so a board that asks again and again costs a lookup.
//
// Thread-safety: Visit from many threads at once; CatchUp from any thread (one reads at a time);
// Load before any other call.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/store/soci/database.h"
#include "rectify/engine/instance.h"
#include "rectify/engine/interpreter.h"
#include "rectify/engine/report.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::api {

// What a list shows of one item, and what deciding who may read it needs.
struct ItemRow {
  std::string id;
  std::string org;  // the org's name (Instance::org)
  std::string title;
  std::string unit;
  std::string campaign;
  std::string workflow;
  std::int64_t workflow_version = 0;
  std::string state;
  std::string responsible;
  std::vector<std::string> people;   // engine::NamedPeople: sorted, each once
  std::optional<ClockRecord> clock;  // the current state's deadline clock
  int escalation_level = 0;
  std::string escalation_measure;
  bool payment_suspended = false;
  std::vector<std::string> measures_in_force;  // measures that last, by name (suspend_payment)
  std::int64_t version = 0;
  engine::Bound bound;  // its definitions (shared with the interpreter's definition set)
};

ItemRow RowOf(const engine::Instance& inst, const engine::Bound& bound);

class ItemIndex {
 public:
  static constexpr std::chrono::seconds kGapWait{5};

  explicit ItemIndex(const engine::Interpreter& interpreter) : interpreter_(interpreter) {}
  ItemIndex(const ItemIndex&) = delete;
  ItemIndex& operator=(const ItemIndex&) = delete;

  // Every instance of the store. kFailedPrecondition when item_changes is missing (run
  // `rectify migrate`).
  Status Load(Store& store, store_soci::Database& db);

  // Applies what changed since the last catch-up began (see the file comment).
  Status CatchUp(Store& store, store_soci::Database& db);

  // Where a list's candidates come from: every row (an administrator), or the rows of `units`
  // and the rows that name `person`.
  struct Sources {
    bool all = false;
    std::vector<std::string> units;
    std::string person;
  };
  // Calls `visit` with each row of `sources` whose id is after `after`, in id order, each once,
  // until it returns false. Rows whose definitions are not loaded are not visited.
  void Visit(const Sources& sources, const std::string& after,
             const std::function<bool(const ItemRow&)>& visit) const;

  // engine::FoldSummary over every instance kept here, for `query` (its unit, campaign, as_of).
  Result<engine::Summary> Summarize(const engine::ReportQuery& query) const;

  std::size_t size() const;

 private:
  // What the index keeps of one instance: its list row (null when its definitions are not
  // loaded: nobody lists it) and its part of a summary.
  struct Entry {
    std::int64_t version = 0;
    std::shared_ptr<const ItemRow> row;
    std::shared_ptr<const engine::SummaryPart> part;
  };
  // The entry of one instance read from the store; nullopt when it cannot be read as one.
  Result<std::optional<Entry>> EntryOf(Store& store, const InstanceRecord& record) const;
  // Puts `entry` in place of the one of its id (when it is not older); callers hold mu_.
  void Put(const std::string& id, Entry entry);
  void Unlink(const ItemRow& row);
  // Loads `ids` from the store and applies them.
  Status Reload(Store& store, const std::set<std::string>& ids);

  const engine::Interpreter& interpreter_;

  mutable std::shared_mutex mu_;  // the entries, their indexes and generation_
  std::map<std::string, Entry> by_id_;
  std::unordered_map<std::string, std::set<std::string>> by_unit_;
  std::unordered_map<std::string, std::set<std::string>> by_person_;
  std::uint64_t generation_ = 0;  // counts the changes applied

  struct CachedSummary {
    std::uint64_t generation = 0;
    Timestamp from{};                // the as_of it was folded at
    std::optional<Timestamp> until;  // the first instant it may differ (next_change)
    engine::Summary summary;
  };
  mutable std::mutex cache_mu_;
  mutable std::mutex fold_mu_;  // one summary folded at a time (the others wait for it)
  mutable std::map<std::string, CachedSummary> summaries_;  // by unit and campaign

  std::mutex catch_up_mu_;  // one catch-up reads at a time; guards what follows
  using SteadyClock = std::chrono::steady_clock;
  SteadyClock::time_point last_read_began_{};
  std::int64_t floor_ = 0;                // every change up to here is applied
  std::set<std::int64_t> applied_above_;  // applied changes above a gap
  std::optional<SteadyClock::time_point> gap_since_;
};

}  // namespace rectify::api
