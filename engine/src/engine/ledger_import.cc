// Importing a checked ledger: the database's ids, each row through the interpreter, then one
// commit.
#include <algorithm>

#include "rectify/engine/campaign_items.h"
#include "rectify/engine/ledger.h"
#include "rectify/engine/table_input.h"

namespace rectify::engine {

Result<ImportReport> ImportLedger(Engine& engine, const Ledger& ledger,
                                  const LedgerOptions& options, const ImportOptions& import,
                                  Diagnostics& diags) {
  return ImportLedgerRegistrations(engine, ledger, LedgerRegistrations(ledger, options), options,
                                   import, diags);
}

Result<ImportReport> ImportLedgerRegistrations(Engine& engine, const Ledger& ledger,
                                               const std::vector<Registration>& batch,
                                               const LedgerOptions& options,
                                               const ImportOptions& import, Diagnostics& diags) {
  if (batch.size() != ledger.rows.size()) {
    return Error::Internal("ImportLedgerRegistrations: " + std::to_string(batch.size()) +
                           " registrations for " + std::to_string(ledger.rows.size()) + " rows");
  }
  ImportReport report;
  report.rows = ledger.rows.size();
  const std::size_t first_diag = diags.items().size();
  TableInput table{options.file, !ledger.sheet.empty(), ledger.sheet, {}};
  auto id_column = std::find(ledger.columns.begin(), ledger.columns.end(), "id");
  int id_col = static_cast<int>(id_column - ledger.columns.begin()) + 1;
  ChangeSet changes;
  const std::size_t total = batch.size();
  for (std::size_t i = 0; i < total; ++i) {
    Registration r = batch[i];
    const int row = ledger.rows[i].row;
    if (Status s = ApplyCampaignItems(engine.store(), engine.interpreter().definitions(), r.item);
        !s) {
      if (s.error().code() != ErrorCode::kBadInput) return s.error();
      diags.Error({options.file, row, 0}, "", s.error().message());
      continue;
    }
    auto stored = engine.store().LoadInstance(r.item.id);
    if (stored) {
      diags.Error(
          {options.file, row, id_col}, "id",
          "item '" + r.item.id + "' already exists in the database (state " + stored->state + ")",
          "give the row another id, or leave it out if it was imported before");
    } else if (stored.error().code() != ErrorCode::kNotFound) {
      return stored.error();
    } else if (auto fx = engine.interpreter().Register(r); !fx) {
      diags.Error({options.file, row, 0}, "", fx.error().message());
    } else if (!diags.has_errors()) {
      fx->AppendTo(changes);
      fx->instance.record.version = 1;
      report.items.push_back(std::move(fx->instance));
    }
    if (import.progress) import.progress(i + 1, total);
  }
  AddCellReferences(diags, first_diag, table);
  if (diags.has_errors()) {
    return Error::BadInput(options.file + ": " + std::to_string(diags.error_count()) + " error" +
                           (diags.error_count() == 1 ? "" : "s") + "; nothing was imported");
  }
  if (import.dry_run || changes.empty()) return report;
  if (Status s = engine.Commit(changes); !s) {
    return s.error().WithContext(options.file + ": nothing was imported");
  }
  report.registered = report.items.size();
  return report;
}

}  // namespace rectify::engine
