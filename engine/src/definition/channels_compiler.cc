// kind: channels -> notify::ChannelsConfig (rectify/notify/channels_config.h), beside the other
// definition compilers. What every channel shares (kind, rate limit, retries), the routes and the
// contact rules are read here; each kind's own settings are read by its plug-in through a
// SettingsReader (rectify/notify/channel_settings.h), so a new kind never touches this file.
// Every mistake is reported at its line and column with what to write instead; nothing here opens
// a connection.
#include <algorithm>
#include <cctype>

#include "compile.h"
#include "rectify/notify/channel_settings.h"
#include "rectify/notify/channels_config.h"

namespace rectify::definition::internal {
namespace {

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

// A channel's settings map, as its plug-in sees it.
class MapSettingsReader final : public notify::SettingsReader {
 public:
  // A nested map, finished (its unknown keys reported) when the reader goes.
  MapSettingsReader(DocContext& doc, const YAML::Node& node, std::string path, std::string channel)
      : doc_(doc),
        owned_(std::in_place, doc, node, std::move(path)),
        m_(*owned_),
        channel_(std::move(channel)) {}
  // The channel's own map, which the channels compiler reads too and finishes.
  MapSettingsReader(DocContext& doc, MapReader& m, std::string channel)
      : doc_(doc), m_(m), channel_(std::move(channel)) {}
  MapSettingsReader(const MapSettingsReader&) = delete;
  MapSettingsReader& operator=(const MapSettingsReader&) = delete;
  ~MapSettingsReader() override {
    if (owned_ && owned_->valid()) owned_->Finish();
  }

  bool valid() const { return m_.valid(); }
  const std::string& channel() const override { return channel_; }
  bool Has(std::string_view key) const override { return m_.Has(key); }
  std::optional<std::string> String(std::string_view key, bool required) override {
    return m_.String(key, required);
  }
  std::optional<std::int64_t> Int(std::string_view key, bool required) override {
    return m_.Int(key, required);
  }
  std::optional<std::string> Choice(std::string_view key,
                                    const std::vector<std::string>& choices) override {
    auto v = m_.String(key);
    if (!v) return std::nullopt;
    if (std::find(choices.begin(), choices.end(), *v) == choices.end()) {
      doc_.Error(m_.Get(key), m_.PathOf(key), "unknown " + std::string(key) + " '" + *v + "'",
                 SuggestHint(*v, choices));
      return std::nullopt;
    }
    return v;
  }
  std::unique_ptr<notify::SettingsReader> Map(std::string_view key, bool required) override {
    YAML::Node n = required ? m_.Require(key) : m_.Get(key);
    if (!n.IsDefined()) return nullptr;
    auto child = std::make_unique<MapSettingsReader>(doc_, n, m_.PathOf(key), channel_);
    if (!child->valid()) return nullptr;
    return child;
  }
  std::vector<std::string> Keys() const override {
    std::vector<std::string> out;
    for (const auto& e : m_.entries()) out.push_back(e.key);
    return out;
  }
  void Error(std::string_view key, std::string message, std::string hint) override {
    doc_.Error(At(key), m_.PathOf(key), std::move(message), std::move(hint));
  }
  void Warning(std::string_view key, std::string message, std::string hint) override {
    doc_.Warning(At(key), m_.PathOf(key), std::move(message), std::move(hint));
  }
  void ErrorAtKey(std::string_view key, std::string message, std::string hint) override {
    YAML::Node k = m_.KeyNode(key);
    doc_.Error(k.IsDefined() ? k : m_.node(), m_.PathOf(key), std::move(message), std::move(hint));
  }

 private:
  YAML::Node At(std::string_view key) {
    if (key.empty() || !m_.Has(key)) return m_.node();
    return m_.Get(key);
  }

  DocContext& doc_;
  std::optional<MapReader> owned_;
  MapReader& m_;
  std::string channel_;
};

std::optional<notify::ChannelSpec> ReadChannel(DocContext& doc, const MapReader::Entry& e,
                                               const std::string& path) {
  MapReader m(doc, e.value, path);
  if (!m.valid()) return std::nullopt;
  notify::ChannelSpec c;
  c.name = e.key;
  c.pos = doc.Pos(e.key_node);
  CheckIdentifier(doc, e.key_node, path, e.key, "channel name");
  std::string kind = m.String("kind", true).value_or("");
  const auto& registry = notify::ChannelKindRegistry::Global();
  // With no plug-in registered (an engine-only process), kinds cannot be judged: see
  // channel_settings.h.
  bool unchecked = registry.empty();
  const notify::ChannelSettingsParser* parse = unchecked ? nullptr : registry.Find(kind);
  bool known = unchecked ? !kind.empty() : parse != nullptr;
  if (!kind.empty() && !known) {
    doc.Error(m.Get("kind"), m.PathOf("kind"), "unknown channel kind '" + kind + "'",
              SuggestHint(kind, registry.Kinds()));
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
  bool settings_ok = true;
  if (parse) {
    std::size_t errors_before = doc.error_count();
    MapSettingsReader reader(doc, m, c.name);
    c.settings = (*parse)(reader);
    settings_ok = c.settings != nullptr && doc.error_count() == errors_before;
  } else {
    // An unknown kind was reported (or kinds are unchecked); its settings are not reported
    // (one mistake, one message).
    for (const auto& entry : m.entries()) m.Allow({entry.key});
  }
  m.Finish();
  if (!known || !settings_ok) return std::nullopt;
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
  // What the dispatcher does for a person a message did not reach: checked here, read back by
  // the dispatcher's caller (adapters/notify/unreached_policy.h).
  if (YAML::Node u = m.Get("unreached"); u.IsDefined()) {
    MapReader um(doc, u, "unreached");
    if (um.valid()) {
      um.Bool("fallback");
      if (auto to = um.String("report_to"); to && *to != "unit-head") {
        doc.Error(um.Get("report_to"), um.PathOf("report_to"), "unknown report_to '" + *to + "'",
                  "write report_to: unit-head (the head of the person's unit), or leave it out "
                  "to report to nobody");
      }
      um.Finish();
    }
  }
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
