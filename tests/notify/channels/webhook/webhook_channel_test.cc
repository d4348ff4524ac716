// The webhook channel against a local HTTP receiver (tests/support/http_sink.py): the generic,
// WeCom and DingTalk payloads as the receiver parses them, the DingTalk signature as the receiver
// recomputes it (Python's hmac, base64 and quote_plus, as DingTalk's documentation does), the
// Idempotency-Key, and how HTTP statuses, robot errcodes, timeouts and refused connections map to
// retry or failure.
#include "adapters/notify/channels/webhook/webhook_channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "tests/support/sink_process.h"
#include "tests/support/temp_dir.h"

namespace rectify::notify {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kSecret = "SEC0123456789abcdef+/=中文";

class WebhookChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto http = test::SinkProcess::Start(
        "http_sink.py", {"--dir", got_.path().string(), "--dingtalk-secret", kSecret});
    ASSERT_TRUE(http.ok()) << http.error().message();
    http_ = std::move(*http);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(http_->port()) + path;
  }

  static Message Reminder() {
    Message m;
    m.dedup_key = "Q-1:remind:rectifying:0:1";
    m.template_name = "reminder";
    m.language = "zh";
    m.recipient_id = "niangxi";
    m.recipient_name = "酿溪镇";
    m.subject = "【整改提醒】问题 Q-1 将于 2017-05-08 到期";
    m.text = "问题 Q-1（酿溪镇）的整改期限为 2017-05-08，请按期完成整改。\n- 责任人：唐强华";
    m.instance_id = "Q-1";
    m.fields = {{"deadline", "2017-05-08"}, {"unit", "酿溪镇"}};
    return m;
  }

  json::object Received(int n) const {
    std::ostringstream name;
    name << std::setw(6) << std::setfill('0') << n << ".json";
    std::ifstream f(got_.path() / name.str());
    std::stringstream s;
    s << f.rdbuf();
    EXPECT_FALSE(s.str().empty()) << "the receiver saved no request " << n;
    if (s.str().empty()) return {};
    return json::parse(s.str()).as_object();
  }

  SendResult Send(WebhookConfig config, const Message& m = Reminder()) {
    return MakeWebhookChannel(config)->Send(m);
  }

  test::TempDir got_;
  std::unique_ptr<test::SinkProcess> http_;
};

TEST_F(WebhookChannelTest, GenericJsonCarriesTheMessageAndTheIdempotencyKey) {
  auto channel = MakeWebhookChannel({.url = Url("/ok")});
  EXPECT_EQ(channel->kind(), "webhook");
  SendResult r = channel->Send(Reminder());
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_THAT(r.detail, StartsWith("HTTP 200"));
  json::object req = Received(1);
  EXPECT_EQ(req["path"], "/ok");
  EXPECT_EQ(req["headers"].at("idempotency-key"), "Q-1:remind:rectifying:0:1");
  EXPECT_THAT(std::string(req["headers"].at("content-type").as_string()),
              StartsWith("application/json"));
  const json::object& body = req["json"].as_object();
  EXPECT_EQ(body.at("dedup_key"), "Q-1:remind:rectifying:0:1");
  EXPECT_EQ(body.at("template"), "reminder");
  EXPECT_EQ(body.at("language"), "zh");
  EXPECT_EQ(body.at("recipient").at("id"), "niangxi");
  EXPECT_EQ(body.at("recipient").at("name"), "酿溪镇");
  EXPECT_EQ(body.at("subject"), json::value(Reminder().subject));
  EXPECT_EQ(body.at("text"), json::value(Reminder().text));
  EXPECT_EQ(body.at("instance_id"), "Q-1");
  EXPECT_EQ(body.at("fields"), (json::object{{"deadline", "2017-05-08"}, {"unit", "酿溪镇"}}));
}

TEST_F(WebhookChannelTest, EmptyUrlPostsToTheMessagesAddress) {
  Message m = Reminder();
  m.address = Url("/ok?key=robot-of-niangxi");
  ASSERT_EQ(Send({}, m).outcome, SendOutcome::kDelivered);
  EXPECT_EQ(Received(1)["query"].at("key"), "robot-of-niangxi");
}

TEST_F(WebhookChannelTest, WeComRobotGetsMarkdown) {
  SendResult r = Send({.url = Url("/robot?key=abc"), .format = WebhookConfig::Format::kWeCom});
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  json::object req = Received(1);
  EXPECT_EQ(req["json"].at("msgtype"), "markdown");
  EXPECT_EQ(req["json"].at("markdown").at("content"),
            json::value("**" + Reminder().subject + "**\n\n" + Reminder().text));
  EXPECT_EQ(req["headers"].at("idempotency-key"), "Q-1:remind:rectifying:0:1");
}

TEST_F(WebhookChannelTest, WeComContentIsCutAt4096BytesOnACharacterBoundary) {
  Message m = Reminder();
  m.text.clear();
  for (int i = 0; i < 2000; ++i) m.text += "整";  // 6,000 bytes
  ASSERT_EQ(Send({.url = Url("/robot"), .format = WebhookConfig::Format::kWeCom}, m).outcome,
            SendOutcome::kDelivered);
  std::string content(Received(1)["json"].at("markdown").at("content").as_string());
  EXPECT_LE(content.size(), 4096u);
  EXPECT_GT(content.size(), 4090u);
  EXPECT_THAT(content, ::testing::EndsWith("整"));
}

TEST_F(WebhookChannelTest, DingTalkRobotGetsMarkdownSignedWithTheCallersTimestamp) {
  Message m = Reminder();
  m.fields["timestamp_ms"] = "1493865000000";
  SendResult r = Send({.url = Url("/robot?access_token=tok"),
                       .format = WebhookConfig::Format::kDingTalk,
                       .secret = kSecret},
                      m);
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  json::object req = Received(1);
  EXPECT_EQ(req["query"].at("access_token"), "tok");
  EXPECT_EQ(req["query"].at("timestamp"), "1493865000000");
  EXPECT_EQ(req["sign_ok"], true) << req["raw_query"];
  EXPECT_EQ(req["json"].at("msgtype"), "markdown");
  EXPECT_EQ(req["json"].at("markdown").at("title"), json::value(Reminder().subject));
  EXPECT_EQ(req["json"].at("markdown").at("text"),
            json::value("### " + Reminder().subject + "\n\n" + Reminder().text));
}

TEST_F(WebhookChannelTest, DingTalkTimestampFromAnInjectedClockWhenTheMessageHasNone) {
  WebhookConfig config{.url = Url("/robot"),
                       .format = WebhookConfig::Format::kDingTalk,
                       .secret = kSecret,
                       .now_ms = [] { return std::int64_t{1500000000123}; }};
  ASSERT_EQ(Send(config).outcome, SendOutcome::kDelivered);
  json::object req = Received(1);
  EXPECT_EQ(req["query"].at("timestamp"), "1500000000123");
  EXPECT_EQ(req["sign_ok"], true);
}

TEST_F(WebhookChannelTest, SignedDingTalkWithoutAnyTimestampFailsWithoutSending) {
  SendResult r =
      Send({.url = Url("/robot"), .format = WebhookConfig::Format::kDingTalk, .secret = kSecret});
  EXPECT_EQ(r.outcome, SendOutcome::kFailed);
  EXPECT_THAT(r.detail, HasSubstr("timestamp_ms"));
}

TEST_F(WebhookChannelTest, HttpStatusesMapToRetryOrFailure) {
  for (auto [status, outcome] :
       std::vector<std::pair<int, SendOutcome>>{{500, SendOutcome::kRetry},
                                                {503, SendOutcome::kRetry},
                                                {429, SendOutcome::kRetry},
                                                {408, SendOutcome::kRetry},
                                                {404, SendOutcome::kFailed},
                                                {400, SendOutcome::kFailed},
                                                {301, SendOutcome::kFailed}}) {
    SendResult r = Send({.url = Url("/status/" + std::to_string(status))});
    EXPECT_EQ(r.outcome, outcome) << status << ": " << r.detail;
    EXPECT_THAT(r.detail, StartsWith("HTTP " + std::to_string(status))) << status;
  }
}

TEST_F(WebhookChannelTest, RobotErrcodesMapToFailureOrRetryForRateLimits) {
  using F = WebhookConfig::Format;
  struct Case {
    F format;
    int errcode;
    SendOutcome outcome;
  };
  for (const Case& c :
       {Case{F::kWeCom, 93000, SendOutcome::kFailed}, Case{F::kWeCom, 45009, SendOutcome::kRetry},
        Case{F::kWeCom, -1, SendOutcome::kRetry}, Case{F::kDingTalk, 310000, SendOutcome::kFailed},
        Case{F::kDingTalk, 130101, SendOutcome::kRetry},
        Case{F::kDingTalk, 300001, SendOutcome::kFailed}}) {
    SendResult r = Send({.url = Url("/robot/" + std::to_string(c.errcode)), .format = c.format});
    EXPECT_EQ(r.outcome, c.outcome) << c.errcode << ": " << r.detail;
    EXPECT_THAT(r.detail, HasSubstr("\"errcode\": " + std::to_string(c.errcode)));
  }
  // A 200 that is not a robot's answer is not taken as delivered.
  EXPECT_EQ(Send({.url = Url("/ok"), .format = F::kWeCom}).outcome, SendOutcome::kFailed);
}

TEST_F(WebhookChannelTest, TimeoutIsRetried) {
  auto started = std::chrono::steady_clock::now();
  SendResult r = Send({.url = Url("/slow"), .timeout_ms = 500});
  EXPECT_EQ(r.outcome, SendOutcome::kRetry) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("Timeout"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
}

TEST_F(WebhookChannelTest, OneChannelReusesItsConnectionAcrossSends) {
  auto channel = MakeWebhookChannel({.url = Url("/ok")});
  for (int i = 0; i < 20; ++i) {
    Message m = Reminder();
    m.dedup_key = "k-" + std::to_string(i);
    ASSERT_EQ(channel->Send(m).outcome, SendOutcome::kDelivered);
  }
  EXPECT_EQ(Received(20)["headers"].at("idempotency-key"), "k-19");
}

TEST(WebhookChannelFaults, RefusedConnectionIsRetriedAndABadUrlFails) {
  SendResult down =
      MakeWebhookChannel({.url = "http://127.0.0.1:" + std::to_string(test::UnusedPort()) + "/x"})
          ->Send(Message{});
  EXPECT_EQ(down.outcome, SendOutcome::kRetry) << down.detail;
  for (std::string bad : {"", "ftp://x/y", "file:///etc/passwd", "http://a b/"}) {
    SendResult r = MakeWebhookChannel({.url = bad})->Send(Message{});
    EXPECT_EQ(r.outcome, SendOutcome::kFailed) << bad;
    EXPECT_THAT(r.detail, StartsWith("bad address")) << bad;
  }
}

TEST(WebhookFormat, DingTalkSignatureMatchesTheDocumentedExample) {
  // Recomputed independently: python3 -c "import hmac,hashlib,base64,urllib.parse;
  //   s='SECxyz'; t='1700000000000';
  //   print(urllib.parse.quote_plus(base64.b64encode(hmac.new(s.encode(),
  //   (t+'\n'+s).encode(), hashlib.sha256).digest())))"
  EXPECT_EQ(DingTalkSign("SECxyz", 1700000000000),
            "0PUR1j8g85Xg3vlFV%2FUrEcxXfF5HpCAGzcjrNfyJoyg%3D");
}

}  // namespace
}  // namespace rectify::notify
