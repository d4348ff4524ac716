// `rectify dispatch`, `status`, `report deliveries` and `simulate --channels` through the binary,
// on SQLite and PostgreSQL: a dispatcher killed with SIGKILL mid-delivery loses nothing, and the
// restart sends the same messages with the same dedup keys.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/notify/channels_file.h"
#include "tests/notify/dispatcher_test_env.h"
#include "tests/support/run_command.h"

namespace rectify::notify {
namespace {

namespace fs = std::filesystem;
using store_soci::Backend;
using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;
using namespace test_env;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

class DispatchCliTest : public DispatcherFixture {
 protected:
  // `rectify dispatch` runs on the real clock, and nothing but an urgent message goes out of
  // working hours: these tests, about leases and dead letters, run on a calendar open around the
  // clock (defined in the channels file itself), so they pass at any hour.
  void WriteChannels(const std::string& body) {
    channels_file_ = db_->dir().File("channels.yaml");
    test::WriteTextFile(channels_file_, test::RoundTheClockChannels("cli-test", body));
  }
  std::vector<std::string> Args(std::vector<std::string> rest) {
    std::vector<std::string> a{"--db", db_->url()};
    a.insert(a.end(), rest.begin(), rest.end());
    return a;
  }
  std::string channels_file_;
};

TEST_P(DispatchCliTest, AKilledDispatcherLosesNothingAndTheRestartUsesTheSameKeys) {
  WriteChannels("channels:\n  log: { kind: log }\nroutes: { email: log }\n");
  std::vector<OutboxRecord> rows;
  for (int i = 0; i < 400; ++i) {
    rows.push_back(Row("K-" + std::to_string(1000 + i) + "|remind:rectifying:0|1|xs-0014",
                       T("2017-05-08T10:00:00+08:00")));
  }
  Enqueue(rows);

  // The first dispatcher writes to a pipe nobody reads: after 64 KiB it blocks mid-batch, holding
  // leases on every row it claimed, and is killed there.
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDERR_FILENO);
    ::close(out[0]);
    std::vector<std::string> args{
        RECTIFY_BINARY, "--db", db_->url(), "dispatch", "--once",  "--channels", channels_file_,
        "--batch",      "1000", "--lease",  "2",        "--owner", "doomed"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  bool leased = false;
  for (int i = 0; i < 300 && !leased; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto counts = outbox_->Counts(SystemClock().Now());
    ASSERT_TRUE(counts.ok());
    leased = counts->sending == 400;
  }
  ASSERT_TRUE(leased) << "the dispatcher never claimed the rows";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  std::string before;
  ::fcntl(out[0], F_SETFL, O_NONBLOCK);
  char buf[65536];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;)
    before.append(buf, static_cast<std::size_t>(n));
  ::close(out[0]);
  std::set<std::string> sent_before;
  for (const auto& line : Lines(before)) {
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    if (!ec) sent_before.insert(std::string(v.at("dedup_key").as_string()));
  }
  ASSERT_GT(sent_before.size(), 10u) << "it was killed mid-delivery, after sending some";
  ASSERT_LT(sent_before.size(), 400u);
  auto counts = outbox_->Counts(SystemClock().Now());
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->delivered, 0) << "nothing was recorded as sent by the killed dispatcher";

  // After its lease runs out, a restart delivers every row, the ones already sent again with the
  // same dedup key, and records the abandoned attempt.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  CommandResult r = RunRectify(Args({"dispatch", "--once", "--channels", channels_file_}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("400 delivered"));
  EXPECT_THAT(r.err, HasSubstr("400 taken over from a dead dispatcher"));
  std::set<std::string> sent_after;
  for (const auto& line : Lines(r.out)) {
    sent_after.insert(std::string(boost::json::parse(line).at("dedup_key").as_string()));
  }
  EXPECT_EQ(sent_after.size(), 400u);
  for (const auto& k : sent_before) EXPECT_TRUE(sent_after.count(k)) << k;
  counts = outbox_->Counts(SystemClock().Now());
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->delivered, 400);
  auto attempts = outbox_->Attempts(Stored(*sent_before.begin()).id);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].outcome, "abandoned");
  EXPECT_THAT((*attempts)[0].detail, HasSubstr("doomed"));
  EXPECT_EQ((*attempts)[1].outcome, "delivered");

  // A second run finds nothing to do.
  CommandResult again = RunRectify(Args({"dispatch", "--once", "--channels", channels_file_}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out, "");
}

TEST_P(DispatchCliTest, DeadLettersShowInStatusAndInTheReport) {
  WriteChannels("channels:\n  log: { kind: log }\nroutes: { email: log }\n");
  OutboxRecord sms = Row("Q-9|escalate:rectifying:0|1|xs-0014", T("2017-05-08T10:00:00+08:00"));
  sms.channel = "sms";
  Enqueue({sms, Row("Q-8|remind:rectifying:0|1|xs-0014", T("2017-05-08T10:00:00+08:00"))});
  CommandResult r = RunRectify(Args({"dispatch", "--once", "--channels", channels_file_}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("1 delivered"));
  EXPECT_THAT(r.err, HasSubstr("1 dead-lettered"));

  CommandResult status = RunRectify(Args({"status"}));
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out,
              HasSubstr("dead letters:    1 (rectify report deliveries --dead lists them)"));
  EXPECT_THAT(status.out,
              HasSubstr("Q-9|escalate:rectifying:0|1|xs-0014 to xs-0014 after 1 attempts: "
                        "no channel serves contact kind 'sms'"));
  CommandResult json = RunRectify(Args({"--format", "json", "status"}));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto v = boost::json::parse(json.out);
  EXPECT_EQ(v.at("deliveries").at("dead_letters").as_int64(), 1);
  EXPECT_EQ(v.at("deliveries").at("delivered").as_int64(), 1);

  CommandResult dead = RunRectify(Args({"--format", "jsonl", "report", "deliveries", "--dead"}));
  ASSERT_EQ(dead.exit_code, 0) << dead.err;
  ASSERT_EQ(Lines(dead.out).size(), 1u);
  EXPECT_EQ(boost::json::parse(dead.out).at("dedup_key").as_string(),
            "Q-9|escalate:rectifying:0|1|xs-0014");
  CommandResult text = RunRectify(Args({"report", "deliveries"}));
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("delivered 1, dead letters 1"));
}

TEST_P(DispatchCliTest, ABadChannelsFileIsRefusedWithItsPosition) {
  WriteChannels("channels:\n  log: { kind: lgo }\nroutes: { email: log }\n");
  CommandResult r = RunRectify(Args({"dispatch", "--once", "--channels", channels_file_}));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(channels_file_ + ":12:16: error: channels.log.kind: unknown channel "
                                                "kind 'lgo' (hint: did you mean 'log'?)"));
}

// The campaign's messages through real channels at their simulated times, once each.
TEST_P(DispatchCliTest, SimulateDeliversTheTimelinesMessagesAtTheirTimesOnceEach) {
  std::string folder = db_->dir().File("letters");
  WriteChannels(
      "channels:\n  log: { kind: log, stream: stderr }\n  paper: { kind: file, folder: " + folder +
      " }\nroutes: { email: log, wecom: log, dingtalk: log, sms: log, inbox: paper, "
      "bulletin: paper }\n");
  CommandResult r = RunRectify(
      {"--db", db_->url(), "simulate", "--campaign", "xinshao-2017", "--items",
       std::string(RECTIFY_SOURCE_DIR) + "/workflows/ledgers/xinshao-2017-sample.csv", "--until",
       "2017-05-20", "--channels", channels_file_, "--format", "jsonl", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  using Key = std::tuple<std::string, std::string, std::string>;  // item, recipient, at
  std::multiset<Key> due, delivered;
  std::set<std::string> keys;
  std::size_t to_paper = 0;
  for (const auto& line : Lines(r.out)) {
    auto v = boost::json::parse(line).as_object();
    std::string event(v.at("event").as_string());
    auto str = [&](const char* k) {
      return v.contains(k) ? std::string(v.at(k).as_string()) : std::string();
    };
    if (event == "notification" && !v.contains("cancelled") &&
        str("deliver_at") < "2017-05-21T00:00:00+08:00") {
      due.insert({str("item"), str("recipient"), str("deliver_at")});
    }
    if (event == "delivery") {
      ASSERT_EQ(str("outcome"), "delivered") << line;
      delivered.insert({str("item"), str("recipient"), str("at")});
      EXPECT_TRUE(keys.insert(str("dedup_key")).second) << "sent twice: " << line;
      if (str("channel") == "paper") ++to_paper;
    }
  }
  ASSERT_GT(delivered.size(), 50u);
  EXPECT_EQ(delivered, due) << "each message once, at the instant the timeline says";
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(folder)) files += e.path().extension() == ".json";
  EXPECT_EQ(files, to_paper);
  EXPECT_GT(to_paper, 0u);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DispatchCliTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, DispatchCliTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::notify
