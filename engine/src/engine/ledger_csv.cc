// RFC 4180 CSV: records, quoted cells, a byte order mark, LF, CRLF and CR line ends.
#include <cstdint>

#include "rectify/engine/ledger.h"
#include "rectify/utf8.h"

namespace rectify::engine {

namespace {

std::string Trim(std::string s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<CsvRecord> ParseCsv(std::string_view text, const std::string& file,
                                Diagnostics& diags) {
  std::vector<CsvRecord> records;
  std::size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  int row = 1;
  bool bad_encoding_reported = false;
  while (i < text.size()) {
    CsvRecord rec;
    rec.row = row;
    bool end_of_record = false;
    while (!end_of_record) {
      int column = static_cast<int>(rec.cells.size()) + 1;
      std::string cell;
      bool quoted = false;
      // Leading spaces before an opening quote are allowed (and dropped).
      std::size_t j = i;
      while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
      if (j < text.size() && text[j] == '"') {
        quoted = true;
        i = j + 1;
        bool closed = false;
        while (i < text.size()) {
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              cell += '"';
              i += 2;
              continue;
            }
            closed = true;
            ++i;
            break;
          }
          // A line break inside a quoted cell is kept as "\n", whatever the file's line ends.
          if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
          cell += text[i++];
        }
        if (!closed) {
          diags.Error({file, row, column}, "",
                      "a quoted cell is not closed: its opening quote has no closing quote "
                      "before the end of the file",
                      "close it with \", and write a quote inside a quoted cell as \"\"");
          rec.cells.push_back(std::move(cell));
          records.push_back(std::move(rec));
          return records;
        }
        std::size_t k = i;
        while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
        if (k < text.size() && text[k] != ',' && text[k] != '\n' && text[k] != '\r') {
          diags.Error({file, row, column}, "", "text after the closing quote of a quoted cell",
                      "quote the whole cell, and write a quote inside it as \"\"");
          while (k < text.size() && text[k] != ',' && text[k] != '\n' && text[k] != '\r') ++k;
        }
        i = k;
      } else {
        bool stray = false;
        while (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') stray = true;
          cell += text[i++];
        }
        if (stray) {
          diags.Error({file, row, column}, "", "a quote inside a cell that is not quoted",
                      "quote the whole cell and double the quote: \"他说\"\"好\"\"\"");
        }
      }
      for (std::size_t k = 0; k < cell.size();) {
        std::size_t n = Utf8SequenceLength(cell, k);
        if (n == 0) {
          if (!bad_encoding_reported) {
            diags.Error({file, row, column}, "", "the file is not UTF-8",
                        "save it as \"CSV UTF-8\" (Excel) or convert it: iconv -f GBK -t UTF-8");
            bad_encoding_reported = true;
          }
          break;
        }
        k += n;
      }
      rec.cells.push_back(quoted ? std::move(cell) : Trim(std::move(cell)));
      if (i >= text.size()) {
        end_of_record = true;
      } else if (text[i] == ',') {
        ++i;
        if (i >= text.size()) {
          rec.cells.emplace_back();
          end_of_record = true;
        }
      } else {  // a line end
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        ++i;
        end_of_record = true;
      }
    }
    records.push_back(std::move(rec));
    ++row;
  }
  return records;
}

std::string CsvCell(std::string_view cell) {
  bool quote = cell.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!cell.empty() && (cell.front() == ' ' || cell.back() == ' '));
  if (!quote) return std::string(cell);
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvLine(const std::vector<std::string>& cells) {
  std::string out;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i) out += ',';
    out += CsvCell(cells[i]);
  }
  return out + "\r\n";
}

}  // namespace rectify::engine
