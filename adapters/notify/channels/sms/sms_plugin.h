// The `sms` kind as a plug-in: a cloud SMS service (Tencent Cloud or Alibaba Cloud), its
// credentials named by environment variables, its registered signature, and one approved template
// per message kind with the message fields that fill its parameters (sms_channel.h).
//
//   sms:
//     kind: sms
//     provider: tencent                  # tencent | aliyun
//     app_id: "1400006666"               # Tencent SmsSdkAppId
//     sign_name: 新邵县督查室             # the registered signature (签名)
//     secret_id_env: RECTIFY_SMS_SECRET_ID
//     secret_key_env: RECTIFY_SMS_SECRET_KEY
//     templates:                         # every message kind, or `rectify validate` says which not
//       reminder: { code: "1234567", params: { "1": item, "2": due } }
//       ...
#pragma once

#include <string>

#include "adapters/notify/channel_plugin.h"
#include "adapters/notify/channels/sms/sms_channel.h"

namespace rectify::notify::channels::sms {

struct Settings final : ChannelSettings {
  SmsConfig config;  // without the secrets, which MakeChannel reads from the environment
  std::string secret_id_env, secret_key_env;
  // The environment variable holding the secret of the provider's status callback URL
  // (POST /api/v1/sms-callbacks/<provider>/<secret>, adapters/http/api/sms_callback_routes.cc);
  // empty: the provider's callbacks are refused, receipts are polled.
  std::string callback_token_env;
  std::chrono::milliseconds timeout() const override {
    return std::chrono::milliseconds(config.timeout_ms);
  }
};

// The message kinds the engine sends (the templates under workflows/templates/), each of which an
// SMS channel must map to a template.
const std::vector<std::string>& MessageKinds();
// The fields a message may carry (the engine's payloads and the renderer's own), which template
// parameters may name.
const std::vector<std::string>& MessageFields();

ChannelPlugin Plugin();

}  // namespace rectify::notify::channels::sms
