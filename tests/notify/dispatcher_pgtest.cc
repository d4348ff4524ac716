// The dispatcher against a real database, on SQLite and PostgreSQL (Sqlite/... and Postgres/...):
// delivery, retries in working hours, dead letters, cancellation, leases lost and retaken, rate
// limits, digests, letters kept, and two dispatchers sharing one outbox.
#include <gmock/gmock.h>

#include <set>
#include <thread>

#include "tests/notify/dispatcher_test_env.h"

namespace rectify::notify {
namespace {

using store_soci::Backend;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace test_env;

class DispatcherTest : public DispatcherFixture {
 protected:
  std::mutex mu_;
  std::vector<std::string> all_;
  std::map<std::string, std::size_t> per_owner_;
};

const Timestamp kMonday10 = T("2017-05-08T10:00:00+08:00");

TEST_P(DispatcherTest, DeliversWhatIsDueOnceWithItsDedupKeyAndRecordsTheAttempt) {
  Enqueue({Row("Q-1|remind:rectifying:0|1|xs-0014", kMonday10),
           Row("Q-2|remind:rectifying:0|1|xs-0014", kMonday10),
           Row("Q-3|remind:rectifying:0|1|xs-0014", kMonday10 + std::chrono::hours(2))});
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  auto stats = d->Drain();
  ASSERT_TRUE(stats.ok()) << stats.error().message();
  EXPECT_EQ(stats->delivered, 2);
  ASSERT_EQ(fake_->sent.size(), 2u);
  EXPECT_EQ(fake_->sent[0].dedup_key, "Q-1|remind:rectifying:0|1|xs-0014");
  EXPECT_EQ(fake_->sent[0].address, "tang@example.org");
  EXPECT_THAT(fake_->sent[0].subject, HasSubstr("整改提醒"));
  EXPECT_EQ(Stored("Q-1|remind:rectifying:0|1|xs-0014").state, OutboxState::kSent);
  EXPECT_THAT(Outcomes("Q-1|remind:rectifying:0|1|xs-0014"), ElementsAre("delivered"));
  EXPECT_EQ(Stored("Q-3|remind:rectifying:0|1|xs-0014").state, OutboxState::kPending);

  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(fake_->sent.size(), 2u) << "nothing is sent twice";
  clock.AdvanceTo(io_, kMonday10 + std::chrono::hours(2));
  ASSERT_TRUE(d->Drain().ok());
  ASSERT_EQ(fake_->sent.size(), 3u);
  EXPECT_EQ(fake_->sent[2].dedup_key, "Q-3|remind:rectifying:0|1|xs-0014");
}

TEST_P(DispatcherTest, RetriesWithBackoffInsideWorkingHoursWithTheSameKey) {
  const std::string key = "Q-1|escalate:rectifying:0|1|xs-0014";
  Timestamp friday = T("2017-05-05T17:40:00+08:00");
  Enqueue({Row(key, friday)});
  fake_->script = {SendOutcome::kRetry, SendOutcome::kRetry};
  VirtualClock clock(friday);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  OutboxRecord first = Stored(key);
  EXPECT_EQ(first.state, OutboxState::kPending);
  EXPECT_EQ(first.attempts, 1);
  EXPECT_EQ(first.last_error, "421 try again later");
  EXPECT_GE(first.next_attempt_at, friday + std::chrono::seconds(30));
  EXPECT_LE(first.next_attempt_at, friday + std::chrono::minutes(1));
  clock.AdvanceTo(io_, first.next_attempt_at);
  ASSERT_TRUE(d->Drain().ok());
  OutboxRecord second = Stored(key);
  EXPECT_EQ(second.attempts, 2);
  // The second wait (1-2 minutes) ends after 17:40 + 3 min at the latest: still Friday's hours.
  clock.AdvanceTo(io_, second.next_attempt_at);
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(Stored(key).state, OutboxState::kSent);
  EXPECT_EQ(Stored(key).attempts, 3);
  EXPECT_THAT(Outcomes(key), ElementsAre("retry", "retry", "delivered"));
  ASSERT_EQ(fake_->sent.size(), 3u);
  for (const auto& m : fake_->sent) EXPECT_EQ(m.dedup_key, key);
}

TEST_P(DispatcherTest, ARetryThatWouldFallAfterHoursWaitsForTheNextWorkingDay) {
  const std::string key = "Q-1|remind:rectifying:1|1|xs-0014";
  Timestamp late = T("2017-04-28T17:59:30+08:00");  // Friday before Labour Day
  Enqueue({Row(key, late)});
  fake_->script = {SendOutcome::kRetry};
  VirtualClock clock(late);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(Stored(key).next_attempt_at, T("2017-05-02T08:30:00+08:00"));
}

TEST_P(DispatcherTest, DeadLettersAfterTheLimitAndAPermanentFailureAtOnce) {
  Enqueue({Row("Q-1|a|1|xs-0014", kMonday10), Row("Q-2|a|1|xs-0014", kMonday10)});
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  fake_->script = {SendOutcome::kRetry, SendOutcome::kFailed};
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(Stored("Q-2|a|1|xs-0014").state, OutboxState::kDead);
  EXPECT_THAT(Stored("Q-2|a|1|xs-0014").last_error, HasSubstr("550 no such mailbox"));
  fake_->always_retry = true;
  for (int i = 0; i < 10 && Stored("Q-1|a|1|xs-0014").state == OutboxState::kPending; ++i) {
    clock.AdvanceTo(io_, Stored("Q-1|a|1|xs-0014").next_attempt_at);
    ASSERT_TRUE(d->Drain().ok());
  }
  OutboxRecord dead = Stored("Q-1|a|1|xs-0014");
  EXPECT_EQ(dead.state, OutboxState::kDead);
  EXPECT_EQ(dead.attempts, 3);
  EXPECT_THAT(dead.last_error, HasSubstr("gave up after 3 attempts"));
  EXPECT_THAT(Outcomes("Q-1|a|1|xs-0014"), ElementsAre("retry", "retry", "failed"));
  auto letters = outbox_->DeadLetters(10);
  ASSERT_TRUE(letters.ok());
  EXPECT_EQ(letters->size(), 2u);
  auto counts = outbox_->Counts(clock.Now());
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->dead, 2);
  EXPECT_EQ(counts->attempts, 4);

  // After the fault is fixed, a requeue sends them again, with the same key.
  fake_->always_retry = false;
  auto n = outbox_->Requeue(clock.Now());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(Stored("Q-1|a|1|xs-0014").state, OutboxState::kSent);
}

TEST_P(DispatcherTest, ARowTheEngineCancelledIsNeverSent) {
  const std::string key = "Q-1|remind:rectifying:2|1|xs-0014";
  Enqueue({Row(key, kMonday10 + std::chrono::hours(3))});
  ChangeSet cancel;
  cancel.outbox_updates.push_back(
      {key, OutboxState::kCancelled, 0, kMonday10 + std::chrono::hours(3), "cancelled: moved on"});
  ASSERT_TRUE(store_->Commit(cancel).ok());
  VirtualClock clock(kMonday10 + std::chrono::hours(4));
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  auto stats = d->Drain();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->claimed, 0);
  EXPECT_TRUE(fake_->sent.empty());
  EXPECT_EQ(Stored(key).state, OutboxState::kCancelled);
}

TEST_P(DispatcherTest, AMessageCancelledWhileItWasBeingSentStaysDelivered) {
  const std::string key = "Q-1|remind:rectifying:3|1|xs-0014";
  Enqueue({Row(key, kMonday10)});
  auto claimed = outbox_->Claim(kMonday10, 10, "node-a", kMonday10 + std::chrono::minutes(1));
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  ChangeSet cancel;
  cancel.outbox_updates.push_back({key, OutboxState::kCancelled, 0, kMonday10, "moved on"});
  ASSERT_TRUE(store_->Commit(cancel).ok());
  RowResult sent;
  sent.outbox_id = claimed->front().row.id;
  sent.lease_token = claimed->front().lease_token;
  sent.state = OutboxState::kSent;
  sent.attempts_total = 1;
  sent.sent_at = kMonday10;
  sent.attempts.push_back({sent.outbox_id, 1, kMonday10, "fake", "delivered", "250 ok"});
  auto lost = outbox_->Finish({sent});
  ASSERT_TRUE(lost.ok()) << lost.error().message();
  EXPECT_TRUE(lost->empty());
  EXPECT_EQ(Stored(key).state, OutboxState::kSent) << "it went out, so it is delivered";
}

TEST_P(DispatcherTest, ADeadDispatchersLeaseRunsOutAndTheRowIsSentAgainWithTheSameKey) {
  const std::string key = "Q-1|escalate:rectifying:1|1|xs-0014";
  Enqueue({Row(key, kMonday10)});
  // node-a claims the row and dies before it records anything.
  auto claimed = outbox_->Claim(kMonday10, 10, "node-a:77", kMonday10 + std::chrono::minutes(1));
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  VirtualClock clock(kMonday10 + std::chrono::seconds(30));
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  auto early = d->Drain();
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->claimed, 0) << "the lease is still live";
  clock.AdvanceTo(io_, kMonday10 + std::chrono::minutes(1));
  auto late = d->Drain();
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->abandoned, 1);
  EXPECT_EQ(late->delivered, 1);
  ASSERT_EQ(fake_->sent.size(), 1u);
  EXPECT_EQ(fake_->sent[0].dedup_key, key);
  EXPECT_EQ(Stored(key).state, OutboxState::kSent);
  EXPECT_EQ(Stored(key).attempts, 2);
  auto attempts = outbox_->Attempts(Stored(key).id);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].outcome, "abandoned");
  EXPECT_THAT((*attempts)[0].detail, HasSubstr("node-a:77"));
  EXPECT_EQ((*attempts)[1].outcome, "delivered");
}

TEST_P(DispatcherTest, ADispatcherThatLostItsLeaseCannotOverwriteTheOutcome) {
  const std::string key = "Q-1|remind:x|1|xs-0014";
  Enqueue({Row(key, kMonday10)});
  auto a = outbox_->Claim(kMonday10, 10, "slow", kMonday10 + std::chrono::minutes(1));
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 1u);
  VirtualClock clock(kMonday10 + std::chrono::minutes(2));
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  ASSERT_EQ(Stored(key).state, OutboxState::kSent);
  RowResult stale;
  stale.outbox_id = a->front().row.id;
  stale.lease_token = a->front().lease_token;
  stale.state = OutboxState::kDead;
  stale.attempts_total = 9;
  stale.attempts.push_back({stale.outbox_id, 9, clock.Now(), "fake", "failed", "late"});
  auto lost = outbox_->Finish({stale});
  ASSERT_TRUE(lost.ok());
  EXPECT_THAT(*lost, ElementsAre(stale.outbox_id));
  EXPECT_EQ(Stored(key).state, OutboxState::kSent);
  EXPECT_EQ(Outcomes(key).back(), "failed") << "the stale attempt is still recorded";
}

TEST_P(DispatcherTest, AChannelThatSendsManyAtOnceGetsTheBatchInOneCallAndEachRowItsOutcome) {
  fake_->at_once = true;
  fake_->script = {SendOutcome::kDelivered, SendOutcome::kFailed, SendOutcome::kRetry,
                   SendOutcome::kDelivered};
  Enqueue({Row("G-1|s|1|xs-0014", kMonday10), Row("G-2|s|1|xs-0014", kMonday10),
           Row("G-3|s|1|xs-0014", kMonday10), Row("G-4|s|1|xs-0014", kMonday10)});
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  auto stats = d->RunOnce();
  ASSERT_TRUE(stats.ok());
  EXPECT_THAT(fake_->groups, ElementsAre(4u)) << "one call for the batch";
  EXPECT_EQ(stats->delivered, 2);
  EXPECT_EQ(stats->dead, 1);
  EXPECT_EQ(stats->retried, 1);
  EXPECT_THAT(Outcomes("G-1|s|1|xs-0014"), ElementsAre("delivered"));
  EXPECT_THAT(Outcomes("G-2|s|1|xs-0014"), ElementsAre("failed"));
  EXPECT_THAT(Outcomes("G-3|s|1|xs-0014"), ElementsAre("retry"));
  EXPECT_THAT(Outcomes("G-4|s|1|xs-0014"), ElementsAre("delivered"));
  EXPECT_EQ(Stored("G-2|s|1|xs-0014").state, OutboxState::kDead);
  EXPECT_EQ(Stored("G-3|s|1|xs-0014").state, OutboxState::kPending);
}

TEST_P(DispatcherTest, ASlowPeerNeverMakesASendOutliveTheLease) {
  Enqueue({Row("Q-1|s|1|xs-0014", kMonday10), Row("Q-2|s|1|xs-0014", kMonday10),
           Row("Q-3|s|1|xs-0014", kMonday10)});
  VirtualClock clock(kMonday10);
  fake_->on_send = [&] { clock.Advance(io_, std::chrono::seconds(40)); };
  auto d = MakeDispatcher(*outbox_, clock, channels_);  // a lease of one minute
  auto first = d->RunOnce();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->delivered, 2);
  EXPECT_EQ(first->held, 1) << "the third send could end after the lease: put back untried";
  EXPECT_EQ(Stored("Q-3|s|1|xs-0014").attempts, 0);
  auto second = d->RunOnce();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->delivered, 1);
  EXPECT_EQ(fake_->sent.size(), 3u);
}

TEST_P(DispatcherTest, ARateLimitSpreadsABurstOverTime) {
  spec_.rate_per_minute = 2;
  spec_.burst = 1;
  Rebuild();
  std::vector<OutboxRecord> rows;
  rows.reserve(4);
  for (int i = 0; i < 4; ++i)
    rows.push_back(Row("Q-" + std::to_string(i) + "|r|1|xs-0014", kMonday10));
  Enqueue(rows);
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  std::vector<Timestamp> sent_at;
  for (int step = 0; step < 20 && sent_at.size() < 4; ++step) {
    std::size_t before = fake_->sent.size();
    ASSERT_TRUE(d->Drain().ok());
    for (std::size_t i = before; i < fake_->sent.size(); ++i) sent_at.push_back(clock.Now());
    auto next = store_->PendingOutbox(kMonday10 + std::chrono::hours(1), 1);
    ASSERT_TRUE(next.ok());
    if (next->empty()) break;
    clock.AdvanceTo(io_, std::max(clock.Now(), next->front().next_attempt_at));
  }
  ASSERT_EQ(sent_at.size(), 4u);
  EXPECT_EQ(sent_at[0], kMonday10);
  EXPECT_EQ(sent_at[3], kMonday10 + std::chrono::seconds(90)) << "one every 30 seconds";
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_THAT(Outcomes("Q-" + std::to_string(i) + "|r|1|xs-0014"), ElementsAre("delivered"))
        << "waiting for the rate limit is not an attempt";
  }
}

TEST_P(DispatcherTest, APersonWhoAskedForADigestGetsOneMessageAtTheStartOfTheDay) {
  Enqueue({Row("Q-1|remind:r:0|1|xs-0099", kMonday10, "xs-0099", "reminder",
               R"({"item":"Q-1","title":"a","due":"2017-05-12"})"),
           Row("Q-2|remind:r:0|1|xs-0099", kMonday10 + std::chrono::hours(1), "xs-0099", "reminder",
               R"({"item":"Q-2","title":"b","due":"2017-05-15"})"),
           Row("Q-3|escalate:r:0|1|xs-0099", kMonday10, "xs-0099", "escalation",
               R"({"item":"Q-3","title":"t","measure":"reminder_letter","due":"2017-05-05"})")});
  VirtualClock clock(kMonday10 + std::chrono::hours(1));
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  ASSERT_EQ(fake_->sent.size(), 1u) << "the escalation goes alone and at once";
  EXPECT_EQ(fake_->sent[0].template_name, "reminder-letter");
  EXPECT_EQ(Stored("Q-1|remind:r:0|1|xs-0099").next_attempt_at, T("2017-05-09T08:30:00+08:00"));
  clock.AdvanceTo(io_, T("2017-05-09T08:30:00+08:00"));
  auto stats = d->Drain();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->digests, 1);
  ASSERT_EQ(fake_->sent.size(), 2u);
  const Message& digest = fake_->sent[1];
  EXPECT_EQ(digest.template_name, "digest");
  EXPECT_THAT(digest.dedup_key, HasSubstr("digest|xs-0099|2017-05-09"));
  EXPECT_THAT(digest.subject, HasSubstr("(2)"));
  EXPECT_THAT(digest.text, HasSubstr("Q-1"));
  EXPECT_THAT(digest.text, HasSubstr("Q-2"));
  EXPECT_EQ(Stored("Q-2|remind:r:0|1|xs-0099").state, OutboxState::kSent);
  EXPECT_THAT(Outcomes("Q-2|remind:r:0|1|xs-0099"), ElementsAre("digested"));
}

TEST_P(DispatcherTest, AnUrgentReminderSkipsTheDigestAndTheRateLimit) {
  spec_.rate_per_minute = 1;
  Rebuild();
  Timestamp night = T("2017-05-08T23:00:00+08:00");  // only urgent rows go at night
  // The engine marks an urgent step's rows with "urgent": true (step.cc).
  Enqueue({Row("Q-1|a|1|xs-0099", night, "xs-0099", "reminder", R"({"urgent":true})"),
           Row("Q-2|a|1|xs-0099", night, "xs-0099", "reminder", R"({"urgent":true})"),
           Row("Q-3|a|1|xs-0014", night, "xs-0014", "reminder", R"({"urgent":true})")});
  VirtualClock clock(night);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(fake_->sent.size(), 3u);
}

TEST_P(DispatcherTest, KeepsLettersWithTheItemsRecord) {
  Enqueue({Row("Q-7|escalate:r:1|1|xs-0014", kMonday10, "xs-0014", "escalation",
               R"({"item":"Q-7","title":"资金拨付滞后","measure":"supervision_letter",)"
               R"("due":"2017-05-02","unit_name":"酿溪镇"})")});
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  auto docs = outbox_->DocumentsOf("Q-7");
  ASSERT_TRUE(docs.ok()) << docs.error().message();
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ((*docs)[0].template_name, "supervision-letter");
  EXPECT_EQ((*docs)[0].language, "zh");
  EXPECT_THAT((*docs)[0].html, HasSubstr("资金拨付滞后"));
  EXPECT_EQ(fake_->sent[0].html, (*docs)[0].html);
}

TEST_P(DispatcherTest, ARowNoChannelServesIsADeadLetterSayingWhatToDo) {
  OutboxRecord sms = Row("Q-1|a|1|xs-0014", kMonday10);
  sms.channel = "sms";
  Enqueue({sms});
  VirtualClock clock(kMonday10);
  auto d = MakeDispatcher(*outbox_, clock, channels_);
  ASSERT_TRUE(d->Drain().ok());
  EXPECT_EQ(Stored("Q-1|a|1|xs-0014").state, OutboxState::kDead);
  EXPECT_THAT(Stored("Q-1|a|1|xs-0014").last_error,
              HasSubstr("add 'routes: { sms: CHANNEL }' to the channels file"));
}

TEST_P(DispatcherTest, TwoDispatchersOnOneDatabaseDeliverEachRowOnce) {
  std::vector<OutboxRecord> rows;
  rows.reserve(300);
  for (int i = 0; i < 300; ++i)
    rows.push_back(Row("Q-" + std::to_string(i) + "|r|1|xs-0014", kMonday10));
  Enqueue(rows);
  auto run = [&](FakeChannel** out_fake, const std::string& owner) {
    store_soci::SociOutboxStore outbox(Connect());
    ChannelMap channels;
    auto fake = std::make_unique<FakeChannel>();
    *out_fake = fake.get();
    channels["fake"] = std::move(fake);
    VirtualClock clock(kMonday10);
    DispatcherOptions o;
    o.owner = owner;
    o.batch = 7;
    Dispatcher d(outbox, clock, *config_, channels, renderer_, directory_, &cal_, o);
    for (int i = 0; i < 1000; ++i) {
      auto s = d.RunOnce();
      ASSERT_TRUE(s.ok()) << s.error().message();
      if (s->claimed == 0) break;
    }
    std::vector<Message> sent = (*out_fake)->sent;
    channels.clear();
    *out_fake = nullptr;
    std::lock_guard lock(mu_);
    for (auto& m : sent) all_.push_back(m.dedup_key);
    per_owner_[owner] = sent.size();
  };
  FakeChannel* fa = nullptr;
  FakeChannel* fb = nullptr;
  std::thread a(run, &fa, "node-a");
  std::thread b(run, &fb, "node-b");
  a.join();
  b.join();
  std::multiset<std::string> keys(all_.begin(), all_.end());
  EXPECT_EQ(keys.size(), 300u);
  for (const auto& k : keys) ASSERT_EQ(keys.count(k), 1u) << k << " was sent twice";
  auto counts = outbox_->Counts(kMonday10);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->delivered, 300);
  if (GetParam() == Backend::kPostgresql) {
    EXPECT_GT(per_owner_["node-a"], 0u);
    EXPECT_GT(per_owner_["node-b"], 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DispatcherTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, DispatcherTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
