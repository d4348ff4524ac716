// The cloud SMS channel: one message to one phone as an approved template with its parameters, by
// Tencent Cloud SMS (SendSms, API 2021-01-11, signed TC3-HMAC-SHA256) or Alibaba Cloud SMS
// (dysmsapi SendSms, API 2017-05-25, RPC style signed HMAC-SHA1). Free text is never sent: a
// message whose kind has no template is kFailed, so is one missing a field a parameter names.
//
//   SmsConfig c;
//   c.provider = SmsConfig::Provider::kTencent;
//   c.secret_id = ...; c.secret_key = ...;            // from the environment (sms_plugin.h)
//   c.app_id = "1400006666"; c.sign_name = "新邵县督查室";
//   c.templates["reminder"] = {"1234567", {{"1", "item"}, {"2", "due"}}};
//   std::unique_ptr<Channel> sms = MakeSmsChannel(c);
//   sms->Send(message);    // message.address is the phone number
//
// The outbox row's dedup key travels as each provider allows, so a receipt and a repeat can be
// matched to the row: Tencent's SessionContext, Alibaba's OutId (a SHA-256 prefix of the key when
// the key is longer than the provider takes). The channel never reads the clock: the request's
// time comes from `fields["timestamp_ms"]` (the dispatcher stamps it), else from `now_ms`.
//
// Outcomes: refused, timed-out or cut connections, HTTP 429 and 5xx and the providers' throttle and
// internal codes (Tencent RequestLimitExceeded, LimitExceeded.*, InternalError*; Alibaba
// isv.BUSINESS_LIMIT_CONTROL, Throttling*, isp.*) are kRetry; every other refusal is kFailed.
// `detail` carries the provider's code and message, and its serial number (Tencent SerialNo,
// Alibaba BizId) when it took the message; the serial number is also the delivery's provider_ref
// ("tencent:SerialNo", "aliyun:BizId"), which its receipt is matched by.
//
// Receipts: Tencent's PullSmsSendStatus answers every status report not yet pulled (ReportStatus
// SUCCESS or FAIL, with the operator's code in Description); Alibaba's QuerySendDetails answers
// one message by phone, day and BizId (SendStatus 3 delivered, 2 failed, 1 still waiting; ErrCode).
//
// Thread-safety: Send from one thread at a time per channel (channel.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/notify/channel.h"

namespace rectify::notify {

struct SmsTemplate {
  std::string code;  // the provider's template id (Tencent TemplateId, Alibaba TemplateCode)
  // Parameter name -> message field, in order (Tencent's {1}, {2}... take them in this order;
  // Alibaba's ${name} by name).
  std::vector<std::pair<std::string, std::string>> params;
};

struct SmsConfig {
  enum class Provider { kTencent, kAliyun } provider = Provider::kTencent;
  std::string endpoint;                 // empty: the provider's public endpoint
  std::string secret_id, secret_key;    // Tencent SecretId/SecretKey, Alibaba AccessKey id/secret
  std::string region = "ap-guangzhou";  // Tencent's X-TC-Region (Alibaba: cn-hangzhou)
  std::string app_id;                   // Tencent SmsSdkAppId
  std::string sign_name;                // the registered signature (签名)
  std::map<std::string, SmsTemplate> templates;  // message kind -> template
  int timeout_ms = 10000;
  std::function<std::int64_t()> now_ms;
  // Receipts (receipt.h): poll the provider's status reports (Tencent PullSmsSendStatus, Alibaba
  // QuerySendDetails) when `poll_receipts`; a message without a receipt `receipt_within_ms` after
  // the provider took it is `unknown` (0: receipts are not awaited).
  bool poll_receipts = false;
  std::int64_t receipt_within_ms = 0;
};

std::unique_ptr<Channel> MakeSmsChannel(const SmsConfig& config);

// The HTTP request the channel sends (exposed for tests and previews).
struct SmsRequest {
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // Tencent: JSON; Alibaba: form-encoded, signed
};
// Builds the request for `message` at `timestamp_ms`; an error text when the message cannot go by
// SMS (no template for its kind, a missing field, no phone).
std::variant<SmsRequest, std::string> BuildSmsRequest(const SmsConfig& config,
                                                      const Message& message,
                                                      std::int64_t timestamp_ms);

// The status query for receipts: Tencent's PullSmsSendStatus (all queued reports of the app), or
// Alibaba's QuerySendDetails of one message (`q`).
SmsRequest BuildReceiptQuery(const SmsConfig& config, const ReceiptQuery& q,
                             std::int64_t timestamp_ms);
// The receipts in a status query's answer; an error text when it is not the provider's answer.
std::variant<std::vector<PolledReceipt>, std::string> ParseReceiptAnswer(const SmsConfig& config,
                                                                         const ReceiptQuery& q,
                                                                         const std::string& body);

// Tencent Cloud API 3.0's Authorization header value for a JSON POST to `host` of `payload`.
std::string TencentAuthorization(const std::string& secret_id, const std::string& secret_key,
                                 const std::string& service, const std::string& host,
                                 const std::string& payload, std::int64_t timestamp_s);

// Alibaba Cloud RPC's Signature of the parameters (all but Signature) for `method` (GET or POST).
std::string AliyunSignature(const std::string& access_key_secret, const std::string& method,
                            const std::map<std::string, std::string>& params);

}  // namespace rectify::notify
