// The `log` kind: reads `stream`, builds a LogChannel (log_channel.h).
#include "adapters/notify/channels/log/log_plugin.h"

#include <iostream>

#include "adapters/notify/channels/log/log_channel.h"

namespace rectify::notify::channels::log {

ChannelPlugin Plugin() {
  return {
      "log",
      [](SettingsReader& r) -> std::shared_ptr<const ChannelSettings> {
        auto s = std::make_shared<Settings>();
        if (auto v = r.Choice("stream", {"stdout", "stderr"})) s->stream = *v;
        return s;
      },
      [](const ChannelSpec& spec, const ChannelContext& ctx) -> Result<std::unique_ptr<Channel>> {
        // A log channel needs no settings: without any it writes to the caller's stream.
        const Settings* s = spec.SettingsAs<Settings>();
        bool to_stderr = s && s->stream == "stderr";
        return std::unique_ptr<Channel>(
            std::make_unique<LogChannel>(to_stderr ? std::cerr : ctx.log_out));
      }};
}

}  // namespace rectify::notify::channels::log
