// SociStore: opening, and every read. Commit is in soci_store_commit.cc.
#include "adapters/store/soci/soci_store.h"

#include <algorithm>
#include <boost/json.hpp>

#include "adapters/store/soci/batch.h"

namespace rectify::store_soci {
namespace {

std::vector<std::string> ParseRoles(const std::string& json) {
  std::vector<std::string> roles;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_array()) return roles;
  for (const auto& r : v.as_array()) {
    if (r.is_string()) roles.emplace_back(r.as_string());
  }
  return roles;
}

// Column lists and the variables they land in, one per record type.
struct InstanceRow {
  static constexpr const char* kColumns =
      "id, workflow, workflow_version, campaign, unit_id, state, data, version, created_at, "
      "updated_at, escalation_level, projected, due_at";
  std::string id, workflow, campaign, unit_id, state, data;
  long long workflow_version = 0, version = 0, created_at = 0, updated_at = 0;
  long long escalation_level = 0, projected = 0, due_at = 0;
  soci::indicator due_at_ind = soci::i_null;
  void Bind(soci::statement& st) {
    st.exchange(soci::into(id));
    st.exchange(soci::into(workflow));
    st.exchange(soci::into(workflow_version));
    st.exchange(soci::into(campaign));
    st.exchange(soci::into(unit_id));
    st.exchange(soci::into(state));
    st.exchange(soci::into(data));
    st.exchange(soci::into(version));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(updated_at));
    st.exchange(soci::into(escalation_level));
    st.exchange(soci::into(projected));
    st.exchange(soci::into(due_at, due_at_ind));
  }
  InstanceRecord Get() const {
    InstanceRecord r{id,
                     workflow,
                     workflow_version,
                     campaign,
                     unit_id,
                     state,
                     data,
                     version,
                     FromMicros(created_at),
                     FromMicros(updated_at)};
    r.escalation_level = projected ? escalation_level : -1;
    // Read back so that the item index counts the board's overdue items as the database does.
    if (projected && due_at_ind != soci::i_null) r.due_at = FromMicros(due_at);
    return r;
  }
};

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const DatabaseUrl& url, const OpenOptions& options) {
  auto db = Database::Open(url, options);
  if (!db) return db.error();
  auto migrated = (*db)->TableExists("schema_migrations");
  if (!migrated) return migrated.error();
  if (!*migrated) {
    return Error::FailedPrecondition("the database " + url.Redacted() +
                                     " has no schema yet; run 'rectify migrate' first");
  }
  return MakeStore(std::move(*db));
}

std::unique_ptr<Store> MakeStore(std::unique_ptr<Database> db) {
  return std::make_unique<SociStore>(std::move(db));
}

Status SetBulletinTemplates(Store& store, const std::string& folder) {
  auto* soci_store = dynamic_cast<SociStore*>(&store);
  if (!soci_store) {
    return Error::FailedPrecondition("this store keeps no bulletins (it is not on a database)");
  }
  auto templates = LoadBulletinTemplates(folder);
  if (!templates) return templates.error();
  soci_store->set_bulletin_templates(std::move(*templates));
  return OkStatus();
}

Result<InstanceRecord> SociStore::LoadInstance(const std::string& id) {
  try {
    InstanceRow row;
    Statement st(*db_);
    row.Bind(st);
    st.exchange(soci::use(id));
    st.Prepare(std::string("SELECT ") + InstanceRow::kColumns + " FROM instances WHERE id = :id");
    if (!st.execute(true)) return Error::NotFound("no instance '" + id + "'");
    return row.Get();
  } catch (const std::exception& e) {
    return db_->MapError(e, "load instance '" + id + "'");
  }
}

Result<std::vector<InstanceRecord>> SociStore::LoadInstances(const std::vector<std::string>& ids) {
  std::vector<InstanceRecord> out;
  if (ids.empty()) return out;
  try {
    // One query for the whole batch: a text array on PostgreSQL, a JSON array on SQLite.
    std::string list;
    if (db_->is_postgres()) {
      list = PgArrayLiteral(std::vector<Value>(ids.begin(), ids.end()));
    } else {
      boost::json::array a;
      for (const auto& id : ids) a.emplace_back(id);
      list = boost::json::serialize(a);
    }
    InstanceRow row;
    Statement st(*db_);
    row.Bind(st);
    st.exchange(soci::use(list));
    st.Prepare(
        std::string("SELECT ") + InstanceRow::kColumns + " FROM instances WHERE id " +
        (db_->is_postgres() ? "= ANY(:ids::text[])" : "IN (SELECT value FROM json_each(:ids))") +
        " ORDER BY id");
    out.reserve(ids.size());
    st.execute();
    while (st.fetch()) out.push_back(row.Get());
    return out;
  } catch (const std::exception& e) {
    return db_->MapError(e, "load " + std::to_string(ids.size()) + " instances");
  }
}

// Listing. Without a reader's scope it is one scan in id order. With a scope of a few units (a
// township's cadre) that scan would pass over every other unit's items to fill a page, so the
// page is made of one short id-ordered scan per unit (the (unit_id, id) index), one over the items
// naming the reader (instance_people) and one over rows not projected yet, merged and cut to the
// page: each scan reads at most a page, whatever the table holds. A scope of many units (a county
// leader) keeps the single scan, which finds its items densely.
Result<std::vector<InstanceRecord>> SociStore::ListInstances(const InstanceFilter& filter) {
  constexpr std::size_t kMostUnitScans = 24;
  try {
    std::vector<std::string> args;
    std::vector<long long> ints;
    auto text = [&](const std::string& v) {
      args.push_back(v);
      return ":t" + std::to_string(args.size() - 1);
    };
    auto integer = [&](long long v) {
      ints.push_back(v);
      return ":i" + std::to_string(ints.size() - 1);
    };
    auto any_of = [&](const std::vector<std::string>& values) {
      if (values.empty()) return std::string("''");  // matches no unit: unit ids are not empty
      std::string list;
      for (const auto& v : values) list += (list.empty() ? "" : ", ") + text(v);
      return list;
    };
    // The plain filters, on columns of `t` (a table alias and dot, or empty).
    auto plain = [&](const std::string& t) {
      std::string where;
      auto add = [&](const char* column, const std::optional<std::string>& value) {
        if (value) where += " AND " + t + column + " = " + text(*value);
      };
      add("campaign", filter.campaign);
      add("unit_id", filter.unit_id);
      add("state", filter.state);
      add("workflow", filter.workflow);
      return where;
    };
    // The narrowing on projected columns, without the scope.
    auto projected = [&](const std::string& t) {
      std::string where;
      if (filter.units) where += " AND " + t + "unit_id IN (" + any_of(*filter.units) + ")";
      if (filter.due_at_or_before) {
        where += " AND " + t + "due_at <= " + integer(ToMicros(*filter.due_at_or_before));
      }
      if (filter.escalation_level) {
        where += " AND " + t + "escalation_level = " + integer(*filter.escalation_level);
      }
      if (filter.min_escalation_level) {
        where += " AND " + t + "escalation_level >= " + integer(*filter.min_escalation_level);
      }
      return where;
    };
    long long limit = filter.limit;
    std::string query = std::string("SELECT ") + InstanceRow::kColumns + " FROM instances";
    bool per_unit =
        filter.scope_units && filter.scope_units->size() <= kMostUnitScans && !filter.not_projected;
    if (per_unit) {
      std::vector<std::string> scans;
      auto scan = [&](const std::string& select) {
        scans.push_back("SELECT id FROM (" + select + " ORDER BY id LIMIT " + integer(limit) +
                        ") AS s" + std::to_string(scans.size()));
      };
      for (const auto& unit : *filter.scope_units) {
        if (filter.units &&
            std::find(filter.units->begin(), filter.units->end(), unit) == filter.units->end()) {
          continue;
        }
        scan("SELECT id FROM instances WHERE unit_id = " + text(unit) +
             " AND projected = 1 AND id > " + text(filter.after_id) + plain("") + projected(""));
      }
      if (!filter.scope_person.empty()) {
        scan(
            "SELECT p.instance_id AS id FROM instance_people AS p JOIN instances AS i ON i.id = "
            "p.instance_id WHERE p.person = " +
            text(filter.scope_person) + " AND p.instance_id > " + text(filter.after_id) +
            " AND i.projected = 1" + plain("i.") + projected("i."));
      }
      scan("SELECT id FROM instances WHERE projected = 0 AND id > " + text(filter.after_id) +
           plain(""));
      std::string ids;
      for (const auto& s : scans) ids += (ids.empty() ? "" : " UNION ") + s;
      query += " WHERE id IN (SELECT id FROM (" + ids + ") AS page ORDER BY id LIMIT " +
               integer(limit) + ") ORDER BY id";
    } else {
      std::string where = " WHERE id > " + text(filter.after_id) + plain("");
      std::string narrow = projected("");
      if (filter.scope_units) {
        std::string scope = "unit_id IN (" + any_of(*filter.scope_units) + ")";
        if (!filter.scope_person.empty()) {
          scope += " OR id IN (SELECT instance_id FROM instance_people WHERE person = " +
                   text(filter.scope_person) + ")";
        }
        narrow += " AND (" + scope + ")";
      }
      if (!narrow.empty()) where += " AND (projected = 0 OR (1 = 1" + narrow + "))";
      if (filter.not_projected) where += " AND projected = 0";
      query += where + " ORDER BY id LIMIT " + integer(limit);
    }
    InstanceRow row;
    Statement st(*db_);
    row.Bind(st);
    for (std::size_t i = 0; i < args.size(); ++i) {
      st.exchange(soci::use(args[i], "t" + std::to_string(i)));
    }
    for (std::size_t i = 0; i < ints.size(); ++i) {
      st.exchange(soci::use(ints[i], "i" + std::to_string(i)));
    }
    st.Prepare(query);
    std::vector<InstanceRecord> out;
    st.execute();
    while (st.fetch()) out.push_back(row.Get());
    return out;
  } catch (const std::exception& e) {
    return db_->MapError(e, "list instances");
  }
}

Result<std::vector<TimerRecord>> SociStore::QueryTimers(const std::string& where_and_order,
                                                        std::vector<std::string> text_args,
                                                        std::vector<long long> int_args) {
  try {
    std::string instance_id, name, state;
    long long generation = 0, due_at = 0, fired_at = 0, lease_token = 0;
    soci::indicator fired_null = soci::i_null;
    Statement st(*db_);
    st.exchange(soci::into(instance_id));
    st.exchange(soci::into(name));
    st.exchange(soci::into(generation));
    st.exchange(soci::into(due_at));
    st.exchange(soci::into(state));
    st.exchange(soci::into(fired_at, fired_null));
    st.exchange(soci::into(lease_token));
    for (auto& a : text_args) st.exchange(soci::use(a));
    for (auto& a : int_args) st.exchange(soci::use(a));
    st.Prepare(
        "SELECT instance_id, name, generation, due_at, state, fired_at, "
        "COALESCE(lease_token, 0) FROM timers " +
        where_and_order);
    std::vector<TimerRecord> out;
    st.execute();
    while (st.fetch()) {
      auto parsed = ParseTimerState(state);
      if (!parsed) return parsed.error();
      TimerRecord t{{instance_id, name, generation}, FromMicros(due_at), *parsed, std::nullopt};
      if (fired_null == soci::i_ok) t.fired_at = FromMicros(fired_at);
      t.lease_token = lease_token;
      out.push_back(std::move(t));
    }
    return out;
  } catch (const std::exception& e) {
    return db_->MapError(e, "read timers");
  }
}

Result<std::vector<TimerRecord>> SociStore::DueTimers(Timestamp up_to, std::int64_t limit) {
  return QueryTimers(
      "WHERE state = 'pending' AND due_at <= :up_to "
      "ORDER BY due_at, instance_id, name, generation LIMIT :limit",
      {}, {ToMicros(up_to), limit});
}

Result<std::vector<TimerRecord>> SociStore::TimersOf(const std::string& instance_id) {
  return QueryTimers("WHERE instance_id = :id ORDER BY name, generation", {instance_id}, {});
}

Result<std::vector<OutboxRecord>> SociStore::PendingOutbox(Timestamp now, std::int64_t limit) {
  try {
    OutboxRecord o;
    long long id = 0, attempts = 0, not_before = 0, next_attempt_at = 0, created_at = 0;
    std::string state;
    long long now_us = ToMicros(now), lim = limit;
    Statement st(*db_);
    st.exchange(soci::into(id));
    st.exchange(soci::into(o.dedup_key));
    st.exchange(soci::into(o.instance_id));
    st.exchange(soci::into(o.channel));
    st.exchange(soci::into(o.recipient));
    st.exchange(soci::into(o.template_name));
    st.exchange(soci::into(o.payload_json));
    st.exchange(soci::into(not_before));
    st.exchange(soci::into(state));
    st.exchange(soci::into(attempts));
    st.exchange(soci::into(next_attempt_at));
    st.exchange(soci::into(o.last_error));
    st.exchange(soci::into(created_at));
    st.exchange(soci::use(now_us));
    st.exchange(soci::use(lim));
    st.Prepare(
        "SELECT id, dedup_key, instance_id, channel, recipient, template, payload, "
        "not_before, state, attempts, next_attempt_at, last_error, created_at FROM outbox "
        "WHERE state = 'pending' AND next_attempt_at <= :now "
        "ORDER BY next_attempt_at, id LIMIT :limit");
    std::vector<OutboxRecord> out;
    st.execute();
    while (st.fetch()) {
      auto parsed = ParseOutboxState(state);
      if (!parsed) return parsed.error();
      o.id = id;
      o.state = *parsed;
      o.attempts = attempts;
      o.not_before = FromMicros(not_before);
      o.next_attempt_at = FromMicros(next_attempt_at);
      o.created_at = FromMicros(created_at);
      out.push_back(o);
    }
    return out;
  } catch (const std::exception& e) {
    return db_->MapError(e, "read the outbox");
  }
}

Result<std::vector<AuditRecord>> SociStore::AuditOf(const std::string& instance_id) {
  try {
    AuditRecord a;
    long long seq = 0, at = 0;
    Statement st(*db_);
    st.exchange(soci::into(a.instance_id));
    st.exchange(soci::into(seq));
    st.exchange(soci::into(at));
    st.exchange(soci::into(a.actor));
    st.exchange(soci::into(a.event));
    st.exchange(soci::into(a.from_state));
    st.exchange(soci::into(a.to_state));
    st.exchange(soci::into(a.reason));
    st.exchange(soci::into(a.data_json));
    st.exchange(soci::into(a.prev_hash));
    st.exchange(soci::into(a.hash));
    st.exchange(soci::use(instance_id));
    st.Prepare(
        "SELECT instance_id, seq, at, actor, event, from_state, to_state, reason, data, "
        "prev_hash, hash FROM audit_log WHERE instance_id = :id ORDER BY seq");
    std::vector<AuditRecord> out;
    st.execute();
    while (st.fetch()) {
      a.seq = seq;
      a.at = FromMicros(at);
      out.push_back(a);
    }
    return out;
  } catch (const std::exception& e) {
    return db_->MapError(e, "read the audit log of '" + instance_id + "'");
  }
}

Result<std::vector<DefinitionRecord>> SociStore::QueryDefinitions(const std::string& sql,
                                                                  const std::string& kind,
                                                                  const std::string& name,
                                                                  long long version) {
  try {
    DefinitionRecord d;
    long long v = 0, registered_at = 0;
    Statement st(*db_);
    st.exchange(soci::into(d.kind));
    st.exchange(soci::into(d.name));
    st.exchange(soci::into(v));
    st.exchange(soci::into(d.content_hash));
    st.exchange(soci::into(d.source));
    st.exchange(soci::into(registered_at));
    st.exchange(soci::use(kind));
    st.exchange(soci::use(name));
    if (version >= 0) st.exchange(soci::use(version));
    st.Prepare(
        "SELECT kind, name, version, content_hash, source, registered_at FROM definitions "
        "WHERE kind = :kind AND name = :name " +
        sql);
    std::vector<DefinitionRecord> out;
    st.execute();
    while (st.fetch()) {
      d.version = v;
      d.registered_at = FromMicros(registered_at);
      out.push_back(d);
    }
    return out;
  } catch (const std::exception& e) {
    return db_->MapError(e, "read " + kind + " '" + name + "'");
  }
}

Result<DefinitionRecord> SociStore::LoadDefinition(const std::string& kind, const std::string& name,
                                                   std::int64_t version) {
  auto found = QueryDefinitions("AND version = :version", kind, name, version);
  if (!found) return found.error();
  if (found->empty()) {
    return Error::NotFound("no " + kind + " '" + name + "' version " + std::to_string(version) +
                           " is registered");
  }
  return found->front();
}

Result<DefinitionRecord> SociStore::LatestDefinition(const std::string& kind,
                                                     const std::string& name) {
  auto found = QueryDefinitions("ORDER BY version DESC LIMIT 1", kind, name, -1);
  if (!found) return found.error();
  if (found->empty()) return Error::NotFound("no " + kind + " '" + name + "' is registered");
  return found->front();
}

Result<std::vector<UnitRecord>> SociStore::ListUnits() {
  try {
    UnitRecord u;
    long long updated_at = 0;
    Statement st(*db_);
    st.exchange(soci::into(u.id));
    st.exchange(soci::into(u.parent_id));
    st.exchange(soci::into(u.kind));
    st.exchange(soci::into(u.name));
    st.exchange(soci::into(u.contacts_json));
    st.exchange(soci::into(updated_at));
    st.Prepare("SELECT id, parent_id, kind, name, contacts, updated_at FROM units ORDER BY id");
    std::vector<UnitRecord> out;
    st.execute();
    while (st.fetch()) {
      u.updated_at = FromMicros(updated_at);
      out.push_back(u);
    }
    return out;
  } catch (const std::exception& e) {
    return db_->MapError(e, "list units");
  }
}

Result<std::vector<PersonRecord>> SociStore::ListPeople() {
  try {
    PersonRecord p;
    std::string roles;
    long long updated_at = 0;
    Statement st(*db_);
    st.exchange(soci::into(p.id));
    st.exchange(soci::into(p.unit_id));
    st.exchange(soci::into(p.name));
    st.exchange(soci::into(roles));
    st.exchange(soci::into(p.contacts_json));
    st.exchange(soci::into(p.language));
    st.exchange(soci::into(updated_at));
    st.Prepare(
        "SELECT id, unit_id, name, roles, contacts, language, updated_at FROM people "
        "ORDER BY id");
    std::vector<PersonRecord> out;
    st.execute();
    while (st.fetch()) {
      p.roles = ParseRoles(roles);
      p.updated_at = FromMicros(updated_at);
      out.push_back(p);
    }
    return out;
  } catch (const std::exception& e) {
    return db_->MapError(e, "list people");
  }
}

Result<StoreCounts> SociStore::Counts() {
  try {
    StoreCounts c;
    auto& sql = db_->session();
    long long n = 0;
    sql << "SELECT count(*) FROM definitions", soci::into(n);
    c.definitions = n;
    sql << "SELECT count(*) FROM units", soci::into(n);
    c.units = n;
    sql << "SELECT count(*) FROM people", soci::into(n);
    c.people = n;
    sql << "SELECT count(*) FROM instances", soci::into(n);
    c.instances = n;
    sql << "SELECT count(*) FROM timers WHERE state = 'pending'", soci::into(n);
    c.pending_timers = n;
    sql << "SELECT count(*) FROM audit_log", soci::into(n);
    c.audit_rows = n;
    std::string state;
    Statement st(*db_);
    st.exchange(soci::into(state));
    st.exchange(soci::into(n));
    st.Prepare("SELECT state, count(*) FROM outbox GROUP BY state ORDER BY state");
    st.execute();
    while (st.fetch()) c.outbox_by_state[state] = n;
    return c;
  } catch (const std::exception& e) {
    return db_->MapError(e, "count rows");
  }
}

}  // namespace rectify::store_soci
