// The serving node's in-memory copy of what item lists show (GET /api/v1/items): one ItemRow per
// instance, indexed by id, by unit and by the people each item names, so that a cadre's first
// page of overdue items is a walk over a few sorted sets, not a query that reads and parses
// thousands of instances.
//
//   ItemIndex index(interpreter);
//   index.Load(store, db);                        // at start: every instance, once
//   index.Reload(store, ids);                     // NodeChanges: these instances changed
//   index.Visit(sources, after_id, [&](const ItemRow& row) { ...; return more; });
//   auto row = index.Find("XS-1-done");           // one row (a task's milestone)
//
// Fresh as of the request: NodeChanges (node_changes.h) reads what changed in the store since the
// last request, by any writer on any node, and reloads those instances here before the request
// is answered. A list therefore sees every write committed before the request came, as the store
// would.
//
// The task list (GET /api/v1/tasks) is answered from here too: a task's row keeps its instance
// and its progress reports, a milestone's its instance (ItemRow::task_instance).
//
// Access decisions stay in the engine: a row keeps its org, unit and named people, and the list
// asks engine::MayRead with them.
//
// Summaries (GET /api/v1/reports/summary) fold the engine's SummaryPart of every instance kept
// here (engine::FoldSummary, the same fold as `rectify report summary`), and the answer is kept
// per unit and campaign until the index changes or an open item's clock runs out
// (FoldSummary's next_change), so a board that asks again and again costs a lookup.
//
// The leaders' board (GET /api/v1/board) counts BoardFacts: per instance, the instances table's
// own columns the board's figures come from (workflow, campaign, state, the projected due_at and
// escalation_level, created_at and updated_at), kept by unit for every instance the store holds,
// whether or not its definitions are loaded here, so that its answer is the one the database's
// counts give, in milliseconds rather than the seconds a count of 100,000 rows takes.
//
// Thread-safety: Visit, VisitBoard, Summarize and Reload from many threads at once; Load before
// any other call.
#pragma once

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

#include "rectify/engine/instance.h"
#include "rectify/engine/interpreter.h"
#include "rectify/engine/report.h"
#include "rectify/engine/tasks.h"
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
  // Its deadline while it runs (it does not move then), worked out once: lists filter on it.
  std::optional<Timestamp> running_deadline;
  int escalation_level = 0;
  std::string escalation_measure;
  bool payment_suspended = false;
  std::string found_by;  // Instance::origin.found_by: how it was found (engine/findings.h)
  std::vector<std::string> measures_in_force;  // measures that last, by name (suspend_payment)
  std::int64_t version = 0;
  engine::Bound bound;  // its definitions (shared with the interpreter's definition set)
  // Its list JSON apart from the deadline fields, written once (item_json.h).
  std::string json_head, json_tail;
  // A task of a task inventory or a milestone of one (engine/tasks.h), for GET /api/v1/tasks:
  // the instance as read, and a task's progress reports from its audit log, read when the task
  // changes rather than per list. Null for other instances.
  std::shared_ptr<const engine::Instance> task_instance;
  std::shared_ptr<const std::vector<engine::TaskReport>> task_reports;  // tasks only
};

ItemRow RowOf(const engine::Instance& inst, const engine::Bound& bound);

// What the board counts of one instance: its row of the instances table, less its data.
struct BoardFact {
  std::string workflow;
  std::string campaign;
  std::string state;
  Timestamp created_at{};
  Timestamp updated_at{};
  std::optional<Timestamp> due_at;     // InstanceRecord::due_at, as the engine projected it
  std::int64_t escalation_level = -1;  // -1: not projected yet (InstanceRecord::escalation_level)
};

class ItemIndex {
 public:
  explicit ItemIndex(const engine::Interpreter& interpreter) : interpreter_(interpreter) {}
  ItemIndex(const ItemIndex&) = delete;
  ItemIndex& operator=(const ItemIndex&) = delete;

  // Every instance of the store.
  Status Load(Store& store);

  // Loads `ids` from the store again and applies them.
  Status Reload(Store& store, const std::set<std::string>& ids);

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

  // Calls `visit` with the facts of every instance of each of `units` (each unit once), under
  // the index's shared lock: `visit` must not call back into the index.
  void VisitBoard(
      const std::vector<std::string>& units,
      const std::function<void(const std::string& unit, const BoardFact&)>& visit) const;

  // The row of `id`; null when there is none (or its definitions are not loaded here).
  std::shared_ptr<const ItemRow> Find(const std::string& id) const;

  // engine::FoldSummary over every instance kept here, for `query` (its unit, campaign, as_of).
  // `next_change`, when given, is set to the first instant after as_of at which the summary may
  // change with the clock alone (FoldSummary's), or nullopt for never.
  Result<engine::Summary> Summarize(const engine::ReportQuery& query,
                                    std::optional<Timestamp>* next_change = nullptr) const;

  std::size_t size() const;

  // Counts the changes applied (every Put): equal generations, the same rows. For answers kept
  // while the index does not change (response_cache.h).
  std::uint64_t generation() const;

 private:
  // What the index keeps of one instance: its list row (null when its definitions are not
  // loaded: nobody lists it), its part of a summary (null when it cannot be read as an instance:
  // no summary counts it) and its unit, whose board facts hold it.
  struct Entry {
    std::int64_t version = 0;
    std::shared_ptr<const ItemRow> row;
    std::shared_ptr<const engine::SummaryPart> part;
    std::string unit;
  };
  // The entry of one instance read from the store, and its board facts.
  struct Read {
    Entry entry;
    BoardFact fact;
  };
  Result<Read> EntryOf(Store& store, const InstanceRecord& record) const;
  // Puts `read` in place of the one of its id (when it is not older); callers hold mu_.
  void Put(const std::string& id, Read read);
  void Unlink(const ItemRow& row);

  const engine::Interpreter& interpreter_;

  mutable std::shared_mutex mu_;  // the entries, their indexes and generation_
  std::map<std::string, Entry> by_id_;
  std::unordered_map<std::string, std::set<std::string>> by_unit_;
  std::unordered_map<std::string, std::set<std::string>> by_person_;
  // unit -> instance id -> its board facts (every instance the store holds, by Entry::unit).
  std::unordered_map<std::string, std::unordered_map<std::string, BoardFact>> board_;
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
};

}  // namespace rectify::api
