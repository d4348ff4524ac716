#include "adapters/cli/simulate_delivery.h"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "adapters/notify/dispatcher.h"
#include "adapters/store/soci/soci_outbox_store.h"

namespace rectify::cli {

Result<std::vector<notify::DeliveryAttempt>> SimulateDelivery(
    Context& ctx, const NotifyOptions& options, store_soci::Database& db, Store& store,
    const Calendar& cal, Timestamp from, Timestamp until, std::uint64_t seed) {
  // A log channel on standard output writes to standard error here: standard output is the
  // timeline, one format.
  auto setup = LoadNotifySetup(ctx, options, ctx.err);
  if (!setup) return setup.error();
  NotifySetup& s = **setup;
  store_soci::SociOutboxStore outbox(db);
  boost::asio::io_context io;
  VirtualClock clock(from);
  notify::DispatcherOptions d_options;
  d_options.owner = "simulate";
  d_options.seed = seed;
  notify::Dispatcher dispatcher(outbox, clock, *s.config, s.channels, s.renderer, s.directory,
                                s.calendar ? s.calendar.get() : &cal, d_options);
  notify::DispatchStats total;
  while (true) {
    auto next = store.PendingOutbox(until, 1);
    if (!next) return next.error();
    if (next->empty()) break;
    Timestamp due = std::max(next->front().next_attempt_at, clock.Now());
    clock.AdvanceTo(io, due);
    auto stats = dispatcher.Drain();
    if (!stats) return stats.error();
    total += *stats;
    if (stats->claimed == 0) break;  // nothing could be claimed at its due time: stop, not spin
  }
  auto attempts = outbox.RecentAttempts(100000000);
  if (!attempts) return attempts.error();
  std::vector<notify::DeliveryAttempt> out(attempts->rbegin(), attempts->rend());
  bool jsonl = ctx.format() == Format::kJsonl;
  for (const auto& a : out) {
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
  ctx.err << "delivered " << total.delivered << " messages (" << total.digests << " digests), "
          << total.retried << " retries, " << total.dead << " dead letters\n";
  return out;
}

}  // namespace rectify::cli
