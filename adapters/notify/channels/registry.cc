// The one registry of channel kinds: one line per plug-in folder under adapters/notify/channels/.
// At static initialisation each plug-in's settings parser is registered with the core
// (ChannelKindRegistry), so `rectify validate` checks every kind's settings; MakeChannel finds the
// factories here. The library is linked whole (adapters/notify/CMakeLists.txt), so the
// registration runs in every program that links rectify_notify.
#include "adapters/notify/channel_plugin.h"

// A new channel: its folder (namespace channels::<kind>, a `ChannelPlugin Plugin()`) and one
// X(<kind>) here.
#define RECTIFY_CHANNEL_PLUGINS(X) \
  X(log)                           \
  X(file)                          \
  X(email)                         \
  X(webhook)                       \
  X(sms)                           \
  X(smpp)                          \
  X(wecom_app)                     \
  X(dingtalk_work)

namespace rectify::notify {

#define RECTIFY_DECLARE_PLUGIN(name) \
  namespace channels::name {         \
  ChannelPlugin Plugin();            \
  }
RECTIFY_CHANNEL_PLUGINS(RECTIFY_DECLARE_PLUGIN)
#undef RECTIFY_DECLARE_PLUGIN

const std::vector<ChannelPlugin>& ChannelPlugins() {
#define RECTIFY_LIST_PLUGIN(name) channels::name::Plugin(),
  static const std::vector<ChannelPlugin> plugins{RECTIFY_CHANNEL_PLUGINS(RECTIFY_LIST_PLUGIN)};
#undef RECTIFY_LIST_PLUGIN
  return plugins;
}

const ChannelPlugin* FindChannelPlugin(std::string_view kind) {
  for (const auto& p : ChannelPlugins()) {
    if (p.kind == kind) return &p;
  }
  return nullptr;
}

namespace {

[[maybe_unused]] const bool kRegistered = [] {
  for (const auto& p : ChannelPlugins()) ChannelKindRegistry::Global().Add(p.kind, p.parse);
  return true;
}();

}  // namespace
}  // namespace rectify::notify
