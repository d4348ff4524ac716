// `rectify task` through the real binary on an SQLite file: Xinshao's monthly responsibility
// breakdown (seed 001) refused whole for one bad cell, then imported; a township head reports
// May's progress; `task show` lists the report; `task export --output` writes a workbook that the
// XLSX reader reads back with a column pair per month; `ledger import` refuses an inventory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rectify/engine/xlsx_reader.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;

std::map<std::string, std::string> Env(const std::string& db) {
  return {{"RECTIFY_DB", db}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
}

const std::string kSample =
    std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/xinshao-tasks-sample.csv";

TEST(TaskCliTest, ImportReportShowAndExport) {
  test::TempDir dir;
  auto env = Env("sqlite:" + dir.File("t.db"));
  ASSERT_EQ(RunRectify({"migrate"}, env).exit_code, 0);

  // One bad cell: the file is refused at its row and column, nothing is imported.
  std::string bad = dir.File("责任分解表.csv");
  {
    std::ofstream out(bad);
    out << "序号,专项行动,工作任务,责任单位,责任人,完成时限\n"
           "A-1,精准识别,入户核查,酿溪镇,徐文波,2017-05-26\n"
           "A-2,精准识别,入户核查,酿溪镇,徐文波,月底前\n";
  }
  CommandResult refused = RunRectify({"task", "import", bad, "--kind", "xinshao-tasks", "--as",
                                      "xs-0009", "--at", "2017-05-02T09:00:00+08:00"},
                                     env);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("责任分解表.csv:3:6: error: due: '月底前' is not a due date"));
  EXPECT_THAT(refused.err, HasSubstr("1 error; nothing was imported"));
  CommandResult none = RunRectify({"task", "list", "--at", "2017-05-02T10:00:00+08:00"}, env);
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_THAT(none.out, HasSubstr("0 tasks"));

  CommandResult imported = RunRectify({"task", "import", kSample, "--kind", "xinshao-tasks", "--as",
                                       "xs-0009", "--at", "2017-05-02T09:00:00+08:00"},
                                      env);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("imported 12 tasks and 12 milestones into xinshao-tasks"));
  EXPECT_THAT(imported.out, HasSubstr("first progress report: 2017-05"));

  CommandResult report =
      RunRectify({"task", "report", "XS-ZR-2017-05-02", "--percent", "60", "--text",
                  "已入户核查 8 个村", "--as", "xs-0012", "--at", "2017-05-25T16:00:00+08:00"},
                 env);
  ASSERT_EQ(report.exit_code, 0) << report.err;
  // June's report: June 30, 2017 is a Friday.
  EXPECT_EQ(report.out,
            "XS-ZR-2017-05-02: 60% reported for 2017-05; next report 2017-06 due 2017-06-30\n");
  CommandResult stranger =
      RunRectify({"task", "report", "XS-ZR-2017-05-02", "--percent", "70", "--text", "x", "--as",
                  "xs-0023", "--at", "2017-06-05T16:00:00+08:00"},
                 env);
  EXPECT_EQ(stranger.exit_code, 1);

  CommandResult show =
      RunRectify({"task", "show", "XS-ZR-2017-05-02", "--at", "2017-05-26T10:00:00+08:00"}, env);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("酿溪镇 (niangxi)"));
  EXPECT_THAT(show.out, HasSubstr("next report:  2017-06, due 2017-06-30"));
  EXPECT_THAT(show.out, HasSubstr("XS-ZR-2017-05-02-done  完成  open, due 2017-05-26"));
  EXPECT_THAT(show.out,
              HasSubstr("2017-05  60%  已入户核查 8 个村  (徐文波 (xs-0012), 2017-05-25)"));
  // Another township's head does not see it.
  CommandResult hidden = RunRectify(
      {"task", "show", "XS-ZR-2017-05-02", "--as", "xs-0023", "--at", "2017-05-26T10:00:00+08:00"},
      env);
  EXPECT_EQ(hidden.exit_code, 1);

  std::string xlsx = dir.File("分解表.xlsx");
  CommandResult exported = RunRectify({"task", "export", "--kind", "xinshao-tasks", "--output",
                                       xlsx, "--at", "2017-05-26T10:00:00+08:00"},
                                      env);
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  std::ifstream in(xlsx, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto sheet = engine::ReadXlsxSheet(bytes.str(), "");
  ASSERT_TRUE(sheet.ok()) << sheet.error().message();
  ASSERT_EQ(sheet->rows.size(), 13u);
  const auto& header = sheet->rows[0].cells;
  ASSERT_GE(header.size(), 2u);
  EXPECT_EQ(header[header.size() - 2], "2017-06 %");
  EXPECT_EQ(header[header.size() - 4], "2017-05 %");
  const auto& row = sheet->rows[2].cells;  // XS-ZR-2017-05-02
  EXPECT_EQ(row[0], "XS-ZR-2017-05-02");
  EXPECT_EQ(row[header.size() - 4], "60");
  EXPECT_EQ(row[header.size() - 3], "已入户核查 8 个村");

  // A task inventory is not a register: `ledger import` sends it here.
  CommandResult ledger =
      RunRectify({"ledger", "import", kSample, "--kind", "xinshao-tasks", "--as", "xs-0009"}, env);
  EXPECT_EQ(ledger.exit_code, 1);
  EXPECT_THAT(ledger.err, HasSubstr("is a task inventory; import it as tasks"));
}

// Jinkouhe's 119 projects belong to its 2017 programme: `--campaign jinkouhe-2017` makes them the
// campaign's; `task show --format json` prints the API's shape (report {due, overdue}, campaign).
TEST(TaskCliTest, AnInventoryImportedIntoItsCampaign) {
  test::TempDir dir;
  auto env = Env("sqlite:" + dir.File("t.db"));
  ASSERT_EQ(RunRectify({"migrate"}, env).exit_code, 0);
  const std::string sample =
      std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/jinkouhe-tasks-sample.csv";
  CommandResult unknown =
      RunRectify({"task", "import", sample, "--kind", "jinkouhe-tasks", "--as", "jkh-04",
                  "--campaign", "jinkouhe-2071", "--at", "2017-05-02T09:00:00+08:00"},
                 env);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("jinkouhe-2071"));
  CommandResult imported =
      RunRectify({"task", "import", sample, "--kind", "jinkouhe-tasks", "--as", "jkh-04",
                  "--campaign", "jinkouhe-2017", "--at", "2017-05-02T09:00:00+08:00"},
                 env);
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_THAT(imported.out, HasSubstr("imported 119 tasks and 238 milestones into jinkouhe-tasks"));
  EXPECT_THAT(imported.out, HasSubstr("in campaign jinkouhe-2017"));
  CommandResult shown = RunRectify(
      {"task", "show", "JKH-RW-001", "--format", "json", "--at", "2017-05-02T10:00:00+08:00"}, env);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, HasSubstr(R"("campaign":"jinkouhe-2017")"));
  EXPECT_THAT(shown.out, HasSubstr(R"("report":{"due":"2017-05-31","overdue":false})"));
  EXPECT_THAT(shown.out, HasSubstr(R"("id":"JKH-RW-001-start")"));
}

}  // namespace
}  // namespace rectify
