// A campaign's bulletins (通报, rectify/engine/bulletin.h), as `rectify bulletin`:
//   POST /api/v1/campaigns/{id}/bulletins            issues the next one (?dry_run=true: builds
//                                                    it with the number it would get, changes
//                                                    nothing) and sends it to the unit heads
//   GET  /api/v1/campaigns/{id}/bulletins            the bulletins issued, oldest first
//   GET  /api/v1/campaigns/{id}/bulletins/{bulletin} one as issued: {bulletin} is its number (5)
//                                                    or year and number (2017-5), as JSON; with
//                                                    .html or .pdf the document (?lang=en)
//
// Issued by a person holding the campaign's issuing role (`bulletins: { issued_by: }`, else
// inspector) over the org's top unit, or by an administrator. Read by anyone signed in to the
// campaign's org: a bulletin is circulated to every unit of its scope. A campaign of another org
// is answered as one that does not exist (404).
#include <algorithm>
#include <boost/json.hpp>

#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/bulletin_document.h"
#include "adapters/http/api/item_json.h"
#include "adapters/http/api/json_input.h"
#include "adapters/store/soci/bulletin_store.h"
#include "rectify/engine/bulletin_access.h"

namespace rectify::api {
namespace {

namespace json = boost::json;

Result<std::shared_ptr<const definition::Campaign>> VisibleCampaign(const Call& call) {
  const std::string& name = call.request.params.at("id");
  auto c = call.api.options.definitions->FindCampaign(name);
  if (!c || (!call.caller.admin && c->org().info().name != call.caller.org)) {
    return Error::NotFound("no campaign '" + name + "'");
  }
  return c;
}

Status OnlyParams(const Call& call, const std::vector<std::string>& allowed) {
  for (const auto& [key, value] : call.request.query) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    return Error::BadInput(key + ": unknown parameter (" +
                           (list.empty() ? std::string("none taken") : "this route takes " + list) +
                           ")");
  }
  return OkStatus();
}

std::string Param(const Call& call, const char* name) {
  auto it = call.request.query.find(name);
  return it == call.request.query.end() ? std::string() : it->second;
}

// The document templates beside the shipped library the server loaded.
Result<store_soci::BulletinTemplates> Templates(const Call& call) {
  const auto& library = call.api.options.definition_library;
  if (library.empty()) {
    return Error::FailedPrecondition(
        "this server was started without the shipped library, whose templates/ folder holds the "
        "bulletin's document templates; start rectify serve without --no-library");
  }
  return store_soci::LoadBulletinTemplates(library.front() + "/templates");
}

http::Response Issue(Call& call) {
  if (Status s = OnlyParams(call, {"dry_run"}); !s) return ErrorResponse(s.error());
  auto c = VisibleCampaign(call);
  if (!c) return ErrorResponse(c.error());
  std::string dry = Param(call, "dry_run");
  if (!dry.empty() && dry != "true" && dry != "false") {
    return ErrorResponse(Error::BadInput("dry_run: write true or false (not '" + dry + "')"));
  }
  auto body = ParseObject(call.request.body.empty() ? std::string_view("{}") : call.request.body,
                          {{"round", JsonType::kString, false},
                           {"scope", JsonType::kStringArray, false},
                           {"title", JsonType::kString, false}});
  if (!body) return ErrorResponse(body.error());
  engine::BulletinRequest r;
  r.campaign = (*c)->info().name;
  r.round = StringOr(*body, "round");
  r.title = StringOr(*body, "title");
  if (const json::value* scope = body->if_contains("scope")) {
    for (const json::value& s : scope->as_array()) r.scope.emplace_back(s.as_string());
  }
  r.actor = call.caller.person;
  r.admin = call.caller.admin;
  r.admin_name = call.caller.person.empty() ? "admin" : call.caller.person;
  if (r.actor.empty() && !r.admin) {
    return ErrorResponse(Error::PermissionDenied(
        "bulletins are issued by headquarters (the campaign's issuing role); sign in as one"));
  }
  auto templates = Templates(call);
  if (!templates) return ErrorResponse(templates.error());
  auto b = store_soci::IssueBulletin(*call.db.side, *call.db.engine, r, *templates, dry == "true");
  if (!b) return ErrorResponse(b.error());
  auto response = JsonResponse(b->dry_run ? 200 : 201, store_soci::BulletinJson(*b));
  if (!b->dry_run) {
    response.headers.emplace_back("Location",
                                  "/api/v1/campaigns/" + b->campaign + "/bulletins/" + b->key());
  }
  return response;
}

http::Response List(Call& call) {
  if (Status s = OnlyParams(call, {}); !s) return ErrorResponse(s.error());
  auto c = VisibleCampaign(call);
  if (!c) return ErrorResponse(c.error());
  auto all = store_soci::ListBulletins(*call.db.side, (*c)->info().name);
  if (!all) return ErrorResponse(all.error());
  json::array out;
  for (const auto& b : *all) {
    json::object o = store_soci::BulletinJson(b);
    o.erase("content");
    const json::value* on = b.content.if_contains("issued_on");
    o["issued_on"] = on ? *on : json::value(nullptr);
    o["issued_by_name"] = PersonName((*c)->org(), b.issued_by);
    // The scope as issued: the top unit and how many units it named.
    const json::value* scope = b.content.if_contains("scope");
    if (scope && scope->is_object()) {
      const json::object& so = scope->as_object();
      const json::value* units = so.if_contains("units");
      o["scope"] = json::object{
          {"unit", so.contains("unit") ? so.at("unit") : json::value(nullptr)},
          {"name", so.contains("name") ? so.at("name") : json::value(nullptr)},
          {"units", units && units->is_array() ? static_cast<std::int64_t>(units->as_array().size())
                                               : std::int64_t{0}}};
    } else {
      o["scope"] = nullptr;
    }
    for (const char* part : {"findings", "overdue", "measures"}) {
      const json::value* v = b.content.if_contains(part);
      const json::value* total =
          v && v->is_object() ? v->as_object().if_contains("total") : nullptr;
      o[part] = total ? *total : json::value(0);
    }
    o["href"] = "/api/v1/campaigns/" + b.campaign + "/bulletins/" + b.key();
    out.push_back(std::move(o));
  }
  // Whether this caller may issue the next one (the check POST makes), for the console to offer
  // issuing only to those who may, with the reason for those who may not.
  engine::BulletinRequest who;
  who.campaign = (*c)->info().name;
  who.actor = call.caller.person;
  who.admin = call.caller.admin;
  who.admin_name = call.caller.person.empty() ? "admin" : call.caller.person;
  Status may = !call.caller.may_write ? Status(Error::PermissionDenied("this token may only read"))
               : call.caller.person.empty() && !call.caller.admin
                   ? Status(Error::PermissionDenied("bulletins are issued by headquarters"))
                   : engine::MayIssueBulletin(**c, who);
  return JsonResponse(
      200, json::object{{"campaign", (*c)->info().name},
                        {"may_issue", may.ok()},
                        {"may_issue_reason", may.ok() ? std::string() : may.error().message()},
                        {"bulletins", std::move(out)}});
}

http::Response Show(Call& call) {
  auto c = VisibleCampaign(call);
  if (!c) return ErrorResponse(c.error());
  std::string number = call.request.params.at("bulletin");
  std::string format = "json";
  for (const char* suffix : {".html", ".pdf", ".json"}) {
    const std::string s(suffix);
    if (number.size() > s.size() && number.compare(number.size() - s.size(), s.size(), s) == 0) {
      format = s.substr(1);
      number.resize(number.size() - s.size());
    }
  }
  if (Status s = OnlyParams(
          call, format == "json" ? std::vector<std::string>{} : std::vector<std::string>{"lang"});
      !s) {
    return ErrorResponse(s.error());
  }
  std::string lang = Param(call, "lang");
  if (lang.empty()) lang = "zh";
  if (lang != "zh" && lang != "en") {
    return ErrorResponse(Error::BadInput("lang: write zh or en (not '" + lang + "')"));
  }
  auto b = store_soci::LoadBulletin(*call.db.side, (*c)->info().name, number);
  if (!b) return ErrorResponse(b.error());
  if (format == "json") return JsonResponse(200, store_soci::BulletinJson(*b));
  http::Response r;
  r.status = 200;
  const std::string file = b->campaign + "-" + b->key() + "." + lang + "." + format;
  if (format == "html") {
    r.body = lang == "en" ? b->html_en : b->html_zh;
    r.content_type = "text/html; charset=utf-8";
  } else {
    auto pdf = DrawBulletinPdf(b->content, lang);
    if (!pdf) return ErrorResponse(pdf.error());
    r.body = std::move(*pdf);
    r.content_type = "application/pdf";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + file + "\"");
  }
  return r;
}

}  // namespace

std::vector<Route> BulletinRoutes() {
  std::vector<Route> routes = {
      {{"POST", "/api/v1/campaigns/{id}/bulletins", Access::kSignedIn, true},
       [](Call& call) { return WithIdempotencyKey(call, Issue); }},
      {{"GET", "/api/v1/campaigns/{id}/bulletins", Access::kSignedIn, false}, List},
      {{"GET", "/api/v1/campaigns/{id}/bulletins/{bulletin}", Access::kSignedIn, false}, Show},
  };
  // Issuing reads every item of the campaign; a PDF takes a good part of a second to draw.
  routes[0].info.heavy = true;
  routes[2].info.heavy = true;
  return routes;
}

}  // namespace rectify::api
