// The email channel against a real SMTP server on loopback (tests/support/smtp_sink.py, Debian's
// python3-aiosmtpd): what a recipient's mail program sees, decoded by Python's email parser, and
// how the channel reports a server that is down, busy (451), refusing (550) or too slow.
#include "adapters/notify/channels/email/email_channel.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/sink_process.h"
#include "tests/support/temp_dir.h"

namespace rectify::notify {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class EmailChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto smtp = test::SinkProcess::Start("smtp_sink.py", {"--dir", mail_.path().string()});
    ASSERT_TRUE(smtp.ok()) << smtp.error().message();
    smtp_ = std::move(*smtp);
  }

  EmailConfig Config() const {
    return {.smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp_->port()),
            .from = "新邵县脱贫攻坚指挥部 <rectify@xinshao.example>",
            .timeout_ms = 5000};
  }

  static Message Reminder() {
    Message m;
    m.dedup_key = "Q-1:remind:rectifying:0:1";
    m.template_name = "reminder";
    m.language = "zh";
    m.recipient_id = "xs-0014";
    m.recipient_name = "唐强华";
    m.address = "xs-0014@xinshao.example";
    m.subject = "【整改提醒】问题 Q-1 将于 2017-05-08 到期，请按期完成整改并提交佐证材料";
    m.text =
        "唐强华同志：\n问题 Q-1（酿溪镇）的整改期限为 2017-05-08。\nReminder: item Q-1 is due on "
        "2017-05-08.\n";
    m.html = "<html><body><p>唐强华同志：</p><p>整改期限 <b>2017-05-08</b>。</p></body></html>";
    m.instance_id = "Q-1";
    return m;
  }

  // The n-th message the server saved, as smtp_sink.py decoded it.
  json::object Received(int n) const {
    std::ostringstream name;
    name << std::setw(3) << std::setfill('0') << n << ".json";
    std::ifstream f(mail_.path() / name.str());
    std::stringstream s;
    s << f.rdbuf();
    EXPECT_FALSE(s.str().empty()) << "the server saved no message " << n;
    if (s.str().empty()) return {};
    return json::parse(s.str()).as_object();
  }

  int ReceivedCount() const {
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator(mail_.path())) {
      n += e.path().extension() == ".json";
    }
    return n;
  }

  test::TempDir mail_;
  std::unique_ptr<test::SinkProcess> smtp_;
};

TEST_F(EmailChannelTest, DeliversChineseAndEnglishBodiesWithDecodedSubjectAndNames) {
  auto channel = MakeEmailChannel(Config());
  EXPECT_EQ(channel->kind(), "email");
  SendResult r = channel->Send(Reminder());
  ASSERT_EQ(r.outcome, SendOutcome::kDelivered) << r.detail;
  EXPECT_THAT(r.detail, StartsWith("250"));

  json::object m = Received(1);
  EXPECT_EQ(m["mail_from"], "rectify@xinshao.example");
  EXPECT_EQ(m["rcpt_tos"], json::array{"xs-0014@xinshao.example"});
  EXPECT_EQ(m["subject"], json::value(Reminder().subject));
  EXPECT_EQ(m["to_name"], "唐强华");
  EXPECT_EQ(m["to"], "唐强华 <xs-0014@xinshao.example>");
  EXPECT_EQ(m["from"], "新邵县脱贫攻坚指挥部 <rectify@xinshao.example>");
  EXPECT_EQ(m["content_type"], "multipart/alternative");
  EXPECT_EQ(m["text"], json::value(Reminder().text));
  EXPECT_EQ(m["html"], json::value(Reminder().html));
  EXPECT_EQ(m["date"], "");  // no fields["date"]: the channel reads no clock
  EXPECT_EQ(m["defects"], json::array{});
  EXPECT_LE(m["max_line"].as_int64(), 78);  // RFC 5322 line length
}

TEST_F(EmailChannelTest, MessageIdComesFromTheDedupKeyAndRepeatsOnEveryAttempt) {
  auto channel = MakeEmailChannel(Config());
  Message m = Reminder();
  ASSERT_EQ(channel->Send(m).outcome, SendOutcome::kDelivered);
  ASSERT_EQ(channel->Send(m).outcome, SendOutcome::kDelivered);
  m.dedup_key = "Q-1:remind:rectifying:1:1";
  ASSERT_EQ(channel->Send(m).outcome, SendOutcome::kDelivered);

  EXPECT_EQ(Received(1)["message_id"], json::value(EmailMessageId("Q-1:remind:rectifying:0:1")));
  EXPECT_EQ(Received(2)["message_id"], Received(1)["message_id"]);
  EXPECT_NE(Received(3)["message_id"], Received(1)["message_id"]);
  EXPECT_THAT(std::string(Received(1)["message_id"].as_string()),
              ::testing::MatchesRegex("<[0-9a-f]{32}@rectify>"));
}

TEST_F(EmailChannelTest, PlainEnglishTextWithoutHtmlAndADateFromTheFields) {
  auto channel = MakeEmailChannel(Config());
  Message m = Reminder();
  m.language = "en";
  m.recipient_name = "Tang Qianghua";
  m.subject = "Reminder: item Q-1 is due on 2017-05-08";
  m.text = "Dear Tang Qianghua,\nitem Q-1 is due on 2017-05-08.\n";
  m.html.clear();
  m.fields["date"] = "2017-04-28T08:30:00+08:00";
  ASSERT_EQ(channel->Send(m).outcome, SendOutcome::kDelivered);
  json::object got = Received(1);
  EXPECT_EQ(got["content_type"], "text/plain");
  EXPECT_EQ(got["subject"], json::value(m.subject));
  EXPECT_EQ(got["to"], "Tang Qianghua <xs-0014@xinshao.example>");
  EXPECT_EQ(got["text"], json::value(m.text));
  EXPECT_EQ(got["html"], nullptr);
  EXPECT_EQ(got["date"], "Fri, 28 Apr 2017 00:30:00 +0000");
}

TEST_F(EmailChannelTest, ServerAnswering451IsRetriedWithItsAnswer) {
  Message m = Reminder();
  m.address = "busy@xinshao.example";
  SendResult r = MakeEmailChannel(Config())->Send(m);
  EXPECT_EQ(r.outcome, SendOutcome::kRetry) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("451 4.3.2 mailbox busy"));
  EXPECT_EQ(ReceivedCount(), 0);
}

TEST_F(EmailChannelTest, ServerAnswering550FailsForGoodWithItsAnswer) {
  Message m = Reminder();
  m.address = "nobody@xinshao.example";
  SendResult r = MakeEmailChannel(Config())->Send(m);
  EXPECT_EQ(r.outcome, SendOutcome::kFailed) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("550 5.1.1 no such user"));
}

TEST_F(EmailChannelTest, SlowServerBeyondTheTimeoutIsRetried) {
  EmailConfig config = Config();
  config.timeout_ms = 700;
  Message m = Reminder();
  m.address = "slow@xinshao.example";
  auto started = std::chrono::steady_clock::now();
  SendResult r = MakeEmailChannel(config)->Send(m);
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(r.outcome, SendOutcome::kRetry) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("Timeout"));
  EXPECT_LT(took, std::chrono::seconds(3))
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms: " << r.detail;
}

TEST_F(EmailChannelTest, AChannelKeepsWorkingAfterAFailedAttempt) {
  auto channel = MakeEmailChannel(Config());
  Message busy = Reminder();
  busy.address = "busy@xinshao.example";
  EXPECT_EQ(channel->Send(busy).outcome, SendOutcome::kRetry);
  EXPECT_EQ(channel->Send(Reminder()).outcome, SendOutcome::kDelivered);
  EXPECT_EQ(Received(1)["rcpt_tos"], json::array{"xs-0014@xinshao.example"});
}

TEST(EmailChannelFaults, ServerDownIsRetried) {
  EmailConfig config{.smtp_url = "smtp://127.0.0.1:" + std::to_string(test::UnusedPort()),
                     .from = "rectify@xinshao.example",
                     .timeout_ms = 2000};
  Message m;
  m.dedup_key = "k";
  m.address = "xs-0014@xinshao.example";
  m.subject = "s";
  m.text = "t";
  SendResult r = MakeEmailChannel(config)->Send(m);
  EXPECT_EQ(r.outcome, SendOutcome::kRetry) << r.detail;
  EXPECT_THAT(r.detail, HasSubstr("connect"));
}

TEST(EmailChannelFaults, MalformedAddressFailsWithoutConnecting) {
  EmailConfig config{.smtp_url = "smtp://127.0.0.1:" + std::to_string(test::UnusedPort()),
                     .from = "rectify@xinshao.example"};
  Message m;
  for (std::string bad : {"", "xs-0014", "a@b@c", "x@y\r\nRCPT TO:<evil@x>", "<x@y>"}) {
    m.address = bad;
    SendResult r = MakeEmailChannel(config)->Send(m);
    EXPECT_EQ(r.outcome, SendOutcome::kFailed) << bad;
    EXPECT_THAT(r.detail, StartsWith("bad address")) << bad;
  }
}

TEST(EmailFormat, HeadersAreEncodedWordsOfAtMost75CharactersAndBodiesBase64) {
  Message m;
  m.dedup_key = "k";
  m.address = "a@b.example";
  m.recipient_name = "张三";
  m.subject = std::string(40, 'x') + "整改期限即将到期整改期限即将到期整改期限即将到期";
  m.text = "正文";
  std::string mail = FormatEmail({.from = "rectify@b.example"}, m);
  EXPECT_THAT(mail, HasSubstr("To: =?UTF-8?B?5byg5LiJ?= <a@b.example>\r\n"));
  EXPECT_THAT(mail, HasSubstr("From: <rectify@b.example>\r\n"));
  EXPECT_THAT(mail, HasSubstr("Content-Transfer-Encoding: base64\r\n\r\n5q2j5paH\r\n"));
  std::istringstream lines(mail);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(line.size(), 77u) << line;  // 76 and the CR
  }
}

}  // namespace
}  // namespace rectify::notify
