#include "adapters/notify/directory.h"

#include <boost/json.hpp>

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
    for (std::size_t i = 0; i < org->people().size(); ++i) {
      const auto& p = org->people()[i];
      Recipient r;
      // The unit head: a head of their unit other than them, else up the tree.
      for (definition::UnitIndex u = p.unit; u != definition::kNoIndex && r.unit_head.empty();
           u = org->unit(u).parent) {
        auto heads = org->unit(u).roles.find("head");
        if (heads == org->unit(u).roles.end()) continue;
        for (definition::PersonIndex h : heads->second) {
          if (static_cast<std::size_t>(h) != i) {
            r.unit_head = org->person(h).id;
            break;
          }
        }
      }
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

Recipient Directory::Outsider(const OutboxRecord& row) const {
  Recipient r;
  r.id = row.recipient;
  r.outside = true;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(row.payload_json, ec);
  const boost::json::object* payload = !ec && v.is_object() ? &v.as_object() : nullptr;
  auto text = [&](const char* key) -> std::string {
    const boost::json::value* f = payload ? payload->if_contains(key) : nullptr;
    return f && f->is_string() ? std::string(f->as_string()) : "";
  };
  std::string language = text("language");
  for (std::string_view known : definition::kLanguages) {
    if (language == known) r.language = language;
  }
  if (const Recipient* unit = Find(text("unit")); unit && unit->is_unit) r.issuer = unit->issuer;
  if (row.channel == "email") r.contacts.email = row.recipient;
  if (row.channel == "sms") r.contacts.phone = row.recipient;
  if (row.channel == "wecom") r.contacts.wecom = row.recipient;
  if (row.channel == "dingtalk") r.contacts.dingtalk = row.recipient;
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
