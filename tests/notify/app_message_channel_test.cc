// WeCom application messages and DingTalk work notifications to a person, against a local fake of
// both server APIs (tests/notify/im_app_fake.py): the person's user id and the text, the access
// token fetched once and reused, fetched again when it lapses or the API calls it expired (once),
// busy answers retried, wrong credentials and unknown users failed; and the settings' checks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/notify/channels/dingtalk_work/dingtalk_work_plugin.h"
#include "adapters/notify/channels/wecom_app/wecom_app_plugin.h"
#include "rectify/definition/definition_set.h"
#include "tests/notify/sink_records.h"
#include "tests/support/sink_process.h"
#include "tests/support/temp_dir.h"

namespace rectify::notify {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kSecret = "app-secret/中+=";
constexpr std::int64_t kAt = 1493712000000;  // 2017-05-02 08:00 UTC

class AppMessageTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto fake = test::SinkProcess::Start("../notify/im_app_fake.py",
                                         {"--dir", got_.path().string(), "--secret", kSecret});
    ASSERT_TRUE(fake.ok()) << fake.error().message();
    fake_ = std::move(*fake);
  }

  bool wecom() const { return GetParam() == "wecom"; }

  std::unique_ptr<Channel> Make(const std::string& secret = kSecret) const {
    std::string base = "http://127.0.0.1:" + std::to_string(fake_->port());
    if (wecom()) {
      channels::wecom_app::Settings s;
      s.base_url = base;
      s.corp_id = "ww0123456789";
      s.agent_id = 1000002;
      s.secret_env = "UNUSED";
      return MakeAppMessageChannel(channels::wecom_app::Api(s, secret));
    }
    channels::dingtalk_work::Settings s;
    s.base_url = base;
    s.app_key = "dingabc";
    s.agent_id = 2000001;
    s.secret_env = "UNUSED";
    return MakeAppMessageChannel(channels::dingtalk_work::Api(s, secret));
  }

  static Message To(const std::string& user, std::int64_t at_ms = kAt) {
    Message m;
    m.dedup_key = "Q-1|remind|" + user;
    m.template_name = "reminder";
    m.recipient_id = "xs-0014";
    m.address = user;
    m.subject = "整改提醒：Q-1";
    m.text = "您负责的问题 Q-1 整改期限为 2017-05-08。";
    m.fields = {{"timestamp_ms", std::to_string(at_ms)}};
    return m;
  }

  std::vector<json::object> Got(const std::string& api) const {
    std::vector<json::object> out;
    for (auto& r : test::SinkRecords(got_.path())) {
      if (r.at("api") == boost::json::value(api)) out.push_back(r);
    }
    return out;
  }

  test::TempDir got_;
  std::unique_ptr<test::SinkProcess> fake_;
};

TEST_P(AppMessageTest, ReachesThePersonAndReusesTheToken) {
  auto ch = Make();
  SendResult a = ch->Send(To("tangqianghua"));
  EXPECT_EQ(a.outcome, SendOutcome::kDelivered) << a.detail;
  SendResult b = ch->Send(To("liuwei", kAt + 3600 * 1000));
  EXPECT_EQ(b.outcome, SendOutcome::kDelivered) << b.detail;
  EXPECT_EQ(Got("token").size(), 1u) << "one token for both, within its two hours";
  auto sent = Got("send");
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].at("user"), "tangqianghua");
  EXPECT_EQ(sent[0].at("text"), "整改提醒：Q-1\n\n您负责的问题 Q-1 整改期限为 2017-05-08。");
  EXPECT_EQ(sent[0].at("token"), sent[1].at("token"));
  if (wecom()) {
    EXPECT_EQ(sent[0].at("body").at("agentid"), 1000002);
    EXPECT_EQ(sent[0].at("body").at("enable_duplicate_check"), 1);
  } else {
    EXPECT_EQ(sent[0].at("body").at("agent_id"), 2000001);
  }
  // Two hours later the token has lapsed: a new one is fetched before sending.
  SendResult c = ch->Send(To("liuwei", kAt + 2 * 3600 * 1000));
  EXPECT_EQ(c.outcome, SendOutcome::kDelivered) << c.detail;
  EXPECT_EQ(Got("token").size(), 2u);
}

TEST_P(AppMessageTest, AnExpiredTokenIsFetchedAgainOnce) {
  auto ch = Make();
  SendResult r = ch->Send(To("expired-once"));
  EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_EQ(Got("token").size(), 2u);
  auto sent = Got("send");
  ASSERT_EQ(sent.size(), 2u) << "the refused send, and the one with the new token";
  EXPECT_EQ(sent[0].at("answer"), 42001);
  EXPECT_NE(sent[0].at("token"), sent[1].at("token"));
}

TEST_P(AppMessageTest, BusyIsRetriedAndUnknownUsersAndWrongSecretsFail) {
  auto ch = Make();
  EXPECT_EQ(ch->Send(To("busy-once")).outcome, SendOutcome::kRetry);
  EXPECT_EQ(ch->Send(To("busy-once")).outcome, SendOutcome::kDelivered);
  SendResult nobody = ch->Send(To("nobody"));
  EXPECT_EQ(nobody.outcome, SendOutcome::kFailed);
  EXPECT_THAT(nobody.detail, HasSubstr(wecom() ? "81013" : "33012"));
  SendResult wrong = Make("wrong")->Send(To("tangqianghua"));
  EXPECT_EQ(wrong.outcome, SendOutcome::kFailed);
  EXPECT_THAT(wrong.detail, HasSubstr("access token"));
  Message none = To("");
  EXPECT_EQ(ch->Send(none).outcome, SendOutcome::kFailed);
}

INSTANTIATE_TEST_SUITE_P(Apis, AppMessageTest, ::testing::Values("wecom", "dingtalk"),
                         [](const auto& p) { return p.param; });

std::string Compile(const std::string& yaml) {
  Diagnostics diags;
  auto docs = definition::ParseYamlText(yaml, "office.yaml", {}, diags);
  auto set = definition::CompileDocuments(docs, diags);
  diags.Sort();
  return diags.Format();
}

TEST(AppMessageSettingsTest, EachSettingIsChecked) {
  std::string out = Compile(R"(kind: channels
name: office
channels:
  wecom: { kind: wecom-app, corp_id: ww1, agent_id: 0, secret_env: "a secret" }
  ding: { kind: dingtalk-work, agent_id: 2000001, secret_env: RECTIFY_DINGTALK_SECRET }
routes: { wecom: wecom, dingtalk: ding }
)");
  EXPECT_THAT(out, HasSubstr("channels.wecom.agent_id: agent_id is the app's AgentId"));
  EXPECT_THAT(out, HasSubstr("channels.wecom.secret_env: 'a secret' is not an environment"));
  EXPECT_THAT(out, HasSubstr("office.yaml:5:9: error: channels.ding: missing required key "
                             "'app_key'"));
}

TEST(AppMessageSettingsTest, APersonsIdsInTheOrgAreUserIdsOrRobotUrls) {
  std::string out = Compile(R"(kind: org
name: tiny
units:
  - { id: county, kind: county, name: 县 }
people:
  - { id: p1, name: 甲, unit: county, contacts: { wecom: "zhang san", dingtalk: manager4150 } }
  - { id: p2, name: 乙, unit: county, contacts: { wecom: "https://robot.example/p2" } }
)");
  EXPECT_THAT(out, HasSubstr("office.yaml:6:59: error: people[0].contacts.wecom: 'zhang san' is "
                             "not a wecom user id"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("dingtalk")));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("people[1]")));
}

}  // namespace
}  // namespace rectify::notify
