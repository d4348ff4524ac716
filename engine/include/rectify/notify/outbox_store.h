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
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rectify/notify/receipt.h"
#include "rectify/result.h"
#include "rectify/store.h"
#include "rectify/timestamp.h"

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
  // kSent: the provider's id for the message and the receipt the send answer gave (kSent when the
  // channel has receipts to come, kDelivered/kFailed when the answer already tells, kNone when
  // the channel has none).
  std::string provider_ref;
  ReceiptState receipt = ReceiptState::kNone;
  std::string receipt_code, receipt_detail;
};

// A row's receipt (migration 0019's columns of the outbox).
struct DeliveryReceipt {
  std::int64_t outbox_id = 0;
  // The provider's id for the message it took ("tencent:SerialNo", "aliyun:BizId",
  // "wecom:msgid"); empty when the channel gives none.
  std::string provider_ref;
  ReceiptState state = ReceiptState::kNone;
  std::string code, detail;          // the provider's
  std::optional<Timestamp> at;       // when the receipt came
  std::optional<Timestamp> sent_at;  // when the provider took the message
};

// A row whose receipt has not come.
struct AwaitingReceipt {
  OutboxRecord row;
  DeliveryReceipt receipt;
};

// A person's message that did not reach them and is not yet followed up (channels_config.h's
// `unreached:`): dead-lettered, or its receipt failed or unknown.
struct NotReached {
  OutboxRecord row;
  DeliveryReceipt receipt;
};

// A person a message reached by no route, reported to their unit head (`rectify report
// unreached`).
struct UnreachedRecord {
  std::string origin_key;  // the dedup key of the first message (before any fallback)
  std::string instance_id;
  std::string person;
  std::string template_name;
  std::string routes;       // the contact kinds tried, "wecom, sms"
  std::string reported_to;  // the unit head's id ("" when the org names none)
  std::string report_key;   // the report's outbox row ("" when none was sent)
  Timestamp at;
};

// How the dispatcher follows up one NotReached row, applied at most once per row.
struct FollowUp {
  std::int64_t outbox_id = 0;
  std::vector<OutboxRecord> inserts;  // the fallback message or the unit head's report
  std::optional<UnreachedRecord> unreached;
};

// A receipt for a message a provider took, matched to its row by `provider_ref`.
struct ReceiptReport {
  std::string provider_ref;  // "tencent:SerialNo", "aliyun:BizId", ...
  ReceiptState state = ReceiptState::kDelivered;
  std::string code;    // the provider's ("DELIVRD", "UNDELIV", "invaliduser")
  std::string detail;  // its text
  std::string source;  // "poll", "send answer", "timeout"
  Timestamp at;
};

// What a receipt did: the machine's move, or nothing when no row has its id.
struct ReceiptResult {
  ReceiptReport report;
  bool matched = false;  // false: no row has this provider_ref (logged, ignored)
  ReceiptMove move = ReceiptMove::kRefused;
  std::string dedup_key;  // of the matched row
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

  // Applies receipts to their rows by the receipt machine (receipt.h) and logs each one in
  // delivery_receipts, in one transaction: a duplicate, a contradiction and an unknown id change
  // no row.
  virtual Result<std::vector<ReceiptResult>> ApplyReceipts(
      const std::vector<ReceiptReport>& reports) = 0;
  // Rows whose provider took them and whose receipt has not come (receipt 'sent'), oldest first.
  virtual Result<std::vector<AwaitingReceipt>> AwaitingReceipts(std::int64_t limit) = 0;
  // Person messages not reached and not yet followed up, oldest first.
  virtual Result<std::vector<NotReached>> NotReachedRows(std::int64_t limit) = 0;
  // Marks the row followed up and inserts what goes with it (outbox rows skipped when their
  // dedup key exists; an unreached record skipped when its origin was recorded), in one
  // transaction; false when the row was already followed up (by another dispatcher): nothing
  // is inserted then.
  virtual Result<bool> ApplyFollowUp(const FollowUp& follow_up) = 0;
  // Every unreached person recorded, oldest first (at most `limit`).
  virtual Result<std::vector<UnreachedRecord>> Unreached(std::int64_t limit) = 0;
  // The receipts of the rows `outbox_ids` (every one of them; a row without is `none`).
  virtual Result<std::map<std::int64_t, DeliveryReceipt>> ReceiptsOf(
      const std::vector<std::int64_t>& outbox_ids) = 0;
};

}  // namespace rectify::notify
