// RFC 5545 content lines: folding at 75 octets on character boundaries, CRLF, TEXT escaping.
#include "adapters/ics/ics_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace rectify::ics {
namespace {

TEST(IcsWriter, EscapesBackslashSemicolonCommaAndNewlines) {
  EXPECT_EQ(EscapeText("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
  EXPECT_EQ(EscapeText("tab\tstays, bell\a goes"), "tab\tstays\\, bell goes");
}

TEST(IcsWriter, ShortLinesAreCrlfEnded) {
  IcsWriter w;
  w.Line("BEGIN", "VCALENDAR");
  w.Text("SUMMARY", "整改; 期限");
  EXPECT_EQ(w.str(), "BEGIN:VCALENDAR\r\nSUMMARY:整改\\; 期限\r\n");
}

TEST(IcsWriter, FoldsAt75OctetsWithoutSplittingACharacter) {
  std::string text;
  for (int i = 0; i < 60; ++i) text += "整";  // 180 octets
  std::string folded = Fold("SUMMARY:" + text);
  std::string unfolded;
  std::size_t start = 0;
  bool first = true;
  while (start < folded.size()) {
    std::size_t end = folded.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    std::string line = folded.substr(start, end - start);
    EXPECT_LE(line.size(), 75u);
    if (!first) {
      ASSERT_EQ(line[0], ' ');
      line.erase(0, 1);
    }
    // Each physical line is valid UTF-8 on its own: it never starts with a continuation byte.
    ASSERT_FALSE(line.empty());
    EXPECT_NE(static_cast<unsigned char>(line[0]) & 0xC0, 0x80);
    unfolded += line;
    first = false;
    start = end + 2;
  }
  EXPECT_EQ(unfolded, "SUMMARY:" + text);
}

TEST(IcsWriter, ExactlySeventyFiveOctetsIsNotFolded) {
  std::string line = "X:" + std::string(73, 'a');
  EXPECT_EQ(Fold(line), line + "\r\n");
  EXPECT_EQ(Fold(line + "b"), line + "\r\n b\r\n");
}

}  // namespace
}  // namespace rectify::ics
