// rectify ledger import|export --kind K: the typed ledgers (`kind: ledger`, engine/typed_ledger.h)
// beside the problem ledger. Registered by ledger_command.cc, which owns the `ledger` command.
//
//   $ rectify ledger import 拨付台账.xlsx --kind jinkouhe-fund-transfers --as jkh-07
//   imported 12 rows into ledger jinkouhe-fund-transfers (扶贫移民项目资金拨付台账) from
//   拨付台账.xlsx $ rectify ledger export --kind jinkouhe-fund-transfers > 拨付台账.csv
//
// Every row is checked first, every problem printed at its row and column (and cell, for XLSX);
// nothing is imported when there is one (exit 1); all rows are appended in one transaction.
#pragma once

#include <string>

#include "adapters/cli/cli.h"
#include "adapters/cli/definition_sources.h"

namespace rectify::cli {

struct TypedImportArgs {
  std::string file, kind, as, at, encoding, sheet;
  DefinitionSources definitions;
  bool dry_run = false;
};

void RunTypedLedgerImport(Context& ctx, const TypedImportArgs& a);
void RunTypedLedgerExport(Context& ctx, const std::string& kind,
                          const DefinitionSources& definitions);

}  // namespace rectify::cli
