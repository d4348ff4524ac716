// Registering many instances at once (a ledger), each registration followed by commands taken at
// the same instant, committed in one transaction.
#include <algorithm>
#include <map>

#include "rectify/engine/campaign.h"
#include "rectify/engine/campaign_items.h"
#include "rectify/engine/engine.h"
#include "rectify/engine/interpreter.h"

namespace rectify::engine {

void Effects::Then(Effects next) {
  // The people to write (a new row's, or changed ones) stay to be written when the next step
  // leaves them as they were.
  auto people = std::move(instance.record.people);
  instance = std::move(next.instance);
  if (!instance.record.people) instance.record.people = std::move(people);
  for (const TimerCancel& c : next.cancel) {
    auto matches = [&](const TimerRecord& t) {
      return t.key.instance_id == c.instance_id && (c.name.empty() || t.key.name == c.name) &&
             (!c.generation || t.key.generation == *c.generation);
    };
    auto before = arm.size();
    std::erase_if(arm, matches);
    // A cancel that matched a timer armed here only undoes it; one that matched nothing may name
    // a stored timer and must reach the store.
    if (arm.size() == before || !created) cancel.push_back(c);
  }
  fire.insert(fire.end(), next.fire.begin(), next.fire.end());
  arm.insert(arm.end(), next.arm.begin(), next.arm.end());
  audit.insert(audit.end(), next.audit.begin(), next.audit.end());
  outbox.insert(outbox.end(), next.outbox.begin(), next.outbox.end());
  outbox_updates.insert(outbox_updates.end(), next.outbox_updates.begin(),
                        next.outbox_updates.end());
  for (Effects& f : next.follow_ups) follow_ups.push_back(std::move(f));
}

Result<Effects> Interpreter::Register(const Registration& r) const {
  auto fx = Create(r.item);
  if (!fx) return fx.error();
  for (Command cmd : r.then) {
    cmd.instance_id = r.item.id;
    cmd.at = r.item.at;
    auto next = Apply(fx->instance, cmd);
    if (!next) return next.error();
    fx->Then(std::move(*next));
  }
  return fx;
}

Result<std::vector<Instance>> Engine::RegisterMany(const std::vector<Registration>& batch) {
  ChangeSet changes;
  std::vector<Instance> out;
  out.reserve(batch.size());
  Timestamp now = clock_.Now();
  std::map<std::string, std::map<std::string, int>> pins;  // by campaign
  for (Registration r : batch) {
    if (r.item.at == Timestamp{}) r.item.at = now;
    if (Status s = ApplyCampaignItems(store_, *definitions_, r.item); !s) {
      return s.error().WithContext("registering " + r.item.id);
    }
    if (!pins.count(r.item.campaign)) {
      auto loaded = LoadPinnedWorkflows(store_, r.item.campaign);
      if (!loaded) return loaded.error();
      pins[r.item.campaign] = std::move(*loaded);
    }
    if (Status s = ApplyCampaignPin(pins[r.item.campaign], r.item); !s) {
      return s.error().WithContext("registering " + r.item.id);
    }
    auto fx = interpreter_.Register(r);
    if (!fx) return fx.error().WithContext("registering " + r.item.id);
    fx->AppendTo(changes);
    fx->instance.record.version = 1;
    out.push_back(std::move(fx->instance));
  }
  if (changes.empty()) return out;
  if (Status s = Commit(changes); !s) {
    if (s.error().code() == ErrorCode::kUniqueViolation) {
      return Error::UniqueViolation("an item of this batch already exists (" + s.error().message() +
                                    "); nothing was registered");
    }
    return s.error();
  }
  return out;
}

}  // namespace rectify::engine
