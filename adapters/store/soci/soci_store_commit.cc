// SociStore::Commit: one transaction, one batched statement per table (see batch.h).
#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "adapters/store/soci/batch.h"
#include "adapters/store/soci/soci_store.h"

namespace rectify::store_soci {
namespace {

std::string Int(std::int64_t v) { return std::to_string(v); }
std::string Micros(Timestamp t) { return std::to_string(ToMicros(t)); }

std::string RolesJson(const std::vector<std::string>& roles) {
  boost::json::array a;
  for (const auto& r : roles) a.emplace_back(r);
  return boost::json::serialize(a);
}

std::string TimerLabel(const TimerKey& k) {
  return "'" + k.name + "' (generation " + Int(k.generation) + ") of instance '" + k.instance_id +
         "'";
}

// Checks what the database cannot check the same way on both dialects (a row-by-row SQLite
// statement would happily apply two updates that one PostgreSQL statement would not).
Status Validate(const ChangeSet& c) {
  std::set<std::string> ids;
  for (const auto& u : c.instance_updates) {
    if (!ids.insert(u.record.id).second) {
      return Error::BadInput("instance '" + u.record.id +
                             "' is updated twice in one change set; merge the updates");
    }
  }
  std::set<std::string> fires;
  for (const auto& f : c.timer_fires) {
    Row key{f.key.instance_id, f.key.name, Int(f.key.generation)};
    if (!fires.insert(KeyOf(key, 3)).second) {
      return Error::Conflict("timer " + TimerLabel(f.key) +
                             " is fired twice in one change set; a timer fires once");
    }
  }
  std::set<std::string> outbox;
  for (const auto& u : c.outbox_updates) {
    if (!outbox.insert(u.dedup_key).second) {
      return Error::BadInput("outbox row '" + u.dedup_key +
                             "' is updated twice in one change set; merge the updates");
    }
  }
  return OkStatus();
}

// The rows whose keys are missing from `changed`, in batch order.
std::vector<const Row*> Unchanged(const std::vector<Row>& rows,
                                  const std::vector<std::string>& changed, int key_columns) {
  std::set<std::string> done(changed.begin(), changed.end());
  std::vector<const Row*> out;
  for (const Row& r : rows) {
    if (!done.contains(KeyOf(r, key_columns))) out.push_back(&r);
  }
  return out;
}

// A record's due_at as its column holds it (NULL without a time limit).
Value DueAt(const InstanceRecord& i) {
  return i.due_at ? Value(Micros(*i.due_at)) : Value(std::nullopt);
}

}  // namespace

Status SociStore::Commit(const ChangeSet& changes) {
  if (changes.empty()) return OkStatus();
  if (Status s = Validate(changes); !s) return s;
  if (Status s = db_->BeginWrite(); !s) return s.error().WithContext("commit: begin");
  auto rollback = [this] { db_->Rollback(); };
  try {
    Status s = PutDefinitions(changes);
    if (s) {
      PutUnits(changes);
      PutPeople(changes);
      InsertInstances(changes);
      s = UpdateInstances(changes);
    }
    if (s) PutInstancePeople(changes);
    if (s) {
      CancelTimers(changes);
      s = FireTimers(changes);
    }
    if (s) {
      ArmTimers(changes);
      InsertOutbox(changes);
      s = UpdateOutbox(changes);
    }
    if (s) AppendAudit(changes);
    if (!s) {
      rollback();
      return s;
    }
  } catch (const std::exception& e) {
    Error err = db_->MapError(e, "commit");
    rollback();
    return err;
  }
  if (Status s = db_->Commit(); !s) {
    rollback();
    return Error(
        s.error().code() == ErrorCode::kInternal ? ErrorCode::kUnavailable : s.error().code(),
        "commit: " + s.error().message());
  }
  return OkStatus();
}

Status SociStore::PutDefinitions(const ChangeSet& c) {
  if (c.definitions.empty()) return OkStatus();
  std::vector<Row> rows;
  for (const auto& d : c.definitions) {
    rows.push_back(
        {d.kind, d.name, Int(d.version), d.content_hash, d.source, Micros(d.registered_at)});
  }
  RunBatch(*db_,
           {"INSERT INTO definitions (kind, name, version, content_hash, source, registered_at) "
            "SELECT * FROM unnest(:c0::text[], :c1::text[], :c2::bigint[], :c3::text[], "
            ":c4::text[], :c5::bigint[]) ON CONFLICT (kind, name, version) DO NOTHING",
            "INSERT INTO definitions (kind, name, version, content_hash, source, registered_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (kind, name, version) DO NOTHING"},
           rows);
  // Versions are immutable: the same key must carry the same content. Definitions are few and
  // rarely written, so one look-up each is fine.
  for (const auto& d : c.definitions) {
    std::string stored;
    long long version = d.version;
    db_->session() << "SELECT content_hash FROM definitions "
                      "WHERE kind = :k AND name = :n AND version = :v",
        soci::use(d.kind), soci::use(d.name), soci::use(version), soci::into(stored);
    if (stored != d.content_hash) {
      return Error::Conflict(d.kind + " '" + d.name + "' version " + Int(d.version) +
                             " is already registered with different content; give the changed "
                             "definition a new version");
    }
  }
  return OkStatus();
}

void SociStore::PutUnits(const ChangeSet& c) {
  if (c.units.empty()) return;
  std::map<std::string, const UnitRecord*> last;  // a batch may upsert an id twice: last wins
  for (const auto& u : c.units) last[u.id] = &u;
  std::vector<Row> rows;
  for (const auto& [id, u] : last) {
    rows.push_back(
        {u->id, u->parent_id, u->kind, u->name, u->contacts_json, Micros(u->updated_at)});
  }
  const char* kUpdate =
      " ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id, kind = excluded.kind, "
      "name = excluded.name, contacts = excluded.contacts, updated_at = excluded.updated_at";
  RunBatch(*db_,
           {std::string("INSERT INTO units (id, parent_id, kind, name, contacts, updated_at) "
                        "SELECT * FROM unnest(:c0::text[], :c1::text[], :c2::text[], :c3::text[], "
                        ":c4::text[], :c5::bigint[])") +
                kUpdate,
            std::string("INSERT INTO units (id, parent_id, kind, name, contacts, updated_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)") +
                kUpdate},
           rows);
}

void SociStore::PutPeople(const ChangeSet& c) {
  if (c.people.empty()) return;
  std::map<std::string, const PersonRecord*> last;
  for (const auto& p : c.people) last[p.id] = &p;
  std::vector<Row> rows;
  for (const auto& [id, p] : last) {
    rows.push_back({p->id, p->unit_id, p->name, RolesJson(p->roles), p->contacts_json, p->language,
                    Micros(p->updated_at)});
  }
  const char* kUpdate =
      " ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, name = excluded.name, "
      "roles = excluded.roles, contacts = excluded.contacts, language = excluded.language, "
      "updated_at = excluded.updated_at";
  RunBatch(*db_,
           {std::string("INSERT INTO people (id, unit_id, name, roles, contacts, language, "
                        "updated_at) SELECT * FROM unnest(:c0::text[], :c1::text[], :c2::text[], "
                        ":c3::text[], :c4::text[], :c5::text[], :c6::bigint[])") +
                kUpdate,
            std::string("INSERT INTO people (id, unit_id, name, roles, contacts, language, "
                        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)") +
                kUpdate},
           rows);
}

void SociStore::InsertInstances(const ChangeSet& c) {
  if (c.instance_inserts.empty()) return;
  std::vector<Row> rows;
  for (const auto& i : c.instance_inserts) {
    rows.push_back({i.id, i.workflow, Int(i.workflow_version), i.campaign, i.unit_id, i.state,
                    i.data_json, Micros(i.created_at), Micros(i.updated_at), DueAt(i),
                    Int(i.escalation_level)});
  }
  RunBatch(
      *db_,
      {"INSERT INTO instances (id, workflow, workflow_version, campaign, unit_id, state, data, "
       "created_at, updated_at, due_at, escalation_level, version, projected) SELECT u.*, 1, 1 "
       "FROM "
       "unnest(:c0::text[], :c1::text[], :c2::bigint[], :c3::text[], :c4::text[], :c5::text[], "
       ":c6::text[], :c7::bigint[], :c8::bigint[], :c9::bigint[], :c10::bigint[]) AS u",
       "INSERT INTO instances (id, workflow, workflow_version, campaign, unit_id, state, data, "
       "created_at, updated_at, due_at, escalation_level, version, projected) VALUES (?1, ?2, "
       "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, 1)"},
      rows);
}

Status SociStore::UpdateInstances(const ChangeSet& c) {
  if (c.instance_updates.empty()) return OkStatus();
  std::vector<Row> rows;
  for (const auto& u : c.instance_updates) {
    const InstanceRecord& i = u.record;
    rows.push_back({i.id, i.workflow, Int(i.workflow_version), i.campaign, i.unit_id, i.state,
                    i.data_json, Micros(i.updated_at), Int(u.expected_version),
                    Int(u.expected_version + 1), DueAt(i), Int(i.escalation_level)});
  }
  // SQLite rewrites every index whose columns a statement assigns, changed or not; most updates
  // (a timer firing, a reminder) change only the state text. So it first tries the update that
  // assigns nothing indexed, for rows whose other columns are as they were, and runs the full one
  // for the rest. PostgreSQL compares the values itself (and keeps the update HOT when it can).
  std::vector<std::string> light;
  std::vector<Row> heavy_rows;
  const std::vector<Row>* heavy = &rows;
  if (!db_->is_postgres()) {
    light = RunBatch(*db_,
                     {"",
                      "UPDATE instances SET data = ?7, updated_at = ?8, version = ?10, "
                      "escalation_level = ?12 WHERE id = ?1 AND version = ?9 AND "
                      "workflow = ?2 AND workflow_version = ?3 AND campaign = ?4 AND "
                      "unit_id = ?5 AND state = ?6 AND due_at IS ?11 AND projected = 1"},
                     rows, 1);
    if (light.size() == rows.size()) return OkStatus();
    for (const Row* r : Unchanged(rows, light, 1)) heavy_rows.push_back(*r);
    heavy = &heavy_rows;
  }
  auto changed = RunBatch(
      *db_,
      {"UPDATE instances AS i SET workflow = u.workflow, workflow_version = u.workflow_version, "
       "campaign = u.campaign, unit_id = u.unit_id, state = u.state, data = u.data, "
       "updated_at = u.updated_at, version = u.next_version, due_at = u.due_at, "
       "escalation_level = u.escalation_level, projected = 1 "
       "FROM unnest(:c0::text[], :c1::text[], :c2::bigint[], :c3::text[], :c4::text[], "
       ":c5::text[], :c6::text[], :c7::bigint[], :c8::bigint[], :c9::bigint[], :c10::bigint[], "
       ":c11::bigint[]) AS u(id, workflow, workflow_version, campaign, unit_id, state, data, "
       "updated_at, expected, next_version, due_at, escalation_level) "
       "WHERE i.id = u.id AND i.version = u.expected RETURNING i.id",
       "UPDATE instances SET workflow = ?2, workflow_version = ?3, campaign = ?4, unit_id = ?5, "
       "state = ?6, data = ?7, updated_at = ?8, version = ?10, due_at = ?11, "
       "escalation_level = ?12, projected = 1 WHERE id = ?1 AND version = ?9"},
      *heavy, 1);
  if (changed.size() == heavy->size()) return OkStatus();
  const Row& missed = *Unchanged(*heavy, changed, 1).front();
  const std::string& id = *missed[0];
  long long stored = 0;
  soci::indicator found = soci::i_null;
  db_->session() << "SELECT version FROM instances WHERE id = :id", soci::use(id),
      soci::into(stored, found);
  if (!db_->session().got_data()) {
    return Error::NotFound("instance '" + id + "' does not exist, so it cannot be updated");
  }
  return Error::Conflict("instance '" + id + "' was changed by someone else (it is at version " +
                         Int(stored) + ", this change expected " + *missed[8] +
                         "); reload it and retry");
}

Status SociStore::WriteProjections(const std::vector<InstanceRecord>& records) {
  if (records.empty()) return OkStatus();
  if (Status s = db_->BeginWrite(); !s) return s.error().WithContext("project: begin");
  try {
    std::vector<Row> rows;
    for (const auto& i : records) rows.push_back({i.id, DueAt(i), Int(i.escalation_level)});
    auto changed = RunBatch(
        *db_,
        {"UPDATE instances AS i SET due_at = u.due_at, escalation_level = u.escalation_level, "
         "projected = 1 FROM unnest(:c0::text[], :c1::bigint[], :c2::bigint[]) AS u(id, due_at, "
         "escalation_level) WHERE i.id = u.id AND i.projected = 0 RETURNING i.id",
         "UPDATE instances SET due_at = ?2, escalation_level = ?3, projected = 1 WHERE id = ?1 "
         "AND projected = 0"},
        rows, 1);
    std::set<std::string> done(changed.begin(), changed.end());
    ChangeSet people;
    for (const auto& i : records) {
      if (done.contains(i.id)) people.instance_updates.push_back({i, 0});
    }
    PutInstancePeople(people);
  } catch (const std::exception& e) {
    Error err = db_->MapError(e, "project");
    db_->Rollback();
    return err;
  }
  if (Status s = db_->Commit(); !s) {
    db_->Rollback();
    return s.error().WithContext("project");
  }
  return OkStatus();
}

void SociStore::PutInstancePeople(const ChangeSet& c) {
  std::vector<Row> gone, named;
  auto add = [&](const InstanceRecord& i) {
    if (!i.people) return;
    gone.push_back({i.id});
    for (const auto& person : *i.people) named.push_back({person, i.id});
  };
  for (const auto& i : c.instance_inserts) add(i);
  for (const auto& u : c.instance_updates) add(u.record);
  if (gone.empty()) return;
  RunBatch(*db_,
           {"DELETE FROM instance_people WHERE instance_id = ANY(:c0::text[])",
            "DELETE FROM instance_people WHERE instance_id = ?1"},
           gone);
  if (named.empty()) return;
  RunBatch(*db_,
           {"INSERT INTO instance_people (person, instance_id) SELECT * FROM unnest(:c0::text[], "
            ":c1::text[]) ON CONFLICT DO NOTHING",
            "INSERT OR IGNORE INTO instance_people (person, instance_id) VALUES (?1, ?2)"},
           named);
}

void SociStore::CancelTimers(const ChangeSet& c) {
  if (c.timer_cancels.empty()) return;
  std::vector<Row> rows;
  for (const auto& t : c.timer_cancels) {
    rows.push_back(
        {t.instance_id, t.name, t.generation ? Value(Int(*t.generation)) : Value(std::nullopt)});
  }
  RunBatch(*db_,
           {"UPDATE timers AS t SET state = 'cancelled' FROM unnest(:c0::text[], :c1::text[], "
            ":c2::bigint[]) AS u(instance_id, name, generation) WHERE t.state = 'pending' AND "
            "t.instance_id = u.instance_id AND (u.name = '' OR t.name = u.name) AND "
            "(u.generation IS NULL OR t.generation = u.generation)",
            "UPDATE timers SET state = 'cancelled' WHERE state = 'pending' AND instance_id = ?1 "
            "AND (?2 = '' OR name = ?2) AND (?3 IS NULL OR generation = ?3)"},
           rows);
}

Status SociStore::FireTimers(const ChangeSet& c) {
  if (c.timer_fires.empty()) return OkStatus();
  std::vector<Row> rows;
  for (const auto& f : c.timer_fires) {
    rows.push_back({f.key.instance_id, f.key.name, Int(f.key.generation), Micros(f.fired_at),
                    Int(f.lease_token)});
  }
  // A fenced firing (lease_token != 0) also needs the timer to still hold that lease's token.
  auto changed = RunBatch(
      *db_,
      {"UPDATE timers AS t SET state = 'fired', fired_at = u.fired_at FROM unnest(:c0::text[], "
       ":c1::text[], :c2::bigint[], :c3::bigint[], :c4::bigint[]) AS u(instance_id, name, "
       "generation, fired_at, token) WHERE t.instance_id = u.instance_id AND t.name = u.name AND "
       "t.generation = u.generation AND t.state = 'pending' AND (u.token = 0 OR t.lease_token = "
       "u.token) RETURNING t.instance_id || chr(31) || t.name || chr(31) || t.generation::text",
       "UPDATE timers SET state = 'fired', fired_at = ?4 WHERE instance_id = ?1 AND name = ?2 AND "
       "generation = ?3 AND state = 'pending' AND (CAST(?5 AS INTEGER) = 0 OR lease_token = "
       "CAST(?5 AS INTEGER))"},
      rows, 3);
  if (changed.size() == rows.size()) return OkStatus();
  const Row& missed = *Unchanged(rows, changed, 3).front();
  TimerKey key{*missed[0], *missed[1], std::stoll(*missed[2])};
  std::string state;
  long long generation = key.generation;
  long long token = 0;
  soci::indicator token_null = soci::i_null;
  db_->session() << "SELECT state, lease_token FROM timers WHERE instance_id = :i AND name = :n "
                    "AND generation = :g",
      soci::use(key.instance_id), soci::use(key.name), soci::use(generation), soci::into(state),
      soci::into(token, token_null);
  if (!db_->session().got_data()) state = "missing";
  if (state == "pending") {
    return Error::Conflict("timer " + TimerLabel(key) + " cannot fire: its lease was taken over " +
                           "(token " + (token_null == soci::i_ok ? std::to_string(token) : "none") +
                           " now, not " + *missed[4] + "); the node holding it fires it");
  }
  return Error::Conflict("timer " + TimerLabel(key) + " cannot fire: it is " + state +
                         " (its firing was claimed already, or it was cancelled)");
}

void SociStore::ArmTimers(const ChangeSet& c) {
  if (c.timer_arms.empty()) return;
  std::vector<Row> rows;
  for (const auto& t : c.timer_arms) {
    rows.push_back({t.key.instance_id, t.key.name, Int(t.key.generation), Micros(t.due_at)});
  }
  RunBatch(*db_,
           {"INSERT INTO timers (instance_id, name, generation, due_at, state) "
            "SELECT u.*, 'pending' FROM unnest(:c0::text[], :c1::text[], :c2::bigint[], "
            ":c3::bigint[]) AS u",
            "INSERT INTO timers (instance_id, name, generation, due_at, state) "
            "VALUES (?1, ?2, ?3, ?4, 'pending')"},
           rows);
}

void SociStore::InsertOutbox(const ChangeSet& c) {
  if (c.outbox_inserts.empty()) return;
  std::vector<Row> rows;
  for (const auto& o : c.outbox_inserts) {
    rows.push_back({o.dedup_key, o.instance_id, o.channel, o.recipient, o.template_name,
                    o.payload_json, Micros(o.not_before), Micros(o.created_at)});
  }
  RunBatch(*db_,
           {"INSERT INTO outbox (dedup_key, instance_id, channel, recipient, template, payload, "
            "not_before, created_at, state, attempts, next_attempt_at, last_error) "
            "SELECT u.*, 'pending', 0, u.not_before, '' FROM unnest(:c0::text[], :c1::text[], "
            ":c2::text[], :c3::text[], :c4::text[], :c5::text[], :c6::bigint[], :c7::bigint[]) "
            "AS u(dedup_key, instance_id, channel, recipient, template, payload, not_before, "
            "created_at) ON CONFLICT (dedup_key) DO NOTHING",
            "INSERT INTO outbox (dedup_key, instance_id, channel, recipient, template, payload, "
            "not_before, created_at, state, attempts, next_attempt_at, last_error) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', 0, ?7, '') "
            "ON CONFLICT (dedup_key) DO NOTHING"},
           rows);
}

Status SociStore::UpdateOutbox(const ChangeSet& c) {
  if (c.outbox_updates.empty()) return OkStatus();
  std::vector<Row> rows, cancels;
  for (const auto& u : c.outbox_updates) {
    if (u.state == OutboxState::kCancelled) {
      cancels.push_back({u.dedup_key, u.last_error});
      continue;
    }
    rows.push_back({u.dedup_key, std::string(OutboxStateName(u.state)), Int(u.attempts),
                    Micros(u.next_attempt_at), u.last_error});
  }
  // The engine cancels what it queued for a state the item left: only a row not delivered yet
  // (pending: queued, waiting to retry, or under a dispatcher's lease) is cancelled, and keeps its
  // attempts; a sent, dead or cancelled row is left as it is. A dispatcher that was sending it
  // still records 'sent' if it went out (SociOutboxStore::Finish), and nothing else.
  if (!cancels.empty()) {
    RunBatch(*db_,
             {"UPDATE outbox AS o SET state = 'cancelled', last_error = u.last_error FROM "
              "unnest(:c0::text[], :c1::text[]) AS u(dedup_key, last_error) WHERE o.dedup_key = "
              "u.dedup_key AND o.state = 'pending'",
              "UPDATE outbox SET state = 'cancelled', last_error = ?2 WHERE dedup_key = ?1 AND "
              "state = 'pending'"},
             cancels);
  }
  if (rows.empty()) return OkStatus();
  auto changed = RunBatch(
      *db_,
      {"UPDATE outbox AS o SET state = u.state, attempts = u.attempts, "
       "next_attempt_at = u.next_attempt_at, last_error = u.last_error FROM unnest(:c0::text[], "
       ":c1::text[], :c2::bigint[], :c3::bigint[], :c4::text[]) AS u(dedup_key, state, attempts, "
       "next_attempt_at, last_error) WHERE o.dedup_key = u.dedup_key RETURNING o.dedup_key",
       "UPDATE outbox SET state = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5 "
       "WHERE dedup_key = ?1"},
      rows, 1);
  if (changed.size() == rows.size()) return OkStatus();
  return Error::NotFound("outbox row '" + *Unchanged(rows, changed, 1).front()->at(0) +
                         "' does not exist, so it cannot be updated");
}

void SociStore::AppendAudit(const ChangeSet& c) {
  if (c.audit_appends.empty()) return;
  std::vector<Row> rows;
  for (const auto& a : c.audit_appends) {
    rows.push_back({a.instance_id, Int(a.seq), Micros(a.at), a.actor, a.event, a.from_state,
                    a.to_state, a.reason, a.data_json, a.prev_hash, a.hash});
  }
  RunBatch(*db_,
           {"INSERT INTO audit_log (instance_id, seq, at, actor, event, from_state, to_state, "
            "reason, data, prev_hash, hash) SELECT * FROM unnest(:c0::text[], :c1::bigint[], "
            ":c2::bigint[], :c3::text[], :c4::text[], :c5::text[], :c6::text[], :c7::text[], "
            ":c8::text[], :c9::text[], :c10::text[])",
            "INSERT INTO audit_log (instance_id, seq, at, actor, event, from_state, to_state, "
            "reason, data, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
           rows);
}

}  // namespace rectify::store_soci
