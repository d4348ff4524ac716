// Builds the channels a channels file (`kind: channels`, rectify/notify/channels_config.h) names.
//
//   auto channels = MakeChannels(*config, std::cout);
//   Channel* mail = channels->at("mail").get();
//
// `log` writes to `log_out` (stdout: the caller's stream) or standard error; `file` to its
// folder; `email` and `webhook` are built by adapters/notify/email_channel.h and
// webhook_channel.h (libcurl). In a build without those, a file that uses them is refused with a
// message saying so. `clock`, when given, is the time a signed DingTalk robot's signature uses for
// a message that carries none (the dispatcher stamps every message; `clock` must outlive the
// channels).
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
