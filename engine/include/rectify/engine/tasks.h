// Task inventories (任务清单; issue 15, point 6): Jinkouhe's 119 poverty-alleviation projects
// (seed 000), Xinshao's monthly work-responsibility breakdown (seed 001).
//
// An inventory is a typed ledger with a task role (definition/ledger_kind.h, `tasks:`): its
// columns are declared and read as any typed ledger's (typed_ledger.h: CSV or XLSX, every cell
// checked at its row and column), and each row becomes
//   - a task: an instance of the `task` workflow at the row's unit, with the row's person
//     responsible, whose running deadline is the end of the period being reported on (the
//     period's last working day on the workflow's calendar): reminded before, escalated after
//     (overdue-task-report), so a period without a report is itself overdue;
//   - one instance of `task-milestone` per milestone of the role (<task>-<milestone>), due at the
//     row's date or working-day limit, escalated like an overdue item when missed.
// So reminders, escalation chains, pauses and extensions are the items' own machinery.
//
// A progress report (ReportProgress) records the percent done and a text for the period the
// running deadline is for, and moves the deadline to the end of the next period (a report of 100%
// finishes the task). The task's audit log keeps every report; TaskView reads them back, and
// TaskExportTable lays them out with a column per period.
//
//   Diagnostics diags;
//   auto done = ImportTasks(engine, *set, *set->FindLedgerKind("jinkouhe-tasks"), bytes,
//                           {.file = "任务清单.xlsx", .actor = "jkh-04"}, diags);
//   // diags has an error at every bad cell; nothing is imported when there is one
//   ReportProgress(engine, *set, {.task = "JKH-RW-001", .actor = "jkh-22", .percent = "40",
//                                 .text = "完成场地平整"});
//
// Thread-safety: functions of one thread, like the Engine they use.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/calendar/calendar.h"
#include "rectify/definition/definition_set.h"
#include "rectify/diagnostics.h"
#include "rectify/engine/access.h"
#include "rectify/engine/engine.h"
#include "rectify/engine/instance.h"
#include "rectify/engine/interpreter.h"
#include "rectify/engine/item_view.h"
#include "rectify/engine/report_table.h"
#include "rectify/engine/typed_ledger.h"
#include "rectify/result.h"
#include "rectify/store.h"

namespace rectify::engine {

// A reporting period: [first, last], with the label reports and exports use ("2017-05",
// "2017-Q2", "2017", or for a week its first day "2017-05-08").
struct TaskPeriod {
  Date first{};
  Date last{};
  std::string label;
};
// The period of `every` that holds `d` (weeks start on Monday).
TaskPeriod PeriodOf(definition::Every every, Date d);
// The period after `p`.
TaskPeriod NextPeriod(definition::Every every, const TaskPeriod& p);
// The period a label names; kBadInput when it names none of `every`.
Result<TaskPeriod> ParsePeriod(definition::Every every, std::string_view label);
// When a period's report is due: its last working day on `cal` (kBadInput outside the calendar).
Result<Date> ReportDue(const TaskPeriod& p, const Calendar& cal);

struct TaskImportOptions {
  TypedLedgerOptions file;
  std::string actor;  // who imports: a registrar or inspector whose scope covers every row's unit
  // The campaign the tasks and milestones belong to (Jinkouhe's 119 projects: its 2017
  // programme); empty: none. A campaign of the inventory's org; its assessments then count the
  // measures the tasks' own chains take (overdue-task-report, overdue-task-milestone) as they
  // count an item's, while the campaign's `items:` block (for problems) does not apply to them.
  std::string campaign;
  bool dry_run = false;
  std::string channel, request_id;
};

struct TaskImport {
  std::vector<Instance> tasks;       // in file order (empty on a dry run)
  std::vector<Instance> milestones;  //
  std::size_t rows = 0;
  std::string first_period;  // the first period reported on ("2017-05")
};

// Reads the inventory, checks every row (the ledger's own checks, then: each milestone's due date
// or limit, the importer's scope over the row's unit, a task id not used yet), and registers
// every task and milestone in ONE transaction. Every problem goes to `diags` at its row and
// column; then (or on a dry run) nothing is written. kBadInput when the kind has no task role,
// when the actor is not a person of its org, when the campaign is not loaded or is another org's,
// or when a row had an error.
Result<TaskImport> ImportTasks(Engine& engine, const definition::DefinitionSet& definitions,
                               const definition::LedgerKind& kind, std::string_view bytes,
                               const TaskImportOptions& options, Diagnostics& diags);

struct ProgressReport {
  std::string task;     // the task's id
  std::string actor;    // its person responsible, or the head of its unit
  std::string percent;  // 0-100, as written ("40", "62.5")
  std::string text;     // what was done in the period
  std::vector<std::string> evidence;
  std::string channel, request_id;
  // > 0: only on this version of the task (an HTTP If-Match); kConflict when it has moved on.
  std::int64_t expected_version = 0;
};
// Records the report for the period the task's running deadline is for (the oldest period not
// reported yet), at clock.Now(): the deadline moves to the end of the next period, or a report
// of 100% finishes the task. kBadInput for a percent that is not a number from 0 to 100 or an
// empty text; kFailedPrecondition before the period begins or once the task is done;
// kPermissionDenied for an actor the workflow does not let report; kNotFound for an unknown task.
Result<Instance> ReportProgress(Engine& engine, const definition::DefinitionSet& definitions,
                                const ProgressReport& report);

// One report of a task, from its audit log.
struct TaskReport {
  std::string period;
  std::string percent;
  std::string text;
  std::string by;
  Timestamp at{};
  bool late = false;  // made after the period's report was due
};

struct MilestoneView {
  Instance instance;
  std::string title;
  std::string state;
  DeadlineView deadline;
};

struct TaskView {
  Instance task;
  std::string inventory;
  DeadlineView deadline;  // of the running period's report
  std::vector<MilestoneView> milestones;
  std::vector<TaskReport> reports;  // oldest first
  int escalation_level = 0;         // of the running period's missing report
  // The highest step reached by a milestone that is open, and the measure taken there.
  int milestone_level = 0;
};

// Whom a list or a show is for: nullopt, everyone (the operator); else tasks the reader may read.
struct TaskFilter {
  std::string inventory;  // empty: every inventory
  std::string unit;       // a unit and those under it; empty: every unit
  std::optional<Reader> reader;
};

// The tasks (with their milestones and reports) the filter passes, by id.
Result<std::vector<TaskView>> ListTasks(Engine& engine,
                                        const definition::DefinitionSet& definitions,
                                        const TaskFilter& filter);
// One task; kNotFound when there is none or the reader may not read it (they are told alike).
Result<TaskView> ShowTask(Engine& engine, const definition::DefinitionSet& definitions,
                          const std::string& id, const std::optional<Reader>& reader);

// A task as the API answers it and `rectify task list|show --format json` prints it (one shape
// for both): id, inventory, campaign, title, unit, responsible, state, percent, period,
// report {due, overdue}, escalation_level, version, milestones [{id, title, state, due, overdue,
// escalation_level}], reports [{period, percent, text, by, at (local time of the task's
// calendar), late}]. Dates are yyyy-mm-dd, a date not set is null.
boost::json::object TaskViewJson(const Engine& engine, const TaskView& v);

// The parts of a TaskView, for a reader that keeps tasks in memory (the API's item index) and
// builds views without reading the store per task; ListTasks and ShowTask build theirs with them.
// Whether `inst` is a task of a loaded task inventory (its `inventory` field names one, and it
// runs that inventory's task workflow).
bool IsTask(const definition::DefinitionSet& definitions, const Instance& inst);
// The ids of a task's milestones, in the order its inventory declares them (<task>-<milestone>).
std::vector<std::string> MilestoneIds(const definition::DefinitionSet& definitions,
                                      const Instance& task);
// A task's progress reports from its audit log (its `report` and `finish` rows), oldest first.
std::vector<TaskReport> TaskReportsOf(const Interpreter& interpreter,
                                      const definition::DefinitionSet& definitions,
                                      const Instance& task, const std::vector<AuditRecord>& audit);
// The view of `task` with these milestones and reports, deadlines as of `now`. Pure.
Result<TaskView> BuildTaskView(const Interpreter& interpreter,
                               const definition::DefinitionSet& definitions, Instance task,
                               std::vector<Instance> milestones, std::vector<TaskReport> reports,
                               Timestamp now);

// The inventory as a table: the ledger's columns as imported (its names as the header, as an
// import reads them), then `state`, each milestone's `milestone_<id>_state` and
// `milestone_<id>_due`, and for every period from the first reported to the last one due,
// "2017-05 %" (the percent reported for it, a number; empty when none) and "2017-05 进展" (its
// text).
ReportTable TaskExportTable(const definition::LedgerKind& kind, const std::vector<TaskView>& tasks);

}  // namespace rectify::engine
