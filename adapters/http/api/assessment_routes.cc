// A campaign's assessment through the API, as `rectify assessment` (engine/assessment.h):
//   GET  /api/v1/assessments/{campaign}                    the periods begun, oldest first
//   GET  /api/v1/assessments/{campaign}/{period}           ?assessment= &format= &lang=zh|en
//   POST /api/v1/assessments/{campaign}/{period}/marks     {unit, criterion, mark, note, reason?,
//                                                          evidence?}
//   POST /api/v1/assessments/{campaign}/{period}/bonus     {unit, points, note, reason?, evidence?}
//   POST /api/v1/assessments/{campaign}/{period}/vetoes    {unit, criterion, reason, withdraw?}
//   POST /api/v1/assessments/{campaign}/{period}/publish   {}
//   POST /api/v1/assessments/{campaign}/{period}/evidence  files (multipart), for the entries
//   GET  /api/v1/assessments/{campaign}/{period}/evidence/{sha256}
//
// Evidence: a file is uploaded first (by a holder of a role that enters marks or bonus points;
// checked as an item's evidence is: size, name, type by its bytes) and named by an entry as
// "sha256:<hex>", which records it as "file NAME (N bytes, sha256 HEX)" in the entry's audit row,
// so its hash is in the chain. It is downloaded by those who see an entry that names it.
//
// Reading: a person of the campaign's org sees the lines (and entries) of the units in their
// scope, an administrator everything; XLSX and CSV are the definition's export layout, titles in
// `lang` (default zh). Writing: the engine checks the caller's role for the unit (the roles the
// definition names); an administrator account is no person of the org and enters nothing.
// `assessment` (query or body) names one when the campaign runs several.
#include <boost/json.hpp>
#include <cstdio>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/caller_scope.h"
#include "adapters/http/api/evidence_store.h"
#include "adapters/http/api/item_json.h"
#include "adapters/http/api/json_input.h"
#include "adapters/http/api/table_output.h"
#include "rectify/engine/assessment.h"
#include "rectify/engine/campaign.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

std::string Param(const http::Request& req, const char* name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

// The campaign, if the caller's org runs it (else 404 as for one that does not exist).
Status Visible(const Call& call, const std::string& campaign) {
  auto def = call.api.options.definitions->FindCampaign(campaign);
  if (!def || (!call.caller.admin && def->org().info().name != call.caller.org)) {
    return Error::NotFound("no campaign '" + campaign + "'");
  }
  return OkStatus();
}

bool Covers(const CallerScope& scope, const json::value& v) {
  const json::value* unit = v.is_object() ? v.as_object().if_contains("unit") : nullptr;
  return unit && unit->is_string() && scope.Covers(std::string(unit->as_string()));
}

// What the caller's person may do in assessment `a`, by the roles it names (the engine checks
// the role over the unit at each entry): enter marks (assessed_by or a criterion's by), bonus
// points (bonus.by), vetoes (a manual veto's by), publish (published_by). Read tokens and
// administrator accounts, which are no person of the org, may do none.
json::object MayJson(const Call& call, const definition::Campaign& campaign,
                     const definition::Assessment& a) {
  bool marks = false, bonus = false, veto = false, publish = false;
  auto index = campaign.org().FindPerson(call.caller.person);
  if (index && call.caller.may_write) {
    const definition::Person& person = campaign.org().person(*index);
    auto holds = [&](const std::string& role) {
      return !role.empty() &&
             std::find(person.roles.begin(), person.roles.end(), role) != person.roles.end();
    };
    auto either = [&](const std::string& role) {
      return holds(role.empty() ? a.assessed_by() : role);
    };
    for (const definition::Criterion& c : a.criteria()) marks = marks || either(c.by);
    bonus = a.bonus().max > 0 && either(a.bonus().by);
    for (const definition::Veto& v : a.vetoes()) {
      veto = veto || (v.when == definition::Veto::When::kManual && either(v.by));
    }
    publish = either(a.published_by());
  }
  return json::object{{"marks", marks}, {"bonus", bonus}, {"veto", veto}, {"publish", publish}};
}

// "100.0", "0.5": decimal text, as the ranking writes scores.
std::string Decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  std::string s = buf;
  if (s.size() > 3 && s.back() == '0') s.pop_back();
  return s;
}

// What the marks sheet is made of, for a page to enter it: the criteria (id, title, weight,
// max), the bonus's maximum (0: none), and the vetoes an assessor takes by hand.
json::object DefinitionJson(const definition::Assessment& a) {
  json::array criteria, vetoes;
  for (const definition::Criterion& c : a.criteria()) {
    criteria.push_back(json::object{
        {"id", c.id}, {"title", c.title}, {"weight", Decimal(c.weight)}, {"max", Decimal(c.max)}});
  }
  for (const definition::Veto& v : a.vetoes()) {
    vetoes.push_back(json::object{
        {"id", v.id}, {"title", v.title}, {"manual", v.when == definition::Veto::When::kManual}});
  }
  return json::object{{"criteria", std::move(criteria)},
                      {"bonus_max", Decimal(a.bonus().max)},
                      {"vetoes", std::move(vetoes)}};
}

// GET /api/v1/assessments/{campaign}: the periods of the campaign's assessments that have begun,
// each with whether it has ended and whether it was published, for a page to choose one from.
http::Response Periods(Call& call) {
  if (!call.request.query.empty()) {
    return ErrorResponse(Error::BadInput(call.request.query.begin()->first +
                                         ": unknown parameter (the periods take none)"));
  }
  const std::string& campaign = call.request.params.at("campaign");
  if (Status s = Visible(call, campaign); !s) return ErrorResponse(s.error());
  auto periods = engine::ListAssessmentPeriods(*call.db.engine, campaign);
  if (!periods) return ErrorResponse(periods.error());
  json::array out;
  for (const engine::AssessmentPeriodState& p : *periods) {
    json::object o{{"assessment", p.assessment},
                   {"title", p.title},
                   {"kind", std::string(definition::PeriodName(p.kind))},
                   {"period", p.period.label},
                   {"from", FormatDate(p.period.first)},
                   {"to", FormatDate(p.period.last)},
                   {"ended", p.ended},
                   {"published", p.published}};
    if (p.published) o["published_by"] = p.published_by;
    out.push_back(std::move(o));
  }
  return JsonResponse(200, json::object{{"campaign", campaign}, {"periods", std::move(out)}});
}

http::Response Show(Call& call) {
  for (const auto& [key, value] : call.request.query) {
    if (key != "assessment" && key != "format" && key != "lang") {
      return ErrorResponse(
          Error::BadInput(key + ": unknown parameter (this takes assessment, format, lang)"));
    }
  }
  auto format = RequestedFormat(call.request);
  if (!format) return ErrorResponse(format.error());
  std::string lang = Param(call.request, "lang");
  if (lang.empty()) lang = "zh";
  if (lang != "zh" && lang != "en") {
    return ErrorResponse(Error::BadInput("lang: zh or en, not '" + lang + "'"));
  }
  const std::string& campaign = call.request.params.at("campaign");
  if (Status s = Visible(call, campaign); !s) return ErrorResponse(s.error());
  auto scope = ScopeOfCaller(call);
  if (!scope) return ErrorResponse(scope.error());
  auto view = engine::ShowAssessment(*call.db.engine, campaign, Param(call.request, "assessment"),
                                     call.request.params.at("period"));
  if (!view) return ErrorResponse(view.error());
  // Only the lines and entries of the caller's units.
  json::array lines;
  for (const auto& r : view->ranking_json) {
    if (Covers(*scope, r)) lines.push_back(r);
  }
  view->ranking_json = std::move(lines);
  std::vector<engine::SheetEntry> history;
  for (const auto& e : view->history) {
    if (scope->Covers(e.unit)) history.push_back(e);
  }
  view->history = std::move(history);
  std::vector<std::string> missing;
  for (const auto& m : view->missing) {
    // "酿溪镇 (niangxi): fund_use": the unit id is between the parentheses.
    auto open = m.find(" (");
    auto close = m.find("): ");
    if (open != std::string::npos && close != std::string::npos &&
        scope->Covers(m.substr(open + 2, close - open - 2))) {
      missing.push_back(m);
    }
  }
  view->missing = std::move(missing);
  json::object body = engine::AssessmentViewJson(*view);
  if (auto def = call.api.options.definitions->FindCampaign(campaign); def && view->assessment) {
    if (view->published) body["published_by_name"] = PersonName(def->org(), view->published_by);
    body["may"] = MayJson(call, *def, *view->assessment);
    body["definition"] = DefinitionJson(*view->assessment);
  }
  engine::ReportTable table = engine::AssessmentTable(*view, lang);
  if (*format == TableFormat::kXlsx) {
    auto bytes = TableXlsx(table, engine::AssessmentSheetName(*view, lang));
    if (!bytes) return ErrorResponse(bytes.error());
    auto r = http::Response::Text(200, std::move(*bytes), kXlsxType);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"assessment-" + campaign +
                                                      "-" + view->period.label + ".xlsx\"");
    return r;
  }
  return TableResponse(*format, body, table, "assessment-" + campaign + "-" + view->period.label);
}

std::vector<std::string> Strings(const json::object& o, const char* name) {
  std::vector<std::string> out;
  if (const auto* a = o.if_contains(name); a && a->is_array()) {
    for (const auto& v : a->as_array()) out.emplace_back(v.as_string());
  }
  return out;
}

double NumberOf(const json::object& o, const char* name) {
  const json::value& v = o.at(name);
  return v.is_double()  ? v.as_double()
         : v.is_int64() ? static_cast<double>(v.as_int64())
                        : static_cast<double>(v.as_uint64());
}

// Evidence files of an assessment are kept with the item evidence (evidence_store.h) under the
// campaign's run, the instance whose audit rows hold the entries.
std::string RunId(const Call& call) {
  return engine::CampaignInstanceId(call.request.params.at("campaign"));
}

// Whether the caller's person holds a role that enters marks or bonus points in one of the
// campaign's assessments (the definition's assessed_by, a criterion's by, the bonus's by): the
// people who have evidence to upload. The engine checks the role over the unit at the entry.
bool EntersEntries(const Call& call, const definition::Campaign& campaign) {
  auto index = campaign.org().FindPerson(call.caller.person);
  if (!index) return false;
  const definition::Person& person = campaign.org().person(*index);
  auto holds = [&](const std::string& role) {
    return !role.empty() &&
           std::find(person.roles.begin(), person.roles.end(), role) != person.roles.end();
  };
  for (const definition::Recurring& r : campaign.recurring()) {
    if (!r.assessment) continue;
    const definition::Assessment& a = *r.assessment;
    if (holds(a.assessed_by()) || holds(a.bonus().by)) return true;
    for (const definition::Criterion& c : a.criteria()) {
      if (holds(c.by)) return true;
    }
  }
  return false;
}

// POST .../evidence: files for the entries to come, stored before any entry names them (as an
// item's evidence is), each checked by ReadUploads (size, name, type by its bytes).
http::Response UploadEvidence(Call& call) {
  const std::string& campaign = call.request.params.at("campaign");
  if (Status s = Visible(call, campaign); !s) return ErrorResponse(s.error());
  auto def = call.api.options.definitions->FindCampaign(campaign);
  if (call.caller.person.empty() || !EntersEntries(call, *def)) {
    return ErrorResponse(Error::PermissionDenied(
        "evidence of an assessment is uploaded by those who enter its marks or bonus points"));
  }
  auto run = call.db.engine->store().LoadInstance(RunId(call));
  if (!run) {
    if (run.error().code() != ErrorCode::kNotFound) return ErrorResponse(run.error());
    return ErrorResponse(Error::NotFound("campaign " + campaign + " has not been started"));
  }
  std::vector<NewEvidence> files;
  if (auto refused = ReadUploads(call, files)) return std::move(*refused);
  auto saved = SaveEvidence(*call.db.side, RunId(call), call.caller.person, files, call.now);
  if (!saved) return ErrorResponse(saved.error());
  const std::string base =
      "/api/v1/assessments/" + campaign + "/" + call.request.params.at("period") + "/evidence/";
  json::array all;
  for (const auto& f : *saved) {
    all.push_back(json::object{{"sha256", f.sha256},
                               {"name", f.name},
                               {"type", f.type},
                               {"size", f.size},
                               {"uploaded_by", f.uploaded_by},
                               {"uploaded_at", def->calendar().FormatLocal(f.uploaded_at)},
                               {"evidence", "sha256:" + f.sha256},
                               {"href", base + f.sha256}});
  }
  json::object o;
  o["evidence"] = all.front();
  o["files"] = std::move(all);
  auto response = JsonResponse(201, o);
  response.headers.emplace_back("Location", base + saved->front().sha256);
  return response;
}

// GET .../evidence/{sha256}: for a caller who sees an entry of the period that names the file
// (an entry of a unit of their scope, as GET .../{period} shows them); else 404, as for a file
// that is not there.
http::Response DownloadEvidence(Call& call) {
  for (const auto& [key, value] : call.request.query) {
    if (key != "assessment") {
      return ErrorResponse(Error::BadInput(key + ": unknown parameter (this takes assessment)"));
    }
  }
  const std::string& campaign = call.request.params.at("campaign");
  if (Status s = Visible(call, campaign); !s) return ErrorResponse(s.error());
  const std::string& hash = call.request.params.at("sha256");
  auto not_found =
      Error::NotFound("no evidence file '" + hash + "' of an entry you may see in " + campaign +
                      " " + call.request.params.at("period") + " (GET /api/v1/assessments/" +
                      campaign + "/" + call.request.params.at("period") + " lists the entries)");
  if (!IsSha256Hex(hash)) return ErrorResponse(not_found);
  auto scope = ScopeOfCaller(call);
  if (!scope) return ErrorResponse(scope.error());
  auto view = engine::ShowAssessment(*call.db.engine, campaign, Param(call.request, "assessment"),
                                     call.request.params.at("period"));
  if (!view) return ErrorResponse(view.error());
  const std::string named = "sha256 " + hash + ")";
  bool seen = false;
  for (const auto& e : view->history) {
    if (!scope->Covers(e.unit)) continue;
    for (const auto& text : e.evidence) {
      if (text.rfind("file ", 0) == 0 && text.size() > named.size() &&
          text.compare(text.size() - named.size(), named.size(), named) == 0) {
        seen = true;
      }
    }
  }
  if (!seen) return ErrorResponse(not_found);
  auto file = FindEvidence(*call.db.side, RunId(call), hash);
  if (!file) return ErrorResponse(file.error());
  if (!*file) return ErrorResponse(not_found);
  return EvidenceDownload(call, **file);
}

// The body's evidence: "sha256:<hex>" names a file uploaded for the assessment (POST
// .../evidence), recorded as engine::EvidenceFileText (name, size and hash, so the hash is in the
// audit chain); anything else is a text, recorded as written.
Result<std::vector<std::string>> EvidenceOf(Call& call, const json::object& body) {
  std::vector<std::string> out;
  std::size_t index = 0;
  for (std::string text : Strings(body, "evidence")) {
    std::string where = "evidence[" + std::to_string(index++) + "]: ";
    if (text.rfind("sha256:", 0) != 0) {
      out.push_back(std::move(text));
      continue;
    }
    std::string hash = text.substr(7);
    if (!IsSha256Hex(hash)) {
      return Error::BadInput(where +
                             "write sha256: and the 64 lower-case hex digits the upload answered");
    }
    auto file = FindEvidence(*call.db.side, RunId(call), hash);
    if (!file) return file.error();
    if (!*file) {
      // An error message, built once.
      return Error::BadInput(where + "no file " + hash + " was uploaded for the assessments of " +
                             call.request.params.at("campaign") +
                             "; upload it first (POST /api/v1/assessments/" +
                             call.request.params.at("campaign") + "/" +
                             call.request.params.at("period") + "/evidence)");
    }
    out.push_back(engine::EvidenceFileText((*file)->name, (*file)->size, (*file)->sha256));
  }
  return out;
}

// An entry: the body checked, the caller a person of the org, then the engine's act.
http::Response Entry(Call& call, const std::string& kind) {
  std::vector<JsonField> fields = {{"unit", JsonType::kString, true},
                                   {"assessment", JsonType::kString, false},
                                   {"evidence", JsonType::kStringArray, false}};
  if (kind == "mark") {
    fields.push_back({"criterion", JsonType::kString, true});
    fields.push_back({"mark", JsonType::kNumber, true});
    fields.push_back({"note", JsonType::kString, true});
    fields.push_back({"reason", JsonType::kString, false});
  } else if (kind == "bonus") {
    fields.push_back({"points", JsonType::kNumber, true});
    fields.push_back({"note", JsonType::kString, true});
    fields.push_back({"reason", JsonType::kString, false});
  } else {
    fields.push_back({"criterion", JsonType::kString, true});
    fields.push_back({"reason", JsonType::kString, true});
    fields.push_back({"withdraw", JsonType::kBool, false});
  }
  auto body = ParseObject(call.request.body, fields);
  if (!body) return ErrorResponse(body.error());
  const std::string& campaign = call.request.params.at("campaign");
  if (Status s = Visible(call, campaign); !s) return ErrorResponse(s.error());
  if (call.caller.person.empty()) {
    return ErrorResponse(Error::PermissionDenied(
        "an administrator account is no person of the org; sign in as the person who assesses"));
  }
  engine::AssessmentEntry e;
  e.campaign = campaign;
  e.period = call.request.params.at("period");
  e.assessment = StringOr(*body, "assessment");
  e.unit = StringOr(*body, "unit");
  e.criterion = StringOr(*body, "criterion");
  auto evidence = EvidenceOf(call, *body);
  if (!evidence) return ErrorResponse(evidence.error());
  e.evidence = std::move(*evidence);
  e.actor = call.caller.person;
  e.channel = "api";
  Result<json::object> row = json::object{};
  if (kind == "mark") {
    e.value = NumberOf(*body, "mark");
    e.note = StringOr(*body, "note");
    e.reason = StringOr(*body, "reason");
    row = engine::EnterMark(*call.db.engine, e);
  } else if (kind == "bonus") {
    e.value = NumberOf(*body, "points");
    e.note = StringOr(*body, "note");
    e.reason = StringOr(*body, "reason");
    row = engine::EnterBonus(*call.db.engine, e);
  } else {
    e.note = StringOr(*body, "reason");
    const json::value* w = body->if_contains("withdraw");
    e.withdraw = w && w->as_bool();
    row = engine::TakeVeto(*call.db.engine, e);
  }
  if (!row) return ErrorResponse(row.error());
  (*row)["by"] = call.caller.person;
  return JsonResponse(201, *row);
}

http::Response Mark(Call& call) { return Entry(call, "mark"); }
http::Response Bonus(Call& call) { return Entry(call, "bonus"); }
http::Response Veto(Call& call) { return Entry(call, "veto"); }

http::Response Publish(Call& call) {
  auto body = ParseObject(call.request.body.empty() ? "{}" : call.request.body,
                          {{"assessment", JsonType::kString, false}});
  if (!body) return ErrorResponse(body.error());
  const std::string& campaign = call.request.params.at("campaign");
  if (Status s = Visible(call, campaign); !s) return ErrorResponse(s.error());
  if (call.caller.person.empty()) {
    return ErrorResponse(Error::PermissionDenied(
        "an administrator account is no person of the org; sign in as the person who publishes"));
  }
  auto view =
      engine::PublishAssessment(*call.db.engine, campaign, StringOr(*body, "assessment"),
                                call.request.params.at("period"), call.caller.person, "api");
  if (!view) return ErrorResponse(view.error());
  return JsonResponse(201, engine::AssessmentViewJson(*view));
}

}  // namespace

std::vector<Route> AssessmentRoutes() {
  std::vector<Route> routes = {
      {{"GET", "/api/v1/assessments/{campaign}/{period}", Access::kSignedIn, false}, Show},
      {{"POST", "/api/v1/assessments/{campaign}/{period}/marks", Access::kSignedIn, true}, Mark},
      {{"POST", "/api/v1/assessments/{campaign}/{period}/bonus", Access::kSignedIn, true}, Bonus},
      {{"POST", "/api/v1/assessments/{campaign}/{period}/vetoes", Access::kSignedIn, true}, Veto},
      {{"POST", "/api/v1/assessments/{campaign}/{period}/publish", Access::kSignedIn, true},
       Publish},
      {{"POST", "/api/v1/assessments/{campaign}/{period}/evidence", Access::kSignedIn, true, 0,
        true},
       UploadEvidence},
      {{"GET", "/api/v1/assessments/{campaign}/{period}/evidence/{sha256}", Access::kSignedIn,
        false},
       DownloadEvidence},
  };
  // Showing and publishing read every item of the campaign from the store.
  routes[0].info.heavy = true;
  routes[4].info.heavy = true;
  routes[6].info.heavy = true;  // finds the entries that name the file as the show does
  // The periods read the run's audit rows (no item).
  routes.push_back({{"GET", "/api/v1/assessments/{campaign}", Access::kSignedIn, false}, Periods});
  return routes;
}

}  // namespace rectify::api
