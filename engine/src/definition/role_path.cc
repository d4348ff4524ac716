// Role paths (common.h) and the small readers every compiler shares.
#include <algorithm>

#include "compile.h"

namespace rectify::definition::internal {
namespace {

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool IsItemRole(std::string_view s) {
  return std::find(std::begin(kItemRoles), std::end(kItemRoles), s) != std::end(kItemRoles);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return parts;
}

// Reads the `.ROLE` (or nothing) that ends a unit path; returns false after reporting.
bool CheckUnitRole(DocContext& doc, const YAML::Node& node, const std::string& path,
                   const RoleVocabulary& vocab, const std::string& role) {
  if (role.empty() || !vocab.have_org || Contains(vocab.roles, role)) return true;
  doc.Error(node, path, "no one holds role '" + role + "' in any org",
            SuggestHint(role, vocab.roles, "add the role to a person in the org tree"));
  return false;
}

}  // namespace

std::optional<RolePath> ParseRolePath(DocContext& doc, const YAML::Node& node,
                                      const std::string& path, const RoleVocabulary& vocab,
                                      const std::vector<std::string>& fields, RoleUse use) {
  auto text = AsString(doc, node, path);
  if (!text) return std::nullopt;
  RolePath rp;
  rp.text = *text;
  rp.pos = doc.Pos(node);
  const std::string& t = *text;

  if (t == "system" || t == "public") {
    if (use != RoleUse::kActor) {
      doc.Error(node, path, "'" + t + "' cannot be notified or own a task",
                "name a person, a role or a unit path such as unit.head");
      return std::nullopt;
    }
    rp.base = t == "system" ? RolePath::Base::kSystem : RolePath::Base::kPublic;
    return rp;
  }
  if (t.rfind("person:", 0) == 0) {
    rp.base = RolePath::Base::kPerson;
    rp.name = t.substr(7);
    if (vocab.have_org && !Contains(vocab.person_ids, rp.name)) {
      doc.Error(node, path, "unknown person '" + rp.name + "'",
                SuggestHint(rp.name, vocab.person_ids, "use the id of a person in an org tree"));
      return std::nullopt;
    }
    return rp;
  }
  if (t.rfind("org:", 0) == 0) {
    auto parts = Split(t.substr(4), '.');
    rp.base = RolePath::Base::kFixedUnit;
    rp.name = parts[0];
    if (parts.size() > 2) {
      doc.Error(node, path, "'" + t + "' has too many parts", "write org:UNIT or org:UNIT.ROLE");
      return std::nullopt;
    }
    if (parts.size() == 2) rp.role = parts[1];
    if (vocab.have_org && !Contains(vocab.unit_ids, rp.name)) {
      doc.Error(node, path, "unknown unit '" + rp.name + "'",
                SuggestHint(rp.name, vocab.unit_ids, "use the id of a unit in an org tree"));
      return std::nullopt;
    }
    if (!CheckUnitRole(doc, node, path, vocab, rp.role)) return std::nullopt;
    return rp;
  }

  auto parts = Split(t, '.');
  if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    doc.Error(node, path, "'" + t + "' is not a role path",
              "write a role (responsible), or a unit path such as unit.parent.head");
    return std::nullopt;
  }
  if (parts[0] == "unit" || parts[0] == "discipline_committee") {
    rp.base = parts[0] == "unit" ? RolePath::Base::kUnit : RolePath::Base::kDisciplineCommittee;
    std::size_t i = 1;
    for (; i < parts.size(); ++i) {
      if (parts[i] == "parent") {
        if (!rp.ancestor_kind.empty()) break;  // parent after a kind reads as a role
        ++rp.parent_steps;
      } else if (Contains(vocab.unit_kinds, parts[i]) && i + 1 < parts.size()) {
        rp.ancestor_kind = parts[i];
      } else {
        break;
      }
    }
    if (i + 1 < parts.size()) {
      std::vector<std::string> expected = vocab.unit_kinds;
      expected.push_back("parent");
      doc.Error(node, path, "'" + parts[i] + "' in '" + t + "' is neither 'parent' nor a unit kind",
                SuggestHint(parts[i], expected, "write unit.parent.ROLE or unit.KIND.ROLE"));
      return std::nullopt;
    }
    if (i < parts.size()) {
      if (Contains(vocab.unit_kinds, parts[i])) {
        rp.ancestor_kind = parts[i];  // unit.county: the enclosing county itself
      } else {
        rp.role = parts[i];
      }
    }
    if (!CheckUnitRole(doc, node, path, vocab, rp.role)) return std::nullopt;
    return rp;
  }
  if (parts.size() > 1) {
    doc.Error(node, path, "'" + t + "' is not a role path",
              "a path starts with 'unit.' or 'discipline_committee.' (unit.parent.head)");
    return std::nullopt;
  }
  if (IsItemRole(t)) {
    rp.base = RolePath::Base::kItemRole;
    rp.name = t;
    return rp;
  }
  rp.base = RolePath::Base::kNamed;
  rp.name = t;
  if (Contains(fields, t)) {
    rp.is_field = true;
    return rp;
  }
  if (!vocab.have_org) return rp;  // nothing to check against
  if (Contains(vocab.roles, t)) return rp;
  std::vector<std::string> candidates(std::begin(kItemRoles), std::end(kItemRoles));
  candidates.insert(candidates.end(), fields.begin(), fields.end());
  candidates.insert(candidates.end(), vocab.roles.begin(), vocab.roles.end());
  candidates.push_back("unit");
  candidates.push_back("discipline_committee");
  doc.Error(node, path, "unknown role '" + t + "'",
            SuggestHint(t, candidates,
                        "use a role someone holds in the org, a person field of the workflow, "
                        "or a path such as unit.head"));
  return std::nullopt;
}

std::vector<RolePath> ParseRolePaths(DocContext& doc, const YAML::Node& node,
                                     const std::string& path, const RoleVocabulary& vocab,
                                     const std::vector<std::string>& fields, RoleUse use) {
  std::vector<RolePath> out;
  if (IsScalar(node)) {
    if (auto rp = ParseRolePath(doc, node, path, vocab, fields, use)) out.push_back(*rp);
    return out;
  }
  if (!IsList(node)) {
    doc.Error(node, path, "expected a list of roles, found " + Describe(node),
              "for example [responsible, unit.head]");
    return out;
  }
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (auto rp = ParseRolePath(doc, node[i], IndexPath(path, i), vocab, fields, use)) {
      out.push_back(*rp);
    }
  }
  return out;
}

std::optional<Span> ReadSpan(DocContext& doc, const YAML::Node& node, const std::string& path) {
  if (!IsScalar(node)) {
    doc.Error(node, path, "expected a duration such as 10wd, found " + Describe(node));
    return std::nullopt;
  }
  Result<Span> span = ParseSpan(node.Scalar());
  if (!span) {
    std::string message = span.error().message();
    std::string hint;
    auto cut = message.find("; accepted forms: ");
    if (cut != std::string::npos) {
      hint = "accepted forms: " + message.substr(cut + 18);
      message.resize(cut);
    }
    doc.Error(node, path, message, hint);
    return std::nullopt;
  }
  return *span;
}

double NominalHours(const Span& span) {
  using std::chrono::duration;
  double exact = duration<double, std::ratio<3600>>(span.exact).count();
  switch (span.kind) {
    case Span::Kind::kZero:
      return 0;
    case Span::Kind::kWorkingDays:
      return span.working_days * 24.0 * 7.0 / 5.0;
    case Span::Kind::kCalendar:
      return (span.months * 30.0 + span.days) * 24.0 + exact;
    case Span::Kind::kExact:
      return exact;
  }
  return 0;
}

bool CheckCovered(DocContext& doc, const YAML::Node& node, const std::string& path,
                  const Calendar* cal, Date d) {
  if (cal == nullptr || cal->Covers(d)) return true;
  std::string message = cal->OutsideError(d).message();
  std::string hint;
  auto cut = message.find("; ");
  if (cut != std::string::npos) {
    hint = message.substr(cut + 2);
    message.resize(cut);
  }
  doc.Error(node, path, message, hint);
  return false;
}

void AllowHeaderKeys(MapReader& m) { m.Allow({"kind", "name", "version", "title", "description"}); }

}  // namespace rectify::definition::internal
