// NodeChanges (node_changes.h): node_changes rows applied to the item index and the account cache.
#include "adapters/http/api/node_changes.h"

#include <soci/soci.h>

#include <cstdio>
#include <future>
#include <string>
#include <vector>

#include "adapters/http/api/account_cache.h"
#include "adapters/http/api/item_index.h"
#include "adapters/store/soci/batch.h"

namespace rectify::api {

namespace {

constexpr std::int64_t kChangesPage = 5000;
// At start the reader reads this many changes below the newest again (see Start).
constexpr std::int64_t kStartLookBack = 1000;

struct Change {
  std::int64_t id = 0;
  std::string kind;
  std::string key;
};

}  // namespace

Status NodeChanges::Start() {
  store_soci::Database& db = *reading_.db;
  try {
    long long newest = 0;
    soci::indicator ind = soci::i_null;
    db.session() << "SELECT MAX(id) FROM node_changes", soci::into(newest, ind);
    floor_ = ind == soci::i_ok ? std::max<std::int64_t>(0, newest - kStartLookBack) : 0;
  } catch (const std::exception& e) {
    Error err = db.MapError(e, "read node_changes");
    return Error::FailedPrecondition(
        "serving needs the table node_changes (migration 0021); run `rectify migrate` (" +
        err.message() + ")");
  }
  reader_ = std::thread([this] { Run(); });
  return OkStatus();
}

NodeChanges::~NodeChanges() { Stop(); }

void NodeChanges::Stop() {
  {
    std::lock_guard lock(wait_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (reader_.joinable()) reader_.join();
}

void NodeChanges::AfterCatchUp(Done done, Fresh need) {
  {
    std::lock_guard lock(wait_mu_);
    if (!stopping_) {
      waiting_.push_back(Waiter{std::move(done), need});
      if (waiting_.size() == 1) wake_.notify_one();
      return;
    }
  }
  done(Error::Unavailable("the server is stopping"));
}

Status NodeChanges::CatchUp(Fresh need) {
  std::promise<Status> read;
  std::future<Status> applied = read.get_future();
  AfterCatchUp([&read](const Status& s) { read.set_value(s); }, need);
  return applied.get();
}

namespace {

void Answer(std::vector<NodeChanges::Done>& waiters, const Status& s) {
  for (NodeChanges::Done& done : waiters) {
    try {
      done(s);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "rectify serve: a request waiting for node_changes failed: %s\n",
                   e.what());
    }
  }
  waiters.clear();  // the callbacks' captures go before the next wait
}

}  // namespace

void NodeChanges::Run() {
  std::unique_lock lock(wait_mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
    if (stopping_) break;
    // Everyone waiting came before this read begins: it serves them all.
    std::vector<Waiter> batch;
    batch.swap(waiting_);
    lock.unlock();
    std::vector<Done> credentials, index;
    for (Waiter& w : batch)
      (w.need == Fresh::kCredentials ? credentials : index).push_back(std::move(w.done));
    batch.clear();
    Status s = OkStatus();
    if (broken_) {
      if (auto fresh = reconnect_(); fresh) {
        reading_ = *fresh;
        broken_ = false;
      } else {
        s = fresh.error();
      }
    }
    if (!broken_) {
      try {
        s = ReadOnce([&] { Answer(credentials, OkStatus()); });
      } catch (const std::exception& e) {
        s = Error::Internal(std::string("catching up with node_changes failed: ") + e.what());
      }
      // The connection may be dead or inside a failed transaction: the next read opens another.
      broken_ = !s;
    }
    Answer(credentials, s);  // those not answered yet: the read failed before
    Answer(index, s);
    lock.lock();
  }
  std::vector<Done> rest;
  for (Waiter& w : waiting_) rest.push_back(std::move(w.done));
  waiting_.clear();
  lock.unlock();
  Answer(rest, Error::Unavailable("the server is stopping"));
}

Status NodeChanges::ReadOnce(const std::function<void()>& credentials_applied) {
  store_soci::Database& db = *reading_.db;
  // Every change after the floor (a gap below the newest may have filled), page by page.
  std::vector<Change> changes;
  long long after = floor_;
  for (;;) {
    std::size_t before = changes.size();
    try {
      long long id = 0, page = kChangesPage;
      std::string kind, key;
      store_soci::Statement st(db);
      st.exchange(soci::into(id));
      st.exchange(soci::into(kind));
      st.exchange(soci::into(key));
      st.exchange(soci::use(after));
      st.exchange(soci::use(page));
      st.Prepare(
          "SELECT id, kind, row_key FROM node_changes WHERE id > :after ORDER BY id LIMIT :n");
      st.execute();
      while (st.fetch()) changes.push_back(Change{id, kind, key});
    } catch (const std::exception& e) {
      return db.MapError(e, "read node_changes");
    }
    if (static_cast<std::int64_t>(changes.size() - before) < kChangesPage) break;
    after = changes.back().id;
  }
  // The credentials first (forgetting is quick): the writes, which read what they change from
  // the store, need no more.
  std::set<std::string> instances;
  for (const Change& c : changes) {
    if (applied_above_.count(c.id)) continue;
    if (c.kind == "instance") {
      instances.insert(c.key);
    } else {
      accounts_.Forget(c.kind, c.key);
    }
  }
  credentials_applied();
  if (Status s = items_.Reload(*reading_.store, instances); !s) return s;
  // Move the floor over every change now applied, up to the first gap still in flight.
  for (const Change& c : changes) applied_above_.insert(c.id);
  auto now = SteadyClock::now();
  while (!applied_above_.empty()) {
    auto first = *applied_above_.begin();
    if (first != floor_ + 1) {
      if (!gap_since_) gap_since_ = now;
      if (now - *gap_since_ < kGapWait) break;  // maybe a transaction still in flight
    }
    gap_since_.reset();
    floor_ = first;
    applied_above_.erase(applied_above_.begin());
  }
  return OkStatus();
}

}  // namespace rectify::api
