// The `wecom-app` kind: settings, and the WeCom message API for the app-message channel.
#include "adapters/notify/channels/wecom_app/wecom_app_plugin.h"

#include <boost/json.hpp>
#include <cstdlib>

#include "adapters/notify/encoding.h"

namespace rectify::notify::channels::wecom_app {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::shared_ptr<const ChannelSettings> Parse(SettingsReader& r) {
  auto s = std::make_shared<Settings>();
  if (auto u = r.String("base_url")) {
    if (!StartsWith(*u, "http://") && !StartsWith(*u, "https://")) {
      r.Error("base_url", "'" + *u + "' is not an HTTP URL",
              "leave base_url out for WeCom's own; write http://... only for a test server");
    }
    s->base_url = *u;
  }
  if (auto c = r.String("corp_id", true)) s->corp_id = *c;
  if (auto a = r.Int("agent_id", true)) {
    if (*a <= 0) r.Error("agent_id", "agent_id is the app's AgentId, a positive number");
    s->agent_id = *a;
  }
  if (auto e = r.String("secret_env", true)) {
    if (e->empty() || e->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789_") != std::string::npos) {
      r.Error("secret_env", "'" + *e + "' is not an environment variable's name",
              "name the variable that holds the app's Secret, e.g. RECTIFY_WECOM_SECRET");
    }
    s->secret_env = *e;
  }
  ReadTimeoutMs(r, s->timeout_ms);
  return s;
}

}  // namespace

AppMessageApi Api(const Settings& s, const std::string& secret) {
  AppMessageApi api;
  api.kind = "wecom-app";
  api.gettoken_url = s.base_url + "/cgi-bin/gettoken?corpid=" + internal::UrlEncode(s.corp_id) +
                     "&corpsecret=" + internal::UrlEncode(secret);
  std::string base = s.base_url;
  api.send_url = [base](const std::string& token) {
    return base + "/cgi-bin/message/send?access_token=" + internal::UrlEncode(token);
  };
  std::int64_t agent = s.agent_id;
  api.body = [agent](const Message& m) {
    boost::json::object body{{"touser", m.address},
                             {"msgtype", "text"},
                             {"agentid", agent},
                             {"text", boost::json::object{{"content", AppMessageText(m, 2048)}}},
                             {"enable_duplicate_check", 1},
                             {"duplicate_check_interval", 14400}};
    return boost::json::serialize(body);
  };
  api.busy_codes = {-1, 45009, 45033};  // system busy, API frequency, concurrent calls
  // WeCom sends to the valid receivers and names the others in `invaliduser` ("a|b"): a person
  // outside the app's visible range or unknown is not reached, though errcode is 0. It has no
  // later receipt, so the answer is the receipt: reached unless named there.
  api.accepted = [](const std::string& answer, const Message& m, SendResult& r) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(answer, ec);
    const boost::json::object* o = ec ? nullptr : v.if_object();
    if (!o) return;
    auto str = [o](std::string_view key) {
      const boost::json::value* x = o->if_contains(key);
      return x && x->is_string() ? std::string(x->as_string()) : std::string();
    };
    if (std::string id = str("msgid"); !id.empty()) r.provider_ref = "wecom:" + id;
    std::string invalid = "|" + str("invaliduser") + "|";
    if (invalid.find("|" + m.address + "|") != std::string::npos) {
      r.receipt = ReceiptState::kFailed;
      r.receipt_code = "invaliduser";
      r.receipt_detail = "WeCom names " + m.address + " in invaliduser: not a receiver of the app";
    } else {
      r.receipt = ReceiptState::kDelivered;
      r.receipt_code = "ok";
      r.receipt_detail = "WeCom took it for " + m.address;
    }
  };
  api.timeout_ms = s.timeout_ms;
  return api;
}

ChannelPlugin Plugin() {
  return {
      "wecom-app", Parse,
      [](const ChannelSpec& spec, const ChannelContext& ctx) -> Result<std::unique_ptr<Channel>> {
        auto s = SettingsOf<Settings>(spec);
        if (!s) return s.error();
        const char* secret = std::getenv((*s)->secret_env.c_str());
        if (!secret || !*secret) {
          return Error::FailedPrecondition(
              "channel '" + spec.name + "' needs the environment variable " + (*s)->secret_env +
              " (the WeCom app's Secret); set it before rectify dispatch "
              "or serve");
        }
        AppMessageApi api = Api(**s, secret);
        if (Clock* clock = ctx.clock) {
          api.now_ms = [clock] { return ToMicros(clock->Now()) / 1000; };
        }
        return MakeAppMessageChannel(std::move(api));
      }};
}

}  // namespace rectify::notify::channels::wecom_app
