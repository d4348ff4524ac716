// rectify ledger import|export --kind: typed ledgers (typed_ledger_command.h).
#include "adapters/cli/typed_ledger_command.h"

#include <fstream>
#include <sstream>

#include "adapters/cli/database_access.h"
#include "adapters/store/soci/typed_ledger_store.h"
#include "rectify/clock.h"
#include "rectify/engine/report_table.h"
#include "rectify/engine/typed_ledger.h"

namespace rectify::cli {

namespace {

Result<std::shared_ptr<const definition::LedgerKind>> FindKind(Context& ctx,
                                                               const definition::DefinitionSet& set,
                                                               const DefinitionSources& sources,
                                                               const std::string& name) {
  auto kind = set.FindLedgerKind(name);
  if (!kind) return NotLoaded(ctx, sources, "ledger '" + name + "'");
  return kind;
}

}  // namespace

void RunTypedLedgerImport(Context& ctx, const TypedImportArgs& a) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) return ctx.Fail(Error::BadInput("cannot read " + a.file + "; check the path"));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  Timestamp now = SystemClock().Now();
  if (!a.at.empty()) {
    auto t = ParseIso(a.at);
    if (!t) return ctx.Fail(Error::BadInput("--at: " + t.error().message()));
    now = *t;
  }
  auto set = LoadDefinitionSources(ctx, a.definitions);
  if (!set) return ctx.Fail(set.error());
  auto kind = FindKind(ctx, **set, a.definitions, a.kind);
  if (!kind) return ctx.Fail(kind.error());
  if (a.as.empty()) {
    return ctx.Fail(Error::BadInput("--as: say who imports the ledger (a person id)"));
  }
  bool known = false;
  for (const auto& info : (*set)->All()) {
    if (info.kind != definition::Kind::kOrg) continue;
    known = known || (*set)->FindOrg(info.name, info.version)->FindPerson(a.as);
  }
  if (!known) return ctx.Fail(NotLoaded(ctx, a.definitions, "person '" + a.as + "'"));
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  store_soci::Database& db = *opened->db;

  Diagnostics diags;
  auto ledger = store_soci::ImportTypedLedger(
      db, **kind, **set, bytes.str(), {a.file, a.encoding, a.sheet}, a.as, now, a.dry_run, diags);
  diags.Sort();
  ctx.err << diags.Format();
  if (diags.has_errors()) {
    return ctx.Fail(Error::BadInput(a.file + ": " + std::to_string(diags.error_count()) + " error" +
                                    (diags.error_count() == 1 ? "" : "s") +
                                    "; nothing was imported"));
  }
  if (!ledger) return ctx.Fail(ledger.error());
  std::size_t n = ledger->rows.size();
  std::string rows = std::to_string(n) + " row" + (n == 1 ? "" : "s");
  std::string label = "ledger " + a.kind +
                      ((*kind)->info().title.empty() ? "" : " (" + (*kind)->info().title + ")");
  if (a.dry_run) {
    ctx.out << a.file << ": " << rows << " would be imported into " << label
            << "; nothing was changed (--dry-run)\n";
    return;
  }
  ctx.out << "imported " << rows << " into " << label << " from " << a.file << "\n";
}

void RunTypedLedgerExport(Context& ctx, const std::string& name,
                          const DefinitionSources& definitions) {
  auto set = LoadDefinitionSources(ctx, definitions);
  if (!set) return ctx.Fail(set.error());
  auto kind = FindKind(ctx, **set, definitions, name);
  if (!kind) return ctx.Fail(kind.error());
  auto opened = OpenDatabase(ctx, /*create=*/false);
  if (!opened) return ctx.Fail(opened.error());
  auto table = store_soci::TypedLedgerExport(*opened->db, **kind);
  if (!table) return ctx.Fail(table.error());
  ctx.out << engine::TableCsv(*table);
}

}  // namespace rectify::cli
