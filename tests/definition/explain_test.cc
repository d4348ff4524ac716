// `rectify explain` through the real binary, compared with golden files under golden/: the
// rectification workflow, the seed-002 escalation ladder, the Xinshao 2017 campaign, and the
// Mermaid diagram of the workflow. To update a golden file after a deliberate change, run the
// command in its test from the source folder and review the diff.
#include "rectify/definition/explain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/definition/library.h"
#include "tests/support/run_command.h"

namespace rectify::definition {
namespace {

using ::rectify::testing::RunRectify;
using ::testing::HasSubstr;
using testing::Library;
using testing::SourcePath;

std::string Golden(const std::string& name) {
  std::ifstream in(SourcePath("tests/definition/golden/" + name));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void ExpectGolden(const std::vector<std::string>& args, const std::string& golden) {
  auto r = RunRectify(args, {}, RECTIFY_SOURCE_DIR);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(r.out, Golden(golden));
}

TEST(ExplainTest, RectificationWorkflow) {
  ExpectGolden({"explain", "workflows/workflows/rectification-item.yaml", "--start", "2017-04-21"},
               "rectification-item.txt");
}

TEST(ExplainTest, Seed002EscalationLadder) {
  ExpectGolden(
      {"explain", "workflows/escalations/overdue-rectification.yaml", "--start", "2017-05-08"},
      "overdue-rectification.txt");
}

TEST(ExplainTest, Xinshao2017Campaign) {
  ExpectGolden({"explain", "workflows/campaigns/xinshao-2017.yaml"}, "xinshao-2017.txt");
}

TEST(ExplainTest, MermaidDiagram) {
  ExpectGolden({"--format", "mermaid", "explain", "workflows/workflows/rectification-item.yaml"},
               "rectification-item.mmd");
}

TEST(ExplainTest, DatesFollowTheCalendar) {
  // Ten working days from 2017-04-21 end on 2017-05-08: 2017-05-01 was Labour Day.
  std::string text =
      ExplainWorkflow(*Library()->FindWorkflow("interview-task"), {*ParseDate("2017-04-28")});
  EXPECT_THAT(text, HasSubstr("example: end of 2017-05-08 (Mon)"));  // 5wd from Fri 04-28
}

TEST(ExplainTest, MermaidOnlyDrawsWorkflows) {
  auto r = RunRectify({"--format", "mermaid", "explain", "workflows/campaigns/xinshao-2017.yaml"},
                      {}, RECTIFY_SOURCE_DIR);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("--format mermaid draws workflows"));
}

TEST(ExplainTest, ABrokenFileIsReportedNotExplained) {
  auto r =
      RunRectify({"explain", "tests/definition/broken/unknown-state.yaml"}, {}, RECTIFY_SOURCE_DIR);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("tests/definition/broken/unknown-state.yaml:6:25: error: "));
  EXPECT_EQ(r.out, "");
}

TEST(ExplainTest, ABadStartDateIsAUsageError) {
  auto r = RunRectify({"explain", "workflows/workflows/interview-task.yaml", "--start", "soon"}, {},
                      RECTIFY_SOURCE_DIR);
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace rectify::definition
