// rectify assessment mark|bonus|veto|show|publish|export: a campaign's assessment as the
// inspectors enter it and the county publishes it (engine/assessment.h).
//
//   $ rectify assessment mark niangxi --campaign xinshao-2017 --period 2017-05
//       --criterion fund_use --mark 85 --note "抽查3户, 1户资金未到位" --evidence 抽查表.xlsx --as
//       xs-0004
//   $ rectify assessment mark niangxi ... --mark 88 --reason "复核更正" --as xs-0004   (a
//   correction) $ rectify assessment bonus yantang --campaign xinshao-2017 --period 2017-05
//   --points 2
//       --note "产业扶贫经验在全市推介" --as xs-0004
//   $ rectify assessment veto daxin --campaign xinshao-2017 --period 2017-05
//       --criterion false_withdrawal --reason "虚报脱贫户3户" --as xs-0004 [--withdraw]
//   $ rectify assessment show --campaign xinshao-2017 --period 2017-05 [--format json]
//   $ rectify assessment publish --campaign xinshao-2017 --period 2017-05 --as xs-0003
//   $ rectify assessment export --campaign xinshao-2017 --period 2017-05 --lang zh
//       --output 2017-05.xlsx
#include <boost/json.hpp>
#include <fstream>

#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/evidence_file.h"
#include "adapters/cli/text_table.h"
#include "adapters/http/api/table_output.h"
#include "rectify/engine/access.h"
#include "rectify/engine/assessment.h"

namespace rectify::cli {

namespace {

namespace json = boost::json;

struct Options {
  std::string unit, campaign, assessment, period, criterion, note, reason, as, lang = "zh", output;
  double value = -1;
  bool withdraw = false;
  std::vector<std::string> evidence, evidence_texts;
  DefinitionSources definitions;
  std::string at;
};

std::string Str(const json::value& v) {
  return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

std::string Text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? Str(*v) : std::string();
}

void PrintView(Context& ctx, const engine::AssessmentView& v) {
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    ctx.out << json::serialize(engine::AssessmentViewJson(v)) << "\n";
    return;
  }
  if (ctx.format() == Format::kCsv) {
    ctx.out << engine::TableCsv(engine::AssessmentTable(v, "en"));
    return;
  }
  ctx.out << v.assessment->info().title << " (" << v.assessment->info().name << "), campaign "
          << v.campaign << ", " << v.period.label << " (" << FormatDate(v.period.first) << ".."
          << FormatDate(v.period.last) << "): "
          << (v.published ? "published by " + v.published_by + " " + v.published_at
                          : std::string("provisional"))
          << "\n";
  TextTable t({"rank", "unit", "marks", "bonus", "deducted", "score", "veto", "not assessed"});
  for (const auto& row : v.ranking_json) {
    const json::object& r = row.as_object();
    std::string vetoes, missing;
    for (const char* key : {"vetoes", "not_assessed"}) {
      std::string& out = std::string(key) == "vetoes" ? vetoes : missing;
      if (const auto* list = r.if_contains(key); list && list->is_array()) {
        for (const auto& x : list->as_array()) out += (out.empty() ? "" : " ") + Str(x);
      }
    }
    t.Add({r.contains("assessed") ? std::string("-") : Text(r, "rank"),
           Text(r, "name") + " (" + Text(r, "unit") + ")", Text(r, "marks"), Text(r, "bonus"),
           Text(r, "deducted"), Text(r, "score"), vetoes.empty() ? "-" : vetoes,
           missing.empty() ? "-" : missing});
  }
  ctx.out << t.Format();
  // Each deduction with its cause, and who took each veto and why.
  for (const auto& row : v.ranking_json) {
    const json::object& r = row.as_object();
    const auto* ded = r.if_contains("deductions");
    bool any = ded && ded->is_array() && !ded->as_array().empty();
    const auto* reasons = r.if_contains("veto_reasons");
    if (!any && !reasons) continue;
    ctx.out << Text(r, "name") << ":\n";
    if (any) {
      for (const auto& d : ded->as_array()) {
        const json::object& o = d.as_object();
        ctx.out << "  -" << Text(o, "points") << " " << Text(o, "cause") << " "
                << Text(o, "measure") << (o.contains("measure") ? " " : "") << Text(o, "item")
                << (o.contains("step") ? " (" + Text(o, "step") + ")" : "") << " "
                << Text(o, "date") << "\n";
      }
    }
    if (reasons && reasons->is_object()) {
      for (const auto& [id, why] : reasons->as_object()) {
        ctx.out << "  veto " << std::string(id) << ": " << Str(why) << "\n";
      }
    }
  }
  if (!v.missing.empty()) {
    ctx.out << v.missing.size() << " mark(s) missing before it can be published\n";
  }
  if (!v.history.empty()) {
    ctx.out << "entries:\n";
    for (const auto& e : v.history) {
      ctx.out << "  #" << e.seq << " " << FormatIso(e.at) << " " << e.by << " " << e.event << " "
              << e.unit << (e.criterion.empty() ? "" : " " + e.criterion);
      if (e.event != "assessment_veto") ctx.out << " " << e.value;
      if (e.previous) ctx.out << " (was " << *e.previous << ": " << e.reason << ")";
      if (e.withdrawn) ctx.out << " withdrawn";
      ctx.out << ": " << e.note << "\n";
    }
  }
}

Result<std::unique_ptr<EngineSession>> Open(Context& ctx, const Options& o, Access access) {
  auto session = OpenEngine(ctx, o.definitions, o.at, access);
  if (!session) return session.error();
  if (Status st = (*session)->RequireCampaign(ctx, o.campaign); !st) return st.error();
  return session;
}

void RunEntry(Context& ctx, const Options& o, const std::string& kind) {
  engine::AssessmentEntry e;
  e.campaign = o.campaign;
  e.assessment = o.assessment;
  e.period = o.period;
  e.unit = o.unit;
  e.criterion = o.criterion;
  e.value = o.value;
  e.note = o.note;
  e.reason = o.reason;
  e.withdraw = o.withdraw;
  e.actor = o.as;
  e.channel = "cli";
  if (kind == "veto") {
    e.note = o.reason;
    e.reason.clear();
  }
  for (const auto& path : o.evidence) {
    auto text = EvidenceFile(path);
    if (!text) return ctx.Fail(text.error());
    e.evidence.push_back(*text);
  }
  for (const auto& t : o.evidence_texts) e.evidence.push_back(t);
  auto session = Open(ctx, o, Access::kReadWrite);
  if (!session) return ctx.Fail(session.error());
  engine::Engine& engine = *(*session)->engine;
  auto row = kind == "mark"    ? engine::EnterMark(engine, e)
             : kind == "bonus" ? engine::EnterBonus(engine, e)
                               : engine::TakeVeto(engine, e);
  if (!row) return ctx.Fail(row.error());
  if (ctx.format() == Format::kJson || ctx.format() == Format::kJsonl) {
    ctx.out << json::serialize(*row) << "\n";
    return;
  }
  const json::object& r = *row;
  if (kind == "mark") {
    ctx.out << "marked " << o.unit << " " << Text(r, "criterion") << " " << Text(r, "mark") << "/"
            << Text(r, "max") << " for " << Text(r, "period");
  } else if (kind == "bonus") {
    ctx.out << "bonus " << Text(r, "points") << " for " << o.unit << " in " << Text(r, "period");
  } else {
    ctx.out << (o.withdraw ? "withdrew veto " : "veto ") << Text(r, "criterion") << " on " << o.unit
            << " for " << Text(r, "period");
  }
  if (r.contains("previous")) ctx.out << " (was " << Text(r, "previous") << ")";
  ctx.out << "\n";
}

void RunShow(Context& ctx, const Options& o) {
  auto session = Open(ctx, o, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  auto view = engine::ShowAssessment(*(*session)->engine, o.campaign, o.assessment, o.period);
  if (!view) return ctx.Fail(view.error());
  PrintView(ctx, *view);
}

void RunPublish(Context& ctx, const Options& o) {
  auto session = Open(ctx, o, Access::kReadWrite);
  if (!session) return ctx.Fail(session.error());
  auto view = engine::PublishAssessment(*(*session)->engine, o.campaign, o.assessment, o.period,
                                        o.as, "cli");
  if (!view) return ctx.Fail(view.error());
  PrintView(ctx, *view);
}

void RunExport(Context& ctx, const Options& o) {
  if (o.lang != "zh" && o.lang != "en") {
    return ctx.Fail(Error::BadInput("--lang: zh or en, not '" + o.lang + "'"));
  }
  auto session = Open(ctx, o, Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  auto view = engine::ShowAssessment(*(*session)->engine, o.campaign, o.assessment, o.period);
  if (!view) return ctx.Fail(view.error());
  engine::ReportTable table = engine::AssessmentTable(*view, o.lang);
  if (o.output.empty() || o.output == "-") {
    ctx.out << engine::TableCsv(table);
    return;
  }
  auto bytes = api::TableXlsx(table, engine::AssessmentSheetName(*view, o.lang));
  if (!bytes) return ctx.Fail(bytes.error());
  std::ofstream out(o.output, std::ios::binary);
  out << *bytes;
  out.close();
  if (!out) {
    return ctx.Fail(Error::Unavailable("cannot write " + o.output + "; check the folder"));
  }
  ctx.out << "wrote " << o.output << ": " << table.rows.size() << " unit(s), "
          << (view->published ? "published" : "provisional") << "\n";
}

void Common(CLI::App* cmd, Options& o) {
  cmd->add_option("--campaign", o.campaign, "The campaign whose assessment it is")->required();
  cmd->add_option("--assessment", o.assessment,
                  "The assessment (default: the campaign's only one)");
  cmd->add_option("--period", o.period, "The period: 2017-05, 2017-Q2, 2017, or a week's Monday")
      ->required();
  AddEngineOptions(cmd, o.definitions, o.at);
}

}  // namespace

void RegisterAssessment(CLI::App& app, Context& ctx) {
  auto* a = app.add_subcommand(
      "assessment", "Enter marks, bonus points and vetoes; show, publish and export a ranking");
  a->require_subcommand(1);

  for (const std::string kind : {"mark", "bonus", "veto"}) {
    auto o = std::make_shared<Options>();
    const char* what = kind == "mark"    ? "Enter or correct a unit's mark on a criterion"
                       : kind == "bonus" ? "Enter or correct a unit's bonus points"
                                         : "Take (or --withdraw) a one-vote veto on a unit";
    auto* cmd = a->add_subcommand(kind, what);
    cmd->add_option("unit", o->unit, "The unit's id")->required();
    Common(cmd, *o);
    cmd->add_option("--as", o->as, "Who enters it (a person id)")->required();
    if (kind == "mark") {
      cmd->add_option("--criterion", o->criterion, "The criterion's id")->required();
      cmd->add_option("--mark", o->value, "The mark, 0..the criterion's max")->required();
    } else if (kind == "bonus") {
      cmd->add_option("--points", o->value, "The points, 0..the bonus's max")->required();
    } else {
      cmd->add_option("--criterion", o->criterion, "The veto criterion's id")->required();
      cmd->add_flag("--withdraw", o->withdraw, "Lift a veto taken before");
    }
    if (kind == "veto") {
      cmd->add_option("--reason", o->reason, "Why")->required();
    } else {
      cmd->add_option("--note", o->note, "What was found (the evidence's note)")->required();
      cmd->add_option("--reason", o->reason, "Why a value entered before is corrected");
    }
    cmd->add_option("--evidence", o->evidence, "A file to record as evidence (repeatable)");
    cmd->add_option("--evidence-text", o->evidence_texts, "A text to record as evidence");
    SupportFormats(ctx, cmd, {"json"});
    cmd->callback([&ctx, o, kind] { RunEntry(ctx, *o, kind); });
  }

  auto show = std::make_shared<Options>();
  auto* show_cmd = a->add_subcommand("show", "A period's ranking, each deduction, the entries");
  Common(show_cmd, *show);
  SupportFormats(ctx, show_cmd, {"json", "csv"});
  show_cmd->callback([&ctx, show] { RunShow(ctx, *show); });

  auto publish = std::make_shared<Options>();
  auto* publish_cmd =
      a->add_subcommand("publish", "Publish a period's ranking; the period is closed from then on");
  Common(publish_cmd, *publish);
  publish_cmd->add_option("--as", publish->as, "Who publishes (a person id)")->required();
  SupportFormats(ctx, publish_cmd, {"json"});
  publish_cmd->callback([&ctx, publish] { RunPublish(ctx, *publish); });

  auto exp = std::make_shared<Options>();
  auto* exp_cmd = a->add_subcommand(
      "export", "The ranking in the definition's layout: XLSX with --output, else CSV");
  Common(exp_cmd, *exp);
  exp_cmd->add_option("--lang", exp->lang, "Column titles and sheet name: zh (default) or en");
  exp_cmd->add_option("--output", exp->output, "The .xlsx file to write (default: CSV to stdout)");
  exp_cmd->callback([&ctx, exp] { RunExport(ctx, *exp); });
}

}  // namespace rectify::cli
