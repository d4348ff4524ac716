// The people of one unit, for the forms that name a person there (the findings page's confirm
// form offers the responsible person of the unit a public report is about):
//   GET /api/v1/units/{unit}/people
//
// Any signed-in person of the org may ask, for any unit of their org: the org's directory (who
// holds which role where) is what every item page already shows by name, and a confirmer at the
// headquarters names people of units outside their own scope. Answers each person's id, name and
// roles at the unit, in the org's order; never contacts.
#include <boost/json.hpp>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/caller_scope.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

http::Response People(Call& call) {
  const std::string& unit_id = call.request.params.at("unit");
  if (!call.request.query.empty()) {
    return ErrorResponse(
        Error::BadInput(call.request.query.begin()->first + ": unknown parameter (none taken)"));
  }
  auto scope = ScopeOfCaller(call);
  if (!scope) return ErrorResponse(scope.error());
  const auto& org = scope->org;
  if (!org) return ErrorResponse(Error::NotFound("no unit '" + unit_id + "'"));
  auto unit = org->FindUnit(unit_id);
  if (!unit) {
    return ErrorResponse(
        Error::NotFound("org " + org->info().name + " has no unit '" + unit_id + "'"));
  }
  json::array people;
  for (const auto& p : org->people()) {
    if (p.unit != *unit) continue;
    json::array roles;
    for (const auto& r : p.roles) roles.emplace_back(r);
    people.push_back(json::object{{"person", p.id}, {"name", p.name}, {"roles", std::move(roles)}});
  }
  return JsonResponse(
      200, json::object{
               {"unit", unit_id}, {"name", org->unit(*unit).name}, {"people", std::move(people)}});
}

}  // namespace

std::vector<Route> PeopleRoutes() {
  return {
      {{"GET", "/api/v1/units/{unit}/people", Access::kSignedIn, false}, People},
  };
}

}  // namespace rectify::api
