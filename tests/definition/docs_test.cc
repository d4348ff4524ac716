// docs/yaml-reference.md quotes the library: every line of its yaml examples is a line of a file
// under workflows/ (which the other tests load), and every broken file it names exists.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tests/definition/library.h"

namespace rectify::definition {
namespace {

namespace fs = std::filesystem;
using test::SourcePath;

std::vector<std::string> Lines(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(DocsTest, EveryYamlExampleIsQuotedFromTheLibrary) {
  std::set<std::string> library;
  for (const auto& e : fs::recursive_directory_iterator(SourcePath("workflows"))) {
    if (e.path().extension() != ".yaml") continue;
    for (const auto& line : Lines(e.path())) library.insert(line);
  }
  bool in_yaml = false;
  int quoted = 0;
  for (const auto& line : Lines(SourcePath("docs/yaml-reference.md"))) {
    if (line.rfind("```", 0) == 0) {
      in_yaml = line == "```yaml";
      continue;
    }
    if (!in_yaml) continue;
    std::string trimmed =
        line.substr(line.find_first_not_of(' ') == std::string::npos ? line.size()
                                                                     : line.find_first_not_of(' '));
    if (trimmed.empty() || trimmed == "...") continue;
    EXPECT_EQ(library.count(line), 1u) << "docs/yaml-reference.md quotes a line no file has:\n"
                                       << line;
    ++quoted;
  }
  EXPECT_GT(quoted, 50);
}

TEST(DocsTest, EveryBrokenExampleItNamesExists) {
  std::string text;
  for (const auto& line : Lines(SourcePath("docs/yaml-reference.md"))) text += line + "\n";
  int named = 0;
  for (const auto& e : fs::directory_iterator(SourcePath("tests/definition/broken"))) {
    if (e.path().extension() != ".yaml") continue;
    if (text.find("`" + e.path().filename().string() + "`") != std::string::npos) ++named;
  }
  EXPECT_GE(named, 30);
}

}  // namespace
}  // namespace rectify::definition
