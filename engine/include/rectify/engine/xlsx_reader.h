// Reading one worksheet of an XLSX workbook (Office Open XML, what Excel and WPS save) into rows
// of cell text, for the ledger imports and `rectify compare`, which otherwise read CSV.
//
//   if (LooksLikeXlsx(bytes)) {
//     Result<XlsxSheet> sheet = ReadXlsxSheet(bytes, "");   // the first sheet
//     // sheet->rows[i].row is the spreadsheet's row number, cells[c] its column c+1 ("A" is 0)
//   }
//
// The workbook is unzipped with minizip (Debian's libminizip-dev) from memory and its XML parts
// read with expat (libexpat1-dev), streaming: shared strings (rich text runs joined, phonetic
// runs left out), inline strings, formula results, booleans (TRUE/FALSE), numbers as the shortest
// text that reads back the same (12, 3.5), and numbers in a date or time format (built-in formats
// 14-22 and 45-47, or a custom format with y, m, d or h outside quotes) as the office text the
// ledger reads: "2017-05-08" or "2017-05-08 10:00", in the workbook's date system (1900, with
// Excel's fictitious 1900-02-29, or 1904). A merged range's value is copied into every cell of
// the range, so that a header merged over two columns or two rows names each of them; a row that
// is one merged range over several columns and nothing else (a title above the header:
// "新邵县2017年问题台账") is flagged `title` so the reader of a table can skip it.
//
// Limits against a crafted file: each part at most 256 MiB unzipped, at most 1,048,576 rows and
// 16,384 columns (Excel's own), at most 10 million cells held (a row holds every cell up to its
// last), else kBadInput.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rectify/result.h"

namespace rectify::engine {

struct XlsxRow {
  int row = 0;                     // the spreadsheet's row number (1-based)
  std::vector<std::string> cells;  // cells[c] is column c+1; empty cells are empty strings
  bool title = false;  // one merged range over several columns and nothing else on the row
};

struct XlsxSheet {
  std::string name;                 // as the workbook names it ("台账", "Sheet1")
  std::vector<std::string> sheets;  // every sheet's name, in workbook order
  std::vector<XlsxRow> rows;        // rows with at least one cell, in order
};

// Whether `bytes` starts as a ZIP archive does (an XLSX workbook is one).
bool LooksLikeXlsx(std::string_view bytes);

// The sheet named `sheet`, or the workbook's first sheet when `sheet` is empty. kBadInput, with
// what to do, when the bytes are not an XLSX workbook, a part is missing or malformed, or no sheet
// has that name (the message lists those it has).
Result<XlsxSheet> ReadXlsxSheet(std::string_view bytes, std::string_view sheet);

// A cell's reference as a spreadsheet writes it: (14, 6) -> "F14". Column 1-based.
std::string XlsxCellReference(int row, int column);

// A date serial number of the 1900 date system (Excel's default, with its fictitious 1900-02-29
// as serial 60) as "YYYY-MM-DD", with " HH:MM" when it has a time of day; nullopt-like empty
// string when it is out of range (before 1900-01-01 or after 9999-12-31).
std::string XlsxSerialDate(double serial, bool date1904 = false);

}  // namespace rectify::engine
