// Measures by judgment through a live `rectify serve` on SQLite and PostgreSQL (issue 15 point 3):
// Jinkouhe's finance bureau suspends the payment of an item's project funds with its reason
// (POST /api/v1/items/{id}/measures) and resumes it (POST .../measures/{measure}/end), If-Match
// required as for events; the engine's access rules decide who may; the item shows the measure
// while it is in force and, once ended, when and why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/http/api_env.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::HasSubstr;

class ApiMeasuresTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
    // A Jinkouhe item on the chain whose suspension finance may take by judgment.
    const std::string at = "2017-04-21T09:30:00+08:00";
    for (const char* person : {"jkh-07", "jkh-20"}) {
      ASSERT_TRUE(
          env_->Run({"user", "add", person, "--password-stdin"}, test::kApiPassword + "\n"));
    }
    ASSERT_TRUE(
        env_->Run({"item", "add", "--id", "JKH-1", "--unit", "jinhe", "--responsible", "jkh-20",
                   "--title", "易地扶贫搬迁项目资金违规拨付", "--time-limit", "10wd", "--as",
                   "jkh-04", "--escalation", "jinkouhe-funds", "--at", at}));
    ASSERT_TRUE(env_->Run({"item", "act", "JKH-1", "assign", "--as", "jkh-04", "--set",
                           "verifier=jkh-05", "--at", at}));
  }

  HttpAnswer Post(const std::string& person, const std::string& path, const std::string& body,
                  const std::string& if_match) {
    std::map<std::string, std::string> headers{{"Authorization", "Bearer " + env_->Token(person)}};
    if (!if_match.empty()) headers["If-Match"] = if_match;
    return env_->Client().Send("POST", path, body, headers);
  }

  HttpAnswer Get(const std::string& person) {
    return env_->Client().Send("GET", "/api/v1/items/JKH-1", "",
                               {{"Authorization", "Bearer " + env_->Token(person)}});
  }

  std::unique_ptr<ApiEnv> env_;
};

TEST_P(ApiMeasuresTest, FinanceSuspendsPaymentWithItsReasonAndResumesIt) {
  const std::string take = "/api/v1/items/JKH-1/measures";
  const std::string body = R"({"measure":"suspend_payment","reason":"违规拨付使用项目资金"})";

  HttpAnswer seen = Get("jkh-07");
  ASSERT_EQ(seen.status, 200) << seen.body;
  EXPECT_EQ(seen.Header("etag"), "\"2\"");
  EXPECT_TRUE(seen.Json().at("measures").as_array().empty());

  // If-Match as for events: required, and current.
  EXPECT_EQ(Post("jkh-07", take, body, "").status, 428);
  EXPECT_EQ(Post("jkh-07", take, body, "\"1\"").status, 412);
  // The reason is required; nothing else may be sent.
  HttpAnswer no_reason = Post("jkh-07", take, R"({"measure":"suspend_payment"})", "\"2\"");
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  EXPECT_THAT(no_reason.body, HasSubstr("reason"));
  HttpAnswer blank = Post("jkh-07", take, R"({"measure":"suspend_payment","reason":" "})", "\"2\"");
  EXPECT_EQ(blank.status, 400) << blank.body;
  EXPECT_EQ(
      Post("jkh-07", take, R"({"measure":"suspend_payment","reason":"x","at":"now"})", "\"2\"")
          .status,
      400);
  // Only the role the chain names: the township's head may not suspend its own payment.
  HttpAnswer township = Post("jkh-20", take, body, "\"2\"");
  EXPECT_EQ(township.status, 403) << township.body;
  EXPECT_THAT(township.body, HasSubstr("only finance"));
  // A step the chain takes only by time.
  HttpAnswer by_time =
      Post("jkh-07", take, R"({"measure":"work_interview","reason":"约谈"})", "\"2\"");
  EXPECT_EQ(by_time.status, 409) << by_time.body;
  EXPECT_THAT(by_time.body, HasSubstr("taken only by time"));

  HttpAnswer taken = Post("jkh-07", take, body, "\"2\"");
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(taken.Header("etag"), "\"3\"");
  json::value item = taken.Json();
  EXPECT_EQ(item.at("payment_suspended"), true);
  EXPECT_EQ(item.at("escalation_level"), 6);
  EXPECT_EQ(item.at("escalation_measure"), "suspend_payment");
  json::value m = item.at("measures").at(0);
  EXPECT_EQ(m.at("in_force"), true);
  EXPECT_EQ(m.at("decided_by"), "jkh-07");
  EXPECT_EQ(m.at("reason"), "违规拨付使用项目资金");
  EXPECT_EQ(m.at("unit"), "jkh-finance");
  EXPECT_EQ(m.at("unit_name"), "区财政局");
  // The node's clock runs at real speed from 10:00 that day.
  EXPECT_THAT(std::string(m.at("since").as_string()), HasSubstr("2017-04-21T10:0"));
  EXPECT_EQ(m.at("text"),
            "suspension of fund payment (暂停拨付) since 2017-04-21 by 区财政局, decided by 曹华 "
            "(jkh-07), "
            "for 违规拨付使用项目资金");
  // The history shows the decision, by whom and why.
  json::value history = item.at("history");
  json::value last = history.as_array().back();
  EXPECT_EQ(last.at("event"), "escalate");
  EXPECT_EQ(last.at("actor"), "jkh-07");
  EXPECT_EQ(last.at("reason"), "违规拨付使用项目资金");
  EXPECT_EQ(last.at("data").at("judgment"), true);

  // The list row says so too (from the node's item index).
  HttpAnswer list = env_->Client().Send("GET", "/api/v1/items?unit=jinhe", "",
                                        {{"Authorization", "Bearer " + env_->Token("jkh-07")}});
  ASSERT_EQ(list.status, 200) << list.body;
  json::value row = list.Json().at("items").at(0);
  EXPECT_EQ(row.at("id"), "JKH-1");
  EXPECT_EQ(row.at("measures_in_force"), json::array{"suspend_payment"});

  // Ended by an act of finance, with its reason; the township still may not.
  const std::string end = "/api/v1/items/JKH-1/measures/suspend_payment/end";
  EXPECT_EQ(Post("jkh-20", end, R"({"reason":"已整改"})", "\"3\"").status, 403);
  EXPECT_EQ(Post("jkh-07", end, R"({})", "\"3\"").status, 400);
  HttpAnswer ended = Post("jkh-07", end, R"({"reason":"资金已追回，恢复拨付"})", "\"3\"");
  ASSERT_EQ(ended.status, 200) << ended.body;
  item = ended.Json();
  EXPECT_EQ(item.at("payment_suspended"), false);
  m = item.at("measures").at(0);
  EXPECT_EQ(m.at("in_force"), false);
  EXPECT_EQ(m.at("ended_by"), "jkh-07");
  EXPECT_EQ(m.at("end_reason"), "资金已追回，恢复拨付");
  EXPECT_EQ(item.at("history").as_array().back().at("event"), "measure_end");
  // Nothing more to end.
  HttpAnswer again = Post("jkh-07", end, R"({"reason":"再次"})", "\"4\"");
  EXPECT_EQ(again.status, 409) << again.body;
  EXPECT_THAT(again.body, HasSubstr("no measure 'suspend_payment' is in force"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiMeasuresTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
