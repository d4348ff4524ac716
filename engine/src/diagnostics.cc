#include "rectify/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace rectify {

std::string Diagnostic::Format() const {
  std::string s = pos.file.empty() ? std::string("<input>") : pos.file;
  if (pos.line > 0) {
    s += ':' + std::to_string(pos.line);
    if (pos.column > 0) s += ':' + std::to_string(pos.column);
  }
  s += severity == Severity::kError     ? ": error: "
       : severity == Severity::kWarning ? ": warning: "
                                        : ": note: ";
  if (!path.empty()) s += path + ": ";
  s += message;
  if (!hint.empty()) s += " (hint: " + hint + ")";
  return s;
}

void Diagnostics::Error(SourcePos pos, std::string path, std::string message, std::string hint) {
  items_.push_back(
      {Severity::kError, std::move(pos), std::move(path), std::move(message), std::move(hint)});
}

void Diagnostics::Warning(SourcePos pos, std::string path, std::string message, std::string hint) {
  items_.push_back(
      {Severity::kWarning, std::move(pos), std::move(path), std::move(message), std::move(hint)});
}

void Diagnostics::Note(SourcePos pos, std::string path, std::string message, std::string hint) {
  items_.push_back(
      {Severity::kNote, std::move(pos), std::move(path), std::move(message), std::move(hint)});
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

std::size_t Diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

std::size_t Diagnostics::warning_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kWarning; });
}

void Diagnostics::Sort() {
  std::stable_sort(items_.begin(), items_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.pos.file, a.pos.line, a.pos.column) <
           std::tie(b.pos.file, b.pos.line, b.pos.column);
  });
}

std::string Diagnostics::Format() const {
  std::string s;
  for (const auto& d : items_) s += d.Format() + "\n";
  return s;
}

// ---- Suggestions ------------------------------------------------------------------------

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string SuggestHint(std::string_view word, const std::vector<std::string>& candidates,
                        std::string_view fallback) {
  if (auto m = ClosestMatch(word, candidates)) return "did you mean '" + *m + "'?";
  if (!fallback.empty()) return std::string(fallback);
  if (candidates.empty()) return {};
  std::vector<std::string> sorted = candidates;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  std::string s = "one of: ";
  const std::size_t shown = std::min<std::size_t>(sorted.size(), 12);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) s += ", ";
    s += sorted[i];
  }
  if (sorted.size() > shown) s += ", ...";
  return s;
}

}  // namespace rectify
