// Who a notification is for: the people and units of the loaded org trees, with their name,
// language, contacts and digest preference, looked up by the id an outbox row names.
//
//   Directory dir = Directory::FromDefinitions(*definitions);
//   const Recipient* r = dir.Find("xs-0014");   // null when no org has the id
//
// Thread-safety: immutable once built; share it. Ownership: plain values.
#pragma once

#include <map>
#include <string>

#include "rectify/definition/definition_set.h"

namespace rectify::notify {

struct Recipient {
  std::string id;
  std::string name;
  std::string language = "zh";
  std::string issuer;  // the org's root unit, which signs letters ("新邵县")
  definition::Contacts contacts;
  bool is_unit = false;
};

class Directory {
 public:
  static Directory FromDefinitions(const definition::DefinitionSet& set);
  void Add(Recipient r) { by_id_[r.id] = std::move(r); }
  const Recipient* Find(const std::string& id) const;
  // The recipient, or a stand-in named by the id (language zh) when no org has it.
  Recipient FindOrDefault(const std::string& id) const;

 private:
  std::map<std::string, Recipient> by_id_;
};

// The address of `r` for a contact kind ("email" -> their email, "wecom" -> their WeCom id, ...).
std::string AddressFor(const Recipient& r, const std::string& contact_kind);

}  // namespace rectify::notify
