// Data comparison and year-on-year figures over HTTP (issue 15, points 8 and 9), as
// `rectify compare` and `rectify report year-on-year`:
//   POST /api/v1/comparisons            ?dry_run=true &campaign= &left_encoding= &right_encoding=
//                                        &left_sheet= &right_sheet=
//        multipart/form-data: a field `comparison` (the comparison's name) and two files, `left`
//        and `right` (CSV or XLSX); a person of the comparison's org (another org's comparison
//        is 404) or an administrator. The mismatches by rule (engine/comparison.h's JSON), each
//        registered as a clue by the caller (their person must have the round's `record` role at
//        the unit, as `rectify compare --as` checks, also when every clue was registered before:
//        403 otherwise) in one transaction: 201; a dry run registers nothing (and checks the role
//        of a caller who is no administrator): 200; a file with a problem: 422 with every
//        diagnostic at its row and column, nothing registered.
//   GET  /api/v1/reports/year-on-year   ?campaign= &with= &from= &to= (&with_from= &with_to=)
//        engine/year_on_year.h's figures; campaign-wide counts, for an administrator or a caller
//        whose scope covers the campaign's whole org (its root unit); another gets 404.
#include <boost/json.hpp>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/caller_scope.h"
#include "adapters/http/api/multipart.h"
#include "rectify/engine/comparison.h"
#include "rectify/engine/findings.h"
#include "rectify/engine/year_on_year.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxComparison = 32u << 20;  // two data sets of some 50,000 rows each

std::string Param(const http::Request& req, const char* name) {
  auto it = req.query.find(name);
  return it == req.query.end() ? std::string() : it->second;
}

Status OnlyKnown(const http::Request& req, const std::vector<std::string>& known) {
  for (const auto& [key, value] : req.query) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    return Error::BadInput(key + ": unknown parameter (this route takes " + list + ")");
  }
  return OkStatus();
}

Result<std::string> Encoding(const http::Request& req, const char* name) {
  std::string e = Param(req, name);
  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!e.empty() && e != "utf-8" && e != "utf8" && e != "gbk" && e != "gb18030") {
    return Error::BadInput(std::string(name) + ": write utf-8, gbk or gb18030 (not '" + e + "')");
  }
  return e;
}

http::Response Compare(Call& call) {
  const http::Request& req = call.request;
  if (Status s = OnlyKnown(req, {"dry_run", "campaign", "left_encoding", "right_encoding",
                                 "left_sheet", "right_sheet"});
      !s) {
    return ErrorResponse(s.error());
  }
  std::string dry = Param(req, "dry_run");
  if (!dry.empty() && dry != "true" && dry != "false") {
    return ErrorResponse(Error::BadInput("dry_run: write true or false (not '" + dry + "')"));
  }
  auto left_encoding = Encoding(req, "left_encoding");
  if (!left_encoding) return ErrorResponse(left_encoding.error());
  auto right_encoding = Encoding(req, "right_encoding");
  if (!right_encoding) return ErrorResponse(right_encoding.error());
  auto parts = ParseMultipart(req.Header("content-type"), req.body);
  if (!parts) {
    if (req.Header("content-type").rfind("multipart/form-data", 0) != 0) {
      return http::Response::Error(
          415, "unsupported_media_type",
          "send multipart/form-data with a field `comparison` and the files `left` and `right`");
    }
    return ErrorResponse(parts.error());
  }
  std::string name;
  const MultipartPart *left = nullptr, *right = nullptr;
  for (const auto& p : *parts) {
    if (p.name == "comparison" && !p.filename) name = p.body;
    if (p.name == "left" && p.filename) left = &p;
    if (p.name == "right" && p.filename) right = &p;
  }
  if (name.empty() || !left || !right) {
    return ErrorResponse(Error::BadInput(
        "send a field `comparison` (the comparison's name) and two files, `left` and `right`"));
  }
  auto cmp = call.api.options.definitions->FindComparison(name);
  // Another org's comparison is as one not loaded.
  if (!cmp || (!call.caller.admin && cmp->parts().org.name != call.caller.org)) {
    return ErrorResponse(Error::NotFound("no comparison '" + name + "' is loaded"));
  }
  std::string campaign = Param(req, "campaign");
  if (!call.caller.admin) {
    // As `rectify compare --as`: the caller's person registers the clues, so the engine checks
    // the round's `record` role at each mismatch's unit, on a dry run too.
    if (call.caller.person.empty()) {
      return ErrorResponse(Error::PermissionDenied(
          "comparisons are run by a person with the round's record role; sign in as one"));
    }
    if (campaign.empty() && cmp->parts().campaign.empty()) {
      return ErrorResponse(Error::BadInput(
          "campaign: name the campaign whose round registers the clues (comparison " + name +
          " names none)"));
    }
  }
  auto file_name = [](const MultipartPart& p, const char* fallback) {
    auto checked = CheckFileName(*p.filename);
    return checked ? *checked : std::string(fallback);
  };
  std::string left_name = file_name(*left, "left"), right_name = file_name(*right, "right");
  Diagnostics diags;
  engine::ComparisonResult result = engine::CompareData(
      *cmp, *call.api.options.definitions,
      {left_name, left->body, *left_encoding, Param(req, "left_sheet")},
      {right_name, right->body, *right_encoding, Param(req, "right_sheet")}, diags);
  diags.Sort();
  bool dry_run = dry == "true";
  if (diags.has_errors()) {
    json::array list;
    for (const Diagnostic& d : diags.items()) {
      list.push_back(
          json::object{{"file", d.pos.file},
                       {"row", d.pos.line},
                       {"column", d.pos.column},
                       {"column_name", d.path},
                       {"severity", d.severity == Severity::kError ? "error" : "warning"},
                       {"message", d.message},
                       {"hint", d.hint},
                       {"text", d.Format()}});
    }
    return JsonResponse(422,
                        json::object{{"comparison", name},
                                     {"ok", false},
                                     {"errors", static_cast<std::int64_t>(diags.error_count())},
                                     {"registered", 0},
                                     {"diagnostics", std::move(list)}});
  }
  engine::ClueOptions options;
  options.campaign = campaign;
  options.actor = dry_run && call.caller.admin ? std::string() : call.caller.person;
  options.dry_run = dry_run;
  options.channel = "api";
  options.request_id = call.request_id;
  std::optional<engine::ClueRun> run;
  if (!dry_run || !options.campaign.empty() || !cmp->parts().campaign.empty()) {
    auto r = engine::RegisterClues(*call.db.engine, *cmp, result, options);
    if (!r) return ErrorResponse(r.error());
    run = *r;
  }
  json::object body =
      engine::ComparisonJson(*cmp, result, run ? &*run : nullptr, dry_run, left_name, right_name);
  body["ok"] = true;
  return JsonResponse(dry_run ? 200 : 201, body);
}

Result<Date> DateParam(const http::Request& req, const char* name, bool required) {
  std::string text = Param(req, name);
  if (text.empty()) {
    if (required) return Error::BadInput(std::string(name) + ": give a date, 2018-04-01");
    return Date{};
  }
  auto d = ParseDate(text);
  if (!d) return Error::BadInput(std::string(name) + ": " + d.error().message());
  return *d;
}

http::Response YearOnYear(Call& call) {
  const http::Request& req = call.request;
  if (Status s = OnlyKnown(req, {"campaign", "with", "from", "to", "with_from", "with_to"}); !s) {
    return ErrorResponse(s.error());
  }
  engine::YearOnYearQuery q;
  q.campaign = Param(req, "campaign");
  q.with = Param(req, "with");
  if (q.campaign.empty() || q.with.empty()) {
    return ErrorResponse(Error::BadInput(
        "campaign and with: name this period's campaign and the earlier one to compare with"));
  }
  auto scope = ScopeOfCaller(call);
  if (!scope) return ErrorResponse(scope.error());
  for (const std::string& name : {q.campaign, q.with}) {
    auto c = call.api.options.definitions->FindCampaign(name);
    // Campaign-wide counts: for those who see the campaign's whole org.
    if (!c || c->org().units().empty() || !scope->Covers(c->org().units().front().id)) {
      return ErrorResponse(Error::NotFound("no campaign '" + name + "' is loaded"));
    }
  }
  auto from = DateParam(req, "from", true);
  if (!from) return ErrorResponse(from.error());
  auto to = DateParam(req, "to", true);
  if (!to) return ErrorResponse(to.error());
  q.from = *from;
  q.to = *to;
  if (Param(req, "with_from").empty() != Param(req, "with_to").empty()) {
    return ErrorResponse(Error::BadInput(
        "with_from and with_to go together; leave both out for the same dates a year before"));
  }
  if (!Param(req, "with_from").empty()) {
    auto wf = DateParam(req, "with_from", true);
    if (!wf) return ErrorResponse(wf.error());
    auto wt = DateParam(req, "with_to", true);
    if (!wt) return ErrorResponse(wt.error());
    q.with_from = *wf;
    q.with_to = *wt;
  }
  auto r = engine::YearOnYearReport(*call.db.store, *call.api.options.definitions, q);
  if (!r) return ErrorResponse(r.error());
  return JsonResponse(200, engine::ToJson(*r));
}

}  // namespace

std::vector<Route> ComparisonRoutes() {
  std::vector<Route> routes = {
      {{"POST", "/api/v1/comparisons", Access::kSignedIn, true, kMaxComparison}, Compare},
      {{"GET", "/api/v1/reports/year-on-year", Access::kSignedIn, false}, YearOnYear},
  };
  for (Route& r : routes) r.info.heavy = true;  // whole files in; whole campaigns read
  return routes;
}

}  // namespace rectify::api
