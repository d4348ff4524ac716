// A message to one person through an enterprise IM's server API (app_message_channel.h).
#include "adapters/notify/app_message_channel.h"

#include <algorithm>
#include <boost/json.hpp>

#include "adapters/notify/access_token.h"
#include "adapters/notify/curl_transfer.h"
#include "adapters/notify/encoding.h"

namespace rectify::notify {
namespace {

class AppMessageChannel final : public Channel {
 public:
  explicit AppMessageChannel(AppMessageApi api)
      : api_(std::move(api)), token_(api_.gettoken_url, api_.timeout_ms) {}
  std::string kind() const override { return api_.kind; }

  SendResult Send(const Message& message) override {
    if (message.address.empty()) {
      return {SendOutcome::kFailed, "no " + api_.kind + " user id for " + message.recipient_id};
    }
    std::int64_t now = 0;
    if (auto it = message.fields.find("timestamp_ms"); it != message.fields.end()) {
      now = std::atoll(it->second.c_str());
    } else if (api_.now_ms) {
      now = api_.now_ms();
    }
    std::string body = api_.body(message);
    // One refresh: an answer that the token expired fetches a new one and sends again, once.
    for (int round = 0; round < 2; ++round) {
      auto got = token_.Get(handle_, now);
      if (got.token.empty()) return got.failure;
      internal::Slist headers;
      internal::Append(headers, "Content-Type: application/json; charset=utf-8");
      internal::Append(headers, "Expect:");
      internal::HttpAnswer a =
          internal::HttpRequest(handle_, api_.send_url(got.token), headers, body, api_.timeout_ms);
      if (a.rc != CURLE_OK) {
        return {internal::IsTransient(a.rc) ? SendOutcome::kRetry : SendOutcome::kFailed, a.error};
      }
      std::string detail = "HTTP " + std::to_string(a.status) + ": " +
                           std::string(internal::TruncateUtf8(a.body, 512));
      if (a.status == 408 || a.status == 429 || a.status >= 500) {
        return {SendOutcome::kRetry, detail};
      }
      if (a.status < 200 || a.status >= 300) return {SendOutcome::kFailed, detail};
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(a.body, ec);
      const boost::json::object* o = ec ? nullptr : v.if_object();
      const boost::json::value* code = o ? o->if_contains("errcode") : nullptr;
      if (!code || !code->is_int64()) return {SendOutcome::kFailed, detail + " (no errcode)"};
      std::int64_t c = code->as_int64();
      if (c == 0) {
        SendResult r{SendOutcome::kDelivered, detail};
        if (api_.accepted) api_.accepted(a.body, message, r);
        if (api_.receipt_within_ms > 0 && r.receipt == ReceiptState::kNone &&
            !r.provider_ref.empty()) {
          r.receipt = ReceiptState::kSent;
        }
        return r;
      }
      if (internal::IsTokenExpired(c) && round == 0) {
        token_.Invalidate();
        continue;
      }
      bool busy =
          std::find(api_.busy_codes.begin(), api_.busy_codes.end(), c) != api_.busy_codes.end();
      return {busy ? SendOutcome::kRetry : SendOutcome::kFailed, detail};
    }
    return {SendOutcome::kRetry, "the access token expired twice in a row"};
  }

  std::int64_t receipt_within_ms() const override { return api_.receipt_within_ms; }

  std::vector<PolledReceipt> PollReceipts(const std::vector<ReceiptQuery>& awaiting,
                                          std::int64_t now_ms, std::string& error) override {
    error.clear();
    std::vector<PolledReceipt> out;
    if (!api_.result_url || !api_.result_body || !api_.judge_result) return out;
    const std::string prefix = RefPrefix();
    for (const ReceiptQuery& q : awaiting) {
      if (q.provider_ref.rfind(prefix, 0) != 0) continue;
      auto got = token_.Get(handle_, now_ms);
      if (got.token.empty()) {
        error = "the send-result query needs a token: " + got.failure.detail;
        return out;
      }
      internal::Slist headers;
      internal::Append(headers, "Content-Type: application/json; charset=utf-8");
      internal::Append(headers, "Expect:");
      internal::HttpAnswer a = internal::HttpRequest(
          handle_, api_.result_url(got.token), headers,
          api_.result_body(q.provider_ref.substr(prefix.size())), api_.timeout_ms);
      if (a.rc != CURLE_OK || a.status < 200 || a.status >= 300) {
        error = "the send-result query failed: " +
                (a.rc != CURLE_OK ? a.error : "HTTP " + std::to_string(a.status));
        return out;
      }
      PolledReceipt r;
      if (api_.judge_result(a.body, q.address, r)) {
        r.provider_ref = q.provider_ref;
        out.push_back(std::move(r));
      }
    }
    return out;
  }

 private:
  // The provider_ref prefix of this API's message ids: "dingtalk:" for "dingtalk-work".
  std::string RefPrefix() const { return api_.kind.substr(0, api_.kind.find('-')) + ":"; }

  AppMessageApi api_;
  internal::AccessToken token_;
  internal::EasyHandle handle_;
};

}  // namespace

std::string AppMessageText(const Message& m, std::size_t max_bytes) {
  std::string text = m.subject.empty() ? m.text : m.subject + "\n\n" + m.text;
  return std::string(internal::TruncateUtf8(text, max_bytes));
}

std::unique_ptr<Channel> MakeAppMessageChannel(AppMessageApi api) {
  internal::GlobalInit();
  return std::make_unique<AppMessageChannel>(std::move(api));
}

}  // namespace rectify::notify
