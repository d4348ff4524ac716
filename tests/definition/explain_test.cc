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
#include "tests/support/temp_dir.h"

namespace rectify::definition {
namespace {

using ::rectify::test::RunRectify;
using test::Library;
using test::SourcePath;
using ::testing::HasSubstr;

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

// `rectify explain xinshao`, by name: the org's whole unit tree, village teams included, each
// unit under its parent with its head; every Xinshao unit has one, so no warning.
TEST(ExplainTest, AnOrgByNameShowsTheWholeUnitTree) {
  auto r = RunRectify({"explain", "xinshao"}, {}, RECTIFY_SOURCE_DIR);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::StartsWith("org xinshao@1: 新邵县脱贫攻坚组织体系\n"
                                           "  304 units, 325 people\n"));
  EXPECT_THAT(r.out, HasSubstr("\n  xinshao  新邵县 (county, 176 below)  head 赵强杰  discipline: "
                               "xinshao-jiwei\n"
                               "    xinshao-hq  县脱贫攻坚指挥部 (headquarters)  head 梁辉林\n"));
  EXPECT_THAT(r.out, HasSubstr("\n    niangxi  酿溪镇 (township, 9 below)  head 徐文波\n"
                               "      niangxi-team-1  酿溪镇第1驻村工作队 (village_team)  head "
                               "唐强华\n"));
  EXPECT_THAT(r.out, HasSubstr("\n      tuqiao-team-1  土桥镇第1驻村工作队 (village_team)  head "));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("warning")));
  auto unknown = RunRectify({"explain", "xinshoa"}, {}, RECTIFY_SOURCE_DIR);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no file and no loaded definition named 'xinshoa'"));
}

// A county's own org where two units have nobody as head: explain says which, and where to add
// one, since a step that notifies unit.head there would reach nobody.
TEST(ExplainTest, AnOrgWarnsAboutUnitsWithoutAHead) {
  rectify::test::TempDir dir;
  std::ofstream(dir.File("county.yaml"))
      << "kind: org\nname: changtai\nunits:\n"
         "  - id: ct\n    name: 长泰县\n    kind: county\n    units:\n"
         "      - { id: changtang, name: 长塘镇, kind: township }\n"
         "      - { id: taiping, name: 太平镇, kind: township }\n"
         "      - { id: tuqiao, name: 土桥镇, kind: township }\n"
         "people:\n"
         "  - { id: c1, name: 甲, unit: ct, roles: [head], contacts: { phone: \"13800000001\" } }\n"
         "  - { id: c2, name: 乙, unit: taiping, roles: [head], contacts: { phone: \"13800000002\" "
         "} }\n";
  auto r = RunRectify({"explain", dir.File("county.yaml")}, {}, RECTIFY_SOURCE_DIR);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  ct  长泰县 (county, 3 below)  head 甲\n"
                               "    changtang  长塘镇 (township)  no head!\n"
                               "    taiping  太平镇 (township)  head 乙\n"
                               "    tuqiao  土桥镇 (township)  no head!\n"));
  EXPECT_THAT(r.out, HasSubstr("\nwarning: 2 units have no head, so what notifies unit.head there "
                               "reaches nobody: changtang (长塘镇), tuqiao (土桥镇)\n"
                               "  give each a person with 'roles: [head]' in " +
                               dir.File("county.yaml") + "\n"));
}

}  // namespace
}  // namespace rectify::definition
