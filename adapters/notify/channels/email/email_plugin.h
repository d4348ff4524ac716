// The `email` kind as a plug-in: its settings (SMTP server, sender, STARTTLS, credentials, CAs,
// timeout) and its factory (email_channel.h).
//
//   mail: { kind: email, smtp_url: "smtp://127.0.0.1:2525", from: "督查室 <dc@xinshao.gov.cn>",
//           starttls: try, username: rectify, password: ..., ca_file: /etc/rectify/ca.pem,
//           timeout_ms: 10000 }
#pragma once

#include "adapters/notify/channel_plugin.h"
#include "adapters/notify/channels/email/email_channel.h"

namespace rectify::notify::channels::email {

struct Settings final : ChannelSettings {
  explicit Settings(EmailConfig c = {}) : config(std::move(c)) {}
  EmailConfig config;
  std::chrono::milliseconds timeout() const override {
    return std::chrono::milliseconds(config.timeout_ms);
  }
};

ChannelPlugin Plugin();

}  // namespace rectify::notify::channels::email
