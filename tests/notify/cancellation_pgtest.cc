// Cancellation through a real item moving on, on SQLite and PostgreSQL: the engine on the shipped
// definitions commits reminders to the outbox, the dispatcher delivers (or cannot) through a real
// SMTP server (tests/support/smtp_sink.py), and a cadre's submit takes the item out of
// `rectifying`. What was not delivered yet of that state is cancelled: a reminder that fell due
// while the dispatcher was down, one waiting to retry after an SMTP 451. What was delivered stays
// delivered. And an urgent escalation step writes its flag for the dispatcher to read.
#include <gmock/gmock.h>

#include <boost/json.hpp>

#include "tests/notify/engine_mail_fixture.h"

namespace rectify::notify {
namespace {

using test::T;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One outbox row as a user of `rectify report deliveries` sees it.
struct Stored {
  std::string key, state;
  std::int64_t attempts = 0;
  std::string last_error, payload;
};

class CancellationTest : public test_env::EngineMailFixture {
 protected:
  void SetUp() override {
    EngineMailFixture::SetUp();
    if (HasFatalFailure()) return;
    UseAddress("tang@xinshao.test");
  }

  // 唐强华 (xs-0014), the responsible cadre, reads mail at `address` (a channels file's
  // `contacts` rule: the org gives him only a phone).
  void UseAddress(const std::string& address) {
    ContactOverride tang;
    tang.contacts.email = address;
    UseMail("督查室 <dc@xinshao.example>", {{"xs-0014", tang}});
  }

  void RegisterAndAssign() {
    At("2017-04-21T10:00:00+08:00");
    engine::NewInstance req;
    req.id = "Q-1";
    req.workflow = "rectification-item";
    req.unit = "niangxi";
    req.responsible = "xs-0014";
    req.title = "危房改造对象识别不准";
    req.actor = "xs-0009";
    req.fields = {{"time_limit", "10wd"}};  // due 2017-05-08
    auto item = engine_->Register(req);
    ASSERT_TRUE(item.ok()) << item.error().message();
    auto assigned = Act("Q-1", "assign", "xs-0003", {}, "", {{"verifier", "xs-0007"}});
    ASSERT_TRUE(assigned.ok()) << assigned.error().message();
  }

  void Submit(const char* at) {
    At(at);
    auto submitted = Act("Q-1", "submit", "xs-0014", {"整改照片.zip"});
    ASSERT_TRUE(submitted.ok()) << submitted.error().message();
    EXPECT_EQ(submitted->record.state, "verifying");
  }

  // The item's outbox rows of `timer` ("remind:rectifying:0"), any generation and recipient.
  std::vector<Stored> Rows(const std::string& timer) {
    std::vector<Stored> out;
    for (const auto& k : OutboxKeys("Q-1")) {
      if (k.rfind("Q-1|" + timer + "|", 0) != 0) continue;
      auto r = outbox_->Row(k);
      EXPECT_TRUE(r.ok()) << k;
      if (!r.ok()) continue;
      out.push_back(
          {k, std::string(OutboxStateName(r->state)), r->attempts, r->last_error, r->payload_json});
    }
    return out;
  }

  std::vector<std::string> Outcomes(const std::string& key) {
    std::vector<std::string> out;
    auto row = outbox_->Row(key);
    EXPECT_TRUE(row.ok());
    if (!row.ok()) return out;
    auto attempts = outbox_->Attempts(row->id);
    EXPECT_TRUE(attempts.ok());
    if (attempts.ok()) {
      for (const auto& a : *attempts) out.push_back(a.outcome);
    }
    return out;
  }

  std::size_t Received() { return Mailbox().size(); }
};

TEST_P(CancellationTest, AReminderThatFellDueWhileTheDispatcherWasDownIsCancelled) {
  RegisterAndAssign();
  RunUntil("2017-04-28T09:00:00+08:00");  // the -5wd reminder fell due at 08:30
  ASSERT_EQ(Rows("remind:rectifying:0").size(), 1u);
  EXPECT_EQ(Rows("remind:rectifying:0")[0].state, "pending");
  // No dispatcher ran; at 10:00 the cadre submits.
  Submit("2017-04-28T10:00:00+08:00");
  std::vector<Stored> rows = Rows("remind:rectifying:0");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "cancelled");
  EXPECT_EQ(rows[0].last_error, "cancelled: the item moved on to 'verifying'");
  Dispatch();
  EXPECT_EQ(Received(), 0u) << "a reminder for a state the item left never goes out";
  EXPECT_THAT(Outcomes(rows[0].key), IsEmpty());
}

TEST_P(CancellationTest, AReminderWaitingToRetryAfterAnSmtp451IsCancelledWithItsAttempts) {
  UseAddress("busy-tang@xinshao.test");  // the server answers 451 at RCPT, every time
  RegisterAndAssign();
  RunUntil("2017-04-28T09:00:00+08:00");
  Dispatch();
  std::vector<Stored> rows = Rows("remind:rectifying:0");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].state, "pending");
  EXPECT_EQ(rows[0].attempts, 1);
  EXPECT_THAT(rows[0].last_error, HasSubstr("451"));
  Submit("2017-04-28T09:00:10+08:00");  // before the retry
  rows = Rows("remind:rectifying:0");
  EXPECT_EQ(rows[0].state, "cancelled");
  EXPECT_EQ(rows[0].attempts, 1) << "its history is kept";
  At("2017-04-28T12:00:00+08:00");  // well past the retry
  Dispatch();
  EXPECT_THAT(Outcomes(rows[0].key), ElementsAre("retry"));
  EXPECT_EQ(Received(), 0u);
}

TEST_P(CancellationTest, ADeliveredReminderStaysDeliveredWhenTheItemMovesOn) {
  RegisterAndAssign();
  RunUntil("2017-04-28T09:00:00+08:00");
  Dispatch();  // the -5wd reminder goes out
  ASSERT_EQ(Received(), 1u);
  RunUntil("2017-05-05T09:00:00+08:00");  // the -1wd reminder fell due; not dispatched yet
  Submit("2017-05-05T09:30:00+08:00");
  std::vector<Stored> sent = Rows("remind:rectifying:0");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].state, "sent");
  EXPECT_EQ(sent[0].attempts, 1);
  EXPECT_EQ(sent[0].last_error, "");
  std::vector<Stored> later = Rows("remind:rectifying:1");
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].state, "cancelled");
  Dispatch();
  EXPECT_EQ(Received(), 1u);
  EXPECT_THAT(Outcomes(sent[0].key), ElementsAre("delivered"));
}

TEST_P(CancellationTest, AnUrgentStepWritesTheFlagThatTheDispatcherReads) {
  RegisterAndAssign();
  RunUntil("2017-05-27T09:00:00+08:00");  // step 6, suspend_payment (urgent: true), at 08:30
  std::vector<Stored> urgent = Rows("escalate:rectifying:5");
  ASSERT_FALSE(urgent.empty());
  for (const Stored& s : urgent) {
    auto payload = boost::json::parse(s.payload).as_object();
    EXPECT_EQ(payload.at("measure"), "suspend_payment");
    EXPECT_EQ(payload.at("urgent"), true) << s.key;
  }
  std::vector<Stored> plain = Rows("escalate:rectifying:4");
  ASSERT_FALSE(plain.empty());
  for (const Stored& s : plain) {
    EXPECT_FALSE(boost::json::parse(s.payload).as_object().contains("urgent")) << s.key;
  }
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CancellationTest, ::testing::Values(store_soci::Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, CancellationTest,
                         ::testing::Values(store_soci::Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
