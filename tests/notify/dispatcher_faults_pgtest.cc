// Faults through the dispatcher against real servers on loopback (tests/support/smtp_sink.py,
// Debian's aiosmtpd; tests/support/http_sink.py), on SQLite and PostgreSQL: an SMTP server down
// then up, answering 451 then OK, too slow once, answering 550; a webhook answering 500 then OK,
// or timing out once. Nothing is lost, every repeat carries the same dedup key as the server sees
// it (Message-ID, Idempotency-Key), and a dead letter from an SMTP refusal shows in `rectify
// status` and `rectify report deliveries --dead` through the binary. Then STARTTLS and AUTH
// against aiosmtpd with a throw-away certificate made by openssl.
#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <chrono>
#include <thread>

#include "adapters/notify/channels/email/email_plugin.h"
#include "adapters/notify/channels/webhook/webhook_plugin.h"
#include "tests/notify/dispatcher_test_env.h"
#include "tests/notify/sink_records.h"
#include "tests/support/run_command.h"
#include "tests/support/sink_process.h"

namespace rectify::notify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::CommandResult;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace test_env;

const Timestamp kMonday10 = T("2017-05-08T10:00:00+08:00");

class DispatcherFaultsTest : public DispatcherFixture {
 protected:
  void SetUp() override {
    DispatcherFixture::SetUp();
    // People whose mailbox plays a fault (smtp_sink.py picks it from the local part).
    for (const char* who : {"busyonce", "slowonce", "nobody"}) {
      Recipient r{std::string("xs-") + who, who, "zh", "新邵县", {}, false};
      r.contacts.email = std::string(who) + "-cadre@xinshao.test";
      directory_.Add(r);
    }
  }

  // The dispatcher's channels become real ones, built as `rectify dispatch` builds them.
  void UseChannels(std::vector<ChannelSpec> specs, std::map<std::string, std::string> routes) {
    for (auto& s : specs) s.retry = {5, std::chrono::minutes(1), std::chrono::hours(1)};
    config_ = std::make_unique<ChannelsConfig>(
        definition::DefinitionInfo{definition::Kind::kChannels, "faults"}, std::move(specs),
        std::move(routes), "cn");
    auto channels = MakeChannels(*config_, std::cout);
    ASSERT_TRUE(channels.ok()) << channels.error().message();
    channels_ = std::move(*channels);
  }

  static ChannelSpec Mail(int port, int timeout_ms = 3000) {
    ChannelSpec s;
    s.name = "mail";
    s.kind = "email";
    EmailConfig c;
    c.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
    c.from = "新邵县脱贫攻坚指挥部 <zhb@xinshao.test>";
    c.timeout_ms = timeout_ms;
    s.settings = std::make_shared<channels::email::Settings>(c);
    return s;
  }

  // The spec's email settings, to change: a copy of them (specs share theirs).
  static EmailConfig& Email(ChannelSpec& s) {
    auto copy =
        std::make_shared<channels::email::Settings>(*s.SettingsAs<channels::email::Settings>());
    s.settings = copy;
    return copy->config;
  }

  static ChannelSpec Hook(const std::string& url, int timeout_ms = 3000) {
    ChannelSpec s;
    s.name = "hook";
    s.kind = "webhook";
    WebhookConfig c;
    c.url = url;
    c.timeout_ms = timeout_ms;
    s.settings = std::make_shared<channels::webhook::Settings>(c);
    return s;
  }

  // Drains at the clock's now, then steps to each retry, until nothing is pending (at most 8
  // rounds).
  void DeliverAll(VirtualClock& clock, Dispatcher& d, const std::vector<std::string>& keys) {
    for (int round = 0; round < 8; ++round) {
      auto stats = d.Drain();
      ASSERT_TRUE(stats.ok()) << stats.error().message();
      std::optional<Timestamp> next;
      for (const auto& k : keys) {
        OutboxRecord r = Stored(k);
        if (r.state == OutboxState::kPending && (!next || r.next_attempt_at < *next)) {
          next = r.next_attempt_at;
        }
      }
      if (!next) return;
      clock.AdvanceTo(io_, std::max(*next, clock.Now()));
    }
    FAIL() << "still pending after 8 rounds";
  }

  // Waits (up to 20 s) until `dir` holds `n` records: a server may finish a request the client
  // already gave up on.
  static std::vector<json::object> WaitForRecords(const std::filesystem::path& dir, std::size_t n) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto got = test::SinkRecords(dir);
    while (got.size() < n && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      got = test::SinkRecords(dir);
    }
    return got;
  }

  std::vector<std::string> Args(std::vector<std::string> rest) {
    std::vector<std::string> a{"--db", db_->url()};
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  }

  test::TempDir mail_, hooks_;
};

TEST_P(DispatcherFaultsTest, AnSmtpServerDownThenUpGetsTheMessageOnceWithItsMessageId) {
  const std::string key = "Q-1|remind:rectifying:0|1|xs-0014";
  int port = test::UnusedPort();
  UseChannels({Mail(port)}, {{"email", "mail"}});
  Enqueue({Row(key, kMonday10)});
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(Stored(key).state, OutboxState::kPending);
  EXPECT_THAT(Stored(key).last_error, HasSubstr("onnect"));  // libcurl: could not connect

  auto smtp = test::SinkProcess::Start(
      "smtp_sink.py", {"--dir", mail_.path().string(), "--port", std::to_string(port)});
  ASSERT_TRUE(smtp.ok()) << smtp.error().message();
  DeliverAll(clock, *d, {key});
  EXPECT_EQ(Stored(key).state, OutboxState::kSent);
  EXPECT_THAT(Outcomes(key), ElementsAre("retry", "delivered"));
  auto got = test::SinkRecords(mail_.path());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].at("message_id"), json::value(EmailMessageId(key)));
  EXPECT_EQ(got[0].at("rcpt_tos"), json::array{"tang@example.org"});
}

TEST_P(DispatcherFaultsTest, Smtp451ThenOkAndATimeoutThenOkLoseNothingAndRepeatTheKey) {
  auto smtp = test::SinkProcess::Start("smtp_sink.py", {"--dir", mail_.path().string()});
  ASSERT_TRUE(smtp.ok()) << smtp.error().message();
  UseChannels({Mail((*smtp)->port(), 1500)}, {{"email", "mail"}});
  const std::string busy = "Q-1|remind:rectifying:0|1|xs-busyonce";
  const std::string slow = "Q-2|remind:rectifying:0|1|xs-slowonce";
  Enqueue({Row(busy, kMonday10, "xs-busyonce"), Row(slow, kMonday10, "xs-slowonce")});
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  DeliverAll(clock, *d, {busy, slow});
  EXPECT_EQ(Stored(busy).state, OutboxState::kSent);
  EXPECT_EQ(Stored(slow).state, OutboxState::kSent);
  EXPECT_THAT(Outcomes(busy), ElementsAre("retry", "delivered"));
  EXPECT_THAT(Outcomes(slow), ElementsAre("retry", "delivered"));
  auto attempts = outbox_->Attempts(Stored(busy).id);
  ASSERT_TRUE(attempts.ok());
  EXPECT_THAT((*attempts)[0].detail, HasSubstr("451 4.3.2 mailbox busy"));
  EXPECT_EQ((*attempts)[0].channel, "mail");

  // The slow server kept the first copy after the channel gave up on it: the mailbox holds two
  // copies of that message with one Message-ID, so it can drop the repeat.
  auto got = WaitForRecords(mail_.path(), 3);
  ASSERT_EQ(got.size(), 3u);
  std::multiset<std::string> ids;
  for (const auto& m : got) ids.insert(std::string(m.at("message_id").as_string()));
  EXPECT_EQ(ids.count(EmailMessageId(busy)), 1u);
  EXPECT_EQ(ids.count(EmailMessageId(slow)), 2u);
}

TEST_P(DispatcherFaultsTest, AnSmtp550IsADeadLetterInStatusAndTheReport) {
  auto smtp = test::SinkProcess::Start("smtp_sink.py", {"--dir", mail_.path().string()});
  ASSERT_TRUE(smtp.ok()) << smtp.error().message();
  UseChannels({Mail((*smtp)->port())}, {{"email", "mail"}});
  const std::string key = "Q-7|escalate:rectifying:1|1|xs-nobody";
  Enqueue({Row(key, kMonday10, "xs-nobody"), Row("Q-8|remind:rectifying:0|1|xs-0014", kMonday10)});
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  auto stats = d->Drain();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->dead, 1);
  EXPECT_EQ(stats->delivered, 1);
  EXPECT_EQ(Stored(key).state, OutboxState::kDead);
  EXPECT_THAT(Outcomes(key), ElementsAre("failed"));
  EXPECT_EQ(test::SinkRecords(mail_.path()).size(), 1u);

  CommandResult status = test::RunRectify(Args({"status"}));
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out,
              HasSubstr("dead letters:    1 (rectify report deliveries --dead lists them)"));
  EXPECT_THAT(status.out, HasSubstr(key + " to xs-nobody after 1 attempts"));
  EXPECT_THAT(status.out, HasSubstr("550 5.1.1 no such user here"));
  CommandResult dead =
      test::RunRectify(Args({"--format", "jsonl", "report", "deliveries", "--dead"}));
  ASSERT_EQ(dead.exit_code, 0) << dead.err;
  json::object row = json::parse(dead.out).as_object();
  EXPECT_EQ(row.at("dedup_key"), json::value(key));
  EXPECT_EQ(row.at("state"), "dead");
  EXPECT_THAT(std::string(row.at("last_error").as_string()), HasSubstr("550 5.1.1"));
  CommandResult text = test::RunRectify(Args({"report", "deliveries", "--dead"}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("delivered 1, dead letters 1"));
  EXPECT_THAT(text.out, HasSubstr("xs-nobody"));
}

TEST_P(DispatcherFaultsTest, AWebhook500ThenOkAndATimeoutThenOkLoseNothingAndRepeatTheKey) {
  auto http = test::SinkProcess::Start("http_sink.py", {"--dir", hooks_.path().string()});
  ASSERT_TRUE(http.ok()) << http.error().message();
  std::string base = "http://127.0.0.1:" + std::to_string((*http)->port());
  ChannelSpec flaky = Hook(base + "/flaky/1/ok");
  ChannelSpec slow = Hook(base + "/slowonce/ok", 1000);
  slow.name = "slowhook";
  UseChannels({flaky, slow}, {{"email", "hook"}, {"inbox", "slowhook"}});
  const std::string a = "Q-1|remind:rectifying:0|1|xs-0014";
  const std::string b = "Q-2|remind:rectifying:0|1|xs-0014";
  OutboxRecord to_slow = Row(b, kMonday10);
  to_slow.channel = "inbox";
  Enqueue({Row(a, kMonday10), to_slow});
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  DeliverAll(clock, *d, {a, b});
  EXPECT_EQ(Stored(a).state, OutboxState::kSent);
  EXPECT_EQ(Stored(b).state, OutboxState::kSent);
  EXPECT_THAT(Outcomes(a), ElementsAre("retry", "delivered"));
  EXPECT_THAT(Outcomes(b), ElementsAre("retry", "delivered"));
  auto attempts = outbox_->Attempts(Stored(a).id);
  ASSERT_TRUE(attempts.ok());
  EXPECT_THAT((*attempts)[0].detail, HasSubstr("HTTP 500"));

  auto got = WaitForRecords(hooks_.path(), 4);
  ASSERT_EQ(got.size(), 4u);
  std::map<std::string, std::vector<std::int64_t>> statuses;  // Idempotency-Key -> answers
  for (const auto& r : got) {
    std::string k(r.at("headers").at("idempotency-key").as_string());
    statuses[k].push_back(r.at("status").as_int64());
    EXPECT_EQ(r.at("json").at("dedup_key"), json::value(k));
  }
  EXPECT_THAT(statuses[a], ElementsAre(500, 200));
  EXPECT_THAT(statuses[b], ElementsAre(200, 200)) << "the first answer came too late";
}

// A throw-away self-signed certificate for 127.0.0.1, made with Debian's openssl.
void MakeCertificate(const test::TempDir& dir) {
  CommandResult r =
      test::RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", dir.File("key.pem"), "-out", dir.File("cert.pem"), "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST_P(DispatcherFaultsTest, StartTlsAndAuthAgainstAiosmtpd) {
  test::TempDir tls;
  MakeCertificate(tls);
  if (HasFatalFailure()) return;
  auto smtp = test::SinkProcess::Start(
      "smtp_sink.py",
      {"--dir", mail_.path().string(), "--tls-cert", tls.File("cert.pem"), "--tls-key",
       tls.File("key.pem"), "--require-tls", "--auth", "rectify:s3cret"});
  ASSERT_TRUE(smtp.ok()) << smtp.error().message();
  int port = (*smtp)->port();
  ChannelSpec good = Mail(port);
  Email(good).tls = EmailConfig::Tls::kRequired;
  Email(good).username = "rectify";
  Email(good).password = "s3cret";
  Email(good).ca_file = tls.File("cert.pem");
  ChannelSpec wrong = good;  // a wrong password
  wrong.name = "wrong";
  Email(wrong).password = "guess";
  ChannelSpec plain = Mail(port);  // no STARTTLS to a server that requires it
  plain.name = "plain";
  ChannelSpec untrusted = good;  // the system's CAs do not know the certificate
  untrusted.name = "untrusted";
  Email(untrusted).ca_file.clear();
  UseChannels({good, wrong, plain, untrusted},
              {{"email", "mail"}, {"dingtalk", "wrong"}, {"sms", "plain"}, {"wecom", "untrusted"}});
  // One mailbox, reached through each of the four channels by the row's contact kind.
  Recipient tang{"xs-0014", "唐强华", "zh", "新邵县", {}, false};
  tang.contacts.email = tang.contacts.dingtalk = tang.contacts.phone = tang.contacts.wecom =
      "tang@example.org";
  directory_.Add(tang);
  std::vector<OutboxRecord> rows;
  for (const char* kind : {"email", "dingtalk", "sms", "wecom"}) {
    OutboxRecord r = Row(std::string("Q-") + kind + "|remind:rectifying:0|1|xs-0014", kMonday10);
    r.channel = kind;
    rows.push_back(r);
  }
  Enqueue(rows);
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());

  EXPECT_EQ(Stored("Q-email|remind:rectifying:0|1|xs-0014").state, OutboxState::kSent);
  auto got = test::SinkRecords(mail_.path());
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].at("tls"), true);
  EXPECT_EQ(got[0].at("authenticated_as"), "rectify");
  EXPECT_EQ(got[0].at("message_id"),
            json::value(EmailMessageId("Q-email|remind:rectifying:0|1|xs-0014")));

  OutboxRecord wrong_row = Stored("Q-dingtalk|remind:rectifying:0|1|xs-0014");
  EXPECT_EQ(wrong_row.state, OutboxState::kDead) << wrong_row.last_error;
  EXPECT_THAT(wrong_row.last_error, HasSubstr("535"));
  OutboxRecord plain_row = Stored("Q-sms|remind:rectifying:0|1|xs-0014");
  EXPECT_EQ(plain_row.state, OutboxState::kDead) << plain_row.last_error;
  EXPECT_THAT(plain_row.last_error, HasSubstr("530"));
  OutboxRecord untrusted_row = Stored("Q-wecom|remind:rectifying:0|1|xs-0014");
  EXPECT_EQ(untrusted_row.state, OutboxState::kDead) << untrusted_row.last_error;
  EXPECT_THAT(untrusted_row.last_error, HasSubstr("certificate"));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DispatcherFaultsTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, DispatcherFaultsTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
