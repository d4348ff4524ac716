// The registry of channel kinds (rectify/notify/channel_settings.h).
#include "rectify/notify/channel_settings.h"

namespace rectify::notify {

ChannelKindRegistry& ChannelKindRegistry::Global() {
  static ChannelKindRegistry registry;
  return registry;
}

void ChannelKindRegistry::Add(std::string kind, ChannelSettingsParser parse) {
  kinds_[std::move(kind)] = std::move(parse);
}

const ChannelSettingsParser* ChannelKindRegistry::Find(std::string_view kind) const {
  auto it = kinds_.find(kind);
  return it == kinds_.end() ? nullptr : &it->second;
}

std::vector<std::string> ChannelKindRegistry::Kinds() const {
  std::vector<std::string> out;
  for (const auto& [kind, parse] : kinds_) out.push_back(kind);
  return out;
}

}  // namespace rectify::notify
