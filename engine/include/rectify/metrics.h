// Metrics and health of a running node, as `/metrics` and `/healthz` show them.
//
// `Metrics` is a registry of named series: counters (only go up), gauges (go up and down) and
// histograms (counts of observations in fixed buckets, with their sum). A series is a metric name
// (a Prometheus name, `[a-zA-Z_:][a-zA-Z0-9_:]*`) and a set of labels; asking again for the same
// name and labels returns the same object, so callers may look a series up each time or keep the
// reference (it stays valid as long as the registry):
//
//   Metrics metrics;
//   Counter& fired = metrics.counter("rectify_timers_fired_total", "Timers fired");
//   fired.Inc();
//   metrics.counter("rectify_notifications_sent_total", "Notifications sent",
//                   {{"channel", "email"}}).Inc(3);
//   metrics.gauge("rectify_timers_due", "Timers due and not yet fired").Set(12);
//   metrics.histogram("rectify_batch_seconds", "Time to commit a batch",
//                     {0.005, 0.05, 0.5, 5}).Observe(0.012);
//   std::string text = metrics.RenderPrometheus();
//
// RenderPrometheus writes the text exposition format 0.0.4: per metric, in name order, a `# HELP`
// and a `# TYPE` line, then its series in label order; a histogram has cumulative
// `_bucket{le="..."}` lines ending with `le="+Inf"`, then `_sum` and `_count`. The help text and
// the type of a metric are those given when it was first asked for. Asking for a name with another
// kind of metric than it was created as is a bug (an assertion).
//
// `Health` is a node's readiness: serve sets it ready once the database is reachable and the
// engine started, and not ready, with the reason, when that stops being true. A node starts not
// ready ("starting").
//
// Thread-safety: everything here may be used from any thread at once. Counters and gauges are
// atomics; a histogram takes a small mutex per observation so that its count, sum and buckets are
// always consistent with each other when rendered.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rectify {

class Counter {
 public:
  // `n` >= 0: a counter only goes up.
  void Inc(std::int64_t n = 1);
  std::int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Add(double v);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds (inclusive, as Prometheus' `le`); sorted and de-duplicated
  // here; a last `+Inf` bucket is implied.
  explicit Histogram(std::vector<double> bounds);

  void Observe(double v);

  struct Snapshot {
    std::vector<double> bounds;          // without +Inf
    std::vector<std::uint64_t> buckets;  // cumulative, one per bound, then +Inf (== count)
    std::uint64_t count = 0;
    double sum = 0;
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative; the last is +Inf
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

using Labels = std::map<std::string, std::string>;

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  Counter& counter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const Labels& labels = {});
  // `bounds` count only when the series is created; later calls get the series as it is.
  Histogram& histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                       const Labels& labels = {});

  std::string RenderPrometheus() const;

 private:
  struct Family;
  Family& FamilyFor(const std::string& name, const std::string& help, int type);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
};

class Health {
 public:
  void SetReady(bool ready, std::string reason = "");
  bool ready() const;
  // Why the node is not ready; empty when it is.
  std::string reason() const;

 private:
  mutable std::mutex mu_;
  bool ready_ = false;
  std::string reason_ = "starting";
};

}  // namespace rectify
