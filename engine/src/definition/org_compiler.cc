// kind: org -> Org.
#include <algorithm>
#include <map>
#include <set>

#include "compile.h"

namespace rectify::definition::internal {
namespace {

struct RawRef {
  std::string id;
  YAML::Node node;
  std::string path;
};

struct RawUnit {
  Unit unit;
  std::optional<RawRef> parent;                         // by reference
  int nested_parent = -1;                               // by nesting: index into raw units
  std::vector<std::pair<std::string, RawRef>> holders;  // role -> person
  std::optional<RawRef> committee;
  YAML::Node node;
  std::string path;
};

class OrgCompiler {
 public:
  OrgCompiler(DocContext& doc, const RawDefinition& raw) : doc_(doc), raw_(raw) {}

  std::shared_ptr<const Org> Compile() {
    std::size_t errors_before = doc_.error_count();
    MapReader m(doc_, raw_.root, "");
    AllowHeaderKeys(m);
    kinds_.assign(std::begin(kUnitKinds), std::end(kUnitKinds));
    YAML::Node extra = m.Get("unit_kinds");
    if (extra.IsDefined()) {
      for (const auto& k : AsStringList(doc_, extra, "unit_kinds")) {
        CheckIdentifier(doc_, k.node, k.path, k.value, "unit kind");
        kinds_.push_back(k.value);
      }
    }
    YAML::Node units = m.Require("units", "[{ id: ..., name: ..., kind: county }]");
    YAML::Node people = m.Get("people");
    m.Finish();
    if (units.IsDefined()) ReadUnits(units, "units", -1);
    if (people.IsDefined()) ReadPeople(people);
    Link(units);
    if (doc_.error_count() > errors_before) return nullptr;
    return std::make_shared<const Org>(raw_.info, kinds_, std::move(final_units_),
                                       std::move(final_people_));
  }

 private:
  void ReadUnits(const YAML::Node& list, const std::string& path, int parent) {
    if (!IsList(list)) {
      doc_.Error(list, path, "expected a list of units, found " + Describe(list),
                 "write each unit as '- { id: ..., name: ..., kind: ... }'");
      return;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string p = IndexPath(path, i);
      MapReader m(doc_, list[i], p);
      if (!m.valid()) continue;
      RawUnit ru;
      ru.node = list[i];
      ru.path = p;
      ru.nested_parent = parent;
      ru.unit.pos = doc_.Pos(list[i]);
      auto id = m.String("id", true);
      ru.unit.name = m.String("name", true).value_or("");
      auto kind = m.String("kind", true);
      if (id) {
        CheckIdentifier(doc_, m.Get("id"), m.PathOf("id"), *id, "unit id");
        ru.unit.id = *id;
        auto [it, fresh] = unit_ids_.emplace(*id, raw_units_.size());
        if (!fresh) {
          doc_.Error(m.Get("id"), m.PathOf("id"), "duplicate unit id '" + *id + "'",
                     "it is first used at line " +
                         std::to_string(raw_units_[it->second].unit.pos.line) +
                         "; unit ids must be unique in an org");
        }
      }
      if (kind) {
        ru.unit.kind = *kind;
        if (std::find(kinds_.begin(), kinds_.end(), *kind) == kinds_.end()) {
          doc_.Error(m.Get("kind"), m.PathOf("kind"), "unknown unit kind '" + *kind + "'",
                     SuggestHint(*kind, kinds_, "declare it under unit_kinds: to use it"));
        }
      }
      if (YAML::Node pn = m.Get("parent"); pn.IsDefined()) {
        if (parent >= 0) {
          doc_.Error(pn, m.PathOf("parent"), "a nested unit cannot also name a parent",
                     "remove 'parent:' or move the unit to the top-level list");
        } else if (auto s = AsString(doc_, pn, m.PathOf("parent"))) {
          ru.parent = RawRef{*s, pn, m.PathOf("parent")};
        }
      }
      if (YAML::Node roles = m.Get("roles"); roles.IsDefined()) {
        MapReader rm(doc_, roles, m.PathOf("roles"));
        for (const auto& e : rm.entries()) {
          rm.Allow({e.key});
          for (const auto& h : AsStringList(doc_, e.value, rm.PathOf(e.key))) {
            ru.holders.emplace_back(e.key, RawRef{h.value, h.node, h.path});
          }
        }
      }
      if (YAML::Node dc = m.Get("discipline_committee"); dc.IsDefined()) {
        if (auto s = AsString(doc_, dc, m.PathOf("discipline_committee"))) {
          ru.committee = RawRef{*s, dc, m.PathOf("discipline_committee")};
        }
      }
      if (YAML::Node c = m.Get("contacts"); c.IsDefined()) {
        ru.unit.contacts = ReadContacts(c, m.PathOf("contacts"));
      }
      YAML::Node children = m.Get("units");
      m.Finish();
      int self = static_cast<int>(raw_units_.size());
      raw_units_.push_back(std::move(ru));
      if (children.IsDefined()) ReadUnits(children, JoinPath(p, "units"), self);
    }
  }

  Contacts ReadContacts(const YAML::Node& node, const std::string& path) {
    Contacts c;
    MapReader m(doc_, node, path);
    c.email = m.String("email").value_or("");
    c.phone = m.String("phone").value_or("");
    c.wecom = m.String("wecom").value_or("");
    c.dingtalk = m.String("dingtalk").value_or("");
    // A WeCom or DingTalk user id (the app-message channels send to it), or a personal robot's
    // URL (a webhook channel without a url of its own posts there).
    for (auto [key, value] : {std::pair<const char*, const std::string*>{"wecom", &c.wecom},
                              {"dingtalk", &c.dingtalk}}) {
      bool url = value->rfind("http://", 0) == 0 || value->rfind("https://", 0) == 0;
      bool id = !value->empty() && value->size() <= 64 &&
                value->find_first_not_of(
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                    "0123456789_-.@") == std::string::npos;
      if (m.Has(key) && !url && !id) {
        doc_.Error(m.Get(key), m.PathOf(key), "'" + *value + "' is not a " + key + " user id",
                   "write the person's user id as the admin console shows it (letters, digits, "
                   "_ - . @, at most 64), or a robot's https:// URL");
      }
    }
    if (auto digest = m.String("digest")) {
      if (*digest != "daily" && *digest != "none") {
        doc_.Error(m.Get("digest"), m.PathOf("digest"), "unknown digest '" + *digest + "'",
                   "write digest: daily for one message of reminders a working day, or leave "
                   "it out for single reminders");
      } else if (*digest == "daily") {
        c.digest = *digest;
      }
    }
    if (!c.email.empty() && c.email.find('@') == std::string::npos) {
      doc_.Error(m.Get("email"), m.PathOf("email"), "'" + c.email + "' is not an email address",
                 "write it as name@example.org");
    }
    m.Finish();
    return c;
  }

  void ReadPeople(const YAML::Node& list) {
    if (!IsList(list)) {
      doc_.Error(list, "people", "expected a list of people, found " + Describe(list));
      return;
    }
    std::map<std::string, int> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string p = IndexPath("people", i);
      MapReader m(doc_, list[i], p);
      if (!m.valid()) continue;
      RawPerson rp;
      rp.person.pos = doc_.Pos(list[i]);
      auto id = m.String("id", true);
      rp.person.name = m.String("name", true).value_or("");
      if (id) {
        CheckIdentifier(doc_, m.Get("id"), m.PathOf("id"), *id, "person id");
        rp.person.id = *id;
        auto [it, fresh] = seen.emplace(*id, rp.person.pos.line);
        if (!fresh) {
          doc_.Error(m.Get("id"), m.PathOf("id"), "duplicate person id '" + *id + "'",
                     "it is first used at line " + std::to_string(it->second));
        }
      }
      if (YAML::Node u = m.Require("unit"); u.IsDefined()) {
        if (auto s = AsString(doc_, u, m.PathOf("unit"))) rp.unit = RawRef{*s, u, m.PathOf("unit")};
      }
      if (YAML::Node r = m.Get("roles"); r.IsDefined()) {
        for (const auto& s : AsStringList(doc_, r, m.PathOf("roles"))) {
          CheckIdentifier(doc_, s.node, s.path, s.value, "role");
          rp.person.roles.push_back(s.value);
        }
      }
      if (YAML::Node c = m.Get("contacts"); c.IsDefined()) {
        rp.person.contacts = ReadContacts(c, m.PathOf("contacts"));
      }
      if (auto lang = m.String("language")) {
        if (*lang != "zh" && *lang != "en") {
          doc_.Error(m.Get("language"), m.PathOf("language"), "unknown language '" + *lang + "'",
                     "use zh or en");
        } else {
          rp.person.language = *lang;
        }
      }
      if (YAML::Node dc = m.Get("discipline_committee"); dc.IsDefined()) {
        if (auto s = AsString(doc_, dc, m.PathOf("discipline_committee"))) {
          rp.committee = RawRef{*s, dc, m.PathOf("discipline_committee")};
        }
      }
      m.Finish();
      raw_people_.push_back(std::move(rp));
    }
  }

  std::optional<int> FindRawUnit(const RawRef& ref) {
    auto it = unit_ids_.find(ref.id);
    if (it != unit_ids_.end()) return static_cast<int>(it->second);
    std::vector<std::string> ids;
    ids.reserve(unit_ids_.size());
    for (const auto& [id, i] : unit_ids_) ids.push_back(id);
    doc_.Error(ref.node, ref.path, "unknown unit '" + ref.id + "'",
               SuggestHint(ref.id, ids, "use the id of a unit in this org"));
    return std::nullopt;
  }

  void Link(const YAML::Node& units_node) {
    const int n = static_cast<int>(raw_units_.size());
    if (n == 0) {
      if (units_node.IsDefined()) {
        doc_.Error(units_node, "units", "an org needs at least one unit",
                   "add the root unit: - { id: ..., name: ..., kind: county }");
      }
      return;
    }
    // Parents.
    std::vector<int> parent(static_cast<std::size_t>(n), -1);
    int root = -1;
    for (int i = 0; i < n; ++i) {
      RawUnit& ru = raw_units_[static_cast<std::size_t>(i)];
      if (ru.nested_parent >= 0) {
        parent[static_cast<std::size_t>(i)] = ru.nested_parent;
      } else if (ru.parent) {
        if (auto p = FindRawUnit(*ru.parent)) parent[static_cast<std::size_t>(i)] = *p;
      } else if (root < 0) {
        root = i;
      } else {
        doc_.Error(ru.node, ru.path,
                   "unit '" + ru.unit.id + "' has no parent, but '" +
                       raw_units_[static_cast<std::size_t>(root)].unit.id + "' is already the root",
                   "an org is one tree: give it 'parent:' or nest it under another unit's units:");
      }
    }
    if (root < 0) {
      doc_.Error(raw_units_[0].node, raw_units_[0].path, "the org has no root unit",
                 "one unit must have no parent; the parents here form a cycle");
      return;
    }
    // Pre-order from the root; anything not reached is in a cycle.
    std::vector<std::vector<int>> children(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      if (parent[static_cast<std::size_t>(i)] >= 0) {
        children[static_cast<std::size_t>(parent[static_cast<std::size_t>(i)])].push_back(i);
      }
    }
    std::vector<int> order;
    std::vector<int> stack{root};
    while (!stack.empty()) {
      int u = stack.back();
      stack.pop_back();
      order.push_back(u);
      const auto& c = children[static_cast<std::size_t>(u)];
      for (auto it = c.rbegin(); it != c.rend(); ++it) stack.push_back(*it);
    }
    std::vector<int> index_of(static_cast<std::size_t>(n), kNoIndex);
    for (std::size_t k = 0; k < order.size(); ++k) {
      index_of[static_cast<std::size_t>(order[k])] = static_cast<int>(k);
    }
    for (int i = 0; i < n; ++i) {
      const RawUnit& ru = raw_units_[static_cast<std::size_t>(i)];
      if (index_of[static_cast<std::size_t>(i)] == kNoIndex && ru.parent) {
        doc_.Error(ru.parent->node, ru.parent->path,
                   "unit '" + ru.unit.id + "' is not below the root: its parents form a cycle",
                   "make the parent chain end at the root unit");
      }
    }
    for (int u : order) {
      Unit unit = raw_units_[static_cast<std::size_t>(u)].unit;
      int p = parent[static_cast<std::size_t>(u)];
      unit.parent = p < 0 ? kNoIndex : index_of[static_cast<std::size_t>(p)];
      unit.depth = unit.parent == kNoIndex
                       ? 0
                       : final_units_[static_cast<std::size_t>(unit.parent)].depth + 1;
      if (unit.parent != kNoIndex) {
        final_units_[static_cast<std::size_t>(unit.parent)].children.push_back(
            static_cast<UnitIndex>(final_units_.size()));
      }
      final_units_.push_back(std::move(unit));
    }
    auto unit_index = [&](const RawRef& ref) -> std::optional<UnitIndex> {
      auto raw = FindRawUnit(ref);
      if (!raw || index_of[static_cast<std::size_t>(*raw)] == kNoIndex) return std::nullopt;
      return index_of[static_cast<std::size_t>(*raw)];
    };
    auto committee = [&](const RawRef& ref) -> UnitIndex {
      auto u = unit_index(ref);
      if (!u) return kNoIndex;
      const Unit& c = final_units_[static_cast<std::size_t>(*u)];
      if (c.kind != "discipline_committee") {
        doc_.Error(ref.node, ref.path,
                   "unit '" + ref.id + "' is of kind " + c.kind + ", not discipline_committee",
                   "name the discipline committee unit that manages these cadres");
        return kNoIndex;
      }
      return *u;
    };
    // People.
    std::map<std::string, PersonIndex> person_ids;
    for (auto& rp : raw_people_) {
      if (rp.unit) {
        if (auto u = unit_index(*rp.unit)) rp.person.unit = *u;
      }
      if (rp.committee) rp.person.discipline_committee = committee(*rp.committee);
      person_ids.emplace(rp.person.id, static_cast<PersonIndex>(final_people_.size()));
      final_people_.push_back(rp.person);
    }
    for (std::size_t i = 0; i < final_people_.size(); ++i) {
      const Person& p = final_people_[i];
      if (p.unit == kNoIndex) continue;
      for (const auto& role : p.roles) {
        final_units_[static_cast<std::size_t>(p.unit)].roles[role].push_back(
            static_cast<PersonIndex>(i));
      }
    }
    // Unit role holders from elsewhere, and committees, in pre-order so parents come first.
    std::vector<std::string> ids;
    for (const auto& [id, i] : person_ids) ids.push_back(id);
    for (int u : order) {
      const RawUnit& ru = raw_units_[static_cast<std::size_t>(u)];
      Unit& unit = final_units_[static_cast<std::size_t>(index_of[static_cast<std::size_t>(u)])];
      for (const auto& [role, ref] : ru.holders) {
        auto it = person_ids.find(ref.id);
        if (it == person_ids.end()) {
          doc_.Error(ref.node, ref.path, "unknown person '" + ref.id + "'",
                     SuggestHint(ref.id, ids, "list the person under people:"));
          continue;
        }
        auto& holders = unit.roles[role];
        if (std::find(holders.begin(), holders.end(), it->second) == holders.end()) {
          holders.push_back(it->second);
        }
      }
      if (ru.committee) {
        unit.discipline_committee = committee(*ru.committee);
      } else if (unit.parent != kNoIndex) {
        unit.discipline_committee =
            final_units_[static_cast<std::size_t>(unit.parent)].discipline_committee;
      }
    }
    for (auto& p : final_people_) {
      if (p.discipline_committee == kNoIndex && p.unit != kNoIndex) {
        p.discipline_committee =
            final_units_[static_cast<std::size_t>(p.unit)].discipline_committee;
      }
    }
  }

  struct RawPerson {
    Person person;
    std::optional<RawRef> unit;
    std::optional<RawRef> committee;
  };

  DocContext& doc_;
  const RawDefinition& raw_;
  std::vector<std::string> kinds_;
  std::vector<RawUnit> raw_units_;
  std::map<std::string, std::size_t> unit_ids_;
  std::vector<RawPerson> raw_people_;
  std::vector<Unit> final_units_;
  std::vector<Person> final_people_;
};

}  // namespace

std::shared_ptr<const Org> CompileOrg(DocContext& doc, const RawDefinition& raw) {
  return OrgCompiler(doc, raw).Compile();
}

}  // namespace rectify::definition::internal
