// The reply to a public reporter, on SQLite and PostgreSQL: a clue (public-report) walked through
// the engine on the shipped definitions to its `tell` step queues the reply in the same commit as
// the transition, and the dispatcher delivers it through a real SMTP server
// (tests/support/smtp_sink.py) to the address the reporter left, who is in no org: in English or
// Chinese as the clue records, the template of the outcome (public-reply, public-reply-dismissed),
// once, with the Message-ID derived from the dedup key. Bad contacts are refused when they are set
// and change nothing; a phone number with no `sms` route, a mailbox the server refuses and a
// rehearsal's channels file are dead letters that say what to do. The last test walks the same
// clue through the binary (item add, item act, dispatch, report deliveries).
#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "adapters/notify/channels/email/email_channel.h"
#include "rectify/engine/migration.h"
#include "tests/notify/channels_file.h"
#include "tests/notify/engine_mail_fixture.h"
#include "tests/support/run_command.h"

namespace rectify::notify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr const char* kTitle = "群众举报：低保评定优亲厚友";

class PublicReplyTest : public test_env::EngineMailFixture {
 protected:
  void SetUp() override {
    EngineMailFixture::SetUp();
    if (HasFatalFailure()) return;
    UseChannels({});
  }

  // Email goes to the sink; no route serves `sms`. `rehearsal` contacts (by person id) make the
  // file a rehearsal's.
  void UseChannels(std::map<std::string, ContactOverride> rehearsal) {
    UseMail("新邵县纪委 <jw@xinshao.example>", std::move(rehearsal));
  }

  // A clue in 酿溪镇 registered by the registrar 韩兰娟 (xs-0009) on Monday 2017-06-19 and checked
  // by the inspector xs-0004 on Wednesday: confirmed as a problem or dismissed.
  void Register(const std::string& id, std::map<std::string, std::string> fields) {
    At("2017-06-19T10:00:00+08:00");
    engine::NewInstance req;
    req.id = id;
    req.workflow = "public-report";
    req.unit = "niangxi";
    req.title = kTitle;
    req.actor = "xs-0009";
    req.fields = std::move(fields);
    auto item = engine_->Register(req);
    ASSERT_TRUE(item.ok()) << item.error().message();
    ASSERT_TRUE(Act(id, "register", "xs-0009").ok());
  }
  void Check(const std::string& id, bool confirmed) {
    At("2017-06-21T10:00:00+08:00");
    auto checked =
        confirmed ? Act(id, "confirm", "xs-0004", {"核查笔录.pdf"}, "", {{"outcome", "problem"}})
                  : Act(id, "dismiss", "xs-0004", {}, "经走访核实，评定程序合规",
                        {{"outcome", "dismissed"}});
    ASSERT_TRUE(checked.ok()) << checked.error().message();
    EXPECT_EQ(checked->record.state, confirmed ? "telling_problem" : "telling_dismissed");
  }
  // The registrar takes `tell` at 09:00 on Thursday 2017-06-22.
  Result<engine::Instance> Tell(const std::string& id,
                                std::map<std::string, std::string> fields = {}) {
    At("2017-06-22T09:00:00+08:00");
    return Act(id, "tell", "xs-0009", {}, "", std::move(fields));
  }

  std::vector<std::string> Attempts(const std::string& key) {
    std::vector<std::string> out;
    auto attempts = outbox_->Attempts(Row(key).id);
    EXPECT_TRUE(attempts.ok());
    if (attempts.ok()) {
      for (const auto& a : *attempts) out.push_back(a.outcome + ": " + a.detail);
    }
    return out;
  }

  static std::string Str(const boost::json::object& o, const char* key) {
    return o.at(key).is_string() ? std::string(o.at(key).as_string()) : "";
  }
};

// The audit rows of C-1: register (created), register, confirm, tell: the reply's key carries the
// tell's audit row, 4.
constexpr const char* kReplyKey = "C-1|on:telling_problem:tell|4|$reporter_contact";

TEST_P(PublicReplyTest, AConfirmedClueIsAnsweredOnceInEnglishAtTheAddressTheReporterLeft) {
  Register("C-1", {{"reporter_contact", "someone@example.org"}, {"reporter_language", "en"}});
  Check("C-1", true);
  EXPECT_THAT(OutboxKeys("C-1"), IsEmpty()) << "nothing is sent before the reporter is told";

  auto told = Tell("C-1");
  ASSERT_TRUE(told.ok()) << told.error().message();
  EXPECT_EQ(told->record.state, "closed");
  // Committed with the transition: the tell's audit row names the reply's key, and the row is in
  // the outbox, addressed to the contact itself by email, in English.
  EXPECT_THAT(AuditValues("C-1", "tell", "notifications"),
              ElementsAre(std::string("2017-06-22T09:00:00+08:00 [\"") + kReplyKey + "\"]"));
  ASSERT_THAT(OutboxKeys("C-1"), ElementsAre(kReplyKey));
  OutboxRecord row = Row(kReplyKey);
  EXPECT_EQ(row.channel, "email");
  EXPECT_EQ(row.recipient, "someone@example.org");
  EXPECT_EQ(row.template_name, "public-reply");
  EXPECT_EQ(row.state, OutboxState::kPending);
  EXPECT_EQ(Cn().FormatLocal(row.not_before), "2017-06-22T09:00:00+08:00");
  auto payload = boost::json::parse(row.payload_json).as_object();
  EXPECT_EQ(payload.at("language"), "en");
  EXPECT_EQ(payload.at("outcome"), "problem");
  EXPECT_FALSE(payload.contains("reporter_contact")) << "the address is only where it is sent";

  DispatchStats stats = Dispatch();
  EXPECT_EQ(stats.delivered, 1);
  std::vector<boost::json::object> mail = Mailbox();
  ASSERT_EQ(mail.size(), 1u);
  const boost::json::object& m = mail[0];
  EXPECT_EQ(m.at("rcpt_tos"), boost::json::array({"someone@example.org"}));
  EXPECT_EQ(Str(m, "to"), "someone@example.org");
  EXPECT_EQ(Str(m, "subject"), std::string("Reply to your report: ") + kTitle + " (item C-1)");
  EXPECT_EQ(Str(m, "message_id"), EmailMessageId(kReplyKey));
  EXPECT_EQ(Str(m, "text"),
            std::string("Dear reporter,\n\nThank you for your report \"") + kTitle +
                "\" (item C-1). It has been checked and confirmed, and it is now a problem in "
                "the ledger that 酿溪镇 must rectify. We will follow the rectification up, and "
                "publish the result when it is complete.\n\n新邵县\n2017-06-22\n");
  EXPECT_THAT(Str(m, "html"), HasSubstr("<h1>Reply to your report</h1>"));
  EXPECT_EQ(Row(kReplyKey).state, OutboxState::kSent);
  // The letter is kept with the clue's record.
  auto documents = outbox_->DocumentsOf("C-1");
  ASSERT_TRUE(documents.ok());
  ASSERT_EQ(documents->size(), 1u);
  EXPECT_EQ((*documents)[0].dedup_key, kReplyKey);
  EXPECT_EQ((*documents)[0].language, "en");

  At("2017-06-22T15:00:00+08:00");
  Dispatch();
  EXPECT_EQ(Mailbox().size(), 1u) << "one reply, once";
}

TEST_P(PublicReplyTest, ADismissedClueIsAnsweredInChineseWhenTheReporterChoseNoLanguage) {
  Register("C-2", {{"reporter_contact", "wang.reporter@example.org"}});
  Check("C-2", false);
  auto told = Tell("C-2");
  ASSERT_TRUE(told.ok()) << told.error().message();
  const std::string key = "C-2|on:telling_dismissed:tell|4|$reporter_contact";
  ASSERT_THAT(OutboxKeys("C-2"), ElementsAre(key));
  EXPECT_EQ(Row(key).template_name, "public-reply-dismissed");

  EXPECT_EQ(Dispatch().delivered, 1);
  std::vector<boost::json::object> mail = Mailbox();
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].at("rcpt_tos"), boost::json::array({"wang.reporter@example.org"}));
  EXPECT_EQ(Str(mail[0], "subject"), std::string("群众来信答复：") + kTitle + "（编号 C-2）");
  EXPECT_EQ(Str(mail[0], "message_id"), EmailMessageId(key));
  EXPECT_EQ(Str(mail[0], "text"),
            std::string("尊敬的举报人：\n\n感谢您反映的问题“") + kTitle +
                "”（编号 C-2）。经核查，反映的情况不属实，该线索已予了结。如有新的情况或证据，"
                "欢迎再次反映。\n\n新邵县\n2017-06-22\n");
}

TEST_P(PublicReplyTest, AContactThatIsNeitherAnAddressNorAPhoneIsRefusedWhenSetAndChangesNothing) {
  At("2017-06-19T10:00:00+08:00");
  engine::NewInstance req;
  req.id = "C-3";
  req.workflow = "public-report";
  req.unit = "niangxi";
  req.title = kTitle;
  req.actor = "xs-0009";
  req.fields = {{"reporter_contact", "ask at the village shop"}};
  auto refused = engine_->Register(req);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().message(),
            "field 'reporter_contact': 'ask at the village shop' is neither an email address "
            "(name@example.org) nor a phone number (13900000000); correct it, or leave it empty "
            "when there is no way to reach them");
  EXPECT_EQ(Instances(), 0);

  // A header injection is no address either.
  Register("C-3", {{"reporter_contact", "a@example.org"}});
  Check("C-3", true);
  auto injected = Tell("C-3", {{"reporter_contact", "a@example.org\r\nBcc: all@example.org"}});
  ASSERT_FALSE(injected.ok());
  EXPECT_THAT(injected.error().message(), HasSubstr("is neither an email address"));
  EXPECT_EQ(Load("C-3").record.state, "telling_problem");
  EXPECT_EQ(Load("C-3").Field("reporter_contact"), "a@example.org");
  EXPECT_THAT(OutboxKeys("C-3"), IsEmpty());
  // Corrected in the same command, the reply goes to the corrected address.
  auto told = Tell("C-3", {{"reporter_contact", "b@example.org"}});
  ASSERT_TRUE(told.ok()) << told.error().message();
  EXPECT_EQ(Dispatch().delivered, 1);
  ASSERT_EQ(Mailbox().size(), 1u);
  EXPECT_EQ(Mailbox()[0].at("rcpt_tos"), boost::json::array({"b@example.org"}));
}

TEST_P(PublicReplyTest, APhoneWithoutAnSmsRouteAndARefusedMailboxAreDeadLettersThatSayWhy) {
  Register("C-4", {{"reporter_contact", "139 0000 0000"}});
  Check("C-4", true);
  ASSERT_TRUE(Tell("C-4").ok());
  Register("C-5", {{"reporter_contact", "nobody@example.org"}, {"reporter_language", "en"}});
  Check("C-5", true);
  ASSERT_TRUE(Tell("C-5").ok());
  const std::string phone = "C-4|on:telling_problem:tell|4|$reporter_contact";
  const std::string refused = "C-5|on:telling_problem:tell|4|$reporter_contact";
  EXPECT_EQ(Row(phone).channel, "sms");
  EXPECT_EQ(Row(phone).recipient, "139 0000 0000");

  DispatchStats stats = Dispatch();
  EXPECT_EQ(stats.dead, 2);
  EXPECT_THAT(Mailbox(), IsEmpty());
  EXPECT_EQ(Row(phone).state, OutboxState::kDead);
  EXPECT_THAT(
      Attempts(phone),
      ElementsAre("failed: no channel serves contact kind 'sms'; add 'routes: { sms: "
                  "CHANNEL }' to the channels file, then run 'rectify dispatch --requeue'"));
  EXPECT_EQ(Row(refused).state, OutboxState::kDead);
  ASSERT_EQ(Attempts(refused).size(), 1u);
  EXPECT_THAT(Attempts(refused)[0], HasSubstr("550 5.1.1 no such user here"));
  auto dead = outbox_->DeadLetters(10);
  ASSERT_TRUE(dead.ok());
  EXPECT_EQ(dead->size(), 2u);
}

TEST_P(PublicReplyTest, AReporterWhoLeftNoContactIsNotWrittenTo) {
  Register("C-6", {});
  Check("C-6", true);
  auto told = Tell("C-6");
  ASSERT_TRUE(told.ok()) << told.error().message();
  EXPECT_EQ(told->record.state, "closed");
  EXPECT_THAT(OutboxKeys("C-6"), IsEmpty());
  EXPECT_THAT(AuditValues("C-6", "tell", "no_contact"),
              ElementsAre("2017-06-22T09:00:00+08:00 [\"reporter_contact\"]"));
}

TEST_P(PublicReplyTest, ARehearsalsChannelsFileNeverReachesAReporter) {
  ContactOverride test_mailbox;
  test_mailbox.contacts.email = "rehearsal+xs-0009@xinshao.test";
  UseChannels({{"xs-0009", test_mailbox}});
  Register("C-7", {{"reporter_contact", "someone@example.org"}});
  Check("C-7", true);
  ASSERT_TRUE(Tell("C-7").ok());
  EXPECT_EQ(Dispatch().dead, 1);
  EXPECT_THAT(Mailbox(), IsEmpty());
  EXPECT_THAT(Attempts("C-7|on:telling_problem:tell|4|$reporter_contact"),
              ElementsAre("failed: 'someone@example.org' is outside the org, and channels file "
                          "test gives rehearsal contacts (contacts:), so its real address is not "
                          "used; send it with the office's channels file (rectify dispatch "
                          "--requeue --channels FILE)"));
}

TEST_P(PublicReplyTest, ADatabaseOfVersion1TakesVersion2AndItsCluesAreAnsweredOnceMigrated) {
  // The library as it shipped before version 2: a database registers public-report@1.
  test::TempDir old;
  std::filesystem::copy(std::string(RECTIFY_SOURCE_DIR) + "/workflows", old.path(),
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove(old.path() / "workflows" / "public-report.yaml");
  Open(test::LoadSet({old.path().string()}));
  Register("C-9", {{"reporter_contact", "someone@example.org"}});
  Register("C-10", {{"reporter_contact", "other@example.org"}});
  EXPECT_EQ(Load("C-9").record.workflow_version, 1);
  Check("C-9", true);
  Check("C-10", true);

  // Restarted on today's library: version 1 is unchanged, so it registers; the clues stay on it.
  Open(test::ShippedDefinitions());
  if (HasFatalFailure()) return;
  ASSERT_TRUE(Tell("C-10").ok());
  EXPECT_THAT(OutboxKeys("C-10"), IsEmpty()) << "on version 1 the registrar tells the reporter";
  engine::MigrationRequest move;
  move.workflow = "public-report";
  move.from_version = 1;
  move.to_version = 2;
  move.state_map = {{"telling_problem", "telling_problem"}};
  auto moved = engine::MigrateInstances(*engine_, move);
  ASSERT_TRUE(moved.ok()) << moved.error().message();
  ASSERT_EQ(moved->moved.size(), 1u);
  EXPECT_EQ(moved->moved[0].id, "C-9");
  ASSERT_TRUE(Tell("C-9").ok());
  ASSERT_THAT(OutboxKeys("C-9"), ElementsAre("C-9|on:telling_problem:tell|5|$reporter_contact"));
  EXPECT_EQ(Dispatch().delivered, 1);
  ASSERT_EQ(Mailbox().size(), 1u);
  EXPECT_EQ(Mailbox()[0].at("rcpt_tos"), boost::json::array({"someone@example.org"}));
}

TEST_P(PublicReplyTest, ThroughTheBinaryTheReplyReachesTheReporterOnce) {
  // `rectify dispatch` runs on the real clock: a calendar open around the clock lets it send now.
  const std::string channels = db_->dir().File("channels.yaml");
  std::ofstream(channels) << test::RoundTheClockChannels("office", "")
                          << "channels:\n  mail: { kind: email, smtp_url: \"smtp://127.0.0.1:"
                          << smtp_->port()
                          << "\", from: \"jw@xinshao.example\", timeout_ms: 5000 }\n"
                             "routes: { email: mail }\n";
  const std::string db = db_->url();
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    auto r = test::RunRectify(args, {}, RECTIFY_SOURCE_DIR);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  };
  auto bad =
      test::RunRectify({"--db", db, "item", "add", "--id", "C-8", "--workflow", "public-report",
                        "--unit", "niangxi", "--title", kTitle, "--as", "xs-0009", "--set",
                        "reporter_contact=someone", "--at", "2017-06-19T10:00:00+08:00"},
                       {}, RECTIFY_SOURCE_DIR);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("'someone' is neither an email address"));
  run({"item", "add", "--id", "C-8", "--workflow", "public-report", "--unit", "niangxi", "--title",
       kTitle, "--as", "xs-0009", "--set", "reporter_contact=someone@example.org", "--set",
       "reporter_language=en", "--at", "2017-06-19T10:00:00+08:00"});
  run({"item", "act", "C-8", "register", "--as", "xs-0009", "--at", "2017-06-19T10:05:00+08:00"});
  run({"item", "act", "C-8", "confirm", "--as", "xs-0004", "--evidence-text", "核查笔录", "--set",
       "outcome=problem", "--at", "2017-06-21T10:00:00+08:00"});
  run({"item", "act", "C-8", "tell", "--as", "xs-0009", "--at", "2017-06-22T09:00:00+08:00"});
  run({"dispatch", "--once", "--channels", channels});
  run({"dispatch", "--once", "--channels", channels});

  std::vector<boost::json::object> mail = Mailbox();
  ASSERT_EQ(mail.size(), 1u);
  const std::string key = "C-8|on:telling_problem:tell|4|$reporter_contact";
  EXPECT_EQ(mail[0].at("rcpt_tos"), boost::json::array({"someone@example.org"}));
  EXPECT_EQ(Str(mail[0], "subject"),
            std::string("Reply to your report: ") + kTitle + " (item C-8)");
  EXPECT_EQ(Str(mail[0], "message_id"), EmailMessageId(key));
  EXPECT_THAT(Str(mail[0], "text"), HasSubstr("It has been checked and confirmed"));
  // The letter is listed with the clue, and prints as it was sent.
  auto listed = run({"report", "deliveries", "--item", "C-8"});
  EXPECT_THAT(listed.out, HasSubstr(key));
  auto letter = run({"report", "deliveries", "--letter", key});
  EXPECT_THAT(letter.out, HasSubstr("<h1>Reply to your report</h1>"));
  EXPECT_THAT(letter.out, Not(HasSubstr("{{")));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, PublicReplyTest, ::testing::Values(store_soci::Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, PublicReplyTest,
                         ::testing::Values(store_soci::Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
