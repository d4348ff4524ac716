// rectify dispatch [--channels FILE] [--once] [--batch N] [--lease SECONDS] [--poll SECONDS]
//                  [--owner NAME] [--seed N] [--requeue] [--templates DIR] [--definitions DIR]
//
// Delivers the outbox's due notifications through the channels of a channels file
// (adapters/notify/dispatcher.h). With --once it delivers what is due now and exits; otherwise it
// looks again every --poll seconds until SIGINT or SIGTERM. Several dispatchers may run against
// one PostgreSQL: each row is leased to one of them, and a dispatcher that dies leaves its rows to
// be sent again after --lease seconds, with the same dedup key. --requeue moves dead letters back
// to the queue first (after fixing what killed them).
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <set>
#include <thread>
#include <utility>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/cli/notify_session.h"
#include "adapters/cli/outbox_listing.h"
#include "adapters/notify/dispatcher.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_outbox_store.h"

namespace rectify::cli {

namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop = true; }

struct DispatchOptions {
  NotifyOptions notify;
  bool once = false, requeue = false;
  std::int64_t batch = 100;
  double lease_seconds = 120, poll_seconds = 5;
  std::string owner;
  std::uint64_t seed = 0;
  std::string at;  // --at: preview only
};

// "3 held (2 working hours, 1 rate limit)": how many each rule held.
std::string HeldText(const notify::DispatchStats& s) {
  std::map<std::string, int> by_rule;
  for (const auto& v : s.holds) ++by_rule[std::string(notify::HoldRuleName(v.hold.rule))];
  std::string text = std::to_string(s.held) + " held";
  std::string sep = " (";
  for (const auto& [rule, n] : by_rule)
    text += std::exchange(sep, ", ") + std::to_string(n) + " " + rule;
  if (!by_rule.empty()) text += ")";
  return text;
}

std::string StatsLine(const notify::DispatchStats& s) {
  return std::to_string(s.delivered) + " delivered, " + std::to_string(s.retried) + " to retry, " +
         std::to_string(s.dead) + " dead-lettered, " + HeldText(s) + ", " +
         std::to_string(s.digests) + " digests, " + std::to_string(s.abandoned) +
         " taken over from a dead dispatcher";
}

// The receipts a round collected: one line of counts, one a note (a failed query, a stray id).
void PrintReceipts(Context& ctx, const Result<notify::ReceiptStats>& r) {
  if (!r) {
    ctx.err << "rectify: error: receipts: " << r.error().message() << "\n";
    return;
  }
  const notify::ReceiptStats& s = *r;
  if (s.delivered + s.failed + s.unknown + s.duplicate + s.refused + s.unmatched > 0) {
    ctx.err << "dispatch: receipts: " << s.delivered << " delivered, " << s.failed << " failed, "
            << s.unknown << " unknown (none in time), " << s.duplicate << " duplicate, "
            << s.refused << " contradicting, " << s.unmatched << " for no delivery\n";
  }
  if (s.fallbacks + s.unreached > 0) {
    ctx.err << "dispatch: not reached: " << s.fallbacks << " sent again by the next route, "
            << s.unreached << " reached by no route (reported to their unit head)\n";
  }
  for (const auto& note : s.notes) ctx.err << "dispatch: receipts: " << note << "\n";
}

// One line a held message: which rule holds it and when it will go, in the calendar's zone; the
// first 20, then where to see the rest (a backlog held overnight can be thousands).
void PrintHolds(Context& ctx, const notify::DispatchStats& s, const Calendar* calendar) {
  constexpr std::size_t kShown = 20;
  for (std::size_t i = 0; i < s.holds.size(); ++i) {
    const notify::RowVerdict& v = s.holds[i];
    if (i == kShown) {
      ctx.err << "dispatch: ... and " << s.holds.size() - kShown
              << " more held ('rectify outbox list --state held' lists them all)\n";
      break;
    }
    ctx.err << "dispatch: held " << v.row.dedup_key << " (" << v.row.template_name << " to "
            << v.row.recipient << "): " << notify::HoldRuleName(v.hold.rule) << "; goes at "
            << (calendar ? calendar->FormatLocal(v.hold.until) : FormatIso(v.hold.until)) << "\n";
  }
}

// --at: what a dispatch at that instant would send and hold; sends nothing, changes nothing.
void RunPreview(Context& ctx, const DispatchOptions& o, store_soci::SociOutboxStore& outbox,
                notify::Dispatcher& dispatcher, const Calendar* calendar) {
  auto at = ParseIso(o.at);
  if (!at) return ctx.Fail(Error::BadInput("--at: " + at.error().message()));
  notify::OutboxQuery q;
  q.state = OutboxState::kPending;
  q.limit = 100000;
  auto rows = outbox.List(q);
  if (!rows) return ctx.Fail(rows.error());
  std::vector<notify::RowVerdict> verdicts = dispatcher.Preview(*rows, *at);
  std::map<std::string, int> n;
  for (const auto& v : verdicts) ++n[ListedState(v)];
  ctx.err << "dispatch at " << (calendar ? calendar->FormatLocal(*at) : FormatIso(*at)) << ": "
          << n["queued"] << " would be sent, " << n["held"] << " held, " << n["dead letter"]
          << " dead-lettered; nothing was sent or changed (--at)\n";
  if (!verdicts.empty() || ctx.format() != Format::kText) WriteOutboxRows(ctx, verdicts, calendar);
}

// Queued messages for people or units that the database knows (their org was registered) but
// the loaded definitions do not: delivered, they would go to a bare id with no name, contact or
// signature. Says which orgs are missing; nothing is sent while there is one.
Status CheckRecipientsLoaded(Context& ctx, store_soci::Database& db,
                             const notify::Directory& directory, const DefinitionSources& sources) {
  std::map<std::string, std::pair<std::string, std::string>> units;  // id -> (parent, name)
  std::vector<std::pair<std::string, std::string>> missing;          // recipient, its unit
  try {
    soci::session& sql = db.session();
    soci::rowset<soci::row> unit_rows = sql.prepare << "SELECT id, parent_id, name FROM units";
    for (const auto& r : unit_rows) {
      units[r.get<std::string>(0)] = {r.get<std::string>(1), r.get<std::string>(2)};
    }
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT DISTINCT o.recipient, COALESCE(p.unit_id, u.id) FROM outbox o "
                        "LEFT JOIN people p ON p.id = o.recipient "
                        "LEFT JOIN units u ON u.id = o.recipient "
                        "WHERE o.state = 'pending' AND (p.id IS NOT NULL OR u.id IS NOT NULL) "
                        "ORDER BY o.recipient");
    for (const auto& r : rows) {
      std::string recipient = r.get<std::string>(0);
      if (!directory.Find(recipient)) missing.emplace_back(recipient, r.get<std::string>(1));
    }
  } catch (const std::exception& e) {
    return db.MapError(e, "read the outbox's recipients");
  }
  if (missing.empty()) return OkStatus();
  // Name each missing org by its root unit, as the org file does.
  std::set<std::string> orgs;
  for (const auto& [recipient, unit] : missing) {
    std::string root = unit;
    for (int depth = 0; depth < 64 && units.count(root) && !units[root].first.empty(); ++depth) {
      root = units[root].first;
    }
    orgs.insert(units.count(root) ? units[root].second + " (" + root + ")" : root);
  }
  std::string who, which;
  for (std::size_t i = 0; i < missing.size() && i < 5; ++i) {
    who += (i ? ", " : "") + missing[i].first;
  }
  if (missing.size() > 5) who += " and " + std::to_string(missing.size() - 5) + " more";
  for (const auto& org : orgs) which += (which.empty() ? "" : ", ") + org;
  Error not_loaded = NotLoaded(ctx, sources,
                               std::string(orgs.size() == 1 ? "org " : "orgs ") + which +
                                   ", which queued messages are for (" + who + "),");
  return Error::NotFound(not_loaded.message() + "; nothing was sent: the messages stay queued");
}

void RunDispatch(Context& ctx, const DispatchOptions& o) {
  if (o.batch < 1 || o.batch > 10000) return ctx.UsageError("--batch is from 1 to 10000");
  if (o.lease_seconds <= 0) return ctx.UsageError("--lease is a number of seconds, above 0");
  if (o.poll_seconds <= 0) return ctx.UsageError("--poll is a number of seconds, above 0");
  if (!o.at.empty() && o.requeue) {
    return ctx.UsageError("--at previews and changes nothing; it cannot --requeue");
  }
  if (o.at.empty() && ctx.format() != Format::kText) {
    return ctx.UsageError("--format " + ctx.format_name +
                          ": rectify dispatch prints text; the preview (--at) prints json, jsonl "
                          "or csv too");
  }
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  store_soci::Migrator migrator(*opened->db, MigrationsDir(ctx, ""));
  auto state = migrator.Check();
  if (!state) return ctx.Fail(state.error());
  if (!state->pending.empty() || state->version() < 3) {
    return ctx.Fail(Error::FailedPrecondition("the database " + opened->url.Redacted() +
                                              " is not migrated for deliveries; run 'rectify "
                                              "migrate' first"));
  }
  SystemClock clock;
  auto setup = LoadNotifySetup(ctx, o.notify, ctx.out, &clock);
  if (!setup) return ctx.Fail(setup.error());
  store_soci::Database& db = *opened->db;
  if (Status st = CheckRecipientsLoaded(ctx, db, (*setup)->directory, o.notify.definitions); !st) {
    return ctx.Fail(st.error());
  }
  store_soci::SociOutboxStore outbox(std::move(opened->db));
  if (!o.at.empty()) {
    NotifySetup& s = **setup;
    notify::Dispatcher preview(outbox, clock, *s.config, s.channels, s.renderer, s.directory,
                               s.calendar.get(), {});
    return RunPreview(ctx, o, outbox, preview, s.calendar.get());
  }
  if (o.requeue) {
    auto n = outbox.Requeue(clock.Now());
    if (!n) return ctx.Fail(n.error());
    ctx.err << "dispatch: " << *n << " dead letters back in the queue\n";
  }
  notify::DispatcherOptions options;
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  options.owner = o.owner.empty() ? std::string(host) + ":" + std::to_string(::getpid()) : o.owner;
  options.batch = o.batch;
  options.lease = Duration(static_cast<std::int64_t>(o.lease_seconds * 1e6));
  options.seed = o.seed;
  NotifySetup& s = **setup;
  auto unreached = notify::ReadUnreachedPolicy(s.config->info());
  if (!unreached) return ctx.Fail(unreached.error());
  options.unreached = *unreached;
  notify::Dispatcher dispatcher(outbox, clock, *s.config, s.channels, s.renderer, s.directory,
                                s.calendar.get(), options);
  if (o.once) {
    auto stats = dispatcher.Drain();
    if (!stats) return ctx.Fail(stats.error());
    ctx.err << "dispatch: " << StatsLine(*stats) << "\n";
    PrintHolds(ctx, *stats, s.calendar.get());
    PrintReceipts(ctx, dispatcher.CollectReceipts());
    return;
  }
  g_stop = false;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  notify::DispatchStats total;
  while (!g_stop) {
    // An org registered since the last look may not be loaded here: stop before sending to it.
    if (Status st = CheckRecipientsLoaded(ctx, db, s.directory, o.notify.definitions); !st) {
      std::signal(SIGINT, SIG_DFL);
      std::signal(SIGTERM, SIG_DFL);
      return ctx.Fail(st.error());
    }
    auto stats = dispatcher.Drain();
    if (!stats) {
      // The database went away: say so and try again at the next poll.
      ctx.err << "rectify: error: " << stats.error().message() << "\n";
    } else if (stats->claimed > 0) {
      ctx.err << "dispatch: " << StatsLine(*stats) << "\n";
      PrintHolds(ctx, *stats, s.calendar.get());
      stats->holds.clear();  // the total counts them; it does not keep them
      total += *stats;
    }
    PrintReceipts(ctx, dispatcher.CollectReceipts());
    auto until = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(static_cast<std::int64_t>(o.poll_seconds * 1000));
    while (!g_stop && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  ctx.err << "dispatch: stopped; in all " << StatsLine(total) << "\n";
}

}  // namespace

void RegisterDispatch(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand(
      "dispatch",
      "Deliver the outbox's due notifications through the channels file's channels (retries, "
      "dead letters, rate limits, working hours, digests)");
  auto o = std::make_shared<DispatchOptions>();
  AddNotifyOptions(cmd, o->notify);
  AddDefinitionOptions(cmd, o->notify.definitions);
  SupportFormats(ctx, cmd, {"json", "jsonl", "csv"});
  cmd->add_flag("--once", o->once, "Deliver what is due now, then exit");
  cmd->add_option("--batch", o->batch, "Rows claimed at a time (default 100)");
  cmd->add_option("--lease", o->lease_seconds,
                  "Seconds a claim lasts; a dispatcher that dies leaves its rows to others after "
                  "it (default 120)");
  cmd->add_option("--poll", o->poll_seconds, "Seconds between looks at the outbox (default 5)");
  cmd->add_option("--owner", o->owner, "This dispatcher's name in leases (default host:pid)");
  cmd->add_option("--seed", o->seed, "Seed of the retry jitter (default 0)");
  cmd->add_flag("--requeue", o->requeue, "Put dead letters back in the queue first");
  cmd->add_option("--at", o->at,
                  "Preview: what a dispatch at this instant (ISO 8601 with an offset) would send "
                  "and hold, and why; sends nothing and changes nothing");
  cmd->callback([&ctx, o] { RunDispatch(ctx, *o); });
}

}  // namespace rectify::cli
