// The engine service: commands, registrations and timer firings, applied through the pure
// interpreter (interpreter.h) and committed to the Store, each one atomically.
//
//   Engine engine(store, clock, definitions);
//   if (Status s = engine.RegisterDefinitions(); !s) ...     // registry, units, people
//   Result<Instance> item = engine.Register({.id = "Q-1", .workflow = "rectification-item",
//                                            .unit = "niangxi", .responsible = "xs-0012",
//                                            .title = "...", .fields = {{"time_limit", "10wd"}}});
//   engine.Act({.instance_id = "Q-1", .event = "assign", .actor = "xs-0003"});
//   engine.FireDue();          // every timer due at clock.Now(), many instances per commit
//
// Time: the engine reads time only from its `Clock&` (a command happens at clock.Now(); a timer
// fires at clock.Now() and is marked late when that is well after its due time).
//
// Exactly once: a firing claims its timer (TimerFire) in the same commit as its effects, with the
// instance's version checked, so a second engine, a retry or a restart never repeats a step.
// FireDue commits many instances' effects in one ChangeSet; when that commit conflicts it falls
// back to one commit per instance, reloading each, so one conflicting instance does not sink the
// batch.
//
// One way to commit: every effect the engine and the engine's modules write (a registration, a
// command, a firing, a campaign start, a ledger import, a migration, a reprojection, assessments
// and findings) reaches the store through Engine::Commit, never through Store::Commit by hand.
// Commit calls the engine's commit function, by default the store's Commit; SetCommitFunction
// replaces it (to group concurrent commits into one store transaction, or to count them in a
// test). Whatever it does, it must keep Store::Commit's contract: all or nothing, and kConflict /
// kUniqueViolation as the store reports them, since Act retries and FireTimers splits its batch
// on those codes.
//
// Thread-safety: one thread at a time (the Store is one connection). Ownership: the Engine
// borrows the Store and the Clock, which must outlive it, and shares the definitions.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rectify/clock.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/instance.h"
#include "rectify/engine/interpreter.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::engine {

struct FireReport {
  std::int64_t timers = 0;          // timers claimed (including stale ones)
  std::int64_t instances = 0;       // instances whose firings were committed
  std::int64_t skipped = 0;         // timers someone else claimed first
  std::int64_t batches = 0;         // commits
  std::vector<std::string> errors;  // instances that could not be fired, with why
  // What the committed firings did to the timer table, for a scheduler's in-memory horizon: the
  // timers they armed, and the due times of the timers they fired (to measure lateness).
  std::vector<TimerRecord> armed;
  std::vector<Timestamp> fired_due;

  // Adds `other`'s counts and lists to these.
  void Add(const FireReport& other);
};

class Engine {
 public:
  // Applies one ChangeSet to `store` in one transaction (see "One way to commit" above).
  using CommitFunction = std::function<Status(Store& store, const ChangeSet& changes)>;

  Engine(Store& store, Clock& clock, std::shared_ptr<const definition::DefinitionSet> definitions);

  const Interpreter& interpreter() const { return interpreter_; }
  Store& store() { return store_; }
  Clock& clock() { return clock_; }

  // Commits `changes` through the commit function: the one way effects reach the store. An
  // empty ChangeSet is passed on like any other.
  Status Commit(const ChangeSet& changes);
  // Replaces the commit function (null: the store's Commit again).
  void SetCommitFunction(CommitFunction commit);

  // Registers every loaded definition (kind, name, version, content hash, source file text) and,
  // for an org not registered before, its units and people. Idempotent; a definition whose
  // content changed without a new version is kConflict (versions are immutable). The source text
  // is the one the set compiled (DefinitionSet::SourceText), read once when it was loaded; for an
  // upload, exactly the uploaded bytes.
  Status RegisterDefinitions();

  // Registers a new instance at clock.Now() (request.at is ignored). kUniqueViolation when the
  // id exists. Into a started campaign, on the workflow version the campaign pinned
  // (ApplyCampaignPin, campaign.h).
  Result<Instance> Register(NewInstance request);

  // Registers many instances in ONE transaction, all or nothing: each at its own item.at (the
  // Clock's now when unset), followed by its `then` commands, campaign pins applied as Register
  // does. kUniqueViolation when an id exists.
  Result<std::vector<Instance>> RegisterMany(const std::vector<Registration>& batch);

  // Applies a person's command at clock.Now() (command.at is ignored). Retries on a version
  // conflict with the instance reloaded (the checks run again on what is current).
  Result<Instance> Act(Command command);
  // The same on `current`, the instance as the caller has just read it (the API reads it to
  // decide access), without reading it again. The commit still checks its version: a write in
  // between is a conflict (retried from a fresh read unless command.expected_version is set).
  Result<Instance> Act(Command command, Instance current);

  Result<Instance> Load(const std::string& id);

  // Fires the timers due at clock.Now(), at most `limit` of them.
  Result<FireReport> FireDue(std::int64_t limit = 1000);
  // Fires these timers (as DueTimers or ClaimDue returned them) at clock.Now(). The instances are
  // loaded in one query and their effects committed in one transaction. Timers that carry a
  // lease token (ClaimDue) are fired fenced: if another node took the lease over, they are
  // skipped, not fired twice. When the commit conflicts, the batch is halved until the instances
  // at fault are found, and only those are fired again from what the store holds.
  Result<FireReport> FireTimers(const std::vector<TimerRecord>& due);

 private:
  Result<Instance> ActFrom(Command command, std::optional<Instance> current);
  Result<Effects> FireGroup(const std::string& instance_id, const std::vector<TimerRecord>& due,
                            bool recheck, const InstanceRecord* loaded);
  Status CommitFirings(const std::vector<std::string>& ids, std::vector<Effects>& effects,
                       std::size_t from, std::size_t to,
                       std::map<std::string, std::vector<TimerRecord>>& groups,
                       const std::vector<TimerRecord>& due, FireReport& report);

  Store& store_;
  Clock& clock_;
  std::shared_ptr<const definition::DefinitionSet> definitions_;
  Interpreter interpreter_;
  CommitFunction commit_;
};

// Runs `engine` on `clock` up to `target`: moves the virtual clock to each due timer in turn and
// fires what is due there, so every firing happens at its own due time (never late). Timers a
// firing arms (a follow-up task's reminders) fire too when they fall due by `target`.
Result<FireReport> RunUntil(Engine& engine, VirtualClock& clock, boost::asio::io_context& io,
                            Timestamp target);

}  // namespace rectify::engine
