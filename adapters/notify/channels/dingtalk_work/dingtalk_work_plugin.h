// The `dingtalk-work` kind: DingTalk (钉钉) work notifications to a person's user id
// (topapi/message/corpconversation/asyncsend_v2, a text message from the office's internal app),
// with the app's access token fetched, cached and refreshed (app_message_channel.h).
//
//   dingtalk:
//     kind: dingtalk-work
//     app_key: dingabcdef0123456789        # the app's AppKey
//     agent_id: 2000001                    # the app's AgentId
//     secret_env: RECTIFY_DINGTALK_SECRET  # the app's AppSecret, from the environment
//
// DingTalk takes no dedup key and drops no repeat: a repeat after a lost answer reaches the
// person twice (the row's key is in the dispatcher's attempt records).
#pragma once

#include <string>

#include "adapters/notify/app_message_channel.h"
#include "adapters/notify/channel_plugin.h"

namespace rectify::notify::channels::dingtalk_work {

struct Settings final : ChannelSettings {
  std::string base_url = "https://oapi.dingtalk.com";
  std::string app_key, secret_env;
  std::int64_t agent_id = 0;
  int timeout_ms = 10000;
  // Receipts: `receipts: poll` asks getsendresult for each message still awaiting one.
  bool poll_receipts = false;
  std::int64_t receipt_within_ms = 0;
  std::chrono::milliseconds timeout() const override {
    // A send may fetch a token and send twice.
    return std::chrono::milliseconds(3 * timeout_ms);
  }
};

// The API of `settings` with the app's `secret`.
AppMessageApi Api(const Settings& settings, const std::string& secret);

ChannelPlugin Plugin();

}  // namespace rectify::notify::channels::dingtalk_work
