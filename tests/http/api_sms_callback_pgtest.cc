// The cloud SMS services' status callbacks (POST /api/v1/sms-callbacks/{tencent,aliyun}/{secret})
// through a live `rectify serve`, on SQLite and PostgreSQL: messages really sent by `rectify
// dispatch` to the local fake of both providers (tests/notify/cloud_sms_fake.py), then their
// status reports posted as each provider documents them. The secret is the one the channel's
// `callback_token_env` names; a wrong, short or missing one is 401 and records nothing; a body
// that is not the provider's is 400 and records nothing; the receipts are seen by GET
// /api/v1/deliveries and `rectify outbox list`.
#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "adapters/notify/channels/sms/sms_plugin.h"
#include "adapters/store/soci/database_url.h"
#include "adapters/store/soci/soci_store.h"
#include "tests/http/api_env.h"
#include "tests/notify/channels_file.h"
#include "tests/support/sink_process.h"
#include "tests/support/temp_dir.h"

namespace rectify::api {
namespace {

using store_soci::Backend;
using test::ApiEnv;
using test::CommandResult;
using test::HttpAnswer;
using test::RunRectify;

constexpr const char* kId = "AKIDrectifytest";
constexpr const char* kKey = "s3cret/key+中";
constexpr const char* kTencentSecret = "tc-callback-0123456789abcdef";
constexpr const char* kAliyunSecret = "ali-callback-0123456789abcdef";

class ApiSmsCallbackTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto fake = test::SinkProcess::Start(
        "../notify/cloud_sms_fake.py",
        {"--dir", got_.path().string(), "--secret-id", kId, "--secret-key", kKey});
    ASSERT_TRUE(fake.ok()) << fake.error().message();
    fake_ = std::move(*fake);
    for (std::string provider : {"tencent", "aliyun"}) WriteChannels(provider);
    // Open around the clock, so that the dispatch of the real time sends at once.
    test::WriteTextFile(cal_.path().string() + "/calendar.yaml", test::RoundTheClockCalendar());
    env_ = std::make_unique<ApiEnv>(
        GetParam(), std::vector<std::string>{"--definitions", defs_.path().string(),
                                             "--definitions", cal_.path().string()});
    env_->SetServeEnv({{"RECTIFY_TEST_TC_CALLBACK", kTencentSecret},
                       {"RECTIFY_TEST_ALI_CALLBACK", kAliyunSecret},
                       {"RECTIFY_TEST_SHORT_CALLBACK", "short"}});
    ASSERT_TRUE(env_->Start());
  }

  // A channels file of one sms channel of `provider` to the fake, with the callback's secret.
  void WriteChannels(const std::string& provider) {
    std::ofstream f(File(provider));
    f << "kind: channels\nname: callback-" << provider << "\ncalendar: round-the-clock\nchannels:\n"
      << "  sms:\n    kind: sms\n    provider: " << provider << "\n"
      << "    endpoint: http://127.0.0.1:" << fake_->port() << "/" << provider << "\n"
      << (provider == "tencent" ? "    app_id: \"1400006666\"\n" : "")
      << "    sign_name: 新邵县督查室\n"
      << "    secret_id_env: RECTIFY_TEST_SMS_ID\n    secret_key_env: RECTIFY_TEST_SMS_KEY\n"
      << "    callback_token_env: "
      << (provider == "tencent" ? "RECTIFY_TEST_TC_CALLBACK" : "RECTIFY_TEST_ALI_CALLBACK") << "\n"
      << "    receipt_within_s: 3600\n    templates:\n"
      << test::SmsTemplateLines(notify::channels::sms::MessageKinds());
    f << "  short:\n    kind: sms\n    provider: " << provider << "\n"
      << (provider == "tencent" ? "    app_id: \"1400006666\"\n" : "")
      << "    sign_name: x\n    secret_id_env: A\n    secret_key_env: B\n"
      << "    callback_token_env: RECTIFY_TEST_SHORT_CALLBACK\n    templates:\n";
    for (const auto& kind : notify::channels::sms::MessageKinds()) {
      f << "      " << kind << ": { code: \"T\" }\n";
    }
    f << "routes: { sms: sms }\norg: xinshao\ncontacts:\n"
      << "  - { people: [xs-0014], phone: \"13800000014\" }\n"
      << "  - { people: [xs-0015], phone: \"13800000015\" }\n";
  }
  std::string File(const std::string& provider) const {
    return defs_.path().string() + "/callback-" + provider + ".yaml";
  }

  // Two reminders, to xs-0014 and xs-0015, sent by `provider` through the real dispatch; their
  // provider refs.
  std::vector<std::string> Send(const std::string& provider) {
    auto url = store_soci::ParseDatabaseUrl(env_->db().url());
    EXPECT_TRUE(url.ok());
    auto db = store_soci::Database::Open(*url, {});
    EXPECT_TRUE(db.ok());
    auto store = store_soci::MakeStore(std::move(*db));
    ChangeSet c;
    for (const char* person : {"xs-0014", "xs-0015"}) {
      OutboxRecord o;
      o.dedup_key = provider + "|remind|1|" + person;
      o.instance_id = "XS-2017-001";
      o.channel = "sms";
      o.recipient = person;
      o.template_name = "reminder";
      o.payload_json = R"({"item":"XS-2017-001","title":"危房改造","due":"2017-05-08"})";
      o.not_before = o.next_attempt_at = o.created_at = ParseIso("2017-04-21T02:00:00Z").value();
      c.outbox_inserts.push_back(o);
    }
    Status s = store->Commit(c);
    EXPECT_TRUE(s.ok()) << s.error().message();
    CommandResult d = RunRectify({"--db", env_->db().url(), "dispatch", "--once", "--definitions",
                                  cal_.path().string(), "--channels", File(provider)},
                                 {{"RECTIFY_TEST_SMS_ID", kId},
                                  {"A", "unused-id"},
                                  {"B", "unused-key"},
                                  {"RECTIFY_TEST_SMS_KEY", kKey},
                                  {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
    EXPECT_EQ(d.exit_code, 0) << d.err;
    EXPECT_THAT(d.err, ::testing::HasSubstr("2 delivered")) << d.out;
    std::vector<std::string> refs;
    for (const char* person : {"xs-0014", "xs-0015"}) {
      std::string ref = Rows()[provider + "|remind|1|" + person].second;
      EXPECT_EQ(ref.rfind(provider + ":", 0), 0u) << ref;
      refs.push_back(ref.size() > provider.size() ? ref.substr(provider.size() + 1) : "");
    }
    return refs;
  }

  // dedup key -> (receipt and its code, provider_ref), as `rectify outbox list` shows them.
  std::map<std::string, std::pair<std::string, std::string>> Rows() {
    CommandResult r = RunRectify({"--db", env_->db().url(), "--format", "jsonl", "outbox", "list"},
                                 {{"RECTIFY_HOME", RECTIFY_SOURCE_DIR}});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, std::pair<std::string, std::string>> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      boost::json::value v = boost::json::parse(line);
      const boost::json::object& o = v.as_object();
      std::string code(o.at("receipt_code").as_string());
      out[std::string(o.at("dedup_key").as_string())] = {
          std::string(o.at("receipt").as_string()) + (code.empty() ? "" : " " + code),
          std::string(o.at("provider_ref").as_string())};
    }
    return out;
  }

  std::string Receipt(const std::string& key) { return Rows()[key].first; }

  HttpAnswer Post(const std::string& path, const std::string& body) {
    return env_->Client().Send("POST", path, body, {{"Content-Type", "application/json"}});
  }

  test::TempDir got_, defs_, cal_;
  std::unique_ptr<test::SinkProcess> fake_;
  std::unique_ptr<ApiEnv> env_;
};

TEST_P(ApiSmsCallbackTest, TencentStatusCallbacksAreRecordedOnlyWithTheSecret) {
  std::vector<std::string> sid = Send("tencent");
  const std::string reports =
      R"([{"user_receive_time":"2017-04-21 10:00:05","nationcode":"86","mobile":"13800000014",)"
      R"("report_status":"SUCCESS","errmsg":"DELIVRD","description":"用户短信送达成功","sid":")" +
      sid[0] +
      R"("},{"user_receive_time":"2017-04-21 10:00:06","nationcode":"86","mobile":"13800000015",)"
      R"("report_status":"FAIL","errmsg":"MK:0001","description":"用户关机","sid":")" +
      sid[1] + R"("}])";
  // Not the secret, Alibaba's secret, a channel's secret that is too short, none: refused.
  for (const std::string& secret : {std::string("tc-callback-0123456789abcdeX"),
                                    std::string(kAliyunSecret), std::string("short")}) {
    HttpAnswer a = Post("/api/v1/sms-callbacks/tencent/" + secret, reports);
    EXPECT_EQ(a.status, 401) << secret << ": " << a.body;
    EXPECT_EQ(a.Json().at("error").at("code"), "unauthenticated");
  }
  EXPECT_EQ(Receipt("tencent|remind|1|xs-0014"), "sent") << "nothing recorded";
  // Not Tencent's body: 400, nothing recorded (the first report was well formed).
  HttpAnswer bad = Post(std::string("/api/v1/sms-callbacks/tencent/") + kTencentSecret,
                        R"([{"sid":")" + sid[0] + R"(","report_status":"SUCCESS"},{"sid":"x"}])");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_THAT(bad.body, ::testing::HasSubstr("report 2 needs sid and report_status"));
  EXPECT_EQ(Receipt("tencent|remind|1|xs-0014"), "sent");

  HttpAnswer ok = Post(std::string("/api/v1/sms-callbacks/tencent/") + kTencentSecret, reports);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().at("result"), 0);
  EXPECT_EQ(ok.Json().at("errmsg"), "OK");
  EXPECT_EQ(Receipt("tencent|remind|1|xs-0014"), "delivered SUCCESS");
  EXPECT_EQ(Receipt("tencent|remind|1|xs-0015"), "failed FAIL");
  // The same reports again (the provider retries when it missed our answer): nothing changes.
  EXPECT_EQ(Post(std::string("/api/v1/sms-callbacks/tencent/") + kTencentSecret, reports).status,
            200);
  EXPECT_EQ(Receipt("tencent|remind|1|xs-0015"), "failed FAIL");

  // What an administrator sees of the deliveries.
  test::HttpClient admin = env_->Client();
  env_->SignIn(admin, "xs-0003");
  HttpAnswer list = admin.Send("GET", "/api/v1/deliveries?item=XS-2017-001", "");
  ASSERT_EQ(list.status, 200) << list.body;
  std::map<std::string, std::string> seen;
  boost::json::value listed = list.Json();
  for (const auto& d : listed.at("deliveries").as_array()) {
    seen[std::string(d.at("recipient").as_string())] =
        std::string(d.at("receipt").at("state").as_string()) + " " +
        std::string(d.at("receipt").at("code").as_string());
  }
  EXPECT_EQ(seen["xs-0014"], "delivered SUCCESS");
  EXPECT_EQ(seen["xs-0015"], "failed FAIL");
}

TEST_P(ApiSmsCallbackTest, AlibabaStatusReportsAreRecordedOnlyWithTheSecret) {
  std::vector<std::string> biz = Send("aliyun");
  const std::string reports =
      R"([{"phone_number":"13800000014","send_time":"2017-04-21 10:00:00",)"
      R"("report_time":"2017-04-21 10:00:05","success":true,"err_code":"DELIVERED",)"
      R"("err_msg":"用户接收成功","sms_size":"1","biz_id":")" +
      biz[0] +
      R"(","out_id":"x"},{"phone_number":"13800000015","send_time":"2017-04-21 10:00:00",)"
      R"("report_time":"2017-04-21 10:00:06","success":false,"err_code":"MK:0001",)"
      R"("err_msg":"用户关机","sms_size":"1","biz_id":")" +
      biz[1] + R"(","out_id":"y"}])";
  HttpAnswer wrong = Post(std::string("/api/v1/sms-callbacks/aliyun/") + kTencentSecret, reports);
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  EXPECT_EQ(Receipt("aliyun|remind|1|xs-0014"), "sent");
  EXPECT_EQ(Post(std::string("/api/v1/sms-callbacks/aliyun/") + kAliyunSecret, "{}").status, 400);
  HttpAnswer ok = Post(std::string("/api/v1/sms-callbacks/aliyun/") + kAliyunSecret, reports);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().at("code"), 0);
  EXPECT_EQ(Receipt("aliyun|remind|1|xs-0014"), "delivered DELIVERED");
  EXPECT_EQ(Receipt("aliyun|remind|1|xs-0015"), "failed MK:0001");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, ApiSmsCallbackTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, ApiSmsCallbackTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::api
