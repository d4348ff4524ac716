#include "rectify/engine/engine.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <unordered_map>

#include "rectify/engine/campaign.h"
#include "rectify/engine/campaign_items.h"

namespace rectify::engine {

namespace {

constexpr int kMaxAttempts = 3;

std::string ContactsJson(const definition::Contacts& c) {
  boost::json::object o;
  if (!c.email.empty()) o["email"] = c.email;
  if (!c.phone.empty()) o["phone"] = c.phone;
  if (!c.wecom.empty()) o["wecom"] = c.wecom;
  if (!c.dingtalk.empty()) o["dingtalk"] = c.dingtalk;
  return boost::json::serialize(o);
}

}  // namespace

Engine::Engine(Store& store, Clock& clock,
               std::shared_ptr<const definition::DefinitionSet> definitions)
    : store_(store),
      clock_(clock),
      definitions_(std::move(definitions)),
      interpreter_(definitions_) {}

Status Engine::Commit(const ChangeSet& changes) {
  return commit_ ? commit_(store_, changes) : store_.Commit(changes);
}

void Engine::SetCommitFunction(CommitFunction commit) { commit_ = std::move(commit); }

Status Engine::RegisterDefinitions() {
  ChangeSet changes;
  Timestamp now = clock_.Now();
  for (const definition::DefinitionInfo& info : definitions_->All()) {
    std::string kind(definition::KindName(info.kind));
    auto stored = store_.LoadDefinition(kind, info.name, info.version);
    if (stored) {
      if (stored->content_hash != info.hash) {
        return Error::Conflict(info.Label() + " in " + info.pos.file +
                               " differs from the version registered before; definitions are "
                               "immutable, so give the changed one a new version");
      }
      continue;
    }
    if (stored.error().code() != ErrorCode::kNotFound) return stored.error();
    const std::string* text = definitions_->SourceText(info.pos.file);
    if (!text) {
      return Error::Internal(info.Label() + " in " + info.pos.file +
                             " was compiled without its source text, so it cannot be "
                             "registered; load it with LoadDefinitions or ParseYamlText");
    }
    changes.definitions.push_back({kind, info.name, info.version, info.hash, *text, now});
    if (info.kind != definition::Kind::kOrg) continue;
    auto org = definitions_->FindOrg(info.name, info.version);
    for (const definition::Unit& u : org->units()) {
      changes.units.push_back({u.id, u.parent == definition::kNoIndex ? "" : org->unit(u.parent).id,
                               u.kind, u.name, ContactsJson(u.contacts), now});
    }
    for (const definition::Person& p : org->people()) {
      changes.people.push_back(
          {p.id, org->unit(p.unit).id, p.name, p.roles, ContactsJson(p.contacts), p.language, now});
    }
  }
  if (changes.empty()) return OkStatus();
  return Commit(changes);
}

Result<Instance> Engine::Register(NewInstance request) {
  request.at = clock_.Now();
  if (Status s = ApplyCampaignItems(store_, *definitions_, request); !s) return s.error();
  auto pins = LoadPinnedWorkflows(store_, request.campaign);
  if (!pins) return pins.error();
  if (Status s = ApplyCampaignPin(*pins, request); !s) return s.error();
  auto fx = interpreter_.Create(request);
  if (!fx) return fx.error();
  ChangeSet changes;
  fx->AppendTo(changes);
  if (Status s = Commit(changes); !s) {
    if (s.error().code() == ErrorCode::kUniqueViolation) {
      return Error::UniqueViolation("item " + request.id + " already exists; pick another id or " +
                                    "act on it with 'rectify item act " + request.id + "'");
    }
    return s.error();
  }
  fx->instance.record.version = 1;
  return fx->instance;
}

Result<Instance> Engine::Load(const std::string& id) {
  auto record = store_.LoadInstance(id);
  if (!record) {
    if (record.error().code() == ErrorCode::kNotFound) {
      return Error::NotFound("no item '" + id + "'; register it with 'rectify item add'");
    }
    return record.error();
  }
  return Instance::FromRecord(*record);
}

Result<Instance> Engine::Act(Command command) {
  return ActFrom(std::move(command), std::optional<Instance>());
}

Result<Instance> Engine::Act(Command command, Instance current) {
  return ActFrom(std::move(command), std::optional<Instance>(std::move(current)));
}

Result<Instance> Engine::ActFrom(Command command, std::optional<Instance> current) {
  command.at = clock_.Now();
  for (int attempt = 1;; ++attempt) {
    Result<Instance> inst =
        current ? Result<Instance>(std::move(*current)) : Load(command.instance_id);
    current.reset();
    if (!inst) return inst.error();
    if (command.expected_version > 0 && inst->record.version != command.expected_version) {
      return Error::Conflict("item " + command.instance_id + " has changed since version " +
                             std::to_string(command.expected_version) + " (it is at version " +
                             std::to_string(inst->record.version) + "); reload it and try again");
    }
    auto fx = interpreter_.Apply(*inst, command);
    if (!fx) return fx.error();
    ChangeSet changes;
    fx->AppendTo(changes);
    Status s = Commit(changes);
    if (s) {
      fx->instance.record.version = fx->expected_version + 1;
      return fx->instance;
    }
    if (s.error().code() != ErrorCode::kConflict || attempt == kMaxAttempts ||
        command.expected_version > 0) {
      return s.error();
    }
  }
}

void FireReport::Add(const FireReport& other) {
  timers += other.timers;
  instances += other.instances;
  skipped += other.skipped;
  batches += other.batches;
  errors.insert(errors.end(), other.errors.begin(), other.errors.end());
  armed.insert(armed.end(), other.armed.begin(), other.armed.end());
  fired_due.insert(fired_due.end(), other.fired_due.begin(), other.fired_due.end());
}

namespace {

// Carries each claimed timer's lease token onto its firing (fencing), and notes what the firing
// commits for the report.
void Fence(Effects& fx, const std::vector<TimerRecord>& claimed) {
  for (TimerFire& f : fx.fire) {
    for (const TimerRecord& t : claimed) {
      if (t.key == f.key) {
        f.lease_token = t.lease_token;
        break;
      }
    }
  }
}

void NoteCommitted(const ChangeSet& changes, const std::vector<TimerRecord>& claimed,
                   FireReport& report) {
  report.armed.insert(report.armed.end(), changes.timer_arms.begin(), changes.timer_arms.end());
  // A batch holds a thousand firings: look them up by key, not pairwise.
  std::unordered_map<std::string, Timestamp> due_by_key;
  due_by_key.reserve(claimed.size());
  auto key_of = [](const TimerKey& k) {
    return k.instance_id + '\x1f' + k.name + '\x1f' + std::to_string(k.generation);
  };
  for (const TimerRecord& t : claimed) due_by_key.emplace(key_of(t.key), t.due_at);
  for (const TimerFire& f : changes.timer_fires) {
    if (auto it = due_by_key.find(key_of(f.key)); it != due_by_key.end()) {
      report.fired_due.push_back(it->second);
    }
  }
}

}  // namespace

Result<Effects> Engine::FireGroup(const std::string& instance_id,
                                  const std::vector<TimerRecord>& due, bool recheck,
                                  const InstanceRecord* loaded) {
  auto inst = loaded ? Instance::FromRecord(*loaded) : Load(instance_id);
  if (!inst) return inst.error();
  std::vector<TimerRecord> timers = due;
  if (recheck) {
    // After a conflict: fire only what is still pending in the store.
    auto stored = store_.TimersOf(instance_id);
    if (!stored) return stored.error();
    std::erase_if(timers, [&](const TimerRecord& t) {
      return std::none_of(stored->begin(), stored->end(), [&](const TimerRecord& s) {
        // Still pending, and (for a claimed timer) still under our lease.
        return s.key == t.key && s.state == TimerState::kPending &&
               (t.lease_token == 0 || s.lease_token == t.lease_token);
      });
    });
  }
  if (timers.empty()) return Error::Conflict("already fired");
  auto fx = IsCampaignRun(inst->record)
                ? FireCampaign(interpreter_, store_, *inst, timers, clock_.Now())
                : interpreter_.Fire(*inst, timers, clock_.Now());
  if (fx) Fence(*fx, due);
  return fx;
}

Result<FireReport> Engine::FireDue(std::int64_t limit) {
  auto due = store_.DueTimers(clock_.Now(), limit);
  if (!due) return due.error();
  return FireTimers(*due);
}

Result<FireReport> Engine::FireTimers(const std::vector<TimerRecord>& due) {
  FireReport report;
  // Group by instance, keeping due order inside each group and the order groups first appear.
  std::vector<std::string> order;
  std::map<std::string, std::vector<TimerRecord>> groups;
  for (const TimerRecord& t : due) {
    auto& g = groups[t.key.instance_id];
    if (g.empty()) order.push_back(t.key.instance_id);
    g.push_back(t);
  }
  if (order.empty()) return report;

  auto loaded = store_.LoadInstances(order);
  if (!loaded) return loaded.error();
  std::map<std::string, const InstanceRecord*> records;
  for (const InstanceRecord& r : *loaded) records[r.id] = &r;

  std::vector<std::string> ids;
  std::vector<Effects> effects;
  for (const std::string& id : order) {
    auto found = records.find(id);
    if (found == records.end()) {
      report.errors.push_back(id + ": no such instance");
      continue;
    }
    auto fx = FireGroup(id, groups[id], false, found->second);
    if (!fx) {
      report.errors.push_back(id + ": " + fx.error().message());
      continue;
    }
    ids.push_back(id);
    effects.push_back(std::move(*fx));
  }
  if (Status s = CommitFirings(ids, effects, 0, ids.size(), groups, due, report); !s) {
    return s.error();
  }
  return report;
}

// Commits the firings of instances [from, to) in one ChangeSet. When that conflicts (an instance
// moved on under us, or a lease was taken over), the range is halved and each half committed on
// its own, down to the instance at fault, which is fired again from what the store now holds. So
// one contended instance costs a few commits, not one commit per instance of the batch.
Status Engine::CommitFirings(const std::vector<std::string>& ids, std::vector<Effects>& effects,
                             std::size_t from, std::size_t to,
                             std::map<std::string, std::vector<TimerRecord>>& groups,
                             const std::vector<TimerRecord>& due, FireReport& report) {
  if (from >= to) return OkStatus();
  ChangeSet batch;
  std::int64_t timers = 0;
  for (std::size_t i = from; i < to; ++i) {
    effects[i].AppendTo(batch);
    timers += static_cast<std::int64_t>(effects[i].fire.size());
  }
  Status s = Commit(batch);
  ++report.batches;
  if (s) {
    report.timers += timers;
    report.instances += static_cast<std::int64_t>(to - from);
    NoteCommitted(batch, due, report);
    return OkStatus();
  }
  if (s.error().code() != ErrorCode::kConflict && s.error().code() != ErrorCode::kUniqueViolation) {
    return s;
  }
  if (to - from > 1) {
    std::size_t mid = from + (to - from) / 2;
    if (Status left = CommitFirings(ids, effects, from, mid, groups, due, report); !left) {
      return left;
    }
    return CommitFirings(ids, effects, mid, to, groups, due, report);
  }
  // This instance is the one at fault: fire again what is still pending under our lease.
  const std::string& id = ids[from];
  for (int attempt = 1; attempt <= kMaxAttempts; ++attempt) {
    auto fx = FireGroup(id, groups[id], true, nullptr);
    if (!fx) {
      if (fx.error().code() == ErrorCode::kConflict) {
        report.skipped += static_cast<std::int64_t>(groups[id].size());
      } else {
        report.errors.push_back(id + ": " + fx.error().message());
      }
      return OkStatus();
    }
    ChangeSet one;
    fx->AppendTo(one);
    Status c = Commit(one);
    ++report.batches;
    if (c) {
      report.timers += static_cast<std::int64_t>(fx->fire.size());
      report.skipped += static_cast<std::int64_t>(groups[id].size() - fx->fire.size());
      ++report.instances;
      NoteCommitted(one, due, report);
      return OkStatus();
    }
    if (c.error().code() != ErrorCode::kConflict) {
      report.errors.push_back(id + ": " + c.error().message());
      return OkStatus();
    }
  }
  // Still conflicting: the timers are fenced off (another node holds their lease) or keep
  // moving; whoever holds them fires them.
  report.skipped += static_cast<std::int64_t>(groups[id].size());
  return OkStatus();
}

Result<FireReport> RunUntil(Engine& engine, VirtualClock& clock, boost::asio::io_context& io,
                            Timestamp target) {
  FireReport total;
  for (;;) {
    auto next = engine.store().DueTimers(target, 1);
    if (!next) return next.error();
    if (next->empty()) break;
    Timestamp at = std::max(next->front().due_at, clock.Now());
    clock.AdvanceTo(io, at);
    auto report = engine.FireDue();
    if (!report) return report.error();
    total.timers += report->timers;
    total.instances += report->instances;
    total.skipped += report->skipped;
    total.batches += report->batches;
    total.errors.insert(total.errors.end(), report->errors.begin(), report->errors.end());
    if (report->timers == 0 && report->skipped == 0) {
      // Nothing could be fired here (errors): stop rather than loop on the same timer.
      if (!report->errors.empty()) break;
    }
  }
  if (clock.Now() < target) clock.AdvanceTo(io, target);
  return total;
}

}  // namespace rectify::engine
