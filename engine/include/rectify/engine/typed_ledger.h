// Typed ledgers (`kind: ledger`, definition/ledger_kind.h): reading a file of rows (CSV or XLSX,
// table_input.h) against the ledger's declared columns, and writing rows back out as a table.
// Storing rows is the store's (adapters/store/soci/typed_ledger_store.h); this part is pure.
//
//   Diagnostics diags;
//   TypedLedger t = ParseTypedLedger(bytes, *kind, definitions, {.file = "拨付台账.xlsx"}, diags);
//   if (diags.has_errors()) { ... nothing is imported ... }
//   // t.rows[i].values[c] is column c of the kind, as canonical text
//
// The header row names the columns by `name` (case-insensitive) or by `title` (after
// NormalizeHeader; a bracket after it is ignored: "拨付金额（元）" reads as 拨付金额), in any
// order. A column the ledger does not declare is a warning and is ignored; a required column
// missing is one error at the header. Every cell is checked and every problem reported at its row
// and column (XLSX: with its cell, 台账!F14):
//   - a required cell that is empty;
//   - date: an office date (ParseOfficeDate), kept as 2017-04-21;
//   - money: yuan, "12,000", "12000.5", "¥12000", "12000元", "1.2万" (万元), at most two decimals
//     (分), kept as 12000.00;
//   - integer: whole digits, optionally signed;
//   - enum: one of the declared values exactly (with "did you mean");
//   - unit, person: an id of the ledger's org, or a name that only one unit or person of it has,
//     kept as the id;
//   - the key (`key:`): each row's key cells present and unique in the file.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rectify/definition/definition_set.h"
#include "rectify/diagnostics.h"
#include "rectify/engine/report_table.h"

namespace rectify::engine {

struct TypedLedgerOptions {
  std::string file = "ledger.csv";  // named in messages
  std::string encoding;             // CSV: "gbk", "gb18030"; empty: UTF-8
  std::string sheet;                // XLSX: the sheet; empty: the first
};

struct TypedRow {
  int row = 0;                      // the file's row
  std::vector<std::string> values;  // one per column of the kind, canonical; "" when empty
  std::string key;                  // the key cells joined (KeyOf); empty when the kind has none
};

struct TypedLedger {
  std::vector<TypedRow> rows;  // every valid row, in file order
  std::string sheet;           // the sheet read, for XLSX
  int key_column = 0;          // the file's column of the key's first cell (for messages), 1-based
  // The file's column (1-based; 0: absent) of each column of the kind, for messages about a cell
  // that a caller checks further (a task inventory's milestone dates, engine/tasks.h).
  std::vector<int> file_columns;
};

TypedLedger ParseTypedLedger(std::string_view bytes, const definition::LedgerKind& kind,
                             const definition::DefinitionSet& definitions,
                             const TypedLedgerOptions& options, Diagnostics& diags);

// A row's key: its key columns' values joined by " / " (what messages show); empty when the kind
// has no key.
std::string KeyOf(const definition::LedgerKind& kind, const std::vector<std::string>& values);

// Money as offices write it, as yuan with two decimals ("1.2万" -> "12000.00"); empty when it is
// not an amount.
std::string ParseMoney(std::string_view text);

// Rows as a table: the columns' names as the header (what an import reads back), money and
// integers as numbers, dates as dates.
ReportTable TypedLedgerTable(const definition::LedgerKind& kind,
                             const std::vector<std::vector<std::string>>& rows);

}  // namespace rectify::engine
