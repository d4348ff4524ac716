// Moving running instances onto a new version of their calendar (DESIGN.md section 4: changing
// the calendar re-projects every deadline, reminder and escalation step that depends on it).
//
// When the State Council announces a holiday change, `workflows/calendars/cn.yaml` gets the days
// and a new `version:`. A workflow that names `calendar: cn` then counts on the new version, but
// the running instances' timers were armed on the old dates. Each instance records the calendar
// version its clocks were projected on (Instance::calendar); this moves every instance whose
// record differs:
//
//   ReprojectRequest req{.calendar = "cn", .actor = "xs-0003", .reason = "国办发明电〔2017〕9号"};
//   Result<ReprojectReport> done = ReprojectInstances(engine, req);
//   // done->moved[0]: Q-1 rectifying cn@1 -> cn@2, deadline 2017-05-08 -> 2017-05-10
//
// Each moved instance keeps its clocks (anchor, budget, pauses, extensions) and what happened
// against them; the generations are bumped and the timers re-projected by the one projection
// path, so the old timers are cancelled, the new ones armed, and steps already taken and
// reminders already sent are not repeated. Each gets an audit row `calendar_changed` (who, why,
// from and to which version, the deadline before and after); the deadline before is computed on
// the old version, taken from the definition registry when it is no longer loaded. Instances in
// a final state are left alone (their clocks are stopped; a reopen moves them). Campaign runs
// are not instances of a workflow and are not moved. All instances move in ONE transaction: a
// concurrent change to any of them (kConflict) moves none.
//
// The engine also moves an instance by itself, as the system, the next time any event or timer
// touches it (Interpreter::Apply and Fire), so nothing is ever computed on a stale calendar;
// running this after loading a new calendar version moves timers that would otherwise wait for
// their old dates.
//
// Thread-safety: uses the Engine; one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rectify/engine/engine.h"
#include "rectify/result.h"

namespace rectify::engine {

struct ReprojectRequest {
  std::string calendar;              // only instances on this calendar; empty: every calendar
  std::string actor = kSystemActor;  // recorded in the audit rows
  std::string reason;
  bool dry_run = false;
};

struct ReprojectedInstance {
  std::string id;
  std::string state;
  std::string from_calendar;  // "cn@1"
  std::string to_calendar;    // "cn@2"
  // The current state's deadline before and after, local ISO 8601; empty when it has none.
  std::string previous_deadline;
  std::string deadline;
};

struct ReprojectReport {
  std::vector<ReprojectedInstance> moved;  // by id (nothing is committed on a dry run)
  std::int64_t current = 0;                // running instances already on their calendar
  std::int64_t left_final = 0;             // instances in a final state, untouched
};

Result<ReprojectReport> ReprojectInstances(Engine& engine, const ReprojectRequest& request);

}  // namespace rectify::engine
