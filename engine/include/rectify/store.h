// The Store: everything the engine keeps, behind one narrow interface.
//
// A Store holds the definition registry, the org tree (units and people), workflow instances, the
// durable timers, the notification outbox and the append-only audit log. It is an interface so
// the engine stays free of I/O; `rectify::store_soci::OpenStore()` (adapters/store/soci/) gives the
// SQLite and PostgreSQL implementations, and the one contract suite (tests/store/) holds both to
// the same behaviour.
//
// Writes go through one door: the engine gathers everything a batch of work changes into a
// `ChangeSet` and calls `Commit()`, which applies it in ONE transaction, all or nothing. That is
// how a transition stays atomic (state, audit rows, timers and outbox rows together) and how the
// engine goes fast (many instances' effects per transaction, one statement per table on
// PostgreSQL). Commit refuses the whole batch, changing nothing, when
//   - an instance update's expected version is not the stored one           -> kConflict
//   - a timer firing finds the timer not pending (already fired, cancelled
//     or missing): the firing was claimed by someone else; exactly once      -> kConflict
//   - an outbox update names a row that does not exist                      -> kNotFound
//   - a definition is registered again under the same kind, name and
//     version with different content (versions are immutable)               -> kConflict
//   - a row with the same key exists (an instance id, a timer key, an
//     audit sequence number)                                                -> kUniqueViolation
//   - the database is unreachable                                           -> kUnavailable
//
// Time: every instant is a `Timestamp` (UTC, microseconds) and is stored as BIGINT microseconds
// since the Unix epoch (`ToMicros`/`FromMicros` in clock.h). The store never reads a clock; the
// caller passes every instant in.
//
// JSON fields (`*_json`) are opaque text to the store and are kept byte for byte, so hashes that
// callers compute over them (the audit chain) still verify after a round trip.
//
// Thread-safety: a Store is one database connection. Use it from one thread at a time; open one
// Store per database thread. Ownership: the caller owns the Store (a unique_ptr from OpenStore);
// records are plain values copied in and out.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rectify/result.h"
#include "rectify/timestamp.h"

namespace rectify {

// One loaded definition (YAML) in the registry, keyed by (kind, name, version). Kinds without a
// version use version 0.
struct DefinitionRecord {
  std::string kind;  // "workflow", "calendar", "escalation", "campaign", "org", ...
  std::string name;
  std::int64_t version = 0;
  std::string content_hash;  // of `source`, computed by the caller (hex SHA-256)
  std::string source;        // the YAML text as loaded
  Timestamp registered_at;
};

// A unit of the org tree: a county, a township, a department, a village team.
struct UnitRecord {
  std::string id;
  std::string parent_id;  // empty for a root
  std::string kind;       // "county", "township", "department", ...
  std::string name;
  std::string contacts_json = "{}";
  Timestamp updated_at;
};

// A person, who belongs to one unit and holds roles there.
struct PersonRecord {
  std::string id;
  std::string unit_id;
  std::string name;
  std::vector<std::string> roles;  // "leader", "head", "inspector", ...
  std::string contacts_json = "{}";
  std::string language = "zh";
  Timestamp updated_at;
};

// A running (or finished) instance of a workflow: an item, a task, a campaign.
struct InstanceRecord {
  std::string id;
  std::string workflow;
  std::int64_t workflow_version = 0;
  std::string campaign;  // empty when none
  std::string unit_id;   // the responsible unit; empty when none
  std::string state;
  std::string data_json = "{}";
  // Optimistic concurrency: 1 after the insert, one more after each update. Commit sets it.
  std::int64_t version = 0;
  Timestamp created_at;
  Timestamp updated_at;
  // What item lists filter on without reading data_json, written by the engine with every change
  // (docs/architecture.md, "Listing items"): when the current state's time limit ends (none
  // without a clock; for a paused clock, where it stood at the change, which is never later than
  // it will be), the escalation steps taken in that state, and -1 for a row written before the
  // engine kept these (such rows are candidates of every list until they are projected).
  std::optional<Timestamp> due_at;
  std::int64_t escalation_level = -1;
  // Everyone the item names (responsible, registrar, owner, person fields), kept in the store's
  // instance_people so a person's list finds what names them outside their units. Set only when
  // it must be written (a new row, a change of the people, a row not projected before); nullopt
  // leaves the stored people as they are. Not read back by the store.
  std::optional<std::vector<std::string>> people;
};

// A durable timer is named by its instance, a name the engine chooses ("deadline",
// "remind:-5wd", "escalate:2") and a generation. A changed deadline arms a new generation, so a
// stale timer can never be claimed by mistake for the new one.
struct TimerKey {
  std::string instance_id;
  std::string name;
  std::int64_t generation = 0;
  bool operator==(const TimerKey&) const = default;
};

enum class TimerState { kPending, kFired, kCancelled };

struct TimerRecord {
  TimerKey key;
  Timestamp due_at;
  TimerState state = TimerState::kPending;
  std::optional<Timestamp> fired_at;  // when the firing was claimed (committed)
  std::int64_t lease_token = 0;       // the lease ClaimDue gave it (0 when read otherwise)
};

// A notification waiting to be sent, or its fate. The dispatcher reads pending rows and records
// each attempt with an OutboxUpdate.
enum class OutboxState { kPending, kSent, kDead, kCancelled };

struct OutboxRecord {
  std::int64_t id = 0;      // assigned by the store
  std::string dedup_key;    // unique: enqueueing an existing key again is silently skipped
  std::string instance_id;  // empty when none
  std::string channel;      // "email", "sms", "bulletin", ...
  std::string recipient;
  std::string template_name;
  std::string payload_json = "{}";
  Timestamp not_before;  // held back until then (working hours)
  OutboxState state = OutboxState::kPending;
  std::int64_t attempts = 0;
  Timestamp next_attempt_at;  // equal to not_before until an attempt fails
  std::string last_error;
  Timestamp created_at;
};

// One row of an instance's audit log. `seq` counts from 1 per instance; the hash chain
// (prev_hash, hash) is computed by the caller and only kept here.
struct AuditRecord {
  std::string instance_id;
  std::int64_t seq = 0;
  Timestamp at;
  std::string actor;
  std::string event;
  std::string from_state;
  std::string to_state;
  std::string reason;
  std::string data_json = "{}";
  std::string prev_hash;
  std::string hash;
};

// An instance update: the record's new contents, applied only if the stored version is
// `expected_version`. The stored version becomes expected_version + 1.
struct InstanceUpdate {
  InstanceRecord record;
  std::int64_t expected_version = 0;
};

// Cancels pending timers of an instance: one generation of one name, every generation of a name
// (no generation), or every pending timer of the instance (empty name). Cancelling what is not
// pending is not an error: the item moved on either way.
struct TimerCancel {
  std::string instance_id;
  std::string name;
  std::optional<std::int64_t> generation;
};

// Claims a pending timer: it becomes fired at `fired_at`. A timer that is not pending makes the
// whole commit fail with kConflict. With a `lease_token` (from ClaimDue) the firing is fenced: it
// commits only while the timer still holds that lease's token, so a node that lost its lease (it
// was paused, another node claimed the timer again) cannot commit; that is kConflict too.
struct TimerFire {
  TimerKey key;
  Timestamp fired_at;
  std::int64_t lease_token = 0;  // 0: not fenced (a single engine, a test)
};

// Records a delivery attempt or a cancellation on an outbox row, by its dedup key.
struct OutboxUpdate {
  std::string dedup_key;
  OutboxState state = OutboxState::kPending;
  std::int64_t attempts = 0;
  Timestamp next_attempt_at;
  std::string last_error;
};

// Everything one transaction changes. Commit applies the parts in this order: definitions,
// units, people, instance inserts, instance updates, timer cancels, timer fires, timer arms,
// outbox inserts, outbox updates, audit appends. So a batch may cancel generation 1 of a timer
// and arm generation 2, or fire a timer and arm the next one, and an instance inserted in a batch
// may get its timers and audit rows in the same batch.
struct ChangeSet {
  std::vector<DefinitionRecord> definitions;
  std::vector<UnitRecord> units;     // upserts by id
  std::vector<PersonRecord> people;  // upserts by id
  std::vector<InstanceRecord> instance_inserts;
  std::vector<InstanceUpdate> instance_updates;
  std::vector<TimerCancel> timer_cancels;
  std::vector<TimerFire> timer_fires;
  std::vector<TimerRecord> timer_arms;       // inserted pending; fired_at is ignored
  std::vector<OutboxRecord> outbox_inserts;  // id, state, attempts and last_error are ignored
  std::vector<OutboxUpdate> outbox_updates;
  std::vector<AuditRecord> audit_appends;

  bool empty() const;
  // The number of rows this change set writes (for metrics and batch sizing).
  std::size_t size() const;
};

struct InstanceFilter {
  std::optional<std::string> campaign;
  std::optional<std::string> unit_id;
  std::optional<std::string> state;
  std::optional<std::string> workflow;
  std::string after_id;  // paging: only ids greater than this
  std::int64_t limit = 1000;
  // Narrowing for item lists, on the projected columns (see InstanceRecord::due_at). Every one of
  // these keeps the rows not projected yet (escalation_level -1), so a list that checks each row
  // itself afterwards never misses one; they only spare it reading the rest.
  std::optional<std::vector<std::string>> units;  // unit_id is one of these
  // A reader's scope: the unit is one of `scope_units` or the item names `scope_person`.
  std::optional<std::vector<std::string>> scope_units;
  std::string scope_person;
  std::optional<Timestamp> due_at_or_before;  // has a time limit ending at or before this
  std::optional<std::int64_t> escalation_level, min_escalation_level;
  bool not_projected = false;  // only rows written before the projection (escalation_level -1)
};

// What `rectify status` shows.
struct StoreCounts {
  std::int64_t definitions = 0;
  std::int64_t units = 0;
  std::int64_t people = 0;
  std::int64_t instances = 0;
  std::int64_t pending_timers = 0;
  std::map<std::string, std::int64_t> outbox_by_state;  // "pending", "sent", ...; absent = 0
  std::int64_t audit_rows = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies `changes` in one transaction, all or nothing (see the top of this file).
  virtual Status Commit(const ChangeSet& changes) = 0;

  // Instances. LoadInstance is kNotFound when there is no such id. ListInstances is ordered by id.
  virtual Result<InstanceRecord> LoadInstance(const std::string& id) = 0;
  virtual Result<std::vector<InstanceRecord>> ListInstances(const InstanceFilter& filter) = 0;
  // The instances with these ids, in one query, ordered by id; ids that do not exist are absent.
  virtual Result<std::vector<InstanceRecord>> LoadInstances(
      const std::vector<std::string>& ids) = 0;
  // Writes the projected columns (due_at, escalation_level, people) of rows written before the
  // engine kept them, changing nothing else (not the version: nothing happened to the item).
  // Rows that were projected meanwhile are left alone.
  virtual Status WriteProjections(const std::vector<InstanceRecord>& records) = 0;

  // Pending timers due at or before `up_to`, earliest first (ties by instance, name, generation).
  virtual Result<std::vector<TimerRecord>> DueTimers(Timestamp up_to, std::int64_t limit) = 0;
  // Leases up to `limit` pending timers due at or before `now` to `owner` until `lease_until`,
  // earliest first, under one fresh lease token (returned in each record), and commits the lease.
  // A timer is free to claim when it has no lease, its lease has run out, or `owner` holds it
  // already (a worker that lost its connection takes its own work back). On PostgreSQL concurrent
  // claims skip each other's rows (FOR UPDATE SKIP LOCKED), so nodes never claim the same timer
  // at once. A claim is not a firing: the firing commits later with TimerFire::lease_token, and a
  // node that dies leaves its leases to run out for another node to take.
  virtual Result<std::vector<TimerRecord>> ClaimDue(Timestamp now, std::int64_t limit,
                                                    const std::string& owner,
                                                    Timestamp lease_until) = 0;
  // Every timer of an instance, in any state, by name and generation.
  virtual Result<std::vector<TimerRecord>> TimersOf(const std::string& instance_id) = 0;

  // Pending outbox rows whose next attempt is due at or before `now`, oldest first.
  virtual Result<std::vector<OutboxRecord>> PendingOutbox(Timestamp now, std::int64_t limit) = 0;

  // An instance's audit rows in sequence order.
  virtual Result<std::vector<AuditRecord>> AuditOf(const std::string& instance_id) = 0;

  // The registry. LoadDefinition is kNotFound when absent; LatestDefinition picks the highest
  // version of (kind, name).
  virtual Result<DefinitionRecord> LoadDefinition(const std::string& kind, const std::string& name,
                                                  std::int64_t version) = 0;
  virtual Result<DefinitionRecord> LatestDefinition(const std::string& kind,
                                                    const std::string& name) = 0;

  // The org tree, ordered by id.
  virtual Result<std::vector<UnitRecord>> ListUnits() = 0;
  virtual Result<std::vector<PersonRecord>> ListPeople() = 0;

  virtual Result<StoreCounts> Counts() = 0;
};

// The names stored in the `state` columns: "pending", "fired", "cancelled"; "pending", "sent",
// "dead", "cancelled".
std::string_view TimerStateName(TimerState state);
Result<TimerState> ParseTimerState(std::string_view name);
std::string_view OutboxStateName(OutboxState state);
Result<OutboxState> ParseOutboxState(std::string_view name);

}  // namespace rectify
