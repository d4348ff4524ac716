// Durable timers at scale (issue 5): firings per second on PostgreSQL and SQLite, firing lateness
// at a steady load, start-up with many pending timers, and scale-out over engine nodes. A plain
// program that prints each figure and writes them as JSON; scripts/bench.sh runs it (make bench)
// against a throw-away PostgreSQL cluster, and docs/benchmarks.md records the figures.
//
//   timer_bench --pg postgresql://rectify@127.0.0.1:PORT/postgres --sqlite /tmp/bench.db
//               [--firings 200000] [--batch 1000] [--workers 2] [--sqlite-workers 2]
//               [--startup 1000000]
//               [--startup-10m] [--only firings,lateness,startup,scaleout] --json OUT.json
//
// A firing is the real thing: the scheduler claims the timer (a lease), loads the instance, the
// interpreter applies the escalation step of bench/definitions/bench-item.yaml, and one commit per
// batch writes the instance's new state and version, the timer's claim, the audit event (hash
// chained) and the notification. Each database gets a fresh schema per figure.
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/engine.h"
#include "rectify/scheduler/scheduler.h"

namespace rectify {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Timestamp kBase = *ParseIso("2017-04-21T09:00:00+08:00");

struct Args {
  std::string pg, sqlite, json_out;
  std::int64_t firings = 200000;
  std::int64_t batch = 1000;
  int workers = 2;
  int sqlite_workers = 2;
  std::int64_t startup = 1000000;
  bool startup_10m = false;
  std::string only;
  bool Wants(const std::string& figure) const {
    return only.empty() || ("," + only + ",").find("," + figure + ",") != std::string::npos;
  }
};

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "timer_bench: " << what << "\n";
  std::exit(3);
}

template <class T>
T Must(Result<T> r, const std::string& what) {
  if (!r) Die(what + ": " + r.error().message());
  return std::move(*r);
}
void Must(Status s, const std::string& what) {
  if (!s) Die(what + ": " + s.error().message());
}

double Seconds(SteadyTime a, SteadyTime b) { return std::chrono::duration<double>(b - a).count(); }

long RssMiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  }
  return -1;
}

std::shared_ptr<const definition::DefinitionSet> Definitions() {
  Diagnostics diags;
  auto set = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows",
                                          std::string(RECTIFY_SOURCE_DIR) + "/bench/definitions"},
                                         diags);
  if (!set) Die("definitions: " + diags.Format());
  return *set;
}

// A fresh, migrated database: a new database on the PostgreSQL cluster, or a new SQLite file.
std::string FreshDatabase(const Args& a, bool pg, const std::string& name) {
  if (pg) {
    auto url = Must(store_soci::ParseDatabaseUrl(a.pg), "--pg");
    auto admin = Must(store_soci::Database::Open(url, {}), "open " + a.pg);
    admin->session() << "DROP DATABASE IF EXISTS " + name;
    admin->session() << "CREATE DATABASE " + name;
    std::string base = a.pg.substr(0, a.pg.rfind('/') + 1);
    std::string db_url = base + name;
    auto db =
        Must(store_soci::Database::Open(Must(store_soci::ParseDatabaseUrl(db_url), "url"), {}),
             "open " + db_url);
    store_soci::Migrator m(*db, std::string(RECTIFY_SOURCE_DIR) + "/migrations");
    (void)Must(m.Migrate(kBase), "migrate");
    return db_url;
  }
  std::string path = a.sqlite + "." + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  std::string db_url = "sqlite:" + path;
  auto db = Must(store_soci::Database::Open(Must(store_soci::ParseDatabaseUrl(db_url), "url"), {}),
                 "open " + db_url);
  store_soci::Migrator m(*db, std::string(RECTIFY_SOURCE_DIR) + "/migrations");
  (void)Must(m.Migrate(kBase), "migrate");
  return db_url;
}

std::unique_ptr<Store> OpenStore(const std::string& url) {
  return Must(store_soci::OpenStore(Must(store_soci::ParseDatabaseUrl(url), "url"), {}), "open");
}

// Registers `n` bench items; item i at `at(i)`. Its escalation step falls due an hour later.
void Register(const std::string& url, std::shared_ptr<const definition::DefinitionSet> defs,
              std::int64_t n, const std::function<Timestamp(std::int64_t)>& at) {
  auto store = OpenStore(url);
  VirtualClock clock(kBase);
  engine::Engine engine(*store, clock, defs);
  Must(engine.RegisterDefinitions(), "register definitions");
  const std::int64_t chunk = 5000;
  for (std::int64_t from = 0; from < n; from += chunk) {
    std::vector<engine::Registration> batch;
    for (std::int64_t i = from; i < std::min(n, from + chunk); ++i) {
      engine::Registration r;
      r.item.id = "B-" + std::to_string(10000000 + i);
      r.item.workflow = "bench-item";
      r.item.unit = "niangxi";
      r.item.responsible = "xs-0014";
      r.item.title = "bench";
      r.item.actor = "xs-0009";
      r.item.at = at(i);
      batch.push_back(std::move(r));
    }
    (void)Must(engine.RegisterMany(batch), "register items");
  }
  // Fresh statistics before the clock starts, as autovacuum would give a table that had filled
  // over days: without them PostgreSQL may plan the claim over a table it thinks is empty.
  if (url.rfind("sqlite:", 0) != 0) {
    auto db = Must(store_soci::Database::Open(Must(store_soci::ParseDatabaseUrl(url), "url"), {}),
                   "open " + url);
    db->session() << "VACUUM ANALYZE";
  }
}

scheduler::StoreFactory Factory(const std::string& url) {
  return [url]() -> Result<std::unique_ptr<Store>> {
    auto u = store_soci::ParseDatabaseUrl(url);
    if (!u) return u.error();
    return store_soci::OpenStore(*u, {});
  };
}

struct Run {
  std::int64_t fired = 0;
  double seconds = 0;
  std::vector<double> lateness_ms;
  double first_firing_s = -1;
};

// Runs `nodes` schedulers (one io_context) on `clock` until `expected` firings are committed.
Run RunNodes(const std::string& url, std::shared_ptr<const definition::DefinitionSet> defs,
             Clock& clock, scheduler::SchedulerOptions options, int nodes, std::int64_t expected,
             Duration limit) {
  boost::asio::io_context io;
  Metrics metrics;
  std::vector<std::unique_ptr<Health>> health;
  std::vector<std::unique_ptr<scheduler::Scheduler>> schedulers;
  Run run;
  SteadyTime start = clock.SteadyNow();
  for (int n = 0; n < nodes; ++n) {
    health.push_back(std::make_unique<Health>());
    auto o = options;
    o.node_id = "bench-" + std::to_string(n);
    schedulers.push_back(std::make_unique<scheduler::Scheduler>(io, clock, Factory(url), defs, o,
                                                                metrics, *health.back()));
    schedulers.back()->OnBatch([&](const scheduler::BatchEvent& b) {
      if (run.first_firing_s < 0 && b.report.timers > 0) {
        run.first_firing_s = Seconds(start, clock.SteadyNow());
      }
      run.fired += b.report.timers;
      for (Timestamp due : b.report.fired_due) {
        run.lateness_ms.push_back(
            std::chrono::duration<double, std::milli>(b.committed_at - due).count());
      }
    });
  }
  for (auto& s : schedulers) s->Start();
  // Keep run_for waiting (not spinning) while the workers are busy and nothing is posted yet.
  auto guard = boost::asio::make_work_guard(io);
  SteadyTime end = start + limit;
  while (run.fired < expected && clock.SteadyNow() < end) {
    io.run_for(milliseconds(5));
    if (io.stopped()) io.restart();
  }
  run.seconds = Seconds(start, clock.SteadyNow());
  for (auto& s : schedulers) s->Stop();
  for (auto& s : schedulers) s->Join();
  io.poll();
  return run;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

std::string Fixed(double v, int digits = 0) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

// Everything due at once: how fast are they fired?
json::object Firings(const Args& a, bool pg,
                     std::shared_ptr<const definition::DefinitionSet> defs) {
  std::string url = FreshDatabase(a, pg, "bench_firings");
  Register(url, defs, a.firings, [](std::int64_t) { return kBase; });
  AcceleratedClock clock(kBase + std::chrono::hours(2), 1.0);
  scheduler::SchedulerOptions o;
  o.batch = a.batch;
  o.workers = pg ? a.workers : a.sqlite_workers;
  Run run = RunNodes(url, defs, clock, o, 1, a.firings, seconds(600));
  double rate = static_cast<double>(run.fired) / run.seconds;
  std::cout << (pg ? "postgresql" : "sqlite    ") << "  firings/s: " << Fixed(rate) << "  ("
            << run.fired << " firings in " << Fixed(run.seconds, 2) << " s, batch " << o.batch
            << ", " << o.workers << (o.workers == 1 ? " worker" : " workers") << ")\n";
  return {{"backend", pg ? "postgresql" : "sqlite"},
          {"firings", run.fired},
          {"seconds", run.seconds},
          {"firings_per_s", rate},
          {"batch", o.batch},
          {"workers", o.workers},
          {"target_per_s", pg ? 20000 : 40000}};
}

// A steady 5,000 due timers a second for 20 seconds: how late does each fire?
json::object Lateness(const Args& a, bool pg,
                      std::shared_ptr<const definition::DefinitionSet> defs) {
  const std::int64_t rate = 5000, secs = 20, n = rate * secs;
  std::string url = FreshDatabase(a, pg, "bench_lateness");
  const Timestamp first_due = kBase + std::chrono::hours(1) + seconds(5);
  // Item i registers an hour before it falls due: one every 200 microseconds.
  Register(url, defs, n, [&](std::int64_t i) {
    return first_due - std::chrono::hours(1) + std::chrono::microseconds(1000000 / rate) * i;
  });
  AcceleratedClock clock(first_due - seconds(3), 1.0);
  scheduler::SchedulerOptions o;
  o.batch = a.batch;
  o.workers = pg ? a.workers : a.sqlite_workers;
  Run run = RunNodes(url, defs, clock, o, 1, n, seconds(secs + 120));
  double p50 = Percentile(run.lateness_ms, 0.5), p99 = Percentile(run.lateness_ms, 0.99);
  double max = Percentile(run.lateness_ms, 1.0);
  std::cout << (pg ? "postgresql" : "sqlite    ") << "  lateness at " << rate << " due/s: p50 "
            << Fixed(p50, 1) << " ms, p99 " << Fixed(p99, 1) << " ms, max " << Fixed(max, 1)
            << " ms  (" << run.fired << " firings)\n";
  return {{"backend", pg ? "postgresql" : "sqlite"},
          {"due_per_s", rate},
          {"firings", run.fired},
          {"p50_ms", p50},
          {"p99_ms", p99},
          {"max_ms", max},
          {"target_p99_ms", 50}};
}

// Start-up with `n` pending timers (all but one in the future): until the first firing, and the
// engine's memory. The rows are copied in SQL from one registered item, as a large province's
// database would hold them.
json::object Startup(const Args& a, std::int64_t n,
                     std::shared_ptr<const definition::DefinitionSet> defs) {
  std::string url = FreshDatabase(a, true, "bench_startup");
  Register(url, defs, 1, [](std::int64_t) { return kBase; });
  {
    auto db = Must(store_soci::Database::Open(Must(store_soci::ParseDatabaseUrl(url), "url"), {}),
                   "open");
    SteadyTime t0 = std::chrono::steady_clock::now();
    long long count = n - 1;
    db->session()
        << "INSERT INTO instances SELECT 'P-' || g, workflow, workflow_version, campaign, "
           "unit_id, state, replace(data, 'B-10000000', 'P-' || g), version, created_at, "
           "updated_at FROM instances, generate_series(1, :n) AS g WHERE id = 'B-10000000'",
        soci::use(count);
    // Their timers fall due a day or more from now: pending, not due.
    db->session()
        << "INSERT INTO timers (instance_id, name, generation, due_at, state) SELECT 'P-' "
           "|| g, name, generation, due_at + 86400000000 + g, 'pending' FROM timers, "
           "generate_series(1, :n) AS g WHERE instance_id = 'B-10000000'",
        soci::use(count);
    db->session() << "VACUUM ANALYZE timers";
    std::cout << "            (" << n << " pending timers written in "
              << Fixed(Seconds(t0, std::chrono::steady_clock::now()), 1) << " s)\n";
  }
  long rss_before = RssMiB();
  AcceleratedClock clock(kBase + std::chrono::hours(2), 1.0);
  scheduler::SchedulerOptions o;
  o.batch = a.batch;
  o.workers = a.workers;
  Run run = RunNodes(url, defs, clock, o, 1, 1, seconds(120));
  long rss_after = RssMiB();
  std::cout << "postgresql  start-up with " << n << " pending timers: first firing after "
            << Fixed(run.first_firing_s, 3) << " s; engine memory " << rss_after << " MiB (RSS; "
            << rss_before << " MiB before start)\n";
  return {{"pending", n},
          {"first_firing_s", run.first_firing_s},
          {"rss_mib", rss_after},
          {"rss_before_mib", rss_before},
          {"target_s", n <= 1000000 ? 3.0 : 0.0}};
}

// 1, 2 and 3 nodes on one PostgreSQL, each with one worker.
json::array ScaleOut(const Args& a, std::shared_ptr<const definition::DefinitionSet> defs) {
  json::array out;
  for (int nodes = 1; nodes <= 3; ++nodes) {
    std::string url = FreshDatabase(a, true, "bench_scaleout");
    std::int64_t n = a.firings / 2;
    Register(url, defs, n, [](std::int64_t) { return kBase; });
    AcceleratedClock clock(kBase + std::chrono::hours(2), 1.0);
    scheduler::SchedulerOptions o;
    o.batch = a.batch;
    o.workers = 1;
    Run run = RunNodes(url, defs, clock, o, nodes, n, seconds(600));
    double rate = static_cast<double>(run.fired) / run.seconds;
    std::cout << "postgresql  " << nodes << (nodes == 1 ? " node:  " : " nodes: ") << Fixed(rate)
              << " firings/s\n";
    out.push_back(json::object{{"nodes", nodes}, {"firings_per_s", rate}, {"firings", run.fired}});
  }
  return out;
}

}  // namespace
}  // namespace rectify

int main(int argc, char** argv) {
  using namespace rectify;
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(k + " needs a value");
      return argv[++i];
    };
    if (k == "--pg")
      a.pg = value();
    else if (k == "--sqlite")
      a.sqlite = value();
    else if (k == "--json")
      a.json_out = value();
    else if (k == "--firings")
      a.firings = std::stoll(value());
    else if (k == "--batch")
      a.batch = std::stoll(value());
    else if (k == "--workers")
      a.workers = std::stoi(value());
    else if (k == "--sqlite-workers")
      a.sqlite_workers = std::stoi(value());
    else if (k == "--startup")
      a.startup = std::stoll(value());
    else if (k == "--startup-10m")
      a.startup_10m = true;
    else if (k == "--only")
      a.only = value();
    else
      Die("unknown option " + k + " (see the comment at the top of bench/timer_bench.cc)");
  }
  if (a.pg.empty() || a.sqlite.empty()) Die("give --pg URL and --sqlite PATH");
  auto defs = Definitions();
  json::object results;
  // `--pg none` or `--sqlite none` leaves that backend out (profiling one of them).
  const bool pg = a.pg != "none", lite = a.sqlite != "none";
  if (a.Wants("firings")) {
    json::array f;
    if (pg) f.push_back(Firings(a, true, defs));
    if (lite) f.push_back(Firings(a, false, defs));
    results["firings"] = f;
  }
  if (a.Wants("lateness")) {
    json::array l;
    if (pg) l.push_back(Lateness(a, true, defs));
    if (lite) l.push_back(Lateness(a, false, defs));
    results["lateness"] = l;
  }
  if (!pg) a.only = a.only.empty() ? "firings,lateness" : a.only;
  if (pg && a.Wants("startup")) {
    json::array s{Startup(a, a.startup, defs)};
    if (a.startup_10m) s.push_back(Startup(a, 10000000, defs));
    results["startup"] = s;
  }
  if (pg && a.Wants("scaleout")) results["scaleout"] = ScaleOut(a, defs);
  if (!a.json_out.empty()) {
    std::ofstream(a.json_out) << json::serialize(results) << "\n";
  }
  return 0;
}
