// The public's QR-code posters, one per unit, for the notice boards of villages and townships:
//   GET /api/v1/units/{unit}/poster.png
//   GET /api/v1/units/{unit}/poster.pdf
//
// For an administrator or a person whose scope covers the unit (caller_scope.h). The code holds
// <serve --public-url>/report?unit=ID, the public's report page for that unit; a server started
// without --public-url does not know the address the public reaches it at, and says so (409)
// rather than print one guessed from the request.
#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/caller_scope.h"
#include "adapters/http/api/poster.h"

namespace rectify::api {
namespace {

http::Response Poster(Call& call, PosterFormat format) {
  const std::string& unit_id = call.request.params.at("unit");
  if (!call.request.query.empty()) {
    return ErrorResponse(
        Error::BadInput(call.request.query.begin()->first + ": unknown parameter (none taken)"));
  }
  auto scope = ScopeOfCaller(call);
  if (!scope) return ErrorResponse(scope.error());
  auto org = scope->org;
  if (!org) return ErrorResponse(Error::NotFound("no unit '" + unit_id + "'"));
  auto unit = org->FindUnit(unit_id);
  if (!unit) {
    return ErrorResponse(
        Error::NotFound("org " + org->info().name + " has no unit '" + unit_id + "'"));
  }
  if (!scope->Covers(unit_id)) {
    return ErrorResponse(Error::PermissionDenied("unit " + unit_id +
                                                 " is outside your scope; you may print posters "
                                                 "for " +
                                                 scope->root + " and the units under it"));
  }
  if (call.api.options.public_url.empty()) {
    return ErrorResponse(Error::FailedPrecondition(
        "this server does not know the address the public reaches it at; start rectify serve "
        "with --public-url https://... to print posters"));
  }
  PosterText text;
  text.unit_name = org->unit(*unit).name;
  text.url = call.api.options.public_url + "/report?unit=" + unit_id;
  text.instructions =
      "群众监督：发现扶贫领域问题，请用手机扫描下方二维码反映，可匿名，可上传照片。\n"
      "Report a problem: scan the code with your phone (anonymous allowed, photos welcome).";
  text.footer = org->unit(0).name + " · " + text.unit_name;
  auto bytes = DrawPoster(text, format);
  if (!bytes) return ErrorResponse(bytes.error());
  bool pdf = format == PosterFormat::kPdf;
  http::Response r;
  r.status = 200;
  r.body = std::move(*bytes);
  r.content_type = pdf ? "application/pdf" : "image/png";
  r.headers.emplace_back("Content-Disposition", std::string("attachment; filename=\"poster-") +
                                                    unit_id + (pdf ? ".pdf\"" : ".png\""));
  return r;
}

}  // namespace

std::vector<Route> PosterRoutes() {
  std::vector<Route> routes = {
      {{"GET", "/api/v1/units/{unit}/poster.png", Access::kSignedIn, false},
       [](Call& call) { return Poster(call, PosterFormat::kPng); }},
      {{"GET", "/api/v1/units/{unit}/poster.pdf", Access::kSignedIn, false},
       [](Call& call) { return Poster(call, PosterFormat::kPdf); }},
  };
  for (Route& r : routes) r.info.heavy = true;  // drawing a page takes a good part of a second
  return routes;
}

}  // namespace rectify::api
