// Shared by the suites that walk items through the engine on the shipped definitions and deliver
// their messages through a real SMTP server (tests/support/smtp_sink.py): the engine fixture's
// database (SQLite or PostgreSQL) with an OutboxStore for the dispatcher, a second connection for
// reading the outbox back, the shipped templates, the org's directory, and a dispatcher on one
// `email` channel whose messages land in `mail_`.
#pragma once

#include <boost/json.hpp>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/notify/channels/email/email_plugin.h"
#include "adapters/notify/dispatcher.h"
#include "adapters/store/soci/soci_outbox_store.h"
#include "tests/engine/engine_fixture.h"
#include "tests/notify/sink_records.h"
#include "tests/support/sink_process.h"

namespace rectify::notify::test_env {

class EngineMailFixture : public test::EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    if (HasFatalFailure()) return;
    auto smtp = test::SinkProcess::Start("smtp_sink.py", {"--dir", mail_.path().string()});
    ASSERT_TRUE(smtp.ok()) << smtp.error().message();
    smtp_ = std::move(*smtp);
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    auto a = store_soci::Database::Open(*url, {});
    ASSERT_TRUE(a.ok()) << a.error().message();
    outbox_ = std::make_unique<store_soci::SociOutboxStore>(std::move(*a));
    auto b = store_soci::Database::Open(*url, {});
    ASSERT_TRUE(b.ok()) << b.error().message();
    query_ = std::move(*b);
    auto renderer = Renderer::Load(std::string(RECTIFY_SOURCE_DIR) + "/workflows/templates");
    ASSERT_TRUE(renderer.ok()) << renderer.error().message();
    renderer_ = std::move(*renderer);
    directory_ = Directory::FromDefinitions(*definitions_);
  }

  // A channels file of one `email` channel to the sink, sent as `from`, on the cn calendar, with
  // `contacts` (person id -> override; a rehearsal's file when not empty), and a dispatcher on it.
  void UseMail(const std::string& from, std::map<std::string, ContactOverride> contacts) {
    ChannelSpec mail;
    mail.name = "mail";
    mail.kind = "email";
    EmailConfig c;
    c.smtp_url = "smtp://127.0.0.1:" + std::to_string(smtp_->port());
    c.from = from;
    c.timeout_ms = 5000;
    mail.settings = std::make_shared<channels::email::Settings>(c);
    config_ = std::make_unique<ChannelsConfig>(
        definition::DefinitionInfo{definition::Kind::kChannels, "test"},
        std::vector<ChannelSpec>{mail}, std::map<std::string, std::string>{{"email", "mail"}}, "cn",
        std::move(contacts));
    auto channels = MakeChannels(*config_, std::cout, &clock_);
    ASSERT_TRUE(channels.ok()) << channels.error().message();
    channels_ = std::move(*channels);
    DispatcherOptions options;
    options.owner = "test";
    dispatcher_ = std::make_unique<Dispatcher>(*outbox_, clock_, *config_, channels_, renderer_,
                                               directory_, &Cn(), options);
  }

  DispatchStats Dispatch() {
    auto stats = dispatcher_->Drain();
    EXPECT_TRUE(stats.ok()) << stats.error().message();
    return stats.ok() ? *stats : DispatchStats{};
  }

  // The dedup keys of instance `id`'s outbox rows, oldest first.
  std::vector<std::string> OutboxKeys(const std::string& id) {
    std::vector<std::string> keys;
    soci::rowset<std::string> rows =
        (query_->session().prepare << "SELECT dedup_key FROM outbox WHERE instance_id = '" << id
                                   << "' ORDER BY id");
    for (const auto& k : rows) keys.push_back(k);
    return keys;
  }

  OutboxRecord Row(const std::string& key) {
    auto r = outbox_->Row(key);
    EXPECT_TRUE(r.ok()) << key;
    return r.ok() ? *r : OutboxRecord{};
  }

  // The messages the SMTP server received, oldest first.
  std::vector<boost::json::object> Mailbox() { return test::SinkRecords(mail_.path()); }

  test::TempDir mail_;
  std::unique_ptr<test::SinkProcess> smtp_;
  std::unique_ptr<store_soci::SociOutboxStore> outbox_;
  std::unique_ptr<store_soci::Database> query_;
  std::unique_ptr<ChannelsConfig> config_;
  ChannelMap channels_;
  Renderer renderer_;
  Directory directory_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

}  // namespace rectify::notify::test_env
