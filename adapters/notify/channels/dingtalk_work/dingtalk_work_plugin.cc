// The `dingtalk-work` kind: settings, and the DingTalk work-notification API for the app-message
// channel.
#include "adapters/notify/channels/dingtalk_work/dingtalk_work_plugin.h"

#include <boost/json.hpp>
#include <cstdlib>

#include "adapters/notify/encoding.h"

namespace rectify::notify::channels::dingtalk_work {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::shared_ptr<const ChannelSettings> Parse(SettingsReader& r) {
  auto s = std::make_shared<Settings>();
  if (auto u = r.String("base_url")) {
    if (!StartsWith(*u, "http://") && !StartsWith(*u, "https://")) {
      r.Error("base_url", "'" + *u + "' is not an HTTP URL",
              "leave base_url out for DingTalk's own; write http://... only for a test server");
    }
    s->base_url = *u;
  }
  if (auto k = r.String("app_key", true)) s->app_key = *k;
  if (auto a = r.Int("agent_id", true)) {
    if (*a <= 0) r.Error("agent_id", "agent_id is the app's AgentId, a positive number");
    s->agent_id = *a;
  }
  if (auto e = r.String("secret_env", true)) {
    if (e->empty() || e->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789_") != std::string::npos) {
      r.Error("secret_env", "'" + *e + "' is not an environment variable's name",
              "name the variable that holds the app's AppSecret, e.g. RECTIFY_DINGTALK_SECRET");
    }
    s->secret_env = *e;
  }
  ReadTimeoutMs(r, s->timeout_ms);
  // Receipts: getsendresult tells, per message, who read it, who has it unread, and who could
  // not get it (invalid, forbidden, failed user ids).
  if (auto how = r.Choice("receipts", {"none", "poll"})) s->poll_receipts = *how == "poll";
  if (auto within = r.Int("receipt_within_s")) {
    if (*within <= 0) {
      r.Error("receipt_within_s", "receipt_within_s must be a positive number of seconds",
              "write how long a receipt may take, e.g. 7200 for two hours");
    }
    s->receipt_within_ms = *within * 1000;
  } else if (s->poll_receipts) {
    s->receipt_within_ms = 2 * 3600 * 1000;
  }
  return s;
}

}  // namespace

AppMessageApi Api(const Settings& s, const std::string& secret) {
  AppMessageApi api;
  api.kind = "dingtalk-work";
  api.gettoken_url = s.base_url + "/gettoken?appkey=" + internal::UrlEncode(s.app_key) +
                     "&appsecret=" + internal::UrlEncode(secret);
  std::string base = s.base_url;
  api.send_url = [base](const std::string& token) {
    return base + "/topapi/message/corpconversation/asyncsend_v2?access_token=" +
           internal::UrlEncode(token);
  };
  std::int64_t agent = s.agent_id;
  api.body = [agent](const Message& m) {
    boost::json::object text{{"content", AppMessageText(m, 2048)}};
    boost::json::object msg{{"msgtype", "text"}, {"text", std::move(text)}};
    boost::json::object body{
        {"agent_id", agent}, {"userid_list", m.address}, {"msg", std::move(msg)}};
    return boost::json::serialize(body);
  };
  api.busy_codes = {-1, 90018, 90006};  // system busy, calls too frequent, flow control
  // The task id is the message's id for getsendresult.
  api.accepted = [](const std::string& answer, const Message&, SendResult& r) {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(answer, ec);
    const boost::json::object* o = ec ? nullptr : v.if_object();
    const boost::json::value* id = o ? o->if_contains("task_id") : nullptr;
    if (id && id->is_int64()) r.provider_ref = "dingtalk:" + std::to_string(id->as_int64());
    if (id && id->is_string()) r.provider_ref = "dingtalk:" + std::string(id->as_string());
  };
  if (s.poll_receipts) {
    api.receipt_within_ms = s.receipt_within_ms;
    api.result_url = [base](const std::string& token) {
      return base + "/topapi/message/corpconversation/getsendresult?access_token=" +
             internal::UrlEncode(token);
    };
    api.result_body = [agent](const std::string& task_id) {
      boost::json::object body{{"agent_id", agent}};
      // DingTalk's task ids are numbers; a test server may give text.
      std::int64_t n = 0;
      if (!task_id.empty() && task_id.find_first_not_of("0123456789") == std::string::npos) {
        n = std::stoll(task_id);
        body["task_id"] = n;
      } else {
        body["task_id"] = task_id;
      }
      return boost::json::serialize(body);
    };
    api.judge_result = [](const std::string& answer, const std::string& user, PolledReceipt& out) {
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(answer, ec);
      const boost::json::object* o = ec ? nullptr : v.if_object();
      const boost::json::value* code = o ? o->if_contains("errcode") : nullptr;
      if (!code || !code->is_int64() || code->as_int64() != 0) return false;
      const boost::json::value* result = o->if_contains("send_result");
      if (!result || !result->is_object()) return false;
      auto lists = [&](std::string_view key) {
        const boost::json::value* l = result->as_object().if_contains(key);
        if (!l || !l->is_array()) return false;
        for (const auto& x : l->as_array()) {
          if (x.is_string() && x.as_string() == user) return true;
        }
        return false;
      };
      for (const char* key : {"invalid_user_id_list", "forbidden_list", "failed_user_id_list"}) {
        if (lists(key)) {
          out.state = ReceiptState::kFailed;
          out.code = key;
          out.detail = "DingTalk lists " + user + " in " + key;
          return true;
        }
      }
      for (const char* key : {"read_user_id_list", "unread_user_id_list"}) {
        if (lists(key)) {
          out.state = ReceiptState::kDelivered;
          out.code = key == std::string("read_user_id_list") ? "read" : "unread";
          out.detail = "DingTalk lists " + user + " in " + key;
          return true;
        }
      }
      return false;  // still being sent
    };
  }
  api.timeout_ms = s.timeout_ms;
  return api;
}

ChannelPlugin Plugin() {
  return {
      "dingtalk-work", Parse,
      [](const ChannelSpec& spec, const ChannelContext& ctx) -> Result<std::unique_ptr<Channel>> {
        auto s = SettingsOf<Settings>(spec);
        if (!s) return s.error();
        const char* secret = std::getenv((*s)->secret_env.c_str());
        if (!secret || !*secret) {
          return Error::FailedPrecondition(
              "channel '" + spec.name + "' needs the environment variable " + (*s)->secret_env +
              " (the DingTalk app's AppSecret); set it before rectify dispatch "
              "or serve");
        }
        AppMessageApi api = Api(**s, secret);
        if (Clock* clock = ctx.clock) {
          api.now_ms = [clock] { return ToMicros(clock->Now()) / 1000; };
        }
        return MakeAppMessageChannel(std::move(api));
      }};
}

}  // namespace rectify::notify::channels::dingtalk_work
