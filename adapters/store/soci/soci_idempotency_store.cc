#include "adapters/store/soci/soci_idempotency_store.h"

#include "adapters/store/soci/batch.h"

namespace rectify::store_soci {

namespace {

// PostgreSQL: `keyword` (FROM, USING) and an item that turns synchronous_commit off for the
// transaction of the statement that names it (SET LOCAL's effect, without a transaction of its own
// around one statement). SQLite: nothing (its writes relax in Relaxed's transaction, or not at
// all).
std::string Relaxing(const Database& db, const char* keyword) {
  if (!db.is_postgres()) return "";
  return std::string(" ") + keyword +
         " (SELECT set_config('synchronous_commit', 'off', true)) AS relaxed";
}

// Inserts the key as in progress; `sql_tail` follows the values. Whether a row was inserted.
bool InsertReservation(Database& db, const std::string& person, const std::string& key,
                       const std::string& request_hash, long long at, const std::string& sql_tail) {
  Statement insert(db);
  insert.exchange(soci::use(person));
  insert.exchange(soci::use(key));
  insert.exchange(soci::use(request_hash));
  insert.exchange(soci::use(at));
  insert.Prepare(
      "INSERT INTO idempotency_keys (person, idem_key, request_hash, status, headers, body, "
      "created_at) SELECT :p, :k, :h, 0, '[]', '', :at" +
      sql_tail);
  insert.execute(true);
  return insert.get_affected_rows() == 1;
}

}  // namespace

Result<IdempotencyBegin> SociIdempotencyStore::Begin(const std::string& person,
                                                     const std::string& key,
                                                     const std::string& request_hash,
                                                     Timestamp now) {
  const std::string doing = "record idempotency key";
  const long long at = ToMicros(now);
  if (db_.is_postgres()) {
    // The usual case, a key not seen before, in one round trip: the reservation is inserted
    // unless the key is taken; only a taken key needs the transaction below to decide.
    try {
      if (InsertReservation(db_, person, key, request_hash, at,
                            Relaxing(db_, "FROM") + " ON CONFLICT (person, idem_key) DO NOTHING")) {
        return IdempotencyBegin{};
      }
    } catch (const std::exception& e) {
      return db_.MapError(e, doing);
    }
  }
  if (Status s = db_.BeginWrite(); !s) return s.error().WithContext(doing);
  // Not waited for on the disk: the work that follows commits durably after this, and WAL is
  // flushed in order, so whenever that work is durable this reservation is too.
  if (Status s = db_.RelaxDurability(); !s) {
    db_.Rollback();
    return s.error().WithContext(doing);
  }
  try {
    std::string stored_hash, headers, body;
    long long status = -1;
    long long created_at = 0;
    soci::indicator ind = soci::i_null;
    Statement read(db_);
    read.exchange(soci::into(stored_hash, ind));
    read.exchange(soci::into(status));
    read.exchange(soci::into(headers));
    read.exchange(soci::into(body));
    read.exchange(soci::into(created_at));
    read.exchange(soci::use(person));
    read.exchange(soci::use(key));
    read.Prepare(
        "SELECT request_hash, status, headers, body, created_at FROM idempotency_keys WHERE "
        "person = :p AND idem_key = :k");
    if (read.execute(true) && ind == soci::i_ok) {
      if (stored_hash != request_hash) {
        db_.Rollback();
        return Error::BadInput("the Idempotency-Key '" + key +
                               "' was used for a different request; use a new key for each "
                               "request");
      }
      if (status != 0) {
        db_.Rollback();
        IdempotencyBegin b;
        b.replay = StoredResponse{static_cast<int>(status), headers, body};
        return b;
      }
      if (created_at > ToMicros(now - kReservationLease)) {
        db_.Rollback();
        return Error::Conflict("the first request with Idempotency-Key '" + key +
                               "' is still running; retry shortly");
      }
      // Reserved longer ago than any request runs: the server that took it stopped before it
      // answered (or its answer was lost with the database server). This request takes the key
      // over and runs; its own checks (an If-Match) see whatever the first one did.
      soci::statement take =
          (db_.session().prepare << "UPDATE idempotency_keys SET created_at = :at WHERE person = "
                                    ":p AND idem_key = :k AND status = 0 AND created_at = :was",
           soci::use(at), soci::use(person), soci::use(key), soci::use(created_at));
      take.execute(true);
      if (take.get_affected_rows() != 1) {
        db_.Rollback();
        return Error::Conflict("the first request with Idempotency-Key '" + key +
                               "' is still running; retry shortly");
      }
    } else {
      InsertReservation(db_, person, key, request_hash, at, "");
    }
  } catch (const std::exception& e) {
    Error err = db_.MapError(e, doing);
    db_.Rollback();
    if (err.code() == ErrorCode::kUniqueViolation) {
      return Error::Conflict("the first request with Idempotency-Key '" + key +
                             "' is still running; retry shortly");
    }
    return err;
  }
  if (Status s = db_.Commit(); !s) {
    db_.Rollback();
    return s.error().WithContext(doing);
  }
  return IdempotencyBegin{};
}

// The answer and the abandonment are written without waiting for the disk: the work they follow
// is already durable, and if the database server loses them in a crash the key stays reserved
// until kReservationLease has passed, after which a retry runs again (Begin).
// On PostgreSQL the statement relaxes its own transaction (Relaxing): one round trip.
Status SociIdempotencyStore::Relaxed(const std::string& doing, const std::function<void()>& write) {
  if (db_.is_postgres()) {
    try {
      write();
    } catch (const std::exception& e) {
      return db_.MapError(e, doing);
    }
    return OkStatus();
  }
  if (Status s = db_.BeginWrite(); !s) return s.error().WithContext(doing);
  try {
    if (Status s = db_.RelaxDurability(); !s) {
      db_.Rollback();
      return s.error().WithContext(doing);
    }
    write();
  } catch (const std::exception& e) {
    Error err = db_.MapError(e, doing);
    db_.Rollback();
    return err;
  }
  if (Status s = db_.Commit(); !s) {
    db_.Rollback();
    return s.error().WithContext(doing);
  }
  return OkStatus();
}

Status SociIdempotencyStore::Finish(const std::string& person, const std::string& key,
                                    const StoredResponse& r) {
  return Relaxed("record the answer of an idempotency key", [&] {
    long long status = r.status;
    Statement st(db_);
    st.exchange(soci::use(status));
    st.exchange(soci::use(r.headers_json));
    st.exchange(soci::use(r.body));
    st.exchange(soci::use(person));
    st.exchange(soci::use(key));
    st.Prepare("UPDATE idempotency_keys SET status = :s, headers = :h, body = :b" +
               Relaxing(db_, "FROM") + " WHERE person = :p AND idem_key = :k");
    st.execute(true);
  });
}

Status SociIdempotencyStore::Abandon(const std::string& person, const std::string& key) {
  return Relaxed("abandon an idempotency key", [&] {
    Statement st(db_);
    st.exchange(soci::use(person));
    st.exchange(soci::use(key));
    st.Prepare("DELETE FROM idempotency_keys" + Relaxing(db_, "USING") +
               " WHERE person = :p AND idem_key = :k AND status = 0");
    st.execute(true);
  });
}

Result<std::int64_t> SociIdempotencyStore::Expire(Timestamp before) {
  try {
    long long t = ToMicros(before);
    soci::statement st =
        (db_.session().prepare << "DELETE FROM idempotency_keys WHERE created_at < :t",
         soci::use(t));
    st.execute(true);
    return static_cast<std::int64_t>(st.get_affected_rows());
  } catch (const std::exception& e) {
    return db_.MapError(e, "expire idempotency keys");
  }
}

}  // namespace rectify::store_soci
