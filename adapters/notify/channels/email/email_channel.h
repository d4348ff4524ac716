// The email channel: one message to one recipient over SMTP, with STARTTLS and authentication
// where configured (libcurl).
//
//   EmailConfig config{.smtp_url = "smtp://mail.example.gov.cn:587",
//                      .from = "新邵县脱贫攻坚指挥部 <rectify@example.gov.cn>",
//                      .username = "rectify", .password = "...",
//                      .tls = EmailConfig::Tls::kRequired};
//   std::unique_ptr<Channel> email = MakeEmailChannel(config);
//   SendResult r = email->Send(message);   // message.address is the recipient's mailbox
//
// The message is MIME: the subject and display names as RFC 2047 UTF-8 words, the bodies in
// UTF-8 and base64 (Chinese text survives any relay), multipart/alternative with the HTML letter
// when `Message::html` is not empty. `Message-ID` is `<sha256(dedup_key)[:32]@rectify>`, the same
// on every attempt, so a mailbox or a relay can recognise a repeat.
//
// The channel never reads the clock: a `Date:` header is written only when the caller gives
// `fields["date"]` (ISO 8601 with an offset, written as RFC 5322 in UTC; any other text is
// written as it is). Relays add a Date to messages without one (RFC 5321 section 6.4 allows it).
//
// Outcomes: refused connections, timeouts, dropped connections and SMTP 4xx answers are kRetry;
// SMTP 5xx answers (a rejected recipient, failed authentication), a malformed address and a
// STARTTLS the server cannot do when it is required, and a certificate that does not verify (the
// system's CAs, or `ca_file`), are kFailed. `detail` carries the server's last answer ("550 5.1.1
// no such user") or libcurl's error.
//
// Thread-safety: Send from one thread at a time per channel (channel.h).
#pragma once

#include <memory>
#include <string>

#include "adapters/notify/channel.h"

namespace rectify::notify {

struct EmailConfig {
  std::string smtp_url;            // smtp://host:port (STARTTLS upgrades it) or smtps://host:port
  std::string from;                // "Name <address>" or "address"
  std::string username, password;  // AUTH when username is not empty
  enum class Tls { kNone, kTry, kRequired } tls = Tls::kNone;
  int timeout_ms = 10000;  // for connecting and for the whole delivery
  std::string ca_file;     // PEM certificates to trust instead of the system's (an office's own CA)
};

std::unique_ptr<Channel> MakeEmailChannel(const EmailConfig& config);

// The RFC 5322 message the email channel sends for `message` (exposed for tests and previews).
std::string FormatEmail(const EmailConfig& config, const Message& message);

// `<sha256(dedup_key)[:32]@rectify>`: the Message-ID of every attempt of that outbox row.
std::string EmailMessageId(const std::string& dedup_key);

}  // namespace rectify::notify
