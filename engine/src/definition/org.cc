#include "rectify/definition/org.h"

#include <algorithm>
#include <set>

namespace rectify::definition {

Org::Org(DefinitionInfo info, std::vector<std::string> unit_kinds, std::vector<Unit> units,
         std::vector<Person> people)
    : info_(std::move(info)),
      allowed_kinds_(std::move(unit_kinds)),
      units_(std::move(units)),
      people_(std::move(people)) {
  std::set<std::string> roles;
  for (std::size_t i = 0; i < units_.size(); ++i) {
    unit_index_.emplace(units_[i].id, static_cast<UnitIndex>(i));
    for (const auto& [role, holders] : units_[i].roles) roles.insert(role);
  }
  for (std::size_t i = 0; i < people_.size(); ++i) {
    person_index_.emplace(people_[i].id, static_cast<PersonIndex>(i));
    roles.insert(people_[i].roles.begin(), people_[i].roles.end());
  }
  roles_.assign(roles.begin(), roles.end());
}

std::optional<UnitIndex> Org::FindUnit(std::string_view id) const {
  auto it = unit_index_.find(std::string(id));
  if (it == unit_index_.end()) return std::nullopt;
  return it->second;
}

std::optional<PersonIndex> Org::FindPerson(std::string_view id) const {
  auto it = person_index_.find(std::string(id));
  if (it == person_index_.end()) return std::nullopt;
  return it->second;
}

std::vector<UnitIndex> Org::UnitsOfKind(std::string_view kind) const {
  std::vector<UnitIndex> out;
  for (std::size_t i = 0; i < units_.size(); ++i) {
    if (units_[i].kind == kind) out.push_back(static_cast<UnitIndex>(i));
  }
  return out;
}

bool Org::HasKind(std::string_view kind) const {
  return std::any_of(units_.begin(), units_.end(), [&](const Unit& u) { return u.kind == kind; });
}

std::optional<UnitIndex> Org::Enclosing(UnitIndex unit, std::string_view kind) const {
  for (UnitIndex u = unit; u != kNoIndex; u = units_.at(static_cast<std::size_t>(u)).parent) {
    if (units_[static_cast<std::size_t>(u)].kind == kind) return u;
  }
  return std::nullopt;
}

bool Org::Within(UnitIndex inner, UnitIndex outer) const {
  for (UnitIndex u = inner; u != kNoIndex; u = units_.at(static_cast<std::size_t>(u)).parent) {
    if (u == outer) return true;
  }
  return false;
}

UnitIndex Org::ResolveUnit(const RolePath& path, UnitIndex item_unit,
                           PersonIndex responsible) const {
  UnitIndex u = kNoIndex;
  switch (path.base) {
    case RolePath::Base::kUnit:
      u = item_unit;
      break;
    case RolePath::Base::kDisciplineCommittee:
      if (responsible != kNoIndex) u = person(responsible).discipline_committee;
      if (u == kNoIndex && item_unit != kNoIndex) u = unit(item_unit).discipline_committee;
      break;
    case RolePath::Base::kFixedUnit:
      return FindUnit(path.name).value_or(kNoIndex);
    default:
      return kNoIndex;
  }
  for (int i = 0; i < path.parent_steps && u != kNoIndex; ++i) u = unit(u).parent;
  if (u != kNoIndex && !path.ancestor_kind.empty())
    u = Enclosing(u, path.ancestor_kind).value_or(kNoIndex);
  return u;
}

std::vector<PersonIndex> Org::Resolve(const RolePath& path, UnitIndex item_unit,
                                      PersonIndex responsible) const {
  switch (path.base) {
    case RolePath::Base::kPerson: {
      auto p = FindPerson(path.name);
      if (p) return {*p};
      return {};
    }
    case RolePath::Base::kItemRole:
      if (path.name == "responsible" && responsible != kNoIndex) return {responsible};
      return {};
    case RolePath::Base::kNamed: {
      if (path.is_field) return {};
      std::vector<PersonIndex> out;
      for (std::size_t i = 0; i < people_.size(); ++i) {
        const auto& r = people_[i].roles;
        if (std::find(r.begin(), r.end(), path.name) != r.end()) {
          out.push_back(static_cast<PersonIndex>(i));
        }
      }
      return out;
    }
    case RolePath::Base::kUnit:
    case RolePath::Base::kDisciplineCommittee:
    case RolePath::Base::kFixedUnit: {
      UnitIndex u = ResolveUnit(path, item_unit, responsible);
      if (u == kNoIndex) return {};
      const auto& roles = unit(u).roles;
      auto it = roles.find(path.role.empty() ? std::string("head") : path.role);
      if (it == roles.end()) return {};
      return it->second;
    }
    case RolePath::Base::kSystem:
    case RolePath::Base::kPublic:
      return {};
  }
  return {};
}

}  // namespace rectify::definition
