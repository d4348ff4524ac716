// Administration through the API against a live `rectify serve`, on SQLite and PostgreSQL:
// definitions (a YAML error answered at its line:col as `rectify validate` prints it, registering
// a version once, with who and the request id), deliveries (scoped lists, a public reporter's
// address for administrators only, a dead letter retried and then delivered by `rectify
// dispatch`), and `audit verify` finding a changed row.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "adapters/store/soci/soci_admin_store.h"
#include "adapters/store/soci/soci_store.h"
#include "tests/http/api_env.h"

namespace rectify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::ApiEnv;
using test::HttpAnswer;
using test::HttpClient;
using ::testing::HasSubstr;

// materials-submission version 2: the library's version 1 with a longer review.
const std::string kWorkflowV2 =
    "kind: workflow\n"
    "name: materials-submission\n"
    "version: 2\n"
    "title: 整改材料报送 (materials submission)\n"
    "calendar: cn\n"
    "fields:\n"
    "  due: { type: date, required: true, title: 报送截止日期 }\n"
    "states:\n"
    "  preparing:\n"
    "    title: 准备材料\n"
    "    deadline: { at: $due, owner: unit.head }\n"
    "    overdue: overdue-materials\n"
    "    on:\n"
    "      submit: { to: reviewing, by: [unit.head, responsible], title: 报送 }\n"
    "  reviewing:\n"
    "    title: 审核中\n"
    "    deadline: { within: 5wd, owner: verifier }\n"
    "    on:\n"
    "      accept: { to: filed, by: [verifier], title: 审核通过 }\n"
    "  filed:\n"
    "    title: 已归档\n"
    "    final: true\n";

class ApiAdminTest : public ::testing::TestWithParam<Backend> {
 public:
  void SetUp() override {
    env_ = std::make_unique<ApiEnv>(GetParam());
    ASSERT_TRUE(env_->Start());
    admin_ = std::make_unique<HttpClient>(env_->Client());
    admin_csrf_ = env_->SignIn(*admin_, "xs-0003");
  }

  HttpAnswer AsAdmin(const std::string& method, const std::string& target,
                     const std::string& body = {},
                     std::map<std::string, std::string> headers = {}) {
    headers["X-CSRF-Token"] = admin_csrf_;
    return admin_->Send(method, target, body, headers);
  }

  std::unique_ptr<store_soci::Database> Connect() {
    auto url = store_soci::ParseDatabaseUrl(env_->db().url());
    EXPECT_TRUE(url.ok());
    auto db = store_soci::Database::Open(*url, {});
    EXPECT_TRUE(db.ok()) << db.error().message();
    return db.ok() ? std::move(*db) : nullptr;
  }

  std::unique_ptr<ApiEnv> env_;
  std::unique_ptr<HttpClient> admin_;
  std::string admin_csrf_;
};

TEST_P(ApiAdminTest, AnUploadWithAnErrorIsAnsweredAtItsLineAndColumnAsValidatePrintsIt) {
  std::string bad = kWorkflowV2;
  bad.replace(bad.find("to: reviewing"), 13, "to: reviewin");
  HttpAnswer a =
      AsAdmin("POST", "/api/v1/definitions/validate", bad, {{"Content-Type", "text/yaml"}});
  ASSERT_EQ(a.status, 200) << a.body;
  json::value v = a.Json();
  EXPECT_EQ(v.at("valid"), false);
  EXPECT_EQ(v.at("errors"), 1);
  json::value first = v.at("diagnostics").at(0);
  EXPECT_EQ(first.at("file"), "upload.yaml");
  EXPECT_EQ(first.at("line"), 14);
  EXPECT_EQ(first.at("column"), 21);
  EXPECT_EQ(first.at("severity"), "error");
  EXPECT_EQ(first.at("path"), "states.preparing.on.submit.to");
  EXPECT_THAT(std::string(first.at("message").as_string()), HasSubstr("'reviewin'"));
  EXPECT_THAT(std::string(first.at("hint").as_string()), HasSubstr("reviewing"));

  // Exactly what `rectify validate` prints for the same file.
  std::string file = env_->db().dir().File("upload.yaml");
  std::ofstream(file) << bad;
  test::CommandResult cli = test::RunRectify({"validate", "upload.yaml"}, ApiEnv::Env(),
                                             env_->db().dir().path().string());
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_THAT(cli.err, HasSubstr(std::string(first.at("text").as_string())));

  // Registering it is refused with the same diagnostics, and nothing is registered.
  HttpAnswer r = AsAdmin("POST", "/api/v1/definitions", bad, {{"Content-Type", "text/yaml"}});
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.Json().at("diagnostics"), v.at("diagnostics"));
  EXPECT_EQ(AsAdmin("GET", "/api/v1/definitions/workflow/materials-submission?version=2").status,
            404);

  // Broken YAML itself, and a body that is not YAML.
  HttpAnswer syntax = AsAdmin("POST", "/api/v1/definitions/validate", "kind: workflow\nname: [x\n",
                              {{"Content-Type", "application/yaml"}});
  ASSERT_EQ(syntax.status, 200) << syntax.body;
  EXPECT_EQ(syntax.Json().at("valid"), false);
  EXPECT_EQ(syntax.Json().at("diagnostics").at(0).at("file"), "upload.yaml");
  HttpAnswer json_body = AsAdmin("POST", "/api/v1/definitions/validate", R"({"kind":"x"})");
  EXPECT_EQ(json_body.status, 415) << json_body.body;
}

TEST_P(ApiAdminTest, RegisteringAVersionRecordsItOnceWithWhoAndTheRequestId) {
  HttpAnswer ok =
      AsAdmin("POST", "/api/v1/definitions/validate", kWorkflowV2, {{"Content-Type", "text/yaml"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().at("valid"), true) << ok.body;
  EXPECT_EQ(ok.Json().at("definitions").at(0).at("version"), 2);

  HttpAnswer r = AsAdmin("POST", "/api/v1/definitions", kWorkflowV2,
                         {{"Content-Type", "text/yaml"}, {"X-Request-Id", "register-v2"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json().at("registered"), true);
  EXPECT_EQ(r.Json().at("in_force"), false);
  EXPECT_THAT(std::string(r.Json().at("takes_effect").as_string()), HasSubstr("next start"));

  // The same content again is the version already registered, not a new one.
  HttpAnswer again =
      AsAdmin("POST", "/api/v1/definitions", kWorkflowV2, {{"Content-Type", "text/yaml"}});
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json().at("registered"), false);
  // Other content under the same version is refused: versions are immutable.
  std::string changed = kWorkflowV2;
  changed.replace(changed.find("within: 5wd"), 11, "within: 6wd");
  HttpAnswer conflict =
      AsAdmin("POST", "/api/v1/definitions", changed, {{"Content-Type", "text/yaml"}});
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_THAT(conflict.body, HasSubstr("new version"));

  HttpAnswer shown = AsAdmin("GET", "/api/v1/definitions/workflow/materials-submission?version=2");
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.Json().at("source"), kWorkflowV2.c_str());
  EXPECT_EQ(shown.Json().at("in_use"), false);
  EXPECT_EQ(shown.Json().at("content_hash"), ok.Json().at("definitions").at(0).at("content_hash"));

  HttpAnswer list = AsAdmin("GET", "/api/v1/definitions?kind=workflow");
  ASSERT_EQ(list.status, 200) << list.body;
  bool found = false;
  json::value defs = list.Json().at("definitions");
  for (const auto& d : defs.as_array()) {
    if (d.at("name") != "materials-submission") continue;
    found = true;
    EXPECT_EQ(d.at("in_use"), 1);  // the running server keeps what it started with
    ASSERT_EQ(d.at("versions").as_array().size(), 2u) << d;
    EXPECT_EQ(d.at("versions").at(1).at("version"), 2);
    EXPECT_EQ(d.at("versions").at(1).at("loaded"), false);
  }
  EXPECT_TRUE(found) << list.body;

  auto db = Connect();
  ASSERT_TRUE(db);
  store_soci::SociAdminStore admin(*db);
  auto events = admin.Events("definition.register", "workflow materials-submission@2");
  ASSERT_TRUE(events.ok()) << events.error().message();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().actor, "xs-0003");
  EXPECT_EQ(events->front().channel, "api");
  EXPECT_EQ(events->front().request_id, "register-v2");

  // Not for anyone else.
  HttpClient leader = env_->Client();
  std::string csrf = env_->SignIn(leader, "xs-0002");
  HttpAnswer refused = leader.Send("POST", "/api/v1/definitions", kWorkflowV2,
                                   {{"Content-Type", "text/yaml"}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(refused.status, 403);
}

// Outbox rows of the test's own, straight into the database.
void Enqueue(const std::string& url, std::vector<OutboxRecord> rows) {
  auto parsed = store_soci::ParseDatabaseUrl(url);
  ASSERT_TRUE(parsed.ok());
  store_soci::OpenOptions o;
  o.create = false;
  auto store = store_soci::OpenStore(*parsed, o);
  ASSERT_TRUE(store.ok()) << store.error().message();
  ChangeSet c;
  c.outbox_inserts = std::move(rows);
  Status s = (*store)->Commit(c);
  ASSERT_TRUE(s.ok()) << s.error().message();
}

OutboxRecord Row(const std::string& item, const std::string& key, const std::string& channel,
                 const std::string& recipient) {
  OutboxRecord o;
  o.dedup_key = item + "|" + key;
  o.instance_id = item;
  o.channel = channel;
  o.recipient = recipient;
  o.template_name = "reminder";
  o.payload_json = R"({"item":")" + item + R"(","title":"危房改造","due":"2017-05-08"})";
  o.not_before = FromMicros(0);
  o.next_attempt_at = o.not_before;
  o.created_at = o.not_before;
  return o;
}

std::map<std::string, json::value> ByKey(const HttpAnswer& a) {
  std::map<std::string, json::value> out;
  json::value v = a.Json();
  for (const auto& d : v.at("deliveries").as_array()) {
    out[std::string(d.at("item").is_null() ? "-" : d.at("item").as_string()) + "/" +
        std::string(d.at("channel").as_string())] = d;
  }
  return out;
}

TEST_P(ApiAdminTest, ADeadLetterIsRetriedAndThenDeliveredAndListsAreScoped) {
  Enqueue(env_->db().url(),
          {Row("T-A1", "test:sms", "sms", "xs-0014"), Row("T-B1", "test:email", "email", "xs-0025"),
           Row("T-A2", "test:reply", "email", "reporter@example.org")});
  // A dispatcher whose channels have no route for sms: the sms letter goes dead.
  std::string channels = env_->db().dir().File("channels.yaml");
  auto write_channels = [&](const std::string& routes) {
    std::string years;
    for (int y = 2016; y <= 2040; ++y)
      years += (years.empty() ? "" : ", ") + std::to_string(y) + ": {}";
    std::ofstream(channels) << "kind: calendar\nname: round-the-clock\ntimezone: Asia/Shanghai\n"
                               "workweek: [mon, tue, wed, thu, fri, sat, sun]\n"
                               "working_hours: \"00:00-24:00\"\nyears: { "
                            << years << " }\n---\n"
                            << "kind: channels\nname: api-test\ncalendar: round-the-clock\n"
                            << "channels:\n  log: { kind: log }\nroutes: " << routes << "\n";
  };
  write_channels("{ email: log }");
  ASSERT_TRUE(env_->Run({"dispatch", "--once", "--channels", channels}));

  HttpAnswer dead = AsAdmin("GET", "/api/v1/deliveries?state=dead");
  ASSERT_EQ(dead.status, 200) << dead.body;
  auto rows = ByKey(dead);
  ASSERT_EQ(rows.count("T-A1/sms"), 1u) << dead.body;
  json::value letter = rows["T-A1/sms"];
  EXPECT_EQ(letter.at("recipient"), "xs-0014");
  EXPECT_EQ(letter.at("attempts"), 1);
  EXPECT_THAT(std::string(letter.at("last_error").as_string()), HasSubstr("sms"));
  std::int64_t id = letter.at("id").as_int64();

  // Scoped: the township head of niangxi sees niangxi's letters, not yantang's; the public
  // reporter's address is for administrators only.
  HttpClient head = env_->Client();
  env_->SignIn(head, "xs-0012");
  HttpAnswer mine = head.Send("GET", "/api/v1/deliveries");
  ASSERT_EQ(mine.status, 200) << mine.body;
  auto seen = ByKey(mine);
  EXPECT_EQ(seen.count("T-A1/sms"), 1u) << mine.body;
  EXPECT_EQ(seen.count("T-B1/email"), 0u) << mine.body;
  ASSERT_EQ(seen.count("T-A2/email"), 1u) << mine.body;
  EXPECT_TRUE(seen["T-A2/email"].at("recipient").is_null());
  EXPECT_EQ(seen["T-A2/email"].at("recipient_kind"), "outsider");
  EXPECT_EQ(mine.body.find("reporter@example.org"), std::string::npos);
  auto all = ByKey(AsAdmin("GET", "/api/v1/deliveries"));
  EXPECT_EQ(all["T-A2/email"].at("recipient"), "reporter@example.org");
  EXPECT_EQ(all.count("T-B1/email"), 1u);
  // Only an administrator retries.
  EXPECT_EQ(head.Send("POST", "/api/v1/deliveries/" + std::to_string(id) + "/retry").status, 403);

  HttpAnswer retried = AsAdmin("POST", "/api/v1/deliveries/" + std::to_string(id) + "/retry", "",
                               {{"X-Request-Id", "retry-sms"}});
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(retried.Json().at("state"), "pending");
  EXPECT_EQ(retried.Json().at("attempts"), 0);
  // Not dead any more: a second retry is a conflict; an unknown one is not found.
  HttpAnswer twice = AsAdmin("POST", "/api/v1/deliveries/" + std::to_string(id) + "/retry");
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(AsAdmin("POST", "/api/v1/deliveries/999999/retry").status, 404);

  auto db = Connect();
  ASSERT_TRUE(db);
  store_soci::SociAdminStore admin(*db);
  auto events = admin.Events("delivery.retry", "outbox " + std::to_string(id));
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().actor, "xs-0003");
  EXPECT_EQ(events->front().request_id, "retry-sms");

  // The channel works now: the next dispatch delivers it.
  write_channels("{ email: log, sms: log }");
  ASSERT_TRUE(env_->Run({"dispatch", "--once", "--channels", channels}));
  auto sent = ByKey(AsAdmin("GET", "/api/v1/deliveries?state=sent&item=T-A1"));
  ASSERT_EQ(sent.count("T-A1/sms"), 1u);
  EXPECT_EQ(sent["T-A1/sms"].at("attempts"), 1);
  EXPECT_EQ(sent["T-A1/sms"].at("id"), id);

  EXPECT_EQ(AsAdmin("GET", "/api/v1/deliveries?state=lost").status, 400);
  EXPECT_EQ(AsAdmin("GET", "/api/v1/deliveries?colour=red").status, 400);
}

TEST_P(ApiAdminTest, AuditVerifyFindsAChangedRowAndPages) {
  HttpAnswer intact = AsAdmin("POST", "/api/v1/audit/verify");
  ASSERT_EQ(intact.status, 200) << intact.body;
  EXPECT_EQ(intact.Json().at("intact"), true);
  EXPECT_GE(intact.Json().at("items_checked").as_int64(), 3);

  auto db = Connect();
  ASSERT_TRUE(db);
  db->session() << "UPDATE audit_log SET reason = 'nothing happened' WHERE instance_id = 'T-B1' "
                   "AND seq = 1";
  HttpAnswer broken = AsAdmin("POST", "/api/v1/audit/verify", R"({"limit": 5000})");
  ASSERT_EQ(broken.status, 200) << broken.body;
  json::value v = broken.Json();
  EXPECT_EQ(v.at("intact"), false);
  EXPECT_EQ(v.at("broken"), 1);
  bool seen = false;
  for (const auto& item : v.at("items").as_array()) {
    if (item.at("id") == "T-B1") {
      seen = true;
      EXPECT_EQ(item.at("ok"), false);
      EXPECT_EQ(item.at("first_broken").at("seq"), 1);
      EXPECT_THAT(std::string(item.at("first_broken").at("message").as_string()),
                  HasSubstr("changed"));
    } else {
      EXPECT_EQ(item.at("ok"), true) << item;
    }
  }
  EXPECT_TRUE(seen);

  // A page at a time: one item, then on from it.
  HttpAnswer first = AsAdmin("POST", "/api/v1/audit/verify", R"({"limit": 1})");
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(first.Json().at("items").as_array().size(), 1u);
  std::string after(first.Json().at("next_after").as_string());
  HttpAnswer second =
      AsAdmin("POST", "/api/v1/audit/verify", R"({"limit": 1, "after": ")" + after + R"("})");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_GT(std::string(second.Json().at("items").at(0).at("id").as_string()), after);
  EXPECT_EQ(AsAdmin("POST", "/api/v1/audit/verify", R"({"limit": 0})").status, 400);
  EXPECT_EQ(AsAdmin("POST", "/api/v1/audit/verify", R"({"lmit": 3})").status, 400);

  // The command line agrees.
  test::CommandResult cli = test::RunRectify({"--db", env_->db().url(), "audit", "verify"},
                                             ApiEnv::Env(), env_->db().dir().path().string());
  EXPECT_EQ(cli.exit_code, 1);
  EXPECT_THAT(cli.out, HasSubstr("instance T-B1 seq 1"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiAdminTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
