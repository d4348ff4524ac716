// Positioned messages about input: YAML definitions, ledger files, command lines.
//
// Checks report every problem they find, not just the first, into a `Diagnostics` collector.
// Each message says where (file, line and column, 1-based, and the path inside the document),
// what is wrong, and a hint on what to do. One line per message, in the form compilers use:
//
//   workflows/items.yaml:12:9: error: states.rectifying.on.submit.to: unknown state 'verifyin'
//   (hint: did you mean 'verifying'?) workflows/xinshao.yaml:7:5: warning: phases: 2017-04-01 is
//   covered by no phase (hint: ...)
//
// Thread-safety: a value; not shared.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rectify {

// A note is neither wrong nor suspicious: it says what was done (a county's file replacing the
// library's).
enum class Severity { kError, kWarning, kNote };

struct SourcePos {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

struct Diagnostic {
  Severity severity = Severity::kError;
  SourcePos pos;
  std::string path;  // where in the document: "states.rectifying.on.submit.to"; may be empty
  std::string message;
  std::string hint;  // what to do; may be empty

  // "file:line:col: error: path: message (hint: hint)"
  std::string Format() const;
};

class Diagnostics {
 public:
  void Error(SourcePos pos, std::string path, std::string message, std::string hint = {});
  void Warning(SourcePos pos, std::string path, std::string message, std::string hint = {});
  void Note(SourcePos pos, std::string path, std::string message, std::string hint = {});
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Append(const Diagnostics& other);

  bool has_errors() const;
  std::size_t error_count() const;
  std::size_t warning_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }

  // In file, line, column order (stable for equal positions), as a reader expects.
  void Sort();
  // Every message, one per line.
  std::string Format() const;

 private:
  std::vector<Diagnostic> items_;
};

// Suggestions for a word that names nothing known (a misspelt state, unit or column), shared by
// the definition compilers, the ledger readers and the calendar loader.

// The edit (Levenshtein) distance between two byte strings.
std::size_t EditDistance(std::string_view a, std::string_view b);
// The closest candidate to `word` by edit distance, if one is close enough to be a likely typo.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates);
// "did you mean 'x'?" when a candidate is close, else "one of: a, b, c" (or `fallback`).
std::string SuggestHint(std::string_view word, const std::vector<std::string>& candidates,
                        std::string_view fallback = {});

}  // namespace rectify
