// The IdempotencyStore (engine/include/rectify/idempotency_store.h) on SOCI, SQLite and
// PostgreSQL, over the idempotency_keys table of migration 0005. Begin inserts the key as "in
// progress" (status 0) in its own transaction, so of two identical requests racing only one runs.
// None of these writes waits for the disk (see Begin and Relaxed). On PostgreSQL each is one
// statement, one round trip, in the usual case (a new key; an answer; an abandonment): the
// statement turns synchronous_commit off for its own transaction with set_config; only a key
// already taken needs Begin's transaction, which reads it and decides.
//
// Thread-safety: one thread at a time, like the Database. Ownership: borrows `db`.
#pragma once

#include "adapters/store/soci/database.h"
#include "rectify/idempotency_store.h"

namespace rectify::store_soci {

class SociIdempotencyStore final : public IdempotencyStore {
 public:
  explicit SociIdempotencyStore(Database& db) : db_(db) {}

  Result<IdempotencyBegin> Begin(const std::string& person, const std::string& key,
                                 const std::string& request_hash, Timestamp now) override;
  Status Finish(const std::string& person, const std::string& key,
                const StoredResponse& response) override;
  Status Abandon(const std::string& person, const std::string& key) override;
  Result<std::int64_t> Expire(Timestamp before) override;

 private:
  Status Relaxed(const std::string& doing, const std::function<void()>& write);

  Database& db_;
};

}  // namespace rectify::store_soci
