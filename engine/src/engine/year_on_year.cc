// Year-on-year figures of a campaign against an earlier one (rectify/engine/year_on_year.h).
#include "rectify/engine/year_on_year.h"

#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "rectify/engine/findings.h"
#include "rectify/engine/instance.h"
#include "rectify/engine/instance_pages.h"

namespace rectify::engine {
namespace {

namespace json = boost::json;

// The counts of one campaign over one period.
struct Counts {
  std::int64_t problems_found = 0, items_opened = 0, items_closed = 0, items_overdue = 0,
               public_report_clues = 0, accountability_referrals = 0;
  std::map<std::string, std::int64_t> escalations;
};

Result<Counts> CountPeriod(Store& store, const definition::DefinitionSet& defs,
                           const definition::Campaign& campaign, Date from, Date to) {
  Counts c;
  const Calendar& cal = campaign.calendar();
  auto in = [&](Timestamp t) {
    Date d = cal.DateOf(t);
    return !(d < from) && !(to < d);
  };
  const std::string& name = campaign.info().name;
  auto findings = ListFindings(store, name, "");
  if (!findings) return findings.error();
  for (const auto& f : *findings) {
    Timestamp at = f.finding.origin.found_at == Timestamp{} ? f.finding.record.created_at
                                                            : f.finding.origin.found_at;
    if (in(at)) ++c.problems_found;
  }
  InstanceFilter filter;
  filter.campaign = name;
  filter.limit = 1000;
  Status listed =
      ForEachInstancePage(store, filter, [&](std::vector<InstanceRecord>& page) -> Result<bool> {
        for (const auto& record : page) {
          if (record.workflow.empty() || record.workflow == kFindingWorkflow ||
              record.workflow == kPublicReportWorkflow) {
            continue;
          }
          auto inst = InstanceOf(record);
          if (!inst) return inst.error();
          if (!inst->parent.empty()) continue;  // a task an escalation opened
          if (in(record.created_at)) {
            ++c.items_opened;
            if (inst->origin.found_by == FoundByName(FoundBy::kPublicReport))
              ++c.public_report_clues;
          }
          auto wf = defs.FindWorkflow(record.workflow, static_cast<int>(record.workflow_version));
          if (wf) {
            auto s = wf->FindState(record.state);
            if (s && wf->state(*s).final && in(record.updated_at)) ++c.items_closed;
          }
          bool overdue = false;
          for (const auto& e : inst->escalations) {
            overdue = overdue || in(e.due);
            if (!in(e.at)) continue;
            ++c.escalations[e.measure];
            if (e.measure == "accountability") ++c.accountability_referrals;
          }
          if (overdue) ++c.items_overdue;
        }
        return true;
      });
  if (!listed) return listed.error();
  return c;
}

}  // namespace

Date YearBefore(Date d) {
  std::chrono::year_month_day ymd{d};
  std::chrono::year_month_day before = ymd - std::chrono::years{1};
  if (!before.ok()) before = before.year() / before.month() / std::chrono::last;
  return std::chrono::local_days{before};
}

std::string PercentChange(std::int64_t before, std::int64_t now) {
  if (before == 0) return now == 0 ? "-" : "new";
  // Rounded half away from zero at one decimal, as an office rounds 33.45 to 33.5.
  double pct = (static_cast<double>(now) - static_cast<double>(before)) * 100.0 /
               static_cast<double>(before);
  double tenths = std::round(pct * 10.0);
  char buf[32];
  if (tenths == 0) return "0.0%";
  std::snprintf(buf, sizeof buf, "%+.1f%%", tenths / 10.0);
  return buf;
}

std::string ChangeInWords(std::int64_t before, std::int64_t now) {
  if (before == 0) return now == 0 ? "none either year" : "new";
  std::string pct = PercentChange(before, now);
  if (pct == "0.0%") return "unchanged";
  return (pct[0] == '-' ? "dropped by " : "rose by ") + pct.substr(1);
}

Result<YearOnYear> YearOnYearReport(Store& store, const definition::DefinitionSet& defs,
                                    const YearOnYearQuery& q) {
  auto campaign = defs.FindCampaign(q.campaign);
  if (!campaign) {
    return Error::NotFound("no campaign '" + q.campaign +
                           "' is loaded; check the name (rectify campaign list)");
  }
  auto with = defs.FindCampaign(q.with);
  if (!with) {
    return Error::NotFound("no campaign '" + q.with +
                           "' is loaded to compare with; check the name (rectify campaign list)");
  }
  YearOnYear r;
  r.campaign = q.campaign;
  r.with = q.with;
  r.from = q.from;
  r.to = q.to;
  r.with_from = q.with_from.value_or(YearBefore(q.from));
  r.with_to = q.with_to.value_or(YearBefore(q.to));
  if (r.to < r.from || r.with_to < r.with_from) {
    return Error::BadInput("the period ends before it begins (" + FormatDate(r.from) + " .. " +
                           FormatDate(r.to) + "); give from on or before to");
  }
  auto now = CountPeriod(store, defs, *campaign, r.from, r.to);
  if (!now) return now.error();
  auto before = CountPeriod(store, defs, *with, r.with_from, r.with_to);
  if (!before) return before.error();
  auto line = [&](std::string measure, std::string label, std::int64_t n, std::int64_t b) {
    r.lines.push_back(
        {std::move(measure), std::move(label), n, b, PercentChange(b, n), ChangeInWords(b, n)});
  };
  line("problems_found", "发现问题 (problems found)", now->problems_found, before->problems_found);
  line("items_opened", "立项整改 (items opened)", now->items_opened, before->items_opened);
  line("items_closed", "整改销号 (items closed)", now->items_closed, before->items_closed);
  line("items_overdue", "逾期未改 (items overdue)", now->items_overdue, before->items_overdue);
  line("public_report_clues", "群众举报线索 (clues from public reports)", now->public_report_clues,
       before->public_report_clues);
  // Escalation measures in the ladder's order, those taken in either period.
  for (int m = 0; m <= static_cast<int>(definition::Measure::kAccountability); ++m) {
    auto measure = static_cast<definition::Measure>(m);
    std::string name(definition::MeasureName(measure));
    std::int64_t n = now->escalations.count(name) ? now->escalations.at(name) : 0;
    std::int64_t b = before->escalations.count(name) ? before->escalations.at(name) : 0;
    if (n == 0 && b == 0) continue;
    line("escalation:" + name, std::string(definition::MeasureLabel(measure)), n, b);
  }
  line("accountability_referrals", "问责移送 (accountability referrals)",
       now->accountability_referrals, before->accountability_referrals);
  return r;
}

json::value ToJson(const YearOnYear& r) {
  json::array lines;
  for (const auto& l : r.lines) {
    lines.push_back(json::object{{"measure", l.measure},
                                 {"label", l.label},
                                 {"now", l.now},
                                 {"before", l.before},
                                 {"change", l.change},
                                 {"words", l.words}});
  }
  return json::object{
      {"campaign", r.campaign},
      {"with", r.with},
      {"period", json::object{{"from", FormatDate(r.from)}, {"to", FormatDate(r.to)}}},
      {"with_period",
       json::object{{"from", FormatDate(r.with_from)}, {"to", FormatDate(r.with_to)}}},
      {"lines", std::move(lines)}};
}

}  // namespace rectify::engine
