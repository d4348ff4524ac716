// Aligned text tables for people to read, with Chinese text counted at its display width (two
// columns a character), and a progress line for terminals.
//
//   TextTable t({"unit", "item", "days"});
//   t.Add({"新邵县 / 酿溪镇", "Q-1", "3"});
//   out << t.Format();
//
// Thread-safety: values; not shared.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace rectify::cli {

// What every CSV output (`--format csv`, `ledger export`) starts with: the UTF-8 byte order mark,
// without which Excel reads a CSV file in the system's code page and garbles Chinese. Ledger
// import skips it, so an export imports again.
inline constexpr std::string_view kCsvBom = "\xEF\xBB\xBF";

// Terminal columns a UTF-8 string takes: East Asian wide characters count two.
std::size_t DisplayWidth(std::string_view text);

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns separated by two spaces, padded to the widest cell; no trailing spaces.
  std::string Format() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// A line on standard error that updates in place ("\r"), shown only when standard error is a
// terminal and `err` is std::cerr; never on a pipe or a file.
class ProgressLine {
 public:
  ProgressLine(std::ostream& err, std::string label);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  void Update(std::size_t done, std::size_t total);
  void Done();

 private:
  std::ostream& err_;
  std::string label_;
  bool active_ = false;
  bool shown_ = false;
  std::size_t last_percent_ = 101;
};

}  // namespace rectify::cli
