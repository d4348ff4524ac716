// A rehearsal of a campaign (演练): the campaign run on a virtual clock from its first day to its
// last, with scripted cadres acting on a ledger's problems (engine/campaign_script.h), on a
// throw-away database, so headquarters sees the year's reminders, escalations and closings before
// launching it. `rectify simulate` and POST /api/v1/rehearsals both run it through here:
//
//   Rehearsal r(plan);                        // a fresh, migrated database in the plan
//   auto ledger = CheckScriptedLedger(csv, "ledger.csv", r.engine(), r.script(), ...);
//   auto delivery = SimulatedDelivery::OnTime(*plan.db, *plan.store, cal, r.clock(), defs);
//   auto report = r.Run(*ledger, *delivery, progress, stop);
//   auto events = r.Timeline();               // what the engine did, read back from the record
//   Weeks weeks = CountWeeks(*events, cal, plan.from, plan.until, r.FinalStates());
//
// Thread-safety: one thread. Ownership: borrows the plan's database and store, which must outlive
// the rehearsal.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "adapters/rehearsal/simulated_delivery.h"
#include "adapters/rehearsal/timeline.h"
#include "adapters/store/soci/database.h"
#include "rectify/engine/campaign_script.h"

namespace rectify::rehearsal {

struct RehearsalPlan {
  std::shared_ptr<const definition::DefinitionSet> definitions;
  std::shared_ptr<const definition::Campaign> campaign;  // one of `definitions`
  store_soci::Database* db = nullptr;                    // a fresh, migrated database
  Store* store = nullptr;                                // on `db`
  Timestamp from;                                        // the clock starts here
  Timestamp until;                                       // and the run stops here
  engine::CadreBehaviour behaviour;
  // The folder of the bulletin document templates (workflows/templates), for a campaign whose
  // `bulletins: { after: }` has the run issue bulletins; empty: they are kept without HTML.
  std::string templates;
};

class Rehearsal {
 public:
  explicit Rehearsal(const RehearsalPlan& plan);

  engine::Engine& engine() { return engine_; }
  engine::CadreScript& script() { return script_; }
  VirtualClock& clock() { return clock_; }
  boost::asio::io_context& io() { return io_; }

  // Registers the definitions, starts the campaign (whose run issues the bulletins it schedules
  // into the plan's database, as in `rectify serve`: bulletin_store.h), queues `ledger` for the
  // scripted cadres and runs to the plan's `until`, delivering the outbox through `delivery` (which
  // must be on clock()). `stop` as in SimulatedDelivery::Run.
  Result<engine::SimulationReport> Run(const std::vector<engine::Registration>& ledger,
                                       SimulatedDelivery& delivery,
                                       const std::function<void(Timestamp)>& progress,
                                       const std::function<Status()>& stop = {});

  // Every event of the run, in order (timeline.h).
  Result<std::vector<TimelineEvent>> Timeline();

  // Which (item, state) pairs of the run are final states of the item's workflow: a transition
  // into one closes the item.
  Result<std::set<std::pair<std::string, std::string>>> FinalStates(
      const std::vector<TimelineEvent>& events);

 private:
  RehearsalPlan plan_;
  boost::asio::io_context io_;
  VirtualClock clock_;
  engine::Engine engine_;
  engine::CadreScript script_;
};

// The run counted per calendar week (Monday to Sunday on the campaign's calendar), each week from
// the one holding `from` to the one holding the last instant before `until`, empty weeks too;
// an event outside them (a ledger row registered before `from`, a timer due at `until` itself)
// counts in the nearest week, so the weeks add up to the whole run.
struct Week {
  Date monday;
  int reminders = 0;    // reminder events
  int escalations = 0;  // escalation steps
  int closings = 0;     // transitions into a final state
  int registered = 0;   // items registered
  int notifications = 0;
};
struct Counts {
  std::vector<Week> weeks;
  Week total;  // the sums (its monday unused)
};
Counts CountWeeks(const std::vector<TimelineEvent>& events, const Calendar& cal, Timestamp from,
                  Timestamp until, const std::set<std::pair<std::string, std::string>>& finals);

}  // namespace rectify::rehearsal
