// The units a caller's reports, campaign views and imports cover: the engine's rule
// (engine::ScopeOf, engine::UnitsInScope in access.h), so a township cadre's report counts their
// township and the units under it, a county leader's the county, an administrator's everything.
//
// Not for use outside adapters/http/api/.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "adapters/http/api/api_internal.h"

namespace rectify::api {

struct CallerScope {
  std::shared_ptr<const definition::Org> org;  // the caller's org (null: none loaded)
  bool everything = false;                     // an administrator
  std::string root;                            // the unit at the top of the scope (not everything)
  std::set<std::string> units;                 // root and every unit below it (not everything)

  bool Covers(const std::string& unit) const { return everything || units.count(unit) > 0; }
};

// The caller's scope. kPermissionDenied for a person the caller's org no longer has.
Result<CallerScope> ScopeOfCaller(const Call& call);
Result<CallerScope> ScopeOfCaller(const Caller& caller, const definition::DefinitionSet& defs);

// The unit at the top of the caller's scope, nullopt for everything (an administrator), without
// listing the units under it; the same errors as ScopeOfCaller.
Result<std::optional<std::string>> ScopeRootOfCaller(const Caller& caller,
                                                     const definition::DefinitionSet& defs);

// The `unit` a request names, checked against the scope: nullopt for none given (the whole
// scope), else the unit; kBadInput for a unit the org does not have, kPermissionDenied for one
// outside the scope (saying which units the caller may ask for).
Result<std::optional<std::string>> UnitInScope(const CallerScope& scope, const std::string& unit);

// A campaign's assessment (engine::LastAssessment's audit data) as a caller may see it:
// {assessment, period, ranking} with the ranking's lines of the units in scope (their rank stays
// their place in the whole ranking). The ranking report and the board answer it.
boost::json::object RankingInScope(const CallerScope& scope, const boost::json::object& assessment);

}  // namespace rectify::api
