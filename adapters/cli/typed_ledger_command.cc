// rectify ledger import|export --kind: typed ledgers (typed_ledger_command.h).
#include "adapters/cli/typed_ledger_command.h"

#include <fstream>
#include <sstream>

#include "adapters/cli/database_access.h"
#include "adapters/store/soci/typed_ledger_store.h"
#include "rectify/engine/report_table.h"
#include "rectify/engine/table_input.h"
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
  engine::TypedLedger ledger =
      engine::ParseTypedLedger(bytes.str(), **kind, **set, {a.file, a.encoding, a.sheet}, diags);
  if (!diags.has_errors() && !(*kind)->key().empty()) {
    std::vector<std::string> keys;
    for (const auto& r : ledger.rows) keys.push_back(r.key);
    auto taken = store_soci::LedgerKeysTaken(db, a.kind, keys);
    if (!taken) return ctx.Fail(taken.error());
    const std::size_t first = diags.items().size();
    for (const auto& r : ledger.rows) {
      if (!taken->count(r.key)) continue;
      diags.Error(
          {a.file, r.row, ledger.key_column}, (*kind)->key().front(),
          "'" + r.key + "' is in ledger " + a.kind + " already",
          "leave the row out if it was imported before, or correct its " + (*kind)->key().front());
    }
    engine::TableInput table{a.file, !ledger.sheet.empty(), ledger.sheet, {}};
    engine::AddCellReferences(diags, first, table);
  }
  diags.Sort();
  ctx.err << diags.Format();
  if (diags.has_errors()) {
    return ctx.Fail(Error::BadInput(a.file + ": " + std::to_string(diags.error_count()) + " error" +
                                    (diags.error_count() == 1 ? "" : "s") +
                                    "; nothing was imported"));
  }
  std::size_t n = ledger.rows.size();
  std::string rows = std::to_string(n) + " row" + (n == 1 ? "" : "s");
  std::string label = "ledger " + a.kind +
                      ((*kind)->info().title.empty() ? "" : " (" + (*kind)->info().title + ")");
  if (a.dry_run) {
    ctx.out << a.file << ": " << rows << " would be imported into " << label
            << "; nothing was changed (--dry-run)\n";
    return;
  }
  if (Status s = store_soci::AppendLedgerRows(db, **kind, ledger, a.file, a.as, now); !s) {
    return ctx.Fail(s.error().WithContext(a.file + ": nothing was imported"));
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
  auto stored = store_soci::LoadLedgerRows(*opened->db, name);
  if (!stored) return ctx.Fail(stored.error());
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : *stored) {
    std::vector<std::string> cells;
    for (const auto& c : (*kind)->columns()) {
      auto it = r.cells.find(c.name);
      cells.push_back(it != r.cells.end() && it->value().is_string()
                          ? std::string(it->value().as_string())
                          : std::string());
    }
    rows.push_back(std::move(cells));
  }
  ctx.out << engine::TableCsv(engine::TypedLedgerTable(**kind, rows));
}

}  // namespace rectify::cli
