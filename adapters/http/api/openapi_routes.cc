// The contract, public:
//   GET /api/v1/openapi.json   the OpenAPI 3.1 document of this API (openapi.h)
#include "adapters/http/api/api_internal.h"
#include "adapters/http/api/openapi.h"

namespace rectify::api {
namespace {

http::Response Document(Call&) { return http::Response::Json(200, std::string(OpenApiDocument())); }

}  // namespace

std::vector<Route> DocumentRoutes() {
  return {
      {{"GET", "/api/v1/openapi.json", Access::kPublic, false}, Document},
  };
}

}  // namespace rectify::api
