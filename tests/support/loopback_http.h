// A plain HTTP GET to a server on loopback, for tests that watch `rectify serve --listen`: its
// /healthz and its /metrics (the counters the crash, multi-node and outage tests wait on).
//
//   HttpReply r = HttpGet(port, "/metrics");
//   if (r.status == 200) double fired = MetricValue(r.body, "rectify_timer_firings_total");
//
// Thread-safety: none needed; each call opens its own connection.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace rectify::test {

struct HttpReply {
  int status = 0;  // 0 when nothing answered (refused, reset, timed out)
  std::string body;
};

HttpReply HttpGet(int port, const std::string& path,
                  std::chrono::milliseconds limit = std::chrono::seconds(5));

// The sum of a metric's samples (every label set) in a Prometheus text exposition, or nullopt
// when the metric has no sample there.
std::optional<double> MetricValue(const std::string& exposition, const std::string& name);

}  // namespace rectify::test
