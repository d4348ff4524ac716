// The XLSX reader (xlsx_reader.h) and uploaded tables (table_input.h) on workbooks written by
// libxlsxwriter as Excel writes them: shared and inline strings, numbers, dates in the 1900 date
// system, merged titles and headers, and the errors a user sees for what is not a workbook.
#include "rectify/engine/xlsx_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rectify/engine/table_input.h"
#include "tests/support/temp_dir.h"
#include "tests/support/xlsx_file.h"

namespace rectify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A ledger as an office keeps it: a title merged over the columns, then the header, then rows
// with dates as dates and a number as a number.
test::XlsxSheet OfficeLedger() {
  return {"台账",
          {{"新邵县2017年问题台账", "", "", "", ""},
           {"编号", "问题", "责任单位", "登记日期", "整改时限"},
           {"XS-1", "危房改造对象识别不准", "niangxi", "#d2017-04-21", "10个工作日"},
           {"XS-2", "扶贫资金拨付滞后", "酿溪镇", "#d2017-04-21 10:00", "#d2017-05-15"},
           {},
           {"XS-3", " 台账缺失 ", "yantang", "#d2017-04-24", "#n15"}},
          {"A1:E1"}};
}

TEST(XlsxReader, ReadsSharedStringsDatesNumbersAndMergedTitles) {
  test::TempDir dir;
  test::WriteXlsx(dir.File("l.xlsx"), {OfficeLedger(), {"说明", {{"备注"}}, {}}});
  std::string bytes = Read(dir.File("l.xlsx"));
  ASSERT_TRUE(engine::LooksLikeXlsx(bytes));
  auto sheet = engine::ReadXlsxSheet(bytes, "");
  ASSERT_TRUE(sheet.ok()) << sheet.error().message();
  EXPECT_EQ(sheet->name, "台账");
  EXPECT_THAT(sheet->sheets, ElementsAre("台账", "说明"));
  ASSERT_EQ(sheet->rows.size(), 5u);  // row 5 is empty
  EXPECT_TRUE(sheet->rows[0].title);
  EXPECT_THAT(sheet->rows[0].cells,
              ElementsAre("新邵县2017年问题台账", "新邵县2017年问题台账", "新邵县2017年问题台账",
                          "新邵县2017年问题台账", "新邵县2017年问题台账"));
  EXPECT_FALSE(sheet->rows[1].title);
  EXPECT_THAT(sheet->rows[2].cells,
              ElementsAre("XS-1", "危房改造对象识别不准", "niangxi", "2017-04-21", "10个工作日"));
  EXPECT_THAT(sheet->rows[3].cells,
              ElementsAre("XS-2", "扶贫资金拨付滞后", "酿溪镇", "2017-04-21 10:00", "2017-05-15"));
  EXPECT_EQ(sheet->rows[4].row, 6);
  EXPECT_THAT(sheet->rows[4].cells,
              ElementsAre("XS-3", " 台账缺失 ", "yantang", "2017-04-24", "15"));

  auto other = engine::ReadXlsxSheet(bytes, "说明");
  ASSERT_TRUE(other.ok());
  EXPECT_THAT(other->rows.front().cells, ElementsAre("备注"));
  auto missing = engine::ReadXlsxSheet(bytes, "Sheet1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(),
            "the workbook has no sheet 'Sheet1'; its sheets: 台账, 说明");
}

TEST(XlsxReader, ReadsInlineStringsAsWell) {
  test::TempDir dir;
  test::WriteXlsx(dir.File("l.xlsx"), {OfficeLedger()}, /*inline_strings=*/true);
  auto sheet = engine::ReadXlsxSheet(Read(dir.File("l.xlsx")), "");
  ASSERT_TRUE(sheet.ok()) << sheet.error().message();
  ASSERT_EQ(sheet->rows.size(), 5u);
  EXPECT_THAT(sheet->rows[2].cells,
              ElementsAre("XS-1", "危房改造对象识别不准", "niangxi", "2017-04-21", "10个工作日"));
}

TEST(XlsxReader, SerialDatesOfThe1900And1904Systems) {
  EXPECT_EQ(engine::XlsxSerialDate(1), "1900-01-01");
  EXPECT_EQ(engine::XlsxSerialDate(59), "1900-02-28");
  EXPECT_EQ(engine::XlsxSerialDate(60), "1900-02-29");  // Excel's fictitious leap day
  EXPECT_EQ(engine::XlsxSerialDate(61), "1900-03-01");
  EXPECT_EQ(engine::XlsxSerialDate(42846), "2017-04-21");
  EXPECT_EQ(engine::XlsxSerialDate(42846.416666666664), "2017-04-21 10:00");
  EXPECT_EQ(engine::XlsxSerialDate(42846.999999), "2017-04-22");
  EXPECT_EQ(engine::XlsxSerialDate(0), "");
  EXPECT_EQ(engine::XlsxSerialDate(41384, /*date1904=*/true), "2017-04-21");
  EXPECT_EQ(engine::XlsxCellReference(14, 6), "F14");
  EXPECT_EQ(engine::XlsxCellReference(1, 28), "AB1");
}

TEST(XlsxReader, WhatIsNotAWorkbookIsOneClearError) {
  auto csv = engine::ReadXlsxSheet("id,title\n", "");
  ASSERT_FALSE(csv.ok());
  EXPECT_THAT(csv.error().message(), HasSubstr("not an XLSX workbook"));
  auto broken = engine::ReadXlsxSheet(std::string("PK\x03\x04garbage", 11), "");
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.error().message(), HasSubstr("not an XLSX workbook"));
}

TEST(XlsxReader, ASheetOfFewCellsFarApartIsRefusedNotAllocated) {
  // One cell in column XFD on each of 700 rows: 11 million cells if each row were held whole.
  test::XlsxSheet sheet{"Sheet1", {}, {}};
  for (int r = 0; r < 700; ++r) {
    sheet.rows.emplace_back(16384);
    sheet.rows.back().back() = "x";
  }
  test::TempDir dir;
  test::WriteXlsx(dir.File("wide.xlsx"), {sheet});
  auto read = engine::ReadXlsxSheet(Read(dir.File("wide.xlsx")), "");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().message(),
            "the sheet 'Sheet1' is too large to read (more than 10 million cells); split it, or "
            "save it as CSV");
}

TEST(TableInput, AnXlsxTableSkipsTheTitleAndNamesCellsInMessages) {
  test::TempDir dir;
  test::WriteXlsx(dir.File("l.xlsx"), {OfficeLedger()});
  Diagnostics diags;
  auto table = engine::ReadTableInput(Read(dir.File("l.xlsx")), {"l.xlsx", "", ""}, diags);
  ASSERT_TRUE(table.has_value()) << diags.Format();
  EXPECT_TRUE(table->xlsx);
  ASSERT_EQ(table->records.size(), 4u);
  EXPECT_EQ(table->records[0].row, 2);  // the header, below the title
  EXPECT_EQ(table->records[0].cells[0], "编号");
  EXPECT_EQ(table->records[3].row, 6);
  EXPECT_EQ(table->records[3].cells[1], "台账缺失");  // trimmed
  diags.Error({"l.xlsx", 6, 5}, "time_limit", "wrong");
  diags.Error({"l.xlsx", 3, 0}, "", "row wrong");
  engine::AddCellReferences(diags, 0, *table);
  EXPECT_EQ(diags.items()[0].Format(), "l.xlsx:6:5: error: 台账!E6 time_limit: wrong");
  EXPECT_EQ(diags.items()[1].Format(), "l.xlsx:3: error: 台账!3: row wrong");
}

}  // namespace
}  // namespace rectify
