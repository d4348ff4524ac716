// A rehearsal's outbox delivered while the run goes on, on the run's virtual clock (`rectify
// simulate`, with or without --channels, and POST /api/v1/rehearsals). Without channels the run is
// delivered too, to no one (SimulatedDelivery::OnTime), as a dispatcher that never stops would
// deliver it: the engine cancels what an item's move made moot before it went out, so without a
// dispatcher every reminder of a state the item left would show as cancelled. The clock steps to
// whichever comes first: the engine's next timer or scripted action (the engine goes first at a
// shared instant), or the outbox's next due row (the dispatcher delivers it at that instant: held
// to working hours by the engine and by the dispatcher, retried, digested and rate-limited as
// `rectify dispatch` does). So a message goes out at its simulated time, once, and a reminder
// already delivered is not cancelled when the item moves on later, as in a real deployment; what
// is still undelivered when the item leaves its state is cancelled. Emails carry the simulated
// date, and a signed DingTalk robot the simulated timestamp (a real robot refuses a timestamp an
// hour off: rehearse against local receivers).
//
//   auto delivery = SimulatedDelivery::OnTime(db, store, cal, clock, definitions);
//   auto report = delivery->Run(engine, io, script, until, progress, stop);
//   ... read the timeline ...
//   delivery->Attempts();   // one per attempt, oldest first
//
// Thread-safety: one thread. Ownership: borrows the simulation's database, store and clock, which
// must outlive it.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "adapters/notify/channel_factory.h"
#include "adapters/notify/directory.h"
#include "adapters/notify/dispatcher.h"
#include "adapters/notify/renderer.h"
#include "adapters/store/soci/database.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/definition/definition_set.h"
#include "rectify/engine/campaign_script.h"
#include "rectify/notify/outbox_store.h"
#include "rectify/store.h"

namespace rectify::rehearsal {

// What a dispatcher needs: the channels file, the definitions it is checked with (its calendar,
// the orgs' people and their languages), the message templates, and the channels built from it.
// `rectify dispatch` and `simulate --channels` load one (adapters/cli/notify_session.h).
struct DeliverySetup {
  std::shared_ptr<const definition::DefinitionSet> definitions;
  std::shared_ptr<const notify::ChannelsConfig> config;
  std::shared_ptr<const Calendar> calendar;  // null: retries are not held to working hours
  notify::Renderer renderer;
  notify::Directory directory;
  notify::ChannelMap channels;
};

class SimulatedDelivery {
 public:
  // Delivers through `setup`'s channels, the dispatcher seeded with `seed`.
  static std::unique_ptr<SimulatedDelivery> Through(std::unique_ptr<DeliverySetup> setup,
                                                    store_soci::Database& db, Store& store,
                                                    const Calendar& cal, VirtualClock& clock,
                                                    std::uint64_t seed);
  // Every message counts as delivered when it falls due (working hours and digests as the
  // dispatcher keeps them; no rate limits), through a channel that keeps nothing.
  static std::unique_ptr<SimulatedDelivery> OnTime(
      store_soci::Database& db, Store& store, const Calendar& cal, VirtualClock& clock,
      const std::shared_ptr<const definition::DefinitionSet>& definitions);

  // Runs the engine and `script` up to `until` (engine::RunScripted, in steps), delivering the
  // outbox as it falls due. `stop`, when given, is asked before each step: an error it returns
  // ends the run with that error (a rehearsal's time limit).
  Result<engine::SimulationReport> Run(engine::Engine& engine, boost::asio::io_context& io,
                                       engine::CadreScript& script, Timestamp until,
                                       const std::function<void(Timestamp)>& progress,
                                       const std::function<Status()>& stop = {});

  // Every delivery attempt made, oldest first, and the dispatcher's totals.
  Result<std::vector<notify::DeliveryAttempt>> Attempts();
  const notify::DispatchStats& totals() const { return total_; }

 private:
  SimulatedDelivery(store_soci::Database& db, Store& store, const Calendar& cal,
                    VirtualClock& clock)
      : store_(store), cal_(cal), clock_(clock), outbox_(db) {}
  // Delivers what is due at the clock's now.
  Status DrainNow();
  void StartDispatcher(std::uint64_t seed);

  Store& store_;
  const Calendar& cal_;
  VirtualClock& clock_;
  store_soci::SociOutboxStore outbox_;
  std::unique_ptr<DeliverySetup> setup_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
  notify::DispatchStats total_;
};

}  // namespace rectify::rehearsal
