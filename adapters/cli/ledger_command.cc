// rectify ledger import|export: register problems from a ledger file (问题台账, CSV or XLSX), or
// write the registered items back out as one.
//
//   $ rectify ledger import ledger.csv --as xs-0009 [--campaign xinshao-2017] [--dry-run]
//   imported 12 items from ledger.csv
//   $ rectify ledger export [--campaign xinshao-2017] > ledger.csv
//
// The whole file is checked first; every problem is printed as `file:row:col: error: ...` and
// nothing is imported when there is one (exit 1). All rows are registered in one transaction.
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/text_table.h"
#include "adapters/cli/typed_ledger_command.h"
#include "rectify/engine/campaign.h"
#include "rectify/engine/instance_pages.h"
#include "rectify/engine/ledger.h"
#include "rectify/engine/report_table.h"

namespace rectify::cli {

namespace {

struct ImportArgs {
  std::string file, campaign, workflow, escalation, as, at, encoding, sheet, kind;
  DefinitionSources definitions;
  bool dry_run = false;
};

void RunImport(Context& ctx, const ImportArgs& a) {
  if (!a.kind.empty()) {
    for (const auto& [flag, value] :
         {std::pair<const char*, const std::string*>{"--campaign", &a.campaign},
          {"--workflow", &a.workflow},
          {"--escalation", &a.escalation}}) {
      if (!value->empty()) {
        return ctx.UsageError(std::string(flag) + " is for the problem ledger, not with --kind");
      }
    }
    return RunTypedLedgerImport(
        ctx, {a.file, a.kind, a.as, a.at, a.encoding, a.sheet, a.definitions, a.dry_run});
  }
  std::ifstream in(a.file, std::ios::binary);
  if (!in) return ctx.Fail(Error::BadInput("cannot read " + a.file + "; check the path"));
  std::ostringstream text;
  text << in.rdbuf();
  auto session = OpenEngine(ctx, a.definitions, a.at);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  for (const Status& st : {s.RequireCampaign(ctx, a.campaign), s.RequirePerson(ctx, a.as)}) {
    if (!st) return ctx.Fail(st.error());
  }

  engine::LedgerOptions options;
  options.file = a.file;
  options.workflow = a.workflow;
  options.escalation = a.escalation;
  options.campaign = a.campaign;
  options.registrar = a.as;
  options.encoding = a.encoding;
  options.sheet = a.sheet;
  options.now = s.clock->Now();
  auto pinned = engine::LoadAllPinnedWorkflows(*s.store);
  if (!pinned) return ctx.Fail(pinned.error());
  options.pinned = std::move(*pinned);
  Diagnostics diags;
  engine::Ledger ledger = engine::ParseLedger(text.str(), *s.definitions, options, diags);
  Result<engine::ImportReport> report = Error::BadInput("");
  if (!diags.has_errors()) {
    ProgressLine progress(ctx.err, "checking " + a.file);
    // Not named `import`: clang-format 14 reads that as a C++20 module import and mangles the
    // rest of the file.
    engine::ImportOptions how;
    how.dry_run = a.dry_run;
    if (ledger.rows.size() >= 100) {
      how.progress = [&](std::size_t done, std::size_t total) { progress.Update(done, total); };
    }
    report = engine::ImportLedger(*s.engine, ledger, options, how, diags);
  }
  diags.Sort();
  ctx.err << diags.Format();
  if (diags.has_errors()) {
    return ctx.Fail(Error::BadInput(a.file + ": " + std::to_string(diags.error_count()) + " error" +
                                    (diags.error_count() == 1 ? "" : "s") +
                                    "; nothing was imported"));
  }
  if (!report) return ctx.Fail(report.error());
  std::size_t n = ledger.rows.size();
  std::string items = std::to_string(n) + " item" + (n == 1 ? "" : "s");
  if (a.dry_run) {
    ctx.out << a.file << ": " << items << " would be imported; nothing was changed (--dry-run)\n";
  } else {
    ctx.out << "imported " << items << " from " << a.file
            << (a.campaign.empty() ? "" : " into campaign " + a.campaign) << "\n";
  }
  // How the import read what the file leaves open: who verifies, what 10天 means.
  for (const std::string& note : ledger.notes) ctx.out << "  " << note << "\n";
}

void RunExport(Context& ctx, const std::string& campaign, const DefinitionSources& definitions) {
  auto session = OpenEngine(ctx, definitions, "", Access::kReadOnly);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  if (Status st = s.RequireCampaign(ctx, campaign); !st) return ctx.Fail(st.error());
  std::vector<engine::Instance> items;
  InstanceFilter filter;
  if (!campaign.empty()) filter.campaign = campaign;
  Status listed = engine::ForEachInstance(*s.store, filter, [&](engine::Instance& inst) {
    items.push_back(std::move(inst));
    return OkStatus();
  });
  if (!listed) return ctx.Fail(listed.error());
  ctx.out << engine::TableCsv(engine::LedgerExportTable(items, *s.definitions));
}

}  // namespace

void RegisterLedger(CLI::App& app, Context& ctx) {
  auto* ledger =
      app.add_subcommand("ledger", "Import problems from a ledger file (CSV or XLSX), or export");
  ledger->require_subcommand(1);

  auto a = std::make_shared<ImportArgs>();
  auto* imp = ledger->add_subcommand(
      "import",
      "Register every row of a ledger (CSV or XLSX: id, title, unit, responsible, registered_at, "
      "time_limit, ...) in one transaction; nothing is imported when any row is wrong");
  imp->add_option("file", a->file, "The ledger: a CSV file (UTF-8) or an XLSX workbook")
      ->required();
  imp->add_option("--sheet", a->sheet, "The XLSX workbook's sheet (default: the first)");
  imp->add_option("--kind", a->kind,
                  "A typed ledger (kind: ledger in workflows/ledgers/, e.g. "
                  "jinkouhe-fund-transfers) to append the rows to, instead of registering "
                  "problems");
  imp->add_option("--campaign", a->campaign, "The campaign rows without a campaign cell join");
  imp->add_option("--workflow", a->workflow,
                  "The workflow of rows without a workflow cell (default: the campaign's "
                  "items.workflow, else rectification-item)");
  imp->add_option("--escalation", a->escalation,
                  "The escalation chain of rows without an escalation cell (default: the "
                  "campaign's items.escalation, else each state's overdue: chain)");
  imp->add_option("--as", a->as,
                  "Who registers and assigns the rows (a person id, e.g. the registrar)");
  imp->add_flag("--dry-run", a->dry_run, "Check everything, the database too; change nothing");
  imp->add_option("--encoding", a->encoding,
                  "The file's encoding when it is not UTF-8: gbk or gb18030 (as Excel saves "
                  "Chinese CSV), converted with iconv")
      ->check(CLI::IsMember({"utf-8", "utf8", "gbk", "gb18030"}, CLI::ignore_case));
  AddEngineOptions(imp, a->definitions, a->at);
  imp->callback([&ctx, a] { RunImport(ctx, *a); });

  auto campaign = std::make_shared<std::string>();
  auto kind = std::make_shared<std::string>();
  auto definitions = std::make_shared<DefinitionSources>();
  auto* exp = ledger->add_subcommand(
      "export", "Write the registered items as a ledger (CSV) that ledger import reads back");
  exp->add_option("--campaign", *campaign, "Only this campaign's items");
  exp->add_option("--kind", *kind, "A typed ledger's rows instead of the items (CSV)");
  AddDefinitionOptions(exp, *definitions);
  SupportFormats(ctx, exp, {"csv"});
  exp->callback([&ctx, campaign, kind, definitions] {
    if (!kind->empty()) {
      if (!campaign->empty())
        return ctx.UsageError("--campaign is not for a typed ledger (--kind)");
      return RunTypedLedgerExport(ctx, *kind, *definitions);
    }
    RunExport(ctx, *campaign, *definitions);
  });
}

}  // namespace rectify::cli
