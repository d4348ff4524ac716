// The outbox dispatcher: delivers the notifications the engine committed to the outbox.
//
//   Dispatcher d(outbox, clock, *config, channels, renderer, directory, calendar, {.owner = id});
//   auto stats = d.RunOnce();      // one batch: claim, render, send, record
//   auto all = d.Drain();          // batches until nothing is due
//
// Each round claims up to `batch` due rows under a lease (OutboxStore::Claim: safe with several
// dispatchers on one PostgreSQL), and for each row:
//   1. a row whose previous lease ran out was abandoned mid-delivery (its dispatcher died): that
//      attempt is recorded as `abandoned` and counts towards the limit;
//   2. its recipient and contact kind: the org's, or those a `contacts` rule of the channels file
//      gives the person (a rehearsal's test mailbox and robots); a recipient no org has is someone
//      outside it (a public reporter: Directory::Outsider), addressed by the contact the row
//      names through the kind the engine chose from its form, in the payload's language; under a
//      rehearsal's `contacts` rules such a row is dead-lettered rather than sent to a real address;
//   3. outside the calendar's working hours the row is put back until they start, whenever it fell
//      due (a row due at 17:59 on Friday that is picked up at 23:00 goes on Monday morning);
//      every row put back is listed in the stats with its rule (policy.h's HoldRule) and when it
//      will go, which `rectify dispatch` prints;
//   4. a reminder for a person who asked for a daily digest waits for their digest slot (the start
//      of a working day) and goes out with the others of that slot as one message;
//   5. the channel serving the contact kind (the channels file's `routes`) is asked for a token of
//      its rate limit; without one the row is put back until the next token, in working hours;
//   6. the row is rendered (renderer.h); a letter is kept as an HTML document with the item;
//   7. the channel sends it, with the row's dedup key and the attempt's time from the Clock
//      (fields "date" for an email's Date: header and "timestamp_ms" for a signed DingTalk robot);
//      the delivery lifecycle (delivery.h) and the policy (policy.h) decide: delivered, retry at a
//      backoff held to working hours, or dead letter after max_attempts or a permanent failure.
//      A channel that sends many at once (channel.h's sends_many_at_once: SMPP's window) gets the
//      batch's messages for it in one SendMany once every row is sorted, and each answer is
//      applied to its row as above; other channels get each message as its row comes.
// A row whose send could outlast the batch's lease (a slow SMTP server late in a big batch) is put
// back untried rather than raced by another dispatcher; keep `lease` above batch x timeout. A
// group for one SendMany counts its channel's timeout once, and a group that could no longer end
// within the lease when its turn comes (the sends before it took their time) is put back whole.
// Every attempt is recorded, and the batch's outcomes commit in one transaction fenced by the
// lease, so a dispatcher that stalled past its lease cannot overwrite another's outcome. Urgent
// rows (an `urgent: true` escalation step: the engine writes `"urgent": true` in the payload) skip
// digests, rate limits and working hours.
//
// Receipts (receipt.h): a send the provider took carries its id for the message and the receipt
// the answer gives (sent, or at once delivered/failed: WeCom's invaliduser). CollectReceipts then
// asks each channel configured to poll (`receipts: poll`) for the receipts of the rows still
// `sent`, applies them, and marks `unknown` those the channel's receipt_within_s has passed
// (measured on the Clock from the send). Each receipt is logged with what it did; one for an id
// no row has is logged and ignored, a duplicate changes nothing.
//
// Thread-safety: one thread. Ownership: borrows everything it is given; they must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/notify/channel.h"
#include "adapters/notify/channel_factory.h"
#include "adapters/notify/directory.h"
#include "adapters/notify/renderer.h"
#include "adapters/notify/unreached_policy.h"
#include "rectify/calendar/calendar.h"
#include "rectify/clock.h"
#include "rectify/notify/channels_config.h"
#include "rectify/notify/outbox_store.h"
#include "rectify/notify/policy.h"

namespace rectify::notify {

struct DispatcherOptions {
  std::string owner = "dispatcher";  // the lease holder's name: host:pid
  Duration lease = std::chrono::minutes(2);
  std::int64_t batch = 100;
  std::uint64_t seed = 0;     // of the backoff jitter
  UnreachedPolicy unreached;  // the channels file's `unreached:` (unreached_policy.h)
};

// What the dispatcher did, or would do (Preview), with one row.
struct RowVerdict {
  enum class Action { kSend, kDigest, kHold, kDeadLetter };
  OutboxRecord row;
  std::string recipient_name;  // the org's name for the recipient; empty when unknown
  Action action = Action::kSend;
  HoldReason hold;     // kHold: the rule and when it will go
  std::string detail;  // kDeadLetter: why
};
// "send", "digest", "held", "dead letter".
std::string_view ActionName(RowVerdict::Action action);

struct DispatchStats {
  std::int64_t claimed = 0, delivered = 0, retried = 0, dead = 0, held = 0, digests = 0,
               abandoned = 0, lost_leases = 0;
  std::vector<RowVerdict> holds;  // the rows put back, each with its rule (appended by +=)
  DispatchStats& operator+=(const DispatchStats& o);
};

// What a round of receipts did.
struct ReceiptStats {
  std::int64_t delivered = 0, failed = 0, unknown = 0, duplicate = 0, refused = 0, unmatched = 0;
  // Follow-ups of messages that did not reach a person (channels_config.h's `unreached:`).
  std::int64_t fallbacks = 0, unreached = 0;
  std::vector<std::string> notes;  // a failed status query, a receipt for an id no row has
};

class Dispatcher {
 public:
  Dispatcher(OutboxStore& store, Clock& clock, const ChannelsConfig& config, ChannelMap& channels,
             const Renderer& renderer, const Directory& directory, const Calendar* calendar,
             DispatcherOptions options);

  // One batch. An error means the database failed; rows stay leased and are retried after it.
  Result<DispatchStats> RunOnce();
  // Batches until a claim returns nothing.
  Result<DispatchStats> Drain();
  // Polls the channels that poll for the receipts of rows still awaiting one, applies them, and
  // marks unknown those past their channel's receipt_within (receipt.h).
  Result<ReceiptStats> CollectReceipts();
  // Follows up every person message that did not reach them (dead-lettered, receipt failed or
  // unknown), once each, as the channels file's `unreached:` says: the next route, else a report
  // to the unit head. Nothing when the file has no `unreached:`. Part of CollectReceipts.
  Result<ReceiptStats> FollowUpUnreached();
  // What a dispatch at `at` would do with `rows` (pending rows, in the order a claim takes them:
  // next_attempt_at, then id), by the same rules, with every channel's rate limit full at `at`;
  // sends nothing and changes nothing. Rows not yet due are held with their rule.
  std::vector<RowVerdict> Preview(const std::vector<OutboxRecord>& rows, Timestamp at) const;

 private:
  struct Work;
  struct Route;
  // The recipient, contact kind and channel of a row; a rehearsal's contacts replace the org's.
  Route RouteOf(const OutboxRecord& row) const;
  static bool IsUrgent(const OutboxRecord& row);
  TokenBucket& BucketFor(const ChannelSpec& spec);

  OutboxStore& store_;
  Clock& clock_;
  const ChannelsConfig& config_;
  ChannelMap& channels_;
  const Renderer& renderer_;
  const Directory& directory_;
  const Calendar* calendar_;
  DispatcherOptions options_;
  std::map<std::string, TokenBucket> buckets_;
};

}  // namespace rectify::notify
