// Campaigns and assessments as text (orgs: explain_org.cc).
#include <cstdio>
#include <map>
#include <sstream>

#include "explain_text.h"
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

}  // namespace

std::string ExplainCampaign(const Campaign& c, const ExplainOptions&) {
  std::ostringstream out;
  const Org& org = c.org();
  out << internal::Heading(c.info()) << "\n";
  out << "  " << Range(c.from(), c.to()) << ", calendar " << c.calendar().name() << ", org "
      << org.info().name << " (" << org.units().size() << " units)\n";
  const ItemDefaults& items = c.items();
  if (items.workflow) {
    out << "  items: workflow " << items.workflow->info().name << "@"
        << items.workflow->info().version;
    if (items.escalation) {
      out << ", escalation " << items.escalation->info().name << "@"
          << items.escalation->info().version;
    }
    if (items.time_limit) out << ", time limit " << FormatSpan(*items.time_limit);
    out << "\n";
  }
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
          out << "special rectification: items registered in it are due by the end of "
              << DescribeDate(cp.to);
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
