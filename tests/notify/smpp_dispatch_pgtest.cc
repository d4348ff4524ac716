// The SMPP channel through the real `rectify dispatch`, on SQLite and PostgreSQL, to the SMSC
// simulator on loopback (tests/support/smsc_simulator.h): the password from the environment,
// the phones from the channels file's contacts, receipts by deliver_sm recorded as the item's
// deliveries show them (delivered, failed), a cadre the operator could not reach reported to the
// unit head (by SMS too) and counted by `rectify report unreached`; a cut connection retried and
// taken once; a refused bind dead-lettered after the retries with what to check.
#include <gmock/gmock.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/notify/channels_file.h"
#include "tests/notify/dispatcher_test_env.h"
#include "tests/support/run_command.h"
#include "tests/support/smsc_simulator.h"

namespace rectify::notify {
namespace {

using store_soci::Backend;
using test::CommandResult;
using test::RunRectify;
using test::SmscSimulator;
using ::testing::HasSubstr;
using namespace test_env;

constexpr const char* kPassword = "pw123";

class SmppDispatchTest : public DispatcherFixture {
 protected:
  // A channels file whose `sms` route is the simulator, on a calendar open around the clock,
  // retries a second apart; `extra` is added to the channel's settings.
  void WriteChannels(const std::string& extra = "") {
    file_ = db_->dir().File("smpp.yaml");
    std::ofstream(file_) << test::RoundTheClockChannels("smpp-test", "")
                         << "channels:\n  smsc:\n    kind: smpp\n    host: 127.0.0.1\n"
                         << "    port: " << smsc_.port() << "\n    system_id: xsdcs\n"
                         << "    password_env: RECTIFY_TEST_SMPP_PASSWORD\n"
                         << "    source_addr: \"1065712345\"\n    sign_name: 新邵县督查室\n"
                         << "    timeout_ms: 2000\n    max_attempts: 2\n"
                         << "    backoff: { base: 1s, max: 1s }\n    receipt_within_s: 600\n"
                         << extra << "routes: { sms: smsc }\norg: xinshao\n"
                         << "unreached: { report_to: unit-head }\ncontacts:\n"
                         << "  - { people: [xs-0014], phone: \"13800000014\" }\n"
                         << "  - { people: [xs-0015], phone: \"13800000404\" }\n"
                         << "  - { people: [xs-0012], phone: \"13800000012\" }\n";
  }

  CommandResult Dispatch(const std::string& password = kPassword) {
    CommandResult d = RunRectify({"--db", db_->url(), "dispatch", "--once", "--channels", file_},
                                 {{"RECTIFY_TEST_SMPP_PASSWORD", password}});
    EXPECT_EQ(d.exit_code, 0) << d.err;
    if (std::getenv("SMPP_DEBUG")) std::cerr << d.out << d.err;
    return d;
  }

  OutboxRecord SmsRow(const std::string& key, const std::string& person, const std::string& item) {
    OutboxRecord r = Row(key, T("2017-05-08T10:00:00+08:00"), person, "reminder",
                         R"({"item":")" + item + R"(","title":"危房改造","due":"2017-05-08"})");
    r.channel = "sms";
    return r;
  }

  // Each row's receipt as `rectify outbox list` shows it: dedup key -> "state code".
  std::map<std::string, std::string> Receipts() {
    CommandResult r =
        RunRectify({"--db", db_->url(), "--format", "jsonl", "outbox", "list", "--channels", file_},
                   {{"RECTIFY_TEST_SMPP_PASSWORD", kPassword}});
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

  std::vector<std::string> TextsTo(const std::string& phone) {
    std::vector<std::string> out;
    for (const auto& [to, text] : smsc_.Messages()) {
      if (to == phone) out.push_back(text);
    }
    return out;
  }

  SmscSimulator smsc_{{.system_id = "xsdcs", .password = kPassword, .window = 10}};
  std::string file_;
};

TEST_P(SmppDispatchTest, ReceiptsAreRecordedAndACadreNotReachedIsReportedToTheUnitHead) {
  WriteChannels();
  SmscSimulator::Faults f;
  f.unreachable = {"13800000404"};
  smsc_.SetFaults(f);
  Enqueue({SmsRow("P-1|remind|1|xs-0014", "xs-0014", "P-1"),
           SmsRow("P-2|remind|1|xs-0015", "xs-0015", "P-2")});
  Dispatch();
  EXPECT_EQ(Stored("P-1|remind|1|xs-0014").state, OutboxState::kSent);
  EXPECT_EQ(Stored("P-2|remind|1|xs-0015").state, OutboxState::kSent);
  ASSERT_EQ(TextsTo("13800000014").size(), 1u);
  EXPECT_THAT(TextsTo("13800000014")[0], HasSubstr("【新邵县督查室】"));
  EXPECT_THAT(TextsTo("13800000014")[0], HasSubstr("P-1"));
  // The receipts come by deliver_sm in this round or, kept by the SMSC, at the next bind; the
  // failed one leaves no route, so the unit head's notice is queued and then sent.
  // The notice's row does not exist until the failed receipt has come: look without asserting.
  auto head_notice_sent = [&] {
    auto r = outbox_->Row("unreached|P-2|remind|1|xs-0015");
    return r.ok() && r->state == OutboxState::kSent;
  };
  for (int i = 0; i < 8 && !head_notice_sent(); ++i) Dispatch();
  std::map<std::string, std::string> got = Receipts();
  EXPECT_EQ(got["P-1|remind|1|xs-0014"], "delivered DELIVRD err:000");
  EXPECT_EQ(got["P-2|remind|1|xs-0015"], "failed UNDELIV err:001");
  EXPECT_EQ(Stored("unreached|P-2|remind|1|xs-0015").state, OutboxState::kSent);
  std::vector<std::string> to_head = TextsTo("13800000012");
  ASSERT_EQ(to_head.size(), 1u) << "the unit head is told once";
  EXPECT_THAT(to_head[0], HasSubstr("xs-0015"));
  EXPECT_THAT(to_head[0], HasSubstr("P-2"));

  CommandResult report =
      RunRectify({"--db", db_->url(), "--format", "jsonl", "report", "unreached"}, {});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  std::vector<std::string> lines;
  std::istringstream in(report.out);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 1u) << report.out;
  boost::json::value row = boost::json::parse(lines[0]);
  EXPECT_EQ(row.at("person"), "xs-0015");
  EXPECT_EQ(row.at("item"), "P-2");
  EXPECT_EQ(row.at("routes"), "sms");
  EXPECT_EQ(row.at("reported_to"), "xs-0012");
  EXPECT_GE(smsc_.stats().receipts_acked, 2);
  EXPECT_THAT(smsc_.Violations(), ::testing::IsEmpty());
}

TEST_P(SmppDispatchTest, ABatchGoesOutThroughOneWindowAndEveryRowHasItsOutcome) {
  WriteChannels();
  SmscSimulator::Faults f;
  f.delay_ms = 50;  // an SMSC 50 ms away
  f.unreachable = {};
  smsc_.SetFaults(f);
  std::vector<OutboxRecord> rows;
  std::vector<std::string> keys;
  for (int i = 1; i <= 30; ++i) {
    const std::string item = "W-" + std::to_string(i);
    const std::string person = i % 3 == 0 ? "xs-0012" : "xs-0014";
    // A row's key, once per row of a test.
    keys.push_back(item + "|remind|1|" + person);
    rows.push_back(SmsRow(keys.back(), person, item));
  }
  Enqueue(rows);
  Dispatch();
  // One batch, one call to the channel: its window (10) was full, not one message at a time.
  EXPECT_EQ(smsc_.stats().max_outstanding, 10);
  EXPECT_EQ(smsc_.stats().binds, 1);
  EXPECT_EQ(smsc_.stats().submits, 60);  // a reminder is two parts
  for (const std::string& key : keys) {
    OutboxRecord row = Stored(key);
    EXPECT_EQ(row.state, OutboxState::kSent) << key << ": " << row.last_error;
    EXPECT_EQ(row.attempts, 1) << key;
    auto attempts = outbox_->Attempts(row.id);
    ASSERT_TRUE(attempts.ok());
    ASSERT_EQ(attempts->size(), 1u) << key;
    EXPECT_EQ((*attempts)[0].outcome, "delivered") << key;
    EXPECT_THAT((*attempts)[0].detail, HasSubstr("SMSC took it: 2/2 part(s)")) << key;
  }
  EXPECT_EQ(TextsTo("13800000014").size(), 20u);
  EXPECT_EQ(TextsTo("13800000012").size(), 10u);
  // Each row's receipt is its own message's.
  std::map<std::string, std::string> got;
  for (int i = 0; i < 8; ++i) {
    got = Receipts();
    bool all = true;
    for (const std::string& key : keys) all = all && got[key] == "delivered DELIVRD err:000";
    if (all) break;
    Dispatch();
  }
  for (const std::string& key : keys) EXPECT_EQ(got[key], "delivered DELIVRD err:000") << key;
  EXPECT_THAT(smsc_.Violations(), ::testing::IsEmpty());
}

TEST_P(SmppDispatchTest, ACutConnectionIsRetriedAndTheMessageTakenOnce) {
  WriteChannels();
  SmscSimulator::Faults f;
  f.cut_at_submit = 1;
  smsc_.SetFaults(f);
  Enqueue({SmsRow("C-1|remind|1|xs-0014", "xs-0014", "C-1")});
  CommandResult first = Dispatch();
  OutboxRecord row = Stored("C-1|remind|1|xs-0014");
  EXPECT_EQ(row.state, OutboxState::kPending);
  EXPECT_THAT(row.last_error, HasSubstr("the connection to the SMSC 127.0.0.1:"));
  smsc_.SetFaults({});
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the retry's backoff
  Dispatch();
  EXPECT_EQ(Stored("C-1|remind|1|xs-0014").state, OutboxState::kSent);
  EXPECT_EQ(TextsTo("13800000014").size(), 1u) << "taken once";
  EXPECT_EQ(smsc_.stats().repeats, 1) << "the retry carried the same dedup key";
  EXPECT_THAT(smsc_.Violations(), ::testing::IsEmpty());
}

TEST_P(SmppDispatchTest, ARefusedBindIsDeadLetteredAfterTheRetriesWithWhatToCheck) {
  WriteChannels();
  Enqueue({SmsRow("B-1|remind|1|xs-0014", "xs-0014", "B-1")});
  Dispatch("wrong");
  EXPECT_EQ(Stored("B-1|remind|1|xs-0014").state, OutboxState::kPending);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  Dispatch("wrong");
  OutboxRecord row = Stored("B-1|remind|1|xs-0014");
  EXPECT_EQ(row.state, OutboxState::kDead);
  EXPECT_THAT(row.last_error, HasSubstr("refused the bind as system_id 'xsdcs': ESME_RINVPASWD"));
  EXPECT_THAT(row.last_error, HasSubstr("check system_id, the password's environment variable"));
  EXPECT_TRUE(smsc_.Messages().empty());
}

TEST_P(SmppDispatchTest, AMissingPasswordIsRefusedBeforeAnythingIsSent) {
  WriteChannels();
  Enqueue({SmsRow("M-1|remind|1|xs-0014", "xs-0014", "M-1")});
  CommandResult r = RunRectify({"--db", db_->url(), "dispatch", "--once", "--channels", file_}, {});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("needs the environment variable RECTIFY_TEST_SMPP_PASSWORD"));
  EXPECT_EQ(smsc_.stats().binds, 0);
  EXPECT_EQ(Stored("M-1|remind|1|xs-0014").state, OutboxState::kPending);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SmppDispatchTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, SmppDispatchTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
