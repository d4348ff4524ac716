// The cloud SMS services' delivery-status callbacks (issue 16.3), beside the polled path:
//   POST /api/v1/sms-callbacks/tencent/{secret}   Tencent Cloud SMS 短信下发状态回调
//   POST /api/v1/sms-callbacks/aliyun/{secret}    Alibaba Cloud SMS 短信发送状态报告 (HTTP push)
//
// Neither provider signs its callbacks; each calls the URL the office configured in its console,
// so the URL carries the secret: an `sms` channel of that provider in the loaded channels files
// names the environment variable holding it (`callback_token_env`), and a request whose {secret}
// is no such channel's is answered 401 and records nothing. A secret shorter than 16 characters
// is never accepted (a guessable one would let anyone mark messages delivered). The comparison
// takes the same time whatever matches.
//
// Bodies, as the providers document them: a JSON array of reports.
//   Tencent: [{"sid":"...","report_status":"SUCCESS"|"FAIL","errmsg":"DELIVRD","description":
//             "用户短信送达成功","mobile":"13800000000","user_receive_time":"..."}]
//   Alibaba: [{"biz_id":"...","success":true,"err_code":"DELIVERED","err_msg":"用户接收成功",
//             "phone_number":"13800000000","out_id":"...","report_time":"..."}]
// Each is matched by the provider's id for the message (the SendSms answer's SerialNo, which
// Tencent's callback calls sid; Alibaba's BizId) and goes through the same receipt machine as a
// polled one (rectify/notify/receipt.h; source "callback"); an id no delivery has is logged and
// ignored, a duplicate changes nothing. A body that is not such an array is 400 and records
// nothing. The answers are the ones each provider expects: Tencent {"result":0,"errmsg":"OK"},
// Alibaba {"code":0,"msg":"成功"}.
#include <boost/json.hpp>
#include <cstdlib>

#include "adapters/http/api/api_internal.h"
#include "adapters/notify/channels/sms/sms_plugin.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/auth/secrets.h"
#include "rectify/notify/channels_config.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::size_t kMinSecret = 16;

// Whether `secret` is the callback secret of an sms channel of `provider`.
bool KnownSecret(const definition::DefinitionSet& defs, notify::SmsConfig::Provider provider,
                 const std::string& secret) {
  if (secret.size() < kMinSecret) return false;
  const std::string given = auth::HashSecret(secret);
  bool found = false;
  for (const auto& info : defs.All()) {
    if (info.kind != definition::Kind::kChannels) continue;
    auto channels = defs.FindChannels(info.name, info.version);
    if (!channels) continue;
    for (const notify::ChannelSpec& spec : channels->channels()) {
      const auto* s = spec.SettingsAs<notify::channels::sms::Settings>();
      if (!s || s->config.provider != provider || s->callback_token_env.empty()) continue;
      const char* value = std::getenv(s->callback_token_env.c_str());
      if (!value || std::string_view(value).size() < kMinSecret) continue;
      // Every channel is compared, so the time does not tell which one matched.
      if (auth::SameDigest(given, auth::HashSecret(value))) found = true;
    }
  }
  return found;
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// The reports in a body, or a 400 naming the first element that is not one.
std::variant<std::vector<notify::ReceiptReport>, http::Response> ReadReports(
    const std::string& body, bool tencent, Timestamp now) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_array()) {
    return ErrorResponse(Error::BadInput(
        "the body is not a JSON array of status reports, as the provider sends them"));
  }
  std::vector<notify::ReceiptReport> out;
  const json::array& list = v.as_array();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json::object* o = list[i].if_object();
    const std::string where = "report " + std::to_string(i + 1);
    if (!o) return ErrorResponse(Error::BadInput(where + " is not an object"));
    notify::ReceiptReport r;
    r.source = "callback";
    r.at = now;
    if (tencent) {
      std::string sid = Str(*o, "sid");
      std::string status = Str(*o, "report_status");
      if (sid.empty() || (status != "SUCCESS" && status != "FAIL")) {
        return ErrorResponse(Error::BadInput(
            where + " needs sid and report_status (SUCCESS or FAIL), as Tencent Cloud sends"));
      }
      r.provider_ref = "tencent:" + sid;
      r.state =
          status == "SUCCESS" ? notify::ReceiptState::kDelivered : notify::ReceiptState::kFailed;
      r.code = status;
      std::string errmsg = Str(*o, "errmsg"), description = Str(*o, "description");
      r.detail =
          errmsg.empty() ? description : errmsg + (description.empty() ? "" : ": ") + description;
    } else {
      std::string biz = Str(*o, "biz_id");
      const json::value* success = o->if_contains("success");
      if (biz.empty() || !success || !success->is_bool()) {
        return ErrorResponse(Error::BadInput(
            where + " needs biz_id and success (true or false), as Alibaba Cloud sends"));
      }
      r.provider_ref = "aliyun:" + biz;
      r.state =
          success->as_bool() ? notify::ReceiptState::kDelivered : notify::ReceiptState::kFailed;
      r.code = Str(*o, "err_code");
      r.detail = Str(*o, "err_msg");
    }
    out.push_back(std::move(r));
  }
  return out;
}

http::Response Callback(Call& call, bool tencent) {
  const std::string& secret = call.request.params.at("secret");
  if (!KnownSecret(
          *call.api.options.definitions,
          tencent ? notify::SmsConfig::Provider::kTencent : notify::SmsConfig::Provider::kAliyun,
          secret)) {
    return http::Response::Error(
        401, "unauthenticated",
        "this callback URL's secret is not one of an sms channel's callback_token_env");
  }
  auto read = ReadReports(call.request.body, tencent, call.now);
  if (auto* refused = std::get_if<http::Response>(&read)) return std::move(*refused);
  store_soci::SociOutboxStore outbox(*call.db.side);
  auto applied = outbox.ApplyReceipts(std::get<std::vector<notify::ReceiptReport>>(read));
  if (!applied) return ErrorResponse(applied.error());
  return tencent ? JsonResponse(200, json::object{{"result", 0}, {"errmsg", "OK"}})
                 : JsonResponse(200, json::object{{"code", 0}, {"msg", "成功"}});
}

}  // namespace

std::vector<Route> SmsCallbackRoutes() {
  return {
      {{"POST", "/api/v1/sms-callbacks/tencent/{secret}", Access::kPublic, true},
       [](Call& call) { return Callback(call, true); }},
      {{"POST", "/api/v1/sms-callbacks/aliyun/{secret}", Access::kPublic, true},
       [](Call& call) { return Callback(call, false); }},
  };
}

}  // namespace rectify::api
