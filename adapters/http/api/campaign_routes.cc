// Campaigns (engine/campaign.h):
//   GET  /api/v1/campaigns              the campaigns of the caller's org: state, current phase
//   GET  /api/v1/campaigns/{id}         one: phases, checkpoints, and per unit of the caller's
//                                       scope its items, open and overdue counts and what falls
//                                       due at each checkpoint that applies to it
//   POST /api/v1/campaigns/{id}/start   starts its run (administrators; a second start is 409)
//
// A campaign of another org is answered as one that does not exist (404). Starting is what
// `rectify campaign start` does (engine::StartCampaign at the server's clock); the run's audit
// row records the administrator, channel api and the request id.
#include <boost/json.hpp>
#include <map>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/caller_scope.h"
#include "rectify/engine/access.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/engine/item_view.h"

namespace rectify::api {
namespace {

namespace json = boost::json;
using definition::Campaign;

// The campaign the path names, if the caller's org runs it (an administrator sees every one).
Result<std::shared_ptr<const Campaign>> FindVisible(const Call& call, const std::string& name) {
  auto c = call.api.options.definitions->FindCampaign(name);
  if (!c || (!call.caller.admin && c->org().info().name != call.caller.org)) {
    return Error::NotFound("no campaign '" + name + "'");
  }
  return c;
}

// The run of a campaign, when it was started.
Result<std::optional<engine::Instance>> LoadRun(Call& call, const std::string& name) {
  auto run = call.db.engine->Load(engine::CampaignInstanceId(name));
  if (run) return std::optional<engine::Instance>(std::move(*run));
  if (run.error().code() == ErrorCode::kNotFound) return std::optional<engine::Instance>();
  return run.error();
}

// The local day of `now` on the campaign's calendar.
Date Today(const Campaign& c, Timestamp now) {
  auto local = c.calendar().FormatLocal(now);
  auto d = ParseDate(local.substr(0, 10));
  return d ? *d : c.from();
}

json::object Brief(const Campaign& c, const std::optional<engine::Instance>& run, Timestamp now) {
  json::object o;
  o["id"] = c.info().name;
  o["title"] = c.info().title;
  o["version"] = c.info().version;
  o["org"] = c.org().info().name;
  o["from"] = FormatDate(c.from());
  o["to"] = FormatDate(c.to());
  o["started"] = run.has_value();
  o["state"] = run ? run->record.state
                   : std::string(engine::CampaignStateName(engine::CampaignState::kDraft));
  // The run's phase once started (what its timers last fired); before, or until its first phase
  // timer fires, the phase today falls in.
  std::string phase = run ? run->Field("phase") : std::string();
  if (phase.empty()) {
    if (const auto* p = c.PhaseAt(Today(c, now))) phase = p->id;
  }
  o["phase"] = phase.empty() ? json::value(nullptr) : json::value(phase);
  o["started_at"] = run ? json::value(run->Field("started_at")) : json::value(nullptr);
  return o;
}

http::Response ListCampaigns(Call& call) {
  if (!call.request.query.empty()) {
    return ErrorResponse(Error::BadInput(call.request.query.begin()->first +
                                         ": unknown parameter (campaigns take none)"));
  }
  std::map<std::string, int> latest;
  for (const auto& info : call.api.options.definitions->All()) {
    if (info.kind != definition::Kind::kCampaign) continue;
    latest[info.name] = std::max(latest[info.name], info.version);
  }
  json::array out;
  for (const auto& [name, version] : latest) {
    auto c = FindVisible(call, name);
    if (!c) continue;
    auto run = LoadRun(call, name);
    if (!run) return ErrorResponse(run.error());
    out.push_back(Brief(**c, *run, call.now));
  }
  return JsonResponse(200, json::object{{"campaigns", std::move(out)}});
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

bool Applies(const std::vector<std::string>& kinds, const std::string& kind) {
  return kinds.empty() || std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

// One unit's line: its items, and what is due at the checkpoints that apply to it.
struct UnitLine {
  std::int64_t items = 0, open = 0, overdue = 0;
  json::array overdue_items;
  std::map<std::string, json::object> opened;  // id -> an instance the campaign opened for it
};

http::Response GetCampaign(Call& call) {
  const std::string& name = call.request.params.at("id");
  auto c = FindVisible(call, name);
  if (!c) return ErrorResponse(c.error());
  const Campaign& campaign = **c;
  auto run = LoadRun(call, name);
  if (!run) return ErrorResponse(run.error());
  auto scope = ScopeOfCaller(call);
  if (!scope) return ErrorResponse(scope.error());
  const definition::Org& org = campaign.org();
  json::object o = Brief(campaign, *run, call.now);
  Date today = Today(campaign, call.now);
  json::array phases;
  for (const auto& p : campaign.phases()) {
    phases.push_back(json::object{{"id", p.id},
                                  {"title", p.title},
                                  {"from", FormatDate(p.from)},
                                  {"to", FormatDate(p.to)},
                                  {"current", !(today < p.from) && !(p.to < today)}});
  }
  o["phases"] = std::move(phases);
  json::array checkpoints;
  for (const auto& k : campaign.checkpoints()) {
    checkpoints.push_back(json::object{{"id", k.id},
                                       {"title", k.title},
                                       {"kind", definition::CheckpointKindName(k.kind)},
                                       {"from", FormatDate(k.from)},
                                       {"to", FormatDate(k.to)},
                                       {"applies_to", Strings(k.applies_to)}});
  }
  o["checkpoints"] = std::move(checkpoints);
  if (*run) {
    std::vector<engine::PendingTimer> pending = (*run)->timers;
    std::stable_sort(pending.begin(), pending.end(),
                     [](const auto& a, const auto& b) { return a.due < b.due; });
    json::array next;
    for (const auto& t : pending) {
      next.push_back(
          json::object{{"timer", t.name}, {"at", campaign.calendar().FormatLocal(t.due)}});
    }
    o["pending"] = std::move(next);
  } else {
    o["pending"] = json::array();
  }

  // The campaign's items in the caller's units, a page of the store at a time.
  std::map<std::string, UnitLine> lines;
  InstanceFilter filter;
  filter.campaign = name;
  Status listed = engine::ForEachInstancePage(
      *call.db.store, filter, [&](std::vector<InstanceRecord>& page) -> Result<bool> {
        for (const auto& record : page) {
          if (!scope->Covers(record.unit_id)) continue;
          auto inst = engine::InstanceOf(record);
          if (!inst) return inst.error();
          if (!inst->parent.empty()) continue;  // follow-up tasks are not the unit's items
          auto bound = call.db.engine->interpreter().Bind(*inst);
          if (!bound) continue;
          UnitLine& line = lines[record.unit_id];
          const auto& wf = *bound->workflow;
          auto state = wf.FindState(record.state);
          bool open = !state || !wf.state(*state).final;
          engine::DeadlineView d = engine::ViewDeadline(bound->calendar, *inst, call.now);
          json::object brief{{"id", record.id},
                             {"title", inst->title},
                             {"workflow", record.workflow},
                             {"state", record.state},
                             {"due", d.has ? json::value(FormatDate(d.due)) : json::value(nullptr)},
                             {"overdue", d.has && d.overdue}};
          if (campaign.items().workflow &&
              record.workflow == campaign.items().workflow->info().name) {
            ++line.items;
            line.open += open ? 1 : 0;
          } else {
            line.opened[record.id] = brief;
          }
          if (d.has && d.overdue) {
            ++line.overdue;
            line.overdue_items.push_back(std::move(brief));
          }
        }
        return true;
      });
  if (!listed) return ErrorResponse(listed.error());

  json::array units;
  for (std::size_t i = 0; i < org.units().size(); ++i) {
    const auto& u = org.units()[i];
    if (!scope->Covers(u.id)) continue;
    UnitLine& line = lines[u.id];
    json::array due;
    for (const auto& k : campaign.checkpoints()) {
      if (!Applies(k.applies_to, u.kind)) continue;
      json::object at{{"checkpoint", k.id},
                      {"title", k.title},
                      {"kind", definition::CheckpointKindName(k.kind)},
                      {"from", FormatDate(k.from)},
                      {"due", FormatDate(k.to)},
                      {"passed", k.to < today}};
      if (k.workflow) {
        // A submission opens one instance per unit, named campaign/checkpoint/unit.
        auto it = line.opened.find(name + "/" + k.id + "/" + u.id);
        at["item"] = it == line.opened.end() ? json::value(nullptr) : json::value(it->second);
      }
      due.push_back(std::move(at));
    }
    units.push_back(json::object{{"unit", u.id},
                                 {"name", u.name},
                                 {"kind", u.kind},
                                 {"items", line.items},
                                 {"open", line.open},
                                 {"overdue", line.overdue},
                                 {"overdue_items", std::move(line.overdue_items)},
                                 {"checkpoints", std::move(due)}});
  }
  o["units"] = std::move(units);
  return JsonResponse(200, o);
}

http::Response StartRoute(Call& call) {
  const std::string& name = call.request.params.at("id");
  auto c = FindVisible(call, name);
  if (!c) return ErrorResponse(c.error());
  if (!call.request.body.empty()) {
    std::string_view body = call.request.body;
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.front()))) {
      body.remove_prefix(1);
    }
    if (!body.empty() && body != "{}") {
      return ErrorResponse(Error::BadInput("the body: send none, or {} (start takes no fields)"));
    }
  }
  auto run = engine::StartCampaign(
      *call.db.engine, name, (*c)->info().version,
      {.actor = call.caller.person, .channel = "api", .request_id = call.request_id});
  if (!run) {
    if (run.error().code() == ErrorCode::kUniqueViolation) {
      return http::Response::Error(409, "conflict",
                                   "campaign " + name +
                                       " was started before; GET /api/v1/campaigns/" + name +
                                       " shows where it stands");
    }
    return ErrorResponse(run.error());
  }
  std::optional<engine::Instance> started(std::move(*run));
  return JsonResponse(201, Brief(**c, started, call.now));
}

}  // namespace

std::vector<Route> CampaignRoutes() {
  return {
      {{"GET", "/api/v1/campaigns", Access::kSignedIn, false}, ListCampaigns},
      {{"GET", "/api/v1/campaigns/{id}", Access::kSignedIn, false}, GetCampaign},
      {{"POST", "/api/v1/campaigns/{id}/start", Access::kAdmin, true}, StartRoute},
  };
}

}  // namespace rectify::api
