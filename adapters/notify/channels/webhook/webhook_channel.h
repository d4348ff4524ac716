// The webhook channel: one message as one HTTP POST of JSON (libcurl), in one of three shapes.
//
//   WebhookConfig wecom{.url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...",
//                       .format = WebhookConfig::Format::kWeCom};
//   std::unique_ptr<Channel> robot = MakeWebhookChannel(wecom);
//   SendResult r = robot->Send(message);
//
// When `url` is empty, each message's `address` is the URL (a person's own robot).
//
//   - kGeneric: {"dedup_key","template","language","recipient":{"id","name","address"},
//     "subject","text","html","instance_id","fields":{...}}, with the header
//     `Idempotency-Key: <dedup_key>`. 2xx is delivered.
//   - kWeCom (企业微信 group robot): {"msgtype":"markdown","markdown":{"content":"..."}}, the
//     content at most 4096 bytes (the robot's limit), cut on a character boundary.
//   - kDingTalk (钉钉 custom robot): {"msgtype":"markdown","markdown":{"title","text"}}. With a
//     `secret`, the URL gets `&timestamp=T&sign=S` where S = urlencode(base64(HMAC-SHA256(secret,
//     T + "\n" + secret))). The channel never reads the clock: T (milliseconds since the epoch)
//     comes from `fields["timestamp_ms"]` when the caller gives it, else from `now_ms` in the
//     config; without either a signed send is kFailed. DingTalk refuses a T more than an hour
//     off, so the dispatcher sets it from its Clock at the attempt.
//   Both robots also carry the dedup key in `Idempotency-Key` (they ignore it).
//
// Outcomes: timeouts, refused or dropped connections, HTTP 408, 429 and 5xx are kRetry; other
// HTTP 4xx and 3xx and a malformed URL are kFailed. The robots answer HTTP 200 with
// {"errcode":0,...} on success: a non-zero errcode is kFailed, except their "too fast" and
// "busy" codes (WeCom 45009 and -1, DingTalk 130101, 130102 and -1), which are kRetry. `detail` is
// "HTTP <code>: <body, cut at 512 bytes>" or libcurl's error.
//
// Thread-safety: Send from one thread at a time per channel (channel.h). The channel keeps one
// libcurl handle, so consecutive sends to one host reuse the connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "adapters/notify/channel.h"

namespace rectify::notify {

struct WebhookConfig {
  std::string url;  // empty: the message's address is the URL
  enum class Format { kGeneric, kWeCom, kDingTalk } format = Format::kGeneric;
  std::string secret;  // DingTalk signing secret ("SEC..."); empty: unsigned
  int timeout_ms = 10000;
  // Milliseconds since the epoch for DingTalk signatures when the message has no
  // fields["timestamp_ms"]; injected (a Clock's Now), never read by the channel itself.
  std::function<std::int64_t()> now_ms;
};

std::unique_ptr<Channel> MakeWebhookChannel(const WebhookConfig& config);

// The JSON body the channel posts for `message` (exposed for tests and previews).
std::string FormatWebhookBody(const WebhookConfig& config, const Message& message);

// DingTalk's signature of `timestamp_ms` under `secret`, URL-encoded, as it goes in `&sign=`.
std::string DingTalkSign(const std::string& secret, std::int64_t timestamp_ms);

}  // namespace rectify::notify
