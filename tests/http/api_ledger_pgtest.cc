// POST /api/v1/ledger/check, POST /api/v1/ledger/import and GET /api/v1/ledger/export through a
// live `rectify serve` on SQLite and PostgreSQL: the check reports what `rectify ledger import
// --dry-run` reports, row and column, and changes nothing; an import with one bad row imports
// nothing (422, naming the row and the column); a good one imports every row once, even when
// retried with its Idempotency-Key; GBK needs encoding=gbk; a caller imports into their own units
// only; the export is the caller's readable items in the import's columns, and imports again.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "tests/http/api_table_support.h"
#include "tests/support/xlsx_file.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::Cli;
using test::HttpAnswer;
using ::testing::HasSubstr;

const std::string kGood =
    "id,title,unit,responsible,registered_at,time_limit\n"
    "N-1,酿溪镇档案不全,niangxi,xs-0012,2017-04-21,15wd\n"
    "N-2,长塘村饮水工程未完工,niangxi-team-1,xs-0014,2017-04-21,10wd\n";
// Row 3's time limit is not one.
const std::string kOneBadRow =
    "id,title,unit,responsible,registered_at,time_limit\n"
    "N-1,酿溪镇档案不全,niangxi,xs-0012,2017-04-21,15wd\n"
    "N-2,长塘村饮水工程未完工,niangxi-team-1,xs-0014,2017-04-21,10 days\n";

std::string Multipart(const std::string& filename, const std::string& content) {
  return "------rectify-test\r\n"
         "Content-Disposition: form-data; name=\"file\"; filename=\"" +
         filename +
         "\"\r\n"
         "Content-Type: text/csv\r\n\r\n" +
         content + "\r\n------rectify-test--\r\n";
}
const std::string kMultipartType = "multipart/form-data; boundary=----rectify-test";

class ApiLedgerTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
  }
  std::map<std::string, std::string> As(const std::string& person,
                                        const std::string& scope = "write") {
    std::string key = person + "/" + scope;
    if (!tokens_.count(key)) tokens_[key] = env_->Token(person, scope);
    return {{"Authorization", "Bearer " + tokens_[key]}};
  }
  HttpAnswer Post(const std::string& person, const std::string& target, const std::string& body,
                  std::map<std::string, std::string> extra = {{"Content-Type", "text/csv"}}) {
    auto headers = As(person);
    headers.insert(extra.begin(), extra.end());
    return env_->Client().Send("POST", target, body, headers);
  }
  HttpAnswer Get(const std::string& person, const std::string& target) {
    return env_->Client().Send("GET", target, "", As(person));
  }
  // The ids the caller lists.
  std::set<std::string> Listed(const std::string& person) {
    HttpAnswer a = Get(person, "/api/v1/items?limit=200");
    std::set<std::string> ids;
    json::value v = a.Json();
    for (const auto& i : v.at("items").as_array()) ids.emplace(i.at("id").as_string());
    return ids;
  }
  std::unique_ptr<ApiEnv> env_;
  std::map<std::string, std::string> tokens_;
};

// The CLI's messages about upload.csv, one a line.
std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("upload.csv:", 0) == 0) {
      out.push_back(line);
    }
  }
  return out;
}

TEST_P(ApiLedgerTest, CheckReportsWhatTheCliDryRunReportsAndChangesNothing) {
  std::string file = env_->db().dir().File("upload.csv");
  std::ofstream(file, std::ios::binary) << kOneBadRow;
  test::CommandResult cli =
      test::RunRectify({"--db", env_->db().url(), "ledger", "import", "upload.csv", "--dry-run",
                        "--as", "xs-0012", "--at", "2017-04-21T10:00:00+08:00"},
                       ApiEnv::Env(), env_->db().dir().path().string());
  EXPECT_EQ(cli.exit_code, 1) << cli.out << cli.err;

  HttpAnswer a = Post("xs-0012", "/api/v1/ledger/check", Multipart("upload.csv", kOneBadRow),
                      {{"Content-Type", kMultipartType}});
  ASSERT_EQ(a.status, 200) << a.body;
  json::value report = a.Json();
  EXPECT_EQ(report.at("ok"), false);
  EXPECT_EQ(report.at("file"), "upload.csv");
  EXPECT_EQ(report.at("errors"), 1);
  std::vector<std::string> api_lines;
  for (const auto& d : report.at("diagnostics").as_array()) {
    api_lines.emplace_back(d.at("text").as_string());
  }
  EXPECT_EQ(api_lines, Lines(cli.err));
  const json::value& d = report.at("diagnostics").at(0);
  EXPECT_EQ(d.at("row"), 3);
  EXPECT_EQ(d.at("column"), 6);
  EXPECT_EQ(d.at("column_name"), "time_limit");
  EXPECT_THAT(std::string(d.at("hint").as_string()), HasSubstr("10wd"));

  // A clean file checks clean, and the check registered nothing.
  HttpAnswer clean = Post("xs-0012", "/api/v1/ledger/check", kGood);
  ASSERT_EQ(clean.status, 200) << clean.body;
  EXPECT_EQ(clean.Json().at("ok"), true);
  EXPECT_EQ(clean.Json().at("valid_rows"), 2);
  EXPECT_EQ(clean.Json().at("imported"), 0);
  EXPECT_EQ(Listed("xs-0012"), (std::set<std::string>{"T-A1", "T-A2"}));
}

TEST_P(ApiLedgerTest, ImportIsAllOrNothingAndOnceUnderItsIdempotencyKey) {
  HttpAnswer bad = Post("xs-0012", "/api/v1/ledger/import", kOneBadRow);
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.Json().at("imported"), 0);
  EXPECT_THAT(bad.body, HasSubstr("ledger.csv:3:6: error: time_limit: '10 days'"));
  EXPECT_EQ(Listed("xs-0012"), (std::set<std::string>{"T-A1", "T-A2"}));  // N-1 was not imported

  std::map<std::string, std::string> keyed{{"Content-Type", "text/csv"},
                                           {"Idempotency-Key", "import-n-2017-04-21"}};
  HttpAnswer done = Post("xs-0012", "/api/v1/ledger/import", kGood, keyed);
  ASSERT_EQ(done.status, 201) << done.body;
  EXPECT_EQ(done.Json().at("imported"), 2);
  HttpAnswer replay = Post("xs-0012", "/api/v1/ledger/import", kGood, keyed);
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.body, done.body);
  EXPECT_EQ(replay.Header("idempotent-replayed"), "true");
  EXPECT_EQ(Listed("xs-0012"), (std::set<std::string>{"T-A1", "T-A2", "N-1", "N-2"}));
  // Registered and assigned by the caller, as `ledger import --as` does.
  HttpAnswer item = Get("xs-0012", "/api/v1/items/N-2");
  ASSERT_EQ(item.status, 200);
  EXPECT_EQ(item.Json().at("registrar"), "xs-0012");
  EXPECT_EQ(item.Json().at("state"), "rectifying");

  // Without the key, the same file again is refused row by row: the ids exist.
  HttpAnswer twice = Post("xs-0012", "/api/v1/ledger/import", kGood);
  EXPECT_EQ(twice.status, 422);
  EXPECT_THAT(twice.body, HasSubstr("already exists"));
}

// An XLSX workbook, as the body and as a multipart file: its bad cell is named as Excel names it,
// nothing is imported; the corrected one imports.
TEST_P(ApiLedgerTest, AnXlsxWorkbookIsCheckedAndImportedWithItsCellsNamed) {
  test::XlsxSheet sheet{
      "台账",
      {{"编号", "问题", "责任单位", "责任人", "登记日期", "整改时限"},
       {"N-1", "酿溪镇档案不全", "niangxi", "xs-0012", "#d2017-04-21", "15wd"},
       {"N-2", "长塘村饮水工程未完工", "niangxi-team-1", "xs-0014", "#d2017-04-21", "10 days"}},
      {}};
  std::string file = env_->db().dir().File("upload.xlsx");
  test::WriteXlsx(file, {sheet});
  std::ifstream in(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

  HttpAnswer bad = Post("xs-0012", "/api/v1/ledger/import", bytes, {{"Content-Type", xlsx}});
  ASSERT_EQ(bad.status, 422) << bad.body;
  const json::value d = bad.Json().at("diagnostics").at(0);
  EXPECT_EQ(d.at("row"), 3);
  EXPECT_EQ(d.at("column"), 6);
  EXPECT_EQ(d.at("column_name"), "台账!F3 time_limit");
  EXPECT_THAT(std::string(d.at("text").as_string()),
              HasSubstr("ledger.xlsx:3:6: error: 台账!F3 time_limit: '10 days'"));
  EXPECT_EQ(Listed("xs-0012"), (std::set<std::string>{"T-A1", "T-A2"}));

  HttpAnswer no_sheet =
      Post("xs-0012", "/api/v1/ledger/check?sheet=Sheet1", bytes, {{"Content-Type", xlsx}});
  ASSERT_EQ(no_sheet.status, 200) << no_sheet.body;
  EXPECT_THAT(no_sheet.body, HasSubstr("the workbook has no sheet 'Sheet1'; its sheets: 台账"));

  sheet.rows[2][5] = "10个工作日";
  test::WriteXlsx(file, {sheet});
  std::ifstream again(file, std::ios::binary);
  bytes.assign((std::istreambuf_iterator<char>(again)), std::istreambuf_iterator<char>());
  HttpAnswer done = Post("xs-0012", "/api/v1/ledger/import?sheet=%E5%8F%B0%E8%B4%A6",
                         Multipart("台账.xlsx", bytes), {{"Content-Type", kMultipartType}});
  ASSERT_EQ(done.status, 201) << done.body;
  EXPECT_EQ(done.Json().at("imported"), 2);
  EXPECT_EQ(done.Json().at("file"), "台账.xlsx");
  EXPECT_EQ(Listed("xs-0012"), (std::set<std::string>{"T-A1", "T-A2", "N-1", "N-2"}));
}

// A typed ledger (seed 002's acceptance ledger) over HTTP by an administrator: a wrong cell of a
// workbook is named and nothing appended; a dry run appends nothing; the import appends every
// row; the export gives them back as JSON and as a workbook.
TEST_P(ApiLedgerTest, ATypedLedgerIsImportedAndExportedByAnAdministrator) {
  test::XlsxSheet sheet{"验收台账",
                        {{"项目编号", "项目名称", "实施单位", "完工日期", "完成投资"},
                         {"P-1", "金河镇产业路", "金河镇", "#d2017-06-01", "38.6万"},
                         {"P-2", "和平乡饮水工程", "heping", "六月", "#n126500.5"}},
                        {}};
  std::string file = env_->db().dir().File("acceptance.xlsx");
  test::WriteXlsx(file, {sheet});
  auto read = [&] {
    std::ifstream in(file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  const std::string route = "/api/v1/ledgers/jinkouhe-acceptance/";
  HttpAnswer bad = Post("xs-0003", route + "import", read(), {{"Content-Type", xlsx}});
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.Json().at("imported"), 0);
  EXPECT_EQ(std::string(bad.Json().at("diagnostics").at(0).at("text").as_string()),
            "ledger.xlsx:3:4: error: 验收台账!D3 completed_on: '六月' is not a date (hint: write a "
            "date such as 2017-04-21, 2017/4/21 or 2017年4月21日)");

  sheet.rows[2][3] = "#d2017-06-20";
  test::WriteXlsx(file, {sheet});
  HttpAnswer dry = Post("xs-0003", route + "import?dry_run=true", read(), {{"Content-Type", xlsx}});
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(dry.Json().at("valid_rows"), 2);
  EXPECT_EQ(dry.Json().at("imported"), 0);
  HttpAnswer empty = Get("xs-0003", route + "export?format=json");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.Json().at("rows").as_array().size(), 0u);

  HttpAnswer done = Post("xs-0003", route + "import", read(), {{"Content-Type", xlsx}});
  ASSERT_EQ(done.status, 201) << done.body;
  EXPECT_EQ(done.Json().at("imported"), 2);
  HttpAnswer twice = Post("xs-0003", route + "import", read(), {{"Content-Type", xlsx}});
  EXPECT_EQ(twice.status, 422);
  EXPECT_THAT(twice.body, HasSubstr("'P-1' is in ledger jinkouhe-acceptance already"));

  HttpAnswer exported = Get("xs-0003", route + "export?format=json");
  ASSERT_EQ(exported.status, 200) << exported.body;
  EXPECT_EQ(json::serialize(exported.Json().at("rows")),
            R"([["P-1","金河镇产业路","jinhe","2017-06-01","","","","386000.00","",""],)"
            R"(["P-2","和平乡饮水工程","heping","2017-06-20","","","","126500.50","",""]])");
  HttpAnswer book = Get("xs-0003", route + "export?format=xlsx");
  ASSERT_EQ(book.status, 200);
  EXPECT_EQ(book.Header("content-type"), xlsx);
  EXPECT_EQ(book.body.substr(0, 4), std::string("PK\x03\x04", 4));
  // Not an administrator: no import (403); another county's ledger is not there (404).
  EXPECT_EQ(Post("xs-0012", route + "import", read(), {{"Content-Type", xlsx}}).status, 403);
  EXPECT_EQ(Get("xs-0012", route + "export").status, 404);
}

TEST_P(ApiLedgerTest, ACallerImportsIntoTheirOwnUnitsOnly) {
  const std::string csv =
      "id,title,unit,responsible,registered_at,time_limit\n"
      "N-1,酿溪镇档案不全,niangxi,xs-0012,2017-04-21,15wd\n"
      "Y-1,严塘镇低保公示不全,yantang,xs-0025,2017-04-21,15wd\n";
  HttpAnswer a = Post("xs-0012", "/api/v1/ledger/import", csv);
  ASSERT_EQ(a.status, 422) << a.body;
  json::value report = a.Json();
  ASSERT_EQ(report.at("errors"), 1) << a.body;
  const json::value& d = report.at("diagnostics").at(0);
  EXPECT_EQ(d.at("row"), 3);
  EXPECT_EQ(d.at("column"), 3);
  EXPECT_EQ(d.at("column_name"), "unit");
  EXPECT_THAT(std::string(d.at("message").as_string()), HasSubstr("outside your scope"));
  EXPECT_EQ(Listed("xs-0002").count("N-1"), 0u);
  // The county leader's scope has both.
  HttpAnswer county = Post("xs-0002", "/api/v1/ledger/check", csv);
  EXPECT_EQ(county.Json().at("ok"), true) << county.body;
  // A read token may check but not import; nobody may do either.
  HttpAnswer read = env_->Client().Send("POST", "/api/v1/ledger/import", kGood, [&] {
    auto h = As("xs-0012", "read");
    h["Content-Type"] = "text/csv";
    return h;
  }());
  EXPECT_EQ(read.status, 403);
  EXPECT_EQ(env_->Client()
                .Send("POST", "/api/v1/ledger/check", kGood, {{"Content-Type", "text/csv"}})
                .status,
            401);
}

TEST_P(ApiLedgerTest, BadUploadsAreClearErrors) {
  // "酿溪镇" in GB18030, as Excel saves Chinese CSV on Windows.
  const std::string gbk =
      "id,title,unit,responsible,registered_at,time_limit\n"
      "N-1,\xC4\xF0\xCF\xAA\xD5\xF2,niangxi,xs-0012,2017-04-21,15wd\n";
  HttpAnswer plain = Post("xs-0012", "/api/v1/ledger/check", gbk);
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.Json().at("ok"), false);
  EXPECT_THAT(plain.body, HasSubstr("not UTF-8"));
  EXPECT_THAT(plain.body, HasSubstr("encoding=gbk"));
  HttpAnswer declared = Post("xs-0012", "/api/v1/ledger/import?encoding=gbk", gbk);
  ASSERT_EQ(declared.status, 201) << declared.body;
  HttpAnswer item = Get("xs-0012", "/api/v1/items/N-1");
  EXPECT_EQ(item.Json().at("title"), "酿溪镇");

  struct Case {
    std::string target, body, content_type;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"/api/v1/ledger/check", kGood, "application/json", 400, "send the ledger as text/csv"},
      {"/api/v1/ledger/check?encoding=latin1", kGood, "text/csv", 400, "encoding: write utf-8"},
      {"/api/v1/ledger/check?colour=red", kGood, "text/csv", 400, "colour: unknown parameter"},
      {"/api/v1/ledger/check?campaign=nope", kGood, "text/csv", 400, "no campaign 'nope'"},
      {"/api/v1/ledger/check", Multipart("..", kGood), kMultipartType, 400, "file name alone"},
      {"/api/v1/ledger/check", "no parts at all", kMultipartType, 400, "multipart"},
      {"/api/v1/ledger/check", Multipart("a.csv", kGood), "multipart/form-data", 400, "boundary"},
  };
  for (const Case& c : cases) {
    HttpAnswer a = Post("xs-0012", c.target, c.body, {{"Content-Type", c.content_type}});
    EXPECT_EQ(a.status, c.status) << c.target << ": " << a.body;
    EXPECT_THAT(a.body, HasSubstr(c.says)) << c.target;
  }
  // A ledger may be larger than the 1 MiB other bodies are held to, up to 16 MiB.
  std::string large = kGood + std::string((1u << 20) + 65536, '\n');
  HttpAnswer over_one_mib = Post("xs-0012", "/api/v1/ledger/check", large);
  EXPECT_EQ(over_one_mib.status, 200) << over_one_mib.body.substr(0, 300);
  EXPECT_EQ(over_one_mib.Json().at("valid_rows"), 2) << over_one_mib.body.substr(0, 300);
  // (Over 16 MiB the server answers 413 as soon as it has read the headers and closes the
  // connection, so a client that is still sending sees no answer: http_server_test.cc tests it.)

  // A path in the file name is dropped: the report names the file alone.
  HttpAnswer path =
      Post("xs-0012", "/api/v1/ledger/check", Multipart("C:\\Users\\cadre\\..\\台账.csv", kGood),
           {{"Content-Type", kMultipartType}});
  ASSERT_EQ(path.status, 200) << path.body;
  EXPECT_EQ(path.Json().at("file"), "台账.csv");
}

TEST_P(ApiLedgerTest, ExportIsTheCallersItemsInTheImportsColumns) {
  HttpAnswer mine = Get("xs-0012", "/api/v1/ledger/export");
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_THAT(mine.Header("content-type"), HasSubstr("text/csv"));
  EXPECT_EQ(mine.Header("content-disposition"), "attachment; filename=\"ledger.csv\"");
  EXPECT_EQ(mine.body.rfind("\xEF\xBB\xBF", 0), 0u);
  EXPECT_THAT(mine.body, HasSubstr("T-A1,"));
  EXPECT_THAT(mine.body, HasSubstr("T-A2,"));
  EXPECT_THAT(mine.body, ::testing::Not(HasSubstr("T-B1")));

  // An administrator's export is the CLI's.
  HttpAnswer all = Get("xs-0003", "/api/v1/ledger/export");
  EXPECT_EQ(all.body, Cli(*env_, {"ledger", "export"}).out);

  // It imports again (under new ids, as a ledger moved to another database would).
  std::string again = mine.body.substr(3);
  for (std::size_t at; (at = again.find("T-A")) != std::string::npos;) again.replace(at, 3, "R-A");
  HttpAnswer check = Post("xs-0012", "/api/v1/ledger/check", again);
  ASSERT_EQ(check.status, 200) << check.body;
  EXPECT_EQ(check.Json().at("ok"), true) << check.body;
  EXPECT_EQ(check.Json().at("valid_rows"), 2);

  // As a workbook: the same cells, registered_at a date and time.
  HttpAnswer xlsx = Get("xs-0012", "/api/v1/ledger/export?format=xlsx");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  json::value book = test::XlsxCells(*env_, xlsx.body, "ledger");
  HttpAnswer table = Get("xs-0012", "/api/v1/ledger/export?format=json");
  ASSERT_EQ(table.status, 200) << table.body;
  json::value t = table.Json();
  const json::array& rows = book.at("rows").as_array();
  ASSERT_EQ(rows.size(), t.at("rows").as_array().size() + 1);
  EXPECT_EQ(rows.at(0), t.at("columns"));
  for (std::size_t r = 0; r + 1 < rows.size(); ++r) {
    const json::array& cells = rows.at(r + 1).as_array();
    const json::array& want = t.at("rows").at(r).as_array();
    for (std::size_t c = 0; c < want.size(); ++c) {
      if (t.at("columns").at(c) == "registered_at") {
        // 2017-04-21T00:00:00+08:00 in the sheet as the local date and time.
        EXPECT_EQ(cells.at(c).as_string(), std::string(want.at(c).as_string()).substr(0, 16));
        EXPECT_EQ(book.at("kinds").at(r + 1).at(c), "d");
      } else {
        EXPECT_EQ(cells.at(c), want.at(c)) << "column " << t.at("columns").at(c);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiLedgerTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
