// The API's contract: the OpenAPI 3.1 document (openapi.json, next to this file) describing every
// route of ApiService::Routes(), its parameters, bodies, responses and errors.
//
//   std::string_view doc = OpenApiDocument();   // the bytes of openapi.json, as built
//
// The document is embedded in the binary at build time (cmake/EmbedFile.cmake), so `rectify
// serve` serves it at GET /api/v1/openapi.json without the source tree. Edit openapi.json with
// the routes: tests/http/api_contract_pgtest.cc checks that each served route is documented and
// each documented one served, and validates the API's real answers against its schemas.
//
// Thread-safety: a constant.
#pragma once

#include <string_view>

namespace rectify::api {

std::string_view OpenApiDocument();

}  // namespace rectify::api
