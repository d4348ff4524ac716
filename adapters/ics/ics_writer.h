// Writes RFC 5545 iCalendar text: content lines ended by CRLF, folded at 75 octets without
// splitting a UTF-8 character, and TEXT values escaped (backslash, semicolon, comma, newline).
//
//   IcsWriter w;
//   w.Line("BEGIN", "VCALENDAR");
//   w.Text("SUMMARY", "整改期限：问题 Q-1; 酿溪镇");   // escaped and folded
//   std::string ics = w.str();
//
// Thread-safety: a value used by one thread at a time.
#pragma once

#include <string>
#include <string_view>

namespace rectify::ics {

class IcsWriter {
 public:
  // "NAME:VALUE" (NAME may carry parameters: "DTSTART;VALUE=DATE"), VALUE written as it is.
  void Line(std::string_view name, std::string_view value);
  // "NAME:VALUE" with VALUE escaped as a TEXT value.
  void Text(std::string_view name, std::string_view value);

  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

// A TEXT value escaped (RFC 5545 section 3.3.11): \\ \; \, and \n for a line break.
std::string EscapeText(std::string_view text);

// One content line folded at 75 octets (a CRLF and a space before each continuation), CRLF-ended.
std::string Fold(std::string_view line);

}  // namespace rectify::ics
