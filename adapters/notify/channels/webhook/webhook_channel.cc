#include "adapters/notify/channels/webhook/webhook_channel.h"

#include <boost/json.hpp>
#include <charconv>

#include "adapters/notify/curl_transfer.h"
#include "adapters/notify/encoding.h"

namespace rectify::notify {

namespace {

namespace json = boost::json;

constexpr std::size_t kWeComMaxContent = 4096;
constexpr std::size_t kMaxDetailBody = 512;
constexpr std::size_t kMaxKeptBody = 64 * 1024;

bool IsHttpUrl(const std::string& url) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) return false;
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return false;
  }
  return true;
}

// A header value cannot carry CR, LF or other controls; anything else outside printable ASCII is
// percent-encoded so the key stays recognisable.
std::string HeaderSafe(const std::string& value) {
  return internal::IsPrintableAscii(value) ? value : internal::UrlEncode(value);
}

// The subject as a heading ("### " for DingTalk, bold for WeCom), a blank line, the text.
std::string Markdown(const Message& m, std::string_view open, std::string_view close) {
  std::string out;
  if (!m.subject.empty()) out += std::string(open) + m.subject + std::string(close) + "\n\n";
  out += m.text;
  return out;
}

size_t KeepBody(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  std::size_t n = size * count;
  if (body->size() < kMaxKeptBody) body->append(data, std::min(n, kMaxKeptBody - body->size()));
  return n;
}

bool IsRateLimit(WebhookConfig::Format format, std::int64_t errcode) {
  if (errcode == -1) return true;  // both robots: "system busy"
  if (format == WebhookConfig::Format::kWeCom) return errcode == 45009;
  return errcode == 130101 || errcode == 130102;
}

class WebhookChannel : public Channel {
 public:
  explicit WebhookChannel(WebhookConfig config) : config_(std::move(config)) {}

  std::string kind() const override { return "webhook"; }

  SendResult Send(const Message& message) override {
    std::string url = config_.url.empty() ? message.address : config_.url;
    if (!IsHttpUrl(url)) return {SendOutcome::kFailed, "bad address: '" + url + "'"};
    if (config_.format == WebhookConfig::Format::kDingTalk && !config_.secret.empty()) {
      std::int64_t ts = 0;
      auto given = message.fields.find("timestamp_ms");
      if (given != message.fields.end()) {
        const std::string& v = given->second;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), ts);
        if (ec != std::errc() || end != v.data() + v.size()) {
          return {SendOutcome::kFailed, "fields.timestamp_ms is not a number: '" + v + "'"};
        }
      } else if (config_.now_ms) {
        ts = config_.now_ms();
      } else {
        return {SendOutcome::kFailed,
                "a signed DingTalk robot needs fields.timestamp_ms or a clock in the channel"};
      }
      url += (url.find('?') == std::string::npos ? "?" : "&");
      url += "timestamp=" + std::to_string(ts) + "&sign=" + DingTalkSign(config_.secret, ts);
    }

    if (!handle_) handle_ = internal::NewHandle();
    if (!handle_) return {SendOutcome::kRetry, "curl: could not create a handle"};
    CURL* h = handle_.get();
    curl_easy_reset(h);  // keeps the connection cache

    std::string body = FormatWebhookBody(config_, message);
    std::string answer;
    char error[CURL_ERROR_SIZE] = {};
    internal::Slist headers;
    internal::Append(headers, "Content-Type: application/json; charset=utf-8");
    internal::Append(headers, "Idempotency-Key: " + HeaderSafe(message.dedup_key));
    internal::Append(headers, "Expect:");  // no 100-continue round trip

    internal::SetCommonOptions(h, config_.timeout_ms, nullptr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, KeepBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);

    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
      std::string detail = internal::Describe(rc, error);
      handle_.reset();
      bool retry = internal::IsTransient(rc);
      return {retry ? SendOutcome::kRetry : SendOutcome::kFailed, detail};
    }
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    std::string detail = "HTTP " + std::to_string(status) + ": " +
                         std::string(internal::TruncateUtf8(answer, kMaxDetailBody));
    if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
      return {SendOutcome::kRetry, detail};
    }
    if (status < 200 || status >= 300) return {SendOutcome::kFailed, detail};
    if (config_.format == WebhookConfig::Format::kGeneric) return {SendOutcome::kDelivered, detail};

    // The robots answer 200 and say in the body whether they took it.
    boost::system::error_code ec;
    json::value v = json::parse(answer, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    const json::value* errcode = o ? o->if_contains("errcode") : nullptr;
    if (errcode == nullptr || !errcode->is_int64()) {
      return {SendOutcome::kFailed, detail + " (not a robot's answer: no errcode)"};
    }
    std::int64_t code = errcode->as_int64();
    if (code == 0) return {SendOutcome::kDelivered, detail};
    return {IsRateLimit(config_.format, code) ? SendOutcome::kRetry : SendOutcome::kFailed, detail};
  }

 private:
  WebhookConfig config_;
  internal::EasyHandle handle_;
};

}  // namespace

std::string DingTalkSign(const std::string& secret, std::int64_t timestamp_ms) {
  std::string to_sign = std::to_string(timestamp_ms) + "\n" + secret;
  return internal::UrlEncode(internal::Base64(internal::HmacSha256(secret, to_sign)));
}

std::string FormatWebhookBody(const WebhookConfig& config, const Message& message) {
  switch (config.format) {
    case WebhookConfig::Format::kWeCom: {
      std::string content(internal::TruncateUtf8(Markdown(message, "**", "**"), kWeComMaxContent));
      return json::serialize(
          json::object{{"msgtype", "markdown"}, {"markdown", json::object{{"content", content}}}});
    }
    case WebhookConfig::Format::kDingTalk:
      return json::serialize(json::object{
          {"msgtype", "markdown"},
          {"markdown", json::object{{"title", message.subject.empty() ? message.template_name
                                                                      : message.subject},
                                    {"text", Markdown(message, "### ", "")}}}});
    case WebhookConfig::Format::kGeneric:
      break;
  }
  json::object fields;
  for (const auto& [k, v] : message.fields) fields[k] = v;
  return json::serialize(json::object{
      {"dedup_key", message.dedup_key},
      {"template", message.template_name},
      {"language", message.language},
      {"recipient", json::object{{"id", message.recipient_id},
                                 {"name", message.recipient_name},
                                 {"address", message.address}}},
      {"subject", message.subject},
      {"text", message.text},
      {"html", message.html},
      {"instance_id", message.instance_id},
      {"fields", std::move(fields)},
  });
}

std::unique_ptr<Channel> MakeWebhookChannel(const WebhookConfig& config) {
  return std::make_unique<WebhookChannel>(config);
}

}  // namespace rectify::notify
