// rectify compare: two data sets (CSV or XLSX) matched by a `kind: comparison`, the mismatches
// reported per rule, and each registered as a clue (a finding found by data_comparison) at its
// responsible unit, in one transaction (rectify/engine/comparison.h).
//
//   $ rectify compare hecheng-subsidy-check --left 花名册.xlsx --right 发放表.csv --as hc-003
//   $ rectify compare hecheng-subsidy-check --left a.csv --right b.csv --dry-run --format json
//
// A file with a problem (a missing column, a bad value, an unknown unit) is reported with file,
// row and column, and nothing is registered; a second run of the same files registers nothing
// twice.
#include <fstream>
#include <sstream>

#include "adapters/cli/cli.h"
#include "adapters/cli/engine_access.h"
#include "adapters/cli/text_table.h"
#include "rectify/engine/access.h"
#include "rectify/engine/comparison.h"
#include "rectify/engine/ledger.h"

namespace rectify::cli {
namespace {

namespace json = boost::json;

struct CompareOptions {
  std::string comparison, left, right, campaign, as, at;
  std::string left_encoding, right_encoding, left_sheet, right_sheet;
  bool dry_run = false;
  DefinitionSources definitions;
};

Result<std::string> ReadFile(const std::string& path, const char* option) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error::BadInput(std::string(option) + ": cannot read " + path + "; check the path");
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string Rows(const std::vector<int>& rows) {
  if (rows.empty()) return "-";
  std::string out;
  for (int r : rows) out += (out.empty() ? "" : ",") + std::to_string(r);
  return out;
}

void RunCompare(Context& ctx, const CompareOptions& o) {
  auto left_bytes = ReadFile(o.left, "--left");
  if (!left_bytes) return ctx.Fail(left_bytes.error());
  auto right_bytes = ReadFile(o.right, "--right");
  if (!right_bytes) return ctx.Fail(right_bytes.error());
  if (!o.dry_run && o.as.empty()) {
    return ctx.Fail(Error::BadInput(
        "--as: say who registers the clues (a person id with the round's record role), or "
        "compare only with --dry-run"));
  }
  auto session =
      OpenEngine(ctx, o.definitions, o.at, o.dry_run ? Access::kReadOnly : Access::kReadWrite);
  if (!session) return ctx.Fail(session.error());
  EngineSession& s = **session;
  auto cmp = s.definitions->FindComparison(o.comparison);
  if (!cmp) return ctx.Fail(NotLoaded(ctx, o.definitions, "comparison '" + o.comparison + "'"));
  for (Status st : {s.RequireCampaign(ctx, o.campaign), s.RequirePerson(ctx, o.as)}) {
    if (!st) return ctx.Fail(st.error());
  }

  Diagnostics diags;
  engine::ComparisonResult result = engine::CompareData(
      *cmp, *s.definitions, {o.left, *left_bytes, o.left_encoding, o.left_sheet},
      {o.right, *right_bytes, o.right_encoding, o.right_sheet}, diags);
  diags.Sort();
  ctx.err << diags.Format();
  if (diags.has_errors()) {
    std::size_t n = diags.error_count();
    return ctx.Fail(Error::BadInput(std::to_string(n) + (n == 1 ? " error" : " errors") +
                                    " in the files; nothing was registered"));
  }
  engine::ClueOptions clue{o.campaign, o.as, o.dry_run, "cli", ""};
  std::optional<engine::ClueRun> run;
  if (!o.dry_run || !clue.campaign.empty() || !cmp->parts().campaign.empty()) {
    auto r = engine::RegisterClues(*s.engine, *cmp, result, clue);
    if (!r) {
      return ctx.Fail(Error(r.error().code(), r.error().message() + "; nothing was registered"));
    }
    run = *r;
  }

  if (ctx.format() == Format::kJson) {
    ctx.out << json::serialize(engine::ComparisonJson(*cmp, result, run ? &*run : nullptr,
                                                      o.dry_run, o.left, o.right))
            << "\n";
    return;
  }
  if (ctx.format() == Format::kCsv) {
    ctx.out << kCsvBom
            << engine::CsvLine({"rule", "check", "key", "left_rows", "right_rows", "detail", "unit",
                                "clue", "clue_id", "status"});
    for (const auto& m : result.mismatches) {
      ctx.out << engine::CsvLine(
          {m.rule, std::string(definition::CompareCheckName(m.check)), m.key, Rows(m.left_rows),
           Rows(m.right_rows), m.detail, m.unit, m.clue, m.clue_id,
           m.registered_before ? "registered before"
                               : (o.dry_run ? "would be registered" : "registered")});
    }
    return;
  }
  const auto& org = s.definitions->FindOrg(cmp->parts().org.name, cmp->parts().org.version);
  ctx.out << cmp->info().Label() << ": " << cmp->parts().left.title << " (" << o.left << ", "
          << result.left_rows << " rows) against " << cmp->parts().right.title << " (" << o.right
          << ", " << result.right_rows << " rows)\n";
  for (const auto& rule : cmp->rules()) {
    TextTable t({"key", "left rows", "right rows", "detail", "unit", "clue", "clue id"});
    int n = 0;
    for (const auto& m : result.mismatches) {
      if (m.rule != rule.name) continue;
      ++n;
      t.Add({m.key, Rows(m.left_rows), Rows(m.right_rows), m.detail.empty() ? "-" : m.detail,
             org ? engine::UnitLabel(*org, m.unit) : m.unit, m.clue,
             m.clue_id.empty() ? "-"
                               : m.clue_id + (m.registered_before ? " (registered before)" : "")});
    }
    ctx.out << "\nrule " << rule.name << " (" << definition::CompareCheckName(rule.check)
            << "): " << n << (n == 1 ? " mismatch" : " mismatches") << "\n";
    if (n) ctx.out << t.Format();
  }
  ctx.out << "\n" << result.mismatches.size() << " mismatches";
  if (run) {
    ctx.out << "; " << (o.dry_run ? "would register " : "registered ") << run->registered
            << (run->registered == 1 ? " clue" : " clues") << " in round " << run->round << " of "
            << run->campaign;
    if (run->registered_before) ctx.out << " (" << run->registered_before << " registered before)";
  }
  ctx.out << (o.dry_run ? " (dry run: nothing was registered)" : "") << "\n";
}

}  // namespace

void RegisterCompare(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CompareOptions>();
  auto* cmd = app.add_subcommand(
      "compare", "Compare two data sets by a comparison's rules; register each mismatch as a clue");
  cmd->add_option("comparison", o->comparison, "The comparison (kind: comparison) by name")
      ->required();
  cmd->add_option("--left", o->left, "The left data set (CSV or XLSX)")->required();
  cmd->add_option("--right", o->right, "The right data set (CSV or XLSX)")->required();
  cmd->add_option("--campaign", o->campaign,
                  "The campaign the clues belong to (default: the comparison's)");
  cmd->add_option("--as", o->as, "Who registers the clues (a person with the round's record role)");
  cmd->add_flag("--dry-run", o->dry_run, "Report the mismatches; register nothing");
  cmd->add_option("--left-encoding", o->left_encoding, "A CSV's encoding: utf-8, gbk, gb18030");
  cmd->add_option("--right-encoding", o->right_encoding, "A CSV's encoding: utf-8, gbk, gb18030");
  cmd->add_option("--left-sheet", o->left_sheet, "An XLSX's sheet (default: the first)");
  cmd->add_option("--right-sheet", o->right_sheet, "An XLSX's sheet (default: the first)");
  AddEngineOptions(cmd, o->definitions, o->at);
  SupportFormats(ctx, cmd, {"json", "csv"});
  cmd->callback([&ctx, o] { RunCompare(ctx, *o); });
}

}  // namespace rectify::cli
