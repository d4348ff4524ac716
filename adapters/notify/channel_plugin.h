// A channel kind as a plug-in: its folder under adapters/notify/channels/<kind>/ gives a
// ChannelPlugin (the kind's name, the parser of its settings, the factory of its channel), and
// channels/registry.cc lists it on one line. Nothing else names a kind: the channels compiler asks
// the registry for the parser (rectify/notify/channel_settings.h), MakeChannel for the factory.
//
//   namespace rectify::notify::channels::sms {
//   ChannelPlugin Plugin() {
//     return {"sms", ParseSettings, [](const ChannelSpec& spec, const ChannelContext& ctx) ...};
//   }
//   }
//
// Thread-safety: the list is built once (static initialisation) and then only read.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/notify/channel.h"
#include "rectify/clock.h"
#include "rectify/notify/channel_settings.h"
#include "rectify/notify/channels_config.h"
#include "rectify/result.h"

namespace rectify::notify {

// What a factory may use besides the channel's own settings.
struct ChannelContext {
  std::ostream& log_out;   // the caller's standard output (`log` channels)
  Clock* clock = nullptr;  // for a peer that wants the time of a message that carries none
};

using ChannelFactory = std::function<Result<std::unique_ptr<Channel>>(const ChannelSpec& spec,
                                                                      const ChannelContext& ctx)>;

struct ChannelPlugin {
  std::string kind;
  ChannelSettingsParser parse;
  ChannelFactory make;
};

// Every plug-in, in registry.cc's order.
const std::vector<ChannelPlugin>& ChannelPlugins();
// Null when no plug-in has `kind`.
const ChannelPlugin* FindChannelPlugin(std::string_view kind);

// The settings of `spec` as the plug-in's type, or an error naming the channel (a spec whose
// settings were never compiled by that plug-in).
template <typename T>
Result<const T*> SettingsOf(const ChannelSpec& spec) {
  if (const T* s = spec.SettingsAs<T>()) return s;
  return Error::FailedPrecondition("channel '" + spec.name + "' (" + spec.kind +
                                   ") has no settings of its kind: load its channels file "
                                   "with the channel plug-ins registered");
}

// `timeout_ms`, checked (100 ms to ten minutes): for the kinds that talk to a server.
inline void ReadTimeoutMs(SettingsReader& r, int& out) {
  auto t = r.Int("timeout_ms");
  if (!t) return;
  if (*t < 100 || *t > 600000) {
    r.Error("timeout_ms", "timeout_ms must be from 100 to 600000 (ten minutes)",
            "for example timeout_ms: 10000");
    return;
  }
  out = static_cast<int>(*t);
}

}  // namespace rectify::notify
