// Reports, the same figures as `rectify report overdue|summary` and the ranking that
// `rectify campaign show` prints (engine/report.h, report_table.h), over the caller's units:
//   GET /api/v1/reports/overdue   ?campaign= &unit= &as_of= &format=json|csv|xlsx
//   GET /api/v1/reports/summary   ?campaign= &unit= &as_of= &format=
//   GET /api/v1/reports/ranking   ?campaign= (required) &format=
//
// A caller's report covers their scope (caller_scope.h: their unit and the units under it, the
// county for its functional bodies, everything for an administrator); `unit` narrows it to a
// unit inside that scope. The ranking is the last assessment the campaign's run recorded, with
// the lines of the units in scope (their rank is their place in the whole ranking).
#include <boost/json.hpp>
#include <set>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/caller_scope.h"
#include "adapters/http/api/item_index.h"
#include "adapters/http/api/response_cache.h"
#include "adapters/http/api/table_output.h"
#include "rectify/engine/report.h"
#include "rectify/engine/report_table.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

Status OnlyKnown(const http::Request& req, const std::vector<std::string>& known) {
  for (const auto& [key, value] : req.query) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    return Error::BadInput(key + ": unknown parameter (this report takes " + list + ")");
  }
  return OkStatus();
}

std::string Param(const http::Request& req, const char* name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

// "2017-05-20T10:00:00+08:00" on the county's calendar.
std::string Local(const Call& call, Timestamp t) {
  auto cn = call.api.options.definitions->FindCalendar("cn");
  return cn ? cn->FormatLocal(t) : FormatIso(t);
}

// The query of a report: the caller's scope, narrowed by `unit`, and `campaign` and `as_of`.
struct Query {
  engine::ReportQuery report;
  TableFormat format = TableFormat::kJson;
};

Result<Query> ReadQuery(const MemoryCall& call) {
  if (Status s = OnlyKnown(call.request, {"campaign", "unit", "as_of", "format"}); !s) {
    return s.error();
  }
  Query q;
  auto format = RequestedFormat(call.request);
  if (!format) return format.error();
  q.format = *format;
  const definition::DefinitionSet& defs = *call.api.options.definitions;
  if (std::string unit = Param(call.request, "unit"); unit.empty()) {
    // The whole scope: its top unit alone is needed (the index counts the units under it).
    auto root = ScopeRootOfCaller(call.caller, defs);
    if (!root) return root.error();
    q.report.unit = *root;
  } else {
    auto scope = ScopeOfCaller(call.caller, defs);
    if (!scope) return scope.error();
    auto in_scope = UnitInScope(*scope, unit);
    if (!in_scope) return in_scope.error();
    q.report.unit = *in_scope;
  }
  std::string campaign = Param(call.request, "campaign");
  if (!campaign.empty()) {
    if (!call.api.options.definitions->FindCampaign(campaign)) {
      return Error::BadInput("campaign: no campaign '" + campaign + "' is loaded");
    }
    q.report.campaign = campaign;
  }
  q.report.as_of = call.now;
  if (std::string as_of = Param(call.request, "as_of"); !as_of.empty()) {
    auto t = ParseIso(as_of);
    if (!t) {
      return Error::BadInput("as_of: " + t.error().message() +
                             " (write an ISO 8601 instant, e.g. 2017-05-20T10:00:00+08:00)");
    }
    q.report.as_of = *t;
  }
  return q;
}

std::string FileName(const char* report, const Call& call, const Query& q) {
  std::string name = std::string(report);
  if (q.report.campaign) name += "-" + *q.report.campaign;
  return name + "-" + Local(call, q.report.as_of).substr(0, 10);
}

http::Response Overdue(Call& call) {
  auto q = ReadQuery(InMemory(call));
  if (!q) return ErrorResponse(q.error());
  auto rows = engine::OverdueReport(*call.db.store, *call.api.options.definitions, q->report);
  if (!rows) return ErrorResponse(rows.error());
  json::array items;
  for (const auto& r : *rows) items.push_back(engine::ToJson(r));
  json::object o{{"as_of", Local(call, q->report.as_of)}, {"items", std::move(items)}};
  return TableResponse(q->format, o, engine::OverdueTable(*rows), FileName("overdue", call, *q));
}

// What decides the summary besides the index and the clock: the scope the caller's access gave
// (the unit it narrowed to, or everything), the campaign, the format, and as_of when one was asked
// for. Every caller with the same scope shares the answer.
std::string SummaryKey(const http::Request& request, const Query& q) {
  const bool at_now = Param(request, "as_of").empty();
  return "summary\x1f" + q.report.unit.value_or("*") + '\x1f' + q.report.campaign.value_or("*") +
         '\x1f' + std::to_string(static_cast<int>(q.format)) + '\x1f' +
         (at_now ? std::string("now") : FormatIso(q.report.as_of));
}

// The summary's kept answer, when valid: sent from memory (Route::kept).
std::optional<http::Response> KeptSummary(const MemoryCall& call) {
  auto q = ReadQuery(call);
  if (!q) return std::nullopt;
  return KeptAnswer(call, SummaryKey(call.request, *q));
}

http::Response SummaryRoute(Call& call) {
  auto q = ReadQuery(InMemory(call));
  if (!q) return ErrorResponse(q.error());
  const bool at_now = Param(call.request, "as_of").empty();
  const std::string key = SummaryKey(call.request, *q);
  ResponseCache& answers = *call.api.answers;
  ResponseCache::Validity valid{call.api.items->generation(), call.now, std::nullopt};
  if (auto kept = answers.Find(key, valid.generation, call.now)) {
    return Answered(call.request, kept);
  }
  // From the node's item index (item_index.h), up to date with what was committed before this
  // request came: the same fold as `rectify report summary`, without reading every instance.
  std::optional<Timestamp> next_change;
  auto sum = call.api.items->Summarize(q->report, &next_change);
  if (!sum) return ErrorResponse(sum.error());
  if (at_now) {
    // As of now, the answer moves with the clock: its counts at next_change, and its as_of (and
    // a file's name) with the second it is written to.
    if (next_change) valid.Earlier(*next_change);
    valid.Earlier(std::chrono::floor<std::chrono::seconds>(call.now) + std::chrono::seconds(1));
  }  // else it is the same at any hour asked
  json::object o{{"as_of", Local(call, q->report.as_of)}};
  json::value counts = engine::ToJson(*sum);
  for (const auto& kv : counts.as_object()) o[kv.key()] = kv.value();
  return Answered(call.request, answers.Put(key, valid,
                                            TableResponse(q->format, o, engine::SummaryTable(*sum),
                                                          FileName("summary", call, *q))));
}

http::Response Ranking(Call& call) {
  if (Status s = OnlyKnown(call.request, {"campaign", "format"}); !s)
    return ErrorResponse(s.error());
  auto format = RequestedFormat(call.request);
  if (!format) return ErrorResponse(format.error());
  std::string campaign = Param(call.request, "campaign");
  if (campaign.empty()) {
    return ErrorResponse(
        Error::BadInput("campaign: required (the campaign whose ranking to show)"));
  }
  auto scope = ScopeOfCaller(call);
  if (!scope) return ErrorResponse(scope.error());
  auto def = call.api.options.definitions->FindCampaign(campaign);
  if (!def || (!call.caller.admin && def->org().info().name != call.caller.org)) {
    return ErrorResponse(Error::NotFound("no campaign '" + campaign + "'"));
  }
  auto last = engine::LastAssessment(*call.db.store, campaign);
  if (!last) return ErrorResponse(last.error());
  json::object o{{"campaign", campaign}};
  json::object in_scope =
      *last
          ? RankingInScope(*scope, **last)
          : json::object{{"assessment", nullptr}, {"period", nullptr}, {"ranking", json::array()}};
  for (const auto& kv : in_scope) o[kv.key()] = kv.value();
  return TableResponse(*format, o, engine::RankingTable(in_scope), "ranking-" + campaign);
}

}  // namespace

json::object RankingInScope(const CallerScope& scope, const json::object& a) {
  json::object o;
  o["assessment"] = a.contains("assessment") ? a.at("assessment") : json::value(nullptr);
  o["period"] = a.contains("period") ? a.at("period") : json::value(nullptr);
  json::array ranking;
  if (const auto* rows = a.if_contains("ranking"); rows && rows->is_array()) {
    for (const auto& r : rows->as_array()) {
      const auto* unit = r.is_object() ? r.as_object().if_contains("unit") : nullptr;
      if (unit && unit->is_string() && scope.Covers(std::string(unit->as_string()))) {
        ranking.push_back(r);
      }
    }
  }
  o["ranking"] = std::move(ranking);
  return o;
}

std::vector<Route> ReportRoutes() {
  std::vector<Route> routes = {
      {{"GET", "/api/v1/reports/overdue", Access::kSignedIn, false}, Overdue},
      {{"GET", "/api/v1/reports/summary", Access::kSignedIn, false}, SummaryRoute, KeptSummary},
      {{"GET", "/api/v1/reports/ranking", Access::kSignedIn, false}, Ranking},
  };
  // The overdue report and the ranking read every item of the scope from the store; the summary
  // is folded from the item index in memory, and is kept, so it runs with the item routes.
  routes[0].info.heavy = true;
  routes[2].info.heavy = true;
  return routes;
}

}  // namespace rectify::api
