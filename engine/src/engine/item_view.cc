#include "rectify/engine/item_view.h"

#include "rectify/calendar/deadline.h"
#include "rectify/instance/deadline_clock.h"

namespace rectify::engine {

int CountWorkdays(const Calendar& cal, Date from, Date to) {
  int n = 0;
  for (Date d = from + std::chrono::days(1); d <= to && n < 10000; d += std::chrono::days(1)) {
    auto w = cal.IsWorkday(d);
    if (w && *w) ++n;
  }
  return n;
}

DeadlineView ViewDeadline(const Calendar* cal, const Instance& inst, Timestamp now) {
  DeadlineView v;
  const StateClock* c = inst.CurrentClock();
  if (!c || !cal) return v;
  DeadlineClock dc(*cal, c->clock);
  auto d = dc.Deadline(now);
  if (!d) return v;
  v.has = true;
  v.ends_at = *d;
  v.due = DeadlineDay(*cal, *d);
  v.overdue = dc.IsOverdue(now);
  v.paused = c->clock.phase == ClockPhase::kPaused;
  if (v.overdue) {
    v.working_days_overdue = CountWorkdays(*cal, v.due, cal->DateOf(now));
  } else {
    v.working_days_left = CountWorkdays(*cal, cal->DateOf(now), v.due);
  }
  return v;
}

}  // namespace rectify::engine
