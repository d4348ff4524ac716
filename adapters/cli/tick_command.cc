// rectify tick [--until ISO] [--at ISO]: fire the timers that are due.
//
// Without --until it fires what is due now (or at --at) once: timers that fell due while the
// engine was not running fire late and are marked so. With --until it runs a virtual clock from
// the first due timer to that instant, firing each timer at its own due time, as a scheduler
// that never stopped would have.
#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"

namespace rectify::cli {

namespace {

void RunTick(Context& ctx, const std::string& until, const DefinitionSources& definitions,
             const std::string& at, std::int64_t limit) {
  if (!until.empty() && !at.empty()) {
    return ctx.UsageError("give --until (run a virtual clock) or --at (fire once), not both");
  }
  Timestamp target{};
  std::string start = at;
  if (!until.empty()) {
    auto t = ParseIso(until);
    if (!t) return ctx.Fail(Error::BadInput("--until: " + t.error().message()));
    target = *t;
    start = FormatIso(*t);  // moved back below to the first due timer
  }
  auto session = OpenEngine(ctx, definitions, start);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  UseShippedBulletinTemplates(ctx, *s.store);
  Result<engine::FireReport> report = engine::FireReport{};
  if (!until.empty()) {
    auto first = s.store->DueTimers(target, 1);
    if (!first) return ctx.Fail(first.error());
    Timestamp from = first->empty() ? target : first->front().due_at;
    VirtualClock clock(from);
    engine::Engine engine(*s.store, clock, s.definitions);
    report = engine::RunUntil(engine, clock, s.io, target);
  } else {
    report = s.engine->FireDue(limit);
  }
  if (!report) return ctx.Fail(report.error());
  for (const auto& e : report->errors) ctx.err << "rectify: error: " << e << "\n";
  ctx.out << "fired " << report->timers << " timer" << (report->timers == 1 ? "" : "s") << " on "
          << report->instances << " instance" << (report->instances == 1 ? "" : "s");
  if (report->skipped) ctx.out << " (" << report->skipped << " already fired elsewhere)";
  ctx.out << "\n";
  if (!report->errors.empty()) ctx.exit_code = 1;
}

}  // namespace

void RegisterTick(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("tick", "Fire the timers that are due (reminders, escalations)");
  auto until = std::make_shared<std::string>();
  auto definitions = std::make_shared<DefinitionSources>();
  auto at = std::make_shared<std::string>();
  auto limit = std::make_shared<std::int64_t>(10000);
  cmd->add_option("--until", *until,
                  "Run a virtual clock up to this instant (ISO 8601 with an offset), firing each "
                  "timer at its due time");
  cmd->add_option("--limit", *limit, "Fire at most this many timers (without --until)");
  AddEngineOptions(cmd, *definitions, *at);
  cmd->callback(
      [&ctx, until, definitions, at, limit] { RunTick(ctx, *until, *definitions, *at, *limit); });
}

}  // namespace rectify::cli
