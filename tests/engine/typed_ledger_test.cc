// Typed ledgers (typed_ledger.h) against the shipped seed-002 ledgers: cells as offices write them
// read as canonical text, every wrong cell reported at its row and column, and money as 分.
#include "rectify/engine/typed_ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rectify/definition/definition_set.h"
#include "tests/support/temp_dir.h"
#include "tests/support/xlsx_file.h"

namespace rectify {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::shared_ptr<const definition::DefinitionSet> Shipped() {
  static auto set = [] {
    Diagnostics diags;
    auto s = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows"}, diags);
    EXPECT_TRUE(s.ok()) << diags.Format();
    return *s;
  }();
  return set;
}

std::vector<std::string> Messages(Diagnostics diags) {
  diags.Sort();
  std::vector<std::string> out;
  for (const auto& d : diags.items()) out.push_back(d.Format());
  return out;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(TypedLedger, MoneyAsOfficesWriteIt) {
  EXPECT_EQ(engine::ParseMoney("1,250,000"), "1250000.00");
  EXPECT_EQ(engine::ParseMoney("38.6万"), "386000.00");
  EXPECT_EQ(engine::ParseMoney("1.234567万元"), "12345.67");
  EXPECT_EQ(engine::ParseMoney("￥126500.5"), "126500.50");
  EXPECT_EQ(engine::ParseMoney("１２０元"), "120.00");
  EXPECT_EQ(engine::ParseMoney("0.10"), "0.10");
  EXPECT_EQ(engine::ParseMoney("-5"), "-5.00");
  EXPECT_EQ(engine::ParseMoney("12.345"), "");  // 厘 is not money
  EXPECT_EQ(engine::ParseMoney("十万"), "");
  EXPECT_EQ(engine::ParseMoney(""), "");
}

TEST(TypedLedger, TheShippedFundTransferSampleReadsClean) {
  auto kind = Shipped()->FindLedgerKind("jinkouhe-fund-transfers");
  ASSERT_TRUE(kind);
  Diagnostics diags;
  auto ledger =
      engine::ParseTypedLedger(Read(std::string(RECTIFY_SOURCE_DIR) +
                                    "/workflows/ledgers/jinkouhe-fund-transfers-sample.csv"),
                               *kind, *Shipped(), {"sample.csv", "", ""}, diags);
  EXPECT_THAT(Messages(diags), IsEmpty());
  ASSERT_EQ(ledger.rows.size(), 3u);
  EXPECT_THAT(ledger.rows[0].values,
              ElementsAre("JKH-BF-2017-001", "区级", "金河镇易地扶贫搬迁安置点建设", "jinhe",
                          "中央", "1250000.00", "2017-04-10", "jkh-07", "已拨付", ""));
  EXPECT_THAT(ledger.rows[1].values,
              ElementsAre("JKH-BF-2017-002", "乡镇级", "和平彝族乡产业路硬化", "heping", "省级",
                          "386000.00", "2017-04-18", "jkh-07", "已拨付", ""));
  EXPECT_EQ(ledger.rows[2].values[5], "126500.50");
  EXPECT_EQ(ledger.rows[2].key, "JKH-BF-2017-003");
}

TEST(TypedLedger, EveryWrongCellIsReportedAtItsRowAndColumn) {
  auto kind = Shipped()->FindLedgerKind("jinkouhe-fund-transfers");
  ASSERT_TRUE(kind);
  Diagnostics diags;
  auto ledger = engine::ParseTypedLedger(
      "transfer_no,level,project,unit,amount,transferred_on,status,经手人\n"
      "B-1,区级,安置点,jinhe,12.345,2017-04-10,已拨付,\n"
      "B-2,县级,产业路,和平乡,100,2017-13-01,已拨付,\n"
      "B-1,村级,,jinhe,100,2017-04-10,暂停,\n",
      *kind, *Shipped(), {"t.csv", "", ""}, diags);
  EXPECT_THAT(
      Messages(diags),
      ElementsAre(
          "t.csv:1:8: warning: column '经手人' is not a column of ledger jinkouhe-fund-transfers; "
          "it is ignored (hint: its columns: transfer_no, level, project, unit, fund_source, "
          "amount, transferred_on, handled_by, status, note)",
          "t.csv:2:5: error: amount: '12.345' is not an amount of money (hint: write yuan with at "
          "most two decimals: 12000, 12,000.50, 1.2万)",
          "t.csv:3:2: error: level: '县级' is not one of the values of the column (hint: did you "
          "mean '区级'?)",
          "t.csv:3:4: error: unit: no unit '和平乡' in org jinkouhe (hint: write a unit id or name "
          "from workflows/orgs/)",
          "t.csv:3:6: error: transferred_on: '2017-13-01' is not a date (hint: write a date such "
          "as 2017-04-21, 2017/4/21 or 2017年4月21日)",
          "t.csv:4:3: error: project: the cell is empty; the column is required (hint: fill it "
          "in (项目名称))",
          "t.csv:4:7: error: status: '暂停' is not one of the values of the column (hint: write "
          "one of: 已拨付, 暂停拨付, 已恢复拨付)"));
  EXPECT_THAT(ledger.rows, IsEmpty());  // every row has a wrong cell
}

TEST(TypedLedger, AKeyTwiceAndAMissingColumnAreErrors) {
  auto kind = Shipped()->FindLedgerKind("jinkouhe-acceptance");
  ASSERT_TRUE(kind);
  Diagnostics diags;
  engine::ParseTypedLedger("项目编号,项目名称,实施单位\nP-1,路,jinhe\n", *kind, *Shipped(),
                           {"a.csv", "", ""}, diags);
  EXPECT_THAT(Messages(diags),
              ElementsAre("a.csv:1: error: missing required column completed_on (完工日期) (hint: "
                          "the header names the columns by name or title)"));
  Diagnostics twice;
  auto ledger = engine::ParseTypedLedger(
      "项目编号,项目名称,实施单位,完工日期,验收签字人,受益户数\n"
      "P-1,路,金河镇,2017/6/1,邓芳,12\n"
      "P-1,桥,jinhe,2017/6/2,jkh-06,1x\n"
      "P-1,渠,jinhe,2017/6/3,,\n",
      *kind, *Shipped(), {"a.csv", "", ""}, twice);
  EXPECT_THAT(Messages(twice),
              ElementsAre("a.csv:3:6: error: households: '1x' is not a whole number (hint: write "
                          "digits only, such as 119)",
                          "a.csv:4:1: error: project_no: 'P-1' is also the key of row 2 (hint: "
                          "each row of ledger jinkouhe-acceptance needs its own project_no)"));
  ASSERT_EQ(ledger.rows.size(), 1u);
  EXPECT_EQ(ledger.rows[0].values[4], "");        // accepted_on: not in the file
  EXPECT_EQ(ledger.rows[0].values[5], "jkh-06");  // 邓芳, by name
}

TEST(TypedLedger, AnXlsxLedgerNamesItsCells) {
  test::TempDir dir;
  test::WriteXlsx(dir.File("a.xlsx"), {{"验收台账",
                                        {{"金口河区扶贫移民项目验收绩效评价台账", "", "", ""},
                                         {"项目编号", "项目名称", "实施单位", "完工日期"},
                                         {"P-1", "路", "jinhe", "#d2017-06-01"},
                                         {"P-2", "桥", "jinhe", "六月"}},
                                        {"A1:D1"}}});
  auto kind = Shipped()->FindLedgerKind("jinkouhe-acceptance");
  Diagnostics diags;
  auto ledger = engine::ParseTypedLedger(Read(dir.File("a.xlsx")), *kind, *Shipped(),
                                         {"a.xlsx", "", ""}, diags);
  EXPECT_THAT(
      Messages(diags),
      ElementsAre("a.xlsx:4:4: error: 验收台账!D4 completed_on: '六月' is not a date (hint: "
                  "write a date such as 2017-04-21, 2017/4/21 or 2017年4月21日)"));
  ASSERT_EQ(ledger.rows.size(), 1u);
  EXPECT_EQ(ledger.rows[0].values[3], "2017-06-01");
}

}  // namespace
}  // namespace rectify
