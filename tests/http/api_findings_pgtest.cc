// The findings routes through a live `rectify serve` on SQLite and PostgreSQL (its clock at
// 2017-04-21 10:00, the day of Xinshao's mobilisation meeting after the first-quarter inspection
// of April 7-14, seed 001): an inspector records findings of round q1_inspection, the poverty
// alleviation office (the findings workflow's verifier) confirms one into the ledger and
// dismisses another; the round lists them with the item and its state; the item says where it was
// found and is found by ?found_by=; a confirmed public report opens its item at the unit the
// confirmer names, and the reporter's ticket follows that item, without names; the reports are
// listed by ?workflow=public-report.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/http/api_env.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using ::testing::HasSubstr;
using ::testing::Not;

class ApiFindingsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(
        GetParam(),
        std::vector<std::string>{"--public-unit", "xinshao-fpo", "--public-registrar", "xs-0009"});
    ASSERT_TRUE(env_->Start());
  }
  HttpAnswer Send(const std::string& person, const std::string& method, const std::string& target,
                  const std::string& body = {}, std::map<std::string, std::string> headers = {}) {
    if (!tokens_.count(person)) tokens_[person] = env_->Token(person);
    headers["Authorization"] = "Bearer " + tokens_[person];
    return env_->Client().Send(method, target, body, headers);
  }
  HttpAnswer Record(const std::string& person, const std::string& body) {
    return Send(person, "POST", "/api/v1/campaigns/xinshao-2017/rounds/q1_inspection/findings",
                body);
  }
  std::unique_ptr<ApiEnv> env_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(ApiFindingsTest, RecordConfirmDismissAndTheRoundsList) {
  HttpAnswer first = Record(
      "xs-0004",
      R"({"unit":"niangxi","title":"长塘村贫困户信息采集表与系统数据不一致","location":"长塘村","found_by":"unannounced_visit","evidence":["走访记录"]})");
  ASSERT_EQ(first.status, 201) << first.body;
  json::value f = first.Json();
  EXPECT_EQ(f.at("id"), "F-xinshao-2017-q1_inspection-001");
  EXPECT_EQ(f.at("state"), "draft");
  EXPECT_EQ(f.at("found_by"), "unannounced_visit");
  EXPECT_EQ(f.at("recorded_by"), "xs-0004");
  EXPECT_TRUE(f.at("item").is_null());
  HttpAnswer second = Record("xs-0004", R"({"unit":"niangxi","title":"重复记录"})");
  ASSERT_EQ(second.status, 201) << second.body;

  // Who may not: a township head records nothing (403), a unit the round does not inspect is 400.
  HttpAnswer head = Record("xs-0012", R"({"unit":"niangxi","title":"自查问题"})");
  EXPECT_EQ(head.status, 403) << head.body;
  HttpAnswer office = Record("xs-0004", R"({"unit":"xinshao-finance","title":"x"})");
  EXPECT_EQ(office.status, 400) << office.body;
  EXPECT_THAT(office.body, HasSubstr("inspects units of the kinds"));

  // The township head reads the finding (its unit is theirs) but may not confirm it.
  HttpAnswer refused =
      Send("xs-0012", "POST", "/api/v1/findings/F-xinshao-2017-q1_inspection-001/confirm", "{}");
  EXPECT_EQ(refused.status, 403) << refused.body;
  // The office confirms with a time limit of its own: 10 working days from 04-21 with the special
  // rectification's weekends worked and Labour Day (04-29 .. 05-01) rested: 04-22 .. 04-28 are
  // 7, 05-02 .. 05-04 the other 3, so the item is due 2017-05-04.
  HttpAnswer confirmed =
      Send("xs-0007", "POST", "/api/v1/findings/F-xinshao-2017-q1_inspection-001/confirm",
           R"({"time_limit":"10wd"})");
  ASSERT_EQ(confirmed.status, 201) << confirmed.body;
  json::value c = confirmed.Json();
  EXPECT_EQ(c.at("state"), "confirmed");
  EXPECT_EQ(c.at("item").at("id"), "P-xinshao-2017-q1_inspection-001");
  EXPECT_EQ(c.at("item").at("state"), "rectifying");
  EXPECT_EQ(c.at("item").at("due"), "2017-05-04");
  HttpAnswer twice =
      Send("xs-0007", "POST", "/api/v1/findings/F-xinshao-2017-q1_inspection-001/confirm", "{}");
  EXPECT_EQ(twice.status, 409) << twice.body;

  HttpAnswer no_reason =
      Send("xs-0007", "POST", "/api/v1/findings/F-xinshao-2017-q1_inspection-002/dismiss",
           R"({"reason":""})");
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  HttpAnswer dismissed =
      Send("xs-0007", "POST", "/api/v1/findings/F-xinshao-2017-q1_inspection-002/dismiss",
           R"({"reason":"与第1条重复"})");
  ASSERT_EQ(dismissed.status, 200) << dismissed.body;
  EXPECT_EQ(dismissed.Json().at("state"), "dismissed");

  // The round as the township head sees it: both findings, the item and where it stands.
  HttpAnswer round =
      Send("xs-0012", "GET", "/api/v1/campaigns/xinshao-2017/rounds/q1_inspection/findings");
  ASSERT_EQ(round.status, 200) << round.body;
  json::value r = round.Json();
  const json::array& findings = r.at("findings").as_array();
  ASSERT_EQ(findings.size(), 2u) << round.body;
  EXPECT_EQ(findings[0].at("item").at("state"), "rectifying");
  EXPECT_EQ(findings[0].at("item").at("due"), "2017-05-04");
  EXPECT_EQ(findings[1].at("state"), "dismissed");
  EXPECT_TRUE(findings[1].at("item").is_null());
  // Another township's cadre sees none of them.
  HttpAnswer other =
      Send("xs-0025", "GET", "/api/v1/campaigns/xinshao-2017/rounds/q1_inspection/findings");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_TRUE(other.Json().at("findings").as_array().empty()) << other.body;
  HttpAnswer no_round =
      Send("xs-0012", "GET", "/api/v1/campaigns/xinshao-2017/rounds/materials/findings");
  EXPECT_EQ(no_round.status, 400) << no_round.body;

  // The item says where it was found; lists say how and filter on it.
  HttpAnswer item = Send("xs-0012", "GET", "/api/v1/items/P-xinshao-2017-q1_inspection-001");
  ASSERT_EQ(item.status, 200) << item.body;
  json::value i = item.Json();
  EXPECT_EQ(i.at("found_by"), "unannounced_visit");
  EXPECT_EQ(i.at("origin").at("source"), "F-xinshao-2017-q1_inspection-001");
  EXPECT_EQ(i.at("origin").at("round"), "q1_inspection");
  EXPECT_EQ(i.at("origin").at("recorded_by"), "xs-0004");
  EXPECT_EQ(i.at("origin").at("recorded_by_name"), "邓涛华");
  EXPECT_EQ(i.at("origin").at("round_title"), "第一季度督查考核");
  EXPECT_EQ(i.at("campaign"), "xinshao-2017");
  HttpAnswer listed = Send("xs-0012", "GET", "/api/v1/items?found_by=unannounced-visit");
  ASSERT_EQ(listed.status, 200) << listed.body;
  json::value l = listed.Json();
  ASSERT_EQ(l.at("items").as_array().size(), 1u) << listed.body;
  EXPECT_EQ(l.at("items").as_array()[0].at("id"), "P-xinshao-2017-q1_inspection-001");
  HttpAnswer imported = Send("xs-0012", "GET", "/api/v1/items?found_by=inspection");
  ASSERT_EQ(imported.status, 200) << imported.body;
  EXPECT_TRUE(imported.Json().at("items").as_array().empty()) << imported.body;
  HttpAnswer bad = Send("xs-0012", "GET", "/api/v1/items?found_by=rumour");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(bad.body, HasSubstr("found_by: one of inspection, open_visit"));
}

TEST_P(ApiFindingsTest, AConfirmedPublicReportIsFollowedByItsTicket) {
  HttpAnswer made = env_->Client().Send("POST", "/api/v1/public/reports",
                                        R"({"text":"长塘村低保户名单公示不全"})");
  ASSERT_EQ(made.status, 201) << made.body;
  std::string ticket(made.Json().at("ticket").as_string());
  std::string secret(made.Json().at("secret").as_string());
  std::string id = "PR-" + ticket.substr(0, 4) + ticket.substr(5);
  // The console's findings page lists the public's reports by their workflow.
  HttpAnswer reports = Send("xs-0009", "GET", "/api/v1/items?workflow=public-report");
  ASSERT_EQ(reports.status, 200) << reports.body;
  json::value rj = reports.Json();
  ASSERT_EQ(rj.at("items").as_array().size(), 1u) << reports.body;
  EXPECT_EQ(std::string(rj.at("items").as_array()[0].at("id").as_string()), id);
  EXPECT_EQ(rj.at("items").as_array()[0].at("state"), "received");
  HttpAnswer items = Send("xs-0009", "GET", "/api/v1/items?workflow=rectification-item");
  ASSERT_EQ(items.status, 200) << items.body;
  EXPECT_THAT(items.body, Not(HasSubstr(id))) << items.body;
  HttpAnswer registered = Send("xs-0009", "POST", "/api/v1/items/" + id + "/events/register", "{}",
                               {{"If-Match", "\"1\""}});
  ASSERT_EQ(registered.status, 200) << registered.body;

  HttpAnswer no_unit = Send("xs-0004", "POST", "/api/v1/findings/" + id + "/confirm",
                            R"({"campaign":"xinshao-2017","evidence":["核查笔录"]})");
  EXPECT_EQ(no_unit.status, 400) << no_unit.body;
  HttpAnswer confirmed =
      Send("xs-0004", "POST", "/api/v1/findings/" + id + "/confirm",
           R"({"unit":"niangxi","campaign":"xinshao-2017","evidence":["核查笔录"]})");
  ASSERT_EQ(confirmed.status, 201) << confirmed.body;
  EXPECT_EQ(std::string(confirmed.Json().at("item").at("id").as_string()), id + "-P");

  HttpAnswer seen = env_->Client().Send("GET", "/api/v1/public/reports/" + ticket, "",
                                        {{"X-Ticket-Secret", secret}});
  ASSERT_EQ(seen.status, 200) << seen.body;
  json::value s = seen.Json();
  ASSERT_TRUE(s.at("rectification").is_object()) << seen.body;
  EXPECT_EQ(s.at("rectification").at("status"), "正在整改 (being rectified)");
  EXPECT_EQ(s.at("status"), "正在整改 (being rectified)");
  // 15 working days from 04-21 (the campaign's), weekends worked, Labour Day rested: 05-09.
  EXPECT_EQ(s.at("rectification").at("due"), "2017-05-09");
  EXPECT_EQ(s.at("rectification").at("steps").as_array().size(), 2u)
      << seen.body;  // register, assign
  EXPECT_THAT(seen.body, Not(HasSubstr("xs-00")));
  EXPECT_THAT(seen.body, Not(HasSubstr("邓涛华")));

  HttpAnswer item = Send("xs-0012", "GET", "/api/v1/items/" + id + "-P");
  ASSERT_EQ(item.status, 200) << item.body;
  EXPECT_EQ(item.Json().at("found_by"), "public_report");
  EXPECT_EQ(item.Json().at("unit"), "niangxi");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiFindingsTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
