// Builds channels through their kinds' plug-ins (channel_factory.h).
#include "adapters/notify/channel_factory.h"

#include "adapters/notify/channel_plugin.h"

namespace rectify::notify {

Result<std::unique_ptr<Channel>> MakeChannel(const ChannelSpec& spec, std::ostream& log_out,
                                             Clock* clock) {
  const ChannelPlugin* plugin = FindChannelPlugin(spec.kind);
  if (!plugin) {
    return Error::BadInput("channel '" + spec.name + "' has an unknown kind '" + spec.kind + "'");
  }
  return plugin->make(spec, ChannelContext{log_out, clock});
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
