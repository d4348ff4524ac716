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
#include "rectify/engine/instance_pages.h"
#include "step.h"

namespace rectify::engine {

namespace json = boost::json;

namespace {

constexpr std::int64_t kPage = 1000;

// Calls `fn` on every instance the query's campaign selects, a page at a time.
Status ForEachInCampaign(Store& store, const ReportQuery& q,
                         const std::function<Status(const Instance&)>& fn) {
  InstanceFilter filter;
  filter.campaign = q.campaign;
  filter.limit = kPage;
  return engine::ForEachInstance(store, filter, [&](Instance& inst) { return fn(inst); });
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

  // What Bind found missing, comma-separated ("org qingshui@1").
  std::string UnloadedNames() const {
    std::string what;
    for (const auto& u : unloaded_) what += (what.empty() ? "" : ", ") + u;
    return what;
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

// Callers move their maps in, and the counts are moved out.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
std::vector<UnitCount> Sorted(std::map<std::string, UnitCount> by_unit) {
  std::vector<UnitCount> out;
  out.reserve(by_unit.size());
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
  Status s = ForEachInCampaign(store, query, [&](const Instance& i) -> Status {
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

Result<SummaryPart> SummaryPartOf(Store& store, const definition::DefinitionSet& definitions,
                                  const Instance& i) {
  SummaryPart p;
  p.id = i.record.id;
  p.unit_id = i.record.unit_id;
  p.campaign = i.record.campaign;
  ReportQuery everything;
  Context ctx(definitions, everything);
  auto b = ctx.Bind(i);
  if (!b) {
    if (IsCampaignRun(i.record)) {
      p.run = true;
    } else {
      p.unloaded = ctx.UnloadedNames();
    }
    return p;
  }
  p.org = b->org;
  p.calendar = b->cal;
  p.workflow = i.record.workflow;
  p.workflow_title = b->wf->info().title;
  p.final = IsFinal(*b, i);
  if (!i.parent.empty()) {
    p.task = true;
    p.completed_task = p.final && i.record.state != "cancelled";
    return p;
  }
  if (p.final) {
    auto late = ClosedLate(store, *b, i);
    if (!late) return late.error();
    p.closed_late = *late;
  } else if (const StateClock* sc = i.CurrentClock()) {
    p.clock = sc->clock;
  }
  for (const EscalationTaken& e : i.escalations) p.escalations.emplace_back(e.measure, e.task_id);
  p.on_bulletin = !i.bulletins.empty();
  p.unit_path = Context::UnitPath(*b->org, i.record.unit_id);
  for (const ScoreDeduction& d : i.deductions) {
    p.deductions.push_back(UnitCount{d.unit_id, Context::UnitPath(*b->org, d.unit_id), d.points});
  }
  return p;
}

Result<Summary> FoldSummary(const definition::DefinitionSet& definitions, const ReportQuery& query,
                            const std::vector<const SummaryPart*>& parts,
                            std::optional<Timestamp>* next_change) {
  Context ctx(definitions, query);
  if (Status s = ctx.Check(); !s) return s.error();
  if (next_change) next_change->reset();
  Summary sum;
  std::map<std::string, std::int64_t> measures;
  std::map<std::string, UnitCount> bulletins, deductions;
  std::map<std::string, std::string> task_measure;  // follow-up id -> the measure that opened it
  std::vector<std::string> completed_tasks;
  std::map<std::string, WorkflowCount> by_workflow;
  std::set<std::string> unloaded;
  std::size_t unloaded_items = 0;
  for (const SummaryPart* p : parts) {
    if (query.campaign && p->campaign != *query.campaign) continue;
    if (p->run) continue;
    if (!p->unloaded.empty()) {
      ++unloaded_items;
      unloaded.insert(p->unloaded);
      continue;
    }
    if (query.unit) {
      auto outer = p->org->FindUnit(*query.unit);
      auto inner = p->org->FindUnit(p->unit_id);
      if (!outer || !inner || !p->org->Within(*inner, *outer)) continue;
    }
    if (p->task) {
      if (p->completed_task) completed_tasks.push_back(p->id);
      continue;
    }
    WorkflowCount& kind = by_workflow[p->workflow];
    kind.workflow = p->workflow;
    kind.title = p->workflow_title;
    ++kind.items;
    if (p->final) {
      ++(p->closed_late ? kind.closed_late : kind.closed_on_time);
    } else {
      ++kind.open;
      if (p->clock && p->calendar) {
        DeadlineClock dc(*p->calendar, *p->clock);
        if (dc.IsOverdue(query.as_of)) {
          ++kind.overdue_now;
        } else if (next_change) {
          // A clock that has not run out yet: the summary changes when it does. A paused
          // clock's deadline moves on at each midnight (the paused days count), so the next
          // midnight is a change too.
          auto earlier = [&](Timestamp t) {
            if (t > query.as_of && (!*next_change || t < **next_change)) *next_change = t;
          };
          if (auto d = dc.Deadline(query.as_of); d) earlier(*d);
          if (p->clock->phase == ClockPhase::kPaused) {
            earlier(
                p->calendar->StartOfDay(p->calendar->DateOf(query.as_of) + std::chrono::days(1)));
          }
        }
      }
    }
    for (const auto& [measure, task] : p->escalations) {
      ++measures[measure];
      if (!task.empty()) task_measure[task] = measure;
    }
    if (p->on_bulletin) {
      UnitCount& c = bulletins[p->unit_id];
      c.unit_id = p->unit_id;
      c.unit_path = p->unit_path;
      c.value += 1;
    }
    for (const UnitCount& d : p->deductions) {
      UnitCount& c = deductions[d.unit_id];
      c.unit_id = d.unit_id;
      c.unit_path = d.unit_path;
      c.value += d.value;
    }
  }
  if (!unloaded.empty()) {
    std::string what;
    for (const auto& u : unloaded) what += (what.empty() ? "" : ", ") + u;
    return Error::NotFound(std::to_string(unloaded_items) + " item" +
                           (unloaded_items == 1 ? "" : "s") + " in the database run on " + what +
                           ", which " + (unloaded.size() == 1 ? "is" : "are") +
                           " not in the loaded definitions; the report would leave them out");
  }
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

Result<Summary> SummaryReport(Store& store, const definition::DefinitionSet& definitions,
                              const ReportQuery& query) {
  Context ctx(definitions, query);
  if (Status s = ctx.Check(); !s) return s.error();
  std::vector<SummaryPart> parts;
  Status s = ForEachInCampaign(store, query, [&](const Instance& i) -> Status {
    auto p = SummaryPartOf(store, definitions, i);
    if (!p) return p.error();
    parts.push_back(std::move(*p));
    return OkStatus();
  });
  if (!s) return s.error();
  std::vector<const SummaryPart*> all;
  all.reserve(parts.size());
  for (const auto& p : parts) all.push_back(&p);
  return FoldSummary(definitions, query, all);
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
