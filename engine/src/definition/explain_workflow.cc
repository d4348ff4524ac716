// Workflows and escalations as text, and workflows as Mermaid diagrams.
#include <cstdio>
#include <sstream>

#include "explain_text.h"
#include "rectify/calendar/deadline.h"
#include "rectify/definition/explain.h"

namespace rectify::definition {

namespace chr = std::chrono;
using internal::Join;
using internal::RoleList;

Date DefaultExampleStart() { return Date(chr::year(2017) / chr::April / chr::day(21)); }

std::string DescribeDate(Date d) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  return FormatDate(d) + " (" + kDays[chr::weekday(d).c_encoding()] + ")";
}

std::string DescribeInstant(const Calendar& cal, Timestamp t) {
  Date day = DeadlineDay(cal, t);
  if (cal.EndOfDay(day) == t) return "end of " + DescribeDate(day);
  Date local = cal.DateOf(t);
  auto minutes = chr::duration_cast<chr::minutes>(t - cal.StartOfDay(local)).count();
  char buf[16];
  std::snprintf(buf, sizeof buf, " %02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return DescribeDate(local) + buf;
}

namespace {

std::string Plural(int n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The budget of a deadline, without its owner.
std::string DescribeBudget(const Workflow& wf, const Deadline& d) {
  std::string s;
  switch (d.kind) {
    case Deadline::Kind::kNone:
      return "none";
    case Deadline::Kind::kWithin:
      s = "within " + FormatSpan(d.within) + " of entering the state";
      break;
    case Deadline::Kind::kAt:
      s = "at " + d.text;
      break;
    case Deadline::Kind::kField:
      s = "the item's " + wf.fields().at(static_cast<std::size_t>(d.field)).name;
      if (d.otherwise) s += ", else within " + FormatSpan(*d.otherwise) + " of entering the state";
      break;
  }
  return s;
}

std::string DescribeDeadline(const Workflow& wf, const Deadline& d) {
  if (d.kind == Deadline::Kind::kNone) return "none";
  return DescribeBudget(wf, d) + "; owned by " +
         (d.owner ? d.owner->text : std::string("responsible"));
}

// Where the example deadline falls, if it can be computed without an item.
std::optional<Timestamp> ExampleDeadline(const Calendar& cal, const Deadline& d, Date start) {
  std::optional<Span> span;
  if (d.kind == Deadline::Kind::kWithin) span = d.within;
  if (d.kind == Deadline::Kind::kField && d.otherwise) span = d.otherwise;
  if (d.kind == Deadline::Kind::kAt) {
    auto r = ResolveDeadline(cal, cal.StartOfDay(start), d.at);
    if (r) return *r;
    return std::nullopt;
  }
  if (!span) return std::nullopt;
  auto r = AddSpan(cal, start, *span);
  if (!r) return std::nullopt;
  return *r;
}

std::string When(const Calendar* cal, std::optional<Timestamp> deadline, const Span& offset,
                 bool reminder = false) {
  if (cal == nullptr || !deadline) return "";
  auto at = reminder ? ReminderAt(*cal, *deadline, offset) : OffsetFrom(*cal, *deadline, offset);
  if (!at) return "(" + at.error().message() + ")";
  return DescribeInstant(*cal, *at);
}

// What a step does besides being taken, a line each: whom it notifies, the task it opens, its
// other effects (explain's text and the diagram's step details).
std::vector<std::string> StepDetails(const EscalationStep& step) {
  std::vector<std::string> lines;
  if (!step.notify.empty()) lines.push_back("notify " + RoleList(step.notify));
  if (step.task) {
    std::string line = "opens " + step.task->workflow.Label();
    if (!step.task->title.empty()) line += " (" + step.task->title + ")";
    line += " for " + step.task->owner.text;
    if (step.task->within) line += ", due within " + FormatSpan(*step.task->within);
    lines.push_back(line);
  }
  std::vector<std::string> effects;
  if (step.score != 0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", -step.score);
    effects.push_back(std::string("deducts ") + buf + " points from the unit's assessment score");
  }
  if (!step.bulletin.empty())
    effects.push_back("names the unit on the " + step.bulletin + " bulletin");
  if (step.suspend_payment) effects.push_back("suspends fund payment");
  if (step.urgent) effects.push_back("urgent");
  if (!effects.empty()) lines.push_back(Join(effects, "; "));
  return lines;
}

std::string StepAfter(const EscalationStep& step) {
  return step.after.kind == Span::Kind::kZero ? std::string("at the deadline")
                                              : FormatSpan(step.after) + " after the deadline";
}

void WriteSteps(std::ostream& out, const Escalation& chain, const Calendar* cal,
                std::optional<Timestamp> deadline, const std::string& indent) {
  for (const auto& step : chain.steps()) {
    out << indent << step.index + 1 << ". " << MeasureLabel(step.measure) << ", "
        << StepAfter(step);
    std::string when = When(cal, deadline, step.after);
    if (!when.empty()) out << ": " << when;
    out << "\n";
    for (const auto& line : StepDetails(step)) out << indent << "   " << line << "\n";
  }
}

std::string DescribeRequirement(const Workflow& wf, const Requirement& r) {
  auto field = [&] { return "$" + wf.fields().at(static_cast<std::size_t>(r.field)).name; };
  switch (r.kind) {
    case Requirement::Kind::kEvidence:
      return r.count == 1 ? std::string("evidence")
                          : Plural(r.count, "piece", "pieces") + " of evidence";
    case Requirement::Kind::kReason:
      return "a reason";
    case Requirement::Kind::kField:
      return field() + " set";
    case Requirement::Kind::kSignatures:
      return "the signature of every member of " + field();
  }
  return "";
}

void WriteTransition(std::ostream& out, const Workflow& wf, const Transition& t) {
  out << "    " << t.event;
  if (t.to == t.from) {
    out << " (stays)";
  } else {
    out << " -> " << wf.state(t.to).id;
  }
  if (!t.title.empty()) out << "  " << t.title;
  out << "\n      by " << RoleList(t.by) << "\n";
  std::vector<std::string> notes;
  if (!t.requires_.empty()) {
    std::vector<std::string> req;
    for (const auto& r : t.requires_) req.push_back(DescribeRequirement(wf, r));
    notes.push_back("requires " + Join(req, ", "));
  }
  switch (t.clock) {
    case ClockEffect::kPause:
      notes.push_back("pauses the deadline clock");
      break;
    case ClockEffect::kResume:
      notes.push_back("resumes the deadline clock");
      break;
    case ClockEffect::kContinue:
      notes.push_back("the clock continues where it stood");
      break;
    case ClockEffect::kRestart:
      notes.push_back("the clock restarts");
      break;
    case ClockEffect::kDefault:
      break;
  }
  if (t.adds) notes.push_back("extends the deadline by " + FormatSpan(*t.adds));
  if (t.at_most > 0) notes.push_back("at most " + Plural(t.at_most, "time", "times"));
  if (t.deadline && t.to == t.from && t.clock == ClockEffect::kDefault) {
    notes.push_back("changes the due date to " + DescribeBudget(wf, *t.deadline));
  } else if (t.deadline) {
    notes.push_back("new deadline " + DescribeDeadline(wf, *t.deadline));
  }
  for (const TransitionNotice& n : t.notify) {
    if (n.contact < 0) {
      notes.push_back("notifies " + RoleList(n.people) + " (" + n.template_name + ")");
      continue;
    }
    std::string language =
        n.language_field >= 0
            ? "$" + wf.fields().at(static_cast<std::size_t>(n.language_field)).name + ", else zh"
            : (n.language.empty() ? "zh" : n.language);
    notes.push_back("sends " + n.template_name + " to the address in $" +
                    wf.fields().at(static_cast<std::size_t>(n.contact)).name + " (in " + language +
                    ")");
  }
  for (const auto& n : notes) out << "      " << n << "\n";
}

}  // namespace

std::string ExplainWorkflow(const Workflow& wf, const ExplainOptions& options) {
  std::ostringstream out;
  const Calendar* cal = wf.calendar().get();
  out << internal::Heading(wf.info()) << "\n";
  if (cal != nullptr) out << "  calendar " << wf.calendar_ref().Label() << "\n";
  if (!wf.fields().empty()) {
    out << "  fields:\n";
    for (const auto& f : wf.fields()) {
      out << "    " << f.name << " (" << FieldTypeName(f.type) << (f.required ? ", required" : "")
          << ")";
      if (!f.title.empty()) out << "  " << f.title;
      out << "\n";
    }
  }
  if (cal != nullptr) {
    out << "  example dates: an item entering each state on " << DescribeDate(options.start)
        << "\n";
  }
  out << "\nstates (a new item starts in " << wf.state(wf.initial()).id << "):\n";
  for (const auto& s : wf.states()) {
    out << "\n  " << s.id;
    if (!s.title.empty()) out << "  " << s.title;
    if (s.final) out << "  [final]";
    out << "\n";
    std::optional<Timestamp> deadline;
    if (s.deadline.kind != Deadline::Kind::kNone) {
      out << "    deadline: " << DescribeDeadline(wf, s.deadline) << "\n";
      if (cal != nullptr) deadline = ExampleDeadline(*cal, s.deadline, options.start);
      if (deadline) out << "      example: " << DescribeInstant(*cal, *deadline) << "\n";
    }
    for (const auto& r : s.reminders) {
      out << "    remind " << (r.offset.kind == Span::Kind::kZero ? "0" : FormatSpan(r.offset));
      std::string when = When(cal, deadline, r.offset, /*reminder=*/true);
      if (!when.empty()) out << ": " << when;
      if (!r.notify.empty()) out << " to " << RoleList(r.notify);
      out << "\n";
    }
    if (s.overdue) {
      out << "    when overdue: " << s.overdue->info().name << "@" << s.overdue->info().version
          << "\n";
      WriteSteps(out, *s.overdue, cal, deadline, "      ");
    }
    for (TransitionIndex t : s.transitions) WriteTransition(out, wf, wf.transition(t));
  }
  return out.str();
}

namespace internal {

void WriteChainSteps(std::ostream& out, const Escalation& chain, const Calendar* cal,
                     std::optional<Timestamp> deadline, const std::string& indent) {
  WriteSteps(out, chain, cal, deadline, indent);
}

}  // namespace internal

std::string ExplainEscalation(const Escalation& chain, const Calendar* calendar,
                              const ExplainOptions& options) {
  std::ostringstream out;
  out << internal::Heading(chain.info()) << "\n";
  std::optional<Timestamp> deadline;
  if (calendar != nullptr) {
    deadline = calendar->EndOfDay(options.start);
    out << "  example dates: a deadline missed at the end of " << DescribeDate(options.start)
        << ", on calendar " << calendar->name() << "\n";
  }
  out << "\nsteps (each stops once the item leaves the overdue state):\n";
  WriteSteps(out, chain, calendar, deadline, "  ");
  return out.str();
}

std::string WorkflowMermaid(const Workflow& wf) {
  auto id = [](std::string s) {
    for (char& c : s) {
      if (c == '-') c = '_';
    }
    return s;
  };
  std::ostringstream out;
  out << "stateDiagram-v2\n";
  if (!wf.info().title.empty()) out << "  %% " << wf.info().name << ": " << wf.info().title << "\n";
  for (const auto& s : wf.states()) {
    if (!s.title.empty())
      out << "  state \"" << s.id << " " << s.title << "\" as " << id(s.id) << "\n";
  }
  out << "  [*] --> " << id(wf.state(wf.initial()).id) << "\n";
  for (const auto& t : wf.transitions()) {
    out << "  " << id(wf.state(t.from).id) << " --> " << id(wf.state(t.to).id) << " : " << t.event;
    if (!t.by.empty()) out << " (" << RoleList(t.by) << ")";
    out << "\n";
  }
  for (const auto& s : wf.states()) {
    if (s.final) out << "  " << id(s.id) << " --> [*]\n";
  }
  for (const auto& s : wf.states()) {
    if (s.deadline.kind == Deadline::Kind::kNone) continue;
    out << "  note right of " << id(s.id) << " : deadline " << s.deadline.text;
    if (s.overdue) out << ", then " << s.overdue->info().name;
    out << "\n";
  }
  return out.str();
}

DefinitionGraph WorkflowGraph(const Workflow& wf) {
  DefinitionGraph g;
  g.initial = wf.state(wf.initial()).id;
  for (const auto& s : wf.states()) {
    GraphNode n;
    n.id = s.id;
    n.kind = s.final ? "final" : "state";
    n.label = s.title;
    if (s.deadline.kind != Deadline::Kind::kNone) n.deadline = s.deadline.text;
    if (s.overdue) n.escalation = s.overdue->info().name;
    g.nodes.push_back(std::move(n));
  }
  for (const auto& t : wf.transitions()) {
    GraphEdge e{wf.state(t.from).id, wf.state(t.to).id, t.event, {}};
    for (const auto& r : t.by) e.by.push_back(r.text);
    g.edges.push_back(std::move(e));
  }
  return g;
}

DefinitionGraph EscalationGraph(const Escalation& chain) {
  DefinitionGraph g;
  g.nodes.push_back(GraphNode{"deadline", "deadline", "the deadline missed", "", "", {}});
  std::string previous = "deadline";
  for (const auto& step : chain.steps()) {
    g.nodes.push_back(GraphNode{step.id, "step", std::string(MeasureLabel(step.measure)), "", "",
                                StepDetails(step)});
    g.edges.push_back(GraphEdge{previous, step.id, StepAfter(step), {}});
    previous = step.id;
  }
  return g;
}

}  // namespace rectify::definition
