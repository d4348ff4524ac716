// Measures by judgment (issue 15 point 3; engine/include/rectify/engine/measures.h):
//   POST /api/v1/items/{id}/measures                   takes a step of the item's chain that the
//                                                      chain opens to the caller's role
//                                                      {"measure": "suspend_payment", "reason":
//                                                      ...}
//   POST /api/v1/items/{id}/measures/{measure}/end     ends a measure in force {"reason": ...}
//
// Both are commands on the item like its events (item_routes.cc): If-Match required, an
// Idempotency-Key honoured, the engine's access rules deciding who may (a role the chain names),
// and the item as GET shows it in the answer, its `measures` included.
#include <boost/json.hpp>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/json_input.h"
#include "rectify/engine/measures.h"

namespace rectify::api {
namespace {

Result<engine::Command> TakeCommand(Call& call, const Readable&) {
  auto body = ParseObject(call.request.body, {{"measure", JsonType::kString, true},
                                              {"reason", JsonType::kString, true}});
  if (!body) return body.error();
  engine::Command command;
  command.event = engine::kTakeMeasure;
  command.measure = StringOr(*body, "measure");
  command.reason = StringOr(*body, "reason");
  return command;
}

Result<engine::Command> EndCommand(Call& call, const Readable&) {
  auto body = ParseObject(call.request.body, {{"reason", JsonType::kString, true}});
  if (!body) return body.error();
  engine::Command command;
  command.event = engine::kEndMeasure;
  command.measure = call.request.params.at("measure");
  command.reason = StringOr(*body, "reason");
  return command;
}

http::Response TakeMeasure(Call& call) {
  return WithIdempotencyKey(call, [](Call& c) { return ActOnItem(c, TakeCommand); });
}

http::Response EndMeasure(Call& call) {
  return WithIdempotencyKey(call, [](Call& c) { return ActOnItem(c, EndCommand); });
}

}  // namespace

std::vector<Route> MeasureRoutes() {
  return {
      {{"POST", "/api/v1/items/{id}/measures", Access::kSignedIn, true}, TakeMeasure},
      {{"POST", "/api/v1/items/{id}/measures/{measure}/end", Access::kSignedIn, true}, EndMeasure},
  };
}

}  // namespace rectify::api
