// Every broken definition under tests/definition/broken/ gives exactly the messages kept in its
// .expected sidecar, when loaded with the shipped library (so names like `cn` resolve).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rectify/definition/definition_set.h"
#include "tests/definition/library.h"

namespace rectify::definition {
namespace {

namespace fs = std::filesystem;
using test::SourcePath;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> BrokenFiles() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(SourcePath("tests/definition/broken"))) {
    if (e.path().extension() == ".yaml") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class BrokenCorpusTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BrokenCorpusTest, GivesExactlyTheExpectedMessages) {
  const std::string relative = "tests/definition/broken/" + GetParam() + ".yaml";
  const std::string prefix = std::string(RECTIFY_SOURCE_DIR) + "/";
  Diagnostics diags;
  auto set = LoadDefinitions({SourcePath("workflows"), SourcePath(relative)}, diags);
  diags.Sort();
  std::string got;
  for (const auto& d : diags.items()) {
    Diagnostic shown = d;
    ASSERT_EQ(shown.pos.file.rfind(prefix, 0), 0u) << shown.Format();
    shown.pos.file = shown.pos.file.substr(prefix.size());
    EXPECT_EQ(shown.pos.file, relative) << "the library itself reported: " << shown.Format();
    std::string line = shown.Format();
    // Messages that name another file (the calendar's hint) name it as given: relative here.
    for (auto at = line.find(prefix); at != std::string::npos; at = line.find(prefix)) {
      line.erase(at, prefix.size());
    }
    got += line + "\n";
  }
  std::string expected =
      ReadFile(SourcePath("tests/definition/broken/" + GetParam() + ".expected"));
  EXPECT_EQ(got, expected);
  EXPECT_FALSE(expected.empty()) << "a broken definition must say what is wrong";
}

TEST(BrokenCorpusTest, CoversAtLeastTwentyKindsOfMistake) { EXPECT_GE(BrokenFiles().size(), 20u); }

INSTANTIATE_TEST_SUITE_P(Corpus, BrokenCorpusTest, ::testing::ValuesIn(BrokenFiles()),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string name = param.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace rectify::definition
