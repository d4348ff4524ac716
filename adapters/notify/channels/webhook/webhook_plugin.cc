// The `webhook` kind: reads and checks its settings, builds a webhook channel (webhook_channel.h).
#include "adapters/notify/channels/webhook/webhook_plugin.h"

namespace rectify::notify::channels::webhook {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::shared_ptr<const ChannelSettings> Parse(SettingsReader& r) {
  auto s = std::make_shared<Settings>();
  WebhookConfig& c = s->config;
  if (auto u = r.String("url")) {
    if (!StartsWith(*u, "http://") && !StartsWith(*u, "https://")) {
      r.Error("url", "'" + *u + "' is not an HTTP URL",
              "write http://... or https://...; leave url out to use each person's own robot "
              "address from their contacts");
    }
    c.url = *u;
  }
  if (auto f = r.Choice("format", {"generic", "wecom", "dingtalk"})) {
    c.format = *f == "wecom"      ? WebhookConfig::Format::kWeCom
               : *f == "dingtalk" ? WebhookConfig::Format::kDingTalk
                                  : WebhookConfig::Format::kGeneric;
  }
  c.secret = r.String("secret").value_or("");
  if (!c.secret.empty() && c.format != WebhookConfig::Format::kDingTalk) {
    r.Warning("secret", "secret is only used by format: dingtalk; it is ignored here");
  }
  ReadTimeoutMs(r, c.timeout_ms);
  return s;
}

}  // namespace

ChannelPlugin Plugin() {
  return {
      "webhook", Parse,
      [](const ChannelSpec& spec, const ChannelContext& ctx) -> Result<std::unique_ptr<Channel>> {
        auto s = SettingsOf<Settings>(spec);
        if (!s) return s.error();
        WebhookConfig c = (*s)->config;
        if (Clock* clock = ctx.clock) {
          c.now_ms = [clock] { return ToMicros(clock->Now()) / 1000; };
        }
        return MakeWebhookChannel(c);
      }};
}

}  // namespace rectify::notify::channels::webhook
