#include "adapters/cli/simulate_delivery.h"

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

namespace rectify::cli {

namespace {

// Takes every message and keeps none: the on-time delivery of a simulation without channels.
class DiscardingChannel final : public notify::Channel {
 public:
  std::string kind() const override { return "log"; }
  notify::SendResult Send(const notify::Message&) override {
    return {notify::SendOutcome::kDelivered, "simulated: delivered on time to no one"};
  }
};

}  // namespace

void SimulatedDelivery::StartDispatcher(std::uint64_t seed) {
  notify::DispatcherOptions d_options;
  d_options.owner = "simulate";
  d_options.seed = seed;
  NotifySetup& s = *setup_;
  dispatcher_ = std::make_unique<notify::Dispatcher>(
      outbox_, clock_, *s.config, s.channels, s.renderer, s.directory,
      s.calendar ? s.calendar.get() : &cal_, d_options);
}

std::unique_ptr<SimulatedDelivery> SimulatedDelivery::OnTime(
    Context& ctx, store_soci::Database& db, Store& store, const Calendar& cal, VirtualClock& clock,
    const std::shared_ptr<const definition::DefinitionSet>& definitions) {
  std::unique_ptr<SimulatedDelivery> d(new SimulatedDelivery(ctx, db, store, cal, clock));
  d->setup_ = std::make_unique<NotifySetup>();
  NotifySetup& s = *d->setup_;
  s.definitions = definitions;
  notify::ChannelSpec on_time;
  on_time.name = "simulated";
  on_time.kind = "log";
  std::map<std::string, std::string> routes;
  for (std::string_view kind : notify::kContactKinds) routes[std::string(kind)] = on_time.name;
  s.config = std::make_shared<const notify::ChannelsConfig>(
      definition::DefinitionInfo{definition::Kind::kChannels, "simulated"},
      std::vector<notify::ChannelSpec>{on_time}, std::move(routes), cal.name());
  s.directory = notify::Directory::FromDefinitions(*definitions);
  s.channels[on_time.name] = std::make_unique<DiscardingChannel>();
  d->StartDispatcher(0);
  return d;
}

Result<std::unique_ptr<SimulatedDelivery>> SimulatedDelivery::Open(
    Context& ctx, const NotifyOptions& options, store_soci::Database& db, Store& store,
    const Calendar& cal, VirtualClock& clock, std::uint64_t seed) {
  std::unique_ptr<SimulatedDelivery> d(new SimulatedDelivery(ctx, db, store, cal, clock));
  // A log channel on standard output writes to standard error here: standard output is the
  // timeline, one format.
  auto setup = LoadNotifySetup(ctx, options, ctx.err, &clock);
  if (!setup) return setup.error();
  d->setup_ = std::move(*setup);
  d->StartDispatcher(seed);
  return d;
}

Status SimulatedDelivery::DrainNow() {
  auto stats = dispatcher_->Drain();
  if (!stats) return stats.error();
  total_ += *stats;
  return OkStatus();
}

Result<engine::SimulationReport> SimulatedDelivery::Run(
    engine::Engine& engine, boost::asio::io_context& io, engine::CadreScript& script,
    Timestamp until, const std::function<void(Timestamp)>& progress) {
  engine::SimulationReport report;
  // The engine's next timer or scripted action, if any by `until`.
  auto next_engine = [&]() -> Result<std::optional<Timestamp>> {
    auto timers = engine.store().DueTimers(until, 1);
    if (!timers) return timers.error();
    std::optional<Timestamp> at;
    if (!timers->empty()) at = timers->front().due_at;
    if (auto a = script.NextAt(); a && *a <= until && (!at || *a < *at)) at = a;
    if (at) at = std::max(*at, clock_.Now());
    return at;
  };
  for (;;) {
    auto engine_at = next_engine();
    if (!engine_at) return engine_at.error();
    auto due = store_.PendingOutbox(until, 1);
    if (!due) return due.error();
    std::optional<Timestamp> outbox_at;
    if (!due->empty()) outbox_at = std::max(due->front().next_attempt_at, clock_.Now());
    if (!*engine_at && !outbox_at) break;
    if (*engine_at && (!outbox_at || **engine_at <= *outbox_at)) {
      // Everything the engine does at that instant, then what it queued for now goes out.
      auto step = engine::RunScripted(engine, clock_, io, &script, **engine_at, progress);
      if (!step) return step.error();
      report.fired.Add(step->fired);
      report.actions = step->actions;
      if (step->fired.timers == 0 && step->fired.skipped == 0 && !step->fired.errors.empty()) {
        break;  // a timer that cannot fire: reported, and the run stops as RunScripted's does
      }
    } else {
      clock_.AdvanceTo(io, *outbox_at);
    }
    const notify::DispatchStats before = total_;
    if (Status s = DrainNow(); !s) return s.error();
    // Rows put back are due later than now, so the next look moves the clock on; a row due now
    // that nobody can claim would not, and is a fault rather than a reason to spin.
    auto again = store_.PendingOutbox(clock_.Now(), 1);
    if (!again) return again.error();
    if (!again->empty() && total_.claimed - before.claimed == total_.held - before.held &&
        (!*engine_at || **engine_at > clock_.Now())) {
      return Error::Internal("outbox row '" + again->front().dedup_key + "' is due at " +
                             FormatIso(again->front().next_attempt_at) +
                             " and could not be claimed; is another dispatcher holding it?");
    }
  }
  if (clock_.Now() < until) clock_.AdvanceTo(io, until);
  report.actions = script.actions();
  return report;
}

Status SimulatedDelivery::Print() {
  auto attempts = outbox_.RecentAttempts(100000000);
  if (!attempts) return attempts.error();
  bool jsonl = ctx_.format() == Format::kJsonl;
  for (auto it = attempts->rbegin(); it != attempts->rend(); ++it) {
    const notify::DeliveryAttempt& a = *it;
    if (jsonl) {
      boost::json::object o{{"at", cal_.FormatLocal(a.at)}, {"event", "delivery"}};
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
      ctx_.out << boost::json::serialize(o) << "\n";
    } else {
      std::string at = cal_.FormatLocal(a.at).substr(0, 16);
      at[10] = ' ';
      ctx_.out << at << "  delivery            " << a.outcome << " to " << a.recipient << " via "
               << a.channel << " (" << a.instance_id << ")\n";
    }
  }
  ctx_.err << "delivered " << total_.delivered << " messages (" << total_.digests << " digests), "
           << total_.retried << " retries, " << total_.dead << " dead letters\n";
  return OkStatus();
}

}  // namespace rectify::cli
