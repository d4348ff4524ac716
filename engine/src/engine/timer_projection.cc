// Timers, one general mechanism: after every applied event the current state's clock is
// projected into the set of durable timers it implies, and the instance's pending timers are
// brought to that set (cancel what is no longer implied, arm what is new). Pause, resume,
// extension, a changed due date or calendar, reopen with restart or continue: all come here.
//
//   remind:<state>:<i>     reminder i of the state, at OffsetFrom(deadline, offset)
//   escalate:<state>:<i>   step i of the state's overdue chain, at OffsetFrom(deadline, after)
//
// every one with the clock's generation, so a timer of an older projection can never be taken
// for a current one. Rules for what lies in the past at projection time:
//   - reminders: only the latest one already due is sent, at once, unless it was sent since the
//     clock (re)started; older missed reminders would only repeat it;
//   - escalation steps already taken since the clock (re)started are never armed again (each
//     takes effect once, even when an extension moves the deadline); a step not yet taken whose
//     time has passed is armed at its own due time and fires at the next tick, marked late.
#include <algorithm>

#include "rectify/definition/escalation.h"
#include "step.h"

namespace rectify::engine::internal {

Status Step::ProjectTimers() {
  Instance& inst = fx_.instance;
  std::vector<PendingTimer> desired;
  const definition::State& state = CurrentState();
  StateClock* sc = Clock();
  if (sc && sc->clock.phase == ClockPhase::kRunning && bound_.calendar) {
    DeadlineClock dc(*bound_.calendar, sc->clock);
    std::int64_t gen = sc->clock.generation;
    std::optional<std::size_t> latest_missed;
    Timestamp latest_missed_at{};
    for (std::size_t i = 0; i < state.reminders.size(); ++i) {
      auto at = dc.At(state.reminders[i].offset);
      if (!at) return at.error();
      std::string name = "remind:" + state.id + ":" + std::to_string(i);
      if (*at > now_) {
        desired.push_back({name, gen, *at});
      } else if (!latest_missed || *at >= latest_missed_at) {
        latest_missed = i;
        latest_missed_at = *at;
      }
    }
    if (latest_missed) {
      int i = static_cast<int>(*latest_missed);
      if (std::find(sc->reminders_sent.begin(), sc->reminders_sent.end(), i) ==
          sc->reminders_sent.end()) {
        desired.push_back({"remind:" + state.id + ":" + std::to_string(i), gen, now_});
      }
    }
    if (state.overdue) {
      const auto& steps = state.overdue->steps();
      for (std::size_t i = static_cast<std::size_t>(sc->escalation_level); i < steps.size(); ++i) {
        auto at = dc.At(steps[i].after);
        if (!at) return at.error();
        desired.push_back({"escalate:" + state.id + ":" + std::to_string(i), gen, *at});
      }
    }
  }
  auto same = [](const PendingTimer& a, const PendingTimer& b) {
    return a.name == b.name && a.generation == b.generation;
  };
  std::vector<PendingTimer> kept;
  for (const PendingTimer& t : inst.timers) {
    bool wanted = std::any_of(desired.begin(), desired.end(),
                              [&](const PendingTimer& d) { return same(d, t); });
    if (wanted) {
      kept.push_back(t);
    } else {
      fx_.cancel.push_back({inst.record.id, t.name, t.generation});
    }
  }
  for (const PendingTimer& d : desired) {
    bool armed =
        std::any_of(kept.begin(), kept.end(), [&](const PendingTimer& t) { return same(d, t); });
    if (armed) continue;
    fx_.arm.push_back({{inst.record.id, d.name, d.generation}, d.due, TimerState::kPending, {}});
    kept.push_back(d);
  }
  std::sort(kept.begin(), kept.end(), [](const PendingTimer& a, const PendingTimer& b) {
    return a.due != b.due ? a.due < b.due : a.name < b.name;
  });
  inst.timers = std::move(kept);
  return OkStatus();
}

}  // namespace rectify::engine::internal
