// The cloud SMS channel (sms_channel.h): Tencent Cloud and Alibaba Cloud SendSms over libcurl.
#include "adapters/notify/channels/sms/sms_channel.h"

#include <date/date.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>

#include "adapters/notify/curl_transfer.h"
#include "adapters/notify/encoding.h"
#include "rectify/sha256.h"

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
  return Sha256Hex(key).substr(0, std::min<std::size_t>(limit, 64));
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
    SendResult r = config_.provider == SmsConfig::Provider::kTencent ? JudgeTencent(*o, detail)
                                                                     : JudgeAliyun(*o, detail);
    if (r.outcome == SendOutcome::kDelivered && config_.receipt_within_ms > 0) {
      r.receipt = ReceiptState::kSent;
    }
    return r;
  }

  std::int64_t receipt_within_ms() const override { return config_.receipt_within_ms; }

  std::vector<PolledReceipt> PollReceipts(const std::vector<ReceiptQuery>& awaiting,
                                          std::int64_t now_ms, std::string& error) override {
    error.clear();
    std::vector<PolledReceipt> out;
    if (!config_.poll_receipts) return out;
    // Tencent answers every queued report of the app in one pull; Alibaba one message a query.
    std::vector<ReceiptQuery> queries;
    if (config_.provider == SmsConfig::Provider::kTencent) {
      queries.push_back({});
    } else {
      for (const ReceiptQuery& q : awaiting) {
        if (q.provider_ref.rfind("aliyun:", 0) == 0) queries.push_back(q);
      }
    }
    for (const ReceiptQuery& q : queries) {
      SmsRequest req = BuildReceiptQuery(config_, q, now_ms);
      internal::Slist headers;
      for (const auto& h : req.headers) internal::Append(headers, h);
      internal::Append(headers, "Expect:");
      internal::HttpAnswer a =
          internal::HttpRequest(handle_, req.url, headers, req.body, config_.timeout_ms);
      if (a.rc != CURLE_OK) {
        error = "receipt query failed: " + a.error;
        return out;
      }
      if (a.status < 200 || a.status >= 300) {
        error = "receipt query answered HTTP " + std::to_string(a.status) + ": " +
                std::string(internal::TruncateUtf8(a.body, kMaxDetailBody));
        return out;
      }
      auto got = ParseReceiptAnswer(config_, q, a.body);
      if (auto* why = std::get_if<std::string>(&got)) {
        error = *why;
        return out;
      }
      for (auto& r : std::get<std::vector<PolledReceipt>>(got)) out.push_back(std::move(r));
    }
    return out;
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
    if (code == "Ok") {
      SendResult ok{SendOutcome::kDelivered, "tencent Ok: SerialNo " + Str(status, "SerialNo")};
      ok.provider_ref = "tencent:" + Str(status, "SerialNo");
      return ok;
    }
    return {TencentTransient(code) ? SendOutcome::kRetry : SendOutcome::kFailed,
            "tencent " + code + ": " + Str(status, "Message")};
  }

  static SendResult JudgeAliyun(const json::object& o, const std::string& detail) {
    std::string code = Str(o, "Code");
    if (code.empty()) return {SendOutcome::kFailed, detail + " (no Code)"};
    if (code == "OK") {
      SendResult ok{SendOutcome::kDelivered, "aliyun OK: BizId " + Str(o, "BizId")};
      ok.provider_ref = "aliyun:" + Str(o, "BizId");
      return ok;
    }
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
                          "\n\ncontent-type;host\n" + Sha256Hex(payload);
  std::string date = UtcDate(timestamp_s);
  std::string scope = date + "/" + service + "/tc3_request";
  std::string to_sign = "TC3-HMAC-SHA256\n" + std::to_string(timestamp_s) + "\n" + scope + "\n" +
                        Sha256Hex(canonical);
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

namespace {

SmsRequest TencentRequest(const SmsConfig& config, const std::string& action,
                          const json::object& body, std::int64_t ts) {
  SmsRequest req;
  req.url =
      config.endpoint.empty() ? std::string("https://") + kTencentHost + "/" : config.endpoint;
  req.body = json::serialize(body);
  std::string host = HostOf(req.url);
  req.headers = {"Content-Type: application/json; charset=utf-8",
                 "Host: " + host,
                 "X-TC-Action: " + action,
                 "X-TC-Version: 2021-01-11",
                 "X-TC-Timestamp: " + std::to_string(ts),
                 "X-TC-Region: " + config.region,
                 "Authorization: " + TencentAuthorization(config.secret_id, config.secret_key,
                                                          "sms", host, req.body, ts)};
  return req;
}

SmsRequest AliyunRequest(const SmsConfig& config, std::map<std::string, std::string> p,
                         const std::string& nonce_seed, std::int64_t timestamp_ms) {
  p["AccessKeyId"] = config.secret_id;
  p["Format"] = "JSON";
  p["RegionId"] = "cn-hangzhou";
  p["SignatureMethod"] = "HMAC-SHA1";
  // Unique per request without a random source: what it is about and the request's time.
  p["SignatureNonce"] = Sha256Hex(nonce_seed + "|" + std::to_string(timestamp_ms)).substr(0, 32);
  p["SignatureVersion"] = "1.0";
  p["Timestamp"] = UtcIso(timestamp_ms / 1000);
  p["Version"] = "2017-05-25";
  p["Signature"] = AliyunSignature(config.secret_key, "POST", p);
  SmsRequest req;
  req.url = config.endpoint.empty() ? std::string("https://") + kAliyunHost + "/" : config.endpoint;
  for (const auto& [k, v] : p) {
    if (!req.body.empty()) req.body += '&';
    req.body += internal::UrlEncode(k) + "=" + internal::UrlEncode(v);
  }
  req.headers = {"Content-Type: application/x-www-form-urlencoded"};
  return req;
}

}  // namespace

SmsRequest BuildReceiptQuery(const SmsConfig& config, const ReceiptQuery& q,
                             std::int64_t timestamp_ms) {
  if (config.provider == SmsConfig::Provider::kTencent) {
    return TencentRequest(config, "PullSmsSendStatus",
                          json::object{{"Limit", 100}, {"SmsSdkAppId", config.app_id}},
                          timestamp_ms / 1000);
  }
  // The day the message was sent, as Alibaba keeps it (China Standard Time, UTC+8).
  std::string day = UtcDate(q.sent_at_ms / 1000 + 8 * 3600);
  day.erase(std::remove(day.begin(), day.end(), '-'), day.end());
  return AliyunRequest(config,
                       {{"Action", "QuerySendDetails"},
                        {"BizId", q.provider_ref.substr(std::string("aliyun:").size())},
                        {"CurrentPage", "1"},
                        {"PageSize", "10"},
                        {"PhoneNumber", Phone(config.provider, q.address)},
                        {"SendDate", day}},
                       q.provider_ref, timestamp_ms);
}

std::variant<std::vector<PolledReceipt>, std::string> ParseReceiptAnswer(const SmsConfig& config,
                                                                         const ReceiptQuery& q,
                                                                         const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  if (!o) return std::string("the receipt query's answer is not JSON");
  std::vector<PolledReceipt> out;
  if (config.provider == SmsConfig::Provider::kTencent) {
    const json::value* r = o->if_contains("Response");
    const json::object* resp = r ? r->if_object() : nullptr;
    if (!resp) return std::string("the receipt query's answer has no Response");
    if (const json::value* e = resp->if_contains("Error"); e && e->is_object()) {
      return "tencent " + Str(e->as_object(), "Code") + ": " + Str(e->as_object(), "Message");
    }
    const json::value* set = resp->if_contains("PullSmsSendStatusSet");
    if (!set || !set->is_array()) return std::string("no PullSmsSendStatusSet in the answer");
    for (const json::value& item : set->as_array()) {
      const json::object* s = item.if_object();
      if (!s) continue;
      std::string status = Str(*s, "ReportStatus");
      PolledReceipt p;
      p.provider_ref = "tencent:" + Str(*s, "SerialNo");
      p.state = status == "SUCCESS" ? ReceiptState::kDelivered : ReceiptState::kFailed;
      p.code = status;
      p.detail = Str(*s, "Description");
      out.push_back(std::move(p));
    }
    return out;
  }
  std::string code = Str(*o, "Code");
  if (code != "OK") return "aliyun " + code + ": " + Str(*o, "Message");
  const json::value* dtos = o->if_contains("SmsSendDetailDTOs");
  const json::value* list =
      dtos && dtos->is_object() ? dtos->as_object().if_contains("SmsSendDetailDTO") : nullptr;
  if (!list || !list->is_array()) return std::string("no SmsSendDetailDTOs in the answer");
  for (const json::value& item : list->as_array()) {
    const json::object* d = item.if_object();
    if (!d) continue;
    const json::value* st = d->if_contains("SendStatus");
    std::int64_t status = st && st->is_int64() ? st->as_int64() : 0;
    if (status != 2 && status != 3) continue;  // 1: the operator has not reported yet
    PolledReceipt p;
    p.provider_ref = q.provider_ref;
    p.state = status == 3 ? ReceiptState::kDelivered : ReceiptState::kFailed;
    p.code = Str(*d, "ErrCode");
    p.detail = status == 3 ? "delivered" : "not delivered";
    out.push_back(std::move(p));
  }
  return out;
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
  if (config.provider == SmsConfig::Provider::kTencent) {
    json::array params;
    for (const auto& [name, value] : values) params.emplace_back(value);
    json::object body{{"PhoneNumberSet", json::array{json::value(phone)}},
                      {"SmsSdkAppId", config.app_id},
                      {"SignName", config.sign_name},
                      {"TemplateId", t->second.code},
                      {"TemplateParamSet", std::move(params)},
                      {"SessionContext", KeyWithin(message.dedup_key, 512)}};
    return TencentRequest(config, "SendSms", body, timestamp_ms / 1000);
  }
  json::object template_param;
  for (const auto& [name, value] : values) template_param[name] = value;
  return AliyunRequest(config,
                       {{"Action", "SendSms"},
                        {"OutId", KeyWithin(message.dedup_key, 256)},
                        {"PhoneNumbers", phone},
                        {"SignName", config.sign_name},
                        {"TemplateCode", t->second.code},
                        {"TemplateParam", json::serialize(template_param)}},
                       message.dedup_key, timestamp_ms);
}

std::unique_ptr<Channel> MakeSmsChannel(const SmsConfig& config) {
  internal::GlobalInit();
  return std::make_unique<SmsChannel>(config);
}

}  // namespace rectify::notify
