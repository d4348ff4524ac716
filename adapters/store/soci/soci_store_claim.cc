// SociStore::ClaimDue: leasing due timers to one worker of one engine node (store.h says what a
// claim promises). One short transaction: take a fresh token, lease the earliest due timers that
// are free, and return them.
#include <algorithm>

#include "adapters/store/soci/batch.h"
#include "adapters/store/soci/soci_store.h"

namespace rectify::store_soci {

namespace {

// A timer is free to claim when it is pending, due, and nobody else holds a live lease on it.
constexpr const char* kFree =
    "state = 'pending' AND due_at <= :now AND "
    "(lease_until IS NULL OR lease_until <= :now2 OR lease_owner = :owner2)";

}  // namespace

Result<std::vector<TimerRecord>> SociStore::ClaimDue(Timestamp now, std::int64_t limit,
                                                     const std::string& owner,
                                                     Timestamp lease_until) {
  std::vector<TimerRecord> out;
  if (limit <= 0) return out;
  long long now_us = ToMicros(now), now2_us = now_us, until_us = ToMicros(lease_until), lim = limit;
  std::string who = owner, who2 = owner;
  // On PostgreSQL the whole claim is one statement (and so one implicit transaction): the token
  // comes from the sequence, and SKIP LOCKED keeps concurrent claimers off each other's rows.
  // SQLite has one writer at a time; BEGIN IMMEDIATE takes the write lock before reading.
  const bool pg = db_->is_postgres();
  try {
    long long token = 0;
    if (!pg) {
      if (Status s = db_->BeginWrite(); !s) return s.error().WithContext("claim timers");
      db_->session() << "UPDATE timer_lease_tokens SET last = last + 1 RETURNING last",
          soci::into(token);
    }
    std::string instance_id, name;
    long long generation = 0, due_at = 0, got_token = 0;
    Statement st(*db_);
    st.exchange(soci::into(instance_id));
    st.exchange(soci::into(name));
    st.exchange(soci::into(generation));
    st.exchange(soci::into(due_at));
    st.exchange(soci::into(got_token));
    st.exchange(soci::use(who, "owner"));
    st.exchange(soci::use(until_us, "until"));
    if (!pg) st.exchange(soci::use(token, "token"));
    st.exchange(soci::use(now_us, "now"));
    st.exchange(soci::use(now2_us, "now2"));
    st.exchange(soci::use(who2, "owner2"));
    st.exchange(soci::use(lim, "limit"));
    std::string sql =
        pg ? std::string(
                 "WITH picked AS (SELECT instance_id, name, generation FROM timers WHERE ") +
                 kFree +
                 " ORDER BY due_at LIMIT :limit FOR UPDATE SKIP LOCKED), "
                 "token AS (SELECT nextval('timer_lease_tokens') AS v) "
                 "UPDATE timers AS t SET lease_owner = :owner, lease_until = :until, "
                 "lease_token = (SELECT v FROM token) FROM picked AS p "
                 "WHERE t.instance_id = p.instance_id AND t.name = p.name AND "
                 "t.generation = p.generation "
                 "RETURNING t.instance_id, t.name, t.generation, t.due_at, t.lease_token"
           : std::string(
                 "UPDATE timers SET lease_owner = :owner, lease_until = :until, "
                 "lease_token = :token WHERE (instance_id, name, generation) IN "
                 "(SELECT instance_id, name, generation FROM timers WHERE ") +
                 kFree +
                 " ORDER BY due_at LIMIT :limit) "
                 "RETURNING instance_id, name, generation, due_at, lease_token";
    st.Prepare(sql);
    st.execute();
    while (st.fetch()) {
      TimerRecord t{{instance_id, name, generation},
                    FromMicros(due_at),
                    TimerState::kPending,
                    std::nullopt,
                    got_token};
      out.push_back(std::move(t));
    }
    if (!pg) {
      if (Status s = db_->Commit(); !s) {
        db_->Rollback();
        return s.error().WithContext("claim timers");
      }
    }
  } catch (const std::exception& e) {
    Error err = db_->MapError(e, "claim due timers");
    if (!pg) db_->Rollback();
    return err;
  }
  std::sort(out.begin(), out.end(), [](const TimerRecord& a, const TimerRecord& b) {
    if (a.due_at != b.due_at) return a.due_at < b.due_at;
    if (a.key.instance_id != b.key.instance_id) return a.key.instance_id < b.key.instance_id;
    if (a.key.name != b.key.name) return a.key.name < b.key.name;
    return a.key.generation < b.key.generation;
  });
  return out;
}

}  // namespace rectify::store_soci
