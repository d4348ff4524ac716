#include "adapters/notify/directory.h"

namespace rectify::notify {

Directory Directory::FromDefinitions(const definition::DefinitionSet& set) {
  Directory dir;
  for (const auto& info : set.All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    auto org = set.FindOrg(info.name, info.version);
    if (!org) continue;
    std::string issuer = org->units().empty() ? "" : org->units().front().name;
    for (const auto& u : org->units()) {
      Recipient r;
      r.id = u.id;
      r.name = u.name;
      r.issuer = issuer;
      r.contacts = u.contacts;
      r.is_unit = true;
      dir.Add(std::move(r));
    }
    for (const auto& p : org->people()) {
      Recipient r;
      r.id = p.id;
      r.name = p.name;
      r.language = p.language;
      r.issuer = issuer;
      r.contacts = p.contacts;
      dir.Add(std::move(r));
    }
  }
  return dir;
}

const Recipient* Directory::Find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

Recipient Directory::FindOrDefault(const std::string& id) const {
  if (const Recipient* r = Find(id)) return *r;
  Recipient r;
  r.id = id;
  r.name = id;
  return r;
}

std::string AddressFor(const Recipient& r, const std::string& contact_kind) {
  if (contact_kind == "email") return r.contacts.email;
  if (contact_kind == "wecom") return r.contacts.wecom;
  if (contact_kind == "dingtalk") return r.contacts.dingtalk;
  if (contact_kind == "sms") return r.contacts.phone;
  return r.id;
}

}  // namespace rectify::notify
