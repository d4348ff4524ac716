// Notification delivery figures (issue 6), a plain main printing them:
//   1. deliveries/s from the outbox to the log channel (a dispatcher draining a backlog);
//   2. the same to a webhook: generic JSON posted over loopback to a local receiver
//      (bench/loopback_receiver.h), one connection kept alive;
//   3. the dispatcher's delay from due to sent under a steady load (a producer committing rows as
//      the engine does, a dispatcher polling), as p50 / p95 / max.
//
//   notify_bench [--rows N] [--rate R] [--seconds S] [DATABASE_URL]
//
// The database defaults to a fresh SQLite file in a temporary folder; a PostgreSQL URL must name
// an empty database (scripts/pg_test_cluster.sh start DIR prints one to DIR/url).
// docs/benchmarks.md has the figures and the machine.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "adapters/notify/channels/log/log_channel.h"
#include "adapters/notify/channels/webhook/webhook_channel.h"
#include "adapters/notify/dispatcher.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "adapters/store/soci/soci_store.h"
#include "bench/loopback_receiver.h"

using namespace rectify;

namespace {

std::unique_ptr<store_soci::Database> Connect(const std::string& url) {
  auto parsed = store_soci::ParseDatabaseUrl(url);
  if (!parsed) {
    std::fprintf(stderr, "%s\n", parsed.error().message().c_str());
    std::exit(2);
  }
  auto db = store_soci::Database::Open(*parsed, {});
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message().c_str());
    std::exit(3);
  }
  return std::move(*db);
}

void Check(const Status& s, const char* what) {
  if (!s) {
    std::fprintf(stderr, "%s: %s\n", what, s.error().message().c_str());
    std::exit(4);
  }
}

OutboxRecord Row(std::int64_t i, Timestamp due) {
  OutboxRecord o;
  o.dedup_key = "B-" + std::to_string(i) + "|remind:rectifying:0|1|xs-0014";
  o.instance_id = "B-" + std::to_string(i);
  o.channel = "email";
  o.recipient = "xs-0014";
  o.template_name = "reminder";
  o.payload_json = R"({"item":"B-1","title":"危房改造对象识别不准","due":"2017-05-08",)"
                   R"("unit_name":"酿溪镇","message":"Reminder (整改提醒): item B-1"})";
  o.not_before = due;
  o.next_attempt_at = due;
  o.created_at = due;
  return o;
}

struct Setup {
  notify::ChannelSpec spec;
  std::unique_ptr<notify::ChannelsConfig> config;
  notify::ChannelMap channels;
  notify::Renderer renderer;
  notify::Directory directory;
  std::ofstream sink{"/dev/null"};

  // `webhook_url` empty: the log channel (to /dev/null); else a generic webhook posting there.
  explicit Setup(const std::string& webhook_url = "") {
    spec.name = webhook_url.empty() ? "log" : "hook";
    spec.kind = webhook_url.empty() ? "log" : "webhook";
    config = std::make_unique<notify::ChannelsConfig>(
        definition::DefinitionInfo{definition::Kind::kChannels, "bench"},
        std::vector<notify::ChannelSpec>{spec},
        std::map<std::string, std::string>{{"email", spec.name}}, "");
    if (webhook_url.empty()) {
      channels["log"] = std::make_unique<notify::LogChannel>(sink);
    } else {
      channels["hook"] = notify::MakeWebhookChannel({.url = webhook_url});
    }
    auto r = notify::Renderer::Load(std::string(RECTIFY_SOURCE_DIR) + "/workflows/templates");
    Check(r ? OkStatus() : Status(r.error()), "templates");
    renderer = std::move(*r);
    notify::Recipient p{"xs-0014", "唐强华", "zh", "新邵县", {}, false};
    p.contacts.email = "tang@example.org";
    directory.Add(p);
  }
};

void Clear(store_soci::Database& db) {
  Check(db.Exec("DELETE FROM delivery_attempts"), "clear");
  Check(db.Exec("DELETE FROM documents"), "clear");
  Check(db.Exec("DELETE FROM outbox"), "clear");
}

void Throughput(const std::string& url, std::int64_t rows, std::int64_t batch,
                const std::string& webhook_url = "") {
  auto store = store_soci::MakeStore(Connect(url));
  store_soci::SociOutboxStore outbox(Connect(url));
  auto db = Connect(url);
  Clear(*db);
  Timestamp due = *ParseIso("2017-05-08T02:00:00Z");
  for (std::int64_t i = 0; i < rows; i += 1000) {
    ChangeSet c;
    for (std::int64_t j = i; j < std::min(rows, i + 1000); ++j)
      c.outbox_inserts.push_back(Row(j, due));
    Check(store->Commit(c), "enqueue");
  }
  Setup s(webhook_url);
  VirtualClock clock(due);
  notify::DispatcherOptions o;
  o.batch = batch;
  notify::Dispatcher d(outbox, clock, *s.config, s.channels, s.renderer, s.directory, nullptr, o);
  auto start = std::chrono::steady_clock::now();
  auto stats = d.Drain();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Check(stats ? OkStatus() : Status(stats.error()), "drain");
  std::printf("%-7s     batch %5lld: %lld delivered in %.2f s = %.0f deliveries/s\n",
              webhook_url.empty() ? "log" : "webhook", static_cast<long long>(batch),
              static_cast<long long>(stats->delivered), seconds,
              static_cast<double>(stats->delivered) / seconds);
}

void SteadyLoad(const std::string& url, double rate, double run_seconds, double poll_ms) {
  auto db = Connect(url);
  Clear(*db);
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> enqueued{0};
  std::thread producer([&] {
    auto store = store_soci::MakeStore(Connect(url));
    SystemClock clock;
    std::int64_t next = 0;
    auto start = std::chrono::steady_clock::now();
    while (!stop) {
      double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      auto target = static_cast<std::int64_t>(elapsed * rate);
      if (target > next) {
        ChangeSet c;
        for (; next < target; ++next) c.outbox_inserts.push_back(Row(next, clock.Now()));
        Check(store->Commit(c), "enqueue");
        enqueued = next;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  });
  Setup s;
  SystemClock clock;
  store_soci::SociOutboxStore outbox(Connect(url));
  notify::DispatcherOptions o;
  notify::Dispatcher d(outbox, clock, *s.config, s.channels, s.renderer, s.directory, nullptr, o);
  auto end = std::chrono::steady_clock::now() +
             std::chrono::milliseconds(static_cast<std::int64_t>(run_seconds * 1000));
  while (std::chrono::steady_clock::now() < end) {
    auto stats = d.Drain();
    Check(stats ? OkStatus() : Status(stats.error()), "drain");
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<std::int64_t>(poll_ms)));
  }
  stop = true;
  producer.join();
  std::vector<long long> delays;
  long long delay = 0;
  soci::statement st = (db->session().prepare << "SELECT sent_at - not_before FROM outbox "
                                                 "WHERE state = 'sent'",
                        soci::into(delay));
  st.execute();
  while (st.fetch()) delays.push_back(delay);
  std::sort(delays.begin(), delays.end());
  if (delays.empty()) return;
  auto at = [&](double q) {
    return static_cast<double>(delays[static_cast<std::size_t>(q * (delays.size() - 1))]) / 1000.0;
  };
  // The producer keeps the rate against its own clock: more rows than rate x seconds means a
  // commit stalled (the machine's disk or CPU) and the rows came in a burst after it.
  std::printf(
      "steady load %.0f/s, poll %.0f ms, %.0f s: %lld enqueued, %zu sent; due->sent p50 %.1f ms, "
      "p95 %.1f ms, max %.1f ms\n",
      rate, poll_ms, run_seconds, static_cast<long long>(enqueued.load()), delays.size(), at(0.5),
      at(0.95), at(1.0));
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t rows = 20000;
  double rate = 200, seconds = 10;
  std::string url;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc) {
      rows = std::stoll(argv[++i]);
    } else if (a == "--rate" && i + 1 < argc) {
      rate = std::stod(argv[++i]);
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else {
      url = a;
    }
  }
  std::filesystem::path tmp;
  if (url.empty()) {
    tmp = std::filesystem::temp_directory_path() / ("notify_bench_" + std::to_string(::getpid()));
    std::filesystem::create_directories(tmp);
    url = "sqlite:" + (tmp / "bench.db").string();
  }
  {
    auto db = Connect(url);
    store_soci::Migrator m(*db, std::string(RECTIFY_SOURCE_DIR) + "/migrations");
    auto applied = m.Migrate(*ParseIso("2017-01-01T00:00:00Z"));
    Check(applied ? OkStatus() : Status(applied.error()), "migrate");
  }
  std::printf("database: %s\n",
              url.rfind("sqlite", 0) == 0 ? "SQLite (WAL, synchronous=FULL)" : "PostgreSQL");
  for (std::int64_t batch : {100, 1000}) Throughput(url, rows, batch);
  {
    bench::LoopbackReceiver receiver;
    Throughput(url, rows, 1000, receiver.url("/robot"));
  }
  SteadyLoad(url, rate, seconds, 100);
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  return 0;
}
