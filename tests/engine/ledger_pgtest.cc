// Ledger import on SQLite and PostgreSQL: all rows in one transaction with the right deadlines,
// nothing at all when any row is wrong (the database's ids included), and the command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iconv.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rectify/engine/ledger.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"
#include "tests/support/xlsx_file.h"

namespace rectify {
namespace {

using test::T;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::string kSample =
    std::string(RECTIFY_SOURCE_DIR) + "/tests/engine/ledgers/xinshao-2017-sample.csv";

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> Messages(Diagnostics diags) {
  diags.Sort();
  std::vector<std::string> out;
  for (const auto& d : diags.items()) out.push_back(d.Format());
  return out;
}

class LedgerImportTest : public test::EngineFixture {
 protected:
  Result<engine::ImportReport> Import(const std::string& text, Diagnostics& diags,
                                      bool dry_run = false) {
    engine::LedgerOptions options{
        .file = "ledger.csv", .campaign = "xinshao-2017", .registrar = "xs-0009"};
    options.now = clock_.Now();
    engine::Ledger ledger = engine::ParseLedger(text, *definitions_, options, diags);
    if (diags.has_errors()) return Error::BadInput("parse");
    return engine::ImportLedger(*engine_, ledger, options, {.dry_run = dry_run}, diags);
  }

  std::map<std::string, std::string> Env() {
    return {{"RECTIFY_DB", db_->url()}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
  }
};

TEST_P(LedgerImportTest, EveryRowIsRegisteredAndAssignedWithItsDeadline) {
  At("2017-06-01T09:00:00+08:00");
  Diagnostics diags;
  auto report = Import(Read(kSample), diags);
  ASSERT_TRUE(report.ok()) << report.error().message() << "\n" << diags.Format();
  EXPECT_THAT(Messages(diags), IsEmpty());
  EXPECT_EQ(report->registered, 3u);
  EXPECT_EQ(Instances(), 3);

  engine::Instance first = Load("XS-2017-001");
  EXPECT_EQ(first.record.state, "rectifying");
  EXPECT_EQ(first.record.campaign, "xinshao-2017");
  EXPECT_EQ(first.registrar, "xs-0009");
  EXPECT_EQ(first.Field("measures"), "重新入户核查");
  // Registered 2017-04-21 with 10wd: due at the end of 2017-05-04 (Labour Day is not counted;
  // the special rectification's weekends are: 04-22 .. 04-28, 05-02 .. 05-04).
  EXPECT_EQ(Due("XS-2017-001"), "2017-05-05T00:00:00+08:00");
  EXPECT_EQ(Due("XS-2017-002"), "2017-05-16T00:00:00+08:00");  // a date: the end of 2017-05-15
  EXPECT_EQ(Due("XS-2017-003"), "2017-05-13T00:00:00+08:00");  // 04-24 + 15wd: end of 05-12
  EXPECT_EQ(Load("XS-2017-002").Field("measures"), "1. 核对台账\n2. 限期拨付");

  auto audit = store_->AuditOf("XS-2017-001");
  ASSERT_TRUE(audit.ok());
  std::vector<std::string> rows;
  for (const auto& a : *audit) {
    rows.push_back(Cn().FormatLocal(a.at) + " " + a.actor + " " + a.event + " " + a.to_state);
  }
  EXPECT_THAT(rows, ElementsAre("2017-04-21T00:00:00+08:00 xs-0009 register registered",
                                "2017-04-21T00:00:00+08:00 xs-0009 assign rectifying"));
  // The escalation ladder counts from the deadline, as for an item added by hand.
  EXPECT_THAT(PendingTimers("XS-2017-001"),
              ::testing::Contains("2017-05-07T08:30:00+08:00 escalate:rectifying:1"));
}

TEST_P(LedgerImportTest, ALedgerWithAnyWrongRowImportsNothing) {
  At("2017-06-01T09:00:00+08:00");
  engine::NewInstance existing;
  existing.id = "Q-3";
  existing.workflow = "rectification-item";
  existing.unit = "niangxi";
  existing.responsible = "xs-0014";
  existing.title = "已登记";
  ASSERT_TRUE(engine_->Register(existing).ok());
  ASSERT_EQ(Instances(), 1);

  std::string text =
      "id,title,unit,responsible,registered_at,time_limit\n"
      "Q-1,危房改造,niangxi,xs-0014,2017-04-21,10wd\n"
      "Q-2,资金滞后,niangxi,xs-0014,2017-04-21,10wd\n"
      "Q-3,已在库中,niangxi,xs-0014,2017-04-21,10wd\n"
      "Q-4,资金滞后,niangxi,xs-0014,2017-04-21,10wd\n";
  Diagnostics diags;
  auto report = Import(text, diags);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.error().message(), "ledger.csv: 1 error; nothing was imported");
  EXPECT_THAT(Messages(diags),
              ElementsAre("ledger.csv:4:1: error: id: item 'Q-3' already exists in the database "
                          "(state registered) (hint: give the row another id, or leave it out if "
                          "it was imported before)"));
  EXPECT_EQ(Instances(), 1);
  EXPECT_FALSE(store_->LoadInstance("Q-1").ok());
}

TEST_P(LedgerImportTest, ADryRunChecksEverythingAndChangesNothing) {
  At("2017-06-01T09:00:00+08:00");
  Diagnostics diags;
  auto report = Import(Read(kSample), diags, /*dry_run=*/true);
  ASSERT_TRUE(report.ok()) << report.error().message();
  EXPECT_EQ(report->items.size(), 3u);
  EXPECT_EQ(report->registered, 0u);
  EXPECT_EQ(Instances(), 0);
}

TEST_P(LedgerImportTest, TheCommandLineListsEveryErrorAndImportsNothing) {
  Write(db_->dir().File("bad.csv"),
        "\xEF\xBB\xBFid,title,unit,responsible,registered_at,time_limit,verifer\r\n"
        "Q-1,危房改造,niangxi,xs-0014,2017-04-21,10 days,\r\n"
        "Q-2,\"资金, 滞后\",niangxi,xs-0014,2017-04-21,10wd,\r\n"
        "Q-2,人员,niangxi,xs-0014,2017-04-21,10wd,\r\n");
  ASSERT_EQ(test::RunRectify({"migrate"}, Env()).exit_code, 0);
  auto r = test::RunRectify({"ledger", "import", db_->dir().File("bad.csv"), "--as", "xs-0009",
                             "--at", "2017-06-01T09:00:00+08:00"},
                            Env());
  EXPECT_EQ(r.exit_code, 1);
  std::string file = db_->dir().File("bad.csv");
  EXPECT_EQ(r.err,
            file +
                ":1:7: warning: verifer: unknown column; it is ignored (hint: did you mean "
                "'verifier'?)\n" +
                file +
                ":2:6: error: time_limit: '10 days' is not a duration or a date (hint: write a "
                "duration such as 10wd (working days), 15d, or a date such as 2017-05-15)\n" +
                file +
                ":4:1: error: id: 'Q-2' is also the id of row 3 (hint: each problem needs "
                "its own id)\n" +
                "rectify: error: " + file + ": 2 errors; nothing was imported\n");
  EXPECT_EQ(r.out, "");
  auto status = test::RunRectify({"--format", "json", "status"}, Env());
  EXPECT_THAT(status.out, HasSubstr("\"instances\":0"));
}

TEST_P(LedgerImportTest, ImportThenExportRoundTrips) {
  ASSERT_EQ(test::RunRectify({"migrate"}, Env()).exit_code, 0);
  auto imported = test::RunRectify({"ledger", "import", kSample, "--as", "xs-0009", "--campaign",
                                    "xinshao-2017", "--at", "2017-06-01T09:00:00+08:00"},
                                   Env());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  // The sample names no verifier: the import says who will verify.
  EXPECT_EQ(imported.out, "imported 3 items from " + kSample +
                              " into campaign xinshao-2017\n  verifier: items XS-2017-001, "
                              "XS-2017-002, XS-2017-003 name no verifier; the holders of the role "
                              "verifier for their units act as verifier and get its reminders: "
                              "马娟德 (xs-0007), 罗燕勇 (xs-0008)\n");
  EXPECT_EQ(imported.err, "");  // a pipe: no progress line
  auto exported = test::RunRectify({"ledger", "export"}, Env());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  // A UTF-8 byte order mark first, so that Excel reads the Chinese as UTF-8; ledger import skips
  // it (the round trip below).
  EXPECT_EQ(exported.out,
            "\xEF\xBB\xBF"
            "id,title,unit,responsible,registered_at,time_limit,workflow,campaign,measures,"
            "special_action\r\n"
            "XS-2017-001,危房改造对象识别不准,niangxi,xs-0014,2017-04-21T00:00:00+08:00,10wd,"
            "rectification-item@2,xinshao-2017,重新入户核查,危房改造\r\n"
            "XS-2017-002,\"扶贫资金拨付滞后，\"\"群众\"\"反映强烈\",niangxi,xs-0012,"
            "2017-04-21T10:00:00+08:00,2017-05-15,rectification-item@2,xinshao-2017,\"1. "
            "核对台账\n2. 限期拨付\",\r\n"
            "XS-2017-003,\"驻村工作队考勤不实, 台账缺失\",yantang,xs-0025,"
            "2017-04-24T00:00:00+08:00,15wd,rectification-item@2,xinshao-2017,,\r\n");

  // The export imports into a fresh database as the same items.
  auto other = test::TestDatabase::Create(GetParam());
  ASSERT_TRUE(other.ok());
  auto env = Env();
  env["RECTIFY_DB"] = (*other)->url();
  Write(db_->dir().File("export.csv"), exported.out);
  ASSERT_EQ(test::RunRectify({"migrate"}, env).exit_code, 0);
  auto again = test::RunRectify({"ledger", "import", db_->dir().File("export.csv"), "--as",
                                 "xs-0009", "--at", "2017-06-01T09:00:00+08:00"},
                                env);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(test::RunRectify({"ledger", "export"}, env).out, exported.out);
}

// An office's XLSX ledger: a title merged over the columns, Chinese headers, dates as Excel dates.
// A wrong cell is named as Excel names it and nothing is imported; the corrected workbook imports
// with the deadlines its CSV twin gets.
TEST_P(LedgerImportTest, AnXlsxLedgerIsReadWithItsCellsNamedInErrors) {
  test::XlsxSheet sheet{
      "台账",
      {{"新邵县2017年问题台账", "", "", "", "", ""},
       {"编号", "问题", "责任单位", "责任人", "登记日期", "整改时限"},
       {"XS-2017-001", "危房改造对象识别不准", "niangxi", "xs-0014", "#d2017-04-21", "10个工作日"},
       {"XS-2017-002", "扶贫资金拨付滞后", "酿溪镇", "徐文波", "#d2017-04-21 10:00",
        "#d2017-05-15"},
       {"XS-2017-003", "驻村工作队考勤不实", "yantang", "xs-0025", "#d2017-04-24", "15 days"}},
      {"A1:F1"}};
  std::string file = db_->dir().File("台账.xlsx");
  test::WriteXlsx(file, {sheet});
  ASSERT_EQ(test::RunRectify({"migrate"}, Env()).exit_code, 0);
  auto bad = test::RunRectify({"ledger", "import", file, "--as", "xs-0009", "--campaign",
                               "xinshao-2017", "--at", "2017-06-01T09:00:00+08:00"},
                              Env());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, file +
                         ":5:6: error: 台账!F5 time_limit: '15 days' is not a duration or a date "
                         "(hint: write a duration such as 10wd (working days), 15d, or a date "
                         "such as 2017-05-15)\n"
                         "rectify: error: " +
                         file + ": 1 error; nothing was imported\n");
  EXPECT_THAT(test::RunRectify({"--format", "json", "status"}, Env()).out,
              HasSubstr("\"instances\":0"));

  sheet.rows[4][5] = "15个工作日";
  test::WriteXlsx(file, {sheet});
  auto wrong_sheet =
      test::RunRectify({"ledger", "import", file, "--sheet", "Sheet1", "--as", "xs-0009",
                        "--campaign", "xinshao-2017", "--at", "2017-06-01T09:00:00+08:00"},
                       Env());
  EXPECT_EQ(wrong_sheet.exit_code, 1);
  EXPECT_THAT(wrong_sheet.err, HasSubstr("the workbook has no sheet 'Sheet1'; its sheets: 台账"));
  auto good = test::RunRectify({"ledger", "import", file, "--sheet", "台账", "--as", "xs-0009",
                                "--campaign", "xinshao-2017", "--at", "2017-06-01T09:00:00+08:00"},
                               Env());
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_THAT(good.out, HasSubstr("imported 3 items from " + file + " into campaign xinshao-2017"));
  EXPECT_EQ(Instances(), 3);
  EXPECT_EQ(Load("XS-2017-002").record.unit_id, "niangxi");
  EXPECT_EQ(Load("XS-2017-002").responsible, "xs-0012");
  // The same deadlines as the CSV sample: 10wd from 2017-04-21, a date, 15wd from 2017-04-24, on
  // the campaign's calendar (weekend rest cancelled during the special rectification).
  EXPECT_EQ(Due("XS-2017-001"), "2017-05-05T00:00:00+08:00");
  EXPECT_EQ(Due("XS-2017-002"), "2017-05-16T00:00:00+08:00");
  EXPECT_EQ(Due("XS-2017-003"), "2017-05-13T00:00:00+08:00");
}

// A typed ledger (seed 002's fund transfers) through the command line: a wrong file imports
// nothing and says where; the right one is appended once, its keys then refused; the export
// writes the canonical cells, which import again into a fresh database.
TEST_P(LedgerImportTest, ATypedLedgerIsAppendedOnceAndExportedAsItsColumns) {
  ASSERT_EQ(test::RunRectify({"migrate"}, Env()).exit_code, 0);
  std::string sample =
      std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/jinkouhe-fund-transfers-sample.csv";
  Write(db_->dir().File("bad.csv"),
        "拨付编号,拨付层级,项目名称,实施单位,拨付金额,拨付日期,拨付状态\n"
        "B-1,区级,安置点,jinhe,12.345,2017-04-10,已拨付\n"
        "B-2,区级,产业路,jinhe,100,2017-04-11,已拨付\n");
  auto bad = test::RunRectify({"ledger", "import", db_->dir().File("bad.csv"), "--kind",
                               "jinkouhe-fund-transfers", "--as", "jkh-07"},
                              Env());
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, db_->dir().File("bad.csv") +
                         ":2:5: error: amount: '12.345' is not an amount of money (hint: write "
                         "yuan with at most two decimals: 12000, 12,000.50, 1.2万)\n"
                         "rectify: error: " +
                         db_->dir().File("bad.csv") + ": 1 error; nothing was imported\n");
  auto empty = test::RunRectify({"ledger", "export", "--kind", "jinkouhe-fund-transfers"}, Env());
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  const std::string header =
      "\xEF\xBB\xBF"
      "transfer_no,level,project,unit,fund_source,amount,transferred_on,handled_by,status,note\r\n";
  EXPECT_EQ(empty.out, header);  // nothing was imported

  auto dry = test::RunRectify({"ledger", "import", sample, "--kind", "jinkouhe-fund-transfers",
                               "--as", "jkh-07", "--dry-run"},
                              Env());
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(dry.out, sample +
                         ": 3 rows would be imported into ledger jinkouhe-fund-transfers "
                         "(扶贫移民项目资金拨付台账); nothing was changed (--dry-run)\n");
  auto good = test::RunRectify({"ledger", "import", sample, "--kind", "jinkouhe-fund-transfers",
                                "--as", "jkh-07", "--at", "2017-05-03T09:00:00+08:00"},
                               Env());
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(good.out,
            "imported 3 rows into ledger jinkouhe-fund-transfers (扶贫移民项目资金拨付台账) from " +
                sample + "\n");
  auto again = test::RunRectify(
      {"ledger", "import", sample, "--kind", "jinkouhe-fund-transfers", "--as", "jkh-07"}, Env());
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr(sample + ":2:1: error: transfer_no: 'JKH-BF-2017-001' is in "
                                            "ledger jinkouhe-fund-transfers already"));
  EXPECT_THAT(again.err, HasSubstr("3 errors; nothing was imported"));

  auto exported =
      test::RunRectify({"ledger", "export", "--kind", "jinkouhe-fund-transfers"}, Env());
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out,
            header +
                "JKH-BF-2017-001,区级,金河镇易地扶贫搬迁安置点建设,jinhe,中央,1250000.00,2017-04-"
                "10,jkh-07,已拨付,\r\n"
                "JKH-BF-2017-002,乡镇级,和平彝族乡产业路硬化,heping,省级,386000.00,2017-04-18,"
                "jkh-07,已拨付,\r\n"
                "JKH-BF-2017-003,村级,共安彝族乡安全饮水工程,gongtong,区级本级,126500.50,2017-05-"
                "02,jkh-07,暂停拨付,违规程序拨付，财政暂停拨付\r\n");

  auto other = test::TestDatabase::Create(GetParam());
  ASSERT_TRUE(other.ok());
  auto env = Env();
  env["RECTIFY_DB"] = (*other)->url();
  Write(db_->dir().File("export.csv"), exported.out);
  ASSERT_EQ(test::RunRectify({"migrate"}, env).exit_code, 0);
  auto back = test::RunRectify({"ledger", "import", db_->dir().File("export.csv"), "--kind",
                                "jinkouhe-fund-transfers", "--as", "jkh-07"},
                               env);
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(test::RunRectify({"ledger", "export", "--kind", "jinkouhe-fund-transfers"}, env).out,
            exported.out);
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

// A ledger as an office keeps it: Chinese headers, dates with slashes and 年月日, limits in
// 个工作日, no verifier column; saved by Excel as GBK. The org's verifiers verify its items.
TEST_P(LedgerImportTest, AnOfficeLedgerInGbkWithoutVerifiersIsVerifiedByTheOrgsVerifiers) {
  const std::string file = db_->dir().File("台账.csv");
  Write(file, Gbk("编号,问题,责任单位,责任人,登记日期,整改时限\r\n"
                  "Q-1,危房改造,酿溪镇,徐文波,2017/4/21,10个工作日\r\n"
                  "Q-2,资金滞后,niangxi,xs-0012,2017年4月24日,15 个工作日\r\n"));
  ASSERT_EQ(test::RunRectify({"migrate"}, Env()).exit_code, 0);
  const std::vector<std::string> import = {
      "ledger", "import", file, "--as", "xs-0009", "--at", "2017-04-25T09:00:00+08:00"};
  auto refused = test::RunRectify(import, Env());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err, file +
                             ":1:1: error: file is not UTF-8 (looks like GBK/GB18030, as Excel "
                             "saves Chinese CSV) (hint: save it as UTF-8, or pass --encoding gbk)\n"
                             "rectify: error: " +
                             file + ": 1 error; nothing was imported\n");

  auto with_encoding = import;
  with_encoding.insert(with_encoding.end(), {"--encoding", "gbk"});
  auto imported = test::RunRectify(with_encoding, Env());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.err, "");
  EXPECT_EQ(imported.out, "imported 2 items from " + file +
                              "\n  verifier: items Q-1, Q-2 name no verifier; the holders of the "
                              "role verifier for their units act as verifier and get its "
                              "reminders: 马娟德 (xs-0007), 罗燕勇 (xs-0008)\n");
  EXPECT_EQ(Due("Q-1"), "2017-05-09T00:00:00+08:00");  // 2017-04-21 + 10wd: end of 05-08
  EXPECT_EQ(Due("Q-2"), "2017-05-17T00:00:00+08:00");  // 2017-04-24 + 15wd: end of 05-16
  EXPECT_EQ(Load("Q-2").Field("time_limit"), "15wd");

  const std::string evidence = db_->dir().File("整改照片.txt");
  Write(evidence, "photos");
  auto submitted = test::RunRectify({"item", "act", "Q-1", "submit", "--as", "xs-0012",
                                     "--evidence", evidence, "--at", "2017-05-02T10:00:00+08:00"},
                                    Env());
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  // The responsible head may not accept their own work; the message names who may.
  auto self = test::RunRectify(
      {"item", "act", "Q-1", "accept", "--as", "xs-0012", "--at", "2017-05-02T11:00:00+08:00"},
      Env());
  EXPECT_EQ(self.exit_code, 1);
  EXPECT_EQ(self.err,
            "rectify: error: 徐文波 (xs-0012) may not 'accept' item Q-1: only verifier (马娟德 "
            "(xs-0007), 罗燕勇 (xs-0008)) may\n");

  // The verifying reminder (-1wd) goes to the verifiers.
  ASSERT_EQ(test::RunRectify({"tick", "--at", "2017-05-08T12:00:00+08:00"}, Env()).exit_code, 0);
  auto show = test::RunRectify({"--format", "json", "item", "show", "Q-1"}, Env());
  ASSERT_EQ(show.exit_code, 0) << show.err;
  std::vector<std::string> reminded;
  const boost::json::value shown = boost::json::parse(show.out);
  for (const auto& a : shown.at("audit").as_array()) {
    if (a.at("event") != "remind" || a.at("to") != "verifying") continue;
    for (const auto& r : a.at("data").at("recipients").as_array()) {
      reminded.emplace_back(r.as_string());
    }
  }
  EXPECT_THAT(reminded, ElementsAre("xs-0007", "xs-0008"));
  auto outbox = store_->PendingOutbox(T("2017-05-09T00:00:00+08:00"), 100);
  ASSERT_TRUE(outbox.ok());
  std::vector<std::string> to;
  for (const auto& o : *outbox) {
    if (o.template_name == "reminder" && o.instance_id == "Q-1") to.push_back(o.recipient);
  }
  EXPECT_THAT(to, ElementsAre("xs-0007", "xs-0008"));

  auto accepted = test::RunRectify(
      {"item", "act", "Q-1", "accept", "--as", "xs-0008", "--at", "2017-05-08T14:00:00+08:00"},
      Env());
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_EQ(Load("Q-1").record.state, "closed");
  auto status = test::RunRectify({"status"}, Env());
  EXPECT_THAT(status.out, HasSubstr("no recipient:    0\n"));
}

// A county of its own beside the library, in which nobody holds the role verifier.
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
  - { id: tc-03, name: 丙三, unit: tc-town, roles: [cadre] }
)";

// Nobody to verify. A ledger that would make such items is refused, saying so; an item added by
// hand without a verifier gets its verifying reminder to nobody, which is an error in the item's
// history and in status until the item moves on, and the refusal to accept says why. Naming the
// verifier on submit is the way through.
TEST_P(LedgerImportTest, NobodyInTheRoleIsAVisibleErrorNotASilentSend) {
  test::TempDir home;
  std::filesystem::copy(std::string(RECTIFY_SOURCE_DIR) + "/workflows", home.File("workflows"),
                        std::filesystem::copy_options::recursive);
  std::filesystem::create_directory_symlink(std::string(RECTIFY_SOURCE_DIR) + "/migrations",
                                            home.File("migrations"));
  Write(home.File("workflows/orgs/test-county.yaml"), kCountyOrg);
  auto env = Env();
  env["RECTIFY_HOME"] = home.path().string();
  ASSERT_EQ(test::RunRectify({"migrate"}, env).exit_code, 0);

  const std::string file = db_->dir().File("ledger.csv");
  Write(file,
        "编号,问题,责任单位,责任人,登记日期,整改时限\n"
        "C-1,危房改造,测试镇,丙三,2017年4月21日,10个工作日\n");
  auto refused_import = test::RunRectify(
      {"ledger", "import", file, "--as", "tc-01", "--at", "2017-04-25T09:00:00+08:00"}, env);
  EXPECT_EQ(refused_import.exit_code, 1);
  EXPECT_EQ(refused_import.out, "");
  EXPECT_EQ(refused_import.err,
            file +
                ":2: error: verifier: nobody would act as verifier on item C-1: item C-1 names no "
                "verifier, and nobody in org test-county holds the role verifier for 测试镇 "
                "(tc-town) (hint: fill the verifier column with a person (id or name), or give "
                "someone the role verifier in org test-county before importing)\n"
                "rectify: error: " +
                file + ": 1 error; nothing was imported\n");

  const std::string evidence = db_->dir().File("evidence.txt");
  Write(evidence, "photos");
  for (const char* id : {"C-1", "C-2"}) {
    auto added = test::RunRectify(
        {"item", "add", "--id", id, "--unit", "tc-town", "--responsible", "tc-03", "--title",
         "危房改造", "--time-limit", "10wd", "--as", "tc-01", "--at", "2017-04-21T09:00:00+08:00"},
        env);
    ASSERT_EQ(added.exit_code, 0) << added.err;
    ASSERT_EQ(test::RunRectify({"item", "act", id, "assign", "--as", "tc-01", "--at",
                                "2017-04-21T09:05:00+08:00"},
                               env)
                  .exit_code,
              0);
  }
  ASSERT_EQ(test::RunRectify({"item", "act", "C-1", "submit", "--as", "tc-03", "--evidence",
                              evidence, "--at", "2017-05-02T10:00:00+08:00"},
                             env)
                .exit_code,
            0);
  auto refused = test::RunRectify(
      {"item", "act", "C-1", "accept", "--as", "tc-01", "--at", "2017-05-02T11:00:00+08:00"}, env);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err,
            "rectify: error: 甲一 (tc-01) may not 'accept' item C-1: only verifier (nobody: item "
            "C-1 names no verifier, and nobody in org test-county holds the role verifier for "
            "测试镇 (tc-town)) may\n");
  // C-2 names its verifier as it is submitted.
  ASSERT_EQ(
      test::RunRectify({"item", "act", "C-2", "submit", "--as", "tc-03", "--evidence", evidence,
                        "--set", "verifier=tc-02", "--at", "2017-05-02T10:00:00+08:00"},
                       env)
          .exit_code,
      0);

  ASSERT_EQ(test::RunRectify({"tick", "--at", "2017-05-08T12:00:00+08:00"}, env).exit_code, 0);
  const std::string why =
      "reminder (remind:verifying:0) has no recipient: item C-1 names no verifier, and nobody in "
      "org test-county holds the role verifier for 测试镇 (tc-town); name the item's verifier "
      "(--set verifier=PERSON) with an event someone can still take, and give someone the role "
      "verifier in a new version of org test-county (an item keeps the org version it started "
      "on)";
  auto show = test::RunRectify({"item", "show", "C-1"}, env);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("ERROR:        2017-05-08T12:00:00+08:00 " + why + "\n"));
  EXPECT_THAT(show.out, HasSubstr("system  no_recipient  verifying -> verifying  \"" + why));
  auto status = test::RunRectify({"status"}, env);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("no recipient:    1 ERROR: notifications that reached "
                                    "nobody\n  C-1 at 2017-05-08T04:00:00Z: " +
                                    why + "\n"));
  auto json = test::RunRectify({"--format", "json", "status"}, env);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const boost::json::value status_json = boost::json::parse(json.out);
  EXPECT_EQ(status_json.at("no_recipient").at("count"), 1);
  // Nothing was queued to nobody; C-2's reminder went to the verifier it names.
  auto outbox = store_->PendingOutbox(T("2017-05-09T00:00:00+08:00"), 100);
  ASSERT_TRUE(outbox.ok());
  std::vector<std::string> reminders;
  for (const auto& o : *outbox) {
    if (o.template_name == "reminder") reminders.push_back(o.instance_id + " " + o.recipient);
  }
  EXPECT_THAT(reminders, ElementsAre("C-2 tc-02"));

  auto accepted = test::RunRectify(
      {"item", "act", "C-2", "accept", "--as", "tc-02", "--at", "2017-05-08T14:00:00+08:00"}, env);
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_EQ(accepted.out, "C-2: accept -> closed\n");
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerImportTest,
                         ::testing::Values(test::Backend::kSqlite, test::Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
