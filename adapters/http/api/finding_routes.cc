// Findings of inspection rounds (rectify/engine/findings.h):
//   GET  /api/v1/campaigns/{id}/rounds/{round}/findings   the round's findings the caller may
//                                                          read, each with the item it opened
//                                                          and where that item stands
//   POST /api/v1/campaigns/{id}/rounds/{round}/findings   an inspector records a draft finding
//   POST /api/v1/findings/{id}/confirm                     confirms it (or a public report being
//                                                          checked) and opens its item, in one
//                                                          transaction
//   POST /api/v1/findings/{id}/dismiss                     dismisses it, with the reason
//
// Who may do what is the engine's decision (the findings workflow's `record`, `confirm` and
// `dismiss`), as for the CLI's `rectify finding`; a finding or a campaign the caller may not read
// is answered as one that does not exist (404). Every write is audited with channel api and the
// request's id.
#include <boost/json.hpp>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/json_input.h"
#include "rectify/calendar/calendar.h"
#include "rectify/engine/access.h"
#include "rectify/engine/findings.h"
#include "rectify/engine/item_view.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

engine::Reader ReaderOf(const Caller& c) { return {c.person, c.org, c.admin}; }

// Whether the caller may read `inst` (engine::MayRead on the definitions it is bound to).
bool CanRead(Call& call, const engine::Instance& inst) {
  auto bound = call.db.engine->interpreter().Bind(inst);
  return bound && engine::MayRead(*bound->org, *bound->workflow, inst, ReaderOf(call.caller));
}

// The campaign the path names, if the caller's org runs it (as campaign_routes.cc answers).
Result<std::shared_ptr<const definition::Campaign>> VisibleCampaign(const Call& call) {
  const std::string& name = call.request.params.at("id");
  auto c = call.api.options.definitions->FindCampaign(name);
  if (!c || (!call.caller.admin && c->org().info().name != call.caller.org)) {
    return Error::NotFound("no campaign '" + name + "'");
  }
  return c;
}

json::value ItemBrief(Call& call, const engine::Instance& item) {
  json::object o{{"id", item.record.id}, {"unit", item.record.unit_id}};
  auto bound = call.db.engine->interpreter().Bind(item);
  if (!bound || !engine::MayRead(*bound->org, *bound->workflow, item, ReaderOf(call.caller))) {
    return o;  // the link only: the caller may not read the item itself
  }
  const auto& wf = *bound->workflow;
  o["state"] = item.record.state;
  auto state = wf.FindState(item.record.state);
  o["state_title"] = state ? wf.state(*state).title : std::string();
  auto d = engine::ViewDeadline(bound->calendar, item, call.now);
  o["due"] = d.has ? json::value(FormatDate(d.due)) : json::value(nullptr);
  o["overdue"] = d.has && d.overdue;
  o["href"] = "/api/v1/items/" + item.record.id;
  return o;
}

json::object FindingJson(Call& call, const engine::Instance& f,
                         const std::optional<engine::Instance>& item) {
  auto bound = call.db.engine->interpreter().Bind(f);
  const Calendar* cal = bound ? bound->calendar : nullptr;
  auto local = [&](Timestamp t) { return cal ? cal->FormatLocal(t) : FormatIso(t); };
  json::object o{{"id", f.record.id},
                 {"campaign", f.origin.campaign},
                 {"round", f.origin.round},
                 {"unit", f.record.unit_id},
                 {"title", f.title},
                 {"location", f.Field("location")},
                 {"found_by", f.origin.found_by},
                 {"found_at", local(f.origin.found_at)},
                 {"recorded_by", f.origin.recorded_by},
                 {"state", f.record.state},
                 {"time_limit", f.Field("time_limit")},
                 {"version", f.record.version}};
  if (bound) {
    const auto& wf = *bound->workflow;
    auto state = wf.FindState(f.record.state);
    o["state_title"] = state ? wf.state(*state).title : std::string();
  }
  json::array evidence;
  for (const auto& e : f.evidence) evidence.push_back(json::string(e.text));
  o["evidence"] = std::move(evidence);
  if (item) {
    o["item"] = ItemBrief(call, *item);
  } else if (!f.origin.opened.empty()) {
    o["item"] = json::object{{"id", f.origin.opened}};
  } else {
    o["item"] = nullptr;
  }
  o["href"] = "/api/v1/items/" + f.record.id;
  return o;
}

std::vector<std::string> Strings(const json::object& body, const char* name) {
  std::vector<std::string> out;
  if (const auto* v = body.if_contains(name)) {
    for (const auto& s : v->as_array()) out.emplace_back(s.as_string());
  }
  return out;
}

http::Response ListRound(Call& call) {
  auto c = VisibleCampaign(call);
  if (!c) return ErrorResponse(c.error());
  const std::string& round = call.request.params.at("round");
  if (auto r = engine::FindRound(**c, round); !r) return ErrorResponse(r.error());
  auto found = engine::ListFindings(*call.db.store, (*c)->info().name, round);
  if (!found) return ErrorResponse(found.error());
  json::array out;
  for (const auto& v : *found) {
    if (!CanRead(call, v.finding)) continue;
    out.push_back(FindingJson(call, v.finding, v.item));
  }
  return JsonResponse(
      200, json::object{
               {"campaign", (*c)->info().name}, {"round", round}, {"findings", std::move(out)}});
}

http::Response Record(Call& call) {
  auto c = VisibleCampaign(call);
  if (!c) return ErrorResponse(c.error());
  auto body = ParseObject(call.request.body, {{"unit", JsonType::kString, true},
                                              {"title", JsonType::kString, true},
                                              {"location", JsonType::kString, false},
                                              {"found_by", JsonType::kString, false},
                                              {"time_limit", JsonType::kString, false},
                                              {"responsible", JsonType::kString, false},
                                              {"special_action", JsonType::kString, false},
                                              {"evidence", JsonType::kStringArray, false}});
  if (!body) return ErrorResponse(body.error());
  engine::NewFinding f;
  f.campaign = (*c)->info().name;
  f.round = call.request.params.at("round");
  f.unit = StringOr(*body, "unit");
  f.title = StringOr(*body, "title");
  f.location = StringOr(*body, "location");
  f.found_by = StringOr(*body, "found_by");
  f.time_limit = StringOr(*body, "time_limit");
  f.responsible = StringOr(*body, "responsible");
  f.special_action = StringOr(*body, "special_action");
  f.evidence = Strings(*body, "evidence");
  f.actor = call.caller.person;
  f.channel = "api";
  f.request_id = call.request_id;
  if (f.actor.empty()) {
    return ErrorResponse(Error::PermissionDenied(
        "findings are recorded by an inspector of the org; sign in as one"));
  }
  auto done = engine::RecordFinding(*call.db.engine, f);
  if (!done) return ErrorResponse(done.error());
  auto r = JsonResponse(201, FindingJson(call, *done, std::nullopt));
  r.headers.emplace_back("Location", "/api/v1/items/" + done->record.id);
  return r;
}

// The finding (or report) the path names, if the caller may read it; else 404 as for none.
Result<engine::Instance> FindVisible(Call& call) {
  const std::string& id = call.request.params.at("id");
  auto inst = call.db.engine->Load(id);
  if (!inst || !CanRead(call, *inst)) {
    if (!inst && inst.error().code() != ErrorCode::kNotFound) return inst.error();
    return Error::NotFound("no finding '" + id + "'");
  }
  return std::move(*inst);
}

http::Response Confirm(Call& call) {
  auto f = FindVisible(call);
  if (!f) return ErrorResponse(f.error());
  auto body = ParseObject(call.request.body, {{"item", JsonType::kString, false},
                                              {"time_limit", JsonType::kString, false},
                                              {"responsible", JsonType::kString, false},
                                              {"unit", JsonType::kString, false},
                                              {"campaign", JsonType::kString, false},
                                              {"evidence", JsonType::kStringArray, false}});
  if (!body) return ErrorResponse(body.error());
  engine::Confirmation cf;
  cf.source = f->record.id;
  cf.actor = call.caller.person;
  cf.item_id = StringOr(*body, "item");
  cf.time_limit = StringOr(*body, "time_limit");
  cf.responsible = StringOr(*body, "responsible");
  cf.unit = StringOr(*body, "unit");
  cf.campaign = StringOr(*body, "campaign");
  cf.evidence = Strings(*body, "evidence");
  cf.channel = "api";
  cf.request_id = call.request_id;
  if (cf.actor.empty()) {
    return ErrorResponse(Error::PermissionDenied(
        "findings are confirmed by the role their workflow names; sign in as one"));
  }
  auto done = engine::ConfirmFinding(*call.db.engine, cf);
  if (!done) return ErrorResponse(done.error());
  json::object out = FindingJson(call, done->source, done->item);
  auto r = JsonResponse(201, out);
  r.headers.emplace_back("Location", "/api/v1/items/" + done->item.record.id);
  return r;
}

http::Response Dismiss(Call& call) {
  auto f = FindVisible(call);
  if (!f) return ErrorResponse(f.error());
  auto body = ParseObject(call.request.body, {{"reason", JsonType::kString, true}});
  if (!body) return ErrorResponse(body.error());
  if (call.caller.person.empty()) {
    return ErrorResponse(Error::PermissionDenied(
        "findings are dismissed by the role their workflow names; sign in as one"));
  }
  auto done = engine::DismissFinding(*call.db.engine, f->record.id, call.caller.person,
                                     StringOr(*body, "reason"), "api", call.request_id);
  if (!done) return ErrorResponse(done.error());
  return JsonResponse(200, FindingJson(call, *done, std::nullopt));
}

}  // namespace

std::vector<Route> FindingRoutes() {
  return {
      {{"GET", "/api/v1/campaigns/{id}/rounds/{round}/findings", Access::kSignedIn, false},
       ListRound},
      {{"POST", "/api/v1/campaigns/{id}/rounds/{round}/findings", Access::kSignedIn, true},
       [](Call& call) { return WithIdempotencyKey(call, Record); }},
      {{"POST", "/api/v1/findings/{id}/confirm", Access::kSignedIn, true},
       [](Call& call) { return WithIdempotencyKey(call, Confirm); }},
      {{"POST", "/api/v1/findings/{id}/dismiss", Access::kSignedIn, true},
       [](Call& call) { return WithIdempotencyKey(call, Dismiss); }},
  };
}

}  // namespace rectify::api
