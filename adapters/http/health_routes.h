// The routes every node serves for its operators and for Prometheus:
//
//   GET /healthz   200 {"status":"ready"}, or 503 {"status":"unready","reason":"..."}
//   GET /metrics   the registry in the Prometheus text format (content type
//                  `text/plain; version=0.0.4`)
//
//   http::AddHealthRoutes(server, metrics, health);   // before server.Start()
//
// `metrics` and `health` are read at each request, so they must outlive the server; both are
// thread-safe (metrics.h).
#pragma once

#include "adapters/http/http_server.h"
#include "rectify/metrics.h"

namespace rectify::http {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4";

void AddHealthRoutes(HttpServer& server, Metrics& metrics, Health& health);

}  // namespace rectify::http
