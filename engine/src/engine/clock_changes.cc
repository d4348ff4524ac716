// Changes of an instance's clocks other than entering and leaving a state: a changed due date, a
// final state reached or left, a new version of the calendar. Each goes through DeadlineClock
// (whose Boost.MSM lifecycle decides whether it is allowed) and bumps the generation of the
// clocks it touches, so the ProjectTimers that follows every applied event cancels the timers
// armed on the old dates and arms the new ones (timer_projection.cc). Steps already taken and
// reminders already sent stay recorded on the clock, so they are not repeated.
#include <boost/json.hpp>

#include "rectify/calendar/deadline.h"
#include "step.h"

namespace rectify::engine::internal {

namespace json = boost::json;

std::optional<Timestamp> Step::CurrentDeadline() const {
  auto it = fx_.instance.clocks.find(fx_.instance.record.state);
  if (it == fx_.instance.clocks.end() || !bound_.calendar) return std::nullopt;
  if (it->second.clock.phase == ClockPhase::kStopped) return std::nullopt;
  auto d = DeadlineClock(*bound_.calendar, it->second.clock).Deadline(now_);
  if (!d) return std::nullopt;
  return *d;
}

Status Step::ChangeDue(const definition::Transition& t) {
  const std::string& id = fx_.instance.record.id;
  StateClock* sc = Clock();
  if (!sc || !bound_.calendar || sc->clock.phase == ClockPhase::kStopped) {
    return Error::FailedPrecondition("item " + id + " has no deadline in state '" +
                                     fx_.instance.record.state + "', so '" + t.event +
                                     "' has no due date to change");
  }
  auto budget = BudgetFor(CurrentState(), &t);
  if (!budget) return budget.error();
  if (!budget->has_value()) {
    return Error::Internal("transition '" + t.event + "' changes the due date but names none");
  }
  const Calendar& cal = *bound_.calendar;
  DeadlineClock dc(cal, sc->clock);
  if (Status s = dc.ChangeBudget(**budget); !s) return s;
  auto deadline = dc.Deadline(now_);
  if (!deadline) return deadline.error();
  if (*deadline <= sc->clock.anchor) {
    return Error::BadInput(
        "'" + t.event + "' on item " + id + ": the new time limit '" +
        FormatDeadlineSpec(**budget) + "' ends on " + FormatDate(DeadlineDay(cal, *deadline)) +
        ", before the item entered '" + fx_.instance.record.state + "' on " +
        FormatDate(cal.DateOf(sc->clock.anchor)) + "; give a later date or a longer duration");
  }
  sc->clock = dc.record();
  return OkStatus();
}

Status Step::StopClocks() {
  if (!bound_.calendar) return OkStatus();
  for (auto& [state, sc] : fx_.instance.clocks) {
    DeadlineClock dc(*bound_.calendar, sc.clock);
    if (Status s = dc.Stop(now_); !s) return s;
    sc.clock = dc.record();
  }
  return OkStatus();
}

Status Step::ReopenClocks() {
  if (!bound_.calendar) return OkStatus();
  for (auto& [state, sc] : fx_.instance.clocks) {
    if (sc.clock.phase != ClockPhase::kStopped) continue;
    DeadlineClock dc(*bound_.calendar, sc.clock);
    if (Status s = dc.Reopen(now_); !s) return s;
    sc.clock = dc.record();
  }
  return OkStatus();
}

Result<bool> Step::FollowCalendar(const std::string& actor, const std::string& reason,
                                  const Calendar* previous) {
  Instance& inst = fx_.instance;
  const std::string label = bound_.calendar ? wf().calendar_ref().Label() : std::string();
  if (inst.calendar == label) return false;
  // Written before the engine recorded its calendar, or without one: nothing to move from.
  if (inst.calendar.empty() || label.empty() || inst.clocks.empty()) {
    inst.calendar = label;
    return false;
  }
  if (!previous) {
    if (auto nv = definition::ParseNameVersion(inst.calendar)) {
      previous = interp_.definitions().FindCalendar(nv->name, nv->version).get();
    }
  }
  std::optional<Timestamp> before;
  if (previous) {
    if (auto it = inst.clocks.find(inst.record.state);
        it != inst.clocks.end() && it->second.clock.phase != ClockPhase::kStopped) {
      if (auto d = DeadlineClock(*previous, it->second.clock).Deadline(now_)) before = *d;
    }
  }
  for (auto& [state, sc] : inst.clocks) {
    DeadlineClock dc(*bound_.calendar, sc.clock);
    if (Status s = dc.ChangeCalendar(*bound_.calendar); !s) return s.error();
    sc.clock = dc.record();
  }
  json::object data{{"from_calendar", inst.calendar}, {"to_calendar", label}};
  inst.calendar = label;
  if (before) data["previous_deadline"] = FormatIso(*before);
  if (auto now_due = CurrentDeadline()) {
    data["deadline"] = FormatIso(*now_due);
  } else if (StateClock* c = Clock(); c && c->clock.phase != ClockPhase::kStopped) {
    // The deadline cannot be computed on the new calendar (a date outside its years).
    auto d = DeadlineClock(*bound_.calendar, c->clock).Deadline(now_);
    if (!d) return d.error().WithContext("item " + inst.record.id + " on calendar " + label);
  }
  Audit(actor, "calendar_changed", inst.record.state, inst.record.state, reason, std::move(data));
  return true;
}

}  // namespace rectify::engine::internal
