// The outbox of a rehearsal delivered on its virtual clock (simulated_delivery.h).
#include "adapters/rehearsal/simulated_delivery.h"

#include <algorithm>
#include <boost/asio/io_context.hpp>

namespace rectify::rehearsal {

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
  DeliverySetup& s = *setup_;
  dispatcher_ = std::make_unique<notify::Dispatcher>(
      outbox_, clock_, *s.config, s.channels, s.renderer, s.directory,
      s.calendar ? s.calendar.get() : &cal_, d_options);
}

std::unique_ptr<SimulatedDelivery> SimulatedDelivery::OnTime(
    store_soci::Database& db, Store& store, const Calendar& cal, VirtualClock& clock,
    const std::shared_ptr<const definition::DefinitionSet>& definitions) {
  std::unique_ptr<SimulatedDelivery> d(new SimulatedDelivery(db, store, cal, clock));
  d->setup_ = std::make_unique<DeliverySetup>();
  DeliverySetup& s = *d->setup_;
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

std::unique_ptr<SimulatedDelivery> SimulatedDelivery::Through(std::unique_ptr<DeliverySetup> setup,
                                                              store_soci::Database& db,
                                                              Store& store, const Calendar& cal,
                                                              VirtualClock& clock,
                                                              std::uint64_t seed) {
  std::unique_ptr<SimulatedDelivery> d(new SimulatedDelivery(db, store, cal, clock));
  d->setup_ = std::move(setup);
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
    Timestamp until, const std::function<void(Timestamp)>& progress,
    const std::function<Status()>& stop) {
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
    if (stop) {
      if (Status st = stop(); !st) return st.error();
    }
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

Result<std::vector<notify::DeliveryAttempt>> SimulatedDelivery::Attempts() {
  auto attempts = outbox_.RecentAttempts(100000000);
  if (!attempts) return attempts.error();
  std::reverse(attempts->begin(), attempts->end());  // newest first as listed
  return std::move(*attempts);
}

}  // namespace rectify::rehearsal
