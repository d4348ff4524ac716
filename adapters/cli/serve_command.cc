// rectify serve: the engine, running.
//
// As an engine node (serve_node.h) it fires every instance's timers in the database as they fall
// due, through the scheduler: several worker threads, several nodes sharing one PostgreSQL,
// /healthz and /metrics with --listen, a clean drain on SIGINT/SIGTERM. --campaign starts that
// campaign if needed and prints its events; --speed N runs an accelerated clock (rehearsals and
// the crash tests, with --anchor so restarts share one timeline).
//
// With --items (scripted cadres, as `rectify simulate` has them) it is the campaign
// demonstration `make demo` runs: one process on an accelerated clock, each batch applied at the
// instant it fell due (a VirtualClock is moved there), so acceleration does not make every firing
// look late, and the scripted cadres register and act on the ledger's problems in between.
// --until stops at that date's end with a summary. Ctrl-C stops cleanly.
#include <algorithm>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <cmath>
#include <map>

#include "adapters/cli/campaign_session.h"
#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/scripted_items.h"
#include "adapters/cli/serve_node.h"
#include "adapters/http/health_routes.h"
#include "adapters/http/http_server.h"
#include "adapters/rehearsal/timeline.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/campaign_script.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/metrics.h"

namespace rectify::cli {

namespace {

struct ServeOptions {
  NodeOptions node;  // the engine node's own options (serve_node.h)
  std::string campaign, items, from, until, listen;
  DefinitionSources definitions;
  double speed = 0;
  bool notifications = false;
  std::uint64_t seed = 1;
  double on_time = 0.6, late = 0.25, reject = 0.15, look_back_fail = 0.3;
};

// An instant as the terminal shows it: "2017-05-09 08:30"; a midnight as the day it begins
// ("2017-04-21") or, for an end, the day it ends ("the end of 2017-07-31").
std::string When(const Calendar& cal, Timestamp t, bool end = true) {
  if (!end && cal.StartOfDay(cal.DateOf(t)) == t) return FormatDate(cal.DateOf(t));
  Date day = cal.DateOf(t - std::chrono::microseconds(1));
  if (end && cal.EndOfDay(day) == t) return "the end of " + FormatDate(day);
  std::string local = cal.FormatLocal(t).substr(0, 16);
  local[10] = ' ';
  return local;
}

// 86400 -> "a day a second"; others as a factor.
std::string Pace(double speed) {
  if (speed >= 86400 && std::fmod(speed, 86400) == 0) {
    auto days = static_cast<long long>(speed / 86400);
    return days == 1 ? "a day a second" : std::to_string(days) + " days a second";
  }
  return "x" + std::to_string(static_cast<long long>(speed));
}

void PrintSummary(Context& ctx, Store& store, const definition::Campaign& campaign, Timestamp now) {
  InstanceFilter filter;
  filter.campaign = campaign.info().name;
  std::map<std::string, int> states;
  std::map<std::string, int> measures;
  int items = 0, overdue = 0, payment = 0;
  std::set<std::string> bulletin_units;
  const auto& item_wf = campaign.items().workflow;
  Status listed = engine::ForEachInstance(store, filter, [&](const engine::Instance& inst) {
    const InstanceRecord& r = inst.record;
    ++states[r.workflow + " " + r.state];
    for (const auto& e : inst.escalations) ++measures[e.measure];
    // A checkpoint's instances (materials filed late) put their units on bulletins too.
    if (!inst.bulletins.empty()) bulletin_units.insert(r.unit_id);
    if (item_wf && r.workflow != item_wf->info().name) return OkStatus();
    ++items;
    payment += inst.payment_suspended;
    if (const auto* c = inst.CurrentClock(); c && c->clock.phase == ClockPhase::kRunning) {
      DeadlineClock dc(campaign.calendar(), c->clock);
      overdue += dc.IsOverdue(now);
    }
    return OkStatus();
  });
  if (!listed) return ctx.Fail(listed.error());
  ctx.out << "\n== " << campaign.info().title << " (" << campaign.info().name << ") at "
          << When(campaign.calendar(), now) << " ==\n"
          << "items: " << items << ", overdue now: " << overdue
          << ", payments suspended: " << payment
          << ", units on a bulletin: " << bulletin_units.size() << "\n"
          << "instances by state:\n";
  for (const auto& [k, n] : states) ctx.out << "  " << n << "  " << k << "\n";
  // The ladder's order, mildest first, as the letters name each measure.
  std::vector<std::pair<int, std::string>> ladder;
  for (const auto& [k, n] : measures) {
    auto m = definition::ParseMeasure(k);
    ladder.emplace_back(m ? static_cast<int>(*m) : 100, k);
  }
  std::sort(ladder.begin(), ladder.end());
  ctx.out << "escalation steps taken:" << (ladder.empty() ? " none" : "") << "\n";
  for (const auto& [rank, k] : ladder) {
    auto m = definition::ParseMeasure(k);
    ctx.out << "  " << measures[k] << "  " << (m ? std::string(definition::MeasureLabel(*m)) : k)
            << "\n";
  }
}

void RunServe(Context& ctx, const ServeOptions& o) {
  if (o.items.empty()) {
    NodeOptions n = o.node;
    n.listen = o.listen;
    n.campaign = o.campaign;
    n.speed = o.speed;
    n.from = o.from;
    n.until = o.until;
    n.definitions = o.definitions;
    n.notifications = o.notifications;
    return RunNode(ctx, n);
  }
  if (!o.node.tls_cert.empty() || !o.node.tls_key.empty() || !o.node.auth_header.empty() ||
      !o.node.trusted_proxies.empty() || !o.node.web.empty()) {
    return ctx.UsageError(
        "--items runs the campaign demonstration, which has no API; --tls-cert, --tls-key, "
        "--auth-header, --trusted-proxy and --web are for an engine node (leave out --items)");
  }
  if (o.node.workers > 0 || !o.node.anchor.empty() || !o.node.node_id.empty()) {
    return ctx.UsageError(
        "--items runs the campaign demonstration in one process; --workers, --node-id and "
        "--anchor are for an engine node (leave out --items)");
  }
  if (o.campaign.empty() && !o.items.empty()) {
    return ctx.UsageError("--items needs --campaign (the campaign the items belong to)");
  }
  if (!o.from.empty() && o.speed <= 0) {
    return ctx.UsageError("--from needs --speed: on real time the engine starts now");
  }
  engine::CadreBehaviour behaviour{o.seed, o.on_time, o.late, o.reject, o.look_back_fail};
  if (Status st = CheckBehaviour(behaviour); !st) return ctx.Fail(st.error());
  std::optional<http::ListenAddress> listen;
  if (!o.listen.empty()) {
    auto parsed = http::ParseListenAddress(o.listen);
    if (!parsed) return ctx.UsageError("--listen: " + parsed.error().message());
    listen = *parsed;
  }
  SystemClock system;
  // Without a campaign, serve runs every campaign and item in the database; it still needs the
  // definitions: load them through any shipped campaign name the user gave, or none.
  std::string campaign_name = o.campaign.empty() ? "" : o.campaign;
  if (campaign_name.empty()) {
    return ctx.UsageError("give --campaign NAME: serve prints its events on its calendar");
  }
  auto session = OpenCampaignSession(ctx, ctx.DatabaseUrl(), o.definitions, campaign_name, false,
                                     system.Now());
  if (!session) return ctx.Fail(session.error());
  CampaignSession& s = **session;
  const Calendar& cal = s.campaign->calendar();

  Timestamp start = system.Now();
  if (!o.from.empty()) {
    auto t = ParseWhen(o.from, cal, false);
    if (!t) return ctx.Fail(t.error().WithContext("--from"));
    start = *t;
  }
  std::optional<Timestamp> until;
  if (!o.until.empty()) {
    auto t = ParseWhen(o.until, cal, true);
    if (!t) return ctx.Fail(t.error().WithContext("--until"));
    until = *t;
  }
  boost::asio::io_context io;
  Metrics metrics;
  Health health;
  health.SetReady(false, "the engine is starting");
  Counter& batches = metrics.counter("rectify_serve_batches_total",
                                     "Batches of due timers (and scripted actions) applied");
  Counter& timers_fired = metrics.counter("rectify_timers_fired_total", "Timers claimed and fired");
  Counter& fire_errors =
      metrics.counter("rectify_fire_errors_total", "Instances whose due timers could not be fired");
  Gauge& engine_time =
      metrics.gauge("rectify_engine_time_seconds", "The engine clock, in seconds since the epoch");
  boost::asio::io_context stepper_io;  // the VirtualClock's; nothing waits on it
  std::unique_ptr<Clock> pace;
  std::unique_ptr<VirtualClock> stepped;
  if (o.speed > 0) {
    pace = std::make_unique<AcceleratedClock>(start, o.speed);
    stepped = std::make_unique<VirtualClock>(start);
  } else {
    pace = std::make_unique<SystemClock>();
  }
  Clock& engine_clock = stepped ? static_cast<Clock&>(*stepped) : *pace;
  engine::Engine engine(*s.store, engine_clock, s.definitions);
  UseShippedBulletinTemplates(ctx, *s.store);
  // The scripted cadres register the ledger themselves, so the campaign must not have run here
  // before (its problems would be registered twice); then the whole ledger is checked before
  // anything runs.
  auto existing = s.store->LoadInstance(engine::CampaignInstanceId(s.campaign->info().name));
  if (existing) {
    return ctx.Fail(Error::BadInput(
        "campaign " + s.campaign->info().name + " has already run on " +
        store_soci::RedactUrl(ctx.DatabaseUrl()) +
        "; --items registers the ledger's problems itself, so it needs a database without it "
        "(a fresh one: make demo re-creates var/demo.db)"));
  }
  if (existing.error().code() != ErrorCode::kNotFound) return ctx.Fail(existing.error());
  auto script = std::make_unique<engine::CadreScript>(engine, s.campaign, behaviour);
  auto ledger = LoadScriptedLedger(ctx, o.items, engine, *script, *s.campaign,
                                   until.value_or(Timestamp::max()));
  if (!ledger) return ctx.Fail(ledger.error());
  std::unique_ptr<http::HttpServer> server;
  if (listen) {
    server = std::make_unique<http::HttpServer>(io, listen->host, listen->port);
    http::AddHealthRoutes(*server, metrics, health);
    if (Status st = server->Start(); !st) return ctx.Fail(st.error().WithContext("--listen"));
    std::string host = server->address();
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    ctx.out << "rectify serve: listening on http://" << host << ":" << server->port() << "\n"
            << std::flush;
  }
  if (Status st = engine.RegisterDefinitions(); !st) return ctx.Fail(st.error());
  auto run = engine::StartCampaign(engine, s.campaign->info().name, s.campaign->info().version);
  if (!run) return ctx.Fail(run.error());
  script->AddLedger(*ledger);
  rehearsal::Timeline timeline(s.db->session(), s.campaign);
  // What happened before this start is history; print only what happens from now on.
  if (auto old = timeline.ReadNew(); !old) return ctx.Fail(old.error());

  ctx.out << "rectify serve: " << s.campaign->info().title << " (" << s.campaign->info().name
          << ") on " << (o.speed > 0 ? "an accelerated clock, " + Pace(o.speed) : "real time")
          << ", from " << When(cal, start, false)
          << (until ? " to " + When(cal, *until) : std::string()) << "\n"
          << std::flush;

  auto timer = pace->MakeTimer(io.get_executor());
  bool failed = false;
  std::size_t notes_shown = 0;
  auto print_new = [&]() -> bool {
    auto events = timeline.ReadNew();
    if (!events) {
      ctx.Fail(events.error());
      return false;
    }
    for (const rehearsal::TimelineEvent& e : *events) {
      std::string name(e.fields.at("event").as_string());
      if (name == "notification" && !o.notifications) continue;
      std::string at = cal.FormatLocal(e.at).substr(0, 16);
      at[10] = ' ';
      ctx.out << at << "  " << e.text << "\n";
    }
    ctx.out << std::flush;
    return true;
  };
  auto step = [&](Timestamp now) -> bool {
    if (stepped) {
      auto r = engine::RunScripted(engine, *stepped, stepper_io, script.get(), now, {});
      if (!r) {
        ctx.Fail(r.error());
        return false;
      }
      for (const auto& e : r->fired.errors) ctx.err << "rectify: error: " << e << "\n";
      timers_fired.Inc(r->fired.timers);
      fire_errors.Inc(static_cast<std::int64_t>(r->fired.errors.size()));
    } else {
      auto due = s.store->DueTimers(now, 1000);
      if (!due) {
        ctx.Fail(due.error());
        return false;
      }
      auto r = engine.FireTimers(*due);
      if (!r) {
        ctx.Fail(r.error());
        return false;
      }
      for (const auto& e : r->errors) ctx.err << "rectify: error: " << e << "\n";
      timers_fired.Inc(r->timers);
      fire_errors.Inc(static_cast<std::int64_t>(r->errors.size()));
      if (script) {
        std::vector<std::string> ids;
        for (const auto& t : *due) ids.push_back(t.key.instance_id);
        if (Status st = script->Observe(ids); !st) {
          ctx.Fail(st.error());
          return false;
        }
        if (Status st = script->RunDue(); !st) {
          ctx.Fail(st.error());
          return false;
        }
      }
    }
    // A scripted action the engine refused (the instance had moved on) shows nowhere else.
    for (; script && notes_shown < script->notes().size(); ++notes_shown) {
      ctx.err << "rectify: warning: a scripted action was refused: " << script->notes()[notes_shown]
              << "\n";
    }
    batches.Inc();
    engine_time.Set(static_cast<double>(ToMicros(now)) / 1e6);
    return print_new();
  };
  std::function<void()> arm = [&] {
    Timestamp horizon = until.value_or(pace->Now() + std::chrono::hours(24 * 365));
    auto next = s.store->DueTimers(horizon, 1);
    if (!next) {
      ctx.Fail(next.error());
      failed = true;
      io.stop();
      return;
    }
    Timestamp target = horizon;
    if (!next->empty()) target = std::min(target, next->front().due_at);
    if (script && script->NextAt()) target = std::min(target, *script->NextAt());
    if (!until) target = std::min(target, pace->Now() + std::chrono::hours(1));  // look again
    timer->ExpireAt(target);
    timer->AsyncWait([&, target](const boost::system::error_code& ec) {
      if (ec) return;
      Timestamp now = stepped ? target : pace->Now();
      if (!step(now)) {
        failed = true;
        io.stop();
        return;
      }
      if (until && now >= *until) {
        PrintSummary(ctx, *s.store, *s.campaign, now);
        io.stop();
        return;
      }
      arm();
    });
  };
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    ctx.out << "\nstopping\n";
    PrintSummary(ctx, *s.store, *s.campaign, stepped ? stepped->Now() : pace->Now());
    io.stop();
  });
  if (!step(stepped ? start : pace->Now())) return;
  health.SetReady(true);
  arm();
  io.run();
  if (failed && ctx.exit_code == 0) ctx.exit_code = 4;
}

}  // namespace

void RegisterServe(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "serve", "Run the engine against the database, firing timers as they fall due");
  auto o = std::make_shared<ServeOptions>();
  cmd->add_option(
      "--listen", o->listen,
      "Serve HTTP (/healthz, /metrics) on HOST:PORT, e.g. 127.0.0.1:8080; port 0 takes a "
      "free one, printed at start");
  cmd->add_option("--max-upload", o->node.max_upload,
                  "With --listen: the largest evidence file the API takes (20MiB)");
  cmd->add_option("--max-upload-request", o->node.max_upload_request,
                  "With --listen: the largest evidence upload request, all its files (50MiB)");
  cmd->add_option("--public-unit", o->node.public_unit,
                  "With --listen: take reports from the public (POST /api/v1/public/reports) "
                  "as public-report items of this unit");
  cmd->add_option("--public-registrar", o->node.public_registrar,
                  "With --public-unit: the person in whose name public reports are registered");
  cmd->add_option("--public-url", o->node.public_url,
                  "With --listen: the address the public reaches this server at "
                  "(https://rectify.example.gov.cn), printed on the units' QR-code posters");
  cmd->add_option("--public-report-limit", o->node.public_report_limit,
                  "Public reports and wrong ticket secrets per address before each must wait (10)");
  cmd->add_option("--tls-cert", o->node.tls_cert,
                  "With --listen: serve HTTPS with this PEM certificate (chain) file");
  cmd->add_option("--tls-key", o->node.tls_key,
                  "With --tls-cert: the certificate's private key (PEM, unencrypted)");
  cmd->add_option("--web", o->node.web,
                  "With --listen: the folder of the built web pages served at / (default: web "
                  "beside the rectify binary, as make build leaves it; none: no pages)");
  cmd->add_option("--auth-header", o->node.auth_header,
                  "Single sign-on: the header (e.g. X-Remote-User) in which a trusted proxy "
                  "names the person; needs --trusted-proxy");
  cmd->add_option("--trusted-proxy", o->node.trusted_proxies,
                  "The addresses (IP or CIDR, comma-separated) of the proxies that may send "
                  "--auth-header; the header from anywhere else is refused and recorded");
  cmd->add_option("--campaign", o->campaign,
                  "A campaign to run (started if it was not) and whose events to print");
  cmd->add_option("--node-id", o->node.node_id,
                  "This node's name in timer leases (default: host name and process id)");
  cmd->add_option("--workers", o->node.workers,
                  "Database worker threads, each with its own connection (default 2)");
  cmd->add_option("--api-workers", o->node.api_workers,
                  "With --listen: API requests handled at once, each on its own database "
                  "connection (default 4)")
      ->check(CLI::Range(1, 256));
  cmd->add_option("--api-group-commit", o->node.api_group_commit,
                  "With --listen: on (the default), writes that API workers commit at the same "
                  "time share one transaction, each answered with its own outcome; off: one "
                  "transaction each")
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--api-heavy-workers", o->node.api_heavy_workers,
                  "With --listen: workers of their own for reports, exports, audit verification "
                  "and calendar feeds, which read a whole scope (default 2)")
      ->check(CLI::Range(1, 64));
  cmd->add_option("--rehearsal-limit", o->node.rehearsal_limit,
                  "With --listen: seconds of real time a campaign rehearsal (POST "
                  "/api/v1/rehearsals) may run before it is stopped (default 120)")
      ->check(CLI::Range(0.001, 3600.0));
  cmd->add_option("--batch", o->node.batch, "Timers claimed and fired per transaction (1000)");
  cmd->add_option("--lease", o->node.lease_seconds,
                  "Seconds a claimed timer stays leased to this node (30)");
  cmd->add_option("--anchor", o->node.anchor,
                  "With --speed: the real instant (ISO 8601) at which the clock reads --from, "
                  "so a restarted node goes on with the same timeline");
  cmd->add_option("--speed", o->speed,
                  "Run on an accelerated clock, N times real time (86400: a day a second)");
  cmd->add_option("--from", o->from, "With --speed: the date or instant the clock starts at");
  cmd->add_option("--until", o->until, "Stop at the end of this date (or at this instant)");
  cmd->add_option("--items", o->items,
                  "A ledger CSV whose problems scripted cadres register and act on (as "
                  "rectify simulate does)");
  cmd->add_option("--seed", o->seed, "Seed of the scripted behaviour (default 1)");
  cmd->add_option("--on-time", o->on_time, "Share of items submitted on time (default 0.6)");
  cmd->add_option("--late", o->late, "Share of items submitted late (default 0.25)");
  cmd->add_option("--reject", o->reject, "Share of first verifications rejected (default 0.15)");
  cmd->add_option("--look-back-fail", o->look_back_fail,
                  "Share of look-back samples reopened (default 0.3)");
  cmd->add_flag("--notifications", o->notifications, "Also print every notification queued");
  AddDefinitionOptions(cmd, o->definitions);
  cmd->callback([&ctx, o] { RunServe(ctx, *o); });
}

}  // namespace rectify::cli
