// A notification channel: the one interface between the outbox dispatcher and the outside world.
//
//   std::unique_ptr<Channel> email = MakeEmailChannel(config);   // adapters/notify/*_channel.h
//   SendResult r = email->Send(message);
//   if (r.outcome == SendOutcome::kRetry) ... // the dispatcher backs off and tries again
//
// The dispatcher (engine side) renders an outbox row into a `Message`, picks the channel the
// recipient uses, and calls Send. A channel does one delivery attempt and reports what happened;
// it never retries on its own, never sleeps, and never reads the clock (retries, backoff, rate
// limits and working hours are the dispatcher's). Send blocks for at most the channel's
// configured timeout.
//
// De-duplication: `Message::dedup_key` is the outbox row's key and is the same on every attempt
// of that row. Channels pass it on where the peer can use it (an email's Message-ID is derived from
// it; a webhook carries it in the `Idempotency-Key` header and in the JSON body), so a repeat
// after a crash can be recognised by the receiver.
//
// Several messages at once: SendMany(messages) gives one result per message, in their order, by
// the same rules (one attempt each, never a retry, no sleeping, no clock). The default calls Send
// for each, one after another, so it may take the timeout once per message; a channel that can
// have several messages in flight at once (SMPP's window of outstanding submits) overrides it,
// takes at most its timeout for the whole call, and says so with `sends_many_at_once()`. The
// dispatcher hands each channel the messages of a batch in one call and sizes the group by that
// answer so that it ends within the batch's lease.
//
// Thread-safety: Send and SendMany may be called from one thread at a time per channel object.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rectify/notify/receipt.h"

namespace rectify::notify {

// One rendered message for one recipient.
struct Message {
  std::string dedup_key;       // the outbox row's key; identical on every attempt
  std::string template_name;   // "reminder", "supervision-letter", ...
  std::string language;        // "zh" or "en"
  std::string recipient_id;    // a person or unit id from the org tree
  std::string recipient_name;  // for the salutation and the To: display name
  std::string address;         // channel-specific: an email address, a robot webhook URL, ...
  std::string subject;         // one line
  std::string text;            // the plain-text body
  std::string html;            // optional: the letter as an HTML document ("" when none)
  std::string instance_id;     // the item the message is about ("" when none)
  std::map<std::string, std::string> fields;  // the template's fields, for structured channels
};

enum class SendOutcome {
  kDelivered,  // the peer accepted it
  kRetry,      // a transient failure (timeout, refused connection, SMTP 4xx, HTTP 5xx/429)
  kFailed,     // a permanent failure (SMTP 5xx, HTTP 4xx other than 429, bad address)
};

struct SendResult {
  SendOutcome outcome = SendOutcome::kDelivered;
  std::string detail;  // the peer's answer or the error, for the delivery-attempt record
  // kDelivered only (receipt.h): the provider's id for the message, matched by its receipt
  // ("tencent:SerialNo"), and the receipt as the answer gives it: kSent when one is to come,
  // kFailed when the answer already says the person cannot be reached (WeCom's invaliduser),
  // kNone when the channel has no receipts.
  std::string provider_ref;
  ReceiptState receipt = ReceiptState::kNone;
  std::string receipt_code, receipt_detail;
};

// A message whose receipt has not come: what a provider's status query needs.
struct ReceiptQuery {
  std::string provider_ref;
  std::string address;  // the phone or user id it went to
  std::int64_t sent_at_ms = 0;
};

// A receipt a provider reported.
struct PolledReceipt {
  std::string provider_ref;
  ReceiptState state = ReceiptState::kDelivered;  // kDelivered or kFailed
  std::string code, detail;
};

class Channel {
 public:
  virtual ~Channel() = default;
  // The channel's kind as written in the channels file: "log", "file", "email", "webhook".
  virtual std::string kind() const = 0;
  virtual SendResult Send(const Message& message) = 0;
  // One result per message, in the same order (see above). The default sends them one by one.
  virtual std::vector<SendResult> SendMany(const std::vector<Message>& messages) {
    std::vector<SendResult> out;
    out.reserve(messages.size());
    for (const Message& m : messages) out.push_back(Send(m));
    return out;
  }
  // True: SendMany takes at most the channel's timeout however many messages it is given; false:
  // up to the timeout for each message.
  virtual bool sends_many_at_once() const { return false; }

  // Called by the dispatcher at every poll, whether or not it has anything to send: a channel
  // that keeps a session open between messages (SMPP) checks that it is still there once it has
  // been idle for its keep-alive interval, so the peer does not drop an idle session. Never throws;
  // blocks for at most the channel's timeout.
  virtual void KeepAlive() {}

  // Receipts. How long after the provider took a message its receipt may take before the
  // delivery's receipt is `unknown`; 0: the channel has no receipts to wait for.
  virtual std::int64_t receipt_within_ms() const { return 0; }
  // Asks the provider for receipts (the channel is configured to poll): of `awaiting` where the
  // provider answers per message, or whatever it has queued (Tencent's pull). Never throws; a
  // failed query returns nothing and `error` says why (the next round asks again).
  virtual std::vector<PolledReceipt> PollReceipts(const std::vector<ReceiptQuery>& awaiting,
                                                  std::int64_t now_ms, std::string& error) {
    (void)awaiting;
    (void)now_ms;
    error.clear();
    return {};
  }
};

}  // namespace rectify::notify
