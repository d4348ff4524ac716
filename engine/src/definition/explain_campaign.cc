// Campaigns and assessments as text (orgs: explain_org.cc).
#include <cstdio>
#include <map>
#include <sstream>

#include "explain_text.h"
#include "rectify/calendar/deadline.h"
#include "rectify/definition/explain.h"

namespace rectify::definition {

using internal::Join;

namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string Range(Date from, Date to) {
  if (from == to) return DescribeDate(from);
  return DescribeDate(from) + " .. " + DescribeDate(to);
}

std::string Kinds(const Org& org, const std::vector<std::string>& kinds) {
  std::vector<std::string> parts;
  for (const auto& k : kinds) {
    parts.push_back(k + " (" + std::to_string(org.UnitsOfKind(k).size()) + ")");
  }
  return Join(parts, ", ");
}

std::string DescribeAt(const RecurringAt& at) {
  switch (at.kind) {
    case RecurringAt::Kind::kFirstWorkday:
      return "the first working day";
    case RecurringAt::Kind::kLastWorkday:
      return "the last working day";
    case RecurringAt::Kind::kDay:
      return "day " + std::to_string(at.n);
    case RecurringAt::Kind::kWorkday:
      return "working day " + std::to_string(at.n);
  }
  return at.text;
}

std::string NameAtVersion(const DefinitionInfo& info) {
  return info.name + "@" + std::to_string(info.version);
}

// What runs for an item registered into the campaign and where each part comes from, in the
// engine's precedence (engine/campaign_items.h): a ledger row's cell or a command's option, then
// the campaign's items:, then the workflow's own. With an example: an item registered on the
// example date, its deadline (cut to a rectification window's end) and the chain's dates.
void WriteItems(std::ostream& out, const Campaign& c, const ExplainOptions& options) {
  const ItemDefaults& items = c.items();
  if (!items.workflow) return;
  const Workflow& wf = *items.workflow;
  out << "\nitems (what an item registered into the campaign runs; a ledger row's cell or a "
         "command's option comes first, then items:, then the workflow's own):\n";
  out << "  workflow    " << NameAtVersion(wf.info()) << " (items.workflow)\n";
  const State* limited = nullptr;  // the state whose deadline reads $time_limit
  auto field = wf.FindField("time_limit");
  for (const State& st : wf.states()) {
    if (!limited && field && st.deadline.kind == Deadline::Kind::kField &&
        st.deadline.field == *field) {
      limited = &st;
    }
  }
  std::optional<Span> limit;
  out << "  time limit  ";
  if (limited && items.time_limit) {
    limit = items.time_limit;
    out << FormatSpan(*limit) << " (items.time_limit), in state " << limited->id;
  } else if (limited && limited->deadline.otherwise) {
    limit = limited->deadline.otherwise;
    out << FormatSpan(*limit) << " (the workflow's, state " << limited->id << ")";
  } else if (items.time_limit) {
    out << "none: items.time_limit " << FormatSpan(*items.time_limit)
        << " cannot take effect, no deadline of " << wf.info().Label() << " reads $time_limit";
  } else {
    out << "the row's";
  }
  out << "\n";
  std::vector<const State*> escalating;
  for (const State& st : wf.states()) {
    if (st.overdue) escalating.push_back(&st);
  }
  out << "  escalation  ";
  if (escalating.empty()) {
    out << "none: no state of " << wf.info().Label() << " escalates";
    if (items.escalation) {
      out << "; items.escalation " << NameAtVersion(items.escalation->info())
          << " cannot take effect";
    }
    out << "\n";
    return;
  }
  const Escalation& chain = items.escalation ? *items.escalation : *escalating.front()->overdue;
  std::vector<std::string> states;
  std::vector<std::string> replaced;
  for (const State* st : escalating) {
    states.push_back(st->id);
    if (st->overdue.get() != &chain)
      replaced.push_back(NameAtVersion(st->overdue->info()) + " of " + st->id);
  }
  out << NameAtVersion(chain.info())
      << (items.escalation ? " (items.escalation)" : " (the workflow's)") << ", when "
      << Join(states, " or ") << " is overdue";
  if (!replaced.empty()) out << ", in place of the workflow's " << Join(replaced, ", ");
  out << "\n";
  // The items' calendar: the campaign's changes apply when the workflow runs on its calendar.
  const Calendar* cal = wf.calendar() && wf.calendar()->name() != c.calendar().name()
                            ? wf.calendar().get()
                            : c.item_calendar_ptr().get();
  // The example date, or the campaign's first day when it falls outside the campaign.
  Date day = options.start < c.from() || options.start > c.to() ? c.from() : options.start;
  if (!limit || !cal->Covers(day)) return;
  Timestamp at = cal->StartOfDay(day);
  auto due = AddSpan(*cal, at, *limit);
  if (!due) return;
  out << "  example     registered " << DescribeDate(day) << " with " << FormatSpan(*limit)
      << ": due at the " << DescribeInstant(*cal, *due);
  for (const Checkpoint& cp : c.checkpoints()) {
    if (cp.kind != CheckpointKind::kRectification || day < cp.from || day > cp.to ||
        *due <= c.calendar().EndOfDay(cp.to)) {
      continue;
    }
    out << ", cut to the " << DescribeInstant(*cal, c.calendar().EndOfDay(cp.to)) << " (the end of "
        << cp.id << ")";
    due = c.calendar().EndOfDay(cp.to);
    break;
  }
  out << "; then:\n";
  internal::WriteChainSteps(out, chain, cal, *due, "    ");
}

}  // namespace

std::string ExplainCampaign(const Campaign& c, const ExplainOptions& options) {
  std::ostringstream out;
  const Org& org = c.org();
  out << internal::Heading(c.info()) << "\n";
  out << "  " << Range(c.from(), c.to()) << ", calendar " << c.calendar().name() << ", org "
      << org.info().name << " (" << org.units().size() << " units)\n";
  WriteItems(out, c, options);
  if (!c.special_actions().empty()) {
    out << "\nspecial actions:\n";
    for (const auto& t : c.special_actions()) out << "  " << t.id << "  " << t.title << "\n";
  }
  if (!c.phases().empty()) {
    out << "\nphases:\n";
    for (const auto& p : c.phases()) {
      out << "  " << Range(p.from, p.to) << "  " << p.id;
      if (!p.title.empty()) out << "  " << p.title;
      out << "\n";
    }
  }
  if (!c.calendar_changes().empty()) {
    out << "\ncalendar changes (for the items' deadlines; the official calendar stays):\n";
    for (const auto& ch : c.calendar_changes()) {
      out << "  ";
      if (ch.kind == CalendarChange::Kind::kCancelWeekendRest) {
        out << Range(ch.from, ch.to) << "  " << ch.id;
        if (!ch.title.empty()) out << "  " << ch.title;
        out << "\n    weekend rest cancelled" << (ch.during.empty() ? "" : " during " + ch.during)
            << ": " << ch.days.size() << " weekend days worked, official holidays kept\n";
      } else {
        out << ch.id;
        if (!ch.title.empty()) out << "  " << ch.title;
        out << "\n    rest days:";
        for (Date d : ch.days) out << " " << DescribeDate(d);
        out << "\n";
      }
    }
  }
  if (!c.checkpoints().empty()) {
    out << "\ncheckpoints:\n";
    for (const auto& cp : c.checkpoints()) {
      out << "  " << Range(cp.from, cp.to) << "  " << cp.id;
      if (!cp.title.empty()) out << "  " << cp.title;
      out << "\n    ";
      switch (cp.kind) {
        case CheckpointKind::kInspection:
          out << "inspection";
          if (!cp.applies_to.empty()) out << " of " << Kinds(org, cp.applies_to);
          break;
        case CheckpointKind::kRectification:
          out << "special rectification: an item registered in it is due by the end of "
              << DescribeDate(cp.to)
              << " at the latest (a time limit that would end later is cut to that day)";
          break;
        case CheckpointKind::kSubmission:
          out << "submission: one " << (cp.workflow ? cp.workflow->info().name : "?")
              << " for each " << Kinds(org, cp.applies_to) << ", due at the end of "
              << DescribeDate(cp.to);
          break;
        case CheckpointKind::kLookBack:
          out << "look back: re-inspects " << Number(cp.sample * 100) << "% of "
              << (cp.of_closed_only ? "closed items" : "all items")
              << (cp.reopen_on_failure ? "; reopens those that fail" : "");
          break;
      }
      out << "\n";
      if (!cp.tags.empty()) out << "    special actions: " << Join(cp.tags, ", ") << "\n";
    }
  }
  if (!c.recurring().empty()) {
    out << "\nrecurring:\n";
    for (const auto& r : c.recurring()) {
      out << "  " << r.id;
      if (!r.title.empty()) out << "  " << r.title;
      out << "\n    every " << EveryName(r.every) << " on " << DescribeAt(r.at) << ": ";
      if (r.assessment) {
        out << "assessment " << r.assessment->info().name;
      } else if (r.workflow) {
        out << "one " << r.workflow->info().name << " for each " << Kinds(org, r.applies_to);
      }
      out << "\n";
      auto days = Occurrences(r, c.calendar());
      if (!days) {
        out << "    (" << days.error().message() << ")\n";
        continue;
      }
      for (std::size_t i = 0; i < days->size(); ++i) {
        out << "    " << DescribeDate((*days)[i]);
        if (!r.themes.empty()) out << "  " << r.themes[i % r.themes.size()];
        out << "\n";
      }
    }
  }
  return out.str();
}

std::string ExplainAssessment(const Assessment& a) {
  std::ostringstream out;
  out << internal::Heading(a.info()) << "\n";
  out << "  every " << PeriodName(a.period());
  if (!a.applies_to().empty()) out << ", for each " << Join(a.applies_to(), ", ");
  out << "\n";
  if (!a.criteria().empty()) {
    out << "\ncriteria (weight):\n";
    for (const auto& c : a.criteria()) {
      out << "  " << c.id << "  " << Number(c.weight);
      if (!c.title.empty()) out << "  " << c.title;
      out << "\n";
    }
  }
  if (!a.deductions().empty() || a.per_overdue_item() > 0) {
    out << "\ndeductions (points):\n";
    for (const auto& [m, pts] : a.deductions()) {
      out << "  " << MeasureLabel(m) << ": " << Number(pts) << "\n";
    }
    if (a.per_overdue_item() > 0)
      out << "  each item overdue at the end: " << Number(a.per_overdue_item()) << "\n";
    if (a.include_step_scores()) out << "  plus the score written on each escalation step\n";
  }
  if (!a.vetoes().empty()) {
    out << "\none-vote veto (fails the unit whatever its score):\n";
    for (const auto& v : a.vetoes()) {
      out << "  " << v.id;
      if (!v.title.empty()) out << "  " << v.title;
      out << "  ("
          << (v.when == Veto::When::kManual ? std::string("marked by an assessor")
                                            : "any " + std::string(MeasureName(v.measure)))
          << ")\n";
    }
  }
  const Ranking& r = a.ranking();
  out << "\nranking: " << (r.descending ? "highest" : "lowest") << " score first"
      << (r.by_kind ? ", each kind of unit separately" : "");
  if (r.top > 0) out << "; names the top " << r.top;
  if (r.bottom > 0) out << " and the bottom " << r.bottom;
  out << "\n";
  return out.str();
}

}  // namespace rectify::definition
