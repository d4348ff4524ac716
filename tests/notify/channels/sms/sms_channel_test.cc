// The cloud SMS channel against a local fake of Tencent Cloud's and Alibaba Cloud's SendSms
// (tests/notify/cloud_sms_fake.py) that checks every request's signature as the providers'
// documentation computes it, in Python: templates and parameters, the dedup key carried as each
// provider allows, faults (HTTP 429, the providers' throttle codes, a cut connection, a slow
// server, a refused number, a wrong key), and the channels file's checks of an sms channel.
#include "adapters/notify/channels/sms/sms_channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "adapters/notify/channels/sms/sms_plugin.h"
#include "rectify/definition/definition_set.h"
#include "tests/notify/sink_records.h"
#include "tests/support/sink_process.h"
#include "tests/support/temp_dir.h"

namespace rectify::notify {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

constexpr const char* kId = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE";
constexpr const char* kKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE/+中";
constexpr std::int64_t kAt = 1493712000000;  // 2017-05-02 08:00 UTC, in milliseconds

class SmsChannelTest : public ::testing::TestWithParam<SmsConfig::Provider> {
 protected:
  void SetUp() override {
    auto fake = test::SinkProcess::Start(
        "../notify/cloud_sms_fake.py",
        {"--dir", got_.path().string(), "--secret-id", kId, "--secret-key", kKey});
    ASSERT_TRUE(fake.ok()) << fake.error().message();
    fake_ = std::move(*fake);
  }

  bool tencent() const { return GetParam() == SmsConfig::Provider::kTencent; }

  SmsConfig Config() const {
    SmsConfig c;
    c.provider = GetParam();
    c.endpoint =
        "http://127.0.0.1:" + std::to_string(fake_->port()) + (tencent() ? "/tencent" : "/aliyun");
    c.secret_id = kId;
    c.secret_key = kKey;
    c.app_id = "1400006666";
    c.sign_name = "新邵县督查室";
    c.timeout_ms = 1500;
    if (tencent()) {
      c.templates["reminder"] = {"1234567", {{"1", "item"}, {"2", "due"}}};
    } else {
      c.templates["reminder"] = {"SMS_153055065", {{"item", "item"}, {"due", "due"}}};
    }
    return c;
  }

  static Message Reminder(const std::string& phone, const std::string& key = "Q-1|remind|1") {
    Message m;
    m.dedup_key = key;
    m.template_name = "reminder";
    m.recipient_id = "xs-0014";
    m.address = phone;
    m.subject = "整改提醒";
    m.text = "free text that must never be sent by SMS";
    m.fields = {{"item", "Q-1"}, {"due", "2017-05-08"}, {"timestamp_ms", std::to_string(kAt)}};
    return m;
  }

  std::vector<json::object> Got() const { return test::SinkRecords(got_.path()); }

  test::TempDir got_;
  std::unique_ptr<test::SinkProcess> fake_;
};

TEST_P(SmsChannelTest, SendsTheTemplateSignedAsTheProviderChecksIt) {
  auto sms = MakeSmsChannel(Config());
  SendResult r = sms->Send(Reminder("138 0000 0000"));
  EXPECT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  auto got = Got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].at("sig_ok").as_bool()) << json::serialize(got[0]);
  EXPECT_EQ(got[0].at("answer"), "accepted");
  EXPECT_EQ(got[0].at("key"), "Q-1|remind|1") << "the dedup key travels with the message";
  EXPECT_EQ(got[0].at("sign_name"), "新邵县督查室");
  if (tencent()) {
    EXPECT_EQ(got[0].at("phone"), "+8613800000000");
    EXPECT_EQ(got[0].at("template"), "1234567");
    EXPECT_EQ(json::serialize(got[0].at("params")), R"(["Q-1","2017-05-08"])");
    EXPECT_THAT(r.detail, HasSubstr("SerialNo"));
  } else {
    EXPECT_EQ(got[0].at("phone"), "13800000000");
    EXPECT_EQ(got[0].at("template"), "SMS_153055065");
    EXPECT_EQ(got[0].at("params").at("item"), "Q-1");
    EXPECT_EQ(got[0].at("params").at("due"), "2017-05-08");
    EXPECT_EQ(got[0].at("timestamp"), "2017-05-02T08:00:00Z");
    EXPECT_THAT(r.detail, HasSubstr("BizId"));
  }
  EXPECT_THAT(json::serialize(got[0]), ::testing::Not(HasSubstr("free text")));
}

TEST_P(SmsChannelTest, NoTemplateNoMessage) {
  auto sms = MakeSmsChannel(Config());
  Message notice = Reminder("13800000000");
  notice.template_name = "notice";
  SendResult r = sms->Send(notice);
  EXPECT_EQ(r.outcome, SendOutcome::kFailed);
  EXPECT_THAT(r.detail, HasSubstr("no SMS template for message kind 'notice'"));
  Message no_due = Reminder("13800000000");
  no_due.fields.erase("due");
  r = sms->Send(no_due);
  EXPECT_EQ(r.outcome, SendOutcome::kFailed);
  EXPECT_THAT(r.detail, HasSubstr("no field 'due'"));
  EXPECT_TRUE(Got().empty()) << "nothing reached the provider";
}

TEST_P(SmsChannelTest, AWrongKeyIsRefusedForGood) {
  SmsConfig c = Config();
  c.secret_key = "not-the-key";
  SendResult r = MakeSmsChannel(c)->Send(Reminder("13800000000"));
  EXPECT_EQ(r.outcome, SendOutcome::kFailed) << r.detail;
  EXPECT_THAT(r.detail,
              HasSubstr(tencent() ? "AuthFailure.SignatureFailure" : "SignatureDoesNotMatch"));
  auto got = Got();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FALSE(got[0].at("sig_ok").as_bool());
}

// Each fault holds the first request of a key; the retry of the same row (same key) goes through,
// and the provider took the message exactly once. Each fault on a fresh channel (a new
// connection): on a kept-alive connection that dies before any answer, libcurl itself sends the
// request again on a new one, and the first Send is then delivered.
TEST_P(SmsChannelTest, TransientFaultsAreRetriedAndTakenOnce) {
  for (std::string suffix : {"0429", "0503", "0777", "0888"}) {
    SCOPED_TRACE(suffix);
    auto sms = MakeSmsChannel(Config());
    std::string key = "Q-2|remind|" + suffix;
    SendResult first = sms->Send(Reminder("1380000" + suffix, key));
    EXPECT_EQ(first.outcome, SendOutcome::kRetry) << first.detail;
    SendResult again = sms->Send(Reminder("1380000" + suffix, key));
    EXPECT_EQ(again.outcome, SendOutcome::kDelivered) << again.detail;
  }
  // The slow server's first answer may still be on its way; wait for its record.
  for (int i = 0; i < 60 && Got().size() < 8; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::map<std::string, int> taken;
  for (const auto& r : Got()) {
    EXPECT_TRUE(r.at("sig_ok").as_bool());
    if (r.at("answer") == "accepted") ++taken[std::string(r.at("key").as_string())];
  }
  EXPECT_EQ(taken.size(), 4u);
  for (const auto& [key, n] : taken) EXPECT_EQ(n, 1) << key;
}

TEST_P(SmsChannelTest, ARefusedNumberFails) {
  SendResult r = MakeSmsChannel(Config())->Send(Reminder("13800000404"));
  EXPECT_EQ(r.outcome, SendOutcome::kFailed) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr(tencent() ? "IncorrectPhoneNumber" : "MOBILE_NUMBER_ILLEGAL"));
}

TEST_P(SmsChannelTest, ARefusedConnectionIsRetried) {
  SmsConfig c = Config();
  c.endpoint = "http://127.0.0.1:" + std::to_string(test::UnusedPort()) + "/tencent";
  SendResult r = MakeSmsChannel(c)->Send(Reminder("13800000000"));
  EXPECT_EQ(r.outcome, SendOutcome::kRetry) << r.detail;
}

INSTANTIATE_TEST_SUITE_P(Providers, SmsChannelTest,
                         ::testing::Values(SmsConfig::Provider::kTencent,
                                           SmsConfig::Provider::kAliyun),
                         [](const auto& p) {
                           return p.param == SmsConfig::Provider::kTencent ? "Tencent" : "Aliyun";
                         });

std::string Compile(const std::string& yaml) {
  Diagnostics diags;
  auto docs = definition::ParseYamlText(yaml, "office.yaml", {}, diags);
  auto set = definition::CompileDocuments(docs, diags);
  diags.Sort();
  return diags.Format();
}

TEST(SmsSettingsTest, EveryMessageKindNeedsATemplateWhoseParametersNameFields) {
  std::string out = Compile(R"(kind: channels
name: office
channels:
  sms:
    kind: sms
    provider: tencent
    app_id: "1400006666"
    sign_name: 新邵县督查室
    secret_id_env: RECTIFY_SMS_ID
    secret_key_env: "not a name"
    templates:
      reminder: { code: "1234567", params: { "1": item, "2": deadline } }
      remind: { code: "1" }
routes: { sms: sms }
)");
  EXPECT_THAT(out, HasSubstr("office.yaml:10:21: error: channels.sms.secret_key_env: 'not a name' "
                             "is not an environment variable's name"));
  EXPECT_THAT(out, HasSubstr("office.yaml:12:62: error: channels.sms.templates.reminder.params.2: "
                             "no message field 'deadline'"));
  EXPECT_THAT(out, HasSubstr("office.yaml:13:7: error: channels.sms.templates.remind: unknown "
                             "message kind 'remind'"));
  EXPECT_THAT(out, HasSubstr("office.yaml:12:7: error: channels.sms.templates: no SMS template for "
                             "the message kinds accountability-referral, bulletin, digest,"));
}

TEST(SmsSettingsTest, AProviderIsRequired) {
  std::string out = Compile(R"(kind: channels
name: office
channels:
  sms: { kind: sms, provider: huawei, sign_name: x, secret_id_env: A, secret_key_env: B,
         templates: {} }
routes: { sms: sms }
)");
  EXPECT_THAT(out, HasSubstr("channels.sms.provider: unknown provider 'huawei'"));
}

TEST(SmsSettingsTest, ReceiptsArePolledOrNotAndTheirWaitIsPositive) {
  std::string out = Compile(R"(kind: channels
name: office
channels:
  sms: { kind: sms, provider: tencent, app_id: "1", sign_name: x, secret_id_env: A,
         secret_key_env: B, receipts: push, receipt_within_s: 0, templates: {} }
routes: { sms: sms }
)");
  EXPECT_THAT(out, HasSubstr("channels.sms.receipts: unknown receipts 'push'"));
  EXPECT_THAT(out, HasSubstr("channels.sms.receipt_within_s: receipt_within_s must be a positive "
                             "number of seconds"));
}

}  // namespace
}  // namespace rectify::notify
