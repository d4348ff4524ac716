// Writing small XLSX workbooks for tests of what reads them (ledger import, task inventories,
// compare), with libxlsxwriter, as Excel would save them: shared strings (or inline strings),
// numbers, dates with a date format, merged ranges.
//
//   test::XlsxSheet s{"台账", {{"id", "title"}, {"Q-1", "#d2017-04-21"}}, {"A1:B1"}};
//   test::WriteXlsx(path, {s});
//
// A cell "#nVALUE" is written as the number VALUE; "#dYYYY-MM-DD" or "#dYYYY-MM-DD HH:MM" as a
// date(-time) number with a date format; "" is left empty; anything else is a string.
#pragma once

#include <string>
#include <vector>

namespace rectify::test {

struct XlsxSheet {
  std::string name;
  std::vector<std::vector<std::string>> rows;  // from A1
  std::vector<std::string> merges;             // "A1:F1": the first cell's value over the range
};

// Writes the workbook; `inline_strings` uses libxlsxwriter's constant-memory mode, which writes
// strings inline in the sheet instead of in the shared string table. Fails the test on an error.
void WriteXlsx(const std::string& path, const std::vector<XlsxSheet>& sheets,
               bool inline_strings = false);

}  // namespace rectify::test
