// Reading YAML safely: syntax errors with positions, and the limits (size, depth, alias bombs).
#include "rectify/definition/yaml_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "rectify/definition/canonical.h"
#include "rectify/sha256.h"
#include "tests/support/temp_dir.h"

namespace rectify::definition {
namespace {

using ::testing::HasSubstr;

std::string Parse(const std::string& text, const YamlLimits& limits = {}) {
  Diagnostics diags;
  auto docs = ParseYamlText(text, "t.yaml", limits, diags);
  return diags.Format();
}

TEST(YamlSourceTest, ParsesEveryDocumentOfAFile) {
  Diagnostics diags;
  auto docs = ParseYamlText("kind: org\n---\nkind: workflow\n", "t.yaml", {}, diags);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1].root["kind"].Scalar(), "workflow");
  EXPECT_EQ(docs[1].index, 1);
  EXPECT_FALSE(diags.has_errors());
}

TEST(YamlSourceTest, SyntaxErrorIsPositionedFromTheParserMark) {
  EXPECT_EQ(Parse("kind: workflow\nstates: [a, b\n"),
            "t.yaml:3:1: error: YAML syntax: end of sequence flow not found (hint: close every "
            "'{' and '[' that is opened, and separate items with ',')\n");
}

TEST(YamlSourceTest, RefusesAFileOverTheSizeLimit) {
  YamlLimits limits;
  limits.max_file_bytes = 16;
  EXPECT_EQ(Parse("kind: workflow\nname: too-long\n", limits),
            "t.yaml:1:1: error: the file is 30 bytes, over the limit of 16 bytes (hint: split it "
            "into several files; a folder is validated as one set)\n");
}

TEST(YamlSourceTest, RefusesALargeFileOnDiskBeforeReadingIt) {
  test::TempDir dir;
  std::string path = dir.File("big.yaml");
  {
    std::ofstream out(path);
    std::string line = "# " + std::string(1021, 'x') + "\n";
    for (int i = 0; i < 5 * 1024; ++i) out << line;  // 5 MiB of comments
  }
  Diagnostics diags;
  auto docs = ReadYamlFile(path, {}, diags);
  EXPECT_TRUE(docs.empty());
  EXPECT_EQ(diags.Format(), path +
                                ":1:1: error: the file is 5242880 bytes, over the limit of "
                                "4194304 bytes (hint: split it into several files; a folder is "
                                "validated as one set)\n");
}

TEST(YamlSourceTest, RefusesNestingDeeperThanTheLimit) {
  std::string deep = "a: " + std::string(100, '[') + std::string(100, ']') + "\n";
  EXPECT_EQ(Parse(deep),
            "t.yaml:1:67: error: the document nests deeper than 64 levels (hint: definitions "
            "need only a few levels of nesting; flatten the structure)\n");
}

TEST(YamlSourceTest, DeepNestingFarBeyondTheParsersOwnLimitIsRefusedCleanly) {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(Parse(deep), HasSubstr("nests deeper than 64 levels"));
}

TEST(YamlSourceTest, RefusesAnAliasBombBeforeAnyWalkExpandsIt) {
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 10; ++i) {
    bomb += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) bomb += (k ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += "]\n";
  }
  // 10^10 nodes once expanded: refused at the alias that crosses the limit.
  EXPECT_EQ(Parse(bomb),
            "t.yaml:6:10: error: the document expands to more than 200000 nodes once its "
            "aliases are followed (an alias bomb?) (hint: use fewer or smaller aliases; a "
            "definition needs no more than a few thousand nodes)\n");
}

TEST(YamlSourceTest, AliasesThatNestTooDeepAreRefused) {
  // Each line nests ten lists around the alias of the line before: shallow as written, but a
  // walk that follows the aliases goes 70 levels down.
  std::string text = "l0: &l0 x\n";
  for (int i = 1; i <= 7; ++i) {
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " " + std::string(10, '[') +
            "*l" + std::to_string(i - 1) + std::string(10, ']') + "\n";
  }
  EXPECT_EQ(Parse(text),
            "t.yaml:8:19: error: an alias here nests the document deeper than 64 levels (hint: "
            "write the repeated part out instead of aliasing it inside itself)\n");
}

TEST(YamlSourceTest, ModestAliasesAreFine) {
  EXPECT_EQ(Parse("base: &b { within: 5wd }\nx: *b\ny: *b\n"), "");
}

TEST(CanonicalTest, LayoutCommentsAndKeyOrderDoNotChangeTheHash) {
  Diagnostics diags;
  auto a = ParseYamlText("kind: workflow  # a comment\nname: x\nlist: [1, 2]\n", "a", {}, diags);
  auto b = ParseYamlText("name: 'x'\nlist:\n  - 1\n  - 2\nkind: workflow\n", "b", {}, diags);
  auto c = ParseYamlText("name: x\nlist: [2, 1]\nkind: workflow\n", "c", {}, diags);
  EXPECT_EQ(ContentHash(a[0].root), ContentHash(b[0].root));
  EXPECT_NE(ContentHash(a[0].root), ContentHash(c[0].root));
  EXPECT_EQ(CanonicalForm(a[0].root), R"({"kind":"workflow","list":["1","2"],"name":"x"})");
  EXPECT_EQ(ContentHash(a[0].root).size(), 64u);
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace rectify::definition
