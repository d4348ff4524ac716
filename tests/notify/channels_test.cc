// The log and file channels, the channel factory, and message rendering from the shipped
// templates in both languages.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/notify/channel_factory.h"
#include "adapters/notify/channels/file/file_channel.h"
#include "adapters/notify/channels/file/file_plugin.h"
#include "adapters/notify/channels/log/log_channel.h"
#include "adapters/notify/directory.h"
#include "adapters/notify/renderer.h"
#include "rectify/definition/definition_set.h"
#include "tests/support/temp_dir.h"

namespace rectify::notify {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Message Letter() {
  Message m;
  m.dedup_key = "Q-1|escalate:rectifying:1|1|xs-0014";
  m.template_name = "supervision-letter";
  m.language = "zh";
  m.recipient_id = "xs-0014";
  m.recipient_name = "唐强华";
  m.subject = "督办函";
  m.text = "请于三个工作日内整改到位。";
  m.html = "<!DOCTYPE html><html><body>督办函</body></html>";
  m.instance_id = "Q-1";
  return m;
}

TEST(LogChannelTest, WritesOneJsonLinePerMessageWithTheDedupKey) {
  std::ostringstream out;
  LogChannel log(out);
  EXPECT_EQ(log.kind(), "log");
  SendResult r = log.Send(Letter());
  EXPECT_EQ(r.outcome, SendOutcome::kDelivered);
  std::string line = out.str();
  ASSERT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
  boost::json::value v = boost::json::parse(line);
  EXPECT_EQ(v.at("dedup_key").as_string(), "Q-1|escalate:rectifying:1|1|xs-0014");
  EXPECT_EQ(v.at("recipient").as_string(), "xs-0014");
  EXPECT_EQ(v.at("subject").as_string(), "督办函");
}

TEST(LogChannelTest, AFailedStreamIsATransientFailure) {
  std::ostringstream out;
  out.setstate(std::ios::badbit);
  LogChannel log(out);
  EXPECT_EQ(log.Send(Letter()).outcome, SendOutcome::kRetry);
}

TEST(FileChannelTest, WritesOneFilePerMessageNamedFromTheKeyAndARepeatReplacesIt) {
  test::TempDir dir;
  std::string folder = dir.File("letters");
  FileChannel files(folder);
  ASSERT_EQ(files.Send(Letter()).outcome, SendOutcome::kDelivered);
  ASSERT_EQ(files.Send(Letter()).outcome, SendOutcome::kDelivered);  // a repeat after a crash
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(folder)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  std::string stem = FileChannel::FileStem(Letter().dedup_key);
  EXPECT_THAT(stem, ::testing::StartsWith("Q-1_escalate_rectifying_1_1_xs-0014-"));
  ASSERT_EQ(names, (std::vector<std::string>{stem + ".html", stem + ".json"}))
      << "one message, one pair of files, no temporary left behind";
  EXPECT_EQ(Slurp(fs::path(folder) / (stem + ".html")), Letter().html);
  boost::json::value v = boost::json::parse(Slurp(fs::path(folder) / (stem + ".json")));
  EXPECT_EQ(v.at("dedup_key").as_string(), Letter().dedup_key);
  EXPECT_NE(FileChannel::FileStem("a/b"), FileChannel::FileStem("a_b"))
      << "keys that sanitise alike still get their own file";
}

TEST(FileChannelTest, AnUnwritableFolderIsATransientFailure) {
  test::TempDir dir;
  std::ofstream(dir.File("not-a-folder")) << "x";
  FileChannel files(dir.File("not-a-folder") + "/letters");
  SendResult r = files.Send(Letter());
  EXPECT_EQ(r.outcome, SendOutcome::kRetry);
  EXPECT_THAT(r.detail, HasSubstr("cannot create the folder"));
}

TEST(ChannelFactoryTest, BuildsTheChannelsOfAFile) {
  test::TempDir dir;
  ChannelSpec log{"log", "log"};
  ChannelSpec files{"paper", "file"};
  auto folder = std::make_shared<channels::file::Settings>();
  folder->folder = dir.File("paper");
  files.settings = folder;
  ChannelsConfig config({definition::Kind::kChannels, "t"}, {log, files},
                        {{"inbox", "paper"}, {"email", "log"}}, "");
  std::ostringstream out;
  auto channels = MakeChannels(config, out);
  ASSERT_TRUE(channels.ok()) << channels.error().message();
  EXPECT_EQ(channels->at("log")->kind(), "log");
  EXPECT_EQ(channels->at("paper")->kind(), "file");
  EXPECT_EQ(config.Route("inbox")->name, "paper");
  EXPECT_EQ(config.Route("sms"), nullptr);
}

class RendererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = Renderer::Load(std::string(RECTIFY_SOURCE_DIR) + "/workflows/templates");
    ASSERT_TRUE(r.ok()) << r.error().message();
    renderer_ = std::move(*r);
  }
  static OutboxRecord Row(const std::string& templ, const std::string& payload) {
    OutboxRecord o;
    o.id = 1;
    o.dedup_key = "Q-1|t|1|xs-0014";
    o.instance_id = "Q-1";
    o.channel = "email";
    o.recipient = "xs-0014";
    o.template_name = templ;
    o.payload_json = payload;
    return o;
  }
  static Recipient Person(const std::string& lang) {
    Recipient r;
    r.id = "xs-0014";
    r.name = lang == "en" ? "Tang Qianghua" : "唐强华";
    r.language = lang;
    r.issuer = "新邵县";
    return r;
  }
  Renderer renderer_;
};

constexpr const char* kEscalation =
    R"({"item":"Q-1","title":"危房改造对象识别不准","unit":"niangxi","unit_name":"酿溪镇",)"
    R"("state":"rectifying","due":"2017-05-08","measure":"supervision_letter","level":2,)"
    R"("chain":"overdue-rectification","message":"supervision letter (督办函): item Q-1"})";

TEST_F(RendererTest, EveryKindOfMessageHasATemplateInBothLanguages) {
  for (const char* name :
       {"reminder", "reminder-letter", "supervision-letter", "suggestion-letter",
        "interview-notice", "informed-criticism", "accountability-referral", "public-reply",
        "public-reply-dismissed", "notice", "digest", "bulletin"}) {
    for (const char* lang : {"zh", "en"}) {
      EXPECT_TRUE(renderer_.Has(name, lang)) << name << "." << lang << ".txt";
    }
  }
}

TEST_F(RendererTest, PicksTheLetterByTheMeasureAndTheLanguageByThePerson) {
  OutboxRecord row = Row("escalation", kEscalation);
  EXPECT_EQ(Renderer::TemplateFor(row), "supervision-letter");
  Rendered zh = renderer_.Render(row, Person("zh"), nullptr, *ParseIso("2017-05-11T02:00:00Z"));
  EXPECT_TRUE(zh.letter);
  EXPECT_THAT(zh.message.subject, HasSubstr("督办函"));
  EXPECT_THAT(zh.message.text, HasSubstr("唐强华"));
  EXPECT_THAT(zh.message.text, HasSubstr("2017-05-08"));
  EXPECT_THAT(zh.message.html, HasSubstr("<!DOCTYPE html>"));
  EXPECT_THAT(zh.message.html, HasSubstr("危房改造对象识别不准"));
  EXPECT_THAT(zh.message.html, HasSubstr("新邵县"));
  Rendered en = renderer_.Render(row, Person("en"), nullptr, *ParseIso("2017-05-11T02:00:00Z"));
  EXPECT_THAT(en.message.subject, HasSubstr("Supervision letter"));
  EXPECT_THAT(en.message.text, HasSubstr("Tang Qianghua"));
  EXPECT_EQ(en.message.language, "en");
}

// A numbered bulletin (engine/bulletin.h) tells each unit head its own counts; an escalation step's
// notice to a bulletin unit without a letter of its own stays a plain notice.
TEST_F(RendererTest, ABulletinTellsTheUnitHeadItsNumberAndItsOwnCounts) {
  OutboxRecord row = Row(
      "bulletin",
      R"({"campaign":"xinshao-2017","number_label":"2017年第1期","number_label_en":"2017 No. 1",)"
      R"("title":"关于第一季度督查考核发现问题及整改情况的通报","title_en":"Bulletin on the findings",)"
      R"("issued_on":"2017-04-24","issuer_name":"县脱贫攻坚指挥部","unit":"niangxi",)"
      R"("unit_name":"酿溪镇","findings":"2","overdue":"0"})");
  EXPECT_EQ(Renderer::TemplateFor(row), "bulletin");
  Rendered zh = renderer_.Render(row, Person("zh"), nullptr, *ParseIso("2017-04-24T02:00:00Z"));
  EXPECT_FALSE(zh.letter);
  EXPECT_EQ(zh.message.subject, "通报 2017年第1期：关于第一季度督查考核发现问题及整改情况的通报");
  EXPECT_THAT(zh.message.text, HasSubstr("唐强华同志"));
  EXPECT_THAT(zh.message.text, HasSubstr("本期通报酿溪镇检查发现问题 2 个，超期未整改问题 0 个"));
  Rendered en = renderer_.Render(row, Person("en"), nullptr, *ParseIso("2017-04-24T02:00:00Z"));
  EXPECT_EQ(en.message.subject, "Bulletin 2017 No. 1: Bulletin on the findings");
  EXPECT_THAT(en.message.text, HasSubstr("2 problem(s) found at 酿溪镇"));

  OutboxRecord step =
      Row("bulletin", R"({"item":"Q-1","measure":"suspend_payment","message":"x"})");
  EXPECT_EQ(Renderer::TemplateFor(step), "notice");
}

TEST_F(RendererTest, ARemindersIsPlainTextAndEscapesNothingItShouldNot) {
  Rendered r = renderer_.Render(
      Row("reminder", R"({"item":"Q-1","title":"<b>&</b>","due":"2017-05-08","offset":"-1wd"})"),
      Person("zh"), nullptr, *ParseIso("2017-05-05T02:00:00Z"));
  EXPECT_FALSE(r.letter);
  EXPECT_THAT(r.message.text, HasSubstr("<b>&</b>"));
  Rendered letter = renderer_.Render(
      Row("escalation",
          R"({"item":"Q-1","title":"<b>&</b>","measure":"reminder_letter","due":"2017-05-08"})"),
      Person("zh"), nullptr, *ParseIso("2017-05-09T02:00:00Z"));
  EXPECT_THAT(letter.message.html, HasSubstr("&lt;b&gt;&amp;&lt;/b&gt;"));
  EXPECT_THAT(letter.message.html, Not(HasSubstr("<b>&</b>")));
}

TEST_F(RendererTest, AnUnknownTemplateFallsBackToTheEnginesMessage) {
  Rendered r = renderer_.Render(Row("look_back", R"({"message":"look back sampled Q-1"})"),
                                Person("en"), nullptr, *ParseIso("2017-06-01T02:00:00Z"));
  EXPECT_THAT(r.message.text, HasSubstr("look back sampled Q-1"));
}

TEST_F(RendererTest, EveryTemplateAShippedTransitionNamesExistsInBothLanguages) {
  Diagnostics diags;
  auto set = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows"}, diags);
  ASSERT_TRUE(set.ok()) << diags.Format();
  int named = 0;
  for (const auto& info : (*set)->All()) {
    if (info.kind != definition::Kind::kWorkflow) continue;
    for (const auto& t : (*set)->FindWorkflow(info.name, info.version)->transitions()) {
      for (const auto& n : t.notify) {
        ++named;
        for (const char* lang : {"zh", "en"}) {
          EXPECT_TRUE(renderer_.Has(n.template_name, lang))
              << info.Label() << " " << t.event << ": " << n.template_name << "." << lang;
        }
      }
    }
  }
  EXPECT_GE(named, 2);  // public-report's two replies
}

// A public reporter, as the engine queues the reply (engine/src/engine/interpreter.cc).
OutboxRecord ReplyRow(const std::string& language) {
  OutboxRecord o;
  o.dedup_key = "C-1|on:telling_problem:tell|4|$reporter_contact";
  o.instance_id = "C-1";
  o.channel = "email";
  o.recipient = "someone@example.org";
  o.template_name = "public-reply";
  o.payload_json = R"({"item":"C-1","title":"低保评定优亲厚友","unit":"niangxi",)"
                   R"("unit_name":"酿溪镇","state":"closed","outcome":"problem")" +
                   (language.empty() ? std::string() : R"(,"language":")" + language + "\"") + "}";
  return o;
}

TEST(DirectoryTest, SomeoneOutsideTheOrgIsAddressedByTheirContactInTheRowsLanguage) {
  Diagnostics diags;
  auto set = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows"}, diags);
  ASSERT_TRUE(set.ok()) << diags.Format();
  Directory dir = Directory::FromDefinitions(**set);
  EXPECT_EQ(dir.Find("someone@example.org"), nullptr);
  Recipient en = dir.Outsider(ReplyRow("en"));
  EXPECT_TRUE(en.outside);
  EXPECT_EQ(en.id, "someone@example.org");
  EXPECT_EQ(en.name, "");
  EXPECT_EQ(en.language, "en");
  EXPECT_EQ(en.issuer, "新邵县");  // the org of the item's unit signs
  EXPECT_EQ(AddressFor(en, "email"), "someone@example.org");
  EXPECT_EQ(dir.Outsider(ReplyRow("")).language, "zh");
  EXPECT_EQ(dir.Outsider(ReplyRow("fr")).language, "zh");
  OutboxRecord sms = ReplyRow("");
  sms.channel = "sms";
  sms.recipient = "13900000000";
  EXPECT_EQ(AddressFor(dir.Outsider(sms), "sms"), "13900000000");
}

TEST_F(RendererTest, TheReplyToAReporterNamesTheItemAndTheUnitInTheirLanguage) {
  Recipient reporter;
  reporter.id = "someone@example.org";
  reporter.issuer = "新邵县";
  reporter.language = "en";
  Timestamp now = *ParseIso("2017-06-22T01:00:00Z");
  Rendered en = renderer_.Render(ReplyRow("en"), reporter, nullptr, now);
  EXPECT_EQ(en.message.subject, "Reply to your report: 低保评定优亲厚友 (item C-1)");
  EXPECT_THAT(en.message.text, HasSubstr("Dear reporter,"));
  EXPECT_THAT(en.message.text, HasSubstr("that 酿溪镇 must rectify"));
  EXPECT_TRUE(en.letter);
  EXPECT_THAT(en.message.html, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(en.message.html, Not(HasSubstr("{{")));
  reporter.language = "zh";
  OutboxRecord dismissed = ReplyRow("zh");
  dismissed.template_name = "public-reply-dismissed";
  Rendered zh = renderer_.Render(dismissed, reporter, nullptr, now);
  EXPECT_EQ(zh.message.subject, "群众来信答复：低保评定优亲厚友（编号 C-1）");
  EXPECT_THAT(zh.message.text, HasSubstr("不属实"));
  EXPECT_THAT(zh.message.text, HasSubstr("新邵县\n2017-06-22"));
  EXPECT_THAT(zh.message.html, HasSubstr("<html lang=\"zh\">"));
}

TEST(FillTest, ReplacesFieldsAndLeavesUnknownOnesEmpty) {
  EXPECT_EQ(Fill("{{a}}-{{b}}-{{", {{"a", "1"}}, false), "1--{{");
  EXPECT_EQ(Fill("{{a}}", {{"a", "<x>"}}, true), "&lt;x&gt;");
}

}  // namespace
}  // namespace rectify::notify
