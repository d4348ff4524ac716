// The SMPP channel: text messages to phones through an operator's or a provincial platform's SMS
// centre (SMSC) over SMPP 3.4, on a TCP session the channel keeps bound between messages.
//
//   SmppConfig c;
//   c.host = "10.1.2.3"; c.port = 2775; c.system_id = "xsdcs"; c.password = ...;
//   c.source_addr = "1065712345"; c.sign_name = "新邵县督查室";
//   std::unique_ptr<Channel> smpp = MakeSmppChannel(c);
//   smpp->Send(message);                 // message.address is the phone number
//   smpp->SendMany(messages);            // a batch through one window: one result each
//   smpp->PollReceipts(awaiting, now, error);   // the deliver_sm receipts that came
//
// Session: connect, bind_transceiver (or bind_transmitter), enquire_link when the session was
// idle for `enquire_link_s`, at KeepAlive (the dispatcher's every poll) and before a use (and
// answered when the SMSC asks), unbind when the channel is destroyed. A lost session is bound
// again at the next use.
//
// Send: the message's text (with the signature 【sign_name】 in front, as Chinese operators want)
// in UCS2, split into parts with a concatenation UDH when longer than one message; up to `window`
// submit_sm outstanding at once, no more than `throughput` a second. SendMany puts all the parts
// of all its messages through that one window, in the messages' order (a batch of 500 reminders
// to an SMSC 50 ms away takes about 500 / window round trips, not 500), within one `timeout_ms`
// for the whole call; Send(m) is SendMany({m}). Each message's result comes from its own parts'
// answers: delivered when all its parts were taken. ESME_RTHROTTLED and ESME_RMSGQFUL put that
// part back for a doubling backoff (from `backoff_ms`) within the timeout while the window goes
// on with the other parts; a message with a part still throttled at the timeout is kRetry for the
// dispatcher's backoff. A refused bind is kRetry with the
// SMSC's status and what to check (dead letter after the dispatcher's max_attempts); any other
// refusal of a part (a bad number) is kFailed for that message alone.
//
// Nothing lost, nothing twice: every submit_sm of a message carries the outbox row's dedup key
// and the part's number in an optional parameter (`dedup_tag`, 0x1400 by default, one of the
// SMSC-vendor tags); the parts an SMSC already took (their submit_sm_resp came) are remembered by
// dedup key, so a retry after a cut connection sends only the parts whose answer never came (a cut
// ends a SendMany: every message not yet whole is kRetry and keeps the parts taken), and
// their message ids are in the attempt's detail; an answer that comes on the same session after
// its attempt stopped waiting (a slow SMSC) is read before the retry and marks its part taken.
// What SMPP cannot do: a submit_sm whose answer was lost in the cut may or may not have been
// taken, and SMPP has no way to ask without the message id only that answer carries; an SMSC
// that drops repeats of a dedup key sends it once, any other may send that part twice. The
// remembered parts live in the process: a dispatcher restarted between the cut and the retry sends
// the whole message again (with the same key).
//
// Receipts: deliver_sm with a delivery receipt (esm_class 0x04) is answered with deliver_sm_resp
// at once and kept until PollReceipts hands it over, matched by the SMSC's message id of the last
// part (receipted_message_id, else the text's "id:"); DELIVRD is delivered, UNDELIV, EXPIRED,
// DELETED and REJECTD are failed. PollReceipts binds if needed and reads what the SMSC has queued
// up to an enquire_link round trip. Receipts need a transceiver bind.
//
// Time: I/O deadlines, the throughput limit and the backoff use the steady clock (how long to
// wait on a socket), never the Clock; nothing is stamped with a time.
//
// Thread-safety: Send, SendMany and PollReceipts from one thread at a time (channel.h).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "adapters/notify/channel.h"

namespace rectify::notify {

struct SmppConfig {
  std::string host;
  int port = 2775;
  std::string system_id, password, system_type;
  bool transceiver = true;  // false: bind_transmitter (no receipts)
  std::string source_addr;
  int source_ton = 0, source_npi = 0;
  std::string sign_name;      // "" for none
  bool ascii_as_ia5 = false;  // data_coding: ascii: an all-ASCII text as IA5, else UCS2
  bool send_subject = false;  // content: subject: the subject line instead of the text
  int window = 10;            // outstanding submit_sm
  int throughput = 0;         // submit_sm a second, 0: as fast as the window allows
  int enquire_link_s = 30;
  int timeout_ms = 10000;  // the longest one Send or PollReceipts takes
  int backoff_ms = 500;    // the first wait after ESME_RTHROTTLED / ESME_RMSGQFUL
  int max_parts = 6;       // a longer text is kFailed
  int dedup_tag = 0x1400;  // the optional parameter carrying the dedup key; 0: none
  bool receipts = true;    // ask for receipts (registered_delivery) and collect them
  std::int64_t receipt_within_ms = std::int64_t{2} * 3600 * 1000;
};

std::unique_ptr<Channel> MakeSmppChannel(const SmppConfig& config);

}  // namespace rectify::notify
