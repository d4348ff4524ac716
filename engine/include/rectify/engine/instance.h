// An instance of a workflow (an item, a task, a clue, an acceptance) as the engine sees it: the
// stored `InstanceRecord` plus the domain state the engine keeps in its `data_json`.
//
// The domain state is everything the interpreter needs to decide the next step without reading
// anything else: the item's fields (title, responsible person, time limit, workflow fields), one
// deadline clock per state that has a deadline and the calendar version they count on, the
// escalation steps taken, the flags an escalation sets (payment suspended, bulletins, score
// deductions), evidence and signatures, how many times each transition was taken (for
// `at_most`), its schedule of timers (the earliest of them armed in the store), the
// notifications still held back, and the head of its audit hash chain.
//
//   Result<Instance> item = Instance::FromRecord(store.LoadInstance("Q-1").value());
//   item->record.state;           // "rectifying"
//   item->EscalationLevel();      // 2: two steps of the overdue chain taken in this state
//   InstanceRecord r = item->ToRecord();   // data_json is deterministic: same state, same bytes
//
// Serialization is deterministic (fixed key order, sorted maps) so that two engines that compute
// the same state write the same bytes.
//
// Thread-safety: a value; copy it freely.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rectify/instance/deadline_clock.h"
#include "rectify/result.h"
#include "rectify/store.h"
#include "rectify/timestamp.h"

namespace rectify::engine {

// The actor the engine itself uses for timer firings and automatic transitions.
inline constexpr const char* kSystemActor = "system";

struct Evidence {
  Timestamp at;
  std::string by;      // person id
  std::string event;   // the transition it was attached to
  std::string text;    // a file name or a short text
  std::string sha256;  // an uploaded file's content hash (hex); empty for a text or a CLI file
};

// A file uploaded through the API (stored content-addressed, see docs/architecture.md) and
// attached to a command: the audit row records its name and hash, so the hash chain covers it.
struct EvidenceFile {
  std::string name;    // the display name, as uploaded (UTF-8)
  std::string sha256;  // hex of the content
  std::string type;    // the content type found by its bytes
  std::int64_t size = 0;
};

// One escalation step taken.
struct EscalationTaken {
  std::string state;  // the state whose deadline was missed
  int step = 0;       // index in the chain
  std::string step_id;
  std::string measure;  // definition::MeasureName
  Timestamp due;        // when the step fell due
  Timestamp at;         // when it took effect
  bool late = false;    // fired well after `due` (the engine was down)
  std::string task_id;  // the follow-up instance it opened; empty when none
  // Taken by judgment (engine/include/rectify/engine/measures.h): the person who decided and
  // why; empty for a step taken by time.
  std::string by;
  std::string reason;
};

// A measure that lasts (an escalation step with `until:`), taken by time or by judgment: in force
// from `since` until `ended_at`, then kept as history. Counted by measure name and step id.
struct MeasureRecord {
  std::string measure;  // definition::MeasureName ("suspend_payment")
  std::string step_id;
  std::string state;  // the state whose chain it belongs to
  std::string chain;  // name@version
  std::string by;     // the person who decided it; kSystemActor for a step by time
  std::string reason;
  std::string unit_id;                      // the unit that carries it out; empty: not named
  std::vector<std::string> carried_out_by;  // the people told to carry it out
  Timestamp since;
  std::optional<Timestamp> ended_at;  // in force while unset
  std::string ended_by;               // a person id, or kSystemActor for an event of the item
  std::string end_event;              // the item's event that ended it; empty: an explicit act
  std::string end_reason;

  bool in_force() const { return !ended_at.has_value(); }
};

struct ScoreDeduction {
  std::string unit_id;
  double points = 0;  // negative, as written in the chain (-2)
  std::string step_id;
  Timestamp at;
};

// A timer of the instance's schedule that has not fired yet. The schedule holds every reminder
// and escalation step the current clock implies; only the earliest of them (and any already due)
// are armed as durable timers in the store, and each firing arms the next. So an open item costs
// the timer table one row, not one per step, and re-projecting it rewrites one row.
struct PendingTimer {
  std::string name;
  std::int64_t generation = 0;
  Timestamp due;
  bool armed = true;  // a row in the store's timers table (states written before: all armed)
};

// A reminder or escalation notification of the current state, kept until the item leaves the
// state so that it can be cancelled then if it was not delivered yet (the store knows which were).
struct HeldNotice {
  std::string dedup_key;
  Timestamp not_before;
};

// The deadline clock of one state and what has happened against it.
struct StateClock {
  ClockRecord clock;
  std::vector<int> reminders_sent;  // reminder indices sent since the clock (re)started
  int escalation_level = 0;         // steps of the overdue chain taken since it (re)started
};

// Where an instance came from and what it led to (engine/findings.h): on an item, how it was found
// and the finding or public report whose confirmation opened it; on a finding or a report, the
// item its confirmation opened. Empty on instances registered otherwise, and on every instance
// written before the engine kept it.
struct Origin {
  std::string found_by;     // a FoundBy name (findings.h): inspection, public_report, ...
  std::string campaign;     // the campaign of the inspection round
  std::string round;        // the inspection checkpoint's id
  std::string source;       // the finding or report that opened this item
  std::string recorded_by;  // the person who recorded the finding (a person id)
  Timestamp found_at{};     // when the finding was recorded (zero: not known)
  std::string opened;       // on a finding or report: the item its confirmation opened

  bool empty() const {
    return found_by.empty() && campaign.empty() && round.empty() && source.empty() &&
           recorded_by.empty() && found_at == Timestamp{} && opened.empty();
  }
};

struct Instance {
  InstanceRecord record;  // id, workflow@version, campaign, unit, state, version
  std::string org;        // the org tree roles are resolved on
  int org_version = 0;
  std::string title;
  std::string responsible;  // person ids
  std::string registrar;
  std::string owner;
  std::string parent;  // the instance whose escalation opened this one; empty when none
  // The calendar (name@version, "cn@1") its clocks and timers were last projected on; empty for
  // an instance without a calendar, or one written before the engine recorded it.
  std::string calendar;
  // The escalation chain (name@version, "overdue-rectification@1") that runs when a state that
  // escalates (one naming `overdue:`) passes its deadline, in place of the chain that state names.
  // Chosen once, at registration (the registration's own choice, else its campaign's
  // `items.escalation`), so every timer and `item show` use the same one after a restart; empty:
  // each state's own `overdue:` chain (also every instance written before the engine recorded it).
  std::string escalation;
  std::map<std::string, std::string> fields;  // workflow fields, as text (people: comma-separated)
  std::map<std::string, StateClock> clocks;   // by state id
  std::vector<EscalationTaken> escalations;
  std::vector<MeasureRecord> measures;  // measures that last, in force or ended, oldest first
  bool payment_suspended = false;
  std::vector<std::string> bulletins;  // ids of the units whose bulletins name this item's unit
  std::vector<ScoreDeduction> deductions;
  std::vector<Evidence> evidence;
  std::map<std::string, std::vector<std::string>> signatures;  // by state: who signed this visit
  std::map<std::string, int> taken;                            // by event: how many times
  std::vector<PendingTimer> timers;
  std::vector<HeldNotice> held;
  std::int64_t audit_seq = 0;
  std::string audit_head;
  Origin origin;

  // Parses `record.data_json`; kInternal when it is not what the engine wrote.
  static Result<Instance> FromRecord(const InstanceRecord& record);
  // The record with `data_json` rebuilt from the domain state.
  InstanceRecord ToRecord() const;
  std::string DataJson() const;

  // The clock of the current state, if it has one.
  const StateClock* CurrentClock() const;
  // Steps of the overdue chain taken in the current state since its clock (re)started.
  int EscalationLevel() const;
  // The measure of the last step counted by EscalationLevel(); empty when none.
  std::string EscalationMeasure() const;
  // A field's value, or empty.
  std::string Field(const std::string& name) const;
};

// ClockRecord <-> JSON, shared with the instance serializer.
std::string FormatDeadlineSpec(const DeadlineSpec& spec);

}  // namespace rectify::engine
