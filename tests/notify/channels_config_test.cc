// `kind: channels` files: the shipped ones compile, and mistakes are reported where they are with
// what to write instead (more broken files with exact messages in tests/definition/broken/).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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
  EXPECT_EQ(def->Route("inbox")->folder, "var/outbox");
  EXPECT_EQ(def->Route("inbox")->retry.max_attempts, 10);
  EXPECT_EQ(def->Route("email")->kind, "log");
  auto rehearsal = (*set)->FindChannels("rehearsal");
  ASSERT_NE(rehearsal, nullptr);
  const ChannelSpec* mail = rehearsal->Route("email");
  ASSERT_NE(mail, nullptr);
  EXPECT_EQ(mail->email.smtp_url, "smtp://127.0.0.1:2525");
  EXPECT_EQ(mail->email.starttls, "none");
  EXPECT_EQ(mail->rate_per_minute, 120);
  EXPECT_EQ(mail->retry.base, std::chrono::minutes(1));
  EXPECT_EQ(mail->retry.max, std::chrono::hours(1));
  EXPECT_EQ(rehearsal->Route("dingtalk")->webhook.format, "dingtalk");
  EXPECT_EQ(rehearsal->Route("dingtalk")->webhook.secret, "SEC0123456789abcdef");
  EXPECT_EQ(rehearsal->Route("wecom")->rate_per_minute, 20);
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

}  // namespace
}  // namespace rectify::notify
