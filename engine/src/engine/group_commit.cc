#include "rectify/engine/group_commit.h"

#include <exception>
#include <string>
#include <unordered_set>
#include <utility>

namespace rectify::engine {

namespace {

template <typename T>
void Append(std::vector<T>& to, const std::vector<T>& from) {
  to.insert(to.end(), from.begin(), from.end());
}

void AppendChangeSet(const ChangeSet& from, ChangeSet& to) {
  Append(to.definitions, from.definitions);
  Append(to.units, from.units);
  Append(to.people, from.people);
  Append(to.instance_inserts, from.instance_inserts);
  Append(to.instance_updates, from.instance_updates);
  Append(to.timer_cancels, from.timer_cancels);
  Append(to.timer_fires, from.timer_fires);
  Append(to.timer_arms, from.timer_arms);
  Append(to.outbox_inserts, from.outbox_inserts);
  Append(to.outbox_updates, from.outbox_updates);
  Append(to.audit_appends, from.audit_appends);
}

// What a change set touches that another in the same group must not: its instances (their rows,
// timers and audit chains) and the outbox rows it updates. Store::Commit refuses an instance
// updated twice in one change set, and an audit chain's next row depends on the one before.
std::vector<std::string> KeysOf(const ChangeSet& c) {
  std::unordered_set<std::string> keys;
  for (const auto& i : c.instance_inserts) keys.insert(i.id);
  for (const auto& u : c.instance_updates) keys.insert(u.record.id);
  for (const auto& t : c.timer_cancels) keys.insert(t.instance_id);
  for (const auto& t : c.timer_fires) keys.insert(t.key.instance_id);
  for (const auto& t : c.timer_arms) keys.insert(t.key.instance_id);
  for (const auto& o : c.outbox_inserts) {
    if (!o.instance_id.empty()) keys.insert(o.instance_id);
  }
  for (const auto& a : c.audit_appends) keys.insert(a.instance_id);
  // An outbox key cannot be taken for an instance id: instance ids hold no control characters.
  for (const auto& o : c.outbox_updates)
    keys.insert(
        "\x1f"
        "outbox " +
        o.dedup_key);
  return {keys.begin(), keys.end()};
}

}  // namespace

struct GroupCommit::Waiter {
  const ChangeSet* changes = nullptr;
  std::vector<std::string> keys;
  Status status;
  bool done = false;
  std::condition_variable wake;
};

GroupCommit::GroupCommit(Engine::CommitFunction inner, Options options)
    : inner_(std::move(inner)), options_(options) {}

Engine::CommitFunction GroupCommit::Function() {
  return [this](Store& store, const ChangeSet& changes) { return Commit(store, changes); };
}

GroupCommit::Stats GroupCommit::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

std::size_t GroupCommit::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

Status GroupCommit::Commit(Store& store, const ChangeSet& changes) {
  Waiter self;
  self.changes = &changes;
  self.keys = KeysOf(changes);
  std::unique_lock lock(mu_);
  ++stats_.change_sets;
  queue_.push_back(&self);
  // The front of the queue leads; it stays at the front until its group is done, so one group
  // commits at a time and the next forms meanwhile.
  self.wake.wait(lock, [&] { return self.done || queue_.front() == &self; });
  if (self.done) return self.status;

  std::vector<Waiter*> group = TakeGroup();
  lock.unlock();
  std::int64_t transactions = 0;
  CommitRange(store, group, 0, group.size(), transactions);
  lock.lock();
  ++stats_.groups;
  stats_.transactions += transactions;
  std::unordered_set<Waiter*> members(group.begin(), group.end());
  std::erase_if(queue_, [&](Waiter* w) { return members.contains(w); });
  // Woken under the lock: a member cannot return (and take its Waiter off its stack) before the
  // lock is released.
  for (Waiter* w : group) {
    if (w == &self) continue;
    w->done = true;
    w->wake.notify_one();
  }
  if (!queue_.empty()) queue_.front()->wake.notify_one();
  return self.status;
}

std::vector<GroupCommit::Waiter*> GroupCommit::TakeGroup() const {
  std::vector<Waiter*> group;
  std::unordered_set<std::string> taken;  // keys of members and of those left out before them
  std::size_t rows = 0;
  for (Waiter* w : queue_) {
    if (group.size() == options_.max_change_sets) break;
    std::size_t size = w->changes->size();
    bool fits = group.empty() || rows + size <= options_.max_rows;
    for (const std::string& k : w->keys) {
      if (taken.contains(k)) fits = false;
    }
    // Left out or not, its keys stay taken: a later change set of the same instance must not
    // overtake it.
    taken.insert(w->keys.begin(), w->keys.end());
    if (!fits) continue;
    group.push_back(w);
    rows += size;
  }
  return group;
}

void GroupCommit::CommitRange(Store& store, const std::vector<Waiter*>& group, std::size_t from,
                              std::size_t to, std::int64_t& transactions) {
  auto commit = [&](const ChangeSet& changes) -> Status {
    ++transactions;
    // The members wait on this thread: whatever happens, each must get an outcome.
    try {
      return inner_ ? inner_(store, changes) : store.Commit(changes);
    } catch (const std::exception& e) {
      return Error::Internal(std::string("group commit: ") + e.what());
    }
  };
  Status s;
  if (to - from == 1) {
    s = commit(*group[from]->changes);
  } else {
    ChangeSet merged;
    for (std::size_t i = from; i < to; ++i) AppendChangeSet(*group[i]->changes, merged);
    s = commit(merged);
  }
  if (s || to - from == 1 || s.error().code() == ErrorCode::kUnavailable) {
    for (std::size_t i = from; i < to; ++i) group[i]->status = s;
    return;
  }
  // Nothing of the range committed; find the members at fault.
  std::size_t mid = from + (to - from) / 2;
  CommitRange(store, group, from, mid, transactions);
  CommitRange(store, group, mid, to, transactions);
}

}  // namespace rectify::engine
