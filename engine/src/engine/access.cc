#include "rectify/engine/access.h"

#include <algorithm>
#include <sstream>

namespace rectify::engine {

using definition::Org;
using definition::PersonIndex;
using definition::RolePath;
using definition::UnitIndex;

namespace {

constexpr std::string_view kFunctionalKinds[] = {"headquarters",     "office",
                                                 "department",       "discipline_committee",
                                                 "inspection_group", "acceptance_team"};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    auto b = part.find_first_not_of(' ');
    auto e = part.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
  }
  return out;
}

std::string ItemRole(const Instance& inst, const std::string& role) {
  if (role == "responsible") return inst.responsible;
  if (role == "registrar") return inst.registrar;
  if (role == "owner") return inst.owner;
  if (role == "reporter") return inst.Field("reporter");
  return {};
}

UnitIndex ItemUnit(const Org& org, const Instance& inst) {
  return org.FindUnit(inst.record.unit_id).value_or(definition::kNoIndex);
}

PersonIndex Responsible(const Org& org, const Instance& inst) {
  return org.FindPerson(inst.responsible).value_or(definition::kNoIndex);
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Whether a named path reads a person field of the item (else it is an org role).
bool IsField(const definition::Workflow& workflow, const RolePath& path) {
  return path.base == RolePath::Base::kNamed && (path.is_field || workflow.FindField(path.name));
}

// Whether a named path is read as the org role of its name: it is one, or it is a person field
// that the item leaves empty.
bool ReadsAsRole(const definition::Workflow& workflow, const Instance& inst, const RolePath& path) {
  return path.base == RolePath::Base::kNamed &&
         (!IsField(workflow, path) || SplitList(inst.Field(path.name)).empty());
}

// Holders of an org role for an item: the nearest unit up from the item's unit whose scope holds
// anyone with the role.
std::vector<PersonIndex> RoleHoldersFor(const Org& org, const std::string& role,
                                        UnitIndex item_unit) {
  for (UnitIndex u = item_unit; u != definition::kNoIndex; u = org.unit(u).parent) {
    std::vector<PersonIndex> found;
    auto listed = org.unit(u).roles.find(role);
    if (listed != org.unit(u).roles.end()) found = listed->second;
    for (std::size_t i = 0; i < org.people().size(); ++i) {
      auto p = static_cast<PersonIndex>(i);
      if (ScopeOf(org, p) == u && Contains(org.person(p).roles, role) &&
          std::find(found.begin(), found.end(), p) == found.end()) {
        found.push_back(p);
      }
    }
    if (!found.empty()) {
      std::sort(found.begin(), found.end());
      return found;
    }
  }
  return {};
}

}  // namespace

// Whether `actor` holds org role `role` with the item inside their scope, or is listed for the
// role at the item's unit or a unit above it (a contact leader from elsewhere).
bool HoldsRoleFor(const Org& org, PersonIndex actor, const std::string& role, UnitIndex item_unit) {
  if (item_unit == definition::kNoIndex) return false;
  const auto& p = org.person(actor);
  if (Contains(p.roles, role) && org.Within(item_unit, ScopeOf(org, actor))) return true;
  for (UnitIndex u = item_unit; u != definition::kNoIndex; u = org.unit(u).parent) {
    auto it = org.unit(u).roles.find(role);
    if (it != org.unit(u).roles.end() &&
        std::find(it->second.begin(), it->second.end(), actor) != it->second.end()) {
      return true;
    }
  }
  return false;
}

UnitIndex ScopeOf(const Org& org, PersonIndex person) {
  UnitIndex u = org.person(person).unit;
  const auto& unit = org.unit(u);
  for (std::string_view kind : kFunctionalKinds) {
    if (unit.kind == kind && unit.parent != definition::kNoIndex) return unit.parent;
  }
  return u;
}

std::string PersonLabel(const Org& org, const std::string& person_id) {
  auto p = org.FindPerson(person_id);
  if (!p) return person_id;
  return org.person(*p).name + " (" + person_id + ")";
}

std::string UnitLabel(const Org& org, const std::string& unit_id) {
  auto u = org.FindUnit(unit_id);
  if (!u) return unit_id;
  return org.unit(*u).name + " (" + unit_id + ")";
}

std::vector<std::string> ResolvePeople(const Org& org, const definition::Workflow& workflow,
                                       const Instance& inst, const RolePath& path) {
  std::vector<std::string> out;
  auto add = [&](const std::string& id) {
    if (!id.empty() && !Contains(out, id)) out.push_back(id);
  };
  UnitIndex unit = ItemUnit(org, inst);
  switch (path.base) {
    case RolePath::Base::kSystem:
    case RolePath::Base::kPublic:
      break;
    case RolePath::Base::kItemRole:
      add(ItemRole(inst, path.name));
      break;
    case RolePath::Base::kNamed:
      if (!ReadsAsRole(workflow, inst, path)) {
        for (const auto& id : SplitList(inst.Field(path.name))) add(id);
      } else {
        for (PersonIndex p : RoleHoldersFor(org, path.name, unit)) add(org.person(p).id);
      }
      break;
    case RolePath::Base::kPerson:
      add(path.name);
      break;
    case RolePath::Base::kUnit:
    case RolePath::Base::kDisciplineCommittee:
    case RolePath::Base::kFixedUnit:
      for (PersonIndex p : org.Resolve(path, unit, Responsible(org, inst))) add(org.person(p).id);
      break;
  }
  return out;
}

std::string NobodyReason(const Org& org, const definition::Workflow& workflow, const Instance& inst,
                         const RolePath& path) {
  const std::string unit = UnitLabel(org, inst.record.unit_id);
  switch (path.base) {
    case RolePath::Base::kItemRole:
      return "item " + inst.record.id + " has no " + path.name;
    case RolePath::Base::kNamed:
      return (IsField(workflow, path)
                  ? "item " + inst.record.id + " names no " + path.name + ", and "
                  : "") +
             "nobody in org " + org.info().name + " holds the role " + path.name + " for " + unit;
    case RolePath::Base::kPerson:
      return path.name + " is not a person of org " + org.info().name;
    default:
      return path.text + " names nobody in org " + org.info().name + " for " + unit;
  }
}

std::string NobodyHint(const Org& org, const definition::Workflow& workflow, const RolePath& path) {
  if (path.base != RolePath::Base::kNamed) return "";
  std::string later = "give someone the role " + path.name + " in a new version of org " +
                      org.info().name + " (an item keeps the org version it started on)";
  if (!IsField(workflow, path)) return later;
  return "name the item's " + path.name + " (--set " + path.name +
         "=PERSON) with an event someone can still take, and " + later;
}

Status CheckActor(const Org& org, const definition::Workflow& workflow, const Instance& inst,
                  const definition::Transition& t, const std::string& actor) {
  const std::string item = "item " + inst.record.id;
  if (actor == kSystemActor) {
    for (const RolePath& p : t.by) {
      if (p.base == RolePath::Base::kSystem) return OkStatus();
    }
    return Error::PermissionDenied("'" + t.event + "' on " + item + " is taken by people, not by " +
                                   "the system");
  }
  for (const RolePath& p : t.by) {
    if (p.base == RolePath::Base::kPublic) return OkStatus();
  }
  auto person = org.FindPerson(actor);
  if (!person) {
    return Error::PermissionDenied("'" + actor + "' is not a person of org " + org.info().name +
                                   "; act as a person listed there (rectify item show " +
                                   inst.record.id + " names who may act)");
  }
  UnitIndex unit = ItemUnit(org, inst);
  for (const RolePath& p : t.by) {
    bool allowed = false;
    if (ReadsAsRole(workflow, inst, p)) {
      allowed = HoldsRoleFor(org, *person, p.name, unit);
    } else {
      allowed = Contains(ResolvePeople(org, workflow, inst, p), actor);
    }
    if (allowed) return OkStatus();
  }
  // Refused. Say first when the item is outside the actor's scope altogether.
  UnitIndex scope = ScopeOf(org, *person);
  if (unit != definition::kNoIndex && !org.Within(unit, scope)) {
    return Error::PermissionDenied(PersonLabel(org, actor) + " of " +
                                   org.unit(org.person(*person).unit).name + " may not act on " +
                                   item + ": it belongs to " + UnitLabel(org, inst.record.unit_id) +
                                   ", outside " + org.unit(scope).name);
  }
  std::string who;
  for (const RolePath& p : t.by) {
    if (!who.empty()) who += ", ";
    who += p.text;
    std::vector<std::string> people = ResolvePeople(org, workflow, inst, p);
    if (people.empty()) {
      who += " (nobody: " + NobodyReason(org, workflow, inst, p) + ")";
    } else if (people.size() <= 3) {
      who += " (";
      for (std::size_t i = 0; i < people.size(); ++i) {
        who += (i ? ", " : "") + PersonLabel(org, people[i]);
      }
      who += ")";
    }
  }
  return Error::PermissionDenied(PersonLabel(org, actor) + " may not '" + t.event + "' " + item +
                                 ": only " + who + " may");
}

}  // namespace rectify::engine
