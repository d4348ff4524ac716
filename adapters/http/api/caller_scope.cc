// The units a caller covers (caller_scope.h).
#include "adapters/http/api/caller_scope.h"

#include "rectify/engine/access.h"

namespace rectify::api {

Result<CallerScope> ScopeOfCaller(const Call& call) {
  CallerScope scope;
  scope.org = CallerOrg(call);
  scope.everything = call.caller.admin;
  if (scope.everything) return scope;
  if (!scope.org) return Error::PermissionDenied("your org is not loaded on this server");
  auto person = scope.org->FindPerson(call.caller.person);
  if (!person) {
    return Error::PermissionDenied("person " + call.caller.person + " is not in org " +
                                   call.caller.org + " any more");
  }
  auto units = engine::UnitsInScope(*scope.org, *person);
  scope.root = scope.org->unit(engine::ScopeOf(*scope.org, *person)).id;
  scope.units.insert(units.begin(), units.end());
  return scope;
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
