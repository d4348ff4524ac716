// Builds the channels a channels file (`kind: channels`, rectify/notify/channels_config.h) names,
// each by the plug-in of its kind (channel_plugin.h, channels/registry.cc).
//
//   auto channels = MakeChannels(*config, std::cout);
//   Channel* mail = channels->at("mail").get();
//
// `log_out` is where `log` channels write by default (the caller's standard output). `clock`,
// when given, is the time a signed DingTalk robot's signature uses for a message that carries none
// (the dispatcher stamps every message; `clock` must outlive the channels).
//
// Thread-safety: call from one thread. Ownership: the caller owns the channels.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "adapters/notify/channel.h"
#include "rectify/clock.h"
#include "rectify/notify/channels_config.h"
#include "rectify/result.h"

namespace rectify::notify {

using ChannelMap = std::map<std::string, std::unique_ptr<Channel>>;

Result<std::unique_ptr<Channel>> MakeChannel(const ChannelSpec& spec, std::ostream& log_out,
                                             Clock* clock = nullptr);
Result<ChannelMap> MakeChannels(const ChannelsConfig& config, std::ostream& log_out,
                                Clock* clock = nullptr);

}  // namespace rectify::notify
