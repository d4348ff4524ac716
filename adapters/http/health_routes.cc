// /healthz and /metrics (health_routes.h).
#include "adapters/http/health_routes.h"

#include <boost/json.hpp>

namespace rectify::http {

void AddHealthRoutes(HttpServer& server, Metrics& metrics, Health& health) {
  server.Route("GET", "/healthz", [&health](const Request&) {
    boost::json::object body;
    if (health.ready()) {
      body["status"] = "ready";
      return Response::Json(200, boost::json::serialize(body));
    }
    body["status"] = "unready";
    body["reason"] = health.reason();
    Response r = Response::Json(503, boost::json::serialize(body));
    r.headers.emplace_back("Retry-After", "5");
    return r;
  });
  server.Route("GET", "/metrics", [&metrics](const Request&) {
    return Response::Text(200, metrics.RenderPrometheus(), kPrometheusContentType);
  });
}

}  // namespace rectify::http
