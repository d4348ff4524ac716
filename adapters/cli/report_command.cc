// rectify report overdue|summary: the leaders' reports, in text (aligned columns), json, jsonl
// or csv.
//
//   $ rectify report overdue [--unit niangxi] [--campaign xinshao-2017] [--as-of ISO]
//   $ rectify report summary [--campaign xinshao-2017] [--as-of ISO] --format json
//
// "Overdue" is computed from each item's clock as of --as-of (default: now), never stored.
#include <boost/json.hpp>
#include <sstream>

#include "adapters/cli/cli.h"
#include "adapters/cli/database_access.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/text_table.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "rectify/engine/ledger.h"
#include "rectify/engine/report.h"
#include "rectify/engine/report_table.h"

namespace rectify::cli {

namespace {

namespace json = boost::json;

struct ReportArgs {
  std::string unit, campaign, as_of;
  DefinitionSources definitions;
};

std::string MeasureText(const std::string& name) {
  auto m = definition::ParseMeasure(name);
  return m ? std::string(definition::MeasureLabel(*m)) : name;
}

std::string Number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// The query, and the session the report reads.
Result<std::unique_ptr<EngineSession>> Open(Context& ctx, const ReportArgs& a,
                                            engine::ReportQuery& q) {
  auto session = OpenEngine(ctx, a.definitions, "", Access::kReadOnly);
  if (!session) return session.error();
  // A campaign or unit the definitions do not have would report nothing: say what is missing.
  if (Status st = (*session)->RequireCampaign(ctx, a.campaign); !st) return st.error();
  if (Status st = (*session)->RequireUnit(ctx, a.unit); !st) return st.error();
  q.as_of = (*session)->clock->Now();
  if (!a.as_of.empty()) {
    auto t = ParseIso(a.as_of);
    if (!t) return Error::BadInput("--as-of: " + t.error().message());
    q.as_of = *t;
  }
  if (!a.unit.empty()) q.unit = a.unit;
  if (!a.campaign.empty()) q.campaign = a.campaign;
  return session;
}

// A report the database's items need definitions for that are not loaded: say how to add them.
Error AddFolderHint(const Context& ctx, const ReportArgs& a, const Error& e) {
  if (e.code() != ErrorCode::kNotFound) return e;
  return Error::NotFound(e.message() +
                         " (loaded: " + ResolveDefinitionPaths(ctx, a.definitions).Describe() +
                         "); add the folder that defines them with --definitions DIR or "
                         "RECTIFY_DEFINITIONS=DIR");
}

std::string Local(const EngineSession& s, Timestamp t) {
  auto cn = s.definitions->FindCalendar("cn");
  return cn ? cn->FormatLocal(t) : FormatIso(t);
}

void RunOverdue(Context& ctx, const ReportArgs& a) {
  engine::ReportQuery q;
  auto session = Open(ctx, a, q);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  auto rows = engine::OverdueReport(*s.store, *s.definitions, q);
  if (!rows) return ctx.Fail(AddFolderHint(ctx, a, rows.error()));
  switch (ctx.format()) {
    case Format::kJson: {
      json::array items;
      for (const auto& r : *rows) items.push_back(engine::ToJson(r));
      ctx.out << json::serialize(json::object{{"as_of", Local(s, q.as_of)}, {"items", items}})
              << "\n";
      return;
    }
    case Format::kJsonl:
      for (const auto& r : *rows) ctx.out << json::serialize(engine::ToJson(r)) << "\n";
      return;
    case Format::kCsv:
      ctx.out << engine::TableCsv(engine::OverdueTable(*rows));
      return;
    default:
      break;
  }
  ctx.out << "overdue as of " << Local(s, q.as_of) << ": " << rows->size() << " item"
          << (rows->size() == 1 ? "" : "s");
  if (q.campaign) ctx.out << " of campaign " << *q.campaign;
  if (q.unit) ctx.out << " in " << *q.unit << " and below";
  ctx.out << "\n";
  if (rows->empty()) return;
  TextTable t({"unit", "item", "title", "responsible", "deadline", "working days", "days", "level",
               "measure", "payment"});
  for (const auto& r : *rows) {
    t.Add({r.unit_path, r.item, r.title,
           r.responsible_name.empty() ? r.responsible
                                      : r.responsible_name + " (" + r.responsible + ")",
           r.deadline, std::to_string(r.working_days_overdue),
           std::to_string(r.calendar_days_overdue), std::to_string(r.escalation_level),
           r.escalation_measure.empty() ? "-" : MeasureText(r.escalation_measure),
           r.payment_suspended ? "suspended" : "-"});
  }
  ctx.out << t.Format();
}

// People a message reached by no route (the channels file's unreached:), over every item; -1
// when the database has no receipts yet (before migration 0019).
std::int64_t PeopleNotReached(const Context& ctx) {
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return -1;
  auto has = opened->db->TableExists("unreached_people");
  if (!has || !*has) return -1;
  store_soci::SociOutboxStore outbox(std::move(opened->db));
  auto all = outbox.Unreached(1000000);
  return all ? static_cast<std::int64_t>(all->size()) : -1;
}

void RunSummary(Context& ctx, const ReportArgs& a) {
  engine::ReportQuery q;
  auto session = Open(ctx, a, q);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  auto sum = engine::SummaryReport(*s.store, *s.definitions, q);
  if (!sum) return ctx.Fail(AddFolderHint(ctx, a, sum.error()));
  switch (ctx.format()) {
    case Format::kJson:
    case Format::kJsonl: {
      json::object o{{"as_of", Local(s, q.as_of)}};
      json::value counts = engine::ToJson(*sum);
      for (const auto& kv : counts.as_object()) o[kv.key()] = kv.value();
      // Only when someone was not reached, so that a summary without receipts reads as before.
      if (std::int64_t n = PeopleNotReached(ctx); n > 0) o["people_not_reached"] = n;
      ctx.out << json::serialize(o) << "\n";
      return;
    }
    case Format::kCsv:
      ctx.out << engine::TableCsv(engine::SummaryTable(*sum));
      return;
    default:
      break;
  }
  ctx.out << "summary as of " << Local(s, q.as_of);
  if (q.campaign) ctx.out << " of campaign " << *q.campaign;
  ctx.out << "\n";
  // One line a workflow: rectification items apart from materials submissions and the rest.
  if (sum->by_workflow.empty()) {
    ctx.out << "items: none\n";
  } else {
    TextTable counts({"workflow", "items", "open", "closed on time", "closed late", "overdue now"});
    for (const auto& k : sum->by_workflow) {
      counts.Add({k.title.empty() ? k.workflow : k.title, std::to_string(k.items),
                  std::to_string(k.open), std::to_string(k.closed_on_time),
                  std::to_string(k.closed_late), std::to_string(k.overdue_now)});
    }
    ctx.out << counts.Format();
  }
  ctx.out << "interviews held: " << sum->interviews_held << "\n";
  if (std::int64_t n = PeopleNotReached(ctx); n > 0) {
    ctx.out << "people not reached by any route (all items): " << n
            << " (rectify report unreached lists them)\n";
  }
  ctx.out << "escalations by measure:" << (sum->escalations_by_measure.empty() ? " none" : "")
          << "\n";
  if (!sum->escalations_by_measure.empty()) {
    TextTable t({"  measure", "steps"});
    for (const auto& [m, n] : sum->escalations_by_measure) {
      t.Add({"  " + MeasureText(m), std::to_string(n)});
    }
    ctx.out << t.Format();
  }
  ctx.out << "units on bulletins:" << (sum->units_on_bulletins.empty() ? " none" : "") << "\n";
  if (!sum->units_on_bulletins.empty()) {
    TextTable t({"  unit", "items"});
    for (const auto& u : sum->units_on_bulletins) t.Add({"  " + u.unit_path, Number(u.value)});
    ctx.out << t.Format();
  }
  ctx.out << "score deductions by unit:" << (sum->deductions_by_unit.empty() ? " none" : "")
          << "\n";
  if (!sum->deductions_by_unit.empty()) {
    TextTable t({"  unit", "points"});
    for (const auto& u : sum->deductions_by_unit) t.Add({"  " + u.unit_path, Number(u.value)});
    ctx.out << t.Format();
  }
}

void AddCommon(CLI::App* cmd, ReportArgs& a) {
  cmd->add_option("--campaign", a.campaign, "Only this campaign's items");
  cmd->add_option("--as-of", a.as_of,
                  "Compute as of this instant (ISO 8601 with an offset); default: now");
  AddDefinitionOptions(cmd, a.definitions);
}

}  // namespace

void RegisterDeliveriesReport(CLI::App* report, Context& ctx);  // deliveries_report.cc
void RegisterYearOnYearReport(CLI::App* report, Context& ctx);  // year_on_year_report.cc

void RegisterReport(CLI::App& app, Context& ctx) {
  auto* report = app.add_subcommand("report", "Leaders' reports: overdue items, a summary");
  report->require_subcommand(1);

  auto o = std::make_shared<ReportArgs>();
  auto* overdue = report->add_subcommand(
      "overdue",
      "Overdue items by unit: deadline, working and calendar days overdue, escalation level and "
      "measure, payment suspended");
  overdue->add_option("--unit", o->unit, "Only this unit and the units under it");
  AddCommon(overdue, *o);
  SupportFormats(ctx, overdue, {"json", "jsonl", "csv"});
  overdue->callback([&ctx, o] { RunOverdue(ctx, *o); });

  auto m = std::make_shared<ReportArgs>();
  auto* summary = report->add_subcommand(
      "summary",
      "Open, closed on time, closed late, overdue now, escalations by measure, interviews held, "
      "units on bulletins, score deductions by unit");
  summary->add_option("--unit", m->unit, "Only this unit and the units under it");
  AddCommon(summary, *m);
  SupportFormats(ctx, summary, {"json", "jsonl", "csv"});
  summary->callback([&ctx, m] { RunSummary(ctx, *m); });

  RegisterDeliveriesReport(report, ctx);
  RegisterYearOnYearReport(report, ctx);
}

}  // namespace rectify::cli
