// `kind: channels` files: the shipped ones compile, and mistakes are reported where they are with
// what to write instead (more broken files with exact messages in tests/definition/broken/).
#include "rectify/notify/channels_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/notify/channels/email/email_plugin.h"
#include "adapters/notify/channels/file/file_plugin.h"
#include "adapters/notify/channels/webhook/webhook_plugin.h"
#include "rectify/definition/definition_set.h"

namespace rectify::notify {
namespace {

using ::testing::HasSubstr;

std::string Workflows() { return std::string(RECTIFY_SOURCE_DIR) + "/workflows"; }

TEST(ChannelsConfigTest, TheShippedFilesCompile) {
  Diagnostics diags;
  auto set = definition::LoadDefinitions({Workflows()}, diags);
  ASSERT_TRUE(set.ok()) << diags.Format();
  auto def = (*set)->FindChannels("default");
  ASSERT_NE(def, nullptr);
  EXPECT_EQ(def->calendar(), "cn");
  EXPECT_EQ(def->Route("inbox")->kind, "file");
  EXPECT_EQ(def->Route("inbox")->SettingsAs<channels::file::Settings>()->folder, "var/outbox");
  EXPECT_EQ(def->Route("inbox")->retry.max_attempts, 10);
  EXPECT_EQ(def->Route("email")->kind, "log");
  auto rehearsal = (*set)->FindChannels("rehearsal");
  ASSERT_NE(rehearsal, nullptr);
  const ChannelSpec* mail = rehearsal->Route("email");
  ASSERT_NE(mail, nullptr);
  const EmailConfig& email = mail->SettingsAs<channels::email::Settings>()->config;
  EXPECT_EQ(email.smtp_url, "smtp://127.0.0.1:2525");
  EXPECT_EQ(email.tls, EmailConfig::Tls::kNone);
  EXPECT_EQ(mail->rate_per_minute, 120);
  EXPECT_EQ(mail->retry.base, std::chrono::minutes(1));
  EXPECT_EQ(mail->retry.max, std::chrono::hours(1));
  const WebhookConfig& ding =
      rehearsal->Route("dingtalk")->SettingsAs<channels::webhook::Settings>()->config;
  EXPECT_EQ(ding.format, WebhookConfig::Format::kDingTalk);
  EXPECT_EQ(ding.secret, "SEC0123456789abcdef");
  EXPECT_EQ(rehearsal->Route("wecom")->rate_per_minute, 20);
  // Its contacts give everyone of the org a rehearsal address: the county leaders the DingTalk
  // robot, the township heads and leaders the WeCom robot, everyone else the test mailbox.
  auto org = (*set)->FindOrg("xinshao");
  EXPECT_EQ(rehearsal->contacts().size(), org->people().size());
  const ContactOverride* head = rehearsal->ContactsFor("xs-0001");
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->contacts.dingtalk, "rehearsal-xs-0001");
  EXPECT_EQ(PreferredContactKind(head->contacts), "dingtalk");
  const ContactOverride* township = rehearsal->ContactsFor("xs-0012");  // 酿溪镇's head
  ASSERT_NE(township, nullptr);
  EXPECT_EQ(PreferredContactKind(township->contacts), "wecom");
  const ContactOverride* cadre = rehearsal->ContactsFor("xs-0014");  // a village team's head
  ASSERT_NE(cadre, nullptr);
  EXPECT_EQ(cadre->contacts.email, "rehearsal+xs-0014@xinshao.example.gov.cn");
  EXPECT_EQ(cadre->contacts.phone, "") << "the org's phone is replaced, not kept";
  EXPECT_EQ(PreferredContactKind(cadre->contacts), "email");
  EXPECT_EQ(rehearsal->ContactsFor("nobody-at-all"), nullptr);
}

TEST(ChannelsConfigTest, ContactRulesMatchInOrderAndFillInPlaceholders) {
  Diagnostics diags;
  std::string file = std::string(RECTIFY_SOURCE_DIR) + "/tests/notify/channels_contacts.yaml";
  auto set = definition::LoadDefinitions({Workflows(), file}, diags);
  ASSERT_TRUE(set.ok()) << diags.Format();
  EXPECT_THAT(diags.Format(), HasSubstr("contacts[2]: the rule matches nobody: earlier rules took "
                                        "everyone it names"));
  auto c = (*set)->FindChannels("contacts-test");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->Route("email")->SettingsAs<channels::email::Settings>()->config.ca_file,
            "/etc/rectify/office-ca.pem");
  ASSERT_EQ(c->contacts().size(), 3u) << "people no rule matches keep the org's contacts";
  EXPECT_EQ(c->ContactsFor("xs-0014")->contacts.email, "tang+xs-0014.niangxi-team-1@example.org");
  EXPECT_EQ(c->ContactsFor("xs-0014")->language, "en");
  EXPECT_EQ(c->ContactsFor("xs-0014")->contacts.digest, "daily");
  // 酿溪镇's head and leader: the second rule (the first took xs-0014 already).
  EXPECT_EQ(c->ContactsFor("xs-0012")->contacts.wecom, "https://robot.example/niangxi?u=xs-0012");
  EXPECT_EQ(c->ContactsFor("xs-0013")->contacts.wecom, "https://robot.example/niangxi?u=xs-0013");
  EXPECT_EQ(c->ContactsFor("xs-0013")->language, "");
  EXPECT_EQ(c->ContactsFor("xs-0015"), nullptr);
}

std::string Compile(const std::string& yaml) {
  Diagnostics diags;
  auto docs = definition::ParseYamlText(yaml, "office.yaml", {}, diags);
  auto set = definition::CompileDocuments(docs, diags);
  diags.Sort();
  return diags.Format();
}

TEST(ChannelsConfigTest, ReportsEachMistakeWhereItIs) {
  std::string out = Compile(R"(kind: channels
name: office
channels:
  mail: { kind: emial }
  robot: { kind: webhook, format: wechat, url: ftp://x }
  paper: { kind: file }
  slow: { kind: log, max_attempts: 0, backoff: { base: 1h, max: 1m } }
routes:
  email: mial
  fax: paper
)");
  EXPECT_THAT(out, HasSubstr("office.yaml:4:17: error: channels.mail.kind: unknown channel kind "
                             "'emial' (hint: did you mean 'email'?)"));
  EXPECT_THAT(out, HasSubstr("office.yaml:5:35: error: channels.robot.format: unknown format "
                             "'wechat'"));
  EXPECT_THAT(out, HasSubstr("channels.robot.url: 'ftp://x' is not an HTTP URL"));
  EXPECT_THAT(out, HasSubstr("office.yaml:6:10: error: channels.paper: missing required key "
                             "'folder'"));
  EXPECT_THAT(out, HasSubstr("channels.slow.max_attempts: max_attempts must be from 1 to 100"));
  EXPECT_THAT(out, HasSubstr("channels.slow.backoff: backoff.max is shorter than backoff.base"));
  EXPECT_THAT(out, HasSubstr("office.yaml:9:10: error: routes.email: unknown channel 'mial' "
                             "(hint: did you mean 'mail'?)"));
  EXPECT_THAT(out, HasSubstr("office.yaml:10:3: error: routes.fax: unknown contact kind 'fax'"));
}

TEST(ChannelsConfigTest, UnreachedSaysWhomToTellAndNothingElse) {
  std::string out = Compile(R"(kind: channels
name: office
channels: { log: { kind: log } }
routes: { email: log }
unreached: { report_to: boss, fallbak: true }
)");
  EXPECT_THAT(out, HasSubstr("office.yaml:5:25: error: unreached.report_to: unknown report_to "
                             "'boss'"));
  EXPECT_THAT(out, HasSubstr("office.yaml:5:31: error: unreached.fallbak: unknown key 'fallbak' "
                             "(hint: did you mean 'fallback'?)"));
  EXPECT_EQ(Compile(R"(kind: channels
name: office
channels: { log: { kind: log } }
routes: { email: log }
unreached: { fallback: false, report_to: unit-head }
)"),
            "");
}

TEST(ChannelsConfigTest, AnEmailChannelNeedsAnSmtpUrlAndASender) {
  std::string out = Compile(R"(kind: channels
name: office
channels:
  mail: { kind: email, smtp_url: "http://mail", from: nobody, starttls: always, timeout_ms: 5 }
routes: { email: mail }
)");
  EXPECT_THAT(out, HasSubstr("channels.mail.smtp_url: 'http://mail' is not an SMTP URL"));
  EXPECT_THAT(out, HasSubstr("channels.mail.from: 'nobody' is not an email address"));
  EXPECT_THAT(out, HasSubstr("channels.mail.starttls: unknown starttls 'always'"));
  EXPECT_THAT(out, HasSubstr("channels.mail.timeout_ms: timeout_ms must be from 100"));
}

TEST(ChannelsConfigTest, ADigestIsAPersonsChoiceInTheOrg) {
  std::string out = Compile(R"(kind: org
name: tiny
units:
  - { id: county, kind: county, name: 县 }
people:
  - { id: p1, name: 甲, unit: county, contacts: { email: a@b.c, digest: weekly } }
)");
  EXPECT_THAT(out, HasSubstr("people[0].contacts.digest: unknown digest 'weekly'"));
}

TEST(ChannelsConfigTest, ContactsNeedAnOrg) {
  std::string out = Compile(R"(kind: channels
name: office
channels: { log: { kind: log } }
routes: { email: log }
contacts:
  - { email: "x@example.org" }
)");
  EXPECT_THAT(out, HasSubstr("office.yaml:6:3: error: contacts: contacts name people, and no org "
                             "says whose (hint: add org: NAME (for example org: xinshao) beside "
                             "contacts)"));
}

}  // namespace
}  // namespace rectify::notify
