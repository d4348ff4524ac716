// rectify simulate --campaign FILE_OR_NAME [--items LEDGER.csv] [--from DATE] [--until DATE]
//                  [--seed N] [--on-time SHARE] [--late SHARE] [--reject SHARE]
//                  [--look-back-fail SHARE] [--db URL] [--format text|jsonl]
//                  [--channels FILE [--templates DIR]]
//
// Runs a campaign on a virtual clock, from its first day (or --from) to its last (or --until),
// with scripted cadres acting on the ledger's problems (campaign_script.h), and prints the
// timeline read back from the simulation's database (timeline.h): one JSON object a line with
// --format jsonl, one line for people otherwise. The database is a fresh in-memory SQLite unless
// --db names another. The same input gives the same output, byte for byte. On a terminal,
// progress is shown on standard error as a line that updates.
//
// With --channels, the timeline's notifications are delivered through the channels file's real
// channels at their simulated times while the run goes on (simulate_delivery.h): working hours,
// retries, digests and rate limits as `rectify dispatch` applies them, each message once; a
// `delivery` event per attempt follows the timeline.
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>

#include "adapters/cli/campaign_session.h"
#include "adapters/cli/cli.h"
#include "adapters/cli/notify_session.h"
#include "adapters/cli/scripted_items.h"
#include "adapters/rehearsal/rehearsal.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/campaign_script.h"

namespace rectify::cli {

namespace {

struct SimulateOptions {
  std::string campaign, items, from, until;
  DefinitionSources definitions;
  std::uint64_t seed = 1;
  double on_time = 0.6, late = 0.25, reject = 0.15, look_back_fail = 0.3;
  bool quiet = false;
  NotifyOptions notify;
};

// One `delivery` event per attempt, in order (jsonl: {"at","event":"delivery","item",
// "recipient","channel","outcome","attempt","dedup_key"}), after the timeline, and a summary line
// on standard error.
Status PrintDeliveries(Context& ctx, rehearsal::SimulatedDelivery& delivery, const Calendar& cal) {
  auto attempts = delivery.Attempts();
  if (!attempts) return attempts.error();
  bool jsonl = ctx.format() == Format::kJsonl;
  for (const notify::DeliveryAttempt& a : *attempts) {
    if (jsonl) {
      boost::json::object o{{"at", cal.FormatLocal(a.at)}, {"event", "delivery"}};
      // As in the timeline: a campaign run's messages name no item.
      if (!a.instance_id.empty() && a.instance_id.rfind("campaign:", 0) != 0) {
        o["item"] = a.instance_id;
      }
      o["recipient"] = a.recipient;
      o["channel"] = a.channel;
      o["outcome"] = a.outcome;
      o["attempt"] = a.attempt;
      o["dedup_key"] = a.dedup_key;
      if (!a.detail.empty() && a.outcome != "delivered") o["detail"] = a.detail;
      ctx.out << boost::json::serialize(o) << "\n";
    } else {
      std::string at = cal.FormatLocal(a.at).substr(0, 16);
      at[10] = ' ';
      ctx.out << at << "  delivery            " << a.outcome << " to " << a.recipient << " via "
              << a.channel << " (" << a.instance_id << ")\n";
    }
  }
  const notify::DispatchStats& total = delivery.totals();
  ctx.err << "delivered " << total.delivered << " messages (" << total.digests << " digests), "
          << total.retried << " retries, " << total.dead << " dead letters\n";
  return OkStatus();
}

void RunSimulate(Context& ctx, const SimulateOptions& o) {
  engine::CadreBehaviour behaviour{o.seed, o.on_time, o.late, o.reject, o.look_back_fail};
  if (Status s = CheckBehaviour(behaviour); !s) return ctx.Fail(s.error());
  auto real_start = std::chrono::steady_clock::now();
  std::string url = ctx.db_url.empty() ? "sqlite::memory:" : ctx.db_url;
  // Definitions first: the start instant comes from the campaign.
  auto session = OpenCampaignSession(ctx, url, o.definitions, o.campaign, true, Timestamp{});
  if (!session) return ctx.Fail(session.error());
  CampaignSession& s = **session;
  const Calendar& cal = s.campaign->calendar();
  Timestamp from = cal.StartOfDay(s.campaign->from());
  Timestamp until = cal.EndOfDay(s.campaign->to());
  if (!o.from.empty()) {
    auto t = ParseWhen(o.from, cal, false);
    if (!t) return ctx.Fail(t.error().WithContext("--from"));
    from = *t;
  }
  if (!o.until.empty()) {
    auto t = ParseWhen(o.until, cal, true);
    if (!t) return ctx.Fail(t.error().WithContext("--until"));
    until = *t;
  }
  if (until <= from) return ctx.Fail(Error::BadInput("--until must come after the start"));
  rehearsal::Rehearsal rehearsal({s.definitions, s.campaign, s.db, s.store.get(), from, until,
                                  behaviour, ctx.Home() + "/workflows/templates"});
  // The whole ledger is checked before anything runs.
  std::vector<engine::Registration> ledger;
  if (!o.items.empty()) {
    auto read = LoadScriptedLedger(ctx, o.items, rehearsal.engine(), rehearsal.script(),
                                   *s.campaign, until);
    if (!read) return ctx.Fail(read.error());
    ledger = std::move(*read);
  }
  engine::CadreScript& script = rehearsal.script();

  bool tty = !o.quiet && isatty(STDERR_FILENO) == 1;
  int ticks = 0;
  auto progress = [&](Timestamp now) {
    if (!tty || ++ticks % 25 != 0) return;
    ctx.err << "\rsimulating " << s.campaign->info().name << ": " << FormatDate(cal.DateOf(now))
            << " (" << script.actions() << " actions)\033[K" << std::flush;
  };
  // The outbox is delivered while the run goes on (simulated_delivery.h): through the channels
  // file's channels with --channels, else on time to no one. A log channel on standard output
  // writes to standard error here: standard output is the timeline, one format.
  std::unique_ptr<rehearsal::SimulatedDelivery> delivery;
  if (!o.notify.channels.empty()) {
    NotifyOptions notify = o.notify;
    notify.definitions = o.definitions;
    notify.files = {s.campaign->info().pos.file};  // a campaign file may hold its org too
    auto setup = LoadNotifySetup(ctx, notify, ctx.err, &rehearsal.clock());
    if (!setup) return ctx.Fail(setup.error());
    delivery = rehearsal::SimulatedDelivery::Through(std::move(*setup), *s.db, *s.store, cal,
                                                     rehearsal.clock(), o.seed);
  } else {
    delivery = rehearsal::SimulatedDelivery::OnTime(*s.db, *s.store, cal, rehearsal.clock(),
                                                    s.definitions);
  }
  auto report = rehearsal.Run(ledger, *delivery, progress);
  if (tty) ctx.err << "\r\033[K" << std::flush;
  if (!report) return ctx.Fail(report.error());
  for (const auto& e : report->fired.errors) ctx.err << "rectify: error: " << e << "\n";
  // A scripted action the engine refused (the instance had moved on) is not in the timeline.
  for (const auto& note : script.notes()) {
    ctx.err << "rectify: warning: a scripted action was refused: " << note << "\n";
  }

  auto events = rehearsal.Timeline();
  if (!events) return ctx.Fail(events.error());
  bool jsonl = ctx.format() == Format::kJsonl;
  for (const rehearsal::TimelineEvent& e : *events) {
    if (jsonl) {
      ctx.out << e.Json() << "\n";
    } else {
      std::string at = cal.FormatLocal(e.at).substr(0, 16);
      at[10] = ' ';
      std::string name = std::string(e.fields.at("event").as_string());
      name.resize(std::max<std::size_t>(name.size(), 18), ' ');
      ctx.out << at << "  " << name << "  " << e.text << "\n";
    }
  }
  if (!o.notify.channels.empty()) {
    if (Status st = PrintDeliveries(ctx, *delivery, cal); !st) return ctx.Fail(st.error());
  }
  ctx.out << std::flush;
  if (!o.quiet) {
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f", seconds);
    ctx.err << "simulated " << FormatDate(cal.DateOf(from)) << " to "
            << FormatDate(cal.DateOf(until - std::chrono::microseconds(1))) << ": "
            << events->size() << " events, " << report->fired.timers << " timers fired, "
            << report->actions << " scripted actions, in " << buf << " s\n";
  }
  if (!report->fired.errors.empty()) ctx.exit_code = 1;
}

}  // namespace

void RegisterSimulate(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "simulate",
      "Run a campaign on a virtual clock with scripted cadres and print its timeline (a year in "
      "seconds; same input, same output)");
  auto o = std::make_shared<SimulateOptions>();
  cmd->add_option("--campaign", o->campaign, "The campaign: a name or a campaign YAML file")
      ->required();
  cmd->add_option("--items", o->items,
                  "A ledger CSV (id,title,unit,responsible,registered_at,time_limit) of problems "
                  "to register, each at its registered_at");
  cmd->add_option("--from", o->from,
                  "Start here (a date or an ISO 8601 instant; default: the "
                  "campaign's first day)");
  cmd->add_option("--until", o->until,
                  "Stop at the end of this date or at this instant (default: the campaign's end)");
  cmd->add_option("--seed", o->seed, "Seed of the scripted behaviour (default 1)");
  cmd->add_option("--on-time", o->on_time, "Share of items submitted on time (default 0.6)");
  cmd->add_option("--late", o->late,
                  "Share of items submitted late (default 0.25); the rest never");
  cmd->add_option("--reject", o->reject, "Share of first verifications rejected (default 0.15)");
  cmd->add_option("--look-back-fail", o->look_back_fail,
                  "Share of look-back samples that fail and are reopened (default 0.3)");
  AddDefinitionOptions(cmd, o->definitions);
  SupportFormats(ctx, cmd, {"jsonl"});
  cmd->add_flag("--quiet", o->quiet, "No progress and no summary on standard error");
  cmd->add_option("--channels", o->notify.channels,
                  "Deliver the timeline's notifications through this channels file's channels, "
                  "at their simulated times");
  cmd->add_option("--templates", o->notify.templates,
                  "Folder of message templates (default: <RECTIFY_HOME>/workflows/templates)");
  cmd->callback([&ctx, o] { RunSimulate(ctx, *o); });
}

}  // namespace rectify::cli
