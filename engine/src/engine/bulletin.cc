// Bulletins' content, outline and HTML (bulletin.h).
#include "rectify/engine/bulletin.h"

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "rectify/engine/access.h"
#include "rectify/engine/assessment.h"
#include "rectify/engine/bulletin_access.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/findings.h"
#include "rectify/engine/item_view.h"
#include "rectify/html.h"

namespace rectify::engine {
namespace {

namespace json = boost::json;

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return "";
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  return "";
}

std::int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

const json::object& Obj(const json::object& o, std::string_view key) {
  static const json::object kEmpty;
  const json::value* v = o.if_contains(key);
  return v && v->is_object() ? v->as_object() : kEmpty;
}

const json::array& Arr(const json::object& o, std::string_view key) {
  static const json::array kEmpty;
  const json::value* v = o.if_contains(key);
  return v && v->is_array() ? v->as_array() : kEmpty;
}

definition::UnitIndex Root(const definition::Org& org) {
  for (std::size_t i = 0; i < org.units().size(); ++i) {
    if (org.units()[i].parent == definition::kNoIndex) return static_cast<definition::UnitIndex>(i);
  }
  return 0;
}

// The units in scope: each of `scope` a unit id or a unit kind; none: the campaign's kinds, else
// the top unit's direct children (the townships and departments of a county).
Result<std::vector<definition::UnitIndex>> ScopeUnits(const definition::Campaign& c,
                                                      const std::vector<std::string>& scope) {
  const definition::Org& org = c.org();
  std::vector<definition::UnitIndex> out;
  auto add = [&](definition::UnitIndex u) {
    if (std::find(out.begin(), out.end(), u) == out.end()) out.push_back(u);
  };
  const std::vector<std::string>& named = scope.empty() ? c.bulletins().scope : scope;
  for (const std::string& s : named) {
    if (auto u = org.FindUnit(s)) {
      add(*u);
      continue;
    }
    auto of_kind = org.UnitsOfKind(s);
    if (of_kind.empty()) {
      return Error::NotFound(
          "org " + org.info().name + " has no unit or unit kind '" + s +
          "'; name units by id (jinhe) or kinds (township), separated by commas");
    }
    for (auto u : of_kind) add(u);
  }
  if (named.empty()) {
    for (auto u : org.unit(Root(org)).children) add(u);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The unit of `scope` that `unit` lies in; kNoIndex when none.
definition::UnitIndex InScope(const definition::Org& org,
                              const std::vector<definition::UnitIndex>& scope,
                              const std::string& unit) {
  auto u = org.FindUnit(unit);
  if (!u) return definition::kNoIndex;
  for (auto s : scope) {
    if (org.Within(*u, s)) return s;
  }
  return definition::kNoIndex;
}

// A per-unit tally for one part of the bulletin, in org order.
struct UnitTally {
  std::map<definition::UnitIndex, json::array> rows;
  json::object Json(const definition::Org& org) const {
    json::array units;
    std::int64_t total = 0;
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> kinds;  // units, rows
    for (const auto& [u, list] : rows) {
      const definition::Unit& unit = org.unit(u);
      units.push_back(json::object{{"unit", unit.id},
                                   {"name", unit.name},
                                   {"kind", unit.kind},
                                   {"count", static_cast<std::int64_t>(list.size())},
                                   {"rows", list}});
      total += static_cast<std::int64_t>(list.size());
      kinds[unit.kind].first += 1;
      kinds[unit.kind].second += static_cast<std::int64_t>(list.size());
    }
    json::array by_kind;
    for (const auto& [kind, n] : kinds) {
      by_kind.push_back(json::object{{"kind", kind}, {"units", n.first}, {"count", n.second}});
    }
    return json::object{{"total", total}, {"units", std::move(units)}, {"by_kind", by_kind}};
  }
};

// The ranking of the latest published period of the campaign's assessments, from its run's
// audit rows; null when none was published.
json::value LatestRanking(const std::vector<AuditRecord>& audit) {
  for (auto it = audit.rbegin(); it != audit.rend(); ++it) {
    if (it->event != "assessment") continue;
    json::value v = json::parse(it->data_json);
    if (!v.is_object()) continue;
    const json::object& d = v.as_object();
    const json::value* published = d.if_contains("published");
    if (!published || !published->is_bool() || !published->as_bool()) continue;
    json::array rows;
    for (const json::value& r : Arr(d, "ranking")) {
      if (!r.is_object()) continue;
      const json::object& o = r.as_object();
      rows.push_back(json::object{{"rank", Int(o, "rank")},
                                  {"unit", Text(o, "unit")},
                                  {"name", Text(o, "name")},
                                  {"kind", Text(o, "kind")},
                                  {"score", Text(o, "score")}});
    }
    return json::object{{"assessment", Text(d, "assessment_name")},
                        {"title", Text(d, "title")},
                        {"period", Text(d, "period_label")},
                        {"published_at", Text(d, "published_at")},
                        {"rows", std::move(rows)}};
  }
  return nullptr;
}

// The issuer as the bulletin records it, or why `request` may not issue one of `c`.
Result<json::object> Issuer(const definition::Campaign& c, const BulletinRequest& request) {
  const definition::Org& org = c.org();
  const definition::UnitIndex root = Root(org);
  const std::string role =
      c.bulletins().issued_by.empty() ? kDefaultBulletinRole : c.bulletins().issued_by;
  if (request.admin) {
    return json::object{{"unit", org.unit(root).id},
                        {"name", org.unit(root).name},
                        {"person", request.admin_name},
                        {"person_name", request.admin_name},
                        {"admin", true}};
  }
  auto person = org.FindPerson(request.actor);
  if (!person) {
    return Error::PermissionDenied("'" + request.actor + "' is nobody in org " + org.info().name +
                                   "; bulletins are issued by a person with the role " + role +
                                   " over " + org.unit(root).name);
  }
  if (!HoldsRoleFor(org, *person, role, root)) {
    return Error::PermissionDenied(
        PersonLabel(org, request.actor) + " may not issue bulletins of campaign " + c.info().name +
        ": that takes the role " + role + " over " + UnitLabel(org, org.unit(root).id) +
        " (the campaign's bulletins: issued_by)");
  }
  const definition::Person& p = org.person(*person);
  return json::object{{"unit", org.unit(p.unit).id},
                      {"name", org.unit(p.unit).name},
                      {"person", p.id},
                      {"person_name", p.name}};
}

std::string ZhDate(const std::string& iso) {
  // 2017-04-21 -> 2017年4月21日
  if (iso.size() != 10) return iso;
  return iso.substr(0, 4) + "年" + std::to_string(std::stoi(iso.substr(5, 2))) + "月" +
         std::to_string(std::stoi(iso.substr(8, 2))) + "日";
}

}  // namespace

Status MayIssueBulletin(const definition::Campaign& c, const BulletinRequest& request) {
  auto issuer = Issuer(c, request);
  if (!issuer) return issuer.error();
  return OkStatus();
}

Result<json::object> BuildBulletin(Engine& engine, const BulletinRequest& request,
                                   std::optional<Timestamp> since) {
  Store& store = engine.store();
  const auto& defs = engine.interpreter().definitions();
  auto latest = defs.FindCampaign(request.campaign);
  if (!latest) {
    return Error::NotFound("no campaign '" + request.campaign +
                           "' is loaded; check the name (rectify campaign list)");
  }
  // Who issues, checked first so that a caller without the role learns nothing more: a person
  // holding the issuing role over the top unit, or an administrator.
  auto issuer = Issuer(*latest, request);
  if (!issuer) return issuer.error();
  auto record = store.LoadInstance(CampaignInstanceId(request.campaign));
  if (!record) {
    if (record.error().code() != ErrorCode::kNotFound) return record.error();
    return Error::NotFound("campaign " + request.campaign +
                           " has not been started; start it with 'rectify campaign start " +
                           request.campaign + "' before issuing its bulletins");
  }
  auto campaign = defs.FindCampaign(request.campaign, static_cast<int>(record->workflow_version));
  if (!campaign) {
    return Error::FailedPrecondition("campaign " + request.campaign + " runs on version " +
                                     std::to_string(record->workflow_version) +
                                     ", which is not loaded; load the definitions it started with");
  }
  const definition::Campaign& c = *campaign;
  const definition::Org& org = c.org();
  const definition::UnitIndex root = Root(org);
  if (campaign != latest) {
    issuer = Issuer(c, request);
    if (!issuer) return issuer.error();
  }
  const definition::Checkpoint* round = nullptr;
  if (!request.round.empty()) {
    auto r = FindRound(c, request.round);
    if (!r) return r.error();
    round = *r;
  }
  auto scope = ScopeUnits(c, request.scope);
  if (!scope) return scope.error();

  const Calendar& cal = c.calendar();
  const Timestamp now = engine.clock().Now();
  json::object content;
  content["campaign"] = c.info().name;
  content["campaign_version"] = c.info().version;
  content["campaign_title"] = c.info().title;
  content["year"] = 0;
  content["number"] = 0;
  content["number_label"] = json::object{{"zh", ""}, {"en", ""}};
  const std::string round_title = round ? round->title : "";
  if (!request.title.empty()) {
    content["title"] = request.title;
  } else if (round) {
    content["title"] = "关于" + round_title + "发现问题及整改情况的通报";
  } else {
    content["title"] = "关于" + c.info().title + "整改情况的通报";
  }
  content["title_en"] = request.title.empty()
                            ? std::string("Bulletin on ") +
                                  (round ? "the findings of " + round_title + " and " : "") +
                                  "the rectification in " + c.info().title
                            : request.title;
  content["round"] = round ? json::value(round->id) : json::value(nullptr);
  content["round_title"] = round_title;
  json::array scope_units;
  for (auto u : *scope) {
    scope_units.push_back(json::object{
        {"unit", org.unit(u).id}, {"name", org.unit(u).name}, {"kind", org.unit(u).kind}});
  }
  content["scope"] = json::object{{"unit", org.unit(root).id},
                                  {"name", org.unit(root).name},
                                  {"kind", org.unit(root).kind},
                                  {"units", std::move(scope_units)}};
  content["issuer"] = std::move(*issuer);
  content["issued_at"] = cal.FormatLocal(now);
  content["issued_on"] = FormatDate(cal.DateOf(now));
  content["since"] = since ? json::value(cal.FormatLocal(*since)) : json::value(nullptr);

  // The round's findings (dismissed ones are not problems).
  UnitTally findings;
  if (round) {
    auto found = ListFindings(store, c.info().name, round->id);
    if (!found) return found.error();
    for (const FindingView& v : *found) {
      const Instance& f = v.finding;
      if (f.record.state == "dismissed") continue;
      auto s = InScope(org, *scope, f.record.unit_id);
      if (s == definition::kNoIndex) continue;
      auto u = org.FindUnit(f.record.unit_id);
      findings.rows[*u].push_back(json::object{{"id", f.record.id},
                                               {"title", f.title},
                                               {"state", f.record.state},
                                               {"item", f.origin.opened},
                                               {"found_by", f.origin.found_by}});
    }
  }
  content["findings"] = findings.Json(org);

  // Overdue items now, and the measures taken since the previous bulletin.
  auto items = CampaignItems(store, c.info().name);
  if (!items) return items.error();
  UnitTally overdue;
  json::array measures;
  const Timestamp from = since ? *since : cal.StartOfDay(c.from());
  for (const Instance& item : *items) {
    // Follow-up tasks (a work interview) are counted on the item they follow, as rankings do.
    if (IsCampaignRun(item.record) || item.record.workflow == kFindingWorkflow ||
        !item.parent.empty()) {
      continue;
    }
    auto s = InScope(org, *scope, item.record.unit_id);
    if (s == definition::kNoIndex) continue;
    auto u = org.FindUnit(item.record.unit_id);
    auto bound = engine.interpreter().Bind(item);
    if (bound) {
      DeadlineView d = ViewDeadline(bound->calendar, item, now);
      if (d.has && d.overdue) {
        overdue.rows[*u].push_back(json::object{{"id", item.record.id},
                                                {"title", item.title},
                                                {"state", item.record.state},
                                                {"due", FormatDate(d.due)},
                                                {"working_days_overdue", d.working_days_overdue}});
      }
    }
    for (const EscalationTaken& e : item.escalations) {
      if (e.at <= from || e.at > now) continue;
      auto m = definition::ParseMeasure(e.measure);
      measures.push_back(
          json::object{{"item", item.record.id},
                       {"title", item.title},
                       {"unit", org.unit(*u).id},
                       {"unit_name", org.unit(*u).name},
                       {"measure", e.measure},
                       {"label", m ? std::string(definition::MeasureLabel(*m)) : e.measure},
                       {"on", FormatDate(cal.DateOf(e.at))},
                       {"by", e.by.empty() ? "" : PersonLabel(org, e.by)},
                       {"reason", e.reason}});
    }
  }
  std::stable_sort(measures.begin(), measures.end(),
                   [](const json::value& a, const json::value& b) {
                     return Text(a.as_object(), "on") < Text(b.as_object(), "on");
                   });
  content["overdue"] = overdue.Json(org);
  content["measures"] = json::object{{"total", static_cast<std::int64_t>(measures.size())},
                                     {"rows", std::move(measures)}};
  auto audit = store.AuditOf(CampaignInstanceId(c.info().name));
  if (!audit) return audit.error();
  content["ranking"] = LatestRanking(*audit);
  return content;
}

int BulletinYear(const json::object& content) {
  std::string on = Text(content, "issued_on");
  return on.size() >= 4 ? std::stoi(on.substr(0, 4)) : 0;
}

std::string BulletinNumberLabel(int year, int number, const std::string& lang) {
  if (lang == "en") return std::to_string(year) + " No. " + std::to_string(number);
  return std::to_string(year) + "年第" + std::to_string(number) + "期";
}

void SetBulletinNumber(json::object& content, int year, int number) {
  content["year"] = year;
  content["number"] = number;
  content["number_label"] = json::object{{"zh", BulletinNumberLabel(year, number, "zh")},
                                         {"en", BulletinNumberLabel(year, number, "en")}};
}

BulletinOutline OutlineBulletin(const json::object& content, const std::string& lang) {
  const bool en = lang == "en";
  BulletinOutline o;
  o.number_label = Text(Obj(content, "number_label"), en ? "en" : "zh");
  o.title = Text(content, en ? "title_en" : "title");
  const json::object& issuer = Obj(content, "issuer");
  o.issuer = Text(issuer, "name");
  o.issued_on = en ? Text(content, "issued_on") : ZhDate(Text(content, "issued_on"));
  const json::object& scope = Obj(content, "scope");
  const auto scope_count = static_cast<std::int64_t>(Arr(scope, "units").size());
  o.scope = en ? Text(scope, "name") + ", " + std::to_string(scope_count) + " units"
               : Text(scope, "name") + "范围内 " + std::to_string(scope_count) + " 个单位";

  BulletinSection intro;
  intro.heading = en ? "Summary" : "总体情况";
  const json::object& f = Obj(content, "findings");
  const json::object& ov = Obj(content, "overdue");
  const json::object& ms = Obj(content, "measures");
  const std::string round_title = Text(content, "round_title");
  if (!round_title.empty()) {
    std::string kinds;
    for (const json::value& k : Arr(f, "by_kind")) {
      const json::object& ko = k.as_object();
      kinds += (kinds.empty() ? "" : (en ? ", " : "、")) +
               (en ? std::to_string(Int(ko, "units")) + " " + Text(ko, "kind") + " unit(s)"
                   : Text(ko, "kind") + " " + std::to_string(Int(ko, "units")) + " 个");
    }
    intro.lines.push_back(en ? round_title + " found " + std::to_string(Int(f, "total")) +
                                   " problem(s) in " + std::to_string(Arr(f, "units").size()) +
                                   " unit(s)" + (kinds.empty() ? "" : " (" + kinds + ")") + "."
                             : round_title + "共发现问题 " + std::to_string(Int(f, "total")) +
                                   " 个，涉及 " + std::to_string(Arr(f, "units").size()) +
                                   " 个单位" + (kinds.empty() ? "" : "（" + kinds + "）") + "。");
  }
  intro.lines.push_back(en ? std::to_string(Int(ov, "total")) + " item(s) in " +
                                 std::to_string(Arr(ov, "units").size()) +
                                 " unit(s) are overdue as of " + Text(content, "issued_on") + "."
                           : "截至" + ZhDate(Text(content, "issued_on")) + "，" +
                                 std::to_string(Arr(ov, "units").size()) + " 个单位共 " +
                                 std::to_string(Int(ov, "total")) + " 个问题超期未整改到位。");
  std::string since = Text(content, "since");
  intro.lines.push_back(
      en ? std::to_string(Int(ms, "total")) + " escalation measure(s) were taken " +
               (since.empty() ? "since the campaign began" : "since the previous bulletin") + "."
         : (since.empty() ? "活动开始以来" : "上期通报以来") +
               std::string("，共采取督办问责措施 ") + std::to_string(Int(ms, "total")) + " 次。");
  o.sections.push_back(std::move(intro));

  auto per_unit = [&](const json::object& part, const std::string& heading, bool with_due) {
    BulletinSection s;
    s.heading = heading;
    if (with_due) {
      s.header =
          en ? std::vector<std::string>{"Unit", "Item", "Problem", "Due", "Working days over"}
             : std::vector<std::string>{"单位", "编号", "问题", "整改期限", "超期工作日"};
    } else {
      s.header = en ? std::vector<std::string>{"Unit", "Finding", "Problem", "Item"}
                    : std::vector<std::string>{"单位", "编号", "问题", "整改台账编号"};
    }
    for (const json::value& uv : Arr(part, "units")) {
      const json::object& u = uv.as_object();
      for (const json::value& rv : Arr(u, "rows")) {
        const json::object& r = rv.as_object();
        if (with_due) {
          s.rows.push_back({Text(u, "name"), Text(r, "id"), Text(r, "title"), Text(r, "due"),
                            std::to_string(Int(r, "working_days_overdue"))});
        } else {
          s.rows.push_back({Text(u, "name"), Text(r, "id"), Text(r, "title"), Text(r, "item")});
        }
      }
    }
    if (s.rows.empty()) s.lines.emplace_back(en ? "None." : "无。");
    return s;
  };
  if (!round_title.empty()) {
    o.sections.push_back(per_unit(
        f, en ? "Problems found by " + round_title : "一、" + round_title + "发现的问题", false));
  }
  o.sections.push_back(per_unit(ov, en ? "Items overdue" : "二、超期未整改问题", true));

  BulletinSection m;
  m.heading = en ? "Escalation measures taken" : "三、督办问责措施";
  m.header = en ? std::vector<std::string>{"Date", "Unit", "Item", "Measure", "Decided by"}
                : std::vector<std::string>{"日期", "单位", "编号", "措施", "决定人"};
  for (const json::value& rv : Arr(ms, "rows")) {
    const json::object& r = rv.as_object();
    std::string by = Text(r, "by");
    if (!Text(r, "reason").empty()) by += (by.empty() ? "" : ": ") + Text(r, "reason");
    m.rows.push_back({Text(r, "on"), Text(r, "unit_name"), Text(r, "item"), Text(r, "label"), by});
  }
  if (m.rows.empty()) m.lines.emplace_back(en ? "None." : "无。");
  o.sections.push_back(std::move(m));

  BulletinSection rk;
  rk.heading = en ? "Ranking" : "四、考核排名";
  const json::value* ranking = content.if_contains("ranking");
  if (ranking && ranking->is_object()) {
    const json::object& r = ranking->as_object();
    rk.lines.push_back(en ? Text(r, "title") + ", " + Text(r, "period") + " (published " +
                                Text(r, "published_at").substr(0, 10) + ")."
                          : Text(r, "title") + " " + Text(r, "period") + "（" +
                                ZhDate(Text(r, "published_at").substr(0, 10)) + "公布）。");
    rk.header = en ? std::vector<std::string>{"Rank", "Unit", "Score"}
                   : std::vector<std::string>{"名次", "单位", "得分"};
    for (const json::value& row : Arr(r, "rows")) {
      const json::object& x = row.as_object();
      rk.rows.push_back({std::to_string(Int(x, "rank")), Text(x, "name"), Text(x, "score")});
    }
  } else {
    rk.lines.emplace_back(en ? "No assessment period has been published yet."
                             : "本活动尚无已公布的考核排名。");
  }
  o.sections.push_back(std::move(rk));
  return o;
}

std::string RenderBulletinHtml(const json::object& content, const std::string& lang,
                               const std::string& templ) {
  BulletinOutline o = OutlineBulletin(content, lang);
  std::string body;
  for (const BulletinSection& s : o.sections) {
    body += "<h2>" + EscapeHtml(s.heading) + "</h2>\n";
    for (const std::string& l : s.lines) body += "<p>" + EscapeHtml(l) + "</p>\n";
    if (s.rows.empty()) continue;
    body += "<table>\n<tr>";
    for (const std::string& h : s.header) body += "<th>" + EscapeHtml(h) + "</th>";
    body += "</tr>\n";
    for (const auto& row : s.rows) {
      body += "<tr>";
      for (const std::string& cell : row) body += "<td>" + EscapeHtml(cell) + "</td>";
      body += "</tr>\n";
    }
    body += "</table>\n";
  }
  const std::map<std::string, std::string> fields{
      {"number_label", EscapeHtml(o.number_label)},
      {"title", EscapeHtml(o.title)},
      {"issuer", EscapeHtml(o.issuer)},
      {"issued_on", EscapeHtml(o.issued_on)},
      {"scope", EscapeHtml(o.scope)},
      {"campaign", EscapeHtml(Text(content, "campaign_title"))},
      {"body", body}};
  std::string out;
  std::size_t pos = 0;
  while (pos < templ.size()) {
    std::size_t open = templ.find("{{", pos);
    if (open == std::string::npos) break;
    std::size_t close = templ.find("}}", open + 2);
    if (close == std::string::npos) break;
    out.append(templ, pos, open - pos);
    auto it = fields.find(templ.substr(open + 2, close - open - 2));
    if (it != fields.end()) out += it->second;
    pos = close + 2;
  }
  out.append(templ, pos, std::string::npos);
  return out;
}

json::object BulletinMessagePayload(const json::object& content, const std::string& unit) {
  json::object p{{"campaign", Text(content, "campaign")},
                 {"number_label", Text(Obj(content, "number_label"), "zh")},
                 {"number_label_en", Text(Obj(content, "number_label"), "en")},
                 {"title", Text(content, "title")},
                 {"title_en", Text(content, "title_en")},
                 {"issued_on", Text(content, "issued_on")},
                 {"issuer_name", Text(Obj(content, "issuer"), "name")},
                 {"unit", unit}};
  std::int64_t found = 0, late = 0;
  for (const char* part : {"findings", "overdue"}) {
    for (const json::value& uv : Arr(Obj(content, part), "units")) {
      const json::object& u = uv.as_object();
      if (Text(u, "unit") != unit) continue;
      p["unit_name"] = Text(u, "name");
      (std::string(part) == "findings" ? found : late) = Int(u, "count");
    }
  }
  for (const json::value& uv : Arr(Obj(content, "scope"), "units")) {
    if (Text(uv.as_object(), "unit") == unit) p["unit_name"] = Text(uv.as_object(), "name");
  }
  p["findings"] = std::to_string(found);
  p["overdue"] = std::to_string(late);
  return p;
}

}  // namespace rectify::engine
