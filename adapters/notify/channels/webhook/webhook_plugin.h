// The `webhook` kind as a plug-in: its settings (URL, format generic | wecom | dingtalk, DingTalk
// secret, timeout) and its factory (webhook_channel.h).
//
//   robot: { kind: webhook, format: dingtalk, url: "https://oapi.dingtalk.com/robot/send?...",
//            secret: SEC..., timeout_ms: 5000 }
#pragma once

#include "adapters/notify/channel_plugin.h"
#include "adapters/notify/channels/webhook/webhook_channel.h"

namespace rectify::notify::channels::webhook {

struct Settings final : ChannelSettings {
  explicit Settings(WebhookConfig c = {}) : config(std::move(c)) {}
  WebhookConfig config;
  std::chrono::milliseconds timeout() const override {
    return std::chrono::milliseconds(config.timeout_ms);
  }
};

ChannelPlugin Plugin();

}  // namespace rectify::notify::channels::webhook
