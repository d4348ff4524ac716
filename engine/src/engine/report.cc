// The leaders' reports, computed from the instances' clocks and audit rows as of a given instant.
#include "rectify/engine/report.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <functional>
#include <set>

#include "rectify/collation.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/campaign_items.h"
#include "rectify/engine/instance.h"
#include "step.h"

namespace rectify::engine {

namespace json = boost::json;

namespace {

constexpr std::int64_t kPage = 1000;

// Calls `fn` on every instance the query's campaign selects, a page at a time.
Status ForEachInstance(Store& store, const ReportQuery& q,
                       const std::function<Status(const Instance&)>& fn) {
  InstanceFilter filter;
  filter.campaign = q.campaign;
  filter.limit = kPage;
  for (;;) {
    auto page = store.ListInstances(filter);
    if (!page) return page.error();
    for (const InstanceRecord& r : *page) {
      auto inst = Instance::FromRecord(r);
      if (!inst) return inst.error();
      if (Status s = fn(*inst); !s) return s;
    }
    if (static_cast<std::int64_t>(page->size()) < kPage) return OkStatus();
    filter.after_id = page->back().id;
  }
}

struct Bound {
  std::shared_ptr<const definition::Workflow> wf;
  std::shared_ptr<const definition::Org> org;
  const Calendar* cal = nullptr;
};

class Context {
 public:
  Context(const definition::DefinitionSet& defs, const ReportQuery& q) : defs_(defs), q_(q) {}

  // kNotFound when --unit names no unit of a loaded org.
  Status Check() const {
    if (!q_.unit) return OkStatus();
    for (const auto& info : defs_.All()) {
      if (info.kind != definition::Kind::kOrg) continue;
      auto org = defs_.FindOrg(info.name, info.version);
      if (org && org->FindUnit(*q_.unit)) return OkStatus();
    }
    return Error::NotFound("no unit '" + *q_.unit + "' in the loaded orgs");
  }

  // Null for a campaign run, and for an item whose workflow or org is not loaded (noted: see
  // Unloaded()).
  std::optional<Bound> Bind(const Instance& i) const {
    Bound b{defs_.FindWorkflow(i.record.workflow, static_cast<int>(i.record.workflow_version)),
            defs_.FindOrg(i.org, i.org_version), nullptr};
    if (!b.wf || !b.org) {
      if (!IsCampaignRun(i.record)) {
        ++unloaded_items_;
        unloaded_.insert(!b.org ? "org " + i.org + "@" + std::to_string(i.org_version)
                                : "workflow " + i.record.workflow + "@" +
                                      std::to_string(i.record.workflow_version));
      }
      return std::nullopt;
    }
    b.cal = ItemCalendar(defs_, *b.wf, i.record.campaign);
    return b;
  }

  // A report that left items out because their definitions are not loaded would be wrong:
  // kNotFound naming what is missing.
  Status Unloaded() const {
    if (unloaded_.empty()) return OkStatus();
    std::string what;
    for (const auto& u : unloaded_) what += (what.empty() ? "" : ", ") + u;
    return Error::NotFound(std::to_string(unloaded_items_) + " item" +
                           (unloaded_items_ == 1 ? "" : "s") + " in the database run on " + what +
                           ", which " + (unloaded_.size() == 1 ? "is" : "are") +
                           " not in the loaded definitions; the report would leave them out");
  }

  // Whether the instance's unit is inside --unit.
  bool Selected(const Instance& i, const Bound& b) const {
    if (!q_.unit) return true;
    auto outer = b.org->FindUnit(*q_.unit);
    auto inner = b.org->FindUnit(i.record.unit_id);
    return outer && inner && b.org->Within(*inner, *outer);
  }

  static std::string UnitPath(const definition::Org& org, const std::string& unit_id) {
    auto u = org.FindUnit(unit_id);
    if (!u) return unit_id;
    std::vector<std::string> names;
    for (auto i = *u; i != definition::kNoIndex; i = org.unit(i).parent) {
      names.push_back(org.unit(i).name);
    }
    std::string out;
    for (auto it = names.rbegin(); it != names.rend(); ++it) {
      out += (out.empty() ? "" : " / ") + *it;
    }
    return out;
  }

 private:
  const definition::DefinitionSet& defs_;
  const ReportQuery& q_;
  mutable std::set<std::string> unloaded_;
  mutable std::size_t unloaded_items_ = 0;
};

bool IsFinal(const Bound& b, const Instance& i) {
  auto s = b.wf->FindState(i.record.state);
  return s && b.wf->state(*s).final;
}

// Whether the responsible person owns the deadline of `state` (the default owner).
bool ResponsibleOwns(const definition::Workflow& wf, const std::string& state) {
  auto s = wf.FindState(state);
  if (!s) return false;
  const auto& owner = wf.state(*s).deadline.owner;
  return !owner ||
         (owner->base == definition::RolePath::Base::kItemRole && owner->name == "responsible");
}

// Whether a closed item was closed late (see report.h).
Result<bool> ClosedLate(Store& store, const Bound& b, const Instance& i) {
  if (!b.cal) return false;
  auto audit = store.AuditOf(i.record.id);
  if (!audit) return audit.error();
  const AuditRecord* closing = nullptr;
  for (const AuditRecord& a : *audit) {
    if (a.to_state == i.record.state && a.from_state != a.to_state && a.event != "register") {
      closing = &a;
    }
  }
  if (!closing) return false;
  const AuditRecord* handed_over = nullptr;
  for (const AuditRecord& a : *audit) {
    if (a.seq > closing->seq) break;
    if (a.from_state != a.to_state && i.clocks.count(a.from_state) &&
        ResponsibleOwns(*b.wf, a.from_state)) {
      handed_over = &a;
    }
  }
  const AuditRecord& when = handed_over ? *handed_over : *closing;
  auto clock = i.clocks.find(when.from_state);
  if (clock == i.clocks.end()) return false;
  DeadlineClock dc(*b.cal, clock->second.clock);
  auto deadline = dc.Deadline(when.at);
  if (!deadline) return false;
  return when.at >= *deadline;
}

std::int64_t MeasureOrder(const std::string& measure) {
  const auto& names = definition::MeasureNames();
  auto it = std::find(names.begin(), names.end(), measure);
  return it - names.begin();
}

std::vector<UnitCount> Sorted(std::map<std::string, UnitCount> by_unit) {
  std::vector<UnitCount> out;
  for (auto& [id, c] : by_unit) out.push_back(std::move(c));
  std::sort(out.begin(), out.end(), [](const UnitCount& a, const UnitCount& b) {
    return a.unit_path != b.unit_path ? NameLess(a.unit_path, b.unit_path) : a.unit_id < b.unit_id;
  });
  return out;
}

}  // namespace

Result<std::vector<OverdueRow>> OverdueReport(Store& store,
                                              const definition::DefinitionSet& definitions,
                                              const ReportQuery& query) {
  Context ctx(definitions, query);
  if (Status s = ctx.Check(); !s) return s.error();
  std::vector<OverdueRow> rows;
  Status s = ForEachInstance(store, query, [&](const Instance& i) -> Status {
    if (!i.parent.empty()) return OkStatus();
    auto b = ctx.Bind(i);
    if (!b || !b->cal || IsFinal(*b, i) || !ctx.Selected(i, *b)) return OkStatus();
    const StateClock* sc = i.CurrentClock();
    if (!sc) return OkStatus();
    DeadlineClock dc(*b->cal, sc->clock);
    if (!dc.IsOverdue(query.as_of)) return OkStatus();
    auto deadline = dc.Deadline(query.as_of);
    if (!deadline) return deadline.error().WithContext("item " + i.record.id);
    Date day = DeadlineDay(*b->cal, *deadline);
    Date today = b->cal->DateOf(query.as_of);
    OverdueRow row;
    row.unit_id = i.record.unit_id;
    row.unit_path = Context::UnitPath(*b->org, i.record.unit_id);
    row.item = i.record.id;
    row.title = i.title;
    row.responsible = i.responsible;
    if (auto p = b->org->FindPerson(i.responsible)) row.responsible_name = b->org->person(*p).name;
    row.state = i.record.state;
    row.deadline = FormatDate(day);
    row.working_days_overdue = CountWorkdays(*b->cal, day, today);
    row.calendar_days_overdue = static_cast<int>((today - day).count());
    row.escalation_level = i.EscalationLevel();
    row.escalation_measure = i.EscalationMeasure();
    row.payment_suspended = i.payment_suspended;
    rows.push_back(std::move(row));
    return OkStatus();
  });
  if (!s) return s.error();
  if (Status u = ctx.Unloaded(); !u) return u.error();
  std::sort(rows.begin(), rows.end(), [](const OverdueRow& a, const OverdueRow& b) {
    if (a.unit_path != b.unit_path) return NameLess(a.unit_path, b.unit_path);
    if (a.working_days_overdue != b.working_days_overdue) {
      return a.working_days_overdue > b.working_days_overdue;
    }
    return a.item < b.item;
  });
  return rows;
}

Result<Summary> SummaryReport(Store& store, const definition::DefinitionSet& definitions,
                              const ReportQuery& query) {
  Context ctx(definitions, query);
  if (Status s = ctx.Check(); !s) return s.error();
  Summary sum;
  std::map<std::string, std::int64_t> measures;
  std::map<std::string, UnitCount> bulletins, deductions;
  std::map<std::string, std::string> task_measure;  // follow-up id -> the measure that opened it
  std::vector<std::string> completed_tasks;
  std::map<std::string, WorkflowCount> by_workflow;
  Status s = ForEachInstance(store, query, [&](const Instance& i) -> Status {
    auto b = ctx.Bind(i);
    if (!b || !ctx.Selected(i, *b)) return OkStatus();
    if (!i.parent.empty()) {
      if (IsFinal(*b, i) && i.record.state != "cancelled") completed_tasks.push_back(i.record.id);
      return OkStatus();
    }
    WorkflowCount& kind = by_workflow[i.record.workflow];
    kind.workflow = i.record.workflow;
    kind.title = b->wf->info().title;
    ++kind.items;
    if (IsFinal(*b, i)) {
      auto late = ClosedLate(store, *b, i);
      if (!late) return late.error();
      ++(*late ? kind.closed_late : kind.closed_on_time);
    } else {
      ++kind.open;
      if (const StateClock* sc = i.CurrentClock(); sc && b->cal) {
        if (DeadlineClock(*b->cal, sc->clock).IsOverdue(query.as_of)) ++kind.overdue_now;
      }
    }
    for (const EscalationTaken& e : i.escalations) {
      ++measures[e.measure];
      if (!e.task_id.empty()) task_measure[e.task_id] = e.measure;
    }
    auto path = [&](const std::string& unit) { return Context::UnitPath(*b->org, unit); };
    if (!i.bulletins.empty()) {
      UnitCount& c = bulletins[i.record.unit_id];
      c.unit_id = i.record.unit_id;
      c.unit_path = path(i.record.unit_id);
      c.value += 1;
    }
    for (const ScoreDeduction& d : i.deductions) {
      UnitCount& c = deductions[d.unit_id];
      c.unit_id = d.unit_id;
      c.unit_path = path(d.unit_id);
      c.value += d.points;
    }
    return OkStatus();
  });
  if (!s) return s.error();
  if (Status u = ctx.Unloaded(); !u) return u.error();
  for (const std::string& id : completed_tasks) {
    auto it = task_measure.find(id);
    if (it != task_measure.end() && it->second.find("interview") != std::string::npos) {
      ++sum.interviews_held;
    }
  }
  // Rectification items first: the campaign's items workflow, else the library's.
  std::string items_workflow = "rectification-item";
  if (query.campaign) {
    if (auto c = definitions.FindCampaign(*query.campaign); c && c->items().workflow) {
      items_workflow = c->items().workflow->info().name;
    }
  }
  if (auto it = by_workflow.find(items_workflow); it != by_workflow.end()) {
    sum.by_workflow.push_back(it->second);
    by_workflow.erase(it);
  }
  for (auto& [name, kind] : by_workflow) sum.by_workflow.push_back(kind);
  for (const WorkflowCount& k : sum.by_workflow) {
    sum.items += k.items;
    sum.open += k.open;
    sum.closed_on_time += k.closed_on_time;
    sum.closed_late += k.closed_late;
    sum.overdue_now += k.overdue_now;
  }
  for (auto& [m, n] : measures) sum.escalations_by_measure.emplace_back(m, n);
  std::sort(sum.escalations_by_measure.begin(), sum.escalations_by_measure.end(),
            [](const auto& a, const auto& b) {
              return MeasureOrder(a.first) != MeasureOrder(b.first)
                         ? MeasureOrder(a.first) < MeasureOrder(b.first)
                         : a.first < b.first;
            });
  sum.units_on_bulletins = Sorted(std::move(bulletins));
  sum.deductions_by_unit = Sorted(std::move(deductions));
  return sum;
}

json::value ToJson(const OverdueRow& r) {
  return json::object{{"unit", r.unit_id},
                      {"unit_path", r.unit_path},
                      {"item", r.item},
                      {"title", r.title},
                      {"responsible", r.responsible},
                      {"responsible_name", r.responsible_name},
                      {"state", r.state},
                      {"deadline", r.deadline},
                      {"working_days_overdue", r.working_days_overdue},
                      {"calendar_days_overdue", r.calendar_days_overdue},
                      {"escalation_level", r.escalation_level},
                      {"escalation_measure", r.escalation_measure},
                      {"payment_suspended", r.payment_suspended}};
}

namespace {

// Counts and whole points as integers (1, -2), not as doubles (1E0, -2E0).
json::value Number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9e15) return static_cast<std::int64_t>(v);
  return v;
}

}  // namespace

json::value ToJson(const Summary& s) {
  json::object escalations;
  for (const auto& [m, n] : s.escalations_by_measure) escalations[m] = n;
  auto units = [](const std::vector<UnitCount>& v) {
    json::array a;
    for (const auto& c : v) {
      a.push_back(json::object{
          {"unit", c.unit_id}, {"unit_path", c.unit_path}, {"value", Number(c.value)}});
    }
    return a;
  };
  json::array kinds;
  for (const WorkflowCount& k : s.by_workflow) {
    kinds.push_back(json::object{{"workflow", k.workflow},
                                 {"items", k.items},
                                 {"open", k.open},
                                 {"closed_on_time", k.closed_on_time},
                                 {"closed_late", k.closed_late},
                                 {"overdue_now", k.overdue_now}});
  }
  return json::object{{"items", s.items},
                      {"open", s.open},
                      {"closed_on_time", s.closed_on_time},
                      {"closed_late", s.closed_late},
                      {"overdue_now", s.overdue_now},
                      {"by_workflow", std::move(kinds)},
                      {"escalations_by_measure", std::move(escalations)},
                      {"interviews_held", s.interviews_held},
                      {"units_on_bulletins", units(s.units_on_bulletins)},
                      {"deductions_by_unit", units(s.deductions_by_unit)}};
}

}  // namespace rectify::engine
