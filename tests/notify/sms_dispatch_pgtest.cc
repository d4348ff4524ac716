// An SMS channel through the real `rectify dispatch`, on SQLite and PostgreSQL, to a local fake of
// Tencent Cloud's and Alibaba Cloud's SendSms (tests/notify/cloud_sms_fake.py, which checks each
// request's signature in Python): the credentials come from the environment, the person's phone
// from the channels file's contacts, the message goes as its template with the payload's fields,
// a throttled or cut first request is retried with the same dedup key and taken once, and a file
// whose credentials are missing is refused before anything is sent. And WeCom application
// messages and DingTalk work notifications to a person's user id (tests/notify/im_app_fake.py).
#include <gmock/gmock.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/notify/channels_file.h"
#include "tests/notify/dispatcher_test_env.h"
#include "tests/notify/sink_records.h"
#include "tests/support/run_command.h"
#include "tests/support/sink_process.h"

namespace rectify::notify {
namespace {

using store_soci::Backend;
using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;
using namespace test_env;

constexpr const char* kId = "AKIDrectifytest";
constexpr const char* kKey = "s3cret/key+中";

class SmsDispatchTest : public DispatcherFixture {
 protected:
  void StartFake() {
    auto fake = test::SinkProcess::Start(
        "../notify/cloud_sms_fake.py",
        {"--dir", got_.path().string(), "--secret-id", kId, "--secret-key", kKey});
    ASSERT_TRUE(fake.ok()) << fake.error().message();
    fake_ = std::move(*fake);
  }

  // A channels file with an sms channel of `provider`, the Xinshao people `phones` names reached
  // by that phone, on a calendar open around the clock, retries a second apart.
  void WriteChannels(const std::string& provider, const std::map<std::string, std::string>& phones,
                     const std::string& receipts = "") {
    file_ = db_->dir().File("channels.yaml");
    std::ofstream f(file_);
    f << test::RoundTheClockChannels("sms-test", "channels:\n")
      << "  sms:\n    kind: sms\n    provider: " << provider << "\n"
      << "    endpoint: http://127.0.0.1:" << fake_->port() << "/" << provider << "\n"
      << (provider == "tencent" ? "    app_id: \"1400006666\"\n" : "")
      << "    sign_name: 新邵县督查室\n"
         "    secret_id_env: RECTIFY_TEST_SMS_ID\n    secret_key_env: RECTIFY_TEST_SMS_KEY\n"
         "    timeout_ms: 1500\n    backoff: { base: 1s, max: 2s }\n"
      << receipts << "    templates:\n"
      << test::SmsTemplateLines({"accountability-referral", "bulletin", "digest",
                                 "informed-criticism", "interview-notice", "measure-carry",
                                 "measure-ended", "notice", "public-reply",
                                 "public-reply-dismissed", "reminder-letter", "suggestion-letter",
                                 "supervision-letter"});
    f << "      reminder: { code: \"1234567\", params: { \"1\": item, \"2\": due } }\n"
      << "routes: { sms: sms }\norg: xinshao\ncontacts:\n";
    for (const auto& [person, phone] : phones) {
      f << "  - { people: [" << person << "], phone: \"" << phone << "\" }\n";
    }
  }

  CommandResult Dispatch(bool with_secrets = true, const std::string& key = kKey) {
    std::map<std::string, std::string> env;
    if (with_secrets) env = {{"RECTIFY_TEST_SMS_ID", kId}, {"RECTIFY_TEST_SMS_KEY", key}};
    return RunRectify({"--db", db_->url(), "dispatch", "--once", "--channels", file_}, env);
  }

  OutboxRecord SmsRow(const std::string& key, const std::string& person) {
    OutboxRecord r = Row(key, T("2017-05-08T10:00:00+08:00"), person);
    r.channel = "sms";
    return r;
  }

  // Each row's receipt as `rectify outbox list` shows it: dedup key -> "state code".
  std::map<std::string, std::string> Receipts() {
    CommandResult r =
        RunRectify({"--db", db_->url(), "--format", "jsonl", "outbox", "list", "--channels", file_},
                   {{"RECTIFY_TEST_SMS_ID", kId},
                    {"RECTIFY_TEST_SMS_KEY", kKey},
                    {"RECTIFY_TEST_APP_SECRET", kKey}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::string> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      boost::json::value v = boost::json::parse(line);
      const boost::json::object& o = v.as_object();
      std::string code(o.at("receipt_code").as_string());
      out[std::string(o.at("dedup_key").as_string())] =
          std::string(o.at("receipt").as_string()) + (code.empty() ? "" : " " + code);
    }
    return out;
  }

  test::TempDir got_;
  test::TempDir im_got_;  // the WeCom/DingTalk fake's records, beside the SMS fake's
  std::unique_ptr<test::SinkProcess> fake_;
  std::string file_;
};

TEST_P(SmsDispatchTest, ThePersonGetsTheTemplateOnceThroughEachProviderAndEachFault) {
  StartFake();
  for (std::string provider : {"tencent", "aliyun"}) {
    SCOPED_TRACE(provider);
    std::string p = provider.substr(0, 1);
    WriteChannels(
        provider,
        {{"xs-0014", "13800000000"}, {"xs-0015", "13800000429"}, {"xs-0016", "13800000777"}});
    Enqueue({SmsRow("Q-1" + p + "|remind|1|xs-0014", "xs-0014"),
             SmsRow("Q-2" + p + "|remind|1|xs-0015", "xs-0015"),
             SmsRow("Q-3" + p + "|remind|1|xs-0016", "xs-0016")});
    CommandResult first = Dispatch();
    ASSERT_EQ(first.exit_code, 0) << first.err;
    EXPECT_EQ(Stored("Q-2" + p + "|remind|1|xs-0015").state, OutboxState::kPending)
        << "throttled: waits for its retry";
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the retries' backoff
    CommandResult second = Dispatch();
    ASSERT_EQ(second.exit_code, 0) << second.err;
    for (const char* q : {"Q-1", "Q-2", "Q-3"}) {
      std::string key = q + p + "|remind|1|" +
                        (q == std::string("Q-1")   ? "xs-0014"
                         : q == std::string("Q-2") ? "xs-0015"
                                                   : "xs-0016");
      EXPECT_EQ(Stored(key).state, OutboxState::kSent) << key;
    }
  }
  std::map<std::string, int> taken;
  for (const auto& r : test::SinkRecords(got_.path())) {
    EXPECT_TRUE(r.at("sig_ok").as_bool()) << boost::json::serialize(r);
    EXPECT_EQ(r.at("sign_name"), "新邵县督查室");
    if (r.at("answer") == "accepted") ++taken[std::string(r.at("key").as_string())];
  }
  EXPECT_EQ(taken.size(), 6u) << "three people by each provider";
  for (const auto& [key, n] : taken) EXPECT_EQ(n, 1) << key << " was taken more than once";
}

TEST_P(SmsDispatchTest, MissingCredentialsAreRefusedBeforeAnythingIsSent) {
  StartFake();
  WriteChannels("tencent", {{"xs-0014", "13800000000"}});
  Enqueue({SmsRow("Q-1|remind|1|xs-0014", "xs-0014")});
  CommandResult r = Dispatch(false);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("needs the environment variable RECTIFY_TEST_SMS_ID"));
  EXPECT_TRUE(test::SinkRecords(got_.path()).empty());
  EXPECT_EQ(Stored("Q-1|remind|1|xs-0014").state, OutboxState::kPending);
}

// WeCom application messages and DingTalk work notifications through the same dispatcher, to a
// fake of both APIs (tests/notify/im_app_fake.py): the person's user id from the channels file's
// contacts, the app's secret from the environment, an expired token refreshed on the way.
TEST_P(SmsDispatchTest, WeComAndDingTalkReachThePersonByUserId) {
  auto fake = test::SinkProcess::Start("../notify/im_app_fake.py",
                                       {"--dir", got_.path().string(), "--secret", kKey});
  ASSERT_TRUE(fake.ok()) << fake.error().message();
  file_ = db_->dir().File("im.yaml");
  std::string base = "http://127.0.0.1:" + std::to_string((*fake)->port());
  std::ofstream(file_) << test::RoundTheClockChannels("im-test", "channels:\n")
                       << "  wecom: { kind: wecom-app, base_url: \"" << base
                       << "\", corp_id: ww1, agent_id: 1000002, secret_env: "
                          "RECTIFY_TEST_APP_SECRET }\n"
                       << "  ding: { kind: dingtalk-work, base_url: \"" << base
                       << "\", app_key: dingabc, agent_id: 2000001, secret_env: "
                          "RECTIFY_TEST_APP_SECRET }\n"
                       << "routes: { wecom: wecom, dingtalk: ding }\norg: xinshao\ncontacts:\n"
                       << "  - { people: [xs-0014], wecom: tangqianghua }\n"
                       << "  - { people: [xs-0015], dingtalk: expired-once }\n";
  OutboxRecord a = Row("Q-1|remind|1|xs-0014", T("2017-05-08T10:00:00+08:00"), "xs-0014");
  OutboxRecord b = Row("Q-2|remind|1|xs-0015", T("2017-05-08T10:00:00+08:00"), "xs-0015");
  a.channel = "wecom";
  b.channel = "dingtalk";
  Enqueue({a, b});
  CommandResult r = RunRectify({"--db", db_->url(), "dispatch", "--once", "--channels", file_},
                               {{"RECTIFY_TEST_APP_SECRET", kKey}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Stored("Q-1|remind|1|xs-0014").state, OutboxState::kSent);
  EXPECT_EQ(Stored("Q-2|remind|1|xs-0015").state, OutboxState::kSent);
  std::map<std::string, std::vector<std::string>> sends;  // user -> answers
  int tokens = 0;
  for (const auto& rec : test::SinkRecords(got_.path())) {
    if (rec.at("api") == "token") ++tokens;
    if (rec.at("api") != "send") continue;
    sends[std::string(rec.at("user").as_string())].push_back(
        boost::json::serialize(rec.at("answer")));
    EXPECT_THAT(std::string(rec.at("text").as_string()), HasSubstr("Q-"));
  }
  EXPECT_EQ(sends["tangqianghua"], std::vector<std::string>{"0"});
  EXPECT_EQ(sends["expired-once"], (std::vector<std::string>{"42001", "0"}))
      << "the expired token is fetched again and the message sent once more";
  EXPECT_EQ(tokens, 3) << "one for each app, and one after the expiry";
}

// Receipts polled from each provider (Tencent PullSmsSendStatus, Alibaba QuerySendDetails): the
// provider took every message (sent), then its report says delivered or failed with the
// operator's code, and a message without a report within receipt_within_s is unknown. A report
// that comes again changes nothing; one for a serial number no delivery has is logged and
// ignored; a query the provider refuses (a wrong key) changes nothing.
TEST_P(SmsDispatchTest, ReceiptsTellWhetherEachPersonWasReached) {
  StartFake();
  for (std::string provider : {"tencent", "aliyun"}) {
    SCOPED_TRACE(provider);
    std::string p = provider.substr(0, 1);
    WriteChannels(provider,
                  {{"xs-0014", "13800000000"},
                   {"xs-0015", "13800000444"},
                   {"xs-0016", "13800000555"},
                   {"xs-0017", "13800000666"},
                   {"xs-0018", "13800000999"}},
                  "    receipts: poll\n    receipt_within_s: 3\n");
    std::vector<std::string> keys;
    std::vector<OutboxRecord> rows;
    for (const char* person : {"xs-0014", "xs-0015", "xs-0016", "xs-0017", "xs-0018"}) {
      keys.push_back("R-" + p + "|remind|1|" + person);
      rows.push_back(SmsRow(keys.back(), person));
    }
    Enqueue(rows);
    CommandResult first = Dispatch();
    ASSERT_EQ(first.exit_code, 0) << first.err;
    std::map<std::string, std::string> got = Receipts();
    EXPECT_EQ(got[keys[0]], "delivered " + std::string(p == "t" ? "SUCCESS" : "DELIVERED"));
    EXPECT_EQ(got[keys[1]], "failed " + std::string(p == "t" ? "FAIL" : "UNDELIV"));
    EXPECT_EQ(got[keys[2]], "sent") << "no report yet, and receipt_within_s has not passed";
    EXPECT_EQ(got[keys[3]], "delivered " + std::string(p == "t" ? "SUCCESS" : "DELIVERED"));
    if (p == "t") {
      EXPECT_EQ(got[keys[4]], "sent") << "its report named another serial number";
      EXPECT_THAT(first.err, HasSubstr("a receipt for tencent:9999:stray, which no delivery has, "
                                       "was logged and ignored"));
    }

    // A status query signed with a wrong key is refused by the provider: nothing changes.
    CommandResult refused = Dispatch(true, "wrong-key");
    ASSERT_EQ(refused.exit_code, 0) << refused.err;
    EXPECT_THAT(refused.err,
                HasSubstr(p == "t" ? "AuthFailure.SignatureFailure" : "SignatureDoesNotMatch"));
    EXPECT_EQ(Receipts(), got);

    // Tencent reports 0666's message again: a duplicate, nothing changes.
    CommandResult again = Dispatch();
    ASSERT_EQ(again.exit_code, 0) << again.err;
    if (p == "t") {
      EXPECT_THAT(again.err, HasSubstr("1 duplicate"));
    }
    EXPECT_EQ(Receipts(), got);

    std::this_thread::sleep_for(std::chrono::milliseconds(3200));  // receipt_within_s passes
    CommandResult late = Dispatch();
    ASSERT_EQ(late.exit_code, 0) << late.err;
    got = Receipts();
    EXPECT_EQ(got[keys[2]], "unknown no-receipt");
    if (p == "t") {
      EXPECT_EQ(got[keys[4]], "unknown no-receipt");
    }
    EXPECT_EQ(got[keys[1]], "failed " + std::string(p == "t" ? "FAIL" : "UNDELIV"))
        << "a final receipt stays";
  }
  // Every send was signed right; the status queries too, but for the one with the wrong key.
  int refused_queries = 0;
  for (const auto& r : test::SinkRecords(got_.path())) {
    if (r.if_contains("api")) {
      refused_queries += !r.at("sig_ok").as_bool();
      continue;
    }
    EXPECT_TRUE(r.at("sig_ok").as_bool()) << boost::json::serialize(r);
  }
  EXPECT_GE(refused_queries, 2) << "one per provider, with the wrong key";
}

// WeCom names a person outside the app's visible range in `invaliduser` of an errcode-0 answer:
// the message went to nobody, so its receipt is failed at once; a person it took is delivered.
TEST_P(SmsDispatchTest, WeComInvalidUserIsAFailedReceipt) {
  auto fake = test::SinkProcess::Start("../notify/im_app_fake.py",
                                       {"--dir", got_.path().string(), "--secret", kKey});
  ASSERT_TRUE(fake.ok()) << fake.error().message();
  file_ = db_->dir().File("im.yaml");
  std::string base = "http://127.0.0.1:" + std::to_string((*fake)->port());
  std::ofstream(file_) << test::RoundTheClockChannels("im-test", "channels:\n")
                       << "  wecom: { kind: wecom-app, base_url: \"" << base
                       << "\", corp_id: ww1, agent_id: 1000002, secret_env: "
                          "RECTIFY_TEST_APP_SECRET }\n"
                       << "routes: { wecom: wecom }\norg: xinshao\ncontacts:\n"
                       << "  - { people: [xs-0014], wecom: tangqianghua }\n"
                       << "  - { people: [xs-0015], wecom: outside-app }\n";
  OutboxRecord a = Row("W-1|remind|1|xs-0014", T("2017-05-08T10:00:00+08:00"), "xs-0014");
  OutboxRecord b = Row("W-2|remind|1|xs-0015", T("2017-05-08T10:00:00+08:00"), "xs-0015");
  a.channel = b.channel = "wecom";
  Enqueue({a, b});
  CommandResult r = RunRectify({"--db", db_->url(), "dispatch", "--once", "--channels", file_},
                               {{"RECTIFY_TEST_APP_SECRET", kKey}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Stored("W-2|remind|1|xs-0015").state, OutboxState::kSent) << "WeCom took the request";
  std::map<std::string, std::string> got = Receipts();
  EXPECT_EQ(got["W-1|remind|1|xs-0014"], "delivered ok");
  EXPECT_EQ(got["W-2|remind|1|xs-0015"], "failed invaliduser");
}

// The end to end of issue 16's receipts: a reminder to a cadre whose WeCom id is outside the app
// (WeCom names it in invaliduser) and whose SMS the operator reports undelivered. The dispatcher
// falls back from WeCom to SMS, the SMS receipt fails, no route is left: the cadre's unit head
// (xs-0012, head of the township above the cadre's team) is told by WeCom, once, naming the cadre
// and the item, and `rectify report unreached` counts the cadre.
TEST_P(SmsDispatchTest, ACadreReachedByNoRouteIsReportedToTheUnitHeadOnce) {
  StartFake();
  auto im = test::SinkProcess::Start("../notify/im_app_fake.py",
                                     {"--dir", im_got_.path().string(), "--secret", kKey});
  ASSERT_TRUE(im.ok()) << im.error().message();
  file_ = db_->dir().File("reach.yaml");
  std::ofstream(file_)
      << test::RoundTheClockChannels("reach-test", "channels:\n")
      << "  wecom: { kind: wecom-app, base_url: \"http://127.0.0.1:" << (*im)->port()
      << "\", corp_id: ww1, agent_id: 1000002, secret_env: RECTIFY_TEST_APP_SECRET }\n"
      << "  sms:\n    kind: sms\n    provider: tencent\n    endpoint: http://127.0.0.1:"
      << fake_->port() << "/tencent\n    app_id: \"1400006666\"\n    sign_name: 新邵县督查室\n"
      << "    secret_id_env: RECTIFY_TEST_SMS_ID\n    secret_key_env: RECTIFY_TEST_SMS_KEY\n"
      << "    receipts: poll\n    receipt_within_s: 60\n    templates:\n";
  {
    std::ofstream f(file_, std::ios::app);
    f << test::SmsTemplateLines(
        {"accountability-referral", "bulletin", "digest", "informed-criticism", "interview-notice",
         "measure-carry", "measure-ended", "notice", "public-reply", "public-reply-dismissed",
         "reminder", "reminder-letter", "suggestion-letter", "supervision-letter"});
    f << "routes: { wecom: wecom, sms: sms }\norg: xinshao\n"
      << "unreached: { report_to: unit-head }\ncontacts:\n"
      << "  - { people: [xs-0015], wecom: outside-app, phone: \"13800000444\" }\n"
      << "  - { people: [xs-0012], wecom: xuwenbo }\n";
  }
  OutboxRecord r = Row("E-1|remind|1|xs-0015", T("2017-05-08T10:00:00+08:00"), "xs-0015",
                       "reminder", R"({"item":"E-1","title":"危房改造","due":"2017-05-08"})");
  r.channel = "wecom";
  Enqueue({r});
  std::map<std::string, std::string> env{{"RECTIFY_TEST_SMS_ID", kId},
                                         {"RECTIFY_TEST_SMS_KEY", kKey},
                                         {"RECTIFY_TEST_APP_SECRET", kKey}};
  auto dispatch = [&] {
    CommandResult d =
        RunRectify({"--db", db_->url(), "dispatch", "--once", "--channels", file_}, env);
    EXPECT_EQ(d.exit_code, 0) << d.err;
    return d;
  };
  CommandResult first = dispatch();  // WeCom: invaliduser, so SMS next
  EXPECT_THAT(first.err, HasSubstr("1 sent again by the next route"));
  EXPECT_EQ(Receipts()["E-1|remind|1|xs-0015"], "failed invaliduser");
  CommandResult second = dispatch();  // SMS taken, then its receipt: FAIL; no route is left
  EXPECT_EQ(Receipts()["E-1|remind|1|xs-0015|via:sms"], "failed FAIL");
  EXPECT_THAT(second.err, HasSubstr("1 reached by no route"));
  CommandResult third = dispatch();  // the unit head's notice goes
  EXPECT_EQ(Stored("unreached|E-1|remind|1|xs-0015").state, OutboxState::kSent);
  dispatch();  // nothing more: the report was made once
  std::vector<std::string> to_head;
  for (const auto& rec : test::SinkRecords(im_got_.path())) {
    if (rec.at("api") == "send" && rec.at("user") == "xuwenbo") {
      to_head.emplace_back(rec.at("text").as_string());
    }
  }
  ASSERT_EQ(to_head.size(), 1u) << "the unit head is told once";
  EXPECT_THAT(to_head[0], HasSubstr("曾明辉（xs-0015）"));
  EXPECT_THAT(to_head[0], HasSubstr("E-1"));
  EXPECT_THAT(to_head[0], HasSubstr("wecom, sms"));

  CommandResult report =
      RunRectify({"--db", db_->url(), "--format", "jsonl", "report", "unreached"}, env);
  ASSERT_EQ(report.exit_code, 0) << report.err;
  std::vector<std::string> lines;
  std::istringstream in(report.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 1u) << report.out;
  boost::json::value row = boost::json::parse(lines[0]);
  EXPECT_EQ(row.at("person"), "xs-0015");
  EXPECT_EQ(row.at("item"), "E-1");
  EXPECT_EQ(row.at("routes"), "wecom, sms");
  EXPECT_EQ(row.at("reported_to"), "xs-0012");
  CommandResult text = RunRectify({"--db", db_->url(), "report", "unreached"}, env);
  EXPECT_THAT(text.out, HasSubstr("people not reached: 1"));
  CommandResult summary = RunRectify({"--db", db_->url(), "report", "summary"}, env);
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_THAT(summary.out, HasSubstr("people not reached by any route (all items): 1"));
}

// DingTalk's getsendresult, polled for each work notification awaiting its receipt: a person it
// lists as invalid (left the company) is not reached; one it lists as unread got it.
TEST_P(SmsDispatchTest, DingTalkSendResultIsTheReceipt) {
  auto fake = test::SinkProcess::Start("../notify/im_app_fake.py",
                                       {"--dir", got_.path().string(), "--secret", kKey});
  ASSERT_TRUE(fake.ok()) << fake.error().message();
  file_ = db_->dir().File("ding.yaml");
  std::ofstream(file_) << test::RoundTheClockChannels("ding-test", "channels:\n")
                       << "  ding: { kind: dingtalk-work, base_url: \"http://127.0.0.1:"
                       << (*fake)->port()
                       << "\", app_key: dingabc, agent_id: 2000001, secret_env: "
                          "RECTIFY_TEST_APP_SECRET, receipts: poll, receipt_within_s: 60 }\n"
                       << "routes: { dingtalk: ding }\norg: xinshao\ncontacts:\n"
                       << "  - { people: [xs-0014], dingtalk: tangqianghua }\n"
                       << "  - { people: [xs-0015], dingtalk: left-company }\n";
  OutboxRecord a = Row("D-1|remind|1|xs-0014", T("2017-05-08T10:00:00+08:00"), "xs-0014");
  OutboxRecord b = Row("D-2|remind|1|xs-0015", T("2017-05-08T10:00:00+08:00"), "xs-0015");
  a.channel = b.channel = "dingtalk";
  Enqueue({a, b});
  CommandResult r = RunRectify({"--db", db_->url(), "dispatch", "--once", "--channels", file_},
                               {{"RECTIFY_TEST_APP_SECRET", kKey}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::string> got = Receipts();
  EXPECT_EQ(got["D-1|remind|1|xs-0014"], "delivered unread");
  EXPECT_EQ(got["D-2|remind|1|xs-0015"], "failed invalid_user_id_list");
  int queries = 0;
  for (const auto& rec : test::SinkRecords(got_.path())) queries += rec.at("api") == "result";
  EXPECT_EQ(queries, 2) << "one getsendresult a message";
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SmsDispatchTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, SmsDispatchTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
