// An org tree (`kind: org`): the units that take responsibility and the people who hold roles.
//
// Units form one tree (a county and its townships, departments, work-promotion groups,
// supporting units and village teams; or city, county, township and village linked in four
// levels). Each unit has a kind from `kUnitKinds` (or one the file declares in `unit_kinds:`)
// and optionally the discipline committee (itself a unit) that manages its cadres; units
// inherit it from their parents. People belong to a unit and hold roles there (`head`,
// `leader`, `captain`, `inspector`, `verifier`, ...); a unit may also list holders from other
// units (a county leader who is the contact leader, 联系领导, of a township).
//
// Units and people are indexed by integers (their position in `units()` / `people()`); the root
// is unit 0 and a parent always comes before its children, so a walk in index order is a
// pre-order walk.
//
//   const Org& org = *set.FindOrg("xinshao");
//   UnitIndex t = *org.FindUnit("niangxi");
//   std::vector<PersonIndex> heads = org.Resolve(path, t, responsible);
//
// Thread-safety: immutable once compiled; share it freely. Owned by a DefinitionSet through
// shared_ptr<const Org>.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "rectify/definition/common.h"

namespace rectify::definition {

using UnitIndex = int;
using PersonIndex = int;
inline constexpr int kNoIndex = -1;

inline constexpr std::string_view kUnitKinds[] = {"province",
                                                  "city",
                                                  "county",
                                                  "district",
                                                  "township",
                                                  "town",
                                                  "village",
                                                  "department",
                                                  "headquarters",
                                                  "office",
                                                  "work_promotion_group",
                                                  "supporting_unit",
                                                  "village_team",
                                                  "discipline_committee",
                                                  "inspection_group",
                                                  "acceptance_team"};

inline constexpr std::string_view kLanguages[] = {"zh", "en"};

struct Contacts {
  std::string email;
  std::string phone;
  std::string wecom;     // 企业微信 user id
  std::string dingtalk;  // 钉钉 user id
  // "daily": one digest of reminders at the start of each working day instead of single ones.
  std::string digest;
};

struct Unit {
  std::string id;
  std::string name;
  std::string kind;
  UnitIndex parent = kNoIndex;
  std::vector<UnitIndex> children;
  int depth = 0;  // root is 0
  // Role name -> holders: the unit's own people holding it, then those the unit lists.
  std::map<std::string, std::vector<PersonIndex>> roles;
  // The discipline committee managing this unit's cadres, inherited from the parent when the
  // unit names none; kNoIndex when no unit up the tree names one.
  UnitIndex discipline_committee = kNoIndex;
  Contacts contacts;
  SourcePos pos;
};

struct Person {
  std::string id;
  std::string name;
  UnitIndex unit = kNoIndex;
  std::vector<std::string> roles;  // held at `unit` (head, inspector, verifier, ...)
  Contacts contacts;
  std::string language = "zh";
  // The discipline committee managing this person: their own, else their unit's.
  UnitIndex discipline_committee = kNoIndex;
  SourcePos pos;
};

class Org {
 public:
  Org(DefinitionInfo info, std::vector<std::string> unit_kinds, std::vector<Unit> units,
      std::vector<Person> people);

  const DefinitionInfo& info() const { return info_; }
  const std::vector<Unit>& units() const { return units_; }
  const std::vector<Person>& people() const { return people_; }
  const Unit& unit(UnitIndex i) const { return units_.at(static_cast<std::size_t>(i)); }
  const Person& person(PersonIndex i) const { return people_.at(static_cast<std::size_t>(i)); }

  std::optional<UnitIndex> FindUnit(std::string_view id) const;
  std::optional<PersonIndex> FindPerson(std::string_view id) const;
  // Units of `kind`, in index order.
  std::vector<UnitIndex> UnitsOfKind(std::string_view kind) const;
  bool HasKind(std::string_view kind) const;
  // Every role name held by someone in the tree, sorted.
  const std::vector<std::string>& roles() const { return roles_; }
  // The kinds a unit of this org may have (kUnitKinds plus the file's own unit_kinds).
  const std::vector<std::string>& allowed_kinds() const { return allowed_kinds_; }

  // `unit` itself or its nearest ancestor of `kind`.
  std::optional<UnitIndex> Enclosing(UnitIndex unit, std::string_view kind) const;
  // Whether `inner` is `outer` or below it.
  bool Within(UnitIndex inner, UnitIndex outer) const;

  // The unit a unit-based role path lands on, from the item's unit (kUnit) or the responsible
  // person (kDisciplineCommittee); kNoIndex when the tree has no such unit.
  UnitIndex ResolveUnit(const RolePath& path, UnitIndex item_unit, PersonIndex responsible) const;
  // The people a path names for an item in `item_unit` with `responsible`. Item roles and
  // workflow fields are the engine's to resolve (they live on the item): for those this returns
  // an empty list. A unit path without a role gives the unit's `head` holders.
  std::vector<PersonIndex> Resolve(const RolePath& path, UnitIndex item_unit,
                                   PersonIndex responsible) const;

 private:
  DefinitionInfo info_;
  std::vector<std::string> allowed_kinds_;
  std::vector<Unit> units_;
  std::vector<Person> people_;
  std::unordered_map<std::string, UnitIndex> unit_index_;
  std::unordered_map<std::string, PersonIndex> person_index_;
  std::vector<std::string> roles_;
};

}  // namespace rectify::definition
