// Metrics registry and Prometheus text rendering (metrics.h).
#include "rectify/metrics.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <sstream>

namespace rectify {

namespace {

enum Type { kCounter = 0, kGauge = 1, kHistogram = 2 };

const char* TypeName(int type) {
  switch (type) {
    case kCounter:
      return "counter";
    case kGauge:
      return "gauge";
    default:
      return "histogram";
  }
}

[[maybe_unused]] bool ValidName(const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Prometheus numbers: the shortest text that reads back as the same double; +Inf, -Inf, NaN.
std::string FormatNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  assert(ec == std::errc());
  return std::string(buf, end);
}

// HELP text escapes backslash and line feed; label values also escape the double quote.
std::string Escape(const std::string& s, bool quote) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="1",b="2"}` with an extra label (le) last; empty when there are no labels at all.
std::string LabelText(const Labels& labels, const std::string& extra_name = "",
                      const std::string& extra_value = "") {
  if (labels.empty() && extra_name.empty()) return "";
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!first) out += ",";
    first = false;
    out += k + "=\"" + Escape(v, true) + "\"";
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (!extra_name.empty()) add(extra_name, extra_value);
  return out + "}";
}

}  // namespace

void Counter::Inc(std::int64_t n) {
  assert(n >= 0);
  value_.fetch_add(n, std::memory_order_relaxed);
}

void Gauge::Add(double v) {
  double old = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  while (!bounds_.empty() && std::isinf(bounds_.back())) bounds_.pop_back();  // +Inf is implied
  counts_.assign(bounds_.size() + 1, 0);
}

void Histogram::Observe(double v) {
  std::size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  std::lock_guard lock(mu_);
  ++counts_[i];
  ++count_;
  sum_ += v;
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  s.bounds = bounds_;
  std::lock_guard lock(mu_);
  std::uint64_t running = 0;
  for (std::uint64_t c : counts_) {
    running += c;
    s.buckets.push_back(running);
  }
  s.count = count_;
  s.sum = sum_;
  return s;
}

struct Metrics::Family {
  std::string help;
  int type = kCounter;
  std::map<Labels, std::unique_ptr<Counter>> counters;
  std::map<Labels, std::unique_ptr<Gauge>> gauges;
  std::map<Labels, std::unique_ptr<Histogram>> histograms;
};

Metrics::Metrics() = default;
Metrics::~Metrics() = default;

Metrics::Family& Metrics::FamilyFor(const std::string& name, const std::string& help, int type) {
  assert(ValidName(name));
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto f = std::make_unique<Family>();
    f->help = help;
    f->type = type;
    it = families_.emplace(name, std::move(f)).first;
  }
  // One name, one kind of metric. Without assertions the caller still gets a working object of
  // the kind it asked for, which is not rendered.
  assert(it->second->type == type);
  return *it->second;
}

Counter& Metrics::counter(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, kCounter).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Metrics::gauge(const std::string& name, const std::string& help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, kGauge).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Metrics::histogram(const std::string& name, const std::string& help,
                              std::vector<double> bounds, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = FamilyFor(name, help, kHistogram).histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(std::move(bounds));
  return *slot;
}

std::string Metrics::RenderPrometheus() const {
  std::ostringstream out;
  std::lock_guard lock(mu_);
  for (const auto& [name, f] : families_) {
    out << "# HELP " << name << " " << Escape(f->help, false) << "\n";
    out << "# TYPE " << name << " " << TypeName(f->type) << "\n";
    switch (f->type) {
      case kCounter:
        for (const auto& [labels, c] : f->counters) {
          out << name << LabelText(labels) << " " << c->value() << "\n";
        }
        break;
      case kGauge:
        for (const auto& [labels, g] : f->gauges) {
          out << name << LabelText(labels) << " " << FormatNumber(g->value()) << "\n";
        }
        break;
      default:
        for (const auto& [labels, h] : f->histograms) {
          Histogram::Snapshot s = h->snapshot();
          for (std::size_t i = 0; i < s.buckets.size(); ++i) {
            std::string le = i < s.bounds.size() ? FormatNumber(s.bounds[i]) : "+Inf";
            out << name << "_bucket" << LabelText(labels, "le", le) << " " << s.buckets[i] << "\n";
          }
          out << name << "_sum" << LabelText(labels) << " " << FormatNumber(s.sum) << "\n";
          out << name << "_count" << LabelText(labels) << " " << s.count << "\n";
        }
        break;
    }
  }
  return out.str();
}

void Health::SetReady(bool ready, std::string reason) {
  std::lock_guard lock(mu_);
  ready_ = ready;
  reason_ = ready ? std::string() : std::move(reason);
}

bool Health::ready() const {
  std::lock_guard lock(mu_);
  return ready_;
}

std::string Health::reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

}  // namespace rectify
