#include "adapters/cli/text_table.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iostream>

namespace rectify::cli {

std::size_t DisplayWidth(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto b = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = b;
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : 4;
    if (n > 1) {
      cp = b & (0xFF >> (n + 1));
      for (std::size_t k = 1; k < n && i + k < s.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      }
    }
    i += n;
    bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
    width += wide ? 2 : 1;
  }
  return width;
}

std::string TextTable::Format() const {
  std::vector<std::size_t> widths(header_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out += std::string(widths[c] - DisplayWidth(row[c]) + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header_);
  for (const auto& r : rows_) out += line(r);
  return out;
}

ProgressLine::ProgressLine(std::ostream& err, std::string label)
    : err_(err), label_(std::move(label)), active_(&err == &std::cerr && isatty(STDERR_FILENO)) {}

ProgressLine::~ProgressLine() { Done(); }

void ProgressLine::Update(std::size_t done, std::size_t total) {
  if (!active_ || total == 0) return;
  std::size_t percent = done * 100 / total;
  if (percent == last_percent_ && done != total) return;
  last_percent_ = percent;
  err_ << "\r" << label_ << ": " << done << "/" << total << " (" << percent << "%)" << std::flush;
  shown_ = true;
}

void ProgressLine::Done() {
  if (shown_) err_ << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace rectify::cli
