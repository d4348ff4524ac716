// The in-memory Store (memory_store.h): ordered maps for the tables, a journal that undoes a
// commit that fails half-way, and the same checks, in the same order, as the SOCI store's commit
// (adapters/store/soci/soci_store_commit.cc), so a batch fails with the same error code.
#include "tests/support/memory_store.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace rectify::test {

namespace {

using TimerId = std::tuple<std::string, std::string, std::int64_t>;  // instance, name, generation

constexpr std::int64_t kLeast = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMost = std::numeric_limits<std::int64_t>::max();

TimerId IdOf(const TimerKey& k) { return {k.instance_id, k.name, k.generation}; }

std::string TimerLabel(const TimerKey& k) {
  return "'" + k.name + "' (generation " + std::to_string(k.generation) + ") of instance '" +
         k.instance_id + "'";
}

struct InstanceRow {
  InstanceRecord record;         // due_at and people are kept here, and never read back
  bool projected = true;         // every row this store writes is projected
  std::set<std::string> people;  // instance_people
};

struct TimerRow {
  TimerRecord record;
  std::optional<std::string> lease_owner;
  std::optional<Timestamp> lease_until;
};

}  // namespace

struct MemoryDatabase::Tables {
  std::mutex mutex;
  std::map<std::tuple<std::string, std::string, std::int64_t>, DefinitionRecord> definitions;
  std::map<std::string, UnitRecord> units;
  std::map<std::string, PersonRecord> people;
  std::map<std::string, InstanceRow> instances;
  std::map<TimerId, TimerRow> timers;
  std::map<std::string, OutboxRecord> outbox;  // by dedup key
  std::map<std::pair<std::string, std::int64_t>, AuditRecord> audit;
  std::int64_t last_outbox_id = 0;
  std::int64_t last_lease_token = 0;
};

MemoryDatabase::MemoryDatabase() : tables_(std::make_unique<Tables>()) {}
MemoryDatabase::~MemoryDatabase() = default;

namespace {

// Undo steps of the commit under way, run in reverse when it fails.
class Journal {
 public:
  // Sets m[k] = v, remembering what was there.
  template <typename Map>
  void Put(Map& m, const typename Map::key_type& k, typename Map::mapped_type v) {
    auto it = m.find(k);
    if (it == m.end()) {
      m.emplace(k, std::move(v));
      undo_.push_back([&m, k] { m.erase(k); });
    } else {
      undo_.push_back([&m, k, old = it->second]() mutable { m[k] = std::move(old); });
      it->second = std::move(v);
    }
  }
  void Remember(std::function<void()> undo) { undo_.push_back(std::move(undo)); }
  void Undo() {
    for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) (*it)();
    undo_.clear();
  }

 private:
  std::vector<std::function<void()>> undo_;
};

}  // namespace

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(std::shared_ptr<MemoryDatabase> db)
      : db_(std::move(db)), t_(*db_->tables_) {}

  Status Commit(const ChangeSet& c) override {
    if (c.empty()) return OkStatus();
    std::lock_guard lock(t_.mutex);
    if (Status s = Validate(c); !s) return s;
    Journal journal;
    Status s = Apply(c, journal);
    if (!s) journal.Undo();
    return s;
  }

  Result<InstanceRecord> LoadInstance(const std::string& id) override {
    std::lock_guard lock(t_.mutex);
    auto it = t_.instances.find(id);
    if (it == t_.instances.end()) return Error::NotFound("no instance '" + id + "'");
    return Read(it->second);
  }

  Result<std::vector<InstanceRecord>> ListInstances(const InstanceFilter& f) override {
    std::lock_guard lock(t_.mutex);
    std::vector<InstanceRecord> out;
    for (auto it = t_.instances.upper_bound(f.after_id);
         it != t_.instances.end() && static_cast<std::int64_t>(out.size()) < f.limit; ++it) {
      if (Matches(it->second, f)) out.push_back(Read(it->second));
    }
    return out;
  }

  Result<std::vector<InstanceRecord>> LoadInstances(const std::vector<std::string>& ids) override {
    std::lock_guard lock(t_.mutex);
    std::set<std::string> wanted(ids.begin(), ids.end());
    std::vector<InstanceRecord> out;
    for (const auto& id : wanted) {
      auto it = t_.instances.find(id);
      if (it != t_.instances.end()) out.push_back(Read(it->second));
    }
    return out;
  }

  Status WriteProjections(const std::vector<InstanceRecord>& records) override {
    std::lock_guard lock(t_.mutex);
    for (const auto& r : records) {
      auto it = t_.instances.find(r.id);
      if (it == t_.instances.end() || it->second.projected) continue;
      it->second.record.due_at = r.due_at;
      it->second.record.escalation_level = r.escalation_level;
      it->second.projected = true;
      if (r.people) it->second.people = {r.people->begin(), r.people->end()};
    }
    return OkStatus();
  }

  Result<std::vector<TimerRecord>> DueTimers(Timestamp up_to, std::int64_t limit) override {
    std::lock_guard lock(t_.mutex);
    std::vector<TimerRecord> out;
    for (const auto& [id, row] : t_.timers) {
      if (row.record.state == TimerState::kPending && row.record.due_at <= up_to) {
        out.push_back(row.record);
      }
    }
    SortByDue(out);
    if (static_cast<std::int64_t>(out.size()) > limit) out.resize(std::max<std::int64_t>(limit, 0));
    return out;
  }

  Result<std::vector<TimerRecord>> ClaimDue(Timestamp now, std::int64_t limit,
                                            const std::string& owner,
                                            Timestamp lease_until) override {
    std::lock_guard lock(t_.mutex);
    std::vector<TimerRecord> out;
    if (limit <= 0) return out;
    std::vector<TimerRow*> free;
    for (auto& [id, row] : t_.timers) {
      const bool leased = row.lease_until && *row.lease_until > now && row.lease_owner != owner;
      if (row.record.state == TimerState::kPending && row.record.due_at <= now && !leased) {
        free.push_back(&row);
      }
    }
    std::stable_sort(free.begin(), free.end(), [](const TimerRow* a, const TimerRow* b) {
      return a->record.due_at < b->record.due_at;
    });
    if (static_cast<std::int64_t>(free.size()) > limit) free.resize(limit);
    const std::int64_t token = ++t_.last_lease_token;
    for (TimerRow* row : free) {
      row->lease_owner = owner;
      row->lease_until = lease_until;
      row->record.lease_token = token;
      out.push_back(row->record);
    }
    SortByDue(out);
    return out;
  }

  Result<std::vector<TimerRecord>> TimersOf(const std::string& instance_id) override {
    std::lock_guard lock(t_.mutex);
    std::vector<TimerRecord> out;
    for (auto it = t_.timers.lower_bound(TimerId{instance_id, "", kLeast});
         it != t_.timers.end() && std::get<0>(it->first) == instance_id; ++it) {
      out.push_back(it->second.record);
    }
    return out;  // the map's order is name, then generation
  }

  Result<std::vector<OutboxRecord>> PendingOutbox(Timestamp now, std::int64_t limit) override {
    std::lock_guard lock(t_.mutex);
    std::vector<OutboxRecord> out;
    for (const auto& [key, row] : t_.outbox) {
      if (row.state == OutboxState::kPending && row.next_attempt_at <= now) out.push_back(row);
    }
    std::sort(out.begin(), out.end(), [](const OutboxRecord& a, const OutboxRecord& b) {
      return std::tie(a.next_attempt_at, a.id) < std::tie(b.next_attempt_at, b.id);
    });
    if (static_cast<std::int64_t>(out.size()) > limit) out.resize(std::max<std::int64_t>(limit, 0));
    return out;
  }

  Result<std::vector<AuditRecord>> AuditOf(const std::string& instance_id) override {
    std::lock_guard lock(t_.mutex);
    std::vector<AuditRecord> out;
    for (auto it = t_.audit.lower_bound(std::make_pair(instance_id, kLeast));
         it != t_.audit.end() && it->first.first == instance_id; ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  Result<DefinitionRecord> LoadDefinition(const std::string& kind, const std::string& name,
                                          std::int64_t version) override {
    std::lock_guard lock(t_.mutex);
    auto it = t_.definitions.find(std::make_tuple(kind, name, version));
    if (it == t_.definitions.end()) {
      return Error::NotFound("no " + kind + " '" + name + "' version " + std::to_string(version) +
                             " is registered");
    }
    return it->second;
  }

  Result<DefinitionRecord> LatestDefinition(const std::string& kind,
                                            const std::string& name) override {
    std::lock_guard lock(t_.mutex);
    auto it = t_.definitions.upper_bound(std::make_tuple(kind, name, kMost));
    if (it == t_.definitions.begin())
      return Error::NotFound("no " + kind + " '" + name + "' is registered");
    --it;
    if (std::get<0>(it->first) != kind || std::get<1>(it->first) != name) {
      return Error::NotFound("no " + kind + " '" + name + "' is registered");
    }
    return it->second;
  }

  Result<std::vector<UnitRecord>> ListUnits() override {
    std::lock_guard lock(t_.mutex);
    std::vector<UnitRecord> out;
    for (const auto& [id, u] : t_.units) out.push_back(u);
    return out;
  }

  Result<std::vector<PersonRecord>> ListPeople() override {
    std::lock_guard lock(t_.mutex);
    std::vector<PersonRecord> out;
    for (const auto& [id, p] : t_.people) out.push_back(p);
    return out;
  }

  Result<StoreCounts> Counts() override {
    std::lock_guard lock(t_.mutex);
    StoreCounts c;
    c.definitions = static_cast<std::int64_t>(t_.definitions.size());
    c.units = static_cast<std::int64_t>(t_.units.size());
    c.people = static_cast<std::int64_t>(t_.people.size());
    c.instances = static_cast<std::int64_t>(t_.instances.size());
    for (const auto& [id, row] : t_.timers) {
      if (row.record.state == TimerState::kPending) ++c.pending_timers;
    }
    for (const auto& [key, row] : t_.outbox)
      ++c.outbox_by_state[std::string(OutboxStateName(row.state))];
    c.audit_rows = static_cast<std::int64_t>(t_.audit.size());
    return c;
  }

 private:
  // A row as the database stores it reads back: without due_at and people (write-only
  // columns), and with escalation level -1 when it was never projected.
  static InstanceRecord Read(const InstanceRow& row) {
    InstanceRecord r = row.record;
    r.due_at.reset();
    r.people.reset();
    if (!row.projected) r.escalation_level = -1;
    return r;
  }

  static void SortByDue(std::vector<TimerRecord>& timers) {
    std::sort(timers.begin(), timers.end(), [](const TimerRecord& a, const TimerRecord& b) {
      return std::tie(a.due_at, a.key.instance_id, a.key.name, a.key.generation) <
             std::tie(b.due_at, b.key.instance_id, b.key.name, b.key.generation);
    });
  }

  // InstanceFilter's meaning (store.h): the plain filters on every row, the narrowing only on
  // projected rows.
  static bool Matches(const InstanceRow& row, const InstanceFilter& f) {
    const InstanceRecord& r = row.record;
    if (f.campaign && r.campaign != *f.campaign) return false;
    if (f.unit_id && r.unit_id != *f.unit_id) return false;
    if (f.state && r.state != *f.state) return false;
    if (f.workflow && r.workflow != *f.workflow) return false;
    if (f.not_projected) return !row.projected;
    if (!row.projected) return true;
    auto contains = [](const std::vector<std::string>& v, const std::string& x) {
      return std::find(v.begin(), v.end(), x) != v.end();
    };
    if (f.units && !contains(*f.units, r.unit_id)) return false;
    if (f.due_at_or_before && !(r.due_at && *r.due_at <= *f.due_at_or_before)) return false;
    if (f.escalation_level && r.escalation_level != *f.escalation_level) return false;
    if (f.min_escalation_level && r.escalation_level < *f.min_escalation_level) return false;
    if (f.scope_units) {
      bool in_scope = contains(*f.scope_units, r.unit_id) ||
                      (!f.scope_person.empty() && row.people.contains(f.scope_person));
      if (!in_scope) return false;
    }
    return true;
  }

  // What the SOCI store checks before it writes (the same messages and codes).
  static Status Validate(const ChangeSet& c) {
    std::set<std::string> ids;
    for (const auto& u : c.instance_updates) {
      if (!ids.insert(u.record.id).second) {
        return Error::BadInput("instance '" + u.record.id +
                               "' is updated twice in one change set; merge the updates");
      }
    }
    std::set<TimerId> fires;
    for (const auto& f : c.timer_fires) {
      if (!fires.insert(IdOf(f.key)).second) {
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

  Status Apply(const ChangeSet& c, Journal& j) {
    // Definitions: a key registered again must carry the same content.
    for (const auto& d : c.definitions) {
      auto key = std::make_tuple(d.kind, d.name, d.version);
      auto it = t_.definitions.find(key);
      if (it == t_.definitions.end()) {
        j.Put(t_.definitions, key, d);
      } else if (it->second.content_hash != d.content_hash) {
        return Error::Conflict(d.kind + " '" + d.name + "' version " + std::to_string(d.version) +
                               " is already registered with different content; give the changed "
                               "definition a new version");
      }
    }
    for (const auto& u : c.units) j.Put(t_.units, u.id, u);
    for (const auto& p : c.people) {
      if (!t_.units.contains(p.unit_id)) {
        return Error::BadInput("person '" + p.id + "' names unit '" + p.unit_id +
                               "', which does not exist; write the unit first");
      }
      j.Put(t_.people, p.id, p);
    }
    for (const auto& i : c.instance_inserts) {
      if (t_.instances.contains(i.id)) {
        return Error::UniqueViolation("instance '" + i.id + "' exists already");
      }
      InstanceRow row{i, true, {}};
      row.record.version = 1;
      if (i.people) row.people = {i.people->begin(), i.people->end()};
      j.Put(t_.instances, i.id, std::move(row));
    }
    for (const auto& u : c.instance_updates) {
      auto it = t_.instances.find(u.record.id);
      if (it == t_.instances.end()) {
        return Error::NotFound("instance '" + u.record.id +
                               "' does not exist, so it cannot be updated");
      }
      if (it->second.record.version != u.expected_version) {
        return Error::Conflict(
            "instance '" + u.record.id + "' was changed by someone else (it is at version " +
            std::to_string(it->second.record.version) + ", this change expected " +
            std::to_string(u.expected_version) + "); reload it and retry");
      }
      InstanceRow row = it->second;
      Timestamp created = row.record.created_at;
      row.record = u.record;
      row.record.created_at = created;
      row.record.version = u.expected_version + 1;
      row.projected = true;
      if (u.record.people) row.people = {u.record.people->begin(), u.record.people->end()};
      j.Put(t_.instances, u.record.id, std::move(row));
    }
    for (const auto& cancel : c.timer_cancels) {
      for (auto it = t_.timers.lower_bound(TimerId{cancel.instance_id, "", kLeast});
           it != t_.timers.end() && std::get<0>(it->first) == cancel.instance_id; ++it) {
        const TimerKey& k = it->second.record.key;
        if (it->second.record.state != TimerState::kPending) continue;
        if (!cancel.name.empty() && k.name != cancel.name) continue;
        if (cancel.generation && k.generation != *cancel.generation) continue;
        TimerRow row = it->second;
        row.record.state = TimerState::kCancelled;
        j.Put(t_.timers, it->first, std::move(row));
      }
    }
    for (const auto& f : c.timer_fires) {
      auto it = t_.timers.find(IdOf(f.key));
      std::string state =
          it == t_.timers.end() ? "missing" : std::string(TimerStateName(it->second.record.state));
      if (state == "pending" && f.lease_token != 0 &&
          it->second.record.lease_token != f.lease_token) {
        return Error::Conflict(
            "timer " + TimerLabel(f.key) + " cannot fire: its lease was taken over (token " +
            (it->second.record.lease_token != 0 ? std::to_string(it->second.record.lease_token)
                                                : std::string("none")) +
            " now, not " + std::to_string(f.lease_token) + "); the node holding it fires it");
      }
      if (state != "pending") {
        return Error::Conflict("timer " + TimerLabel(f.key) + " cannot fire: it is " + state +
                               " (its firing was claimed already, or it was cancelled)");
      }
      TimerRow row = it->second;
      row.record.state = TimerState::kFired;
      row.record.fired_at = f.fired_at;
      j.Put(t_.timers, it->first, std::move(row));
    }
    for (const auto& a : c.timer_arms) {
      if (!t_.instances.contains(a.key.instance_id)) {
        return Error::BadInput("timer " + TimerLabel(a.key) +
                               " names an instance that does not exist");
      }
      if (t_.timers.contains(IdOf(a.key))) {
        return Error::UniqueViolation("timer " + TimerLabel(a.key) + " is armed already");
      }
      TimerRow row;
      row.record = {a.key, a.due_at, TimerState::kPending, std::nullopt, 0};
      j.Put(t_.timers, IdOf(a.key), std::move(row));
    }
    for (const auto& o : c.outbox_inserts) {
      if (t_.outbox.contains(o.dedup_key)) continue;  // enqueued already: skipped
      OutboxRecord row = o;
      row.id = ++t_.last_outbox_id;
      row.state = OutboxState::kPending;
      row.attempts = 0;
      row.next_attempt_at = o.not_before;
      row.last_error.clear();
      j.Put(t_.outbox, o.dedup_key, std::move(row));
    }
    for (const auto& u : c.outbox_updates) {
      auto it = t_.outbox.find(u.dedup_key);
      if (u.state == OutboxState::kCancelled) {
        // Only a row not delivered yet is cancelled; it keeps its attempts.
        if (it == t_.outbox.end() || it->second.state != OutboxState::kPending) continue;
        OutboxRecord row = it->second;
        row.state = OutboxState::kCancelled;
        row.last_error = u.last_error;
        j.Put(t_.outbox, u.dedup_key, std::move(row));
        continue;
      }
      if (it == t_.outbox.end()) {
        return Error::NotFound("outbox row '" + u.dedup_key +
                               "' does not exist, so it cannot be updated");
      }
      OutboxRecord row = it->second;
      row.state = u.state;
      row.attempts = u.attempts;
      row.next_attempt_at = u.next_attempt_at;
      row.last_error = u.last_error;
      j.Put(t_.outbox, u.dedup_key, std::move(row));
    }
    for (const auto& a : c.audit_appends) {
      if (!t_.instances.contains(a.instance_id)) {
        return Error::BadInput("audit row " + std::to_string(a.seq) + " names instance '" +
                               a.instance_id + "', which does not exist");
      }
      auto key = std::make_pair(a.instance_id, a.seq);
      if (t_.audit.contains(key)) {
        return Error::UniqueViolation("audit row " + std::to_string(a.seq) + " of instance '" +
                                      a.instance_id + "' exists already");
      }
      j.Put(t_.audit, key, a);
    }
    return OkStatus();
  }

  std::shared_ptr<MemoryDatabase> db_;  // keeps the tables alive
  MemoryDatabase::Tables& t_;
};

std::unique_ptr<Store> MakeMemoryStore(std::shared_ptr<MemoryDatabase> db) {
  return std::make_unique<MemoryStore>(std::move(db));
}

}  // namespace rectify::test
