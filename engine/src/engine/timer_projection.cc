// Timers, one general mechanism: after every applied event the current state's clock is
// projected into the schedule of timers it implies, and the instance's schedule is brought to
// it (drop what is no longer implied, add what is new). Pause, resume, extension, a changed due
// date or calendar, reopen with restart or continue: all come here.
//
//   remind:<state>:<i>     reminder i of the state, at ReminderAt(deadline, offset): in working
//                          hours on the day it is for, never together with the first letter
//   escalate:<state>:<i>   step i of the state's overdue chain, at OffsetFrom(deadline, after);
//                          the chain recorded on the instance (Bound::OverdueChain) when it has one
//
// every one with the clock's generation, so a timer of an older projection can never be taken
// for a current one. Rules for what lies in the past at projection time:
//   - reminders: only the latest one already due is sent, at once, unless it was sent since the
//     clock (re)started; older missed reminders would only repeat it. Once the deadline has
//     passed in a state with an overdue chain, none is sent: the chain's letters speak for the
//     lapse, and a reminder would go out with the first of them;
//   - escalation steps already taken since the clock (re)started are never armed again (each
//     takes effect once, even when an extension moves the deadline); a step not yet taken whose
//     time has passed is armed at its own due time and fires at the next tick, marked late.
//
// Only the front of the schedule is armed in the store: the timers at its earliest instant, or
// every timer already due (so an engine that was down catches up in one round). The firing of
// one arms the next in the same commit. The rest of the schedule lives in the instance alone, so
// an open item keeps one row in the timer table, and moving its deadline rewrites that one.
#include <algorithm>

#include "rectify/calendar/deadline.h"
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
    auto deadline = dc.RunningDeadline();
    if (!deadline) return deadline.error();
    for (std::size_t i = 0; i < state.reminders.size() && *deadline; ++i) {
      auto at = ReminderAt(*bound_.calendar, **deadline, state.reminders[i].offset);
      if (!at) return at.error();
      std::string name = TimerName::Remind(state.id, static_cast<int>(i)).Format();
      if (*at > now_) {
        desired.push_back({name, gen, *at});
      } else if (!latest_missed || *at >= latest_missed_at) {
        latest_missed = i;
        latest_missed_at = *at;
      }
    }
    const bool letters_speak =
        state.overdue && !state.overdue->steps().empty() && *deadline && **deadline <= now_;
    if (latest_missed && !letters_speak) {
      int i = static_cast<int>(*latest_missed);
      if (std::find(sc->reminders_sent.begin(), sc->reminders_sent.end(), i) ==
          sc->reminders_sent.end()) {
        desired.push_back({TimerName::Remind(state.id, i).Format(), gen, now_});
      }
    }
    if (const definition::Escalation* chain = bound_.OverdueChain(state)) {
      const auto& steps = chain->steps();
      for (std::size_t i = static_cast<std::size_t>(sc->escalation_level); i < steps.size(); ++i) {
        auto at = dc.At(steps[i].after);
        if (!at) return at.error();
        desired.push_back({TimerName::Escalate(state.id, static_cast<int>(i)).Format(), gen, *at});
      }
    }
  }
  auto same = [](const PendingTimer& a, const PendingTimer& b) {
    return a.name == b.name && a.generation == b.generation;
  };
  std::vector<PendingTimer> kept;
  for (const PendingTimer& t : inst.timers) {
    auto wanted = std::find_if(desired.begin(), desired.end(),
                               [&](const PendingTimer& d) { return same(d, t); });
    if (wanted != desired.end()) {
      kept.push_back(t);
      // Not in the store yet: it takes the time this projection gives it. Only a rule that
      // changed between releases (a reminder at 00:00 after the deadline, now at 08:30 on the
      // deadline day) makes the two differ within one generation.
      if (!t.armed) kept.back().due = wanted->due;
    } else if (t.armed) {
      fx_.cancel.push_back({inst.record.id, t.name, t.generation});
    }
  }
  for (PendingTimer d : desired) {
    bool known =
        std::any_of(kept.begin(), kept.end(), [&](const PendingTimer& t) { return same(d, t); });
    if (known) continue;
    d.armed = false;
    kept.push_back(d);
  }
  std::sort(kept.begin(), kept.end(), [](const PendingTimer& a, const PendingTimer& b) {
    return a.due != b.due ? a.due < b.due : a.name < b.name;
  });
  // Arm the front of the schedule: its earliest instant, or everything already due.
  if (!kept.empty()) {
    Timestamp front = std::max(kept.front().due, now_);
    for (PendingTimer& t : kept) {
      if (t.due > front) break;
      if (t.armed) continue;
      fx_.arm.push_back({{inst.record.id, t.name, t.generation}, t.due, TimerState::kPending, {}});
      t.armed = true;
    }
  }
  inst.timers = std::move(kept);
  return OkStatus();
}

}  // namespace rectify::engine::internal
