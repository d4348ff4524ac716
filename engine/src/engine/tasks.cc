// Task inventories: import, progress reports, views and the export (tasks.h).
#include "rectify/engine/tasks.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <set>

#include "rectify/calendar/span.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/engine/item_view.h"

namespace rectify::engine {

namespace json = boost::json;
using definition::Every;
using std::chrono::day;
using std::chrono::days;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;
using std::chrono::year_month_day_last;

namespace {

std::string Two(unsigned v) { return (v < 10 ? "0" : "") + std::to_string(v); }

TaskPeriod MonthsPeriod(int y, unsigned first_month, unsigned months) {
  TaskPeriod p;
  p.first = Date(year_month_day{year{y}, month{first_month}, day{1}});
  unsigned last_month = first_month + months - 1;
  p.last = Date(year_month_day_last{year{y}, std::chrono::month_day_last{month{last_month}}});
  return p;
}

int IndexOfColumn(const definition::LedgerKind& kind, const std::string& name) {
  const auto& cols = kind.columns();
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// "40" or "62.5" as a number from 0 to 100; nullopt otherwise.
std::optional<double> ParsePercent(const std::string& text) {
  std::string t = text;
  if (!t.empty() && t.back() == '%') t.pop_back();
  double v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v) || v < 0 ||
      v > 100) {
    return std::nullopt;
  }
  return v;
}

std::string FormatPercent(double v) {
  if (v == std::floor(v)) return std::to_string(static_cast<long long>(v));
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  return std::string(buf, end);
}

const definition::TaskRole* RoleOf(const definition::DefinitionSet& definitions,
                                   const Instance& task,
                                   std::shared_ptr<const definition::LedgerKind>* kind_out) {
  std::string inventory = task.Field("inventory");
  if (inventory.empty()) return nullptr;
  auto kind = definitions.FindLedgerKind(inventory);
  if (!kind || !kind->tasks()) return nullptr;
  if (kind_out) *kind_out = kind;
  return kind->tasks();
}

// The chain a workflow's states escalate by (name@version), for a task registered into a campaign:
// named on the registration, it runs in place of the campaign's `items.escalation`, which is for
// problems. Empty when no state escalates.
std::string OwnChain(const definition::Workflow& wf) {
  for (const auto& st : wf.states()) {
    if (st.overdue) {
      return st.overdue->info().name + "@" + std::to_string(st.overdue->info().version);
    }
  }
  return {};
}

std::string TextOf(const json::object& o, const char* key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

}  // namespace

TaskPeriod PeriodOf(Every every, Date d) {
  year_month_day ymd{d};
  int y = static_cast<int>(ymd.year());
  unsigned m = static_cast<unsigned>(ymd.month());
  TaskPeriod p;
  switch (every) {
    case Every::kWeek: {
      std::chrono::weekday wd{d};
      p.first = d - days{wd.iso_encoding() - 1};
      p.last = p.first + days{6};
      p.label = FormatDate(p.first);
      return p;
    }
    case Every::kMonth:
      p = MonthsPeriod(y, m, 1);
      p.label = std::to_string(y) + "-" + Two(m);
      return p;
    case Every::kQuarter: {
      unsigned q = (m - 1) / 3;
      p = MonthsPeriod(y, q * 3 + 1, 3);
      p.label = std::to_string(y) + "-Q" + std::to_string(q + 1);
      return p;
    }
    case Every::kYear:
      p = MonthsPeriod(y, 1, 12);
      p.label = std::to_string(y);
      return p;
  }
  return p;
}

TaskPeriod NextPeriod(Every every, const TaskPeriod& p) {
  return PeriodOf(every, p.last + days{1});
}

Result<TaskPeriod> ParsePeriod(Every every, std::string_view label) {
  std::string l(label);
  std::optional<Date> d;
  if (every == Every::kWeek) {
    if (auto parsed = ParseDate(l)) d = *parsed;
  } else if (every == Every::kMonth && l.size() == 7) {
    if (auto parsed = ParseDate(l + "-01")) d = *parsed;
  } else if (every == Every::kQuarter && l.size() == 7 && l.substr(4, 2) == "-Q" && l[6] >= '1' &&
             l[6] <= '4') {
    if (auto parsed = ParseDate(l.substr(0, 4) + "-" +
                                Two(static_cast<unsigned>(l[6] - '1') * 3 + 1) + "-01")) {
      d = *parsed;
    }
  } else if (every == Every::kYear && l.size() == 4) {
    if (auto parsed = ParseDate(l + "-01-01")) d = *parsed;
  }
  if (d) {
    TaskPeriod p = PeriodOf(every, *d);
    if (p.label == l) return p;
  }
  static const std::map<Every, std::string> kExample = {{Every::kWeek, "2017-05-08 (a Monday)"},
                                                        {Every::kMonth, "2017-05"},
                                                        {Every::kQuarter, "2017-Q2"},
                                                        {Every::kYear, "2017"}};
  return Error::BadInput("'" + l + "' is not a " + std::string(definition::EveryName(every)) +
                         "; write it as " + kExample.at(every));
}

Result<Date> ReportDue(const TaskPeriod& p, const Calendar& cal) {
  for (Date d = p.last; d >= p.first; d -= days{1}) {
    auto work = cal.IsWorkday(d);
    if (!work) return work.error();
    if (*work) return d;
  }
  return p.last;  // a period without a working day (a week of holidays): its last day
}

Result<TaskImport> ImportTasks(Engine& engine, const definition::DefinitionSet& definitions,
                               const definition::LedgerKind& kind, std::string_view bytes,
                               const TaskImportOptions& options, Diagnostics& diags) {
  const definition::TaskRole* role = kind.tasks();
  if (!role) {
    return Error::BadInput("ledger " + kind.info().name +
                           " is not a task inventory (it has no tasks: role); import it with "
                           "rectify ledger import --kind " +
                           kind.info().name);
  }
  auto org = definitions.FindOrg(kind.org().name, kind.org().version);
  if (!org)
    return Error::FailedPrecondition("the org of ledger " + kind.info().name + " is not loaded");
  auto actor = org->FindPerson(options.actor);
  if (!actor) {
    return Error::BadInput("'" + options.actor + "' is not a person of org " + org->info().name +
                           "; say who imports the inventory with a person id of it");
  }
  if (!options.campaign.empty()) {
    auto c = definitions.FindCampaign(options.campaign);
    if (!c) {
      return Error::BadInput("campaign: no campaign '" + options.campaign +
                             "' is loaded; name a campaign of org " + org->info().name +
                             " or leave it out");
    }
    if (c->org().info().name != org->info().name) {
      return Error::BadInput("campaign: " + options.campaign + " is a campaign of org " +
                             c->org().info().name + ", and inventory " + kind.info().name +
                             " is org " + org->info().name +
                             "'s; name a campaign of the inventory's org");
    }
  }
  const std::string& file = options.file.file;
  TypedLedger ledger = ParseTypedLedger(bytes, kind, definitions, options.file, diags);
  auto failed = [&]() -> Error {
    std::size_t n = diags.error_count();
    return Error::BadInput(file + ": " + std::to_string(n) + " error" + (n == 1 ? "" : "s") +
                           "; nothing was imported");
  };
  if (diags.has_errors()) return failed();

  const Calendar* cal = role->workflow->calendar().get();
  if (!cal) {
    return Error::FailedPrecondition("workflow " + role->workflow->info().Label() +
                                     " names no calendar, so a task has no period to report in");
  }
  Timestamp now = engine.clock().Now();
  Date today = cal->DateOf(now);
  TaskPeriod first = PeriodOf(role->every, std::max(role->from, today));
  auto first_due = ReportDue(first, *cal);
  if (!first_due) {
    return Error::BadInput("the first period to report on, " + first.label + ": " +
                           first_due.error().message());
  }

  const int title_col = IndexOfColumn(kind, role->title);
  const int unit_col = IndexOfColumn(kind, role->unit);
  const int person_col = IndexOfColumn(kind, role->responsible);
  const int key_col = IndexOfColumn(kind, kind.key().front());
  auto at = [&](const TypedRow& row, int col) {
    return SourcePos{file, row.row, ledger.file_columns.at(static_cast<std::size_t>(col))};
  };
  auto milestone_id = [](const std::string& task, const definition::TaskMilestone& m) {
    return task + "-" + m.id;
  };

  // Ids used already (imported before, or an item of the same name).
  std::vector<std::string> ids;
  for (const auto& row : ledger.rows) {
    ids.push_back(row.key);
    for (const auto& m : role->milestones) ids.push_back(milestone_id(row.key, m));
  }
  auto existing = engine.store().LoadInstances(ids);
  if (!existing) return existing.error();
  std::set<std::string> taken;
  for (const auto& r : *existing) taken.insert(r.id);

  std::vector<Registration> batch;
  for (const auto& row : ledger.rows) {
    bool ok = true;
    const std::string& id = row.key;
    if (taken.count(id)) {
      diags.Error(at(row, key_col), kind.key().front(),
                  "there is a task or item " + id + " already (imported before?)",
                  "give the task another " + kind.key().front() + ", or leave the row out");
      ok = false;
    }
    const std::string& unit = row.values[static_cast<std::size_t>(unit_col)];
    auto u = org->FindUnit(unit);
    if (u && !HoldsRoleFor(*org, *actor, "registrar", *u) &&
        !HoldsRoleFor(*org, *actor, "inspector", *u)) {
      diags.Error(at(row, unit_col), role->unit,
                  PersonLabel(*org, options.actor) + " may not register tasks at " +
                      UnitLabel(*org, unit) +
                      ": that takes the registrar or inspector role with the unit in scope",
                  "import as a registrar of the county, or leave the row out");
      ok = false;
    }
    std::vector<std::string> dues;
    for (const auto& m : role->milestones) {
      int col = IndexOfColumn(kind, m.due);
      const std::string& v = row.values[static_cast<std::size_t>(col)];
      auto spec = ParseDeadlineSpec(v);
      if (!spec) {
        diags.Error(at(row, col), m.due,
                    "'" + v + "' is not a due date or a time limit for milestone " + m.id + " (" +
                        m.title + ")",
                    "write a date (2017-06-30) or working days from the import (60wd)");
        ok = false;
      } else if (spec->kind == DeadlineSpec::Kind::kDate && !cal->Covers(spec->date)) {
        diags.Error(at(row, col), m.due, cal->OutsideError(spec->date).message(),
                    "a due date inside the years of calendar " + cal->name());
        ok = false;
      } else if (spec->kind == DeadlineSpec::Kind::kDate && spec->date < today) {
        diags.Warning(at(row, col), m.due,
                      "milestone " + m.id + " (" + m.title + ") was due on " + v +
                          ", before today; it is overdue from the start");
      }
      dues.push_back(v);
    }
    if (!ok) continue;
    json::object values;
    for (std::size_t c = 0; c < kind.columns().size(); ++c) {
      if (!row.values[c].empty()) values[kind.columns()[c].name] = row.values[c];
    }
    Registration task;
    NewInstance& t = task.item;
    t.id = id;
    t.workflow = role->workflow->info().name;
    t.workflow_version = role->workflow->info().version;
    t.org = org->info().name;
    t.unit = unit;
    t.responsible = row.values[static_cast<std::size_t>(person_col)];
    t.title = row.values[static_cast<std::size_t>(title_col)];
    t.actor = options.actor;
    if (!options.campaign.empty()) {
      t.campaign = options.campaign;
      t.escalation = OwnChain(*role->workflow);
    }
    t.fields = {{"inventory", kind.info().name},
                {"period", first.label},
                {"period_due", FormatDate(*first_due)},
                {"row", json::serialize(values)}};
    t.audit_notes = {{"inventory", kind.info().name}, {"row", std::to_string(row.row)}};
    if (!options.channel.empty()) t.audit_notes["channel"] = options.channel;
    if (!options.request_id.empty()) t.audit_notes["request_id"] = options.request_id;
    batch.push_back(task);
    for (std::size_t i = 0; i < role->milestones.size(); ++i) {
      const auto& m = role->milestones[i];
      Registration ms;
      NewInstance& n = ms.item;
      n.id = milestone_id(id, m);
      n.workflow = role->milestone_workflow->info().name;
      n.workflow_version = role->milestone_workflow->info().version;
      n.org = t.org;
      n.unit = t.unit;
      n.responsible = t.responsible;
      n.title = t.title + "（" + m.title + "）";
      n.actor = options.actor;
      n.campaign = t.campaign;
      if (!n.campaign.empty()) n.escalation = OwnChain(*role->milestone_workflow);
      n.fields = {{"task", id}, {"milestone", m.title}, {"due", dues[i]}};
      n.audit_notes = t.audit_notes;
      batch.push_back(std::move(ms));
    }
  }
  if (diags.has_errors()) return failed();
  TaskImport out;
  out.rows = ledger.rows.size();
  out.first_period = first.label;
  if (options.dry_run) return out;
  auto made = engine.RegisterMany(batch);
  if (!made) return made.error();
  for (auto& inst : *made) {
    if (inst.Field("task").empty()) {
      out.tasks.push_back(std::move(inst));
    } else {
      out.milestones.push_back(std::move(inst));
    }
  }
  return out;
}

Result<Instance> ReportProgress(Engine& engine, const definition::DefinitionSet& definitions,
                                const ProgressReport& report) {
  auto task = engine.Load(report.task);
  if (!task) return task.error();
  std::shared_ptr<const definition::LedgerKind> kind;
  const definition::TaskRole* role = RoleOf(definitions, *task, &kind);
  if (!role || task->record.workflow != role->workflow->info().name) {
    return Error::BadInput(report.task +
                           " is not a task of a task inventory; report on an item with rectify "
                           "item act");
  }
  auto bound = engine.interpreter().Bind(*task);
  if (!bound) return bound.error();
  if (bound->workflow->FindState(task->record.state) &&
      bound->workflow->state(*bound->workflow->FindState(task->record.state)).final) {
    return Error::FailedPrecondition("task " + report.task + " is done (" + task->Field("percent") +
                                     "% reported for " + task->Field("reported") +
                                     "); it takes no more reports");
  }
  auto percent = ParsePercent(report.percent);
  if (!percent) {
    return Error::BadInput("percent: '" + report.percent +
                           "' is not a number from 0 to 100; write how much of the task is done, "
                           "such as 40");
  }
  if (report.text.empty()) {
    return Error::BadInput("text: say what was done in the period (进展情况)");
  }
  const Calendar* cal = bound->calendar;
  auto period = ParsePeriod(role->every, task->Field("period"));
  if (!period) return period.error();
  Date today = cal->DateOf(engine.clock().Now());
  if (today < period->first) {
    return Error::FailedPrecondition("task " + report.task + ": the report for " + period->label +
                                     " opens on " + FormatDate(period->first) +
                                     " (the report for the period before was made already)");
  }
  Command cmd;
  cmd.instance_id = report.task;
  cmd.actor = report.actor;
  cmd.evidence = report.evidence;
  cmd.channel = report.channel;
  cmd.request_id = report.request_id;
  cmd.expected_version = report.expected_version;
  cmd.fields = {
      {"reported", period->label}, {"percent", FormatPercent(*percent)}, {"progress", report.text}};
  if (*percent >= 100) {
    cmd.event = "finish";
  } else {
    cmd.event = "report";
    TaskPeriod next = NextPeriod(role->every, *period);
    auto due = ReportDue(next, *cal);
    if (!due)
      return Error::BadInput("the next period, " + next.label + ": " + due.error().message());
    cmd.fields["period"] = next.label;
    cmd.fields["period_due"] = FormatDate(*due);
  }
  return engine.Act(cmd);
}

bool IsTask(const definition::DefinitionSet& definitions, const Instance& inst) {
  const definition::TaskRole* role = RoleOf(definitions, inst, nullptr);
  return role && inst.record.workflow == role->workflow->info().name;
}

std::vector<std::string> MilestoneIds(const definition::DefinitionSet& definitions,
                                      const Instance& task) {
  std::vector<std::string> ids;
  if (const definition::TaskRole* role = RoleOf(definitions, task, nullptr)) {
    for (const auto& m : role->milestones) ids.push_back(task.record.id + "-" + m.id);
  }
  return ids;
}

std::vector<TaskReport> TaskReportsOf(const Interpreter& interpreter,
                                      const definition::DefinitionSet& definitions,
                                      const Instance& task, const std::vector<AuditRecord>& audit) {
  std::vector<TaskReport> out;
  const definition::TaskRole* role = RoleOf(definitions, task, nullptr);
  auto bound = interpreter.Bind(task);
  const Calendar* cal = bound ? bound->calendar : nullptr;
  for (const auto& row : audit) {
    if (row.event != "report" && row.event != "finish") continue;
    auto parsed = json::parse(row.data_json);
    if (!parsed.is_object()) continue;
    const json::object& data = parsed.as_object();
    auto f = data.find("fields");
    if (f == data.end() || !f->value().is_object()) continue;
    const json::object& fields = f->value().as_object();
    TaskReport r;
    r.period = TextOf(fields, "reported");
    r.percent = TextOf(fields, "percent");
    r.text = TextOf(fields, "progress");
    r.by = row.actor;
    r.at = row.at;
    if (role && cal) {
      if (auto p = ParsePeriod(role->every, r.period)) {
        if (auto due = ReportDue(*p, *cal)) r.late = row.at > cal->EndOfDay(*due);
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

Result<TaskView> BuildTaskView(const Interpreter& interpreter,
                               const definition::DefinitionSet& definitions, Instance task,
                               std::vector<Instance> milestones, std::vector<TaskReport> reports,
                               Timestamp now) {
  TaskView v;
  const definition::TaskRole* role = RoleOf(definitions, task, nullptr);
  v.inventory = task.Field("inventory");
  auto bound = interpreter.Bind(task);
  if (!bound) return bound.error();
  v.deadline = ViewDeadline(bound->calendar, task, now);
  v.escalation_level = task.EscalationLevel();
  v.reports = std::move(reports);
  std::sort(milestones.begin(), milestones.end(),
            [](const Instance& a, const Instance& b) { return a.record.id < b.record.id; });
  // In the order the inventory declares them.
  if (role) {
    std::vector<Instance> ordered;
    for (const auto& m : role->milestones) {
      for (auto& inst : milestones) {
        if (inst.record.id == task.record.id + "-" + m.id) ordered.push_back(inst);
      }
    }
    if (ordered.size() == milestones.size()) milestones = std::move(ordered);
  }
  for (auto& m : milestones) {
    MilestoneView mv;
    auto mb = interpreter.Bind(m);
    if (!mb) return mb.error();
    mv.title = m.Field("milestone");
    mv.state = m.record.state;
    mv.deadline = ViewDeadline(mb->calendar, m, now);
    v.milestone_level = std::max(v.milestone_level, m.EscalationLevel());
    mv.instance = std::move(m);
    v.milestones.push_back(std::move(mv));
  }
  v.task = std::move(task);
  return v;
}

namespace {

Result<TaskView> ViewOf(Engine& engine, const definition::DefinitionSet& definitions, Instance task,
                        std::vector<Instance> milestones) {
  auto audit = engine.store().AuditOf(task.record.id);
  if (!audit) return audit.error();
  std::vector<TaskReport> reports = TaskReportsOf(engine.interpreter(), definitions, task, *audit);
  return BuildTaskView(engine.interpreter(), definitions, std::move(task), std::move(milestones),
                       std::move(reports), engine.clock().Now());
}

bool Passes(const definition::DefinitionSet& definitions, Engine& engine, const Instance& task,
            const TaskFilter& filter) {
  if (!filter.inventory.empty() && task.Field("inventory") != filter.inventory) return false;
  auto bound = engine.interpreter().Bind(task);
  if (!bound) return false;
  const auto& org = *bound->org;
  if (!filter.unit.empty()) {
    auto want = org.FindUnit(filter.unit);
    auto have = org.FindUnit(task.record.unit_id);
    if (!want || !have || !org.Within(*have, *want)) return false;
  }
  (void)definitions;
  if (filter.reader && !MayRead(org, *bound->workflow, task, *filter.reader)) return false;
  return true;
}

// Every instance of `workflow`, paged through the store.
Result<std::vector<Instance>> AllOf(Store& store, const std::string& workflow) {
  std::vector<Instance> out;
  InstanceFilter f;
  f.workflow = workflow;
  f.limit = 1000;
  Status s = ForEachInstance(store, f, [&](Instance& inst) {
    out.push_back(std::move(inst));
    return OkStatus();
  });
  if (!s) return s.error();
  return out;
}

}  // namespace

Result<std::vector<TaskView>> ListTasks(Engine& engine,
                                        const definition::DefinitionSet& definitions,
                                        const TaskFilter& filter) {
  // The workflows tasks and milestones run on: the library's, and any an inventory names.
  std::set<std::string> task_wfs, milestone_wfs;
  for (const auto& info : definitions.All()) {
    if (info.kind != definition::Kind::kLedger) continue;
    auto kind = definitions.FindLedgerKind(info.name, info.version);
    if (!kind || !kind->tasks()) continue;
    if (!filter.inventory.empty() && info.name != filter.inventory) continue;
    task_wfs.insert(kind->tasks()->workflow->info().name);
    milestone_wfs.insert(kind->tasks()->milestone_workflow->info().name);
  }
  if (!filter.inventory.empty() && task_wfs.empty()) {
    return Error::NotFound("no task inventory '" + filter.inventory +
                           "' is loaded (a kind: ledger with a tasks: role)");
  }
  std::map<std::string, std::vector<Instance>> by_task;
  for (const auto& wf : milestone_wfs) {
    auto all = AllOf(engine.store(), wf);
    if (!all) return all.error();
    for (auto& m : *all) {
      std::string task = m.Field("task");
      if (!task.empty()) by_task[task].push_back(std::move(m));
    }
  }
  std::vector<TaskView> out;
  for (const auto& wf : task_wfs) {
    auto all = AllOf(engine.store(), wf);
    if (!all) return all.error();
    for (auto& t : *all) {
      if (t.Field("inventory").empty() || !Passes(definitions, engine, t, filter)) continue;
      std::string id = t.record.id;
      auto v = ViewOf(engine, definitions, std::move(t), std::move(by_task[id]));
      if (!v) return v.error();
      out.push_back(std::move(*v));
    }
  }
  std::sort(out.begin(), out.end(), [](const TaskView& a, const TaskView& b) {
    return a.task.record.id < b.task.record.id;
  });
  return out;
}

Result<TaskView> ShowTask(Engine& engine, const definition::DefinitionSet& definitions,
                          const std::string& id, const std::optional<Reader>& reader) {
  auto not_found = [&] {
    return Error::NotFound("no task " + id + "; rectify task list shows the tasks you may read");
  };
  auto task = engine.store().LoadInstance(id);
  if (!task) return task.error().code() == ErrorCode::kNotFound ? not_found() : task.error();
  auto inst = Instance::FromRecord(*task);
  if (!inst) return inst.error();
  const definition::TaskRole* role = RoleOf(definitions, *inst, nullptr);
  if (!role || inst->record.workflow != role->workflow->info().name) return not_found();
  TaskFilter filter;
  filter.reader = reader;
  if (!Passes(definitions, engine, *inst, filter)) return not_found();
  std::vector<std::string> ids;
  for (const auto& m : role->milestones) ids.push_back(id + "-" + m.id);
  auto ms = engine.store().LoadInstances(ids);
  if (!ms) return ms.error();
  std::vector<Instance> milestones;
  for (const auto& r : *ms) {
    auto m = Instance::FromRecord(r);
    if (!m) return m.error();
    milestones.push_back(std::move(*m));
  }
  return ViewOf(engine, definitions, std::move(*inst), std::move(milestones));
}

namespace {

json::object DeadlineJson(const DeadlineView& d) {
  return json::object{{"due", d.has ? json::value(FormatDate(d.due)) : json::value(nullptr)},
                      {"overdue", d.has && d.overdue}};
}

}  // namespace

json::object TaskViewJson(const Engine& engine, const TaskView& v) {
  const Instance& t = v.task;
  auto bound = engine.interpreter().Bind(t);
  const Calendar* cal = bound ? bound->calendar : nullptr;
  auto local = [&](Timestamp at) { return cal ? cal->FormatLocal(at) : FormatIso(at); };
  json::object o{{"id", t.record.id},
                 {"inventory", v.inventory},
                 {"campaign", t.record.campaign},
                 {"title", t.title},
                 {"unit", t.record.unit_id},
                 {"responsible", t.responsible},
                 {"state", t.record.state},
                 {"percent", t.Field("percent")},
                 {"period", t.Field("period")},
                 {"report", DeadlineJson(v.deadline)},
                 {"escalation_level", v.escalation_level},
                 {"version", t.record.version}};
  json::array ms;
  for (const auto& m : v.milestones) {
    json::object d = DeadlineJson(m.deadline);
    ms.push_back(json::object{{"id", m.instance.record.id},
                              {"title", m.title},
                              {"state", m.state},
                              {"due", d["due"]},
                              {"overdue", d["overdue"]},
                              {"escalation_level", m.instance.EscalationLevel()}});
  }
  o["milestones"] = std::move(ms);
  json::array rs;
  for (const auto& r : v.reports) {
    rs.push_back(json::object{{"period", r.period},
                              {"percent", r.percent},
                              {"text", r.text},
                              {"by", r.by},
                              {"at", local(r.at)},
                              {"late", r.late}});
  }
  o["reports"] = std::move(rs);
  return o;
}

ReportTable TaskExportTable(const definition::LedgerKind& kind,
                            const std::vector<TaskView>& tasks) {
  ReportTable t = TypedLedgerTable(kind, {});
  const definition::TaskRole* role = kind.tasks();
  auto add = [&](std::string name, ReportTable::Kind k) {
    t.header.push_back(std::move(name));
    t.kinds.push_back(k);
  };
  add("state", ReportTable::Kind::kText);
  if (role) {
    for (const auto& m : role->milestones) {
      add("milestone_" + m.id + "_state", ReportTable::Kind::kText);
      add("milestone_" + m.id + "_due",
          ReportTable::Kind::kText);  // a date, or a limit (60wd) once reached
    }
  }
  // Every period from the earliest reported or running to the latest.
  std::vector<TaskPeriod> periods;
  if (role) {
    std::optional<TaskPeriod> lo, hi;
    auto widen = [&](const std::string& label) {
      auto p = ParsePeriod(role->every, label);
      if (!p) return;
      if (!lo || p->first < lo->first) lo = *p;
      if (!hi || p->first > hi->first) hi = *p;
    };
    for (const auto& v : tasks) {
      widen(v.task.Field("period"));
      for (const auto& r : v.reports) widen(r.period);
    }
    for (auto p = lo; p && p->first <= hi->first; p = NextPeriod(role->every, *p)) {
      periods.push_back(*p);
    }
  }
  for (const auto& p : periods) {
    add(p.label + " %", ReportTable::Kind::kNumber);
    add(p.label + " 进展", ReportTable::Kind::kText);
  }
  for (const auto& v : tasks) {
    std::vector<std::string> row;
    json::value values;
    boost::system::error_code ec;
    values = json::parse(v.task.Field("row"), ec);
    for (const auto& c : kind.columns()) {
      std::string cell;
      if (!ec && values.is_object()) cell = TextOf(values.as_object(), c.name.c_str());
      row.push_back(cell);
    }
    row.push_back(v.task.record.state);
    for (const auto& m : v.milestones) {
      row.push_back(m.state);
      row.push_back(m.deadline.has ? FormatDate(m.deadline.due) : m.instance.Field("due"));
    }
    for (std::size_t i = v.milestones.size(); role && i < role->milestones.size(); ++i) {
      row.emplace_back();
      row.emplace_back();
    }
    std::map<std::string, const TaskReport*> by_period;
    for (const auto& r : v.reports) by_period[r.period] = &r;
    for (const auto& p : periods) {
      auto it = by_period.find(p.label);
      row.push_back(it == by_period.end() ? "" : it->second->percent);
      row.push_back(it == by_period.end() ? "" : it->second->text);
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

}  // namespace rectify::engine
