// A campaign's assessment through a live `rectify serve` on SQLite and PostgreSQL, beside the CLI
// on the same database: the headquarters' inspector enters marks, corrects one (with its reason,
// the old value kept), gives bonus points and takes a one-vote veto through the API; the roles
// are the definition's (a township head may not mark, a read token may not write); the ranking
// shows each line's marks, bonus, vetoes and reasons, the caller's units only; publication waits
// for the period's end and every mark, closes the period, and becomes the campaign's ranking;
// the XLSX export is in the layout and language the definition names, the same from the CLI.
//
// The server's clock starts at 2017-04-21 10:00 (api_env.h), so the API enters marks for April
// (begun, not ended); the CLI, with --at, publishes on May 3.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rectify/sha256.h"
#include "tests/http/api_table_support.h"
#include "tests/http/multipart_body.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::Cli;
using test::CommandResult;
using test::HttpAnswer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const char* const kCriteria[] = {"accurate_identification",
                                 "accurate_withdrawal",
                                 "accurate_assistance",
                                 "policy_implementation",
                                 "fund_use",
                                 "discipline"};
const std::string kBase = "/api/v1/assessments/xinshao-2017/2017-04";

class ApiAssessmentTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
    Cli(*env_, {"campaign", "start", "xinshao-2017", "--at", "2017-04-21"});
  }
  HttpAnswer Send(const std::string& person, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    if (!tokens_.count(person)) tokens_[person] = env_->Token(person);
    std::map<std::string, std::string> headers = {{"Authorization", "Bearer " + tokens_[person]}};
    if (!body.empty()) headers["Content-Type"] = "application/json";
    return env_->Client().Send(method, target, body, headers);
  }
  static const json::object& Line(const json::value& view, const std::string& unit) {
    for (const auto& r : view.at("ranking").as_array()) {
      if (r.at("unit").as_string() == unit) return r.as_object();
    }
    static const json::object none;
    ADD_FAILURE() << "no line for " << unit;
    return none;
  }
  std::unique_ptr<ApiEnv> env_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(ApiAssessmentTest, InspectorsMarkCorrectPraiseAndVetoThenTheCountyPublishes) {
  // 邓涛华 (xs-0004), inspector of the headquarters, marks 酿溪镇 on fund use.
  HttpAnswer m = Send("xs-0004", "POST", kBase + "/marks",
                      R"({"unit":"niangxi","criterion":"fund_use","mark":60,)"
                      R"("note":"抽查3户, 1户资金未到位","evidence":["抽查表 2017-04-28"]})");
  ASSERT_EQ(m.status, 201) << m.body;
  EXPECT_EQ(m.Json().at("mark"), "60.0");
  EXPECT_EQ(m.Json().at("max"), "100.0");
  EXPECT_EQ(m.Json().at("by"), "xs-0004");

  // The sheet says what each caller may do there and what it is made of (the console's forms).
  HttpAnswer inspector_view = Send("xs-0004", "GET", kBase);
  ASSERT_EQ(inspector_view.status, 200) << inspector_view.body;
  json::value iv = inspector_view.Json();
  EXPECT_EQ(iv.at("may"), json::parse(R"({"marks":true,"bonus":true,"veto":true,"publish":false})"))
      << inspector_view.body;
  EXPECT_EQ(iv.at("definition").at("criteria").as_array().size(), 6u);
  EXPECT_EQ(iv.at("definition").at("criteria").as_array()[4],
            json::parse(R"({"id":"fund_use","title":"资金使用","weight":"0.15","max":"100.0"})"));
  EXPECT_EQ(iv.at("definition").at("bonus_max"), "5.0");
  EXPECT_EQ(iv.at("definition").at("vetoes"),
            json::parse(R"([{"id":"false_withdrawal","title":"虚假脱贫、数字脱贫","manual":true},)"
                        R"({"id":"accountability_case","title":"发生问责案件","manual":false}])"));
  HttpAnswer leader_view = Send("xs-0002", "GET", kBase);
  ASSERT_EQ(leader_view.status, 200) << leader_view.body;
  EXPECT_EQ(leader_view.Json().at("may"),
            json::parse(R"({"marks":false,"bonus":false,"veto":false,"publish":true})"));
  HttpAnswer head_view = Send("xs-0012", "GET", kBase);
  ASSERT_EQ(head_view.status, 200) << head_view.body;
  EXPECT_EQ(head_view.Json().at("may"),
            json::parse(R"({"marks":false,"bonus":false,"veto":false,"publish":false})"));

  // A correction needs its reason; with it, the old value is kept.
  HttpAnswer bare = Send("xs-0004", "POST", kBase + "/marks",
                         R"({"unit":"niangxi","criterion":"fund_use","mark":75,"note":"复核"})");
  EXPECT_EQ(bare.status, 400) << bare.body;
  EXPECT_THAT(bare.body, HasSubstr("a correction needs its reason"));
  HttpAnswer fixed = Send("xs-0004", "POST", kBase + "/marks",
                          R"({"unit":"niangxi","criterion":"fund_use","mark":76,)"
                          R"("note":"复核","reason":"漏计已拨付的一笔资金"})");
  ASSERT_EQ(fixed.status, 201) << fixed.body;
  EXPECT_EQ(fixed.Json().at("previous"), "60.0");
  EXPECT_EQ(fixed.Json().at("mark"), "76.0");

  // What is refused, changing nothing: a township head marking (not the inspecting role), a
  // read token, a mark out of range, an unknown criterion, a bonus over the cap, a measure veto.
  HttpAnswer head = Send("xs-0012", "POST", kBase + "/marks",
                         R"({"unit":"niangxi","criterion":"discipline","mark":100,"note":"自评"})");
  EXPECT_EQ(head.status, 403) << head.body;
  EXPECT_THAT(head.body, HasSubstr("the role inspector"));
  HttpAnswer range = Send("xs-0004", "POST", kBase + "/marks",
                          R"({"unit":"yantang","criterion":"discipline","mark":120,"note":"x"})");
  EXPECT_EQ(range.status, 400) << range.body;
  EXPECT_THAT(range.body, HasSubstr("out of range: 0..100"));
  HttpAnswer unknown = Send("xs-0004", "POST", kBase + "/marks",
                            R"({"unit":"yantang","criterion":"funds","mark":80,"note":"x"})");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_THAT(unknown.body, HasSubstr("no criterion 'funds'"));
  HttpAnswer text = Send("xs-0004", "POST", kBase + "/marks",
                         R"({"unit":"yantang","criterion":"fund_use","mark":"80","note":"x"})");
  EXPECT_EQ(text.status, 400) << text.body;
  EXPECT_THAT(text.body, HasSubstr("$.mark"));
  HttpAnswer big = Send("xs-0004", "POST", kBase + "/bonus",
                        R"({"unit":"yantang","points":6,"note":"经验推介"})");
  EXPECT_EQ(big.status, 400) << big.body;
  HttpAnswer measure = Send("xs-0004", "POST", kBase + "/vetoes",
                            R"({"unit":"daxin","criterion":"accountability_case","reason":"x"})");
  EXPECT_EQ(measure.status, 400) << measure.body;
  EXPECT_THAT(measure.body, HasSubstr("taken by a measure"));

  HttpAnswer bonus = Send("xs-0004", "POST", kBase + "/bonus",
                          R"({"unit":"yantang","points":2,"note":"产业扶贫经验在全市推介"})");
  ASSERT_EQ(bonus.status, 201) << bonus.body;
  HttpAnswer veto =
      Send("xs-0004", "POST", kBase + "/vetoes",
           R"({"unit":"daxin","criterion":"false_withdrawal","reason":"虚报脱贫户3户"})");
  ASSERT_EQ(veto.status, 201) << veto.body;
  HttpAnswer again = Send("xs-0004", "POST", kBase + "/vetoes",
                          R"({"unit":"daxin","criterion":"false_withdrawal","reason":"再次"})");
  EXPECT_EQ(again.status, 409) << again.body;

  // The county leader sees every township; the provisional ranking.
  HttpAnswer view = Send("xs-0002", "GET", kBase);
  ASSERT_EQ(view.status, 200) << view.body;
  json::value v = view.Json();
  EXPECT_EQ(v.at("period"), "2017-04");
  EXPECT_EQ(v.at("from"), "2017-04-01");
  EXPECT_EQ(v.at("to"), "2017-04-30");
  EXPECT_EQ(v.at("published"), false);
  ASSERT_EQ(v.at("ranking").as_array().size(), 15u);
  // 酿溪镇 has one mark: scored on its weight alone (76), five criteria missing.
  const json::object& niangxi = Line(v, "niangxi");
  EXPECT_EQ(niangxi.at("criteria").at("fund_use"), "76.0");
  EXPECT_EQ(niangxi.at("marks"), "76.0");
  EXPECT_EQ(niangxi.at("score"), "76.0");
  EXPECT_EQ(niangxi.at("not_assessed").as_array().size(), 5u);
  EXPECT_EQ(Line(v, "yantang").at("score"), "102.0");  // 100 provisionally, plus 2
  const json::object& daxin = Line(v, "daxin");
  EXPECT_EQ(json::serialize(daxin.at("vetoes")), R"(["false_withdrawal"])");
  EXPECT_THAT(std::string(daxin.at("veto_reasons").at("false_withdrawal").as_string()),
              HasSubstr("邓涛华 2017-04-21: 虚报脱贫户3户"));
  // Ranked: the units with a mark or a veto, the vetoed one after every unit that passed. The
  // other 13 townships have no mark yet: no rank, after the ranked ones, marked not assessed,
  // whatever their provisional score (严塘镇's bonus makes it 102, above 酿溪镇's 76).
  EXPECT_EQ(niangxi.at("rank"), 1);
  EXPECT_EQ(daxin.at("rank"), 2);
  EXPECT_FALSE(niangxi.contains("assessed"));
  EXPECT_FALSE(daxin.contains("assessed"));
  const auto& lines = v.at("ranking").as_array();
  EXPECT_EQ(lines[0].at("unit"), "niangxi");
  EXPECT_EQ(lines[1].at("unit"), "daxin");
  for (std::size_t i = 2; i < lines.size(); ++i) {
    EXPECT_TRUE(lines[i].at("rank").is_null()) << lines[i];
    EXPECT_EQ(lines[i].at("assessed"), false) << lines[i];
  }
  EXPECT_EQ(Line(v, "yantang").at("assessed"), false);
  EXPECT_EQ(v.at("missing").as_array().size(), 15u * 6 - 1);
  const auto& history = v.at("history").as_array();
  ASSERT_EQ(history.size(), 4u);
  EXPECT_EQ(history[1].at("previous"), "60.0");
  EXPECT_EQ(history[1].at("value"), "76.0");
  EXPECT_EQ(history[1].at("reason"), "漏计已拨付的一笔资金");

  // The township head sees 酿溪镇's line and entries only.
  HttpAnswer mine = Send("xs-0012", "GET", kBase);
  ASSERT_EQ(mine.status, 200) << mine.body;
  ASSERT_EQ(mine.Json().at("ranking").as_array().size(), 1u);
  EXPECT_EQ(mine.Json().at("history").as_array().size(), 2u);

  // Publishing waits for the period's end (the server is on April 21).
  HttpAnswer not_leader = Send("xs-0003", "POST", kBase + "/publish", "{}");
  EXPECT_EQ(not_leader.status, 403) << not_leader.body;  // the headquarters' head is no leader
  EXPECT_THAT(not_leader.body, HasSubstr("the role leader"));
  HttpAnswer early = Send("xs-0002", "POST", kBase + "/publish", "{}");
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_THAT(early.body, HasSubstr("ends on 2017-04-30"));

  // On May 3, through the CLI: not before every mark is in.
  CommandResult refused = test::RunRectify(
      {"--db", env_->db().url(), "assessment", "publish", "--campaign", "xinshao-2017", "--period",
       "2017-04", "--as", "xs-0002", "--at", "2017-05-03T10:00:00+08:00"},
      ApiEnv::Env(), env_->db().dir().path().string());
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.err, HasSubstr("89 mark(s) are missing"));
  // Every township 80 everywhere but 酿溪镇's fund use (76, in the API above).
  json::value ranking = v.at("ranking");
  for (const auto& line : ranking.as_array()) {
    std::string unit(line.at("unit").as_string());
    for (const char* c : kCriteria) {
      if (unit == "niangxi" && std::string(c) == "fund_use") continue;
      Cli(*env_, {"assessment", "mark", unit, "--campaign", "xinshao-2017", "--period", "2017-04",
                  "--criterion", c, "--mark", "80", "--note", "月度督查", "--as", "xs-0005", "--at",
                  "2017-05-03T09:00:00+08:00"});
    }
  }
  CommandResult published =
      Cli(*env_, {"assessment", "publish", "--campaign", "xinshao-2017", "--period", "2017-04",
                  "--as", "xs-0002", "--at", "2017-05-03T10:00:00+08:00", "--format", "json"});
  json::value p = json::parse(published.out);
  EXPECT_EQ(p.at("published"), true);
  EXPECT_EQ(p.at("published_by"), "xs-0002");
  EXPECT_TRUE(p.at("missing").as_array().empty());
  // By hand: 酿溪镇 0.2 x 240 + 0.15 x (80 + 76) + 0.1 x 80 = 48 + 23.4 + 8 = 79.4;
  // 严塘镇 80 + 2 = 82; everyone else 80; 大新镇 vetoed, last.
  EXPECT_EQ(Line(p, "niangxi").at("score"), "79.4");
  EXPECT_EQ(Line(p, "yantang").at("score"), "82.0");
  EXPECT_EQ(Line(p, "yantang").at("rank"), 1);
  EXPECT_EQ(Line(p, "niangxi").at("rank"), 14);
  EXPECT_EQ(Line(p, "daxin").at("rank"), 15);

  // Closed: the API shows the published ranking and refuses entries.
  HttpAnswer after = Send("xs-0002", "GET", kBase);
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.Json().at("published"), true);
  EXPECT_EQ(after.Json().at("ranking"), p.at("ranking"));
  HttpAnswer late = Send("xs-0004", "POST", kBase + "/marks",
                         R"({"unit":"niangxi","criterion":"fund_use","mark":90,"note":"x",)"
                         R"("reason":"y"})");
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_THAT(late.body, HasSubstr("was published by xs-0002"));
  // The periods to choose from say so (the server's clock is still on April 21: April has not
  // ended by it, though the CLI published it as of May 3).
  HttpAnswer periods = Send("xs-0012", "GET", "/api/v1/assessments/xinshao-2017");
  ASSERT_EQ(periods.status, 200) << periods.body;
  const json::value listed = periods.Json();
  const auto& april = listed.at("periods").as_array().back();
  EXPECT_EQ(april.at("period"), "2017-04");
  EXPECT_EQ(april.at("published"), true);
  EXPECT_EQ(april.at("published_by"), "xs-0002");
  // The campaign's ranking (the report and the board) is the published one.
  HttpAnswer report = Send("xs-0002", "GET", "/api/v1/reports/ranking?campaign=xinshao-2017");
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(report.Json().at("period"), "2017-04-01..2017-04-30");
  EXPECT_EQ(report.Json().at("ranking"), p.at("ranking"));

  // The export: the definition's columns, titled in Chinese, the same from the API and the CLI.
  HttpAnswer xlsx = Send("xs-0002", "GET", kBase + "?format=xlsx&lang=zh");
  ASSERT_EQ(xlsx.status, 200) << xlsx.body;
  json::value cells = test::XlsxCells(*env_, xlsx.body, "assessment-api");
  const auto& rows = cells.at("rows").as_array();
  ASSERT_EQ(rows.size(), 16u);
  EXPECT_EQ(rows[0].as_array().at(0), "名次");
  EXPECT_EQ(rows[0].as_array().at(1), "乡镇");
  EXPECT_EQ(rows[0].as_array().at(6), "资金使用");
  EXPECT_EQ(rows[0].as_array().at(13), "状态");
  EXPECT_EQ(rows[1].as_array().at(1), "严塘镇");
  EXPECT_EQ(rows[1].as_array().at(9), "2");    // bonus, a number
  EXPECT_EQ(rows[1].as_array().at(11), "82");  // score
  EXPECT_EQ(rows[15].as_array().at(12), "false_withdrawal");
  EXPECT_EQ(rows[15].as_array().at(13), "一票否决");
  std::string file = env_->db().dir().File("2017-04.xlsx");
  Cli(*env_, {"assessment", "export", "--campaign", "xinshao-2017", "--period", "2017-04", "--lang",
              "zh", "--output", file});
  std::ifstream in(file, std::ios::binary);
  std::string cli_bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(test::XlsxCells(*env_, cli_bytes, "assessment-cli").at("rows"), cells.at("rows"));
  CommandResult book = test::RunCommand(
      {test::kSystemPython, "-c",
       "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('xl/workbook.xml').decode())",
       file});
  EXPECT_THAT(book.out, HasSubstr("月度考核排名"));
  HttpAnswer en = Send("xs-0002", "GET", kBase + "?format=csv&lang=en");
  ASSERT_EQ(en.status, 200) << en.body;
  EXPECT_THAT(en.body, HasSubstr("Rank,Township,Identification,"));
}

// Issue 15, point 5: a mark carries the inspector's evidence files. A file is uploaded for the
// assessment (checked as an item's evidence is: type by its bytes), a mark names it by its
// SHA-256, the entry's audit row records its name, size and hash (in the run's hash chain, which
// `rectify audit verify` walks), and it is downloaded by those who see the entry only: the
// inspector and 酿溪镇's head, not a cadre of 严塘镇.
TEST_P(ApiAssessmentTest, MarksCarryEvidenceFilesOnlyThoseWhoSeeTheEntryDownload) {
  const std::string pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
  auto upload = [&](const std::string& person, const std::string& name,
                    const std::string& content) {
    if (!tokens_.count(person)) tokens_[person] = env_->Token(person);
    test::MultipartBody m;
    m.FileAs("file", name, content);
    return env_->Client().Send(
        "POST", kBase + "/evidence", m.Body(),
        {{"Authorization", "Bearer " + tokens_[person]}, {"Content-Type", m.Type()}});
  };
  // A township head enters no marks, so uploads no evidence; a file that is no accepted type
  // (an executable named .pdf) is refused whatever its name.
  HttpAnswer head = upload("xs-0012", "抽查表.pdf", pdf);
  EXPECT_EQ(head.status, 403) << head.body;
  HttpAnswer exe = upload("xs-0004", "抽查表.pdf",
                          std::string("\x7f"
                                      "ELF\x02\x01\x01\0\0\0",
                                      10));
  EXPECT_EQ(exe.status, 415) << exe.body;

  HttpAnswer up = upload("xs-0004", "抽查表.pdf", pdf);
  ASSERT_EQ(up.status, 201) << up.body;
  std::string sha = std::string(up.Json().at("evidence").at("sha256").as_string());
  EXPECT_EQ(sha, Sha256Hex(pdf));
  EXPECT_EQ(up.Json().at("evidence").at("type"), "application/pdf");
  EXPECT_EQ(up.Json().at("evidence").at("evidence"), ("sha256:" + sha).c_str());

  // A hash nobody uploaded is refused and nothing is entered.
  HttpAnswer unknown = Send(
      "xs-0004", "POST", kBase + "/marks",
      R"({"unit":"niangxi","criterion":"fund_use","mark":60,"note":"抽查3户","evidence":["sha256:)" +
          std::string(64, 'a') + R"("]})");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_THAT(unknown.body, HasSubstr("was uploaded for the assessments of xinshao-2017"));

  HttpAnswer m = Send("xs-0004", "POST", kBase + "/marks",
                      R"({"unit":"niangxi","criterion":"fund_use","mark":60,"note":"抽查3户",)"
                      R"("evidence":["sha256:)" +
                          sha + R"(","入户核查记录 3 份"]})");
  ASSERT_EQ(m.status, 201) << m.body;
  const std::string recorded =
      "file 抽查表.pdf (" + std::to_string(pdf.size()) + " bytes, sha256 " + sha + ")";
  EXPECT_EQ(json::serialize(m.Json().at("evidence")),
            json::serialize(json::array{json::value(recorded), json::value("入户核查记录 3 份")}));
  HttpAnswer view = Send("xs-0004", "GET", kBase);
  ASSERT_EQ(view.status, 200) << view.body;
  EXPECT_THAT(view.body, HasSubstr(sha));
  CommandResult verified = Cli(*env_, {"audit", "verify"});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

  const std::string file = kBase + "/evidence/" + sha;
  for (const char* reader : {"xs-0004", "xs-0012"}) {
    HttpAnswer got = Send(reader, "GET", file);
    ASSERT_EQ(got.status, 200) << reader << ": " << got.body;
    EXPECT_EQ(got.body, pdf) << reader;
    EXPECT_EQ(got.Header("content-type"), "application/pdf") << reader;
    EXPECT_THAT(got.Header("content-disposition"), HasSubstr("attachment")) << reader;
  }
  HttpAnswer other = Send("xs-0025", "GET", file);
  EXPECT_EQ(other.status, 404) << other.body;
  HttpAnswer none = Send("xs-0004", "GET", kBase + "/evidence/" + std::string(64, 'b'));
  EXPECT_EQ(none.status, 404) << none.body;
}

// The periods a page chooses from: each month of the campaign begun by the server's clock (April
// 21), oldest first, with its days, whether it has ended and whether it was published; another
// org's campaign is as one that does not exist, and the route takes no parameter.
TEST_P(ApiAssessmentTest, ThePeriodsBegunAreListedWithWhetherTheyEndedAndWerePublished) {
  HttpAnswer a = Send("xs-0012", "GET", "/api/v1/assessments/xinshao-2017");
  ASSERT_EQ(a.status, 200) << a.body;
  json::value v = a.Json();
  EXPECT_EQ(v.at("campaign"), "xinshao-2017");
  std::vector<std::string> labels;
  for (const auto& p : v.at("periods").as_array()) {
    labels.emplace_back(p.at("period").as_string());
    EXPECT_EQ(p.at("assessment"), "xinshao-monthly");
    EXPECT_EQ(p.at("kind"), "month");
    EXPECT_EQ(p.at("published"), false);
    EXPECT_FALSE(p.as_object().contains("published_by"));
  }
  EXPECT_THAT(labels, ElementsAre("2017-01", "2017-02", "2017-03", "2017-04"));
  const auto& periods = v.at("periods").as_array();
  EXPECT_EQ(periods[2].at("from"), "2017-03-01");
  EXPECT_EQ(periods[2].at("to"), "2017-03-31");
  EXPECT_EQ(periods[2].at("ended"), true);
  EXPECT_EQ(periods[3].at("ended"), false);  // April 21

  HttpAnswer other = Send("xs-0012", "GET", "/api/v1/assessments/jinkouhe-2017");
  EXPECT_EQ(other.status, 404) << other.body;
  HttpAnswer param = Send("xs-0012", "GET", "/api/v1/assessments/xinshao-2017?period=2017-04");
  EXPECT_EQ(param.status, 400) << param.body;
  EXPECT_THAT(param.body, HasSubstr("period: unknown parameter"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiAssessmentTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
