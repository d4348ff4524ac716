// The dispatcher's OutboxStore (engine/include/rectify/notify/outbox_store.h) on SOCI, SQLite and
// PostgreSQL, over the schema of migration 0003.
//
//   auto db = Database::Open(url, {});
//   SociOutboxStore outbox(**db);                 // borrows the connection
//   auto claimed = outbox.Claim(now, 100, "node-1:4242", now + 2min);
//
// Claims are one short transaction each: on PostgreSQL one statement (FOR UPDATE SKIP LOCKED and
// a token from the outbox_lease_tokens sequence), on SQLite BEGIN IMMEDIATE, a token from the
// one-row counter, a select and an update. Finish records the attempts (one batch) and applies the
// outcomes fenced by the lease token, in one transaction.
//
// Thread-safety: one thread at a time, like the Database. Ownership: borrows `db`, which must
// outlive it, or owns it (the unique_ptr constructor).
#pragma once

#include <memory>

#include "adapters/store/soci/database.h"
#include "rectify/notify/outbox_store.h"

namespace rectify::store_soci {

class SociOutboxStore final : public notify::OutboxStore {
 public:
  explicit SociOutboxStore(Database& db) : db_(db) {}
  explicit SociOutboxStore(std::unique_ptr<Database> db) : owned_(std::move(db)), db_(*owned_) {}

  Result<std::vector<notify::ClaimedRow>> Claim(Timestamp now, std::int64_t limit,
                                                const std::string& owner,
                                                Timestamp lease_until) override;
  Result<std::vector<std::int64_t>> Finish(const std::vector<notify::RowResult>& results) override;
  Status PutDocuments(const std::vector<notify::DocumentRecord>& documents) override;
  Result<std::vector<notify::DeliveryAttempt>> Attempts(std::int64_t outbox_id) override;
  Result<std::vector<notify::DeliveryAttempt>> RecentAttempts(std::int64_t limit) override;
  Result<std::vector<OutboxRecord>> DeadLetters(std::int64_t limit) override;
  Result<std::vector<notify::DocumentRecord>> DocumentsOf(const std::string& instance_id) override;
  Result<OutboxRecord> Row(const std::string& dedup_key) override;
  // One row by its id; kNotFound when there is none (the API's deliveries).
  Result<OutboxRecord> RowById(std::int64_t id);
  Result<std::vector<OutboxRecord>> List(const notify::OutboxQuery& query) override;
  Result<notify::DeliveryCounts> Counts(Timestamp now) override;
  Result<std::int64_t> Requeue(Timestamp now) override;
  Result<std::vector<notify::ReceiptResult>> ApplyReceipts(
      const std::vector<notify::ReceiptReport>& reports) override;
  Result<std::vector<notify::AwaitingReceipt>> AwaitingReceipts(std::int64_t limit) override;
  Result<std::vector<notify::NotReached>> NotReachedRows(std::int64_t limit) override;
  Result<bool> ApplyFollowUp(const notify::FollowUp& follow_up) override;
  Result<std::vector<notify::UnreachedRecord>> Unreached(std::int64_t limit) override;
  Result<std::map<std::int64_t, notify::DeliveryReceipt>> ReceiptsOf(
      const std::vector<std::int64_t>& outbox_ids) override;

 private:
  Result<std::vector<OutboxRecord>> QueryRows(const std::string& where, const std::string& text_arg,
                                              long long int_arg);
  Result<std::vector<notify::DeliveryAttempt>> QueryAttempts(const std::string& where_order,
                                                             long long arg);

  std::unique_ptr<Database> owned_;
  Database& db_;
};

}  // namespace rectify::store_soci
