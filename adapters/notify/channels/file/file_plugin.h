// The `file` kind as a plug-in: its settings (`folder`, required) and its factory.
//
//   letters: { kind: file, folder: var/letters }
#pragma once

#include <string>

#include "adapters/notify/channel_plugin.h"

namespace rectify::notify::channels::file {

struct Settings final : ChannelSettings {
  std::string folder;
};

ChannelPlugin Plugin();

}  // namespace rectify::notify::channels::file
