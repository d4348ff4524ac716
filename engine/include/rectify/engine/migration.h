// Moving running instances to a new version of their workflow (DESIGN.md section 4: a running
// instance stays on its version unless it is migrated with an explicit state mapping, and
// migration keeps its clocks).
//
//   MigrationRequest req{.workflow = "rectification-item", .from_version = 1, .to_version = 2,
//                        .state_map = {{"rectifying", "rectifying"}, {"verifying", "checking"}}};
//   Result<MigrationReport> done = MigrateInstances(engine, req);
//
// Which instances move: those of `workflow`@`from_version` in a state that is not final (closed
// items stay on the version they closed on, as do instances of every other version). Every state
// of the old version that has such instances must be mapped, and every target must be a state of
// the new version; otherwise kBadInput names each unmapped state with how many instances sit in
// it (or the unknown target), and nothing changes.
//
// Each instance keeps its clocks: the ClockRecord of a state (anchor, budget, pauses,
// extensions, generation) moves to the state it is mapped to, with the reminders sent and the
// escalation steps taken against it, so its deadline is the same before and after. Its timers
// are then re-projected on the new version's reminders and escalation chain by the one
// projection path every event goes through. Each instance gets an audit row `migrated` (from
// version and state to version and state). All instances move in ONE transaction: a concurrent
// change to any of them (kConflict) moves none.
//
// Thread-safety: uses the Engine; one thread.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rectify/engine/engine.h"
#include "rectify/result.h"

namespace rectify::engine {

struct MigrationRequest {
  std::string workflow;
  int from_version = 0;
  int to_version = 0;
  std::map<std::string, std::string> state_map;  // old state id -> new state id
  std::string actor = kSystemActor;              // recorded in the audit rows
  bool dry_run = false;
};

struct MigratedInstance {
  std::string id;
  std::string from_state;
  std::string to_state;
  std::string deadline;  // the running deadline after the move, local ISO 8601; empty if none
};

struct MigrationReport {
  std::vector<MigratedInstance> moved;  // by id (nothing is committed on a dry run)
  std::int64_t left_final = 0;          // instances of from_version in a final state, untouched
};

Result<MigrationReport> MigrateInstances(Engine& engine, const MigrationRequest& request);

}  // namespace rectify::engine
