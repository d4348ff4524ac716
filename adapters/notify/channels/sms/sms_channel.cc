// The cloud SMS channel (sms_channel.h): Tencent Cloud and Alibaba Cloud SendSms over libcurl.
#include "adapters/notify/channels/sms/sms_channel.h"

#include <date/date.h>

#include <boost/json.hpp>
#include <chrono>

#include "adapters/notify/curl_transfer.h"
#include "adapters/notify/encoding.h"

namespace rectify::notify {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDetailBody = 512;
constexpr const char* kTencentHost = "sms.tencentcloudapi.com";
constexpr const char* kAliyunHost = "dysmsapi.aliyuncs.com";

// The host of an http(s) URL ("http://127.0.0.1:8080/x" -> "127.0.0.1:8080").
std::string HostOf(const std::string& url) {
  std::size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  std::size_t end = url.find('/', start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string UtcDate(std::int64_t timestamp_s) {
  auto day = date::floor<date::days>(date::sys_seconds(std::chrono::seconds(timestamp_s)));
  return date::format("%F", day);
}

std::string UtcIso(std::int64_t timestamp_s) {
  return date::format("%FT%TZ", date::sys_seconds(std::chrono::seconds(timestamp_s)));
}

// The phone as the provider takes it: Tencent E.164 (+86 for a mainland number without a
// prefix), Alibaba the national number for the mainland.
std::string Phone(SmsConfig::Provider provider, const std::string& address) {
  std::string digits;
  for (char c : address) {
    if ((c >= '0' && c <= '9') || (c == '+' && digits.empty())) digits += c;
  }
  if (provider == SmsConfig::Provider::kTencent) {
    return digits.empty() || digits[0] == '+' ? digits : "+86" + digits;
  }
  if (digits.rfind("+86", 0) == 0) return digits.substr(3);
  return digits;
}

// The dedup key within `limit` bytes (a SHA-256 prefix when it is longer).
std::string KeyWithin(const std::string& key, std::size_t limit) {
  if (key.size() <= limit) return key;
  return internal::Sha256Hex(key).substr(0, std::min<std::size_t>(limit, 64));
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

bool TencentTransient(const std::string& code) {
  return code == "RequestLimitExceeded" || StartsWith(code, "LimitExceeded.") ||
         StartsWith(code, "InternalError");
}

bool AliyunTransient(const std::string& code) {
  return code == "isv.BUSINESS_LIMIT_CONTROL" || StartsWith(code, "Throttling") ||
         StartsWith(code, "isp.");
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

class SmsChannel final : public Channel {
 public:
  explicit SmsChannel(SmsConfig config) : config_(std::move(config)) {}
  std::string kind() const override { return "sms"; }

  SendResult Send(const Message& message) override {
    std::int64_t ts = 0;
    if (auto it = message.fields.find("timestamp_ms"); it != message.fields.end()) {
      ts = std::atoll(it->second.c_str());
    } else if (config_.now_ms) {
      ts = config_.now_ms();
    }
    if (ts <= 0) return {SendOutcome::kFailed, "no time for the request's signature"};
    auto built = BuildSmsRequest(config_, message, ts);
    if (auto* why = std::get_if<std::string>(&built)) return {SendOutcome::kFailed, *why};
    const SmsRequest& req = std::get<SmsRequest>(built);
    internal::Slist headers;
    for (const auto& h : req.headers) internal::Append(headers, h);
    internal::Append(headers, "Expect:");
    internal::HttpAnswer a =
        internal::HttpRequest(handle_, req.url, headers, req.body, config_.timeout_ms);
    if (a.rc != CURLE_OK) {
      return {internal::IsTransient(a.rc) ? SendOutcome::kRetry : SendOutcome::kFailed, a.error};
    }
    std::string detail = "HTTP " + std::to_string(a.status) + ": " +
                         std::string(internal::TruncateUtf8(a.body, kMaxDetailBody));
    if (a.status == 408 || a.status == 429 || (a.status >= 500 && a.status < 600)) {
      return {SendOutcome::kRetry, detail};
    }
    if (a.status < 200 || a.status >= 300) return {SendOutcome::kFailed, detail};
    boost::system::error_code ec;
    json::value v = json::parse(a.body, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    if (!o) return {SendOutcome::kFailed, detail + " (not the provider's answer)"};
    return config_.provider == SmsConfig::Provider::kTencent ? JudgeTencent(*o, detail)
                                                             : JudgeAliyun(*o, detail);
  }

 private:
  static SendResult JudgeTencent(const json::object& o, const std::string& detail) {
    const json::value* r = o.if_contains("Response");
    const json::object* resp = r ? r->if_object() : nullptr;
    if (!resp) return {SendOutcome::kFailed, detail + " (no Response)"};
    if (const json::value* e = resp->if_contains("Error"); e && e->is_object()) {
      std::string code = Str(e->as_object(), "Code");
      return {TencentTransient(code) ? SendOutcome::kRetry : SendOutcome::kFailed,
              "tencent " + code + ": " + Str(e->as_object(), "Message")};
    }
    const json::value* set = resp->if_contains("SendStatusSet");
    if (!set || !set->is_array() || set->as_array().empty() || !set->as_array()[0].is_object()) {
      return {SendOutcome::kFailed, detail + " (no SendStatusSet)"};
    }
    const json::object& status = set->as_array()[0].as_object();
    std::string code = Str(status, "Code");
    if (code == "Ok")
      return {SendOutcome::kDelivered, "tencent Ok: SerialNo " + Str(status, "SerialNo")};
    return {TencentTransient(code) ? SendOutcome::kRetry : SendOutcome::kFailed,
            "tencent " + code + ": " + Str(status, "Message")};
  }

  static SendResult JudgeAliyun(const json::object& o, const std::string& detail) {
    std::string code = Str(o, "Code");
    if (code.empty()) return {SendOutcome::kFailed, detail + " (no Code)"};
    if (code == "OK") return {SendOutcome::kDelivered, "aliyun OK: BizId " + Str(o, "BizId")};
    return {AliyunTransient(code) ? SendOutcome::kRetry : SendOutcome::kFailed,
            "aliyun " + code + ": " + Str(o, "Message")};
  }

  SmsConfig config_;
  internal::EasyHandle handle_;
};

}  // namespace

std::string TencentAuthorization(const std::string& secret_id, const std::string& secret_key,
                                 const std::string& service, const std::string& host,
                                 const std::string& payload, std::int64_t timestamp_s) {
  const std::string content_type = "application/json; charset=utf-8";
  std::string canonical = "POST\n/\n\ncontent-type:" + content_type + "\nhost:" + host +
                          "\n\ncontent-type;host\n" + internal::Sha256Hex(payload);
  std::string date = UtcDate(timestamp_s);
  std::string scope = date + "/" + service + "/tc3_request";
  std::string to_sign = "TC3-HMAC-SHA256\n" + std::to_string(timestamp_s) + "\n" + scope + "\n" +
                        internal::Sha256Hex(canonical);
  std::string k_date = internal::HmacSha256("TC3" + secret_key, date);
  std::string k_service = internal::HmacSha256(k_date, service);
  std::string k_signing = internal::HmacSha256(k_service, "tc3_request");
  std::string signature = internal::Hex(internal::HmacSha256(k_signing, to_sign));
  return "TC3-HMAC-SHA256 Credential=" + secret_id + "/" + scope +
         ", SignedHeaders=content-type;host, Signature=" + signature;
}

std::string AliyunSignature(const std::string& access_key_secret, const std::string& method,
                            const std::map<std::string, std::string>& params) {
  std::string query;  // the map is sorted by key, as the signature wants
  for (const auto& [k, v] : params) {
    if (!query.empty()) query += '&';
    query += internal::UrlEncode(k) + "=" + internal::UrlEncode(v);
  }
  std::string to_sign = method + "&" + internal::UrlEncode("/") + "&" + internal::UrlEncode(query);
  return internal::Base64(internal::HmacSha1(access_key_secret + "&", to_sign));
}

std::variant<SmsRequest, std::string> BuildSmsRequest(const SmsConfig& config,
                                                      const Message& message,
                                                      std::int64_t timestamp_ms) {
  auto t = config.templates.find(message.template_name);
  if (t == config.templates.end()) {
    return "no SMS template for message kind '" + message.template_name +
           "' (free text is never sent by SMS); add it under templates: in the channels file";
  }
  std::vector<std::pair<std::string, std::string>> values;
  for (const auto& [name, field] : t->second.params) {
    auto f = message.fields.find(field);
    if (f == message.fields.end() || f->second.empty()) {
      return "the message has no field '" + field + "' for template parameter '" + name + "'";
    }
    values.emplace_back(name, f->second);
  }
  std::string phone = Phone(config.provider, message.address);
  if (phone.size() < 6) return "'" + message.address + "' is not a phone number";
  std::int64_t ts = timestamp_ms / 1000;
  SmsRequest req;
  if (config.provider == SmsConfig::Provider::kTencent) {
    req.url =
        config.endpoint.empty() ? std::string("https://") + kTencentHost + "/" : config.endpoint;
    json::array params;
    for (const auto& [name, value] : values) params.emplace_back(value);
    json::object body{{"PhoneNumberSet", json::array{json::value(phone)}},
                      {"SmsSdkAppId", config.app_id},
                      {"SignName", config.sign_name},
                      {"TemplateId", t->second.code},
                      {"TemplateParamSet", std::move(params)},
                      {"SessionContext", KeyWithin(message.dedup_key, 512)}};
    req.body = json::serialize(body);
    std::string host = HostOf(req.url);
    req.headers = {"Content-Type: application/json; charset=utf-8",
                   "Host: " + host,
                   "X-TC-Action: SendSms",
                   "X-TC-Version: 2021-01-11",
                   "X-TC-Timestamp: " + std::to_string(ts),
                   "X-TC-Region: " + config.region,
                   "Authorization: " + TencentAuthorization(config.secret_id, config.secret_key,
                                                            "sms", host, req.body, ts)};
    return req;
  }
  json::object template_param;
  for (const auto& [name, value] : values) template_param[name] = value;
  std::map<std::string, std::string> p{
      {"AccessKeyId", config.secret_id},
      {"Action", "SendSms"},
      {"Format", "JSON"},
      {"OutId", KeyWithin(message.dedup_key, 256)},
      {"PhoneNumbers", phone},
      {"RegionId", "cn-hangzhou"},
      {"SignName", config.sign_name},
      {"SignatureMethod", "HMAC-SHA1"},
      // Unique per attempt without a random source: the row's key and the attempt's time.
      {"SignatureNonce",
       internal::Sha256Hex(message.dedup_key + "|" + std::to_string(timestamp_ms)).substr(0, 32)},
      {"SignatureVersion", "1.0"},
      {"TemplateCode", t->second.code},
      {"TemplateParam", json::serialize(template_param)},
      {"Timestamp", UtcIso(ts)},
      {"Version", "2017-05-25"}};
  p["Signature"] = AliyunSignature(config.secret_key, "POST", p);
  req.url = config.endpoint.empty() ? std::string("https://") + kAliyunHost + "/" : config.endpoint;
  for (const auto& [k, v] : p) {
    if (!req.body.empty()) req.body += '&';
    req.body += internal::UrlEncode(k) + "=" + internal::UrlEncode(v);
  }
  req.headers = {"Content-Type: application/x-www-form-urlencoded"};
  return req;
}

std::unique_ptr<Channel> MakeSmsChannel(const SmsConfig& config) {
  internal::GlobalInit();
  return std::make_unique<SmsChannel>(config);
}

}  // namespace rectify::notify
