// `rectify simulate --channels FILE`: the simulated run's outbox delivered through real channels
// while the run goes on, on the run's virtual clock. Without --channels the run is delivered too,
// to no one (SimulatedDelivery::OnTime), as a dispatcher that never stops would deliver it: the
// engine cancels what an item's move made moot before it went out, so without a dispatcher every
// reminder of a state the item left would show as cancelled. The clock steps to whichever comes
// first: the engine's next timer or scripted action (the engine goes first at a shared instant), or
// the outbox's next due row (the dispatcher delivers it at that instant: held to working hours by
// the engine and by the dispatcher, retried, digested and rate-limited as `rectify dispatch` does).
// So a message goes out at its simulated time, once, and a reminder already delivered is not
// cancelled when the item moves on later, as in a real deployment; what is still undelivered when
// the item leaves its state is cancelled. Emails carry the simulated date, and a signed DingTalk
// robot the simulated timestamp (a real robot refuses a timestamp an hour off: rehearse against
// local receivers). One `delivery` event per attempt is printed after the timeline (jsonl:
// {"at","event":"delivery","item","recipient","channel","outcome","attempt","dedup_key"}).
//
//   auto delivery = SimulatedDelivery::Open(ctx, options, db, store, cal, clock, seed);
//   auto report = (*delivery)->Run(engine, clock, io, script, until, progress);
//   ... print the timeline ...
//   (*delivery)->Print();
//
// Thread-safety: the command's thread. Ownership: borrows the simulation's database, store and
// clock, which must outlive it.
#pragma once

#include <functional>
#include <memory>

#include "adapters/cli/cli.h"
#include "adapters/cli/notify_session.h"
#include "adapters/notify/dispatcher.h"
#include "adapters/store/soci/database.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/engine/campaign_script.h"
#include "rectify/notify/outbox_store.h"
#include "rectify/store.h"

namespace rectify::cli {

class SimulatedDelivery {
 public:
  // Loads the channels file and builds its channels (a bad file fails here, before the run).
  static Result<std::unique_ptr<SimulatedDelivery>> Open(Context& ctx, const NotifyOptions& options,
                                                         store_soci::Database& db, Store& store,
                                                         const Calendar& cal, VirtualClock& clock,
                                                         std::uint64_t seed);
  // Every message counts as delivered when it falls due (working hours and digests as the
  // dispatcher keeps them; no rate limits), through a channel that keeps nothing.
  static std::unique_ptr<SimulatedDelivery> OnTime(
      Context& ctx, store_soci::Database& db, Store& store, const Calendar& cal,
      VirtualClock& clock, const std::shared_ptr<const definition::DefinitionSet>& definitions);

  // Runs the engine and `script` up to `until` (engine::RunScripted, in steps), delivering the
  // outbox as it falls due.
  Result<engine::SimulationReport> Run(engine::Engine& engine, boost::asio::io_context& io,
                                       engine::CadreScript& script, Timestamp until,
                                       const std::function<void(Timestamp)>& progress);

  // Prints one `delivery` event per attempt, in order, and a summary line on standard error.
  Status Print();

 private:
  SimulatedDelivery(Context& ctx, store_soci::Database& db, Store& store, const Calendar& cal,
                    VirtualClock& clock)
      : ctx_(ctx), store_(store), cal_(cal), clock_(clock), outbox_(db) {}
  // Delivers what is due at the clock's now.
  Status DrainNow();
  void StartDispatcher(std::uint64_t seed);

  Context& ctx_;
  Store& store_;
  const Calendar& cal_;
  VirtualClock& clock_;
  store_soci::SociOutboxStore outbox_;
  std::unique_ptr<NotifySetup> setup_;
  std::unique_ptr<notify::Dispatcher> dispatcher_;
  notify::DispatchStats total_;
};

}  // namespace rectify::cli
