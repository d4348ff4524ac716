// Uploaded tables as records: CSV or XLSX, by the bytes (table_input.h).
#include "rectify/engine/table_input.h"

#include <algorithm>

#include "rectify/engine/xlsx_reader.h"
#include "rectify/utf8.h"

namespace rectify::engine {

namespace {

std::string Trim(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool AllEmpty(const CsvRecord& r) {
  return std::all_of(r.cells.begin(), r.cells.end(), [](const auto& c) { return c.empty(); });
}

}  // namespace

std::optional<TableInput> ReadTableInput(std::string_view text, const TableInputOptions& options,
                                         Diagnostics& diags) {
  TableInput table;
  table.file = options.file;
  if (LooksLikeXlsx(text)) {
    auto sheet = ReadXlsxSheet(text, options.sheet);
    if (!sheet) {
      diags.Error({options.file, 0, 0}, "", sheet.error().message());
      return std::nullopt;
    }
    table.xlsx = true;
    table.sheet = sheet->name;
    bool header_seen = false;
    for (XlsxRow& row : sheet->rows) {
      // Titles above the header ("新邵县2017年问题台账") are not the header; below it a merged row
      // is data like any other.
      if (row.title && !header_seen) continue;
      CsvRecord rec{row.row, {}};
      for (const std::string& c : row.cells) rec.cells.push_back(Trim(c));
      if (AllEmpty(rec)) continue;
      header_seen = true;
      table.records.push_back(std::move(rec));
    }
    return table;
  }
  std::string converted;
  if (!options.encoding.empty()) {
    auto utf8 = LedgerToUtf8(text, options.encoding);
    if (!utf8) {
      diags.Error({options.file, 0, 0}, "", utf8.error().message());
      return std::nullopt;
    }
    converted = std::move(*utf8);
    text = converted;
  }
  // A file that is not UTF-8 gets that one error: every header and cell after it would be wrong.
  if (std::size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos) {
    Diagnostics ignored;
    std::vector<CsvRecord> before = ParseCsv(text.substr(0, bad), options.file, ignored);
    bool at_start = before.empty() || text[bad - 1] == '\n' || text[bad - 1] == '\r';
    SourcePos pos{options.file, before.empty() ? 1 : before.back().row + (at_start ? 1 : 0),
                  at_start ? 1 : static_cast<int>(before.back().cells.size())};
    if (LooksLikeGb18030(text)) {
      diags.Error(pos, "", "file is not UTF-8 (looks like GBK/GB18030, as Excel saves Chinese CSV)",
                  "save it as UTF-8, or pass --encoding gbk");
    } else {
      diags.Error(pos, "", "the file is not UTF-8",
                  "save it as \"CSV UTF-8\" (Excel) or convert it: iconv -f GBK -t UTF-8");
    }
    return std::nullopt;
  }
  table.records = ParseCsv(text, options.file, diags);
  std::erase_if(table.records, AllEmpty);
  return table;
}

void AddCellReferences(Diagnostics& diags, std::size_t from, const TableInput& table) {
  if (!table.xlsx || from >= diags.items().size()) return;
  Diagnostics out;
  for (std::size_t i = 0; i < diags.items().size(); ++i) {
    Diagnostic d = diags.items()[i];
    if (i >= from && d.pos.file == table.file && d.pos.line > 0) {
      std::string ref = table.sheet + "!" +
                        (d.pos.column > 0 ? XlsxCellReference(d.pos.line, d.pos.column)
                                          : std::to_string(d.pos.line));
      d.path = d.path.empty() ? ref : ref + " " + d.path;
    }
    out.Add(std::move(d));
  }
  diags = std::move(out);
}

}  // namespace rectify::engine
