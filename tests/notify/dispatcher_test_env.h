// Shared by the dispatcher suites: a migrated test database (SQLite or PostgreSQL) with a Store
// for writing outbox rows as the engine does, an OutboxStore for the dispatcher, a scripted fake
// channel, the cn calendar, and a few people.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <mutex>

#include "adapters/notify/dispatcher.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "adapters/store/soci/soci_store.h"
#include "tests/store/store_test_env.h"

namespace rectify::notify::test_env {

inline Timestamp T(const char* iso) { return *ParseIso(iso); }

// Asia/Shanghai, 08:30-18:00, Monday to Friday; 2017-05-01 (Labour Day) off.
inline Calendar Cn() {
  CalendarSpec spec;
  spec.name = "cn";
  spec.time_zone = "Asia/Shanghai";
  spec.working_hours = {std::chrono::minutes(8 * 60 + 30), std::chrono::minutes(18 * 60)};
  spec.years[2017].holidays.insert(*ParseDate("2017-05-01"));
  return *Calendar::Create(spec);
}

// Answers each Send with the next scripted outcome (then kDelivered) and keeps what it was given.
class FakeChannel final : public Channel {
 public:
  std::string kind() const override { return "log"; }
  SendResult Send(const Message& m) override {
    std::lock_guard lock(mu_);
    sent.push_back(m);
    if (on_send) on_send();
    if (always_retry) return {SendOutcome::kRetry, "421 try again later"};
    if (script.empty()) return {SendOutcome::kDelivered, "250 ok"};
    SendOutcome o = script.front();
    script.pop_front();
    return {o, o == SendOutcome::kRetry ? "421 try again later" : "550 no such mailbox"};
  }
  // at_once: SendMany takes the whole group in one call (as SMPP's window does); the size of
  // each call is in `groups`.
  std::vector<SendResult> SendMany(const std::vector<Message>& messages) override {
    groups.push_back(messages.size());
    return Channel::SendMany(messages);
  }
  bool sends_many_at_once() const override { return at_once; }
  bool at_once = false;
  std::vector<std::size_t> groups;
  std::vector<Message> sent;
  std::deque<SendOutcome> script;
  bool always_retry = false;
  std::function<void()> on_send;  // e.g. moves a VirtualClock: a slow peer

 private:
  std::mutex mu_;
};

class DispatcherFixture : public ::testing::TestWithParam<store_soci::Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    auto store_db = Connect();
    ASSERT_NE(store_db, nullptr);
    store_soci::Migrator migrator(*store_db, test::ShippedMigrations());
    auto applied = migrator.Migrate(T("2017-04-21T00:00:00Z"));
    ASSERT_TRUE(applied.ok()) << applied.error().message();
    store_ = store_soci::MakeStore(std::move(store_db));
    outbox_ = std::make_unique<store_soci::SociOutboxStore>(Connect());
    spec_.name = "fake";
    spec_.kind = "log";
    spec_.retry = {3, std::chrono::minutes(1), std::chrono::hours(1)};
    Rebuild();
    Recipient a{"xs-0014", "唐强华", "zh", "新邵县", {}, false};
    a.contacts.email = "tang@example.org";
    Recipient b{"xs-0099", "Li Ming", "en", "新邵县", {}, false};
    b.contacts.email = "li@example.org";
    b.contacts.digest = "daily";
    directory_.Add(a);
    directory_.Add(b);
    auto r = Renderer::Load(std::string(RECTIFY_SOURCE_DIR) + "/workflows/templates");
    ASSERT_TRUE(r.ok()) << r.error().message();
    renderer_ = std::move(*r);
  }

  std::unique_ptr<store_soci::Database> Connect() {
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    EXPECT_TRUE(url.ok());
    auto db = store_soci::Database::Open(*url, {});
    EXPECT_TRUE(db.ok()) << db.error().message();
    return db.ok() ? std::move(*db) : nullptr;
  }

  // Rebuilds the config and the fake channel after spec_ changed.
  void Rebuild() {
    config_ = std::make_unique<ChannelsConfig>(
        definition::DefinitionInfo{definition::Kind::kChannels, "test"},
        std::vector<ChannelSpec>{spec_},
        std::map<std::string, std::string>{{"email", "fake"}, {"inbox", "fake"}}, "cn");
    auto fake = std::make_unique<FakeChannel>();
    fake_ = fake.get();
    channels_.clear();
    channels_["fake"] = std::move(fake);
  }

  std::unique_ptr<Dispatcher> MakeDispatcher(OutboxStore& outbox, Clock& clock,
                                             ChannelMap& channels,
                                             const std::string& owner = "test:1") {
    DispatcherOptions o;
    o.owner = owner;
    o.lease = std::chrono::minutes(1);
    o.seed = 42;
    return std::make_unique<Dispatcher>(outbox, clock, *config_, channels, renderer_, directory_,
                                        &cal_, o);
  }

  static OutboxRecord Row(const std::string& key, Timestamp not_before,
                          const std::string& recipient = "xs-0014",
                          const std::string& templ = "reminder",
                          const std::string& payload = R"({"item":"Q-1","title":"危房改造",)"
                                                       R"("due":"2017-05-08"})") {
    OutboxRecord o;
    o.dedup_key = key;
    o.instance_id = key.substr(0, key.find('|'));
    o.channel = "email";
    o.recipient = recipient;
    o.template_name = templ;
    o.payload_json = payload;
    o.not_before = not_before;
    o.next_attempt_at = not_before;
    o.created_at = not_before;
    return o;
  }

  void Enqueue(std::vector<OutboxRecord> rows) {
    ChangeSet c;
    c.outbox_inserts = std::move(rows);
    Status s = store_->Commit(c);
    ASSERT_TRUE(s.ok()) << s.error().message();
  }

  OutboxRecord Stored(const std::string& key) {
    auto r = outbox_->Row(key);
    EXPECT_TRUE(r.ok()) << r.error().message();
    return r.ok() ? *r : OutboxRecord{};
  }

  std::vector<std::string> Outcomes(const std::string& key) {
    std::vector<std::string> out;
    auto attempts = outbox_->Attempts(Stored(key).id);
    EXPECT_TRUE(attempts.ok());
    if (attempts.ok()) {
      for (const auto& a : *attempts) out.push_back(a.outcome);
    }
    return out;
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<store_soci::SociOutboxStore> outbox_;
  ChannelSpec spec_;
  std::unique_ptr<ChannelsConfig> config_;
  ChannelMap channels_;
  FakeChannel* fake_ = nullptr;
  Directory directory_;
  Renderer renderer_;
  Calendar cal_ = Cn();
  boost::asio::io_context io_;
};

}  // namespace rectify::notify::test_env
