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

}  // namespace rectify
