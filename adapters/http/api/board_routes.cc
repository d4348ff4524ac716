// The leaders' board (领导看板), its figures computed by the server, never by shipping items:
//   GET /api/v1/board ?campaign= &unit= &as_of=
//
// Over the rectification items (the campaign's `items:` workflow, else `rectification-item`, as
// the summary report counts them) of the chosen unit's subtree (`unit`, else the top of the
// caller's scope, caller_scope.h), and of the campaign when one is named, it answers:
//   totals       items, open, overdue, closed
//   units        per child unit of the chosen unit (its whole subtree), and the chosen unit's own
//                items: items, open, overdue, closed and the open items per escalation level
//                (the bar chart, the heat map, and where a drill-down goes next)
//   days         per working day of the campaign up to as_of (else from the first item's day):
//                open, overdue, closed at the end of the day (the line chart), from the
//                instances' own timestamps: created_at opens, updated_at of an item now in a
//                final state closes, and an item now open counts overdue from the day its current
//                time limit (due_at) ended. So an item reopened, or whose time limit was extended
//                later, is drawn with what it is now; the last point is as of as_of exactly.
//   ranking      the campaign's last assessment, the lines of the units in scope (the ranking
//                report's rule, RankingInScope), or null
//   escalations  the latest escalation steps taken (the audit log), newest first
//
// "Open" is not in a final state; "overdue" is open with its current time limit (the projected
// due_at) ended before as_of. Rows written before the projection (escalation_level -1, until
// `rectify migrate` projects them) are counted in `not_projected` and nowhere else.
//
// The figures are counted from the node's item index (item_index.h: BoardFact, the instances
// table's own columns, fresh as of the request), not by the database: counting 100,000 rows took
// the database 1.3 to 2 s a request (docs/benchmarks.md), the index a few milliseconds. Overdue
// is as of as_of, the request's clock unless given, so it follows the clock as the lists do. Only
// the latest escalations are read from the store (the audit log, ten rows).
#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <set>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/caller_scope.h"
#include "adapters/http/api/item_index.h"
#include "adapters/store/soci/batch.h"
#include "rectify/engine/report_table.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::int64_t kDayMicros = 86400LL * 1000 * 1000;
constexpr int kLatestEscalations = 10;
constexpr int kMaxDays = 800;  // a campaign runs a year; two, with room

std::string Param(const http::Request& req, const char* name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

// A value as an SQL string literal. The values are names from loaded definitions, but quoting
// them keeps the statement what it says whatever they hold.
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string QuotedList(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + Quote(v);
  return out.empty() ? "''" : out;
}

// An integer column. SQLite reports a computed column (COUNT, SUM, CASE) with no declared type,
// which SOCI reads as text; the stored columns come as integers.
std::int64_t Int(const soci::row& r, std::size_t i) {
  if (r.get_indicator(i) != soci::i_null &&
      r.get_properties(i).get_data_type() == soci::dt_string) {
    return std::stoll(r.get<std::string>(i));
  }
  return store_soci::RowInt(r, i);
}

std::string Text(const soci::row& r, std::size_t i) {
  return r.get_indicator(i) == soci::i_null ? std::string() : r.get<std::string>(i);
}

// The units of `root`'s subtree, each with the child of `root` it lies under (root itself: "").
void Subtree(const definition::Org& org, definition::UnitIndex u, const std::string& child,
             std::map<std::string, std::string>& out) {
  out[org.unit(u).id] = child;
  for (auto c : org.unit(u).children) {
    Subtree(org, c, child.empty() ? org.unit(c).id : child, out);
  }
}

struct UnitFigures {
  std::int64_t items = 0, open = 0, overdue = 0, closed = 0;
  std::map<std::int64_t, std::int64_t> levels;  // open items per escalation level
};

json::object FiguresJson(const UnitFigures& f) {
  json::object o{
      {"items", f.items}, {"open", f.open}, {"overdue", f.overdue}, {"closed", f.closed}};
  json::object levels;
  for (const auto& [level, n] : f.levels) levels[std::to_string(level)] = n;
  o["levels"] = std::move(levels);
  return o;
}

http::Response Board(Call& call) {
  const auto& defs = *call.api.options.definitions;
  for (const auto& [key, value] : call.request.query) {
    if (key != "campaign" && key != "unit" && key != "as_of") {
      return ErrorResponse(
          Error::BadInput(key + ": unknown parameter (the board takes campaign, unit, as_of)"));
    }
  }
  auto scope = ScopeOfCaller(call);
  if (!scope) return ErrorResponse(scope.error());

  // The campaign, and the org and items' workflow it decides.
  std::string campaign_id = Param(call.request, "campaign");
  std::shared_ptr<const definition::Campaign> campaign;
  std::shared_ptr<const definition::Org> org = scope->org;
  std::string workflow_name = "rectification-item";
  if (!campaign_id.empty()) {
    campaign = defs.FindCampaign(campaign_id);
    if (!campaign || (!call.caller.admin && campaign->org().info().name != call.caller.org)) {
      return ErrorResponse(Error::NotFound("campaign: no campaign '" + campaign_id + "'"));
    }
    org = campaign->org_ptr();
    if (campaign->items().workflow) workflow_name = campaign->items().workflow->info().name;
  }
  if (!org) {
    return ErrorResponse(Error::BadInput(
        "campaign: required for an administrator of no org (name the campaign whose board to "
        "show)"));
  }
  auto workflow = defs.FindWorkflow(workflow_name);
  if (!workflow) {
    return ErrorResponse(Error::NotFound("workflow '" + workflow_name + "' is not loaded"));
  }
  std::string unit_id = Param(call.request, "unit");
  if (!unit_id.empty()) {
    if (!org->FindUnit(unit_id)) {
      return ErrorResponse(
          Error::BadInput("unit: org " + org->info().name + " has no unit '" + unit_id + "'"));
    }
    if (!scope->Covers(unit_id)) {
      return ErrorResponse(Error::PermissionDenied("unit " + unit_id +
                                                   " is outside your scope; you may ask for " +
                                                   scope->root + " and the units under it"));
    }
  } else {
    unit_id = scope->everything ? org->unit(0).id : scope->root;
  }
  Timestamp as_of = call.now;
  if (std::string text = Param(call.request, "as_of"); !text.empty()) {
    auto t = ParseIso(text);
    if (!t) {
      return ErrorResponse(
          Error::BadInput("as_of: " + t.error().message() +
                          " (write an ISO 8601 instant, e.g. 2017-05-20T10:00:00+08:00)"));
    }
    as_of = *t;
  }
  auto calendar = campaign ? campaign->calendar_ptr() : workflow->calendar();
  if (!calendar) calendar = defs.FindCalendar("cn");
  if (!calendar) return ErrorResponse(Error::NotFound("calendar 'cn' is not loaded"));

  std::map<std::string, std::string> child_of;  // unit of the subtree -> child of the chosen unit
  Subtree(*org, *org->FindUnit(unit_id), "", child_of);
  std::vector<std::string> units;
  for (const auto& kv : child_of) units.push_back(kv.first);
  std::set<std::string> finals;
  for (const auto& s : workflow->states()) {
    if (s.final) finals.insert(s.id);
  }

  // The items counted: the workflow's, in the subtree, of the campaign when one is named, read
  // from the node's item index (item_index.h, fresh as of this request) rather than counted by
  // the database. Each is kept as its group of the line chart below.
  struct Counted {
    bool closed;
    Timestamp created, updated;
    std::optional<Timestamp> due;  // of an open item
  };
  std::vector<Counted> counted;
  std::optional<Timestamp> earliest;  // the first item's creation (the line's start without a
                                      // campaign), over every item counted or not projected
  UnitFigures total;
  std::map<std::string, UnitFigures> by_child;
  std::int64_t not_projected = 0;
  // The index visits a unit's items together: its bar's figures and the last state's finality
  // are looked up once per run rather than per item.
  const std::string* unit_seen = nullptr;
  UnitFigures* bar = nullptr;
  const std::string* state_seen = nullptr;
  bool state_final = false;
  counted.reserve(4096);
  call.api.items->VisitBoard(units, [&](const std::string& unit, const BoardFact& f) {
    if (f.workflow != workflow_name || (campaign && f.campaign != campaign_id)) return;
    if (!earliest || f.created_at < *earliest) earliest = f.created_at;
    if (f.escalation_level < 0) {
      ++not_projected;
      return;
    }
    if (&unit != unit_seen) {
      unit_seen = &unit;
      const std::string& child = child_of[unit];
      bar = &by_child[child.empty() ? unit_id : child];
    }
    if (!state_seen || f.state != *state_seen) {
      state_seen = &f.state;
      state_final = finals.count(f.state) > 0;
    }
    const bool closed = state_final;
    const bool overdue = !closed && f.due_at && *f.due_at < as_of;
    for (UnitFigures* u : {&total, bar}) {
      ++u->items;
      if (closed) {
        ++u->closed;
      } else {
        ++u->open;
        if (overdue) ++u->overdue;
        ++u->levels[f.escalation_level];
      }
    }
    counted.push_back({closed, f.created_at, f.updated_at, closed ? std::nullopt : f.due_at});
  });

  json::object o;
  // The line chart: per working day from the campaign's first (else the first item's) to as_of
  // (at most the campaign's last), open, overdue and closed at the end of the day. An item counts
  // from the day it opened (created_at), as closed from the day it closed (updated_at of an item
  // now final), and as overdue from the day its current time limit (due_at) ended; a time is put
  // on its day by whole days from the first day's start, as the database's count did. The counts
  // are spread over the days by differences, one pass over the items and one over the days.
  Date last = calendar->DateOf(as_of);
  Date first = campaign ? campaign->from() : last;
  if (campaign && campaign->to() < last) last = campaign->to();
  if (!campaign && earliest) first = calendar->DateOf(*earliest);
  if (last - first > std::chrono::days(kMaxDays)) first = last - std::chrono::days(kMaxDays);
  json::array days;
  if (first <= last) {
    const std::int64_t start = ToMicros(calendar->StartOfDay(first));
    const std::int64_t n = (last - first).count() + 1;
    auto day = [&](Timestamp t) -> std::int64_t {
      std::int64_t at = ToMicros(t);
      return at < start ? -1 : (at - start) / kDayMicros;
    };
    // Adds 1 to days [from, to) of `diff` (to = n: to the end), the days before 0 clipped.
    std::vector<std::int64_t> open(n + 1), overdue(n + 1), closed(n + 1);
    auto span = [&](std::vector<std::int64_t>& diff, std::int64_t from, std::int64_t to) {
      from = std::max<std::int64_t>(from, 0);
      to = std::min<std::int64_t>(to, n);
      if (from >= to) return;
      ++diff[from];
      --diff[to];
    };
    for (const Counted& c : counted) {
      std::int64_t opened = day(c.created);
      std::int64_t closed_on = c.closed ? day(c.updated) : n;  // n: not closed in the range
      span(closed, std::max(opened, closed_on), n);
      span(open, opened, closed_on);
      if (c.due) span(overdue, std::max(opened, day(*c.due)), closed_on);
    }
    std::int64_t o_run = 0, d_run = 0, c_run = 0;
    const Date today = calendar->DateOf(as_of);
    for (Date d = first; d <= last; d += std::chrono::days(1)) {
      std::int64_t i = (d - first).count();
      o_run += open[i];
      d_run += overdue[i];
      c_run += closed[i];
      auto work = calendar->IsWorkday(d);
      if (!work || !*work) continue;  // a day the calendar does not know is left out
      json::object point{{"day", FormatDate(d)}};
      bool now = d == today;  // the last point is as of as_of exactly
      point["open"] = now ? total.open : o_run;
      point["overdue"] = now ? total.overdue : d_run;
      point["closed"] = now ? total.closed : c_run;
      days.push_back(std::move(point));
    }
  }
  o["days"] = std::move(days);

  // The latest escalation steps: read from the audit log (the index keeps no history), ten rows.
  std::string where = " WHERE i.workflow = " + Quote(workflow_name) + " AND i.unit_id IN (" +
                      QuotedList(units) + ")";
  if (campaign) where += " AND i.campaign = " + Quote(campaign_id);
  try {
    soci::session& sql = call.db.side->session();
    json::array escalations;
    std::string eq =
        "SELECT a.instance_id, a.at, a.data, i.unit_id FROM audit_log a JOIN instances i ON "
        "i.id = a.instance_id" +
        where +
        " AND a.event = 'escalate' ORDER BY a.at DESC, "
        "a.instance_id, a.seq DESC LIMIT " +
        std::to_string(kLatestEscalations);
    soci::rowset<soci::row> e = sql.prepare << eq;
    for (const auto& r : e) {
      json::object step{{"item", Text(r, 0)},
                        {"at", calendar->FormatLocal(FromMicros(Int(r, 1)))},
                        {"unit", Text(r, 3)}};
      if (auto u = org->FindUnit(Text(r, 3))) step["unit_name"] = org->unit(*u).name;
      json::error_code ec;
      json::value data = json::parse(Text(r, 2), ec);
      if (!ec && data.is_object()) {
        for (const char* k : {"level", "measure", "step", "chain", "task"}) {
          if (const auto* v = data.as_object().if_contains(k)) step[k] = *v;
        }
      }
      escalations.push_back(std::move(step));
    }
    o["escalations"] = std::move(escalations);
  } catch (const std::exception& ex) {
    return ErrorResponse(call.db.side->MapError(ex, "read the board"));
  }

  json::array unit_rows;
  const auto& chosen = org->unit(*org->FindUnit(unit_id));
  auto add_row = [&](const definition::Unit& u, bool own) {
    auto it = by_child.find(u.id);
    if (own && it == by_child.end()) return;  // the chosen unit holds no items of its own
    json::object row{{"unit", u.id},
                     {"name", u.name},
                     {"kind", u.kind},
                     {"own", own},
                     {"has_children", !own && !u.children.empty()}};
    json::object f = FiguresJson(it == by_child.end() ? UnitFigures() : it->second);
    for (auto& kv : f) row[kv.key()] = kv.value();
    unit_rows.push_back(std::move(row));
  };
  add_row(chosen, true);
  for (auto c : chosen.children) add_row(org->unit(c), false);

  o["campaign"] = campaign ? json::value(campaign_id) : json::value(nullptr);
  o["workflow"] = workflow_name;
  o["unit"] = unit_id;
  o["unit_name"] = chosen.name;
  if (chosen.parent != definition::kNoIndex && scope->Covers(org->unit(chosen.parent).id)) {
    o["parent"] = org->unit(chosen.parent).id;  // where a drill-up goes
  } else {
    o["parent"] = nullptr;
  }
  o["as_of"] = calendar->FormatLocal(as_of);
  json::object totals = FiguresJson(total);
  totals["not_projected"] = not_projected;
  o["totals"] = std::move(totals);
  o["units"] = std::move(unit_rows);

  o["ranking"] = nullptr;
  if (campaign) {
    auto assessed = engine::LastAssessment(*call.db.store, campaign_id);
    if (!assessed && assessed.error().code() != ErrorCode::kNotFound) {
      return ErrorResponse(assessed.error());
    }
    if (assessed && *assessed) o["ranking"] = RankingInScope(*scope, **assessed);
  }
  return JsonResponse(200, o);
}

}  // namespace

std::vector<Route> BoardRoutes() {
  std::vector<Route> routes = {
      {{"GET", "/api/v1/board", Access::kSignedIn, false}, Board},
  };
  for (Route& r : routes) r.info.heavy = true;  // aggregates over every item of the scope
  return routes;
}

}  // namespace rectify::api
