// The `smpp` kind as a plug-in: SMS through an SMS centre over SMPP 3.4 (smpp_channel.h), its
// password named by an environment variable as every channel's secret is.
//
//   smpp:
//     kind: smpp
//     host: 10.1.2.3                   # the SMSC the operator gave
//     port: 2775
//     system_id: xsdcs
//     password_env: RECTIFY_SMPP_PASSWORD
//     source_addr: "1065712345"        # the office's service number
//     sign_name: 新邵县督查室
//     bind: transceiver                # transceiver (receipts) | transmitter
//     window: 10
//     throughput: 20                   # submit_sm a second
//
// Its own kind rather than a third `provider:` of `sms`: it shares none of the cloud services'
// settings (no templates, credentials or endpoints; a host, a bind and a session instead), and
// none of their code (a long-lived TCP session, not a signed HTTP request).
#pragma once

#include <chrono>
#include <string>

#include "adapters/notify/channel_plugin.h"
#include "adapters/notify/channels/smpp/smpp_channel.h"

namespace rectify::notify::channels::smpp {

struct Settings final : ChannelSettings {
  SmppConfig config;  // without the password, which MakeChannel reads from the environment
  std::string password_env;
  std::chrono::milliseconds timeout() const override {
    return std::chrono::milliseconds(config.timeout_ms);
  }
};

ChannelPlugin Plugin();

}  // namespace rectify::notify::channels::smpp
