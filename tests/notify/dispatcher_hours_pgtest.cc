// The dispatcher and the clock, on SQLite and PostgreSQL: nothing but an urgent message goes out of
// working hours whenever it was claimed (a late pickup, a rate-limit hold, a lease hold), urgency
// is the engine's explicit flag, and each attempt carries the dispatcher's time to the peer (the
// email's Date: header, a signed DingTalk robot's timestamp) as real servers see it.
#include <gmock/gmock.h>

#include <boost/json.hpp>

#include "adapters/notify/channels/email/email_plugin.h"
#include "adapters/notify/channels/webhook/webhook_plugin.h"
#include "tests/notify/dispatcher_test_env.h"
#include "tests/notify/sink_records.h"
#include "tests/support/sink_process.h"

namespace rectify::notify {
namespace {

using store_soci::Backend;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace test_env;

const Timestamp kFriday1759 = T("2017-05-05T17:59:00+08:00");
const Timestamp kMonday0830 = T("2017-05-08T08:30:00+08:00");

class DispatcherHoursTest : public DispatcherFixture {
 protected:
  std::vector<Timestamp> AttemptTimes(const std::string& key) {
    std::vector<Timestamp> out;
    auto attempts = outbox_->Attempts(Stored(key).id);
    EXPECT_TRUE(attempts.ok());
    if (attempts.ok()) {
      for (const auto& a : *attempts) out.push_back(a.at);
    }
    return out;
  }
};

TEST_P(DispatcherHoursTest, ARowDueBeforeClosingThatIsPickedUpAtNightWaitsForMonday) {
  const std::string key = "Q-1|remind:rectifying:1|1|xs-0014";
  Enqueue({Row(key, kFriday1759)});
  VirtualClock clock(T("2017-05-05T23:00:00+08:00"));  // the dispatcher was down until 23:00
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  auto night = d->Drain();
  ASSERT_TRUE(night.ok()) << night.error().message();
  EXPECT_EQ(night->held, 1);
  EXPECT_TRUE(fake_->sent.empty()) << "nothing goes out at 23:00";
  EXPECT_EQ(Stored(key).next_attempt_at, kMonday0830);
  EXPECT_EQ(Stored(key).attempts, 0) << "a hold is not an attempt";

  clock.AdvanceTo(io_, T("2017-05-06T10:00:00+08:00"));  // Saturday: still nothing
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_TRUE(fake_->sent.empty());
  clock.AdvanceTo(io_, kMonday0830);
  ASSERT_TRUE(d->Drain().ok());
  ASSERT_EQ(fake_->sent.size(), 1u);
  EXPECT_EQ(fake_->sent[0].dedup_key, key);
  EXPECT_THAT(AttemptTimes(key), ElementsAre(kMonday0830));
}

TEST_P(DispatcherHoursTest, ARateLimitHoldThatWouldEndAfterHoursEndsInTheMorning) {
  spec_.rate_per_minute = 1;
  spec_.burst = 1;
  Rebuild();
  Timestamp late = T("2017-05-05T17:59:30+08:00");
  Enqueue({Row("Q-1|r|1|xs-0014", late), Row("Q-2|r|1|xs-0014", late)});
  VirtualClock clock(late);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  ASSERT_EQ(fake_->sent.size(), 1u);
  // The next token comes at 18:00:30, after closing: the row waits for Monday's opening.
  EXPECT_EQ(Stored("Q-2|r|1|xs-0014").next_attempt_at, kMonday0830);
  clock.AdvanceTo(io_, T("2017-05-05T18:00:30+08:00"));
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(fake_->sent.size(), 1u);
  clock.AdvanceTo(io_, kMonday0830);
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(fake_->sent.size(), 2u);
  EXPECT_THAT(AttemptTimes("Q-2|r|1|xs-0014"), ElementsAre(kMonday0830));
}

TEST_P(DispatcherHoursTest, ARowPutBackForTheLeaseIsHeldToWorkingHoursWhenClaimedAgain) {
  Timestamp late = T("2017-05-05T17:58:00+08:00");
  Enqueue({Row("Q-1|s|1|xs-0014", late), Row("Q-2|s|1|xs-0014", late)});
  VirtualClock clock(late);
  // A slow peer: a send takes most of the one-minute lease, so the second row is put back.
  fake_->on_send = [&] { clock.Advance(io_, std::chrono::milliseconds(59500)); };
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  auto first = d->RunOnce();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->delivered, 1);
  EXPECT_EQ(first->held, 1);
  fake_->on_send = nullptr;
  clock.AdvanceTo(io_, T("2017-05-05T18:05:00+08:00"));
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(fake_->sent.size(), 1u) << "claimed again after 18:00, it waits";
  EXPECT_EQ(Stored("Q-2|s|1|xs-0014").next_attempt_at, kMonday0830);
}

TEST_P(DispatcherHoursTest, UrgencyIsTheEnginesFlagNotTheHour) {
  Timestamp night = T("2017-05-05T23:00:00+08:00");
  // An urgent escalation step (the engine writes "urgent": true) goes at once; a row the engine
  // did not mark waits, however its not_before came to be outside working hours.
  Enqueue({Row("Q-1|escalate:rectifying:5|1|xs-0014", night, "xs-0014", "escalation",
               R"({"item":"Q-1","title":"危房改造","measure":"suspend_payment","urgent":true})"),
           Row("Q-2|escalate:rectifying:4|1|xs-0014", night, "xs-0014", "escalation",
               R"({"item":"Q-2","title":"危房改造","measure":"warning_interview"})")});
  VirtualClock clock(night);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  ASSERT_EQ(fake_->sent.size(), 1u);
  EXPECT_EQ(fake_->sent[0].dedup_key, "Q-1|escalate:rectifying:5|1|xs-0014");
  EXPECT_EQ(Stored("Q-2|escalate:rectifying:4|1|xs-0014").next_attempt_at, kMonday0830);
  EXPECT_THAT(Outcomes("Q-2|escalate:rectifying:4|1|xs-0014"), IsEmpty());
}

// A real signed DingTalk robot receiver and a real SMTP server, behind the dispatcher: the
// channels are built from a channels file's specs as `rectify dispatch` builds them, with no clock
// of their own, so the time each peer sees is the one the dispatcher stamped.
TEST_P(DispatcherHoursTest, EachAttemptCarriesTheDispatchersTimeToThePeer) {
  test::TempDir got, mail;
  const std::string secret = "SEC0123456789abcdef";
  auto http = test::SinkProcess::Start("http_sink.py",
                                       {"--dir", got.path().string(), "--dingtalk-secret", secret});
  ASSERT_TRUE(http.ok()) << http.error().message();
  auto smtp = test::SinkProcess::Start("smtp_sink.py", {"--dir", mail.path().string()});
  ASSERT_TRUE(smtp.ok()) << smtp.error().message();
  ChannelSpec robot;
  robot.name = "robot";
  robot.kind = "webhook";
  WebhookConfig hook;
  hook.format = WebhookConfig::Format::kDingTalk;
  hook.secret = secret;
  hook.url = "http://127.0.0.1:" + std::to_string((*http)->port()) + "/robot/send?access_token=t";
  robot.settings = std::make_shared<channels::webhook::Settings>(hook);
  ChannelSpec mailer;
  mailer.name = "mail";
  mailer.kind = "email";
  EmailConfig mail_config;
  mail_config.smtp_url = "smtp://127.0.0.1:" + std::to_string((*smtp)->port());
  mail_config.from = "督查室 <dc@xinshao.example>";
  mailer.settings = std::make_shared<channels::email::Settings>(mail_config);
  config_ = std::make_unique<ChannelsConfig>(
      definition::DefinitionInfo{definition::Kind::kChannels, "real"},
      std::vector<ChannelSpec>{robot, mailer},
      std::map<std::string, std::string>{{"dingtalk", "robot"}, {"email", "mail"}}, "cn");
  auto channels = MakeChannels(*config_, std::cout);
  ASSERT_TRUE(channels.ok()) << channels.error().message();
  OutboxRecord ding = Row("Q-1|remind:rectifying:0|1|xs-0014", kMonday0830);
  ding.channel = "dingtalk";
  Enqueue({ding, Row("Q-2|remind:rectifying:0|1|xs-0014", kMonday0830)});

  Timestamp at = T("2017-05-08T10:00:00+08:00");
  VirtualClock clock(at);
  auto d = MakeDispatcher(*outbox_, clock, *channels);
  auto stats = d->Drain();
  ASSERT_TRUE(stats.ok()) << stats.error().message();
  EXPECT_EQ(stats->delivered, 2) << "the signed robot no longer dead-letters every message";
  EXPECT_EQ(Stored("Q-1|remind:rectifying:0|1|xs-0014").state, OutboxState::kSent);

  auto posts = test::SinkRecords(got.path());
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].at("query").at("timestamp"), "1494208800000");  // 2017-05-08 02:00 UTC
  EXPECT_EQ(posts[0].at("sign_ok"), true);
  EXPECT_EQ(posts[0].at("headers").at("idempotency-key"), "Q-1|remind:rectifying:0|1|xs-0014");
  auto mails = test::SinkRecords(mail.path());
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].at("date"), "Mon, 08 May 2017 02:00:00 +0000");
  EXPECT_EQ(mails[0].at("rcpt_tos"), boost::json::array{"tang@example.org"});
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DispatcherHoursTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, DispatcherHoursTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
