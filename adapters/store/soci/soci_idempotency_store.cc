#include "adapters/store/soci/soci_idempotency_store.h"

namespace rectify::store_soci {

Result<IdempotencyBegin> SociIdempotencyStore::Begin(const std::string& person,
                                                     const std::string& key,
                                                     const std::string& request_hash,
                                                     Timestamp now) {
  const std::string doing = "record idempotency key";
  if (Status s = db_.BeginWrite(); !s) return s.error().WithContext(doing);
  try {
    std::string stored_hash, headers, body;
    long long status = -1;
    soci::indicator ind = soci::i_null;
    db_.session() << "SELECT request_hash, status, headers, body FROM idempotency_keys WHERE "
                     "person = :p AND idem_key = :k",
        soci::use(person), soci::use(key), soci::into(stored_hash, ind), soci::into(status),
        soci::into(headers), soci::into(body);
    if (db_.session().got_data() && ind == soci::i_ok) {
      db_.Rollback();
      if (stored_hash != request_hash) {
        return Error::BadInput("the Idempotency-Key '" + key +
                               "' was used for a different request; use a new key for each "
                               "request");
      }
      if (status == 0) {
        return Error::Conflict("the first request with Idempotency-Key '" + key +
                               "' is still running; retry shortly");
      }
      IdempotencyBegin b;
      b.replay = StoredResponse{static_cast<int>(status), headers, body};
      return b;
    }
    long long at = ToMicros(now);
    db_.session() << "INSERT INTO idempotency_keys (person, idem_key, request_hash, status, "
                     "headers, body, created_at) VALUES (:p, :k, :h, 0, '[]', '', :at)",
        soci::use(person), soci::use(key), soci::use(request_hash), soci::use(at);
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

Status SociIdempotencyStore::Finish(const std::string& person, const std::string& key,
                                    const StoredResponse& r) {
  try {
    long long status = r.status;
    db_.session() << "UPDATE idempotency_keys SET status = :s, headers = :h, body = :b WHERE "
                     "person = :p AND idem_key = :k",
        soci::use(status), soci::use(r.headers_json), soci::use(r.body), soci::use(person),
        soci::use(key);
  } catch (const std::exception& e) {
    return db_.MapError(e, "record the answer of an idempotency key");
  }
  return OkStatus();
}

Status SociIdempotencyStore::Abandon(const std::string& person, const std::string& key) {
  try {
    db_.session() << "DELETE FROM idempotency_keys WHERE person = :p AND idem_key = :k AND "
                     "status = 0",
        soci::use(person), soci::use(key);
  } catch (const std::exception& e) {
    return db_.MapError(e, "abandon an idempotency key");
  }
  return OkStatus();
}

Result<std::int64_t> SociIdempotencyStore::Expire(Timestamp before) {
  try {
    long long t = ToMicros(before);
    soci::statement st =
        (db_.session().prepare
             << "DELETE FROM idempotency_keys WHERE created_at < :t AND status <> 0",
         soci::use(t));
    st.execute(true);
    return static_cast<std::int64_t>(st.get_affected_rows());
  } catch (const std::exception& e) {
    return db_.MapError(e, "expire idempotency keys");
  }
}

}  // namespace rectify::store_soci
