#include "adapters/cli/serve_node.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <cctype>

#include "adapters/cli/campaign_session.h"
#include "adapters/cli/database_access.h"
#include "adapters/cli/definition_sources.h"
#include "adapters/cli/engine_access.h"
#include "adapters/http/api/api_service.h"
#include "adapters/http/health_routes.h"
#include "adapters/http/http_server.h"
#include "adapters/http/static_files.h"
#include "adapters/rehearsal/timeline.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/engine/campaign.h"
#include "rectify/scheduler/scheduler.h"

namespace rectify::cli {

namespace {

// SQLite runs one engine node: the first `rectify serve` on a file holds an advisory lock on a
// file beside it, and a second one is refused with what to do. The lock goes with the process,
// whatever way it ends.
class SqliteNodeLock {
 public:
  static Result<std::unique_ptr<SqliteNodeLock>> Take(const std::string& db_path) {
    std::string path = db_path + ".serve-lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Error::Unavailable("cannot open " + path + ": " + strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);
      return Error::FailedPrecondition(
          "another 'rectify serve' is running on " + db_path +
          "; SQLite runs one engine node: stop that one, or use PostgreSQL to run several nodes");
    }
    return std::unique_ptr<SqliteNodeLock>(new SqliteNodeLock(fd));
  }
  ~SqliteNodeLock() { ::close(fd_); }

 private:
  explicit SqliteNodeLock(int fd) : fd_(fd) {}
  int fd_;
};

std::string DefaultNodeId() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

// A size as --max-upload takes it: a whole number of bytes, or with KiB, MiB or GiB (also KB, MB,
// GB, K, M, G as the same powers of 1024).
std::optional<std::size_t> ParseByteSize(const std::string& text) {
  std::size_t i = 0;
  std::uint64_t n = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    n = n * 10 + static_cast<std::uint64_t>(text[i++] - '0');
    if (n > (1ull << 40)) return std::nullopt;
  }
  if (i == 0) return std::nullopt;
  std::string unit = text.substr(i);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int shift = unit.empty() || unit == "B"                    ? 0
              : unit == "K" || unit == "KB" || unit == "KIB" ? 10
              : unit == "M" || unit == "MB" || unit == "MIB" ? 20
              : unit == "G" || unit == "GB" || unit == "GIB" ? 30
                                                             : -1;
  if (shift < 0 || n == 0) return std::nullopt;
  return static_cast<std::size_t>(n << shift);
}

}  // namespace

void RunNode(Context& ctx, const NodeOptions& o) {
  auto url = store_soci::ParseDatabaseUrl(ctx.DatabaseUrl());
  if (!url) return ctx.Fail(url.error());
  const bool sqlite = url->backend == store_soci::Backend::kSqlite;
  if (o.workers < 0) return ctx.UsageError("--workers must be at least 1");
  if (sqlite && url->in_memory()) {
    return ctx.UsageError("serve needs a database that outlives it; give --db sqlite:FILE");
  }
  if (o.batch < 1) return ctx.UsageError("--batch must be at least 1");
  if (o.lease_seconds <= 0) return ctx.UsageError("--lease must be more than 0 seconds");
  if ((!o.from.empty() || !o.anchor.empty()) && o.speed <= 0) {
    return ctx.UsageError("--from and --anchor go with --speed");
  }
  auto max_upload = ParseByteSize(o.max_upload);
  auto max_upload_request = ParseByteSize(o.max_upload_request);
  if (!max_upload || !max_upload_request) {
    return ctx.UsageError(
        "--max-upload and --max-upload-request take a size such as 20MiB, 512KiB or 1048576");
  }
  if (*max_upload_request < *max_upload) {
    return ctx.UsageError("--max-upload-request must be at least --max-upload");
  }
  if (!o.public_url.empty() &&
      (!(o.public_url.rfind("https://", 0) == 0 || o.public_url.rfind("http://", 0) == 0) ||
       o.public_url.find_first_of("?# ") != std::string::npos)) {
    return ctx.UsageError("--public-url: write the address as https://host[/path] (no query)");
  }
  if (o.public_unit.empty() != o.public_registrar.empty()) {
    return ctx.UsageError("--public-unit and --public-registrar go together");
  }
  if (o.public_report_limit < 1) return ctx.UsageError("--public-report-limit must be at least 1");
  std::optional<http::ListenAddress> listen;
  if (!o.listen.empty()) {
    auto l = http::ParseListenAddress(o.listen);
    if (!l) return ctx.UsageError("--listen: " + l.error().message());
    listen = *l;
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return ctx.UsageError("--tls-cert and --tls-key go together (the certificate and its key)");
  }
  if ((!o.tls_cert.empty() || !o.auth_header.empty()) && !listen) {
    return ctx.UsageError("--tls-cert and --auth-header are for the API: give --listen too");
  }
  auto header_auth = api::HeaderAuth::Parse(o.auth_header, o.trusted_proxies);
  if (!header_auth) return ctx.UsageError(header_auth.error().message());
  if (!o.tls_cert.empty()) {
    // A bad certificate or key stops the start before anything else: nothing is served.
    if (Status st = http::HttpServer::CheckTls(o.tls_cert, o.tls_key); !st) {
      return ctx.Fail(st.error());
    }
  }
  // The web pages: read before anything starts, so a wrong --web stops the start.
  std::shared_ptr<const http::StaticFiles> web_files;
  if (!o.web.empty() && o.web != "none" && !listen) {
    return ctx.UsageError("--web serves the pages over HTTP: give --listen too");
  }
  if (listen && o.web != "none") {
    std::string dir = o.web.empty() ? http::DefaultWebDir() : o.web;
    if (!dir.empty()) {
      auto files = http::StaticFiles::Load(dir);
      if (!files) return ctx.Fail(files.error());
      web_files = std::move(*files);
    }
  }
  std::unique_ptr<SqliteNodeLock> node_lock;
  if (sqlite) {
    auto lock = SqliteNodeLock::Take(url->path);
    if (!lock) return ctx.Fail(lock.error());
    node_lock = std::move(*lock);
  }

  // The definitions, registered; with --campaign, the campaign too (started when it was not).
  auto session = OpenEngine(ctx, o.definitions, "");
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  const Calendar* cal = nullptr;
  std::shared_ptr<const definition::Campaign> campaign;
  if (!o.campaign.empty()) {
    campaign = s.definitions->FindCampaign(o.campaign);
    if (Status st = s.RequireCampaign(ctx, o.campaign); !st) return ctx.Fail(st.error());
    cal = &campaign->calendar();
  }
  auto when = [&](const std::string& text, bool end_of_day) -> Result<Timestamp> {
    if (cal) return ParseWhen(text, *cal, end_of_day);
    return ParseIso(text);
  };

  std::unique_ptr<Clock> clock;
  if (o.speed > 0) {
    Timestamp start = SystemClock().Now();
    if (!o.from.empty()) {
      auto t = when(o.from, false);
      if (!t) return ctx.Fail(t.error().WithContext("--from"));
      start = *t;
    }
    if (!o.anchor.empty()) {
      auto a = ParseIso(o.anchor);
      if (!a) return ctx.Fail(a.error().WithContext("--anchor"));
      clock = std::make_unique<AcceleratedClock>(start, o.speed, *a);
    } else {
      clock = std::make_unique<AcceleratedClock>(start, o.speed);
    }
  } else {
    clock = std::make_unique<SystemClock>();
  }
  std::optional<Timestamp> until;
  if (!o.until.empty()) {
    auto t = when(o.until, true);
    if (!t) return ctx.Fail(t.error().WithContext("--until"));
    until = *t;
  }
  if (campaign) {
    engine::Engine starter(*s.store, *clock, s.definitions);
    auto existing = s.store->LoadInstance(engine::CampaignInstanceId(campaign->info().name));
    if (!existing) {
      if (existing.error().code() != ErrorCode::kNotFound) return ctx.Fail(existing.error());
      auto run = engine::StartCampaign(starter, campaign->info().name, campaign->info().version);
      if (!run) return ctx.Fail(run.error());
    }
  }

  scheduler::SchedulerOptions so;
  so.node_id = o.node_id.empty() ? DefaultNodeId() : o.node_id;
  // Two database threads by default, on either backend. SQLite has one writer, but a worker
  // spends most of a batch loading and computing, which overlaps another's commit (the
  // connections take turns at the write lock; store_soci::Database::BeginWrite).
  so.workers = o.workers > 0 ? o.workers : 2;
  so.batch = o.batch;
  so.lease = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(o.lease_seconds));
  if (o.speed > 0) {
    // The horizon and the lease are engine time; keep them a minute and the lease of real time.
    so.horizon = std::chrono::duration_cast<Duration>(so.horizon * o.speed);
    so.lease = std::chrono::duration_cast<Duration>(so.lease * o.speed);
  }
  std::string db_url = ctx.DatabaseUrl();
  // Each worker's store issues the bulletins campaigns schedule (as their timers fire) with the
  // shipped document templates; checked once here, so a missing folder is said once.
  const std::string templates = ctx.Home() + "/workflows/templates";
  const bool with_templates = store_soci::LoadBulletinTemplates(templates).ok();
  if (!with_templates) UseShippedBulletinTemplates(ctx, *s.store);  // says why
  scheduler::StoreFactory open_store = [db_url, templates,
                                        with_templates]() -> Result<std::unique_ptr<Store>> {
    auto u = store_soci::ParseDatabaseUrl(db_url);
    if (!u) return u.error();
    store_soci::OpenOptions options;
    options.create = false;
    auto store = store_soci::OpenStore(*u, options);
    if (store && with_templates) {
      if (Status st = store_soci::SetBulletinTemplates(**store, templates); !st) return st.error();
    }
    return store;
  };

  boost::asio::io_context io;
  Metrics metrics;
  Health health;
  scheduler::Scheduler node(io, *clock, open_store, s.definitions, so, metrics, health);
  // The API (declared before the server, so it is destroyed after it): people and systems act
  // through it as themselves, within their units.
  std::unique_ptr<api::ApiService> api_service;
  std::unique_ptr<http::HttpServer> server;
  if (listen) {
    api::ApiOptions ao;
    ao.database = *url;
    ao.definitions = s.definitions;
    DefinitionPaths paths = ResolveDefinitionPaths(ctx, o.definitions);
    ao.definition_paths = paths.county;
    if (!paths.library.empty()) ao.definition_library = {paths.library};
    ao.clock = clock.get();
    ao.workers = o.api_workers;
    ao.heavy_workers = o.api_heavy_workers;
    ao.group_commit = o.api_group_commit;
    ao.migrations_dir = MigrationsDir(ctx, "");
    ao.rehearsal_seconds = o.rehearsal_limit;
    ao.max_upload = *max_upload;
    ao.public_unit = o.public_unit;
    ao.public_registrar = o.public_registrar;
    ao.public_url = o.public_url;
    while (!ao.public_url.empty() && ao.public_url.back() == '/') ao.public_url.pop_back();
    ao.public_free_per_address = o.public_report_limit;
    // The multipart framing of the largest file fits in the request's limit.
    ao.max_upload_request = std::max(*max_upload_request, *max_upload + std::size_t{64} * 1024);
    ao.sessions.secure_cookie = !o.tls_cert.empty();
    ao.header_auth = std::move(*header_auth);
    auto created = api::ApiService::Create(ao);
    if (!created) return ctx.Fail(created.error().WithContext("the API"));
    api_service = std::move(*created);
    http::HttpServer::Options ho;
    ho.headers = api::SecurityHeaders();
    server = std::make_unique<http::HttpServer>(io, listen->host, listen->port, ho);
    http::AddHealthRoutes(*server, metrics, health);
    api_service->AddRoutes(*server);
    if (web_files) server->Fallback(http::StaticFilesHandler(web_files));
    if (!o.tls_cert.empty()) {
      if (Status st = server->UseTls(o.tls_cert, o.tls_key); !st) return ctx.Fail(st.error());
    }
    if (Status st = server->Start(); !st) return ctx.Fail(st.error().WithContext("--listen"));
  }

  // With a campaign, its events are printed as they commit, read back from the audit log.
  std::unique_ptr<store_soci::Database> timeline_db;
  std::unique_ptr<rehearsal::Timeline> timeline;
  if (campaign) {
    store_soci::OpenOptions options;
    options.create = false;
    auto db = store_soci::Database::Open(*url, options);
    if (!db) return ctx.Fail(db.error());
    timeline_db = std::move(*db);
    timeline = std::make_unique<rehearsal::Timeline>(timeline_db->session(), campaign);
    if (auto old = timeline->ReadNew(); !old) return ctx.Fail(old.error());
  }
  auto print_new = [&] {
    if (!timeline) return;
    auto events = timeline->ReadNew();
    if (!events) {
      ctx.err << "rectify: error: " << events.error().message() << "\n";
      return;
    }
    for (const rehearsal::TimelineEvent& e : *events) {
      std::string name(e.fields.at("event").as_string());
      if (name == "notification" && !o.notifications) continue;
      std::string at = cal->FormatLocal(e.at).substr(0, 16);
      at[10] = ' ';
      ctx.out << at << "  " << e.text << "\n";
    }
    ctx.out << std::flush;
  };

  std::int64_t fired = 0, skipped = 0;
  node.OnBatch([&](const scheduler::BatchEvent& b) {
    fired += b.report.timers;
    skipped += b.report.skipped;
    for (const auto& e : b.report.errors) ctx.err << "rectify: error: " << e << "\n";
    print_new();
  });
  node.OnPhase([&](scheduler::NodePhase phase) {
    ctx.out << "node " << so.node_id << ": " << scheduler::NodePhaseName(phase) << "\n"
            << std::flush;
  });

  auto stop = [&] {
    node.Stop();
    if (server) server->Stop();
  };
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) stop();
  });
  std::unique_ptr<Timer> until_timer;
  if (until) {
    until_timer = clock->MakeTimer(io.get_executor());
    until_timer->ExpireAt(*until);
    until_timer->AsyncWait([&](const boost::system::error_code& ec) {
      if (!ec) stop();
    });
  }

  ctx.out << "rectify serve: node " << so.node_id << " on " << url->Redacted() << ", " << so.workers
          << (so.workers == 1 ? " worker" : " workers") << ", "
          << (o.speed > 0
                  ? "accelerated clock (x" + std::to_string(static_cast<long long>(o.speed)) +
                        ") at " + FormatIso(clock->Now())
                  : std::string("real time"))
          << "\n";
  if (server) {
    std::string host = server->address();
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    ctx.out << "rectify serve: listening on " << (server->tls() ? "https" : "http") << "://" << host
            << ":" << server->port() << "\n";
    if (web_files) ctx.out << "rectify serve: web pages from " << web_files->dir() << "\n";
  }
  ctx.out << std::flush;
  node.Start();
  auto guard = boost::asio::make_work_guard(io);  // run_for waits rather than spins when idle
  // Run until the node has stopped: Stop() cancels the node's timer; the signal set and the
  // HTTP server go when their owners do.
  while (node.phase() != scheduler::NodePhase::kDraining &&
         node.phase() != scheduler::NodePhase::kStopped) {
    io.run_for(std::chrono::milliseconds(200));
    if (io.stopped()) io.restart();
  }
  node.Join();
  io.poll();  // the last batches' reports
  signals.cancel();
  if (until_timer) until_timer->Cancel();
  print_new();
  ctx.out << "node " << so.node_id << ": stopped; fired " << fired << " timer"
          << (fired == 1 ? "" : "s")
          << (skipped ? ", " + std::to_string(skipped) + " already fired elsewhere" : std::string())
          << "\n";
}

}  // namespace rectify::cli
