// The `wecom-app` kind: WeCom (企业微信) application messages to a person's user id
// (cgi-bin/message/send, a text message from the office's self-built app), with the app's access
// token fetched, cached and refreshed (app_message_channel.h).
//
//   wecom:
//     kind: wecom-app
//     corp_id: ww0123456789abcdef        # the enterprise's CorpID
//     agent_id: 1000002                  # the app's AgentId
//     secret_env: RECTIFY_WECOM_SECRET   # the app's Secret, from the environment
//
// WeCom's own duplicate check is on (`enable_duplicate_check`, four hours): a repeat of the same
// text to the same person is dropped by WeCom, which is as far as WeCom lets a dedup key go.
#pragma once

#include <string>

#include "adapters/notify/app_message_channel.h"
#include "adapters/notify/channel_plugin.h"

namespace rectify::notify::channels::wecom_app {

struct Settings final : ChannelSettings {
  std::string base_url = "https://qyapi.weixin.qq.com";
  std::string corp_id, secret_env;
  std::int64_t agent_id = 0;
  int timeout_ms = 10000;
  std::chrono::milliseconds timeout() const override {
    // A send may fetch a token and send twice.
    return std::chrono::milliseconds(3 * timeout_ms);
  }
};

// The API of `settings` with the app's `secret`.
AppMessageApi Api(const Settings& settings, const std::string& secret);

ChannelPlugin Plugin();

}  // namespace rectify::notify::channels::wecom_app
