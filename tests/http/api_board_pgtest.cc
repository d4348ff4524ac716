// GET /api/v1/board and GET /api/v1/definitions/{kind}/{name}/graph through a live `rectify
// serve` on SQLite and PostgreSQL.
//
// The board's figures are checked against a fixture counted by hand: the three items of
// api_env.h (registered 2017-04-21 with 15 working days, so due at the end of 2017-05-15 on
// China's 2017 calendar: 24-28 April, 2-5 May after the Labour Day holiday, 8-12 May, 15 May), of
// which T-A2 (酿溪镇 itself) is submitted and accepted on the first day, and the escalation ladder
// then run to 2017-05-19 10:00 (`rectify tick --until`): the reminder letter at the deadline
// (2017-05-16 00:00), the supervision letter 3 working days after (at the start of work on 18
// May), nothing more by the 19th. So on
// 2017-05-19 the county has 3 items, 2 open, both overdue at escalation level 2, 1 closed; 酿溪镇
// (niangxi) 2/1/1/1 with its own item and one under 长塘村 (niangxi-team-1), 严塘镇 (yantang)
// 1/1/1/0. The line chart has a point per working day from 2017-04-21 to 2017-05-19.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <set>

#include "adapters/store/soci/batch.h"
#include "adapters/store/soci/database.h"
#include "adapters/store/soci/database_url.h"
#include "rectify/definition/definition_set.h"
#include "tests/http/api_table_support.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using ::testing::HasSubstr;

const std::string kAsOf = "as_of=2017-05-19T10:00:00%2B08:00";

class ApiBoardTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(
        GetParam(), std::vector<std::string>{"--public-url", "https://rectify.xinshao.gov.cn/"});
    ASSERT_TRUE(env_->Start());
  }
  HttpAnswer Send(const std::string& person, const std::string& method, const std::string& target,
                  const std::string& body = {}, std::map<std::string, std::string> headers = {}) {
    if (!tokens_.count(person)) tokens_[person] = env_->Token(person);
    headers["Authorization"] = "Bearer " + tokens_[person];
    return env_->Client().Send(method, target, body, headers);
  }
  HttpAnswer Get(const std::string& person, const std::string& target) {
    return Send(person, "GET", target);
  }
  void Act(const std::string& person, const std::string& item, const std::string& event,
           const std::string& body) {
    HttpAnswer now = Get(person, "/api/v1/items/" + item);
    HttpAnswer a = Send(person, "POST", "/api/v1/items/" + item + "/events/" + event, body,
                        {{"If-Match", now.Header("etag")}});
    ASSERT_EQ(a.status, 200) << event << " " << item << ": " << a.body;
  }
  // The fixture of the header comment: T-A2 closed on the first day, the ladder run to the 19th.
  void CloseOneAndEscalate() {
    Act("xs-0012", "T-A2", "submit", R"({"evidence":["整改照片.jpg"]})");
    Act("xs-0007", "T-A2", "accept", "{}");
    ASSERT_TRUE(env_->Run({"tick", "--until", "2017-05-19T10:00:00+08:00"}));
  }
  static const json::object* Row(const json::value& board, const std::string& unit) {
    for (const auto& r : board.at("units").as_array()) {
      if (r.at("unit").as_string() == unit) return &r.as_object();
    }
    return nullptr;
  }
  static std::vector<std::int64_t> Figures(const json::value& o) {
    return {o.at("items").as_int64(), o.at("open").as_int64(), o.at("overdue").as_int64(),
            o.at("closed").as_int64()};
  }
  std::unique_ptr<ApiEnv> env_;
  std::map<std::string, std::string> tokens_;
};

using F = std::vector<std::int64_t>;  // items, open, overdue, closed

TEST_P(ApiBoardTest, TheCountyLeadersBoardHoldsTheHandCountedFigures) {
  CloseOneAndEscalate();
  HttpAnswer a = Get("xs-0002", "/api/v1/board?" + kAsOf);
  ASSERT_EQ(a.status, 200) << a.body;
  json::value b = a.Json();
  EXPECT_EQ(b.at("unit"), "xinshao");
  EXPECT_EQ(b.at("parent"), nullptr);
  EXPECT_EQ(b.at("campaign"), nullptr);
  EXPECT_EQ(b.at("workflow"), "rectification-item");
  EXPECT_EQ(b.at("as_of"), "2017-05-19T10:00:00+08:00");
  EXPECT_EQ(Figures(b.at("totals")), (F{3, 2, 2, 1}));
  EXPECT_EQ(b.at("totals").at("not_projected"), 0);
  EXPECT_EQ(b.at("totals").at("levels"), json::parse(R"({"2":2})"));

  // A bar per township (and the county's bodies), each over its whole subtree.
  const json::object* niangxi = Row(b, "niangxi");
  const json::object* yantang = Row(b, "yantang");
  ASSERT_TRUE(niangxi && yantang) << a.body;
  EXPECT_EQ(Figures(*niangxi), (F{2, 1, 1, 1}));
  EXPECT_EQ(niangxi->at("levels"), json::parse(R"({"2":1})"));
  EXPECT_EQ(niangxi->at("name"), "酿溪镇");
  EXPECT_EQ(niangxi->at("has_children"), true);
  EXPECT_EQ(Figures(*yantang), (F{1, 1, 1, 0}));
  EXPECT_EQ(Row(b, "xinshao"), nullptr) << "the county holds no item of its own";
  std::int64_t sum = 0;
  for (const auto& r : b.at("units").as_array()) sum += r.at("items").as_int64();
  EXPECT_EQ(sum, 3);

  // The line chart: a point per working day, 21 April to 19 May (1 May a holiday, weekends out).
  const json::array& days = b.at("days").as_array();
  ASSERT_EQ(days.size(), 20u) << a.body;
  EXPECT_EQ(days.front().at("day"), "2017-04-21");
  EXPECT_EQ(days.back().at("day"), "2017-05-19");
  for (const auto& d : days) {
    EXPECT_NE(d.at("day"), "2017-05-01");
    EXPECT_NE(d.at("day"), "2017-04-29");
  }
  auto point = [&](const std::string& day) {
    for (const auto& d : days) {
      if (d.at("day").as_string() == day)
        return F{d.at("open").as_int64(), d.at("overdue").as_int64(), d.at("closed").as_int64()};
    }
    return F{};
  };
  EXPECT_EQ(point("2017-04-21"), (F{2, 0, 1}));  // T-A2 closed on its first day
  EXPECT_EQ(point("2017-05-12"), (F{2, 0, 1}));
  EXPECT_EQ(point("2017-05-15"), (F{2, 0, 1}));  // the deadline day: due at its end
  EXPECT_EQ(point("2017-05-16"), (F{2, 2, 1}));
  EXPECT_EQ(point("2017-05-19"), (F{2, 2, 1}));

  // The latest escalation steps, newest first: the two supervision letters, then the reminders.
  // Each as the audit log recorded it, at the local time the step fell.
  const json::array& steps = b.at("escalations").as_array();
  ASSERT_EQ(steps.size(), 4u) << a.body;
  std::multiset<std::string> items;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    items.insert(std::string(steps[i].at("item").as_string()));
    EXPECT_EQ(steps[i].at("level"), i < 2 ? 2 : 1) << i;
    EXPECT_EQ(steps[i].at("measure"), i < 2 ? "supervision_letter" : "reminder_letter") << i;
    EXPECT_EQ(steps[i].at("at"), i < 2 ? "2017-05-18T08:30:00+08:00" : "2017-05-16T00:00:00+08:00");
    if (i > 0) {
      EXPECT_GE(steps[i - 1].at("at").as_string(), steps[i].at("at").as_string());
    }
  }
  EXPECT_EQ(items, (std::multiset<std::string>{"T-A1", "T-A1", "T-B1", "T-B1"}));
  EXPECT_EQ(b.at("ranking"), nullptr);  // no campaign named

  // The same overdue items as the overdue report counts.
  HttpAnswer overdue = Get("xs-0002", "/api/v1/reports/overdue?" + kAsOf);
  ASSERT_EQ(overdue.status, 200) << overdue.body;
  EXPECT_EQ(overdue.Json().at("items").as_array().size(), 2u);
}

// The board's figures as the database counts them, with the statements GET /api/v1/board ran
// before it answered from the item index: COUNT and SUM over the instances table per unit
// subtree, and each day of the line chart as a count over created_at, updated_at and due_at.
// The county's board (no campaign, the rectification items) as of `as_of`.
json::object DatabaseBoard(const std::string& url, const std::string& as_of_iso,
                           const std::vector<std::string>& days) {
  Diagnostics diags;
  auto defs = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows"}, diags);
  EXPECT_TRUE(defs.ok()) << diags.Format();
  auto org = (*defs)->FindOrg("xinshao");
  auto wf = (*defs)->FindWorkflow("rectification-item");
  std::string finals;
  for (const auto& s : wf->states()) {
    if (s.final) finals += (finals.empty() ? "'" : ",'") + s.id + "'";
  }
  std::function<void(definition::UnitIndex, std::string&)> subtree = [&](definition::UnitIndex u,
                                                                         std::string& out) {
    out += (out.empty() ? "'" : ",'") + org->unit(u).id + "'";
    for (auto c : org->unit(u).children) subtree(c, out);
  };
  auto db = store_soci::Database::Open(*store_soci::ParseDatabaseUrl(url), {});
  EXPECT_TRUE(db.ok());
  soci::session& sql = (*db)->session();
  const std::string asof = std::to_string(ToMicros(*ParseIso(as_of_iso)));
  const std::string base =
      " FROM instances WHERE workflow = 'rectification-item' AND "
      "escalation_level >= 0 AND unit_id IN (";
  auto count = [&](const std::string& what, const std::string& units) {
    long long n = 0;
    sql << "SELECT COUNT(*)" + base + units + ")" + what, soci::into(n);
    return static_cast<std::int64_t>(n);
  };
  auto figures = [&](const std::string& units) {
    json::object f{{"items", count("", units)},
                   {"open", count(" AND state NOT IN (" + finals + ")", units)},
                   {"overdue", count(" AND state NOT IN (" + finals +
                                         ") AND due_at IS NOT NULL AND due_at < " + asof,
                                     units)},
                   {"closed", count(" AND state IN (" + finals + ")", units)}};
    json::object levels;
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT escalation_level, COUNT(*)" + base + units +
                            ") AND state NOT IN (" + finals + ") GROUP BY escalation_level");
    for (const auto& r : rows) {
      auto number = [&](std::size_t i) -> std::int64_t {
        return r.get_properties(i).get_data_type() == soci::dt_string
                   ? std::stoll(r.get<std::string>(i))
                   : store_soci::RowInt(r, i);
      };
      levels[std::to_string(number(0))] = number(1);
    }
    f["levels"] = std::move(levels);
    return f;
  };
  json::object out;
  std::string all;
  subtree(0, all);
  out["totals"] = figures(all);
  json::object units;
  for (auto c : org->unit(0).children) {
    std::string ids;
    subtree(c, ids);
    units[org->unit(c).id] = figures(ids);
  }
  out["units"] = std::move(units);
  // A day's point: the items opened before its end, closed before its end (if final), and due
  // before its end (if open). The day of as_of itself is as of as_of.
  json::object points;
  for (const auto& day : days) {
    auto end = ParseIso(day + "T00:00:00+08:00");
    std::string e = std::to_string(ToMicros(*end) + 86400LL * 1000 * 1000);
    if (day == as_of_iso.substr(0, 10)) e = asof;
    std::string opened = " AND created_at < " + e;
    std::string closed = " AND state IN (" + finals + ") AND updated_at < " + e;
    json::object p{
        {"open",
         count(opened + " AND NOT (state IN (" + finals + ") AND updated_at < " + e + ")", all)},
        {"overdue", count(opened + " AND state NOT IN (" + finals +
                              ") AND due_at IS NOT NULL AND due_at < " + e,
                          all)},
        {"closed", count(opened + closed, all)}};
    if (day == as_of_iso.substr(0, 10)) {  // the last point: the totals as of as_of
      p = json::object{{"open", out["totals"].at("open")},
                       {"overdue", out["totals"].at("overdue")},
                       {"closed", out["totals"].at("closed")}};
    }
    points[day] = std::move(p);
  }
  out["days"] = std::move(points);
  return out;
}

// Checks the board's answer as of `as_of` against the database's counts.
void ExpectBoardAsCounted(const json::value& board, const std::string& url,
                          const std::string& as_of, const std::string& when) {
  std::vector<std::string> days;
  for (const auto& d : board.at("days").as_array()) {
    days.emplace_back(d.at("day").as_string());
  }
  ASSERT_FALSE(days.empty()) << when;
  json::object db = DatabaseBoard(url, as_of, days);
  json::object totals = board.at("totals").as_object();
  totals.erase("not_projected");
  EXPECT_EQ(json::value(totals), db["totals"]) << when << " as of " << as_of;
  for (const auto& r : board.at("units").as_array()) {
    std::string unit(r.at("unit").as_string());
    if (r.at("own").as_bool()) continue;  // the county's own: none
    json::object row = r.as_object();
    json::object f{{"items", row["items"]},
                   {"open", row["open"]},
                   {"overdue", row["overdue"]},
                   {"closed", row["closed"]},
                   {"levels", row["levels"]}};
    EXPECT_EQ(json::value(f), db["units"].at(unit)) << when << " as of " << as_of << ": " << unit;
  }
  for (const auto& d : board.at("days").as_array()) {
    std::string day(d.at("day").as_string());
    json::object p{
        {"open", d.at("open")}, {"overdue", d.at("overdue")}, {"closed", d.at("closed")}};
    EXPECT_EQ(json::value(p), db["days"].at(day)) << when << " as of " << as_of << ": " << day;
  }
}

TEST_P(ApiBoardTest, TheBoardFromTheItemIndexIsWhatTheDatabaseCountsAfterEveryChange) {
  // The county's board after each change of a series (closing, escalating, extending, sending
  // back), as of several instants: each the same as the database's own counts.
  auto check = [&](const std::string& when) {
    for (const char* at :
         {"2017-04-21T18:00:00+08:00", "2017-05-15T23:00:00+08:00", "2017-05-16T09:00:00+08:00",
          "2017-05-19T10:00:00+08:00", "2017-06-20T10:00:00+08:00"}) {
      std::string q = std::string(at);
      q.replace(q.find('+'), 1, "%2B");
      HttpAnswer a = Get("xs-0002", "/api/v1/board?as_of=" + q);
      ASSERT_EQ(a.status, 200) << a.body;
      ExpectBoardAsCounted(a.Json(), env_->db().url(), at, when);
    }
  };
  check("at the start");
  Act("xs-0012", "T-A2", "submit", R"({"evidence":["整改照片.jpg"]})");
  check("T-A2 submitted");
  Act("xs-0007", "T-A2", "accept", "{}");
  check("T-A2 closed");
  ASSERT_TRUE(env_->Run({"tick", "--until", "2017-05-19T10:00:00+08:00"}));
  check("escalated to the 19th");
  Act("xs-0025", "T-B1", "extend", R"({"reason":"等待县里批复资金"})");
  check("T-B1 extended");
  Act("xs-0014", "T-A1", "submit", R"({"evidence":["档案补齐.pdf"]})");
  Act("xs-0007", "T-A1", "reject", R"({"reason":"档案仍缺三户"})");
  check("T-A1 sent back");

  // Without as_of the board is as of the server's clock (2017-04-21 at speed 1): nothing overdue.
  HttpAnswer now = Get("xs-0002", "/api/v1/board");
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(now.Json().at("totals").at("overdue"), 0);
  EXPECT_EQ(now.Json().at("totals").at("items"), 3);
}

TEST_P(ApiBoardTest, DrillingDownGoesToTheUnitsChildrenWithinTheCallersScope) {
  CloseOneAndEscalate();
  // The county leader drills into 酿溪镇: its own item and its villages', and the way back up.
  HttpAnswer a = Get("xs-0002", "/api/v1/board?unit=niangxi&" + kAsOf);
  ASSERT_EQ(a.status, 200) << a.body;
  json::value b = a.Json();
  EXPECT_EQ(b.at("unit"), "niangxi");
  EXPECT_EQ(b.at("parent"), "xinshao");
  EXPECT_EQ(Figures(b.at("totals")), (F{2, 1, 1, 1}));
  const json::object* own = Row(b, "niangxi");
  const json::object* team = Row(b, "niangxi-team-1");
  ASSERT_TRUE(own && team) << a.body;
  EXPECT_EQ(own->at("own"), true);
  EXPECT_EQ(Figures(*own), (F{1, 0, 0, 1}));
  EXPECT_EQ(Figures(*team), (F{1, 1, 1, 0}));
  EXPECT_EQ(b.at("units").as_array().front().at("unit"), "niangxi");  // its own row first

  // The township head sees the same, with no way up out of their scope.
  HttpAnswer head = Get("xs-0012", "/api/v1/board?" + kAsOf);
  ASSERT_EQ(head.status, 200) << head.body;
  EXPECT_EQ(head.Json().at("unit"), "niangxi");
  EXPECT_EQ(head.Json().at("parent"), nullptr);
  EXPECT_EQ(head.Json().at("totals"), b.at("totals"));

  // A village cadre's board is their village.
  HttpAnswer cadre = Get("xs-0014", "/api/v1/board?" + kAsOf);
  ASSERT_EQ(cadre.status, 200) << cadre.body;
  EXPECT_EQ(Figures(cadre.Json().at("totals")), (F{1, 1, 1, 0}));
  EXPECT_EQ(Get("xs-0014", "/api/v1/board?unit=yantang").status, 403);
}

TEST_P(ApiBoardTest, ACampaignNarrowsTheBoardAndBadInputIsAClearError) {
  // The fixture's items belong to no campaign: the campaign's board is empty, its line chart
  // runs from the campaign's first day.
  HttpAnswer a = Get("xs-0002", "/api/v1/board?campaign=xinshao-2017&" + kAsOf);
  ASSERT_EQ(a.status, 200) << a.body;
  json::value b = a.Json();
  EXPECT_EQ(b.at("campaign"), "xinshao-2017");
  EXPECT_EQ(Figures(b.at("totals")), (F{0, 0, 0, 0}));
  EXPECT_EQ(b.at("ranking"), nullptr);  // not started, nothing assessed
  ASSERT_FALSE(b.at("days").as_array().empty());
  EXPECT_EQ(b.at("days").as_array().front().at("day").as_string().subview(0, 4), "2017");

  HttpAnswer unknown = Get("xs-0002", "/api/v1/board?campaign=nowhere");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  HttpAnswer param = Get("xs-0002", "/api/v1/board?units=niangxi");
  EXPECT_EQ(param.status, 400);
  EXPECT_THAT(param.body, HasSubstr("units: unknown parameter"));
  HttpAnswer unit = Get("xs-0002", "/api/v1/board?unit=atlantis");
  EXPECT_EQ(unit.status, 400);
  EXPECT_THAT(unit.body, HasSubstr("has no unit 'atlantis'"));
  HttpAnswer as_of = Get("xs-0002", "/api/v1/board?as_of=yesterday");
  EXPECT_EQ(as_of.status, 400);
  EXPECT_THAT(as_of.body, HasSubstr("as_of:"));
  EXPECT_EQ(env_->Client().Send("GET", "/api/v1/board").status, 401);
}

TEST_P(ApiBoardTest, AWorkflowAndAChainAreNodesAndEdges) {
  HttpAnswer a = Get("xs-0003", "/api/v1/definitions/workflow/rectification-item/graph");
  ASSERT_EQ(a.status, 200) << a.body;
  json::value g = a.Json();
  EXPECT_EQ(g.at("initial"), "registered");
  std::map<std::string, json::value> nodes;
  for (const auto& n : g.at("nodes").as_array()) nodes[std::string(n.at("id").as_string())] = n;
  ASSERT_EQ(nodes.size(), 4u) << a.body;
  EXPECT_EQ(nodes["closed"].at("kind"), "final");
  EXPECT_EQ(nodes["rectifying"].at("kind"), "state");
  EXPECT_EQ(nodes["rectifying"].at("label"), "整改中");
  EXPECT_EQ(nodes["rectifying"].at("escalation"), "overdue-rectification");
  bool submit = false;
  for (const auto& e : g.at("edges").as_array()) {
    if (e.at("label") != "submit") continue;
    submit = true;
    EXPECT_EQ(e.at("from"), "rectifying");
    EXPECT_EQ(e.at("to"), "verifying");
    EXPECT_EQ(e.at("by"), json::parse(R"(["responsible"])"));
  }
  EXPECT_TRUE(submit) << a.body;

  HttpAnswer c = Get("xs-0003", "/api/v1/definitions/escalation/overdue-rectification/graph");
  ASSERT_EQ(c.status, 200) << c.body;
  json::value chain = c.Json();
  const json::array& steps = chain.at("nodes").as_array();
  ASSERT_EQ(steps.size(), 9u) << c.body;  // the missed deadline and the ladder's eight steps
  EXPECT_EQ(steps[0].at("kind"), "deadline");
  EXPECT_EQ(steps[2].at("id"), "supervision_letter");
  EXPECT_THAT(std::string(steps[2].at("label").as_string()), HasSubstr("督办函"));
  const json::array& edges = chain.at("edges").as_array();
  ASSERT_EQ(edges.size(), 8u);
  EXPECT_EQ(edges[1].at("from"), "reminder_letter");
  EXPECT_EQ(edges[1].at("label"), "3wd after the deadline");
  EXPECT_THAT(json::serialize(steps[7]), HasSubstr("deducts 2 points"));

  EXPECT_EQ(Get("xs-0003", "/api/v1/definitions/org/xinshao/graph").status, 400);
  EXPECT_EQ(Get("xs-0003", "/api/v1/definitions/workflow/nothing/graph").status, 404);
  EXPECT_EQ(Get("xs-0002", "/api/v1/definitions/workflow/rectification-item/graph").status, 403);
}

// The posters for the public's QR code: the PNG's code, read back by zbarimg (Debian's
// zbar-tools) as a phone would, holds the unit's report address; the PDF is one page with the
// unit's name in its text (poppler-utils).
TEST_P(ApiBoardTest, APosterHoldsTheUnitsReportAddress) {
  HttpAnswer png = Get("xs-0012", "/api/v1/units/niangxi-team-1/poster.png");
  ASSERT_EQ(png.status, 200) << png.body;
  EXPECT_EQ(png.Header("content-type"), "image/png");
  EXPECT_EQ(png.Header("content-disposition"),
            "attachment; filename=\"poster-niangxi-team-1.png\"");
  std::string png_file = env_->db().dir().File("poster.png");
  std::ofstream(png_file, std::ios::binary) << png.body;
  test::CommandResult scan = test::RunCommand({"zbarimg", "--raw", "-q", png_file});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  EXPECT_EQ(scan.out, "https://rectify.xinshao.gov.cn/report?unit=niangxi-team-1\n");

  HttpAnswer pdf = Get("xs-0002", "/api/v1/units/niangxi/poster.pdf");
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(pdf.Header("content-type"), "application/pdf");
  EXPECT_EQ(pdf.body.rfind("%PDF-", 0), 0u);
  std::string pdf_file = env_->db().dir().File("poster.pdf");
  std::ofstream(pdf_file, std::ios::binary) << pdf.body;
  test::CommandResult info = test::RunCommand({"pdfinfo", pdf_file});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_THAT(info.out, ::testing::ContainsRegex("Pages: +1\n"));
  test::CommandResult text = test::RunCommand({"pdftotext", pdf_file, "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("酿溪镇"));
  EXPECT_THAT(text.out, HasSubstr("https://rectify.xinshao.gov.cn/report?unit=niangxi"));

  EXPECT_EQ(Get("xs-0012", "/api/v1/units/yantang/poster.png").status, 403);
  EXPECT_EQ(Get("xs-0003", "/api/v1/units/atlantis/poster.png").status, 404);
  EXPECT_EQ(Get("xs-0003", "/api/v1/units/yantang/poster.pdf").status, 200);
  EXPECT_EQ(env_->Client().Send("GET", "/api/v1/units/niangxi/poster.png").status, 401);
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiBoardTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
