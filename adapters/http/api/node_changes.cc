// NodeChanges (node_changes.h): node_changes rows applied to the item index and the account cache.
#include "adapters/http/api/node_changes.h"

#include <soci/soci.h>

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

Status NodeChanges::Start(store_soci::Database& db) {
  std::lock_guard guard(mu_);
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
  last_read_began_ = SteadyClock::now();
  return OkStatus();
}

Status NodeChanges::CatchUp(Store& store, store_soci::Database& db) {
  const auto arrived = SteadyClock::now();
  std::lock_guard guard(mu_);
  // A read that began after this request came has seen every change committed before it.
  if (last_read_began_ >= arrived) return OkStatus();
  last_read_began_ = SteadyClock::now();
  // From the floor (a gap below the newest may have filled), then page by page after the last row
  // read.
  long long after = floor_;
  for (;;) {
    std::vector<Change> changes;
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
    if (changes.empty()) return OkStatus();
    std::set<std::string> instances;
    for (const Change& c : changes) {
      if (applied_above_.count(c.id)) continue;
      if (c.kind == "instance") {
        instances.insert(c.key);
      } else {
        accounts_.Forget(c.kind, c.key);
      }
    }
    if (Status s = items_.Reload(store, instances); !s) return s;
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
    if (static_cast<std::int64_t>(changes.size()) < kChangesPage) return OkStatus();
    after = changes.back().id;
  }
}

}  // namespace rectify::api
