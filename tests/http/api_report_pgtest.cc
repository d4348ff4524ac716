// GET /api/v1/reports/overdue|summary|ranking through a live `rectify serve` on SQLite and
// PostgreSQL: each caller's report covers their units and holds the same figures as `rectify
// report` (and `rectify campaign show` for the ranking) prints for the same database; the CSV is
// the CLI's CSV byte for byte; the XLSX, opened with the standard library, holds the JSON answer's
// cells (dates as dates, numbers as numbers, Chinese text intact, a bold header); bad input is a
// clear 400, a unit outside the caller's scope 403.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/http/api_table_support.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::CellText;
using test::Cli;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

// A month after the items were registered with 15 working days: all three are overdue.
const std::string kAsOf = "2017-05-20T10:00:00+08:00";
const std::string kAsOfQuery = "as_of=2017-05-20T10:00:00%2B08:00";

class ApiReportTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
  }
  HttpAnswer Get(const std::string& person, const std::string& target,
                 std::map<std::string, std::string> headers = {}) {
    if (!tokens_.count(person)) tokens_[person] = env_->Token(person);
    headers["Authorization"] = "Bearer " + tokens_[person];
    return env_->Client().Send("GET", target, "", headers);
  }
  std::unique_ptr<ApiEnv> env_;
  std::map<std::string, std::string> tokens_;
};

std::vector<std::string> Items(const json::value& report) {
  std::vector<std::string> ids;
  for (const auto& i : report.at("items").as_array()) ids.emplace_back(i.at("item").as_string());
  return ids;
}

TEST_P(ApiReportTest, EachCallerGetsTheCliFiguresForTheirUnits) {
  // person, the unit the CLI is asked for (their scope; "" for the whole county), their items.
  struct Case {
    std::string person, unit;
    std::vector<std::string> items;
  };
  const std::vector<Case> cases = {
      {"xs-0014", "niangxi-team-1", {"T-A1"}},    // cadre of unit A
      {"xs-0025", "yantang-team-1", {"T-B1"}},    // cadre of unit B
      {"xs-0012", "niangxi", {"T-A1", "T-A2"}},   // township head
      {"xs-0002", "", {"T-A1", "T-A2", "T-B1"}},  // county leader
      {"xs-0004", "", {"T-A1", "T-A2", "T-B1"}},  // inspector (headquarters)
      {"xs-0003", "", {"T-A1", "T-A2", "T-B1"}},  // administrator
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.person);
    std::vector<std::string> cli_args = {"report", "overdue", "--as-of", kAsOf, "--format", "json"};
    if (!c.unit.empty()) cli_args.insert(cli_args.end(), {"--unit", c.unit});
    json::value cli = json::parse(Cli(*env_, cli_args).out);
    HttpAnswer a = Get(c.person, "/api/v1/reports/overdue?" + kAsOfQuery);
    ASSERT_EQ(a.status, 200) << a.body;
    EXPECT_EQ(a.Json(), cli);
    EXPECT_THAT(Items(a.Json()), ::testing::UnorderedElementsAreArray(c.items));

    cli_args[1] = "summary";
    json::value cli_summary = json::parse(Cli(*env_, cli_args).out);
    HttpAnswer s = Get(c.person, "/api/v1/reports/summary?" + kAsOfQuery);
    ASSERT_EQ(s.status, 200) << s.body;
    EXPECT_EQ(s.Json(), cli_summary);
    EXPECT_EQ(s.Json().at("overdue_now").as_int64(), static_cast<std::int64_t>(c.items.size()));
  }
}

TEST_P(ApiReportTest, CsvIsTheCliCsvAndAUnitNarrowsIt) {
  std::string cli =
      Cli(*env_, {"report", "overdue", "--as-of", kAsOf, "--unit", "niangxi", "--format", "csv"})
          .out;
  HttpAnswer a = Get("xs-0012", "/api/v1/reports/overdue?format=csv&" + kAsOfQuery);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body, cli);
  EXPECT_EQ(a.body.rfind("\xEF\xBB\xBF", 0), 0u) << "CSV for Excel starts with a byte order mark";
  EXPECT_THAT(a.body, HasSubstr("酿溪镇扶贫资金拨付滞后"));
  EXPECT_THAT(a.Header("content-type"), HasSubstr("text/csv"));
  EXPECT_EQ(a.Header("content-disposition"), "attachment; filename=\"overdue-2017-05-20.csv\"");

  // Accept chooses the format when the query does not.
  HttpAnswer by_accept =
      Get("xs-0012", "/api/v1/reports/overdue?" + kAsOfQuery, {{"Accept", "text/csv"}});
  EXPECT_EQ(by_accept.body, cli);

  // The county leader narrows the county to one township; the summary as the CLI writes it.
  std::string cli_summary =
      Cli(*env_, {"report", "summary", "--as-of", kAsOf, "--unit", "yantang", "--format", "csv"})
          .out;
  HttpAnswer s = Get("xs-0002", "/api/v1/reports/summary?unit=yantang&format=csv&" + kAsOfQuery);
  ASSERT_EQ(s.status, 200) << s.body;
  EXPECT_EQ(s.body, cli_summary);
  EXPECT_THAT(s.body, HasSubstr("count,overdue_now,,1\r\n"));
}

TEST_P(ApiReportTest, XlsxHoldsTheJsonAnswersCells) {
  HttpAnswer j = Get("xs-0002", "/api/v1/reports/overdue?" + kAsOfQuery);
  ASSERT_EQ(j.status, 200) << j.body;
  HttpAnswer x = Get("xs-0002", "/api/v1/reports/overdue?format=xlsx&" + kAsOfQuery);
  ASSERT_EQ(x.status, 200) << x.body;
  EXPECT_EQ(x.Header("content-type"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  EXPECT_EQ(x.Header("content-disposition"), "attachment; filename=\"overdue-2017-05-20.xlsx\"");
  json::value book = test::XlsxCells(*env_, x.body, "overdue");
  ASSERT_TRUE(book.is_object());
  const json::array& rows = book.at("rows").as_array();
  json::value answer = j.Json();
  const json::array& items = answer.at("items").as_array();
  ASSERT_EQ(rows.size(), items.size() + 1);
  std::vector<std::string> header;
  for (const auto& h : rows[0].as_array()) header.emplace_back(h.as_string());
  EXPECT_EQ(header.front(), "unit");
  for (std::size_t r = 0; r < items.size(); ++r) {
    const json::array& cells = rows[r + 1].as_array();
    ASSERT_EQ(cells.size(), header.size());
    for (std::size_t c = 0; c < header.size(); ++c) {
      EXPECT_EQ(cells[c].as_string(), CellText(items[r].at(header[c])))
          << "row " << r + 2 << " column " << header[c];
    }
  }
  // Stored as what they are: the deadline a date, the counts numbers, the flag a boolean.
  const json::array& kinds = book.at("kinds").as_array().at(1).as_array();
  auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  EXPECT_EQ(kinds.at(column("deadline")), "d");
  EXPECT_EQ(kinds.at(column("working_days_overdue")), "n");
  EXPECT_EQ(kinds.at(column("payment_suspended")), "b");
  EXPECT_EQ(kinds.at(column("title")), "s");
  EXPECT_TRUE(book.at("header_bold").as_bool());
  // Columns as wide as their text: the unit path (Chinese) wider than the item id.
  const json::array& widths = book.at("widths").as_array();
  ASSERT_EQ(widths.size(), header.size());
  EXPECT_GT(widths.at(column("unit_path")).as_double(), widths.at(column("item")).as_double());

  // The summary too.
  HttpAnswer sj = Get("xs-0012", "/api/v1/reports/summary?" + kAsOfQuery);
  HttpAnswer sx = Get("xs-0012", "/api/v1/reports/summary?" + kAsOfQuery,
                      {{"Accept",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml."
                        "sheet"}});
  ASSERT_EQ(sx.status, 200) << sx.body;
  json::value summary = test::XlsxCells(*env_, sx.body, "summary");
  bool found = false;
  for (const auto& row : summary.at("rows").as_array()) {
    const auto& cells = row.as_array();
    if (cells.at(0) == "count" && cells.at(1) == "overdue_now") {
      found = true;
      EXPECT_EQ(cells.at(3).as_string(), CellText(sj.Json().at("overdue_now")));
    }
  }
  EXPECT_TRUE(found) << json::serialize(summary);
}

TEST_P(ApiReportTest, RankingIsTheLastAssessmentsLinesOfTheCallersUnits) {
  HttpAnswer none = Get("xs-0002", "/api/v1/reports/ranking?campaign=xinshao-2017");
  EXPECT_EQ(none.status, 404) << none.body;
  EXPECT_THAT(none.body, HasSubstr("has not been started"));
  HttpAnswer missing = Get("xs-0002", "/api/v1/reports/ranking");
  EXPECT_EQ(missing.status, 400);
  EXPECT_THAT(missing.body, HasSubstr("campaign: required"));

  // The campaign runs from 2017-04-21 with items of its own; the June assessment ranks May.
  Cli(*env_, {"campaign", "start", "xinshao-2017", "--at", "2017-04-21"});
  std::string ledger = env_->db().dir().File("campaign.csv");
  std::ofstream(ledger) << "id,title,unit,responsible,registered_at,time_limit\n"
                           "C-A1,长塘村饮水工程未完工,niangxi-team-1,xs-0014,2017-04-21,5wd\n"
                           "C-B1,严塘镇危房改造滞后,yantang,xs-0025,2017-04-21,5wd\n";
  Cli(*env_, {"ledger", "import", ledger, "--as", "xs-0009", "--campaign", "xinshao-2017", "--at",
              "2017-04-21T09:00:00+08:00"});
  Cli(*env_, {"tick", "--until", "2017-06-02T00:00:00+08:00"});
  json::value show =
      json::parse(Cli(*env_, {"campaign", "show", "xinshao-2017", "--format", "json"}).out);
  ASSERT_TRUE(show.as_object().contains("last_assessment")) << show;
  const json::value& last = show.at("last_assessment");

  HttpAnswer all = Get("xs-0003", "/api/v1/reports/ranking?campaign=xinshao-2017");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.Json().at("period"), last.at("period"));
  EXPECT_EQ(all.Json().at("ranking"), last.at("ranking"));
  ASSERT_GT(last.at("ranking").as_array().size(), 2u);

  // The township head sees the lines of niangxi's units only, with their county-wide rank.
  HttpAnswer mine = Get("xs-0012", "/api/v1/reports/ranking?campaign=xinshao-2017");
  ASSERT_EQ(mine.status, 200) << mine.body;
  json::array expected;
  for (const auto& r : last.at("ranking").as_array()) {
    std::string unit(r.at("unit").as_string());
    if (unit.rfind("niangxi", 0) == 0) expected.push_back(r);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(mine.Json().at("ranking"), json::value(expected));

  // As CSV: a line per unit, the rank and score as the JSON has them.
  HttpAnswer csv = Get("xs-0012", "/api/v1/reports/ranking?campaign=xinshao-2017&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_THAT(csv.body, HasSubstr("rank,unit,name,kind,score,deducted,escalations,"
                                  "overdue_items,vetoes\r\n"));
  const json::value& first = expected.at(0);
  EXPECT_THAT(csv.body, HasSubstr(CellText(first.at("rank")) + "," + CellText(first.at("unit")) +
                                  "," + CellText(first.at("name"))));
}

TEST_P(ApiReportTest, BadInputIsAClearErrorAndOtherUnitsAreRefused) {
  struct Case {
    std::string person, target;
    int status;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"xs-0012", "/api/v1/reports/overdue?format=pdf", 400, "format: write json, csv or xlsx"},
      {"xs-0012", "/api/v1/reports/overdue?colour=red", 400, "colour: unknown parameter"},
      {"xs-0012", "/api/v1/reports/overdue?as_of=yesterday", 400, "as_of:"},
      {"xs-0012", "/api/v1/reports/summary?unit=atlantis", 400, "has no unit 'atlantis'"},
      {"xs-0012", "/api/v1/reports/overdue?unit=yantang", 403, "outside your scope"},
      {"xs-0014", "/api/v1/reports/summary?unit=niangxi", 403, "niangxi-team-1 and the units"},
      {"xs-0012", "/api/v1/reports/overdue?campaign=nope", 400, "no campaign 'nope'"},
      {"xs-0012", "/api/v1/reports/ranking?campaign=nope", 404, "no campaign 'nope'"},
  };
  for (const Case& c : cases) {
    HttpAnswer a = Get(c.person, c.target);
    EXPECT_EQ(a.status, c.status) << c.target << ": " << a.body;
    EXPECT_THAT(a.body, HasSubstr(c.says)) << c.target;
    EXPECT_THAT(a.Header("content-type"), HasSubstr("application/json")) << c.target;
  }
  HttpAnswer anonymous = env_->Client().Send("GET", "/api/v1/reports/overdue");
  EXPECT_EQ(anonymous.status, 401);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiReportTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
