#include "adapters/notify/channel_factory.h"

#include <iostream>

#include "adapters/notify/file_channel.h"
#include "adapters/notify/log_channel.h"

#if __has_include("adapters/notify/email_channel.h")
#include "adapters/notify/email_channel.h"
#define RECTIFY_HAVE_EMAIL_CHANNEL 1
#endif
#if __has_include("adapters/notify/webhook_channel.h")
#include "adapters/notify/webhook_channel.h"
#define RECTIFY_HAVE_WEBHOOK_CHANNEL 1
#endif

namespace rectify::notify {

Result<std::unique_ptr<Channel>> MakeChannel(const ChannelSpec& spec, std::ostream& log_out,
                                             Clock* clock) {
  if (spec.kind == "log") {
    return std::unique_ptr<Channel>(
        std::make_unique<LogChannel>(spec.stream == "stderr" ? std::cerr : log_out));
  }
  if (spec.kind == "file")
    return std::unique_ptr<Channel>(std::make_unique<FileChannel>(spec.folder));
  if (spec.kind == "email") {
#ifdef RECTIFY_HAVE_EMAIL_CHANNEL
    EmailConfig c;
    c.smtp_url = spec.email.smtp_url;
    c.from = spec.email.from;
    c.username = spec.email.username;
    c.password = spec.email.password;
    c.tls = spec.email.starttls == "required" ? EmailConfig::Tls::kRequired
            : spec.email.starttls == "try"    ? EmailConfig::Tls::kTry
                                              : EmailConfig::Tls::kNone;
    c.timeout_ms = spec.email.timeout_ms;
    c.ca_file = spec.email.ca_file;
    return MakeEmailChannel(c);
#else
    return Error::FailedPrecondition("channel '" + spec.name +
                                     "' is an email channel, and this build has none "
                                     "(adapters/notify/email_channel.cc is missing)");
#endif
  }
  if (spec.kind == "webhook") {
#ifdef RECTIFY_HAVE_WEBHOOK_CHANNEL
    WebhookConfig c;
    c.url = spec.webhook.url;
    c.format = spec.webhook.format == "wecom"      ? WebhookConfig::Format::kWeCom
               : spec.webhook.format == "dingtalk" ? WebhookConfig::Format::kDingTalk
                                                   : WebhookConfig::Format::kGeneric;
    c.secret = spec.webhook.secret;
    c.timeout_ms = spec.webhook.timeout_ms;
    if (clock) c.now_ms = [clock] { return ToMicros(clock->Now()) / 1000; };
    return MakeWebhookChannel(c);
#else
    return Error::FailedPrecondition("channel '" + spec.name +
                                     "' is a webhook channel, and this build has none "
                                     "(adapters/notify/webhook_channel.cc is missing)");
#endif
  }
  return Error::BadInput("channel '" + spec.name + "' has an unknown kind '" + spec.kind + "'");
}

Result<ChannelMap> MakeChannels(const ChannelsConfig& config, std::ostream& log_out, Clock* clock) {
  ChannelMap out;
  for (const auto& spec : config.channels()) {
    auto c = MakeChannel(spec, log_out, clock);
    if (!c) return c.error();
    out[spec.name] = std::move(*c);
  }
  return out;
}

}  // namespace rectify::notify
