// The `sms` kind: reads and checks its settings (a template for every message kind, parameters
// that name message fields, credentials by environment variable), builds an SMS channel.
#include "adapters/notify/channels/sms/sms_plugin.h"

#include <algorithm>
#include <cstdlib>

namespace rectify::notify::channels::sms {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

bool IsEnvName(const std::string& s) {
  return !s.empty() && !(s[0] >= '0' && s[0] <= '9') && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string Join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void ReadTemplate(SettingsReader& t, const std::string& kind, SmsConfig& c) {
  SmsTemplate tpl;
  if (auto code = t.String("code", true)) {
    if (code->empty())
      t.Error("code", "code is empty", "write the template's id as the provider approved it");
    tpl.code = *code;
  }
  if (auto params = t.Map("params")) {
    for (const auto& name : params->Keys()) {
      auto field = params->String(name);
      if (!field) continue;
      const auto& fields = MessageFields();
      if (std::find(fields.begin(), fields.end(), *field) == fields.end()) {
        params->Error(name, "no message field '" + *field + "'", "name one of: " + Join(fields));
        continue;
      }
      tpl.params.emplace_back(name, *field);
    }
  }
  c.templates[kind] = std::move(tpl);
}

std::shared_ptr<const ChannelSettings> Parse(SettingsReader& r) {
  auto s = std::make_shared<Settings>();
  SmsConfig& c = s->config;
  auto provider = r.Choice("provider", {"tencent", "aliyun"});
  if (!r.Has("provider")) r.String("provider", true);  // reports it missing
  if (provider) {
    c.provider =
        *provider == "aliyun" ? SmsConfig::Provider::kAliyun : SmsConfig::Provider::kTencent;
  }
  if (auto e = r.String("endpoint")) {
    if (!StartsWith(*e, "http://") && !StartsWith(*e, "https://")) {
      r.Error("endpoint", "'" + *e + "' is not an HTTP URL",
              "leave endpoint out for the provider's own; write http://... only for a test server");
    }
    c.endpoint = *e;
  }
  for (auto [key, out] : {std::pair<const char*, std::string*>{"secret_id_env", &s->secret_id_env},
                          {"secret_key_env", &s->secret_key_env}}) {
    if (auto v = r.String(key, true)) {
      if (!IsEnvName(*v)) {
        r.Error(key, "'" + *v + "' is not an environment variable's name",
                "name the variable that holds it, e.g. RECTIFY_SMS_SECRET_KEY: secrets never go "
                "in the file");
      }
      *out = *v;
    }
  }
  if (auto v = r.String("callback_token_env")) {
    if (!IsEnvName(*v)) {
      r.Error("callback_token_env", "'" + *v + "' is not an environment variable's name",
              "name the variable that holds the callback URL's secret, e.g. "
              "RECTIFY_SMS_CALLBACK_TOKEN: secrets never go in the file");
    }
    s->callback_token_env = *v;
  }
  if (auto sign = r.String("sign_name", true)) c.sign_name = *sign;
  if (provider && *provider == "tencent") {
    if (auto id = r.String("app_id", true)) c.app_id = *id;
    if (auto region = r.String("region")) c.region = *region;
  } else if (provider && (r.Has("app_id") || r.Has("region"))) {
    r.String("app_id");
    r.String("region");
    r.Warning(r.Has("app_id") ? "app_id" : "region",
              "app_id and region are Tencent's; Alibaba Cloud's SMS takes neither");
  }
  if (auto templates = r.Map("templates", true)) {
    const auto& kinds = MessageKinds();
    std::vector<std::string> missing = kinds;
    for (const auto& kind : templates->Keys()) {
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        templates->Map(kind);  // known, so that it is reported once
        templates->ErrorAtKey(kind, "unknown message kind '" + kind + "'",
                              "name one of: " + Join(kinds));
        continue;
      }
      missing.erase(std::remove(missing.begin(), missing.end(), kind), missing.end());
      if (auto t = templates->Map(kind)) ReadTemplate(*t, kind, c);
    }
    if (!missing.empty()) {
      r.Error("templates", "no SMS template for the message kinds " + Join(missing),
              "free text is never sent by SMS: map each kind to an approved template, "
              "KIND: { code: ..., params: { NAME: FIELD } }");
    }
  }
  ReadTimeoutMs(r, c.timeout_ms);
  // Receipts (receipt.h): `receipts: poll` asks the provider for status reports on every
  // dispatch; `receipt_within_s` is how long a receipt may take before the delivery is unknown.
  if (auto how = r.Choice("receipts", {"none", "poll"})) c.poll_receipts = *how == "poll";
  if (auto within = r.Int("receipt_within_s")) {
    if (*within <= 0) {
      r.Error("receipt_within_s", "receipt_within_s must be a positive number of seconds",
              "write how long a receipt may take, e.g. 7200 for two hours");
    }
    c.receipt_within_ms = *within * 1000;
  } else if (c.poll_receipts) {
    c.receipt_within_ms = 2 * 3600 * 1000;  // the providers report within minutes; two hours
  }
  return s;
}

std::string Env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

}  // namespace

const std::vector<std::string>& MessageKinds() {
  static const std::vector<std::string> kinds{"accountability-referral",
                                              "bulletin",
                                              "digest",
                                              "informed-criticism",
                                              "interview-notice",
                                              "measure-carry",
                                              "measure-ended",
                                              "notice",
                                              "public-reply",
                                              "public-reply-dismissed",
                                              "reminder",
                                              "reminder-letter",
                                              "suggestion-letter",
                                              "supervision-letter"};
  return kinds;
}

const std::vector<std::string>& MessageFields() {
  static const std::vector<std::string> fields{"campaign",      "carrying_unit_name",
                                               "chain",         "count",
                                               "due",           "ended",
                                               "findings",      "issued_on",
                                               "issuer",        "issuer_name",
                                               "item",          "items",
                                               "level",         "measure",
                                               "measure_label", "message",
                                               "number_label",  "number_label_en",
                                               "offset",        "overdue",
                                               "reason",        "recipient_name",
                                               "score",         "since",
                                               "state",         "task",
                                               "title",         "title_en",
                                               "today",         "unit",
                                               "unit_name"};
  return fields;
}

ChannelPlugin Plugin() {
  return {
      "sms", Parse,
      [](const ChannelSpec& spec, const ChannelContext& ctx) -> Result<std::unique_ptr<Channel>> {
        auto s = SettingsOf<Settings>(spec);
        if (!s) return s.error();
        SmsConfig c = (*s)->config;
        c.secret_id = Env((*s)->secret_id_env);
        c.secret_key = Env((*s)->secret_key_env);
        for (const auto& [name, value] : {std::pair{(*s)->secret_id_env, c.secret_id},
                                          std::pair{(*s)->secret_key_env, c.secret_key}}) {
          if (value.empty()) {
            return Error::FailedPrecondition(
                "channel '" + spec.name + "' needs the environment variable " + name +
                " (its SMS credentials); set it before rectify dispatch or serve");
          }
        }
        if (Clock* clock = ctx.clock) {
          c.now_ms = [clock] { return ToMicros(clock->Now()) / 1000; };
        }
        return MakeSmsChannel(c);
      }};
}

}  // namespace rectify::notify::channels::sms
