// The rows of typed ledgers (migration 0014, table ledger_rows): appended a file at a time in one
// transaction, listed in the order they were appended. The cells are the engine's canonical text
// (typed_ledger.h), kept as a JSON object by column name.
//
//   auto taken = LedgerKeysTaken(db, "jinkouhe-fund-transfers", {"BK-2017-001", ...});
//   Status s = AppendLedgerRows(db, *kind, ledger, "拨付台账.xlsx", "jkh-07", now);
//   auto rows = LoadLedgerRows(db, "jinkouhe-fund-transfers");
//
// Thread-safety: as the Database (one thread at a time).
#pragma once

#include <boost/json/object.hpp>
#include <set>
#include <string>
#include <vector>

#include "adapters/store/soci/database.h"
#include "rectify/definition/ledger_kind.h"
#include "rectify/engine/typed_ledger.h"
#include "rectify/result.h"
#include "rectify/timestamp.h"

namespace rectify::store_soci {

struct StoredLedgerRow {
  std::int64_t seq = 0;
  int version = 0;  // the kind's version the row was checked against
  std::string key;  // empty when the kind has none
  boost::json::object cells;
  std::string source;  // the file it came from, and its row there
  int source_row = 0;
  std::string imported_by;
  Timestamp imported_at;
};

// Which of `keys` the ledger has already.
Result<std::set<std::string>> LedgerKeysTaken(Database& db, const std::string& ledger,
                                              const std::vector<std::string>& keys);

// Appends every row of `rows` in one transaction, after the ledger's last. kConflict (nothing
// appended) when a key was taken meanwhile.
Status AppendLedgerRows(Database& db, const definition::LedgerKind& kind,
                        const engine::TypedLedger& rows, const std::string& source,
                        const std::string& imported_by, Timestamp at);

// The whole import, as `rectify ledger import --kind` and POST /api/v1/ledgers/{kind}/import make
// it: `bytes` parsed and checked (ParseTypedLedger), the keys checked against the database (each
// taken one an error at its row), then, unless `dry_run`, every row appended in one transaction.
// Every problem goes to `diags`; the rows read are returned, appended only when `diags` has no
// error and the result is OK (a store error: nothing appended either).
Result<engine::TypedLedger> ImportTypedLedger(Database& db, const definition::LedgerKind& kind,
                                              const definition::DefinitionSet& definitions,
                                              std::string_view bytes,
                                              const engine::TypedLedgerOptions& options,
                                              const std::string& imported_by, Timestamp at,
                                              bool dry_run, Diagnostics& diags);

// The ledger's rows in the order they were appended.
Result<std::vector<StoredLedgerRow>> LoadLedgerRows(Database& db, const std::string& ledger);

// The ledger's rows as a table in the kind's columns (TypedLedgerTable), what an export writes.
Result<engine::ReportTable> TypedLedgerExport(Database& db, const definition::LedgerKind& kind);

}  // namespace rectify::store_soci
