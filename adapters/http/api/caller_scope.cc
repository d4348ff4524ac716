// The units a caller covers (caller_scope.h).
#include "adapters/http/api/caller_scope.h"

#include "rectify/engine/access.h"

namespace rectify::api {

namespace {

// The caller's org and the person in it; kPermissionDenied when either is gone.
Result<std::pair<std::shared_ptr<const definition::Org>, definition::PersonIndex>> OrgAndPerson(
    const Caller& caller, const definition::DefinitionSet& defs) {
  auto org = defs.FindOrg(caller.org);
  if (!org) return Error::PermissionDenied("your org is not loaded on this server");
  auto person = org->FindPerson(caller.person);
  if (!person) {
    return Error::PermissionDenied("person " + caller.person + " is not in org " + caller.org +
                                   " any more");
  }
  return std::pair{org, *person};
}

}  // namespace

Result<CallerScope> ScopeOfCaller(const Call& call) {
  return ScopeOfCaller(call.caller, *call.api.options.definitions);
}

Result<CallerScope> ScopeOfCaller(const Caller& caller, const definition::DefinitionSet& defs) {
  CallerScope scope;
  scope.org = defs.FindOrg(caller.org);
  scope.everything = caller.admin;
  if (scope.everything) return scope;
  auto found = OrgAndPerson(caller, defs);
  if (!found) return found.error();
  const auto& [org, person] = *found;
  auto units = engine::UnitsInScope(*org, person);
  scope.root = org->unit(engine::ScopeOf(*org, person)).id;
  scope.units.insert(units.begin(), units.end());
  return scope;
}

Result<std::optional<std::string>> ScopeRootOfCaller(const Caller& caller,
                                                     const definition::DefinitionSet& defs) {
  if (caller.admin) return std::optional<std::string>();
  auto found = OrgAndPerson(caller, defs);
  if (!found) return found.error();
  const auto& [org, person] = *found;
  return std::optional<std::string>(org->unit(engine::ScopeOf(*org, person)).id);
}

Result<std::optional<std::string>> UnitInScope(const CallerScope& scope, const std::string& unit) {
  if (unit.empty()) return std::optional<std::string>();
  if (scope.org && !scope.org->FindUnit(unit)) {
    return Error::BadInput("unit: org " + scope.org->info().name + " has no unit '" + unit + "'");
  }
  if (!scope.Covers(unit)) {
    return Error::PermissionDenied("unit " + unit + " is outside your scope; you may ask for " +
                                   scope.root + " and the units under it");
  }
  return std::optional<std::string>(unit);
}

}  // namespace rectify::api
