// A campaign's rehearsal on a throw-away database, and its timeline counted per week
// (rehearsal.h).
#include "adapters/rehearsal/rehearsal.h"

#include <algorithm>
#include <map>

#include "adapters/store/soci/soci_store.h"
#include "rectify/engine/campaign.h"

namespace rectify::rehearsal {

Rehearsal::Rehearsal(const RehearsalPlan& plan)
    : plan_(plan),
      clock_(plan.from),
      engine_(*plan.store, clock_, plan.definitions),
      script_(engine_, plan.campaign, plan.behaviour) {}

Result<engine::SimulationReport> Rehearsal::Run(const std::vector<engine::Registration>& ledger,
                                                SimulatedDelivery& delivery,
                                                const std::function<void(Timestamp)>& progress,
                                                const std::function<Status()>& stop) {
  if (Status st = engine_.RegisterDefinitions(); !st) return st.error();
  const definition::DefinitionInfo& info = plan_.campaign->info();
  auto run = engine::StartCampaign(engine_, info.name, info.version);
  if (!run) return run.error();
  script_.AddLedger(ledger);
  // The bulletins the campaign schedules are issued by its run, as in `rectify serve`, through
  // the store's desk (bulletin_store.h), rendered from the plan's templates.
  if (!plan_.templates.empty() && !plan_.campaign->bulletins().after.empty()) {
    if (Status st = store_soci::SetBulletinTemplates(*plan_.store, plan_.templates); !st) {
      return st.error();
    }
  }
  return delivery.Run(engine_, io_, script_, plan_.until, progress, stop);
}

Result<std::vector<TimelineEvent>> Rehearsal::Timeline() {
  rehearsal::Timeline timeline(plan_.db->session(), plan_.campaign);
  return timeline.ReadNew();
}

Result<std::set<std::pair<std::string, std::string>>> Rehearsal::FinalStates(
    const std::vector<TimelineEvent>& events) {
  std::set<std::pair<std::string, std::string>> finals;
  std::map<std::string, std::shared_ptr<const definition::Workflow>> workflow_of;
  for (const TimelineEvent& e : events) {
    auto to = e.fields.find("to");
    if (e.instance.empty() || to == e.fields.end() || !to->value().is_string()) continue;
    auto known = workflow_of.find(e.instance);
    if (known == workflow_of.end()) {
      auto record = plan_.store->LoadInstance(e.instance);
      if (!record) return record.error();
      known = workflow_of
                  .emplace(e.instance,
                           plan_.definitions->FindWorkflow(
                               record->workflow, static_cast<int>(record->workflow_version)))
                  .first;
    }
    if (!known->second) continue;
    std::string state(to->value().as_string());
    auto index = known->second->FindState(state);
    if (index && known->second->state(*index).final) finals.emplace(e.instance, state);
  }
  return finals;
}

Counts CountWeeks(const std::vector<TimelineEvent>& events, const Calendar& cal, Timestamp from,
                  Timestamp until, const std::set<std::pair<std::string, std::string>>& finals) {
  auto monday = [](Date d) { return d - (std::chrono::weekday{d} - std::chrono::Monday); };
  Counts out;
  Date first = monday(cal.DateOf(from));
  Date last = monday(cal.DateOf(until - std::chrono::microseconds(1)));
  for (Date d = first; d <= last; d += std::chrono::days(7)) out.weeks.push_back(Week{d});
  // Every event counts: one before the first day (a ledger row registered earlier) in the first
  // week, one at the run's very end (a timer due at midnight) in the last.
  const long last_week = static_cast<long>(out.weeks.size()) - 1;
  for (const TimelineEvent& e : events) {
    long index = (monday(cal.DateOf(e.at)) - first).count() / 7;
    index = std::clamp(index, 0L, last_week);
    Week& w = out.weeks[static_cast<std::size_t>(index)];
    const auto& name = e.fields.at("event");
    int* counter = nullptr;
    if (name == "reminder") {
      counter = &w.reminders;
    } else if (name == "escalation") {
      counter = &w.escalations;
    } else if (name == "registered") {
      counter = &w.registered;
    } else if (name == "notification") {
      counter = &w.notifications;
    } else if (name == "transition") {
      auto to = e.fields.find("to");
      if (to != e.fields.end() && to->value().is_string() &&
          finals.count({e.instance, std::string(to->value().as_string())})) {
        counter = &w.closings;
      }
    }
    if (counter) ++*counter;
  }
  for (const Week& w : out.weeks) {
    out.total.reminders += w.reminders;
    out.total.escalations += w.escalations;
    out.total.closings += w.closings;
    out.total.registered += w.registered;
    out.total.notifications += w.notifications;
  }
  return out;
}

}  // namespace rectify::rehearsal
