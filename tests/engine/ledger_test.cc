// Ledger parsing and checking (engine/include/rectify/engine/ledger.h) on the shipped definitions:
// CSV edge cases, and every problem of a broken ledger with its exact row and column.
#include "rectify/engine/ledger.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iconv.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/temp_dir.h"

namespace rectify {
namespace {

using engine::CsvRecord;
using engine::Ledger;
using engine::LedgerOptions;
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

std::vector<std::vector<std::string>> Cells(const std::vector<CsvRecord>& records) {
  std::vector<std::vector<std::string>> out;
  for (const auto& r : records) out.push_back(r.cells);
  return out;
}

std::vector<std::string> Messages(const Diagnostics& diags) {
  std::vector<std::string> out;
  Diagnostics sorted = diags;
  sorted.Sort();
  for (const auto& d : sorted.items()) out.push_back(d.Format());
  return out;
}

Ledger Parse(const std::string& text, Diagnostics& diags, LedgerOptions options = {}) {
  options.registrar = options.registrar.empty() ? "xs-0009" : options.registrar;
  if (!options.now) options.now = *ParseIso("2017-06-01T00:00:00+08:00");
  return engine::ParseLedger(text, *Shipped(), options, diags);
}

const char* kHeader = "id,title,unit,responsible,registered_at,time_limit\n";

TEST(CsvTest, QuotedCellsHoldCommasQuotesAndLineBreaks) {
  Diagnostics diags;
  auto records = engine::ParseCsv(
      "a,b,c\r\n\"x, y\",\"he said \"\"ok\"\"\",\"line 1\r\nline 2\"\r\n  plain  ,,\"\"\r\n",
      "t.csv", diags);
  EXPECT_THAT(Messages(diags), IsEmpty());
  EXPECT_THAT(Cells(records), ElementsAre(ElementsAre("a", "b", "c"),
                                          ElementsAre("x, y", "he said \"ok\"", "line 1\nline 2"),
                                          ElementsAre("plain", "", "")));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].row, 3);  // a record, not a physical line: the quoted break counts once
}

TEST(CsvTest, AByteOrderMarkIsSkippedAndTheLastLineNeedsNoLineEnd) {
  Diagnostics diags;
  auto records = engine::ParseCsv("\xEF\xBB\xBFid,title\nQ-1,台账", "t.csv", diags);
  EXPECT_THAT(Messages(diags), IsEmpty());
  EXPECT_THAT(Cells(records), ElementsAre(ElementsAre("id", "title"), ElementsAre("Q-1", "台账")));
}

TEST(CsvTest, MalformedQuotingAndEncodingAreReportedWhereTheyAre) {
  Diagnostics diags;
  engine::ParseCsv("a,b\nx,y\"z\n\"p\"q,r\n\xB6\xAB,s\n\"open,t\n", "t.csv", diags);
  EXPECT_THAT(
      Messages(diags),
      ElementsAre(
          "t.csv:2:2: error: a quote inside a cell that is not quoted (hint: quote the whole cell "
          "and double the quote: \"他说\"\"好\"\"\")",
          "t.csv:3:1: error: text after the closing quote of a quoted cell (hint: quote the whole "
          "cell, and write a quote inside it as \"\")",
          "t.csv:4:1: error: the file is not UTF-8 (hint: save it as \"CSV UTF-8\" (Excel) or "
          "convert it: iconv -f GBK -t UTF-8)",
          "t.csv:5:1: error: a quoted cell is not closed: its opening quote has no closing quote "
          "before the end of the file (hint: close it with \", and write a quote inside a quoted "
          "cell as \"\")"));
}

TEST(CsvTest, CellsAreQuotedOnlyWhenTheyMustBe) {
  EXPECT_EQ(engine::CsvLine({"Q-1", "a, b", "say \"hi\"", "two\nlines", "台账"}),
            "Q-1,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",台账\r\n");
}

TEST(LedgerTest, TheSampleLedgerParsesIntoRegistrationsAtTheirRegisteredAt) {
  std::ifstream in(
      std::string(RECTIFY_SOURCE_DIR) + "/tests/engine/ledgers/xinshao-2017-sample.csv",
      std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  Diagnostics diags;
  Ledger ledger = Parse(text.str(), diags, {.file = "xinshao-2017-sample.csv"});
  EXPECT_THAT(Messages(diags), IsEmpty());
  ASSERT_EQ(ledger.rows.size(), 3u);
  const auto& second = ledger.rows[1];
  EXPECT_EQ(second.row, 3);
  EXPECT_EQ(second.item.id, "XS-2017-002");
  EXPECT_EQ(second.item.title, "扶贫资金拨付滞后，\"群众\"反映强烈");
  EXPECT_EQ(second.item.unit, "niangxi");         // given by name: 酿溪镇
  EXPECT_EQ(second.item.responsible, "xs-0012");  // given by name: 徐文波
  EXPECT_EQ(second.item.org, "xinshao");
  EXPECT_EQ(FormatIso(second.item.at), "2017-04-21T02:00:00Z");
  EXPECT_EQ(second.item.fields.at("time_limit"), "2017-05-15");
  EXPECT_EQ(second.item.fields.at("measures"), "1. 核对台账\n2. 限期拨付");
  EXPECT_EQ(second.item.actor, "xs-0009");
  EXPECT_EQ(second.assign_event, "assign");
  EXPECT_EQ(FormatIso(ledger.rows[0].item.at), "2017-04-20T16:00:00Z");  // 2017-04-21 00:00 local
  EXPECT_EQ(ledger.rows[2].item.title, "驻村工作队考勤不实, 台账缺失");
}

TEST(LedgerTest, EveryProblemOfEveryRowIsReportedWithItsRowAndColumn) {
  std::string text = std::string(kHeader) +
                     "Q-1,危房改造,niangxi,xs-0014,2017-04-21,10 days\n"                 // row 2
                     "Q-2,资金滞后,niangxii,xs-0014,2017-04-21,10wd\n"                   // row 3
                     "Q-1,重复编号,yantang,xs-0025,2017-04-21,10wd\n"                    // row 4
                     "Q-4,人员不符,yantang,xs-0014,2017-04-21,10wd\n"                    // row 5
                     "Q-5,,niangxi,xs-9999,2031-01-05,10wd\n"                            // row 6
                     "Q-6,跨年,niangxi,xs-0014,2026-12-20,10wd\n"                        // row 7
                     "Q 7,未来,niangxi,xs-0014,2026-12-31T10:00:00+08:00,2017-04-01\n";  // row 8
  const std::string cn = std::string(RECTIFY_SOURCE_DIR) + "/workflows/calendars/cn.yaml";
  Diagnostics diags;
  LedgerOptions options{.file = "ledger.csv"};
  options.now = *ParseIso("2026-12-31T00:00:00+08:00");
  Ledger ledger = Parse(text, diags, options);
  EXPECT_THAT(
      Messages(diags),
      ElementsAre(
          "ledger.csv:2:6: error: time_limit: '10 days' is not a duration or a date (hint: write "
          "a duration such as 10wd (working days), 15d, or a date such as 2017-05-15)",
          "ledger.csv:3:3: error: unit: no unit 'niangxii' in the loaded orgs (hint: did you "
          "mean 'niangxi'?)",
          "ledger.csv:4:1: error: id: 'Q-1' is also the id of row 2 (hint: each problem needs "
          "its own id)",
          "ledger.csv:5:4: warning: responsible: 唐强华 (xs-0014) belongs to 酿溪镇第1驻村工作队, "
          "outside 严塘镇 (yantang); reminders go to them, escalations to the heads of 严塘镇 "
          "(hint: check the unit and the person of this row)",
          "ledger.csv:6:2: error: title: missing value",
          "ledger.csv:6:4: error: responsible: no person 'xs-9999' in org xinshao (hint: did you "
          "mean 'xs-0099'?)",
          "ledger.csv:6:5: error: registered_at: 2031-01-05 is outside calendar 'cn', which "
          "covers 2016-2026; add the year's holidays to " +
              cn,
          "ledger.csv:7:6: error: time_limit: 2027-01-01 is outside calendar 'cn', which covers "
          "2016-2026; add the year's holidays to " +
              cn,
          "ledger.csv:8:1: error: id: 'Q 7' has a space, a line break or '|' (hint: an id is one "
          "word, such as XS-2017-001)",
          "ledger.csv:8:5: error: registered_at: '2026-12-31T10:00:00+08:00' is later than now "
          "(2026-12-31T00:00:00+08:00) (hint: a problem is registered when it is found; check "
          "the year)"));
  // Row 5 has only a warning, so it is ready; rows with an error are not.
  ASSERT_EQ(ledger.rows.size(), 1u);
  EXPECT_EQ(ledger.rows[0].item.id, "Q-4");
}

TEST(LedgerTest, AMissingRequiredColumnIsReportedOnTheHeaderAndUnknownColumnsWarned) {
  Diagnostics diags;
  Parse("ID,title,unit,responsable,registered,measures\nQ-1,a,niangxi,xs-0014,2017-04-21,x\n",
        diags, {.file = "ledger.csv"});
  EXPECT_THAT(
      Messages(diags),
      ElementsAre(
          "ledger.csv:1: error: missing required columns responsible, registered_at, time_limit "
          "(hint: the header must name id, title, unit, responsible, registered_at, time_limit)",
          "ledger.csv:1:4: warning: responsable: unknown column; it is ignored (hint: did you "
          "mean 'responsible'?)",
          "ledger.csv:1:5: warning: registered: unknown column; it is ignored (hint: did you "
          "mean 'registered_at'?)"));
}

TEST(LedgerTest, ChineseHeadersAndAnotherTimeLimitDate) {
  Diagnostics diags;
  Ledger ledger = Parse(
      "编号,问题,责任单位,责任人,登记日期,整改时限,整改措施\n"
      "Q-1,危房改造,严塘镇,冯文志,2017-04-21,2017-05-15,入户核查\n",
      diags);
  EXPECT_THAT(Messages(diags), IsEmpty());
  ASSERT_EQ(ledger.rows.size(), 1u);
  EXPECT_EQ(ledger.rows[0].item.unit, "yantang");
  EXPECT_EQ(ledger.rows[0].item.responsible, "xs-0025");
  EXPECT_EQ(ledger.rows[0].item.fields.at("measures"), "入户核查");
}

TEST(LedgerTest, WithoutARegistrarRowsThatMustBeAssignedAreRefusedOnce) {
  Diagnostics diags;
  LedgerOptions options{.file = "ledger.csv", .registrar = ""};
  options.now = *ParseIso("2017-06-01T00:00:00+08:00");
  engine::ParseLedger(std::string(kHeader) + "Q-1,a,niangxi,xs-0014,2017-04-21,10wd\n" +
                          "Q-2,b,niangxi,xs-0014,2017-04-21,10wd\n",
                      *Shipped(), options, diags);
  EXPECT_THAT(Messages(diags),
              ElementsAre("ledger.csv:2: error: workflow rectification-item starts in "
                          "'registered', where 'assign' hands the problem over; a person must "
                          "register and assign the rows (hint: name the registrar (rectify "
                          "ledger import --as PERSON))"));
}

TEST(LedgerTest, AnEmptyFileAndAHeaderWithoutRows) {
  Diagnostics empty;
  Parse("\xEF\xBB\xBF\r\n", empty, {.file = "ledger.csv"});
  EXPECT_THAT(Messages(empty),
              ElementsAre("ledger.csv:1: error: the ledger is empty (hint: the first row names "
                          "the columns: id, title, unit, responsible, registered_at, "
                          "time_limit)"));
  Diagnostics header_only;
  Parse(kHeader, header_only, {.file = "ledger.csv"});
  EXPECT_THAT(Messages(header_only),
              ElementsAre("ledger.csv:1: warning: the ledger has a header and no rows"));
}

TEST(LedgerTest, AnUnknownWorkflowIsOneErrorNotOneARow) {
  Diagnostics diags;
  LedgerOptions options;
  options.workflow = "rectification-itme";
  Parse(std::string(kHeader) + "Q-1,t,niangxi,xs-0014,2017-04-21,10wd\n" +
            "Q-2,t,niangxi,xs-0014,2017-04-21,10wd\n",
        diags, options);
  EXPECT_THAT(Messages(diags),
              ElementsAre("ledger.csv:2: error: no workflow 'rectification-itme' is loaded "
                          "(hint: did you mean 'rectification-item'?)"));
}

TEST(LedgerTest, ADateCanMeanAnHourOfThatDayAndAnEmptyTimeLimitADefault) {
  // What rectify simulate asks for: registered when offices open, the campaign's time limit.
  Diagnostics diags;
  LedgerOptions options;
  options.date_registered_at = std::chrono::hours(9);
  options.default_time_limit = "15wd";
  Ledger ledger = Parse(std::string(kHeader) + "Q-1,t,niangxi,xs-0014,2017-04-21,\n" +
                            "Q-2,t,niangxi,xs-0014,2017-04-21T10:00:00+08:00,10wd\n",
                        diags, options);
  EXPECT_THAT(Messages(diags), IsEmpty());
  ASSERT_EQ(ledger.rows.size(), 2u);
  EXPECT_EQ(FormatIso(ledger.rows[0].item.at), "2017-04-21T01:00:00Z");  // 09:00 in Shanghai
  EXPECT_EQ(ledger.rows[0].item.fields.at("time_limit"), "15wd");
  EXPECT_EQ(FormatIso(ledger.rows[1].item.at), "2017-04-21T02:00:00Z");  // as written
  EXPECT_EQ(ledger.rows[1].item.fields.at("time_limit"), "10wd");

  Diagnostics without;
  Parse(std::string(kHeader) + "Q-1,t,niangxi,xs-0014,2017-04-21,\n", without);
  EXPECT_THAT(Messages(without), ElementsAre("ledger.csv:2:6: error: time_limit: missing value"));
}

TEST(OfficeTextTest, DatesAsOfficesWriteThem) {
  for (const char* text :
       {"2018-07-16", "2018-7-16", "2018/7/16", "2018/07/16", "2018.7.16", "2018年7月16日",
        "2018年7月16", "２０１８年７月１６日", " 2018 / 7 / 16 "}) {
    auto d = engine::ParseOfficeDate(text);
    ASSERT_TRUE(d) << text;
    EXPECT_EQ(FormatDate(*d), "2018-07-16") << text;
  }
  for (const char* text : {"2018/2/30", "18/7/16", "2018年7月", "2018-07-16x", "7/16/2018", ""}) {
    EXPECT_FALSE(engine::ParseOfficeDate(text)) << text;
  }
  auto t = engine::ParseOfficeDateTime("2018/7/16 10:30");
  ASSERT_TRUE(t && t->time);
  EXPECT_EQ(t->time->count(), 10 * 60 + 30);
  EXPECT_FALSE(engine::ParseOfficeDateTime("2018/7/16 25:00"));
}

TEST(OfficeTextTest, TimeLimitsAsOfficesWriteThem) {
  auto read = [](const char* text) {
    auto l = engine::ParseOfficeTimeLimit(text);
    return l ? l->text + (l->calendar_days ? " (calendar days)" : "") : std::string("none");
  };
  EXPECT_EQ(read("10wd"), "10wd");
  EXPECT_EQ(read("10 wd"), "10wd");
  EXPECT_EQ(read("10个工作日"), "10wd");
  EXPECT_EQ(read("10 个工作日"), "10wd");
  EXPECT_EQ(read("１０个工作日内"), "10wd");
  EXPECT_EQ(read("15工作日"), "15wd");
  EXPECT_EQ(read("10天"), "10d (calendar days)");
  EXPECT_EQ(read("10日"), "10d (calendar days)");
  EXPECT_EQ(read("30天以内"), "30d (calendar days)");
  EXPECT_EQ(read("10个自然日"), "10d");
  EXPECT_EQ(read("2018/7/31"), "2018-07-31");
  EXPECT_EQ(read("2018年7月31日前"), "2018-07-31");
  EXPECT_EQ(read("2018.7.31之前"), "2018-07-31");
  EXPECT_EQ(read("P2W"), "P2W");
  EXPECT_EQ(read("2017-05-15T18:00:00+08:00"), "2017-05-15T18:00:00+08:00");
  EXPECT_EQ(read("10 days"), "none");
  EXPECT_EQ(read("长期坚持"), "none");
}

TEST(LedgerTest, AnOfficeLedgerWithoutAVerifierSaysWhoWillVerify) {
  Diagnostics diags;
  Ledger ledger = Parse(
      "编 号,问题（title）,责任单位,责任人,登记日期,整改时限（工作日）\n"
      "Q-1,危房改造,酿溪镇,xs-0014,2017/4/21,１０个工作日\n"
      "Q-2,资金滞后,niangxi,xs-0014,2017年4月24日,2017年5月15日前\n"
      "Q-3,台账缺失,yantang,xs-0025,2017.4.24 10:30,10天\n"
      "Q-4,考勤不实,yantang,xs-0025,2017-04-24,10 wd\n",
      diags);
  EXPECT_THAT(Messages(diags), IsEmpty());
  EXPECT_THAT(ledger.columns,
              ElementsAre("id", "title", "unit", "responsible", "registered_at", "time_limit"));
  ASSERT_EQ(ledger.rows.size(), 4u);
  EXPECT_EQ(FormatIso(ledger.rows[0].item.at), "2017-04-20T16:00:00Z");  // 2017-04-21 00:00 local
  EXPECT_EQ(ledger.rows[0].item.fields.at("time_limit"), "10wd");
  EXPECT_EQ(FormatIso(ledger.rows[1].item.at), "2017-04-23T16:00:00Z");
  EXPECT_EQ(ledger.rows[1].item.fields.at("time_limit"), "2017-05-15");
  EXPECT_EQ(FormatIso(ledger.rows[2].item.at), "2017-04-24T02:30:00Z");  // 10:30 local
  EXPECT_EQ(ledger.rows[2].item.fields.at("time_limit"), "10d");
  EXPECT_EQ(ledger.rows[3].item.fields.at("time_limit"), "10wd");
  EXPECT_THAT(ledger.notes,
              ElementsAre("time_limit: '10天' (row 4) is read as 10 calendar days (10d); for "
                          "working days write 10个工作日 or 10wd",
                          "verifier: items Q-1, Q-2, Q-3, Q-4 name no verifier; the holders of the "
                          "role verifier for their units act as verifier and get its reminders: "
                          "马娟德 (xs-0007), 罗燕勇 (xs-0008)"));
}

TEST(LedgerTest, AVerifierColumnTakesIdsOrNames) {
  Diagnostics diags;
  Ledger ledger = Parse(
      "编号,问题,责任单位,责任人,登记日期,整改时限,验收人\n"
      "Q-1,危房改造,酿溪镇,xs-0014,2017/4/21,10个工作日,马娟德\n"
      "Q-2,资金滞后,niangxi,xs-0014,2017/4/21,10个工作日,xs-0008\n"
      "Q-3,台账缺失,niangxi,xs-0014,2017/4/21,10个工作日,\n"
      "Q-4,考勤不实,niangxi,xs-0014,2017/4/21,10个工作日,马娟\n",
      diags);
  EXPECT_THAT(Messages(diags),
              ElementsAre("ledger.csv:5:7: error: verifier: '马娟' names '马娟', not a person id "
                          "of the org"));
  ASSERT_EQ(ledger.rows.size(), 3u);
  EXPECT_EQ(ledger.rows[0].item.fields.at("verifier"), "xs-0007");
  EXPECT_EQ(ledger.rows[1].item.fields.at("verifier"), "xs-0008");
  EXPECT_EQ(ledger.rows[2].item.fields.count("verifier"), 0u);
  EXPECT_THAT(ledger.notes, ElementsAre("verifier: item Q-3 names no verifier; the holders of the "
                                        "role verifier for their units act as verifier and get "
                                        "its reminders: 马娟德 (xs-0007), 罗燕勇 (xs-0008)"));
}

// What Excel saves as "CSV" on a Chinese Windows.
std::string Gbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  std::string out(utf8.size() * 2, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size(), out_left = out.size();
  char* dst = out.data();
  EXPECT_NE(iconv(cd, &in, &in_left, &dst, &out_left), static_cast<std::size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - out_left);
  return out;
}

TEST(LedgerTest, AGbkFileIsOneErrorOrReadWithItsEncoding) {
  const std::string text =
      "编号,问题,责任单位,责任人,登记日期,整改时限\n"
      "Q-1,危房改造,酿溪镇,徐文波,2017年4月21日,10个工作日\n"
      "Q-2,资金滞后,酿溪镇,徐文波,2017年4月21日,10天\n";
  Diagnostics diags;
  Ledger refused = Parse(Gbk(text), diags);
  EXPECT_THAT(Messages(diags),
              ElementsAre("ledger.csv:1:1: error: file is not UTF-8 (looks like GBK/GB18030, as "
                          "Excel saves Chinese CSV) (hint: save it as UTF-8, or pass --encoding "
                          "gbk)"));
  EXPECT_THAT(refused.rows, IsEmpty());

  for (const char* encoding : {"gbk", "GB18030"}) {
    Diagnostics read;
    LedgerOptions options;
    options.encoding = encoding;
    Ledger ledger = Parse(Gbk(text), read, options);
    EXPECT_THAT(Messages(read), IsEmpty()) << encoding;
    ASSERT_EQ(ledger.rows.size(), 2u) << encoding;
    EXPECT_EQ(ledger.rows[0].item.title, "危房改造");
    EXPECT_EQ(ledger.rows[0].item.responsible, "xs-0012");
    EXPECT_EQ(ledger.rows[1].item.fields.at("time_limit"), "10d");
  }

  // Bytes that are neither: the old message, once, where they are.
  Diagnostics latin;
  Parse(std::string(kHeader) + "Q-1,caf\xE9,niangxi,xs-0014,2017-04-21,10wd\n", latin);
  EXPECT_THAT(Messages(latin),
              ElementsAre("ledger.csv:2:2: error: the file is not UTF-8 (hint: save it as \"CSV "
                          "UTF-8\" (Excel) or convert it: iconv -f GBK -t UTF-8)"));
  // A file declared GBK that is not.
  Diagnostics wrong;
  LedgerOptions gbk;
  gbk.encoding = "gbk";
  Parse(std::string(kHeader) + "Q-1,\x81\x20,niangxi,xs-0014,2017-04-21,10wd\n", wrong, gbk);
  EXPECT_THAT(Messages(wrong), ElementsAre("ledger.csv: error: line 2: byte 55 is not GBK; check "
                                           "the encoding the file was saved in"));
}

// A county of its own, in which nobody holds the role verifier.
const char* kCountyOrg = R"(kind: org
name: test-county
version: 1
units:
  - id: tc
    name: 测试县
    kind: county
    units:
      - { id: tc-hq, name: 测试县指挥部, kind: headquarters }
      - { id: tc-town, name: 测试镇, kind: township }
people:
  - { id: tc-01, name: 甲一, unit: tc-hq, roles: [head, inspector, registrar] }
  - { id: tc-02, name: 乙二, unit: tc-town, roles: [head] }
  - { id: tc-03, name: 丙三, unit: tc-town, roles: [responsible_cadre] }
)";

TEST(LedgerTest, RowsThatNobodyCouldVerifyAreRefused) {
  test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "orgs");
  std::ofstream(dir.File("orgs/test-county.yaml")) << kCountyOrg;
  Diagnostics load;
  auto defs = definition::LoadDefinitions(
      {std::string(RECTIFY_SOURCE_DIR) + "/workflows", dir.path().string()}, load);
  ASSERT_TRUE(defs.ok()) << load.Format();
  auto parse = [&](const std::string& rows, Diagnostics& diags) {
    LedgerOptions options{.registrar = "tc-01"};
    options.now = *ParseIso("2017-06-01T00:00:00+08:00");
    return engine::ParseLedger(rows, **defs, options, diags);
  };
  Diagnostics diags;
  Ledger ledger =
      parse(std::string(kHeader) + "C-1,t,tc-town,tc-03,2017-04-21,10wd\n" +
                "C-2,t,tc-town,tc-03,2017-04-21,10wd\n" + "Q-1,t,niangxi,xs-0014,2017-04-21,10wd\n",
            diags);
  EXPECT_THAT(Messages(diags),
              ElementsAre("ledger.csv:2: error: verifier: nobody would act as verifier on items "
                          "C-1, C-2: item C-1 names no verifier, and nobody in org test-county "
                          "holds the role verifier for 测试镇 (tc-town) (hint: fill the verifier "
                          "column with a person (id or name), or give someone the role verifier "
                          "in org test-county before importing)"));
  EXPECT_THAT(ledger.notes, ElementsAre("verifier: item Q-1 names no verifier; the holders of the "
                                        "role verifier for their units act as verifier and get "
                                        "its reminders: 马娟德 (xs-0007), 罗燕勇 (xs-0008)"));
  // With the column filled, by name.
  Diagnostics named;
  parse(
      "id,title,unit,responsible,registered_at,time_limit,验收人\n"
      "C-1,t,tc-town,tc-03,2017-04-21,10wd,乙二\n",
      named);
  EXPECT_THAT(Messages(named), IsEmpty());
}

}  // namespace
}  // namespace rectify

// How a problem was found, in an optional column (issue 15): its closed set, '-' read as '_',
// and anything else refused at its row and column, nothing imported.
namespace rectify {
namespace {

TEST(LedgerFoundByTest, TheColumnSaysHowEachProblemWasFound) {
  Diagnostics diags;
  Ledger ledger = Parse(
      "id,title,unit,responsible,registered_at,time_limit,found_by\n"
      "F-1,长塘村危房未拆除,niangxi,xs-0014,2017-04-21,15wd,unannounced-visit\n"
      "F-2,低保公示不全,niangxi,xs-0014,2017-04-21,15wd,\n",
      diags);
  EXPECT_FALSE(diags.has_errors()) << diags.Format();
  ASSERT_EQ(ledger.rows.size(), 2u);
  EXPECT_EQ(ledger.rows[0].item.origin.found_by, "unannounced_visit");
  EXPECT_TRUE(ledger.rows[1].item.origin.empty());
}

TEST(LedgerFoundByTest, AWayOutsideTheSetIsRefusedAtItsRowAndColumn) {
  Diagnostics diags;
  Parse(
      "id,title,unit,responsible,registered_at,time_limit,发现方式\n"
      "F-1,长塘村危房未拆除,niangxi,xs-0014,2017-04-21,15wd,听说\n",
      diags);
  EXPECT_THAT(Messages(diags),
              ElementsAre(::testing::HasSubstr(":2:7: error: found_by: '听说' is not a way of "
                                               "finding (hint: write one of inspection, "
                                               "open_visit")));
}

}  // namespace
}  // namespace rectify
