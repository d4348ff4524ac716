#include "rectify/engine/item_view.h"

#include "rectify/calendar/deadline.h"
#include "rectify/engine/access.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/engine/interpreter.h"
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
  const StateClock* c = inst.CurrentClock();
  return ViewDeadline(cal, c ? &c->clock : nullptr, now);
}

DeadlineView ViewDeadline(const Calendar* cal, const ClockRecord* clock, Timestamp now) {
  if (!clock || !cal) return DeadlineView();
  DeadlineClock dc(*cal, *clock);
  auto d = dc.Deadline(now);
  if (!d) return DeadlineView();
  DeadlineView v = ViewKnownDeadline(*cal, *d, clock->phase, now);
  CountDays(*cal, now, v);
  return v;
}

DeadlineView ViewKnownDeadline(const Calendar& cal, Timestamp deadline, ClockPhase phase,
                               Timestamp now) {
  DeadlineView v;
  v.has = true;
  v.ends_at = deadline;
  v.due = DeadlineDay(cal, deadline);
  v.overdue = phase != ClockPhase::kStopped && now >= deadline;  // DeadlineClock::IsOverdue
  v.paused = phase == ClockPhase::kPaused;
  return v;
}

void CountDays(const Calendar& cal, Timestamp now, DeadlineView& v) {
  if (!v.has) return;
  if (v.overdue) {
    v.working_days_overdue = CountWorkdays(cal, v.due, cal.DateOf(now));
  } else {
    v.working_days_left = CountWorkdays(cal, cal.DateOf(now), v.due);
  }
}

void ProjectForLists(const Calendar* calendar, const definition::Workflow* workflow,
                     Instance& instance, Timestamp now) {
  DeadlineView deadline = ViewDeadline(calendar, instance, now);
  instance.record.due_at = deadline.has ? std::optional<Timestamp>(deadline.ends_at) : std::nullopt;
  instance.record.escalation_level = instance.EscalationLevel();
  instance.record.people = workflow ? NamedPeople(*workflow, instance) : std::vector<std::string>();
}

Result<ProjectionReport> ProjectOldInstances(Store& store, const Interpreter& interpreter,
                                             Timestamp now) {
  ProjectionReport report;
  InstanceFilter filter;
  filter.not_projected = true;
  filter.limit = 1000;
  Status listed =
      ForEachInstancePage(store, filter, [&](std::vector<InstanceRecord>& page) -> Result<bool> {
        std::vector<InstanceRecord> projected;
        for (const auto& record : page) {
          auto inst = InstanceOf(record);
          if (!inst) return inst.error();
          auto bound = interpreter.Bind(*inst);
          if (!bound) {
            ++report.unbound;
            continue;
          }
          ProjectForLists(bound->calendar, bound->workflow.get(), *inst, now);
          projected.push_back(std::move(inst->record));
        }
        if (Status s = store.WriteProjections(projected); !s) return s.error();
        report.projected += static_cast<std::int64_t>(projected.size());
        return true;
      });
  if (!listed) return listed.error();
  return report;
}

}  // namespace rectify::engine
