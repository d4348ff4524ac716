// The `log` kind as a plug-in: its settings (`stream: stdout | stderr`) and its factory.
//
//   log: { kind: log, stream: stderr }
#pragma once

#include <string>

#include "adapters/notify/channel_plugin.h"

namespace rectify::notify::channels::log {

struct Settings final : ChannelSettings {
  std::string stream = "stdout";  // stdout (the caller's stream) | stderr
};

ChannelPlugin Plugin();

}  // namespace rectify::notify::channels::log
