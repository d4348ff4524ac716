// Task inventories through a live `rectify serve` on SQLite and PostgreSQL (issue 15, point 6;
// adapters/http/api/task_routes.cc): the county's registrar imports Xinshao's responsibility
// breakdown over HTTP, the task's person responsible reports May's progress, and the answer, the
// next report's due date, the list and the audit row (channel api) say so; what is refused changes
// nothing: a cadre of another unit (404, as a task that does not exist), a stale If-Match (412),
// a report for a period not begun (409); a report made through the CLI is in the next list.
//
// The node's clock starts at 2017-05-10 10:00 (ApiEnv::SetFrom), inside May, the first period
// of xinshao-tasks (report: every month from 2017-05-01). May's report is due on its last working
// day, 2017-05-31 (a Wednesday; the Dragon Boat holiday was 05-28 .. 05-30); June's on 06-30, a
// Friday.
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

class ApiTasksTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    env_->SetFrom("2017-05-10T10:00:00+08:00");
    ASSERT_TRUE(env_->Start());
  }
  HttpAnswer Send(const std::string& person, const std::string& method, const std::string& target,
                  const std::string& body = "", std::map<std::string, std::string> headers = {}) {
    if (!tokens_.count(person)) tokens_[person] = env_->Token(person);
    headers["Authorization"] = "Bearer " + tokens_[person];
    if (!body.empty() && !headers.count("Content-Type"))
      headers["Content-Type"] = "application/json";
    return env_->Client().Send(method, target, body, headers);
  }
  std::unique_ptr<ApiEnv> env_;
  std::map<std::string, std::string> tokens_;
};

TEST_P(ApiTasksTest, TheOwnerReportsTheMonthsProgressAndWhatIsRefusedChangesNothing) {
  HttpAnswer imported = Send("xs-0009", "POST", "/api/v1/task-inventories/xinshao-tasks/import",
                             "序号,专项行动,工作任务,责任单位,责任人,完成时限\n"
                             "XS-1,精准识别,酿溪镇贫困户回头看入户核查,酿溪镇,徐文波,2017-06-30\n",
                             {{"Content-Type", "text/csv"}});
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(imported.Json().at("first_period"), "2017-05");

  // 徐文波 (xs-0012), head of 酿溪镇 and the task's person responsible, reads it.
  HttpAnswer task = Send("xs-0012", "GET", "/api/v1/tasks/XS-1");
  ASSERT_EQ(task.status, 200) << task.body;
  EXPECT_EQ(task.Header("etag"), "\"1\"");
  EXPECT_EQ(task.Json().at("period"), "2017-05");
  EXPECT_EQ(task.Json().at("report").at("due"), "2017-05-31");
  EXPECT_EQ(task.Json().at("campaign"), "");

  // A cadre of 严塘镇 may not read it, so may not report on it: told as if there were none.
  const std::string report = R"({"percent":40,"text":"入户核查完成 120 户"})";
  HttpAnswer other = Send("xs-0025", "POST", "/api/v1/tasks/XS-1/report", report);
  EXPECT_EQ(other.status, 404) << other.body;
  EXPECT_THAT(other.body, HasSubstr("no task XS-1"));

  // The report for May, on the version read.
  HttpAnswer done =
      Send("xs-0012", "POST", "/api/v1/tasks/XS-1/report", report, {{"If-Match", "\"1\""}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.Header("etag"), "\"2\"");
  json::value answer = done.Json();
  EXPECT_EQ(answer.at("state"), "reporting");
  EXPECT_EQ(answer.at("percent"), "40");
  EXPECT_EQ(answer.at("version"), 2);
  // The next report is June's, due on its last working day.
  EXPECT_EQ(answer.at("period"), "2017-06");
  EXPECT_EQ(answer.at("report").at("due"), "2017-06-30");
  EXPECT_EQ(answer.at("report").at("overdue"), false);
  json::array reports = answer.at("reports").as_array();
  ASSERT_EQ(reports.size(), 1u) << done.body;
  EXPECT_EQ(reports[0].at("period"), "2017-05");
  EXPECT_EQ(reports[0].at("percent"), "40");
  EXPECT_EQ(reports[0].at("text"), "入户核查完成 120 户");
  EXPECT_EQ(reports[0].at("by"), "xs-0012");
  EXPECT_EQ(reports[0].at("late"), false);

  // The audit row names the door and the request.
  HttpAnswer item = Send("xs-0012", "GET", "/api/v1/items/XS-1");
  ASSERT_EQ(item.status, 200) << item.body;
  json::value item_json = item.Json();
  int rows = 0;
  for (const auto& e : item_json.at("history").as_array()) {
    if (e.at("event") != "report") continue;
    ++rows;
    EXPECT_EQ(e.at("actor"), "xs-0012");
    EXPECT_EQ(e.at("data").at("channel"), "api");
    EXPECT_EQ(e.at("data").at("request_id"), done.Header("x-request-id").c_str());
  }
  EXPECT_EQ(rows, 1) << item.body;

  // The list shows the change.
  HttpAnswer list = Send("xs-0012", "GET", "/api/v1/tasks?inventory=xinshao-tasks");
  ASSERT_EQ(list.status, 200) << list.body;
  json::value list_json = list.Json();
  ASSERT_EQ(list_json.at("tasks").as_array().size(), 1u) << list.body;
  const json::value& row = list_json.at("tasks").as_array()[0];
  EXPECT_EQ(row.at("percent"), "40");
  EXPECT_EQ(row.at("period"), "2017-06");
  EXPECT_EQ(row.at("version"), 2);

  // Refused, changing nothing: an If-Match of the version before the report; a report for June,
  // which opens on 06-01; an If-Match that is no version.
  HttpAnswer stale = Send("xs-0012", "POST", "/api/v1/tasks/XS-1/report",
                          R"({"percent":50,"text":"again"})", {{"If-Match", "\"1\""}});
  EXPECT_EQ(stale.status, 412) << stale.body;
  EXPECT_EQ(stale.Header("etag"), "\"2\"");
  EXPECT_THAT(stale.body, HasSubstr("has changed since version 1"));
  HttpAnswer early = Send("xs-0012", "POST", "/api/v1/tasks/XS-1/report",
                          R"({"percent":50,"text":"六月进展"})", {{"If-Match", "\"2\""}});
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_THAT(early.body, HasSubstr("the report for 2017-06 opens on 2017-06-01"));
  HttpAnswer garbled = Send("xs-0012", "POST", "/api/v1/tasks/XS-1/report",
                            R"({"percent":50,"text":"x"})", {{"If-Match", "version two"}});
  EXPECT_EQ(garbled.status, 400) << garbled.body;
  HttpAnswer after = Send("xs-0012", "GET", "/api/v1/tasks/XS-1");
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(after.Header("etag"), "\"2\"");
  EXPECT_EQ(after.Json().at("percent"), "40");
  EXPECT_EQ(after.Json().at("reports").as_array().size(), 1u);

  // A report made elsewhere (the CLI, on June 5) is in the next list: the node's index reads the
  // task and its reports again when the store says it changed.
  ASSERT_TRUE(env_->Run({"task", "report", "XS-1", "--percent", "55", "--text", "六月核查过半",
                         "--as", "xs-0012", "--at", "2017-06-05T10:00:00+08:00"}));
  HttpAnswer again = Send("xs-0012", "GET", "/api/v1/tasks?inventory=xinshao-tasks");
  ASSERT_EQ(again.status, 200) << again.body;
  json::value again_json = again.Json();
  const json::value& changed = again_json.at("tasks").as_array()[0];
  EXPECT_EQ(changed.at("percent"), "55");
  EXPECT_EQ(changed.at("period"), "2017-07");
  EXPECT_EQ(changed.at("version"), 3);
  ASSERT_EQ(changed.at("reports").as_array().size(), 2u) << again.body;
  EXPECT_EQ(changed.at("reports").as_array()[1].at("period"), "2017-06");
  EXPECT_EQ(changed.at("reports").as_array()[1].at("text"), "六月核查过半");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiTasksTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
