#include "rectify/instance/deadline_clock.h"

#include <boost/mpl/vector.hpp>
#include <boost/msm/back/state_machine.hpp>
#include <boost/msm/front/state_machine_def.hpp>

namespace rectify {

namespace msm = boost::msm;
namespace mpl = boost::mpl;

std::string_view ClockPhaseName(ClockPhase phase) {
  switch (phase) {
    case ClockPhase::kStopped:
      return "stopped";
    case ClockPhase::kRunning:
      return "running";
    case ClockPhase::kPaused:
      return "paused";
  }
  return "stopped";
}

namespace {

struct EvStart {};
struct EvPause {};
struct EvResume {};
struct EvExtend {};
struct EvStop {};
struct EvReopen {};
struct EvChangeBudget {};
struct EvChangeCalendar {};

enum Event { kStart, kPause, kResume, kExtend, kStop, kReopen, kChangeBudget, kChangeCalendar };

// The clock's lifecycle. Actions on the record live in DeadlineClock; the machine only decides
// whether an event is allowed in the current phase.
struct ClockLifecycle : msm::front::state_machine_def<ClockLifecycle> {
  struct Stopped : msm::front::state<> {};
  struct Running : msm::front::state<> {};
  struct Paused : msm::front::state<> {};
  using initial_state = Stopped;

  // clang-format off
  struct transition_table : mpl::vector<
      //    from      event      to
      _row<Stopped, EvStart,  Running>,
      _row<Running, EvStart,  Running>,
      _row<Paused,  EvStart,  Running>,
      _row<Running, EvPause,  Paused>,
      _row<Paused,  EvResume, Running>,
      _row<Running, EvExtend, Running>,
      _row<Paused,  EvExtend, Paused>,
      _row<Running, EvChangeBudget,   Running>,
      _row<Paused,  EvChangeBudget,   Paused>,
      _row<Running, EvChangeCalendar, Running>,
      _row<Paused,  EvChangeCalendar, Paused>,
      _row<Stopped, EvChangeCalendar, Stopped>,
      _row<Running, EvStop,   Stopped>,
      _row<Paused,  EvStop,   Stopped>,
      _row<Stopped, EvStop,   Stopped>,
      _row<Stopped, EvReopen, Paused>> {};
  // clang-format on

  template <class Fsm, class Ev>
  void no_transition(const Ev& /*event*/, Fsm& /*fsm*/, int /*state*/) {
    rejected = true;
  }

  bool rejected = false;
};

using ClockMachine = msm::back::state_machine<ClockLifecycle>;

std::string_view EventName(int event) {
  switch (event) {
    case kStart:
      return "start";
    case kPause:
      return "pause";
    case kResume:
      return "resume";
    case kExtend:
      return "extend";
    case kStop:
      return "stop";
    case kReopen:
      return "reopen";
    case kChangeBudget:
      return "change the due date of";
    case kChangeCalendar:
      return "change the calendar of";
  }
  return "?";
}

// The unit paused time is counted in: that of the budget.
enum class PauseUnit { kWorkingDays, kCalendarDays, kExact };

PauseUnit UnitOf(const DeadlineSpec& budget) {
  switch (budget.kind) {
    case DeadlineSpec::Kind::kDate:
      return PauseUnit::kWorkingDays;
    case DeadlineSpec::Kind::kInstant:
      return PauseUnit::kExact;
    case DeadlineSpec::Kind::kSpan:
      break;
  }
  switch (budget.span.kind) {
    case Span::Kind::kWorkingDays:
      return PauseUnit::kWorkingDays;
    case Span::Kind::kCalendar:
      return budget.span.exact == Duration{0} ? PauseUnit::kCalendarDays : PauseUnit::kExact;
    case Span::Kind::kZero:
    case Span::Kind::kExact:
      return PauseUnit::kExact;
  }
  return PauseUnit::kExact;
}

// Moves a deadline by `by`: day spans count from the deadline's own day, exact spans exactly.
Result<Timestamp> Shift(const Calendar& cal, Timestamp deadline, const Span& by) {
  if (by.day_based()) return AddSpan(cal, DeadlineDay(cal, deadline), by);
  return AddSpan(cal, deadline, by);
}

}  // namespace

struct DeadlineClock::Machine {
  ClockMachine fsm;
};

DeadlineClock::DeadlineClock(const Calendar& calendar) : DeadlineClock(calendar, ClockRecord{}) {}

DeadlineClock::DeadlineClock(const Calendar& calendar, ClockRecord record)
    : calendar_(&calendar), record_(std::move(record)), machine_(std::make_unique<Machine>()) {
  machine_->fsm.start();
  // Bring the machine to the recorded phase.
  if (record_.phase != ClockPhase::kStopped) machine_->fsm.process_event(EvStart{});
  if (record_.phase == ClockPhase::kPaused) machine_->fsm.process_event(EvPause{});
}

DeadlineClock::DeadlineClock(const DeadlineClock& other)
    : DeadlineClock(*other.calendar_, other.record_) {}

DeadlineClock& DeadlineClock::operator=(const DeadlineClock& other) {
  if (this != &other) *this = DeadlineClock(other);
  return *this;
}

DeadlineClock::DeadlineClock(DeadlineClock&&) noexcept = default;
DeadlineClock& DeadlineClock::operator=(DeadlineClock&&) noexcept = default;
DeadlineClock::~DeadlineClock() = default;

Status DeadlineClock::Process(int event) {
  ClockLifecycle& def = machine_->fsm;
  def.rejected = false;
  switch (event) {
    case kStart:
      machine_->fsm.process_event(EvStart{});
      break;
    case kPause:
      machine_->fsm.process_event(EvPause{});
      break;
    case kResume:
      machine_->fsm.process_event(EvResume{});
      break;
    case kExtend:
      machine_->fsm.process_event(EvExtend{});
      break;
    case kStop:
      machine_->fsm.process_event(EvStop{});
      break;
    case kReopen:
      machine_->fsm.process_event(EvReopen{});
      break;
    case kChangeBudget:
      machine_->fsm.process_event(EvChangeBudget{});
      break;
    case kChangeCalendar:
      machine_->fsm.process_event(EvChangeCalendar{});
      break;
    default:
      break;
  }
  if (def.rejected) {
    return Error::FailedPrecondition("cannot " + std::string(EventName(event)) +
                                     " a clock that is " +
                                     std::string(ClockPhaseName(record_.phase)));
  }
  return OkStatus();
}

Status DeadlineClock::Start(Timestamp at, DeadlineSpec budget) {
  if (Status s = Process(kStart); !s) return s;
  record_.phase = ClockPhase::kRunning;
  record_.anchor = at;
  record_.budget = std::move(budget);
  record_.extensions.clear();
  record_.pauses.clear();
  ++record_.generation;
  return OkStatus();
}

Status DeadlineClock::Pause(Timestamp at) {
  if (Status s = Process(kPause); !s) return s;
  record_.phase = ClockPhase::kPaused;
  record_.pauses.push_back({at, std::nullopt});
  ++record_.generation;
  return OkStatus();
}

Status DeadlineClock::Resume(Timestamp at) {
  if (Status s = Process(kResume); !s) return s;
  record_.phase = ClockPhase::kRunning;
  record_.pauses.back().to = std::max(at, record_.pauses.back().from);
  ++record_.generation;
  return OkStatus();
}

Status DeadlineClock::Extend(const Span& by) {
  if (Status s = Process(kExtend); !s) return s;
  record_.extensions.push_back(by);
  ++record_.generation;
  return OkStatus();
}

Status DeadlineClock::ChangeBudget(DeadlineSpec budget) {
  if (Status s = Process(kChangeBudget); !s) return s;
  record_.budget = std::move(budget);
  record_.extensions.clear();
  ++record_.generation;
  return OkStatus();
}

Status DeadlineClock::ChangeCalendar(const Calendar& calendar) {
  if (Status s = Process(kChangeCalendar); !s) return s;
  calendar_ = &calendar;
  ++record_.generation;
  return OkStatus();
}

Status DeadlineClock::Stop(Timestamp at) {
  ClockPhase before = record_.phase;
  if (Status s = Process(kStop); !s) return s;
  if (before == ClockPhase::kStopped) return OkStatus();
  if (before == ClockPhase::kRunning) record_.pauses.push_back({at, std::nullopt});
  record_.phase = ClockPhase::kStopped;
  ++record_.generation;
  return OkStatus();
}

Status DeadlineClock::Reopen(Timestamp at) {
  if (Status s = Process(kReopen); !s) return s;
  // A clock stopped before stops counted as pauses has no open pause: it stood still from `at`.
  if (record_.pauses.empty() || record_.pauses.back().to) {
    record_.pauses.push_back({at, std::nullopt});
  }
  record_.phase = ClockPhase::kPaused;
  ++record_.generation;
  return OkStatus();
}

Result<Timestamp> DeadlineClock::Deadline(Timestamp as_of) const {
  if (record_.phase == ClockPhase::kStopped && record_.generation == 0) {
    return Error::FailedPrecondition("the clock never started; it has no deadline");
  }
  const Calendar& cal = *calendar_;
  Result<Timestamp> deadline = ResolveDeadline(cal, record_.anchor, record_.budget);
  if (!deadline) return deadline;
  for (const Span& ext : record_.extensions) {
    deadline = Shift(cal, *deadline, ext);
    if (!deadline) return deadline;
  }

  PauseUnit unit = UnitOf(record_.budget);
  int paused_days = 0;
  Duration paused_exact{0};
  for (const PausePeriod& p : record_.pauses) {
    Timestamp to = p.to.value_or(std::max(as_of, p.from));
    if (unit == PauseUnit::kExact) {
      paused_exact += to - p.from;
      continue;
    }
    Date first = cal.DateOf(p.from);
    Date last = cal.DateOf(to);  // exclusive: the day the clock resumes is not lost
    if (unit == PauseUnit::kCalendarDays) {
      paused_days += static_cast<int>((last - first).count());
      continue;
    }
    for (Date d = first; d < last; d += std::chrono::days(1)) {
      Result<bool> workday = cal.IsWorkday(d);
      if (!workday) return workday.error();
      if (*workday) ++paused_days;
    }
  }
  if (paused_days > 0) {
    Span by = unit == PauseUnit::kWorkingDays ? Span::WorkingDays(paused_days)
                                              : Span::CalendarDays(paused_days);
    deadline = Shift(cal, *deadline, by);
  } else if (paused_exact > Duration{0}) {
    deadline = *deadline + paused_exact;
  }
  return deadline;
}

Result<std::optional<Timestamp>> DeadlineClock::RunningDeadline() const {
  if (record_.phase != ClockPhase::kRunning) return std::optional<Timestamp>();
  Result<Timestamp> d = Deadline(record_.anchor);
  if (!d) return d.error();
  return std::optional<Timestamp>(*d);
}

Result<Timestamp> DeadlineClock::At(const Span& offset) const {
  if (record_.phase != ClockPhase::kRunning) {
    return Error::FailedPrecondition("the clock is " + std::string(ClockPhaseName(record_.phase)) +
                                     "; nothing falls due until it runs");
  }
  Result<Timestamp> deadline = Deadline(record_.anchor);
  if (!deadline) return deadline;
  return OffsetFrom(*calendar_, *deadline, offset);
}

bool DeadlineClock::IsOverdue(Timestamp now) const {
  if (record_.phase == ClockPhase::kStopped) return false;
  Result<Timestamp> deadline = Deadline(now);
  return deadline.ok() && now >= *deadline;
}

}  // namespace rectify
