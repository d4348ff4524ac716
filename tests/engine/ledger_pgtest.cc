// Ledger import on SQLite and PostgreSQL: all rows in one transaction with the right deadlines,
// nothing at all when any row is wrong (the database's ids included), and the command line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rectify/engine/ledger.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::T;

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

class LedgerImportTest : public testing::EngineFixture {
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
  // Registered 2017-04-21 with 10wd: due at the end of 2017-05-08 (Labour Day is not counted).
  EXPECT_EQ(Due("XS-2017-001"), "2017-05-09T00:00:00+08:00");
  EXPECT_EQ(Due("XS-2017-002"), "2017-05-16T00:00:00+08:00");  // a date: the end of 2017-05-15
  EXPECT_EQ(Due("XS-2017-003"), "2017-05-17T00:00:00+08:00");  // 04-24 + 15wd: end of 05-16
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
              ::testing::Contains("2017-05-11T08:30:00+08:00 escalate:rectifying:1"));
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
  ASSERT_EQ(testing::RunRectify({"migrate"}, Env()).exit_code, 0);
  auto r = testing::RunRectify({"ledger", "import", db_->dir().File("bad.csv"), "--as", "xs-0009",
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
  auto status = testing::RunRectify({"--format", "json", "status"}, Env());
  EXPECT_THAT(status.out, HasSubstr("\"instances\":0"));
}

TEST_P(LedgerImportTest, ImportThenExportRoundTrips) {
  ASSERT_EQ(testing::RunRectify({"migrate"}, Env()).exit_code, 0);
  auto imported = testing::RunRectify({"ledger", "import", kSample, "--as", "xs-0009", "--campaign",
                                       "xinshao-2017", "--at", "2017-06-01T09:00:00+08:00"},
                                      Env());
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  EXPECT_EQ(imported.out, "imported 3 items from " + kSample + " into campaign xinshao-2017\n");
  EXPECT_EQ(imported.err, "");  // a pipe: no progress line
  auto exported = testing::RunRectify({"ledger", "export"}, Env());
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
  auto other = testing::TestDatabase::Create(GetParam());
  ASSERT_TRUE(other.ok());
  auto env = Env();
  env["RECTIFY_DB"] = (*other)->url();
  Write(db_->dir().File("export.csv"), exported.out);
  ASSERT_EQ(testing::RunRectify({"migrate"}, env).exit_code, 0);
  auto again = testing::RunRectify({"ledger", "import", db_->dir().File("export.csv"), "--as",
                                    "xs-0009", "--at", "2017-06-01T09:00:00+08:00"},
                                   env);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(testing::RunRectify({"ledger", "export"}, env).out, exported.out);
}

INSTANTIATE_TEST_SUITE_P(Backends, LedgerImportTest,
                         ::testing::Values(testing::Backend::kSqlite,
                                           testing::Backend::kPostgresql),
                         testing::BackendTestName);

}  // namespace
}  // namespace rectify
