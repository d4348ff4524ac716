#include "adapters/ics/ics_writer.h"

namespace rectify::ics {

namespace {

constexpr std::size_t kMaxOctets = 75;

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

std::string EscapeText(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        // Other controls are not allowed in TEXT; drop them.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') out += c;
    }
  }
  return out;
}

std::string Fold(std::string_view line) {
  std::string out;
  // The first line holds 75 octets; each continuation line starts with a space, so holds 74 more.
  std::size_t budget = kMaxOctets;
  while (line.size() > budget) {
    std::size_t cut = budget;
    while (cut > 0 && IsContinuation(static_cast<unsigned char>(line[cut]))) --cut;
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    budget = kMaxOctets - 1;
  }
  out.append(line);
  out += "\r\n";
  return out;
}

void IcsWriter::Line(std::string_view name, std::string_view value) {
  std::string line(name);
  line += ':';
  line += value;
  out_ += Fold(line);
}

void IcsWriter::Text(std::string_view name, std::string_view value) {
  Line(name, EscapeText(value));
}

}  // namespace rectify::ics
