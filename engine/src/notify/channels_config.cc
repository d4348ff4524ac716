// The compiled channels file (rectify/notify/channels_config.h): lookups by name, route and person.
// The file is compiled by engine/src/definition/channels_compiler.cc with the other definitions.
#include "rectify/notify/channels_config.h"

namespace rectify::notify {

const ChannelSpec* ChannelsConfig::Find(std::string_view name) const {
  for (const auto& c : channels_) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const ChannelSpec* ChannelsConfig::Route(std::string_view contact_kind) const {
  auto it = routes_.find(std::string(contact_kind));
  if (it == routes_.end()) return nullptr;
  return Find(it->second);
}

const ContactOverride* ChannelsConfig::ContactsFor(std::string_view person_id) const {
  auto it = contacts_.find(std::string(person_id));
  return it == contacts_.end() ? nullptr : &it->second;
}

std::string_view PreferredContactKind(const definition::Contacts& c) {
  if (!c.wecom.empty()) return "wecom";
  if (!c.dingtalk.empty()) return "dingtalk";
  if (!c.email.empty()) return "email";
  if (!c.phone.empty()) return "sms";
  return "inbox";
}

}  // namespace rectify::notify
