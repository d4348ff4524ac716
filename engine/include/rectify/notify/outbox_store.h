// What the outbox dispatcher needs from the database, beyond the engine's Store: claiming due
// rows under a lease, recording every delivery attempt, and the letters kept with an item.
//
//   auto claimed = store.Claim(now, 100, "node-1:4242", now + 2min);
//   for (ClaimedRow& c : *claimed) { ... send ...; results.push_back(...); }
//   Status s = store.Finish(results);
//
// Leases: Claim leases due, pending rows ('pending', next_attempt_at <= now, no live lease) to
// `owner` under one fresh token, earliest first; on PostgreSQL concurrent claims skip each other's
// rows (FOR UPDATE SKIP LOCKED), so two dispatchers never send the same row at once. Finish is
// fenced by the token: a dispatcher that lost its lease (it stalled past it and another claimed the
// row) does not overwrite the other's outcome, though its attempt is still recorded. A dispatcher
// that dies leaves the row pending with a lease that runs out; the next Claim takes it, reports
// the previous holder (`previous_owner`) so the dispatcher records the abandoned attempt, and the
// row is sent again with the same dedup key. Nothing is lost.
//
// A delivered row stays delivered: Finish marks a row 'sent' even when the engine cancelled it
// while it was being sent (it did go out), and never moves a row out of 'sent'.
//
// Thread-safety: one thread at a time (one database connection). Ownership: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rectify/clock.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::notify {

struct ClaimedRow {
  OutboxRecord row;
  std::int64_t lease_token = 0;
  std::string previous_owner;  // non-empty: a lease that ran out (its holder died mid-delivery)
};

// One delivery attempt, as recorded in `delivery_attempts`.
struct DeliveryAttempt {
  std::int64_t outbox_id = 0;
  std::int64_t attempt = 0;  // 1, 2, ... per row
  Timestamp at;
  std::string channel;  // the configured channel's name ("mail"), or the contact kind when none
  std::string outcome;  // delivered | retry | failed | abandoned | digested
  std::string detail;
  // Read back only (joined from the outbox).
  std::string dedup_key, instance_id, recipient;
};

// How a claimed row ends this round.
struct RowResult {
  std::int64_t outbox_id = 0;
  std::int64_t lease_token = 0;
  std::vector<DeliveryAttempt> attempts;      // recorded whatever the lease says
  OutboxState state = OutboxState::kPending;  // kSent, kDead, or kPending (retry or hold)
  std::int64_t attempts_total = 0;
  Timestamp next_attempt_at;  // for kPending
  std::string last_error;
  std::optional<Timestamp> sent_at;
};

// A letter rendered as an HTML document, kept with the item's record.
struct DocumentRecord {
  std::string dedup_key;  // the outbox row it was rendered for
  std::string instance_id;
  std::string recipient;
  std::string template_name;
  std::string language;
  std::string title;
  std::string html;
  Timestamp created_at;
};

struct DeliveryCounts {
  std::int64_t queued = 0, waiting_to_retry = 0, sending = 0, delivered = 0, dead = 0,
               cancelled = 0, attempts = 0;
};

// Which rows `List` returns; an unset field does not filter.
struct OutboxQuery {
  std::optional<std::string> instance_id;
  std::optional<std::string> recipient;
  std::optional<OutboxState> state;
  std::int64_t limit = 1000;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  virtual Result<std::vector<ClaimedRow>> Claim(Timestamp now, std::int64_t limit,
                                                const std::string& owner,
                                                Timestamp lease_until) = 0;
  // Records the attempts and applies the outcomes in one transaction. Returns the ids of rows whose
  // lease had been lost (their outcome was not applied).
  virtual Result<std::vector<std::int64_t>> Finish(const std::vector<RowResult>& results) = 0;
  // Keeps letters (upsert by dedup key: a repeat after a crash renders the same document).
  virtual Status PutDocuments(const std::vector<DocumentRecord>& documents) = 0;

  virtual Result<std::vector<DeliveryAttempt>> Attempts(std::int64_t outbox_id) = 0;
  // The most recent attempts over all rows, newest first.
  virtual Result<std::vector<DeliveryAttempt>> RecentAttempts(std::int64_t limit) = 0;
  virtual Result<std::vector<OutboxRecord>> DeadLetters(std::int64_t limit) = 0;
  virtual Result<std::vector<DocumentRecord>> DocumentsOf(const std::string& instance_id) = 0;
  virtual Result<OutboxRecord> Row(const std::string& dedup_key) = 0;
  // Rows in the order a claim takes them (next_attempt_at, then id); reads only.
  virtual Result<std::vector<OutboxRecord>> List(const OutboxQuery& query) = 0;
  virtual Result<DeliveryCounts> Counts(Timestamp now) = 0;
  // Moves dead letters back to pending (attempts from 0) so the next dispatch tries again.
  virtual Result<std::int64_t> Requeue(Timestamp now) = 0;
};

}  // namespace rectify::notify
