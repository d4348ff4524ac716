// The done-when of issue 6, through the binary on SQLite and PostgreSQL: headquarters rehearses the
// whole Xinshao 2017 campaign (`rectify simulate --campaign xinshao-2017 --items LEDGER --channels
// FILE`) against a real SMTP server (tests/support/smtp_sink.py, aiosmtpd) and a real webhook
// receiver (tests/support/http_sink.py) standing in for the WeCom and signed DingTalk robots. The
// channels file gives the org's people rehearsal contacts (`contacts:` rules; the org tree has only
// phones). Every reminder and escalation of the timeline arrives exactly once, at the right
// recipient, within the cn calendar's working hours on a working day (urgent steps at once), in
// the recipient's language, carrying its dedup key; a kept letter reads back through `rectify
// report deliveries --letter`.
#include <date/date.h>
#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "adapters/notify/channels/email/email_channel.h"
#include "rectify/definition/definition_set.h"
#include "tests/notify/dispatcher_test_env.h"
#include "tests/notify/sink_records.h"
#include "tests/support/run_command.h"
#include "tests/support/sink_process.h"

namespace rectify::notify {
namespace {

namespace json = boost::json;
using store_soci::Backend;
using test::CommandResult;
using ::testing::HasSubstr;
using namespace test_env;

constexpr const char* kSecret = "SECrehearsal0123456789";

std::string Str(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

class RehearsalTest : public DispatcherFixture {
 protected:
  void SetUp() override {
    DispatcherFixture::SetUp();
    if (HasFatalFailure()) return;
    auto smtp = test::SinkProcess::Start("smtp_sink.py", {"--dir", mail_.path().string()});
    ASSERT_TRUE(smtp.ok()) << smtp.error().message();
    smtp_ = std::move(*smtp);
    auto http = test::SinkProcess::Start(
        "http_sink.py", {"--dir", hooks_.path().string(), "--dingtalk-secret", kSecret});
    ASSERT_TRUE(http.ok()) << http.error().message();
    http_ = std::move(*http);
    Diagnostics diags;
    auto set = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows"}, diags);
    ASSERT_TRUE(set.ok()) << diags.Format();
    definitions_ = *set;
  }

  // A rehearsal channels file as an office would write it, pointing at the test's servers.
  std::string WriteChannels() {
    std::string hooks = "http://127.0.0.1:" + std::to_string(http_->port());
    std::string file = db_->dir().File("rehearsal.yaml");
    std::ofstream(file) << "kind: channels\nname: rehearsal-test\ncalendar: cn\n"
                        << "channels:\n"
                        << "  mail: { kind: email, smtp_url: \"smtp://127.0.0.1:" << smtp_->port()
                        << "\", from: \"督查室 <dc@xinshao.test>\" }\n"
                        << "  wecom-robot: { kind: webhook, format: wecom }\n"
                        << "  dingtalk-robot: { kind: webhook, format: dingtalk, url: \"" << hooks
                        << "/robot/send?access_token=county\", secret: " << kSecret << " }\n"
                        << "  board: { kind: webhook, url: \"" << hooks << "/bulletin\" }\n"
                        << "  log: { kind: log, stream: stderr }\n"
                        << "routes: { email: mail, wecom: wecom-robot, dingtalk: dingtalk-robot, "
                           "bulletin: board, sms: log, inbox: log }\n"
                        << "org: xinshao\n"
                        << "contacts:\n"
                        << "  - { people: [xs-0001, xs-0002, xs-0011], dingtalk: \"ding-{id}\" }\n"
                        << "  - { unit_kinds: [township], roles: [head, leader], wecom: \"" << hooks
                        << "/robot/wecom?key={id}\" }\n"
                        << "  - { people: [xs-0151], email: \"rehearsal+{id}@xinshao.test\", "
                           "language: en }\n"
                        << "  - { email: \"rehearsal+{id}@xinshao.test\" }\n";
    return file;
  }

  // The dedup keys of the rows the engine marked urgent (an escalation step with `urgent: true`):
  // they go at once, even out of hours. Read from the database the run wrote.
  std::map<std::string, std::string> UrgentRows() {
    std::map<std::string, std::string> out;  // key -> measure
    auto db = Connect();
    soci::rowset<soci::row> rows =
        (db->session().prepare << "SELECT dedup_key, payload FROM outbox");
    for (const auto& row : rows) {
      json::object p = json::parse(row.get<std::string>(1)).as_object();
      if (p.contains("urgent") && p.at("urgent") == true) {
        out[row.get<std::string>(0)] = Str(p, "measure");
      }
    }
    return out;
  }

  std::string Language(const std::string& person) const {
    if (person == "xs-0151") return "en";  // the channels file's rule
    auto org = definitions_->FindOrg("xinshao");
    auto p = org->FindPerson(person);
    return p ? org->person(*p).language : "zh";
  }

  std::string Name(const std::string& id) const {
    auto org = definitions_->FindOrg("xinshao");
    if (auto p = org->FindPerson(id)) return org->person(*p).name;
    if (auto u = org->FindUnit(id)) return org->unit(*u).name;
    return id;
  }

  test::TempDir mail_, hooks_;
  std::unique_ptr<test::SinkProcess> smtp_, http_;
  std::shared_ptr<const definition::DefinitionSet> definitions_;
};

TEST_P(RehearsalTest, AWholeYearArrivesOnceEachAtTheRightPeopleInWorkingHours) {
  std::string channels = WriteChannels();
  CommandResult r = test::RunRectify(
      {"--db", db_->url(), "simulate", "--campaign", "xinshao-2017", "--items",
       std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/xinshao-2017-sample.csv", "--channels",
       channels, "--format", "jsonl", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto cal = definitions_->FindCalendar("cn");
  ASSERT_NE(cal, nullptr);
  const std::map<std::string, std::string> urgent = UrgentRows();
  std::set<std::string> urgent_measures;
  for (const auto& [key, measure] : urgent) urgent_measures.insert(measure);
  // overdue-rectification's two urgent steps took place (overdue-clue-check's supervision letter
  // is urgent too, and no other step is).
  EXPECT_TRUE(urgent_measures.count("suspend_payment") && urgent_measures.count("accountability"));
  for (const auto& m : urgent_measures) {
    EXPECT_TRUE(m == "suspend_payment" || m == "accountability" || m == "supervision_letter") << m;
  }

  // The timeline's notifications (each with its measure), and the deliveries that followed.
  using Key = std::tuple<std::string, std::string, std::string>;  // item, recipient, local time
  std::multimap<Key, std::string> due;                            // -> measure
  std::map<std::string, json::object> delivered;                  // dedup key -> delivery event
  std::multiset<Key> delivered_at;
  const Timestamp year_end = T("2018-01-01T00:00:00+08:00");
  std::size_t escalations = 0, reminders = 0;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    json::object v = json::parse(line).as_object();
    std::string event = Str(v, "event");
    if (event == "notification" && !v.contains("cancelled") &&
        *ParseIso(Str(v, "deliver_at")) < year_end) {
      due.insert({{Str(v, "item"), Str(v, "recipient"), Str(v, "deliver_at")}, Str(v, "measure")});
      escalations += Str(v, "template") == "escalation";
      reminders += Str(v, "template") == "reminder";
    }
    if (event == "delivery") {
      ASSERT_EQ(Str(v, "outcome"), "delivered") << line;
      ASSERT_TRUE(delivered.emplace(Str(v, "dedup_key"), v).second) << "sent twice: " << line;
      delivered_at.insert({Str(v, "item"), Str(v, "recipient"), Str(v, "at")});
    }
  }
  EXPECT_GT(reminders, 200u);
  EXPECT_GT(escalations, 400u) << "well past the escalations: every step of the ladder";
  std::multiset<Key> due_keys;
  for (const auto& [k, measure] : due) due_keys.insert(k);
  EXPECT_EQ(delivered_at, due_keys) << "each message once, at the instant the timeline says";

  // Each delivery in working hours on a working day, except urgent steps, which go when they fire.
  for (const auto& [key, d] : delivered) {
    Timestamp at = *ParseIso(Str(d, "at"));
    if (urgent.count(key)) continue;
    auto open = cal->NextWorkingTime(at);
    ASSERT_TRUE(static_cast<bool>(open)) << key;
    EXPECT_EQ(*open, at) << key << " was delivered out of working hours: " << Str(d, "at");
  }

  // What the servers received: every message once, carrying its dedup key, at the right person.
  std::map<std::string, int> seen;  // dedup key -> copies received
  std::size_t by_mail = 0, by_wecom = 0, by_dingtalk = 0, by_board = 0, in_english = 0;
  for (const json::object& m : test::SinkRecords(mail_.path())) {
    std::string key;
    for (const auto& [k, d] : delivered) {
      if (EmailMessageId(k) == Str(m, "message_id")) key = k;
    }
    ASSERT_FALSE(key.empty()) << "a mail no delivery accounts for: " << Str(m, "subject");
    ++seen[key];
    ++by_mail;
    const json::object& d = delivered.at(key);
    std::string who = Str(d, "recipient");
    EXPECT_EQ(m.at("rcpt_tos"), json::array{json::value("rehearsal+" + who + "@xinshao.test")});
    EXPECT_EQ(Str(m, "to_name"), Name(who));
    std::string text = Str(m, "text");
    if (Language(who) == "en") {
      ++in_english;
      EXPECT_EQ(text.rfind("Dear " + Name(who) + ",", 0), 0u) << text;
    } else {
      EXPECT_EQ(text.rfind(Name(who) + "同志：", 0), 0u) << text;
    }
    // The Date: header is the simulated time of the attempt.
    auto sent = *ParseIso(Str(d, "at"));
    EXPECT_EQ(Str(m, "date"), date::format("%a, %d %b %Y %H:%M:%S +0000",
                                           std::chrono::floor<std::chrono::seconds>(sent)));
  }
  for (const json::object& h : test::SinkRecords(hooks_.path())) {
    std::string key = Str(h.at("headers").as_object(), "idempotency-key");
    ASSERT_TRUE(delivered.count(key)) << "a post no delivery accounts for: " << key;
    ++seen[key];
    const json::object& d = delivered.at(key);
    std::string who = Str(d, "recipient");
    std::string path = Str(h, "path");
    const json::object& body = h.at("json").as_object();
    if (path == "/robot/wecom") {
      ++by_wecom;
      EXPECT_EQ(Str(h.at("query").as_object(), "key"), who);
      std::string content = Str(body.at("markdown").as_object(), "content");
      EXPECT_THAT(content, HasSubstr(Name(who) + "同志："));
    } else if (path == "/robot/send") {
      ++by_dingtalk;
      EXPECT_TRUE(who == "xs-0001" || who == "xs-0002" || who == "xs-0011") << who;
      EXPECT_EQ(h.at("sign_ok"), true) << key;
      auto sent = *ParseIso(Str(d, "at"));
      EXPECT_EQ(Str(h.at("query").as_object(), "timestamp"), std::to_string(ToMicros(sent) / 1000));
      EXPECT_THAT(Str(body.at("markdown").as_object(), "text"), HasSubstr(Name(who) + "同志："));
    } else {
      ++by_board;
      EXPECT_EQ(path, "/bulletin");
      EXPECT_EQ(Str(body.at("recipient").as_object(), "id"), who);
      EXPECT_EQ(Str(body, "dedup_key"), key);
    }
  }
  for (const auto& [key, d] : delivered) {
    EXPECT_EQ(seen[key], 1) << key << " (" << Str(d, "channel") << ")";
  }
  EXPECT_GT(by_mail, 100u);
  EXPECT_GT(by_wecom, 100u);
  EXPECT_GT(by_dingtalk, 100u);
  EXPECT_GT(by_board, 10u);
  EXPECT_GT(in_english, 0u);

  // A letter kept with its item reads back as the HTML that was sent.
  std::string letter_key;
  for (const auto& [key, d] : delivered) {
    if (key.find("|escalate:rectifying:1|") != std::string::npos && Str(d, "channel") == "mail") {
      letter_key = key;
      break;
    }
  }
  ASSERT_FALSE(letter_key.empty());
  CommandResult html =
      test::RunRectify({"--db", db_->url(), "report", "deliveries", "--letter", letter_key});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  std::string sent_html;
  for (const json::object& m : test::SinkRecords(mail_.path())) {
    if (Str(m, "message_id") == EmailMessageId(letter_key)) sent_html = Str(m, "html");
  }
  EXPECT_THAT(html.out, HasSubstr("<html"));
  EXPECT_EQ(html.out, sent_html) << "the kept letter is the one the mailbox got";
  std::string item = letter_key.substr(0, letter_key.find('|'));
  CommandResult listing =
      test::RunRectify({"--db", db_->url(), "report", "deliveries", "--item", item});
  ASSERT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_THAT(listing.out, HasSubstr("rectify report deliveries --letter '" + letter_key + "'"));
  CommandResult missing = test::RunRectify(
      {"--db", db_->url(), "report", "deliveries", "--letter", item + "|nope|1|xs-0001"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no letter is kept for '" + item + "|nope|1|xs-0001'"));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, RehearsalTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, RehearsalTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
