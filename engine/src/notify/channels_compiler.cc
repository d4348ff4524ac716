// kind: channels -> notify::ChannelsConfig (channels_config.h). Every mistake is reported at its
// line and column with what to write instead; nothing here opens a connection.
#include <algorithm>
#include <cctype>

#include "../definition/compile.h"
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

namespace rectify::definition::internal {
namespace {

std::vector<std::string> Names(std::initializer_list<std::string_view> list) {
  return {list.begin(), list.end()};
}

template <std::size_t N>
std::vector<std::string> Names(const std::string_view (&list)[N]) {
  return {std::begin(list), std::end(list)};
}

// "30s", "1m", "2h", "1d" -> microseconds; nullopt when not of that form.
std::optional<Duration> ParseWait(const std::string& text) {
  if (text.size() < 2) return std::nullopt;
  std::string digits = text.substr(0, text.size() - 1);
  if (!std::all_of(digits.begin(), digits.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      digits.size() > 9) {
    return std::nullopt;
  }
  std::int64_t n = std::stoll(digits);
  switch (text.back()) {
    case 's':
      return std::chrono::seconds(n);
    case 'm':
      return std::chrono::minutes(n);
    case 'h':
      return std::chrono::hours(n);
    case 'd':
      return std::chrono::hours(24 * n);
    default:
      return std::nullopt;
  }
}

std::optional<Duration> ReadWait(DocContext& doc, MapReader& m, std::string_view key) {
  auto text = m.String(key);
  if (!text) return std::nullopt;
  auto d = ParseWait(*text);
  if (!d || d->count() <= 0) {
    doc.Error(m.Get(key), m.PathOf(key), "'" + *text + "' is not a wait",
              "write a whole number of seconds, minutes, hours or days: 30s, 5m, 1h, 1d");
    return std::nullopt;
  }
  return d;
}

void CheckChoice(DocContext& doc, MapReader& m, std::string_view key, std::string& out,
                 const std::vector<std::string>& choices) {
  auto v = m.String(key);
  if (!v) return;
  if (std::find(choices.begin(), choices.end(), *v) == choices.end()) {
    doc.Error(m.Get(key), m.PathOf(key), "unknown " + std::string(key) + " '" + *v + "'",
              SuggestHint(*v, choices));
    return;
  }
  out = *v;
}

void ReadTimeout(DocContext& doc, MapReader& m, int& out) {
  auto t = m.Int("timeout_ms");
  if (!t) return;
  if (*t < 100 || *t > 600000) {
    doc.Error(m.Get("timeout_ms"), m.PathOf("timeout_ms"),
              "timeout_ms must be from 100 to 600000 (ten minutes)",
              "for example timeout_ms: 10000");
    return;
  }
  out = static_cast<int>(*t);
}

bool StartsWith(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

std::optional<notify::ChannelSpec> ReadChannel(DocContext& doc, const MapReader::Entry& e,
                                               const std::string& path) {
  MapReader m(doc, e.value, path);
  if (!m.valid()) return std::nullopt;
  notify::ChannelSpec c;
  c.name = e.key;
  c.pos = doc.Pos(e.key_node);
  CheckIdentifier(doc, e.key_node, path, e.key, "channel name");
  std::string kind = m.String("kind", true).value_or("");
  bool known = std::find(std::begin(notify::kChannelKinds), std::end(notify::kChannelKinds),
                         kind) != std::end(notify::kChannelKinds);
  if (!kind.empty() && !known) {
    doc.Error(m.Get("kind"), m.PathOf("kind"), "unknown channel kind '" + kind + "'",
              SuggestHint(kind, Names(notify::kChannelKinds)));
  }
  if (known) c.kind = kind;
  // Settings shared by every kind.
  if (auto r = m.Number("rate_limit")) {
    if (*r <= 0 || *r > 100000) {
      doc.Error(m.Get("rate_limit"), m.PathOf("rate_limit"),
                "rate_limit is messages per minute, more than 0",
                "for example rate_limit: 20 (a WeCom robot takes at most 20 a minute)");
    } else {
      c.rate_per_minute = *r;
    }
  }
  if (auto b = m.Int("burst")) {
    if (*b < 1 || *b > 10000) {
      doc.Error(m.Get("burst"), m.PathOf("burst"), "burst must be from 1 to 10000");
    } else {
      c.burst = static_cast<double>(*b);
    }
  }
  if (auto a = m.Int("max_attempts")) {
    if (*a < 1 || *a > 100) {
      doc.Error(m.Get("max_attempts"), m.PathOf("max_attempts"),
                "max_attempts must be from 1 to 100", "for example max_attempts: 5");
    } else {
      c.retry.max_attempts = static_cast<int>(*a);
    }
  }
  if (YAML::Node b = m.Get("backoff"); b.IsDefined()) {
    MapReader bm(doc, b, m.PathOf("backoff"));
    if (bm.valid()) {
      if (auto base = ReadWait(doc, bm, "base")) c.retry.base = *base;
      if (auto max = ReadWait(doc, bm, "max")) c.retry.max = *max;
      if (c.retry.max < c.retry.base) {
        doc.Error(b, m.PathOf("backoff"), "backoff.max is shorter than backoff.base",
                  "the wait doubles from base up to max: base: 1m, max: 1h");
      }
      bm.Finish();
    }
  }
  if (c.kind == "log") {
    CheckChoice(doc, m, "stream", c.stream, Names({"stdout", "stderr"}));
  } else if (c.kind == "file") {
    if (auto f = m.String("folder", true)) {
      if (f->empty()) {
        doc.Error(m.Get("folder"), m.PathOf("folder"), "folder is empty",
                  "name the folder that receives one file per message, e.g. var/letters");
      }
      c.folder = *f;
    }
  } else if (c.kind == "email") {
    if (auto u = m.String("smtp_url", true)) {
      if (!StartsWith(*u, "smtp://") && !StartsWith(*u, "smtps://")) {
        doc.Error(m.Get("smtp_url"), m.PathOf("smtp_url"), "'" + *u + "' is not an SMTP URL",
                  "write smtp://host:port or smtps://host:port, e.g. smtp://127.0.0.1:2525");
      }
      c.email.smtp_url = *u;
    }
    if (auto f = m.String("from", true)) {
      if (f->find('@') == std::string::npos) {
        doc.Error(m.Get("from"), m.PathOf("from"), "'" + *f + "' is not an email address",
                  "write it as name@example.org or \"Name <name@example.org>\"");
      }
      c.email.from = *f;
    }
    c.email.username = m.String("username").value_or("");
    c.email.password = m.String("password").value_or("");
    if (!c.email.password.empty() && c.email.username.empty()) {
      doc.Error(m.Get("password"), m.PathOf("password"), "a password without a username",
                "add username: ..., or remove the password");
    }
    CheckChoice(doc, m, "starttls", c.email.starttls, Names({"none", "try", "required"}));
    if (auto ca = m.String("ca_file")) {
      if (ca->empty()) {
        doc.Error(m.Get("ca_file"), m.PathOf("ca_file"), "ca_file is empty",
                  "name a PEM file of the certificates to trust, or leave ca_file out to trust "
                  "the system's");
      }
      c.email.ca_file = *ca;
    }
    ReadTimeout(doc, m, c.email.timeout_ms);
  } else if (c.kind == "webhook") {
    if (auto u = m.String("url")) {
      if (!StartsWith(*u, "http://") && !StartsWith(*u, "https://")) {
        doc.Error(m.Get("url"), m.PathOf("url"), "'" + *u + "' is not an HTTP URL",
                  "write http://... or https://...; leave url out to use each person's own "
                  "robot address from their contacts");
      }
      c.webhook.url = *u;
    }
    CheckChoice(doc, m, "format", c.webhook.format, Names({"generic", "wecom", "dingtalk"}));
    c.webhook.secret = m.String("secret").value_or("");
    if (!c.webhook.secret.empty() && c.webhook.format != "dingtalk") {
      doc.Warning(m.Get("secret"), m.PathOf("secret"),
                  "secret is only used by format: dingtalk; it is ignored here");
    }
    ReadTimeout(doc, m, c.webhook.timeout_ms);
  } else {
    // An unknown kind was reported; its settings are not reported again (one mistake, one
    // message).
    for (const auto& entry : m.entries()) m.Allow({entry.key});
  }
  m.Finish();
  if (!known) return std::nullopt;
  return c;
}

// "{id}" and "{unit}" in a contact value; reports any other placeholder.
bool CheckPlaceholders(DocContext& doc, const YAML::Node& node, const std::string& path,
                       const std::string& value) {
  for (std::size_t open = value.find('{'); open != std::string::npos;
       open = value.find('{', open + 1)) {
    std::size_t close = value.find('}', open);
    std::string name =
        close == std::string::npos ? value.substr(open) : value.substr(open + 1, close - open - 1);
    if (close == std::string::npos || (name != "id" && name != "unit")) {
      doc.Error(node, path, "unknown placeholder '" + name + "' in '" + value + "'",
                "write {id} for the person's id or {unit} for their unit's id");
      return false;
    }
  }
  return true;
}

std::string Fill(std::string value, const Person& p, const Org& org) {
  for (auto [key, with] : {std::pair<std::string, std::string>{"{id}", p.id},
                           std::pair<std::string, std::string>{"{unit}", org.unit(p.unit).id}}) {
    for (std::size_t at = value.find(key); at != std::string::npos;
         at = value.find(key, at + with.size())) {
      value.replace(at, key.size(), with);
    }
  }
  return value;
}

// One rule of `contacts:`: which people it matches, and what it gives them.
struct ContactRule {
  std::vector<std::string> people, roles, unit_kinds;
  std::vector<UnitIndex> units;
  notify::ContactOverride give;
  YAML::Node node;
  std::string path;
};

std::optional<ContactRule> ReadContactRule(DocContext& doc, const YAML::Node& node,
                                           const std::string& path, const Org& org) {
  MapReader m(doc, node, path);
  if (!m.valid()) return std::nullopt;
  std::size_t errors_before = doc.error_count();
  ContactRule r;
  r.node = node;
  r.path = path;
  r.give.pos = doc.Pos(node);
  std::vector<std::string> person_ids, unit_ids;
  for (const auto& p : org.people()) person_ids.push_back(p.id);
  for (const auto& u : org.units()) unit_ids.push_back(u.id);
  if (YAML::Node n = m.Get("people"); n.IsDefined()) {
    for (const auto& item : AsStringList(doc, n, m.PathOf("people"))) {
      if (!org.FindPerson(item.value)) {
        doc.Error(item.node, item.path, "no person '" + item.value + "' in " + org.info().Label(),
                  SuggestHint(item.value, person_ids));
        continue;
      }
      r.people.push_back(item.value);
    }
  }
  if (YAML::Node n = m.Get("roles"); n.IsDefined()) {
    for (const auto& item : AsStringList(doc, n, m.PathOf("roles"))) {
      if (!std::binary_search(org.roles().begin(), org.roles().end(), item.value)) {
        doc.Error(item.node, item.path,
                  "nobody in " + org.info().Label() + " holds the role '" + item.value + "'",
                  SuggestHint(item.value, org.roles()));
        continue;
      }
      r.roles.push_back(item.value);
    }
  }
  if (YAML::Node n = m.Get("unit_kinds"); n.IsDefined()) {
    for (const auto& item : AsStringList(doc, n, m.PathOf("unit_kinds"))) {
      if (!org.HasKind(item.value)) {
        std::vector<std::string> kinds;
        for (const auto& u : org.units()) {
          if (std::find(kinds.begin(), kinds.end(), u.kind) == kinds.end()) kinds.push_back(u.kind);
        }
        doc.Error(item.node, item.path,
                  "no unit of kind '" + item.value + "' in " + org.info().Label(),
                  SuggestHint(item.value, kinds));
        continue;
      }
      r.unit_kinds.push_back(item.value);
    }
  }
  if (YAML::Node n = m.Get("units"); n.IsDefined()) {
    for (const auto& item : AsStringList(doc, n, m.PathOf("units"))) {
      auto u = org.FindUnit(item.value);
      if (!u) {
        doc.Error(item.node, item.path, "no unit '" + item.value + "' in " + org.info().Label(),
                  SuggestHint(item.value, unit_ids));
        continue;
      }
      r.units.push_back(*u);
    }
  }
  definition::Contacts& c = r.give.contacts;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"email", &c.email},
                          {"phone", &c.phone},
                          {"wecom", &c.wecom},
                          {"dingtalk", &c.dingtalk}}) {
    auto v = m.String(key);
    if (!v) continue;
    if (v->empty()) {
      doc.Error(m.Get(key), m.PathOf(key), std::string(key) + " is empty",
                "leave it out, or give the rehearsal address");
      continue;
    }
    if (!CheckPlaceholders(doc, m.Get(key), m.PathOf(key), *v)) continue;
    *out = *v;
  }
  if (!c.email.empty() && c.email.find('@') == std::string::npos) {
    doc.Error(m.Get("email"), m.PathOf("email"), "'" + c.email + "' is not an email address",
              "write it as name@example.org; rehearsal+{id}@example.org gives each person "
              "their own address in one mailbox");
  }
  if (auto digest = m.String("digest")) {
    if (*digest != "daily" && *digest != "none") {
      doc.Error(m.Get("digest"), m.PathOf("digest"), "unknown digest '" + *digest + "'",
                "write digest: daily for one message of reminders a working day, or leave it "
                "out for single reminders");
    } else if (*digest == "daily") {
      c.digest = *digest;
    }
  }
  if (auto lang = m.String("language")) {
    if (*lang != "zh" && *lang != "en") {
      doc.Error(m.Get("language"), m.PathOf("language"), "unknown language '" + *lang + "'",
                "use zh or en");
    } else {
      r.give.language = *lang;
    }
  }
  m.Finish();
  if (c.email.empty() && c.phone.empty() && c.wecom.empty() && c.dingtalk.empty() &&
      doc.error_count() == errors_before) {
    doc.Error(node, path, "the rule gives no contact",
              "add email, wecom, dingtalk or phone: the rule replaces the contacts of the "
              "people it matches");
  }
  if (doc.error_count() > errors_before) return std::nullopt;
  return r;
}

bool Matches(const ContactRule& r, const Org& org, const Person& p) {
  if (!r.people.empty() && std::find(r.people.begin(), r.people.end(), p.id) == r.people.end()) {
    return false;
  }
  if (!r.units.empty() && std::none_of(r.units.begin(), r.units.end(),
                                       [&](UnitIndex u) { return org.Within(p.unit, u); })) {
    return false;
  }
  if (!r.unit_kinds.empty() && std::find(r.unit_kinds.begin(), r.unit_kinds.end(),
                                         org.unit(p.unit).kind) == r.unit_kinds.end()) {
    return false;
  }
  if (!r.roles.empty()) {
    auto index = org.FindPerson(p.id);
    bool holds = std::any_of(r.roles.begin(), r.roles.end(), [&](const std::string& role) {
      if (std::find(p.roles.begin(), p.roles.end(), role) != p.roles.end()) return true;
      for (const auto& u : org.units()) {
        auto it = u.roles.find(role);
        if (it != u.roles.end() &&
            std::find(it->second.begin(), it->second.end(), *index) != it->second.end()) {
          return true;
        }
      }
      return false;
    });
    if (!holds) return false;
  }
  return true;
}

// `contacts:`: each person of `org` gets the first rule that matches them.
std::map<std::string, notify::ContactOverride> ReadContacts(DocContext& doc, const YAML::Node& node,
                                                            const Org& org) {
  std::map<std::string, notify::ContactOverride> out;
  if (!IsList(node)) {
    doc.Error(node, "contacts", "expected a list of contact rules, found " + Describe(node),
              "contacts: [ { roles: [head], email: \"rehearsal+{id}@example.org\" } ]");
    return out;
  }
  std::vector<ContactRule> rules;
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (auto r = ReadContactRule(doc, node[i], IndexPath("contacts", i), org)) {
      rules.push_back(std::move(*r));
    }
  }
  std::vector<int> matched(rules.size(), 0), could(rules.size(), 0);
  for (const auto& p : org.people()) {
    for (std::size_t i = 0; i < rules.size(); ++i) could[i] += Matches(rules[i], org, p);
    for (std::size_t i = 0; i < rules.size(); ++i) {
      if (!Matches(rules[i], org, p)) continue;
      ++matched[i];
      notify::ContactOverride give = rules[i].give;
      for (std::string* v : {&give.contacts.email, &give.contacts.phone, &give.contacts.wecom,
                             &give.contacts.dingtalk}) {
        *v = Fill(*v, p, org);
      }
      out[p.id] = std::move(give);
      break;
    }
  }
  for (std::size_t i = 0; i < rules.size(); ++i) {
    if (matched[i] > 0) continue;
    if (could[i] > 0) {
      doc.Warning(rules[i].node, rules[i].path,
                  "the rule matches nobody: earlier rules took everyone it names",
                  "move it before them, or remove it");
    } else {
      doc.Warning(rules[i].node, rules[i].path, "the rule matches nobody in " + org.info().Label(),
                  "check its people, roles, units and unit_kinds together: a person must match "
                  "all of them");
    }
  }
  return out;
}

}  // namespace

std::shared_ptr<const notify::ChannelsConfig> CompileChannels(DocContext& doc,
                                                              const RawDefinition& raw,
                                                              Linker& linker) {
  std::size_t errors_before = doc.error_count();
  MapReader m(doc, raw.root, "");
  AllowHeaderKeys(m);
  std::string calendar;
  if (YAML::Node cal = m.Get("calendar"); cal.IsDefined()) {
    if (auto ref = linker.Resolve(doc, Kind::kCalendar, cal, "calendar")) calendar = ref->name;
  }
  YAML::Node channels = m.Require("channels", "{ log: { kind: log } }");
  YAML::Node routes = m.Require("routes", "{ email: mail, inbox: log }");
  std::shared_ptr<const Org> org;
  bool org_named = false;
  if (YAML::Node o = m.Get("org"); o.IsDefined()) {
    org_named = true;
    if (auto ref = linker.Resolve(doc, Kind::kOrg, o, "org")) org = linker.GetOrg(*ref);
  }
  YAML::Node contacts_node = m.Get("contacts");
  m.Finish();
  std::map<std::string, notify::ContactOverride> contacts;
  if (contacts_node.IsDefined()) {
    if (!org_named) {
      doc.Error(contacts_node, "contacts", "contacts name people, and no org says whose",
                "add org: NAME (for example org: xinshao) beside contacts");
    } else if (org) {
      contacts = ReadContacts(doc, contacts_node, *org);
    }
  }
  std::vector<notify::ChannelSpec> specs;
  std::vector<std::string> names;
  if (channels.IsDefined()) {
    MapReader cm(doc, channels, "channels");
    if (cm.valid()) {
      if (cm.entries().empty()) {
        doc.Error(channels, "channels", "no channels are defined", "add log: { kind: log }");
      }
      for (const auto& e : cm.entries()) {
        cm.Allow({e.key});
        names.push_back(e.key);
        if (auto spec = ReadChannel(doc, e, cm.PathOf(e.key))) specs.push_back(std::move(*spec));
      }
    }
  }
  std::map<std::string, std::string> route_map;
  if (routes.IsDefined()) {
    MapReader rm(doc, routes, "routes");
    if (rm.valid()) {
      std::vector<std::string> contact_kinds = Names(notify::kContactKinds);
      for (const auto& e : rm.entries()) {
        rm.Allow({e.key});
        if (std::find(contact_kinds.begin(), contact_kinds.end(), e.key) == contact_kinds.end()) {
          doc.Error(e.key_node, rm.PathOf(e.key), "unknown contact kind '" + e.key + "'",
                    SuggestHint(e.key, contact_kinds));
          continue;
        }
        auto target = AsString(doc, e.value, rm.PathOf(e.key));
        if (!target) continue;
        if (std::find(names.begin(), names.end(), *target) == names.end()) {
          doc.Error(e.value, rm.PathOf(e.key), "unknown channel '" + *target + "'",
                    SuggestHint(*target, names, "name one of the channels defined above"));
          continue;
        }
        route_map[e.key] = *target;
      }
    }
  }
  if (doc.error_count() > errors_before) return nullptr;
  return std::make_shared<const notify::ChannelsConfig>(
      raw.info, std::move(specs), std::move(route_map), calendar, std::move(contacts));
}

}  // namespace rectify::definition::internal
