// A table a user uploads (a ledger, a task inventory, a data set to compare) as records of cells,
// whether it is CSV or an XLSX workbook, and positions in it as the user's spreadsheet names them.
//
//   TableInputOptions how{.file = "roster.xlsx", .sheet = ""};
//   Diagnostics diags;
//   std::optional<TableInput> t = ReadTableInput(bytes, how, diags);
//   // t->records: the header first (the first row that is not empty or a merged title)
//   ... diagnostics at {file, record.row, column} ...
//   AddCellReferences(diags, 0, *t);   // XLSX: "台账!F14 time_limit: ..." in each message
//
// CSV: RFC 4180 (ParseCsv), UTF-8, or GBK/GB18030 with `encoding`; a file that is not UTF-8 is one
// error (naming GBK when it reads as GBK) and no other. XLSX (recognized by its bytes, whatever
// the file is called): one sheet (xlsx_reader.h), the first unless `sheet` names another; cells
// trimmed as CSV's unquoted cells are, merged titles above the header left out; `encoding` does
// not apply. Rows that are empty are left out either way; a record's row is the file's row (CSV:
// the header is row 1; XLSX: the sheet's row number), its cells the columns from 1.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rectify/diagnostics.h"
#include "rectify/engine/ledger.h"

namespace rectify::engine {

struct TableInputOptions {
  std::string file;      // named in messages
  std::string encoding;  // CSV only: "utf-8", "gbk", "gb18030"; empty: UTF-8
  std::string sheet;     // XLSX only: the sheet; empty: the first
};

struct TableInput {
  std::string file;
  bool xlsx = false;
  std::string sheet;  // the sheet read (XLSX)
  std::vector<CsvRecord> records;
};

// The table, or nullopt with the reason in `diags` (not CSV in that encoding, not a workbook, no
// such sheet). Errors in the CSV's quoting are reported and the records read are returned.
std::optional<TableInput> ReadTableInput(std::string_view bytes, const TableInputOptions& options,
                                         Diagnostics& diags);

// For an XLSX table: each diagnostic from index `from` on at a row and column of the table's file
// gets the cell's reference before its path ("台账!F14 time_limit: ..."), as Excel shows it; a
// diagnostic at a row alone gets the row ("台账!14"). Nothing for CSV, whose row and column are
// the reference.
void AddCellReferences(Diagnostics& diags, std::size_t from, const TableInput& table);

}  // namespace rectify::engine
