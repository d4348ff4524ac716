// rectify task import|list|show|report|export: task inventories (rectify/engine/tasks.h), the
// typed ledgers with a task role (Jinkouhe's 119 projects, Xinshao's monthly responsibility
// breakdown).
//
//   $ rectify task import workflows/ledgers/jinkouhe-tasks-sample.csv --kind jinkouhe-tasks
//       --as jkh-04 [--campaign jinkouhe-2017] [--dry-run]
//   $ rectify task list [--kind jinkouhe-tasks] [--unit heping] [--as jkh-21] [--format json|csv]
//   $ rectify task show JKH-RW-001 [--as jkh-22] [--format json]
//   $ rectify task report JKH-RW-001 --percent 40 --text "完成场地平整" --as jkh-22
//   $ rectify task export --kind jinkouhe-tasks --output 任务清单.xlsx
//
// A refused command prints why (an import: every bad cell at its row and column) and exits 1;
// nothing is changed.
#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/text_table.h"
#include "adapters/http/api/table_output.h"
#include "rectify/engine/access.h"
#include "rectify/engine/tasks.h"

namespace rectify::cli {
namespace {

namespace json = boost::json;

struct ImportOptions {
  std::string file, kind, as, encoding, sheet, at, campaign;
  bool dry_run = false;
  DefinitionSources definitions;
};

struct ListOptions {
  std::string kind, unit, as, at;
  DefinitionSources definitions;
};

struct ShowOptions {
  std::string id, as, at;
  DefinitionSources definitions;
};

struct ReportOptions {
  engine::ProgressReport report;
  std::string at;
  DefinitionSources definitions;
};

struct ExportOptions {
  std::string kind, unit, as, output, at;
  DefinitionSources definitions;
};

// The reader a --as names (nullopt without --as: the operator, who reads every task).
Result<std::optional<engine::Reader>> ReaderOf(const EngineSession& s, const Context& ctx,
                                               const std::string& as) {
  if (as.empty()) return std::optional<engine::Reader>();
  if (Status st = s.RequirePerson(ctx, as); !st) return st.error();
  for (const auto& info : s.definitions->All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    auto org = s.definitions->FindOrg(info.name, info.version);
    if (org && org->FindPerson(as)) {
      return std::optional<engine::Reader>(engine::Reader{as, info.name, false});
    }
  }
  return std::optional<engine::Reader>();
}

Result<std::shared_ptr<const definition::LedgerKind>> InventoryOf(const EngineSession& s,
                                                                  const Context& ctx,
                                                                  const std::string& name) {
  auto kind = s.definitions->FindLedgerKind(name);
  if (!kind) return NotLoaded(ctx, s.sources, "ledger '" + name + "'");
  if (!kind->tasks()) {
    return Error::BadInput("ledger " + name +
                           " is not a task inventory (it has no tasks: role); use rectify ledger "
                           "import|export --kind " +
                           name);
  }
  return kind;
}

std::string LocalDate(const EngineSession& s, const engine::Instance& inst, Timestamp t) {
  auto bound = s.engine->interpreter().Bind(inst);
  if (!bound || !bound->calendar) return FormatIso(t);
  return FormatDate(bound->calendar->DateOf(t));
}

std::string DueText(const engine::DeadlineView& d) {
  if (!d.has) return "-";
  return FormatDate(d.due) + (d.overdue ? " (overdue)" : "") + (d.paused ? " (paused)" : "");
}

void RunImport(Context& ctx, const ImportOptions& o) {
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return ctx.Fail(Error::BadInput("cannot read " + o.file + "; check the path"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto session = OpenEngine(ctx, o.definitions, o.at);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  auto kind = InventoryOf(s, ctx, o.kind);
  if (!kind) return ctx.Fail(kind.error());
  if (Status st = s.RequirePerson(ctx, o.as); !st) return ctx.Fail(st.error());
  if (Status st = s.RequireCampaign(ctx, o.campaign); !st) return ctx.Fail(st.error());
  Diagnostics diags;
  engine::TaskImportOptions opts;
  opts.campaign = o.campaign;
  opts.file = {o.file, o.encoding, o.sheet};
  opts.actor = o.as;
  opts.dry_run = o.dry_run;
  opts.channel = "cli";
  auto done = engine::ImportTasks(*s.engine, *s.definitions, **kind, bytes.str(), opts, diags);
  diags.Sort();
  ctx.err << diags.Format();
  if (!done) return ctx.Fail(done.error());
  std::string label =
      o.kind + ((*kind)->info().title.empty() ? "" : " (" + (*kind)->info().title + ")");
  std::size_t n = done->rows;
  std::string tasks = std::to_string(n) + " task" + (n == 1 ? "" : "s");
  if (o.dry_run) {
    ctx.out << o.file << ": " << tasks << " would be imported into " << label
            << "; nothing was changed (--dry-run)\n";
    return;
  }
  ctx.out << "imported " << tasks << " and " << done->milestones.size() << " milestone"
          << (done->milestones.size() == 1 ? "" : "s") << " into " << label << " from " << o.file
          << (o.campaign.empty() ? "" : ", in campaign " + o.campaign)
          << "; first progress report: " << done->first_period << "\n";
}

void RunList(Context& ctx, const ListOptions& o) {
  auto session = OpenEngine(ctx, o.definitions, o.at, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (!o.kind.empty()) {
    if (auto kind = InventoryOf(s, ctx, o.kind); !kind) return ctx.Fail(kind.error());
  }
  if (Status st = s.RequireUnit(ctx, o.unit); !st) return ctx.Fail(st.error());
  auto reader = ReaderOf(s, ctx, o.as);
  if (!reader) return ctx.Fail(reader.error());
  auto tasks = engine::ListTasks(*s.engine, *s.definitions, {o.kind, o.unit, *reader});
  if (!tasks) return ctx.Fail(tasks.error());
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    json::array a;
    for (const auto& v : *tasks) {
      if (ctx.format() == Format::kJsonl) {
        ctx.out << json::serialize(engine::TaskViewJson(*s.engine, v)) << "\n";
      } else {
        a.push_back(engine::TaskViewJson(*s.engine, v));
      }
    }
    if (ctx.format() == Format::kJson) ctx.out << json::serialize(a) << "\n";
    return;
  }
  TextTable t({"task", "unit", "state", "done", "report due", "milestones", "title"});
  std::size_t overdue = 0;
  for (const auto& v : *tasks) {
    std::string ms;
    for (const auto& m : v.milestones) {
      if (!ms.empty()) ms += ", ";
      ms += m.title + " " + (m.state == "open" ? DueText(m.deadline) : std::string("✓ ") + m.state);
      overdue += m.deadline.has && m.deadline.overdue ? 1 : 0;
    }
    std::string percent = v.task.Field("percent");
    t.Add({v.task.record.id, v.task.record.unit_id, v.task.record.state,
           percent.empty() ? "-" : percent + "%",
           v.deadline.has ? v.task.Field("period") + " by " + DueText(v.deadline) : "-", ms,
           v.task.title});
  }
  ctx.out << t.Format();
  ctx.out << tasks->size() << " task" << (tasks->size() == 1 ? "" : "s") << ", " << overdue
          << " milestone" << (overdue == 1 ? "" : "s") << " overdue\n";
}

void RunShow(Context& ctx, const ShowOptions& o) {
  auto session = OpenEngine(ctx, o.definitions, o.at, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  auto reader = ReaderOf(s, ctx, o.as);
  if (!reader) return ctx.Fail(reader.error());
  auto v = engine::ShowTask(*s.engine, *s.definitions, o.id, *reader);
  if (!v) return ctx.Fail(v.error());
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    ctx.out << json::serialize(engine::TaskViewJson(*s.engine, *v)) << "\n";
    return;
  }
  const engine::Instance& t = v->task;
  auto bound = s.engine->interpreter().Bind(t);
  if (!bound) return ctx.Fail(bound.error());
  const auto& org = *bound->org;
  std::string percent = t.Field("percent");
  ctx.out << t.record.id << "  " << t.title << "\n"
          << "  inventory:    " << v->inventory << "\n"
          << "  unit:         " << engine::UnitLabel(org, t.record.unit_id) << "\n"
          << "  responsible:  " << engine::PersonLabel(org, t.responsible) << "\n"
          << "  state:        " << t.record.state << (percent.empty() ? "" : ", " + percent + "%")
          << "\n";
  if (v->deadline.has) {
    ctx.out << "  next report:  " << t.Field("period") << ", due " << DueText(v->deadline);
    if (v->escalation_level > 0) {
      ctx.out << ", escalation step " << v->escalation_level << " (" << t.EscalationMeasure()
              << ")";
    }
    ctx.out << "\n";
  }
  ctx.out << "milestones:\n";
  for (const auto& m : v->milestones) {
    ctx.out << "  " << m.instance.record.id << "  " << m.title << "  " << m.state;
    if (m.deadline.has) ctx.out << ", due " << DueText(m.deadline);
    if (m.instance.EscalationLevel() > 0) {
      ctx.out << ", escalation step " << m.instance.EscalationLevel() << " ("
              << m.instance.EscalationMeasure() << ")";
    }
    ctx.out << "\n";
  }
  ctx.out << "progress reports:\n";
  if (v->reports.empty()) ctx.out << "  (none yet)\n";
  for (const auto& r : v->reports) {
    ctx.out << "  " << r.period << "  " << r.percent << "%  " << r.text << "  ("
            << engine::PersonLabel(org, r.by) << ", " << LocalDate(s, t, r.at)
            << (r.late ? ", late" : "") << ")\n";
  }
}

void RunReport(Context& ctx, ReportOptions o) {
  auto session = OpenEngine(ctx, o.definitions, o.at);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (Status st = s.RequirePerson(ctx, o.report.actor); !st) return ctx.Fail(st.error());
  o.report.channel = "cli";
  std::string period;
  if (auto before = s.engine->Load(o.report.task)) period = before->Field("period");
  auto t = engine::ReportProgress(*s.engine, *s.definitions, o.report);
  if (!t) return ctx.Fail(t.error());
  ctx.out << t->record.id << ": " << t->Field("percent") << "% reported for " << period;
  if (t->record.state == "reporting" || t->CurrentClock()) {
    auto bound = s.engine->interpreter().Bind(*t);
    if (bound) {
      auto d = engine::ViewDeadline(bound->calendar, *t, s.clock->Now());
      if (d.has) ctx.out << "; next report " << t->Field("period") << " due " << FormatDate(d.due);
    }
  } else {
    ctx.out << "; the task is " << t->record.state;
  }
  ctx.out << "\n";
}

void RunExport(Context& ctx, const ExportOptions& o) {
  auto session = OpenEngine(ctx, o.definitions, o.at, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  auto kind = InventoryOf(s, ctx, o.kind);
  if (!kind) return ctx.Fail(kind.error());
  if (Status st = s.RequireUnit(ctx, o.unit); !st) return ctx.Fail(st.error());
  auto reader = ReaderOf(s, ctx, o.as);
  if (!reader) return ctx.Fail(reader.error());
  auto tasks = engine::ListTasks(*s.engine, *s.definitions, {o.kind, o.unit, *reader});
  if (!tasks) return ctx.Fail(tasks.error());
  engine::ReportTable table = engine::TaskExportTable(**kind, *tasks);
  if (o.output.empty() || o.output == "-") {
    ctx.out << engine::TableCsv(table);
    return;
  }
  auto bytes = api::TableXlsx(table, "任务清单");
  if (!bytes) return ctx.Fail(bytes.error());
  std::ofstream out(o.output, std::ios::binary);
  out << *bytes;
  out.close();
  if (!out) return ctx.Fail(Error::Unavailable("cannot write " + o.output + "; check the folder"));
  ctx.out << "wrote " << o.output << ": " << tasks->size() << " task"
          << (tasks->size() == 1 ? "" : "s") << "\n";
}

}  // namespace

void RegisterTask(CLI::App& app, Context& ctx) {
  auto* task = app.add_subcommand(
      "task", "Task inventories: import, list, show, report progress per period, export");
  task->require_subcommand(1);

  auto import_opts = std::make_shared<ImportOptions>();
  auto* imp = task->add_subcommand(
      "import", "Import a task inventory (CSV or XLSX); nothing is imported on any error");
  imp->add_option("file", import_opts->file, "The .csv or .xlsx file")->required();
  imp->add_option("--kind", import_opts->kind, "The inventory (a ledger with a tasks: role)")
      ->required();
  imp->add_option("--as", import_opts->as, "Who imports (a registrar or inspector; a person id)")
      ->required();
  imp->add_option("--encoding", import_opts->encoding, "CSV only: gbk or gb18030 (default UTF-8)");
  imp->add_option("--sheet", import_opts->sheet, "XLSX only: the sheet (default: the first)");
  imp->add_option("--campaign", import_opts->campaign,
                  "The campaign the tasks belong to (its assessments count their escalations)");
  imp->add_flag("--dry-run", import_opts->dry_run, "Check every row; change nothing");
  AddEngineOptions(imp, import_opts->definitions, import_opts->at);
  imp->callback([&ctx, import_opts] { RunImport(ctx, *import_opts); });

  auto list_opts = std::make_shared<ListOptions>();
  auto* list = task->add_subcommand("list", "The tasks, their progress and milestones");
  list->add_option("--kind", list_opts->kind, "Only this inventory");
  list->add_option("--unit", list_opts->unit, "Only this unit and those under it");
  list->add_option("--as", list_opts->as, "Only what this person may read (a person id)");
  AddEngineOptions(list, list_opts->definitions, list_opts->at);
  SupportFormats(ctx, list, {"json", "jsonl"});
  list->callback([&ctx, list_opts] { RunList(ctx, *list_opts); });

  auto show_opts = std::make_shared<ShowOptions>();
  auto* show = task->add_subcommand("show", "A task: milestones and every progress report");
  show->add_option("id", show_opts->id, "The task's id")->required();
  show->add_option("--as", show_opts->as, "Who reads (a person id)");
  AddEngineOptions(show, show_opts->definitions, show_opts->at);
  SupportFormats(ctx, show, {"json"});
  show->callback([&ctx, show_opts] { RunShow(ctx, *show_opts); });

  auto report_opts = std::make_shared<ReportOptions>();
  auto* report = task->add_subcommand(
      "report", "Report a task's progress for the period its report is due for");
  engine::ProgressReport& r = report_opts->report;
  report->add_option("id", r.task, "The task's id")->required();
  report->add_option("--percent", r.percent, "How much is done, 0 to 100 (100 finishes it)")
      ->required();
  report->add_option("--text", r.text, "What was done in the period")->required();
  report->add_option("--evidence-text", r.evidence, "Evidence as a short text (repeatable)");
  report->add_option("--as", r.actor, "Who reports (the person responsible or the unit's head)")
      ->required();
  AddEngineOptions(report, report_opts->definitions, report_opts->at);
  report->callback([&ctx, report_opts] { RunReport(ctx, *report_opts); });

  auto export_opts = std::make_shared<ExportOptions>();
  auto* exp = task->add_subcommand(
      "export", "An inventory with its progress per period as columns (XLSX, or CSV)");
  exp->add_option("--kind", export_opts->kind, "The inventory")->required();
  exp->add_option("--unit", export_opts->unit, "Only this unit and those under it");
  exp->add_option("--as", export_opts->as, "Only what this person may read (a person id)");
  exp->add_option("--output", export_opts->output, "The .xlsx file to write (default: CSV)");
  AddEngineOptions(exp, export_opts->definitions, export_opts->at);
  exp->callback([&ctx, export_opts] { RunExport(ctx, *export_opts); });
}

}  // namespace rectify::cli
