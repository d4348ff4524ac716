// Who a notification is for: the people and units of the loaded org trees, with their name,
// language, contacts and digest preference, looked up by the id an outbox row names; and people
// outside the org (a public reporter), whom a row names by their contact itself.
//
//   Directory dir = Directory::FromDefinitions(*definitions);
//   const Recipient* r = dir.Find("xs-0014");   // null when no org has the id
//   Recipient reporter = dir.Outsider(row);     // row.recipient "someone@example.org"
//
// Thread-safety: immutable once built; share it. Ownership: plain values.
#pragma once

#include <map>
#include <string>

#include "rectify/definition/definition_set.h"
#include "rectify/store.h"

namespace rectify::notify {

struct Recipient {
  std::string id;
  std::string name;
  std::string language = "zh";
  std::string issuer;  // the org's root unit, which signs letters ("新邵县")
  definition::Contacts contacts;
  bool is_unit = false;
  bool outside = false;  // not in any org: addressed by the contact the row names
  // A person's unit head, told when a message reaches them by no route (channels_config.h's
  // `unreached:`): a `head` of their unit other than them, else a head of the unit above; empty
  // when there is none.
  std::string unit_head;
};

class Directory {
 public:
  static Directory FromDefinitions(const definition::DefinitionSet& set);
  void Add(Recipient r) { by_id_[r.id] = std::move(r); }
  const Recipient* Find(const std::string& id) const;
  // The recipient of a row whose recipient no org has: someone outside the org, whose contact
  // is the row's recipient (an email address on an `email` row, a phone number on `sms`: the
  // engine chose the kind from its form), unnamed, in the language of the payload's `language`
  // (zh when it has none), signed by the org of the payload's `unit`.
  Recipient Outsider(const OutboxRecord& row) const;

 private:
  std::map<std::string, Recipient> by_id_;
};

// The address of `r` for a contact kind ("email" -> their email, "wecom" -> their WeCom id, ...).
std::string AddressFor(const Recipient& r, const std::string& contact_kind);

}  // namespace rectify::notify
