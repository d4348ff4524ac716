// `rectify validate` through the real binary: exit codes, the message format, the summary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

namespace fs = std::filesystem;
using test::RunRectify;
using ::testing::EndsWith;
using ::testing::HasSubstr;

const std::string kSource = RECTIFY_SOURCE_DIR;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ValidateCliTest, TheShippedLibraryIsValid) {
  auto r = RunRectify({"validate", "workflows/"}, {}, kSource);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, ::testing::MatchesRegex("rectify: 0 errors, 0 warnings in [0-9]+ files\n"));
  EXPECT_EQ(r.out, "");
}

TEST(ValidateCliTest, EveryBrokenDefinitionExitsOneWithItsExpectedMessages) {
  int checked = 0;
  for (const auto& e : fs::directory_iterator(kSource + "/tests/definition/broken")) {
    if (e.path().extension() != ".yaml") continue;
    std::string relative = "tests/definition/broken/" + e.path().filename().string();
    auto r = RunRectify({"validate", "--definitions", "workflows", "--", relative}, {}, kSource);
    std::string expected = ReadFile(fs::path(e.path()).replace_extension(".expected"));
    bool warnings_only = expected.find(": error: ") == std::string::npos;
    EXPECT_EQ(r.exit_code, warnings_only ? 0 : 1) << relative;
    auto summary = r.err.rfind("rectify: ");
    ASSERT_NE(summary, std::string::npos) << relative;
    EXPECT_EQ(r.err.substr(0, summary), expected) << relative;
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

TEST(ValidateCliTest, ReportsEveryErrorInEveryFileSortedByFileAndPosition) {
  test::TempDir dir;
  std::ofstream(dir.File("b.yaml"))
      << "kind: escalation\nname: b\nsteps: [{ after: 0, measure: lettr }]\n";
  std::ofstream(dir.File("a.yaml"))
      << "kind: workflow\nname: a\nstates:\n  x: { on: { go: { to: y, by: [responsible] } } }\n"
         "  y: { fianl: true }\n";
  auto r = RunRectify({"validate", dir.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  std::string a = dir.File("a.yaml");
  std::string b = dir.File("b.yaml");
  EXPECT_EQ(r.err,
            a +
                ":4:3: error: states: no state is final, so no item ever ends (hint: mark the "
                "state where the work ends with final: true)\n" +
                a +
                ":5:3: error: states.y: state 'y' is not final and has no way out (hint: add a "
                "transition to another state, or mark it final: true)\n" +
                a +
                ":5:8: error: states.y.fianl: unknown key 'fianl' (hint: did you mean 'final'?)\n" +
                b +
                ":3:30: error: steps[0].measure: unknown measure 'lettr' (hint: one of: "
                "accountability, informed_criticism, notice, reminder_letter, "
                "suggestion_letter, supervision_letter, suspend_payment, warning_interview, "
                "work_interview)\n"
                "rectify: 4 errors, 0 warnings in 2 files\n");
}

TEST(ValidateCliTest, AMissingPathIsAnError) {
  auto r = RunRectify({"validate", "/nonexistent/defs"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/defs: error: no such file or folder"));
  EXPECT_THAT(r.err, EndsWith("rectify: 1 error, 0 warnings in 0 files\n"));
}

TEST(ValidateCliTest, NoPathIsAUsageError) {
  auto r = RunRectify({"validate"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace rectify
