// Typed ledgers' rows on SOCI (typed_ledger_store.h).
#include "adapters/store/soci/typed_ledger_store.h"

#include <boost/json.hpp>

#include "adapters/store/soci/transaction.h"
#include "rectify/engine/table_input.h"

namespace rectify::store_soci {

Result<std::set<std::string>> LedgerKeysTaken(Database& db, const std::string& ledger,
                                              const std::vector<std::string>& keys) {
  std::set<std::string> taken;
  try {
    std::string name = ledger, found;
    for (const std::string& k : keys) {
      std::string probe = k;
      soci::indicator ind = soci::i_ok;
      db.session() << "SELECT row_key FROM ledger_rows WHERE ledger = :ledger AND row_key = :key",
          soci::into(found, ind), soci::use(name), soci::use(probe);
      if (db.session().got_data() && ind == soci::i_ok) taken.insert(k);
    }
  } catch (const std::exception& e) {
    return db.MapError(e, "read ledger " + ledger);
  }
  return taken;
}

Status AppendLedgerRows(Database& db, const definition::LedgerKind& kind,
                        const engine::TypedLedger& rows, const std::string& source,
                        const std::string& imported_by, Timestamp at) {
  const std::string ledger = kind.info().name;
  return InTransaction(db, "append to ledger " + ledger, [&]() -> Status {
    long long last = 0;
    soci::indicator ind = soci::i_ok;
    db.session() << "SELECT MAX(seq) FROM ledger_rows WHERE ledger = :ledger",
        soci::into(last, ind), soci::use(ledger);
    if (ind != soci::i_ok) last = 0;
    for (const engine::TypedRow& r : rows.rows) {
      boost::json::object cells;
      for (std::size_t c = 0; c < kind.columns().size(); ++c) {
        if (!r.values[c].empty()) cells[kind.columns()[c].name] = r.values[c];
      }
      long long seq = ++last;
      int version = kind.info().version, source_row = r.row;
      std::string text = boost::json::serialize(cells), src = source, by = imported_by;
      long long when = ToMicros(at);
      soci::indicator key_ind = r.key.empty() ? soci::i_null : soci::i_ok;
      std::string key = r.key;
      db.session() << "INSERT INTO ledger_rows (ledger, seq, version, row_key, cells, source, "
                      "source_row, imported_by, imported_at) VALUES (:ledger, :seq, :version, "
                      ":key, :cells, :source, :source_row, :by, :at)",
          soci::use(ledger), soci::use(seq), soci::use(version), soci::use(key, key_ind),
          soci::use(text), soci::use(src), soci::use(source_row), soci::use(by), soci::use(when);
    }
    return OkStatus();
  });
}

Result<engine::TypedLedger> ImportTypedLedger(Database& db, const definition::LedgerKind& kind,
                                              const definition::DefinitionSet& definitions,
                                              std::string_view bytes,
                                              const engine::TypedLedgerOptions& options,
                                              const std::string& imported_by, Timestamp at,
                                              bool dry_run, Diagnostics& diags) {
  if (kind.tasks()) {
    // Its rows are tasks on the deadline engine (engine/tasks.h), not a register's rows.
    return Error::BadInput("ledger " + kind.info().name +
                           " is a task inventory; import it as tasks (rectify task import --kind " +
                           kind.info().name + ")");
  }
  engine::TypedLedger ledger = engine::ParseTypedLedger(bytes, kind, definitions, options, diags);
  if (diags.has_errors()) return ledger;
  if (!kind.key().empty()) {
    std::vector<std::string> keys;
    for (const auto& r : ledger.rows) keys.push_back(r.key);
    auto taken = LedgerKeysTaken(db, kind.info().name, keys);
    if (!taken) return taken.error();
    const std::size_t first = diags.items().size();
    for (const auto& r : ledger.rows) {
      if (!taken->count(r.key)) continue;
      diags.Error(
          {options.file, r.row, ledger.key_column}, kind.key().front(),
          "'" + r.key + "' is in ledger " + kind.info().name + " already",
          "leave the row out if it was imported before, or correct its " + kind.key().front());
    }
    engine::AddCellReferences(diags, first,
                              {options.file, !ledger.sheet.empty(), ledger.sheet, {}});
  }
  if (diags.has_errors() || dry_run) return ledger;
  if (Status s = AppendLedgerRows(db, kind, ledger, options.file, imported_by, at); !s) {
    return s.error().WithContext(options.file + ": nothing was imported");
  }
  return ledger;
}

Result<std::vector<StoredLedgerRow>> LoadLedgerRows(Database& db, const std::string& ledger) {
  std::vector<StoredLedgerRow> out;
  try {
    long long seq = 0, at = 0;
    int version = 0, source_row = 0;
    std::string key, cells, source, by, name = ledger;
    soci::indicator key_ind = soci::i_ok;
    soci::statement st =
        (db.session().prepare << "SELECT seq, version, row_key, cells, source, source_row, "
                                 "imported_by, imported_at FROM ledger_rows WHERE ledger = "
                                 ":ledger ORDER BY seq",
         soci::into(seq), soci::into(version), soci::into(key, key_ind), soci::into(cells),
         soci::into(source), soci::into(source_row), soci::into(by), soci::into(at),
         soci::use(name));
    st.execute(false);
    while (st.fetch()) {
      StoredLedgerRow r;
      r.seq = seq;
      r.version = version;
      r.key = key_ind == soci::i_ok ? key : "";
      boost::json::value v = boost::json::parse(cells);
      if (!v.is_object()) return Error::Internal("ledger " + ledger + ": a row is not an object");
      r.cells = v.as_object();
      r.source = source;
      r.source_row = source_row;
      r.imported_by = by;
      r.imported_at = FromMicros(at);
      out.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    return db.MapError(e, "read ledger " + ledger);
  }
  return out;
}

Result<engine::ReportTable> TypedLedgerExport(Database& db, const definition::LedgerKind& kind) {
  auto stored = LoadLedgerRows(db, kind.info().name);
  if (!stored) return stored.error();
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : *stored) {
    std::vector<std::string> cells;
    for (const auto& c : kind.columns()) {
      auto it = r.cells.find(c.name);
      cells.push_back(it != r.cells.end() && it->value().is_string()
                          ? std::string(it->value().as_string())
                          : std::string());
    }
    rows.push_back(std::move(cells));
  }
  return engine::TypedLedgerTable(kind, rows);
}

}  // namespace rectify::store_soci
