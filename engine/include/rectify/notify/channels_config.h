// A channels file (`kind: channels`): the named notification channels an office runs and which
// one serves each kind of contact. Validated like every definition (positioned errors); the
// dispatcher (adapters/notify/) builds the channels from it.
//
//   kind: channels
//   name: county-office
//   calendar: cn            # retries wait for its working hours
//   channels:
//     log:   { kind: log }
//     mail:  { kind: email, smtp_url: "smtp://127.0.0.1:2525", from: "督查室 <dc@xinshao.gov.cn>",
//              starttls: try, rate_limit: 60, max_attempts: 5, backoff: { base: 1m, max: 1h } }
//     robot: { kind: webhook, format: wecom, url: "https://qyapi.weixin.qq.com/..." }
//     paper: { kind: file, folder: var/letters }
//   routes: { email: mail, wecom: robot, dingtalk: robot, inbox: paper, sms: log, bulletin: paper }
//   org: xinshao            # whose people `contacts` names (checked against it)
//   contacts:               # rehearsal contacts: replace the org's for the people a rule matches
//     - { roles: [head], units: [niangxi], email: "rehearsal+{id}@xinshao.test" }
//     - { email: "rehearsal+{id}@xinshao.test" }           # no selector: everyone else
//
// Contact rules are resolved when the file is compiled: each person of the org gets the first
// rule that matches them (all of its selectors: `people`, `roles` held, `units` they are at or
// under, `unit_kinds` of their own unit), with `{id}` and `{unit}` replaced; people no rule
// matches keep the org's contacts. The dispatcher
// then picks the contact kind from the replaced contacts (PreferredContactKind), so a rehearsal
// reaches a test mailbox and test robots whatever the org tree says.
//
// Each channel's own settings (smtp_url, url, folder, ...) are its plug-in's
// (adapters/notify/channels/<kind>/); this header knows only what every channel shares.
//
// Thread-safety: immutable once compiled; share it. Owned by a DefinitionSet (shared_ptr<const>).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/common.h"
#include "rectify/definition/org.h"
#include "rectify/notify/channel_settings.h"
#include "rectify/notify/policy.h"

namespace rectify::notify {

// The kinds of contact the engine writes in an outbox row's `channel` (engine/src/engine/step.cc).
inline constexpr std::string_view kContactKinds[] = {"email", "wecom", "dingtalk",
                                                     "sms",   "inbox", "bulletin"};

// The contact kind a person's contacts give, as the engine writes it in an outbox row: wecom,
// then dingtalk, then email, then sms (a phone), else inbox.
std::string_view PreferredContactKind(const definition::Contacts& contacts);

// One channel of the file: what every kind shares (the dispatcher's rate limit and retries), and
// the kind's own settings as its plug-in compiled them (rectify/notify/channel_settings.h).
struct ChannelSpec {
  std::string name;
  std::string kind;  // a kind some plug-in registered (ChannelKindRegistry)
  std::shared_ptr<const ChannelSettings> settings;  // null: the kind was not checked (no plug-ins)
  double rate_per_minute = 0;                       // 0: no limit
  double burst = 1;
  RetryPolicy retry;
  SourcePos pos;

  // The settings as the plug-in's type; null when they are of another type or absent.
  template <typename T>
  const T* SettingsAs() const {
    return dynamic_cast<const T*>(settings.get());
  }
};

// What a `contacts` rule gives the people it matches.
struct ContactOverride {
  definition::Contacts contacts;  // replaces the org's, placeholders filled in
  std::string language;           // empty: the org's
  SourcePos pos;                  // the rule
};

class ChannelsConfig {
 public:
  ChannelsConfig(definition::DefinitionInfo info, std::vector<ChannelSpec> channels,
                 std::map<std::string, std::string> routes, std::string calendar,
                 std::map<std::string, ContactOverride> contacts = {})
      : info_(std::move(info)),
        channels_(std::move(channels)),
        routes_(std::move(routes)),
        calendar_(std::move(calendar)),
        contacts_(std::move(contacts)) {}

  const definition::DefinitionInfo& info() const { return info_; }
  const std::vector<ChannelSpec>& channels() const { return channels_; }
  // Contact kind -> channel name.
  const std::map<std::string, std::string>& routes() const { return routes_; }
  const ChannelSpec* Find(std::string_view name) const;
  // The channel that serves a contact kind; null when no route names it.
  const ChannelSpec* Route(std::string_view contact_kind) const;
  // The calendar whose working hours hold retries (`calendar: cn`); empty: none named.
  const std::string& calendar() const { return calendar_; }
  // The contacts a `contacts` rule gives this person; null when none does.
  const ContactOverride* ContactsFor(std::string_view person_id) const;
  // Person id -> their rule's contacts, for every person a rule matched.
  const std::map<std::string, ContactOverride>& contacts() const { return contacts_; }

 private:
  definition::DefinitionInfo info_;
  std::vector<ChannelSpec> channels_;
  std::map<std::string, std::string> routes_;
  std::string calendar_;
  std::map<std::string, ContactOverride> contacts_;
};

}  // namespace rectify::notify
