// `rectify serve` as separate processes under load, killed and restarted: the crash tests, two
// and three nodes on one PostgreSQL with one killed, and PostgreSQL stopped for 30 seconds. Each
// checks against the database and the audit log that nothing committed was lost, that no
// reminder or escalation step took effect twice, and that every timer that fell due has fired.
//
// The nodes run on an accelerated clock anchored to one real instant (--speed, --from, --anchor),
// so a restarted node goes on with the same timeline: six weeks of a campaign pass in about six
// seconds. RECTIFY_TEST_LONG=1 (make test-long) kills more often and runs longer.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/engine/engine.h"
#include "tests/scheduler/firing_ledger.h"
#include "tests/store/store_test_env.h"
#include "tests/support/child_process.h"
#include "tests/support/run_command.h"

namespace rectify::testing {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::seconds;

const Timestamp kT0 = *ParseIso("2017-04-21T09:00:00+08:00");
constexpr double kSpeed = 86400.0 * 7;  // a week a second

bool LongMode() {
  const char* v = std::getenv("RECTIFY_TEST_LONG");
  return v && std::string(v) == "1";
}

std::shared_ptr<const definition::DefinitionSet> Shipped() {
  static auto set = [] {
    Diagnostics diags;
    auto s = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows"}, diags);
    EXPECT_TRUE(s.ok()) << diags.Format();
    return s.ok() ? *s : nullptr;
  }();
  return set;
}

// Migrates `url` and registers `n` assigned items at kT0 (each with reminders and escalation
// steps armed over the following weeks).
void Prepare(const std::string& url, int n) {
  auto parsed = store_soci::ParseDatabaseUrl(url);
  auto db = store_soci::Database::Open(*parsed, {});
  ASSERT_TRUE(db.ok()) << db.error().message();
  store_soci::Migrator migrator(**db, ShippedMigrations());
  ASSERT_TRUE(migrator.Migrate(kT0).ok());
  auto store = store_soci::MakeStore(std::move(*db));
  VirtualClock at(kT0);
  engine::Engine engine(*store, at, Shipped());
  ASSERT_TRUE(engine.RegisterDefinitions().ok());
  std::vector<engine::Registration> batch;
  for (int i = 0; i < n; ++i) {
    engine::Registration r;
    r.item.id = "C-" + std::to_string(10000 + i);
    r.item.workflow = "rectification-item";
    r.item.unit = "niangxi";
    r.item.responsible = "xs-0014";
    r.item.title = "问题 " + std::to_string(i);
    r.item.actor = "xs-0009";
    r.item.fields = {{"time_limit", std::to_string(2 + i % 5) + "wd"}};
    engine::Command assign;
    assign.event = "assign";
    assign.actor = "xs-0003";
    assign.fields = {{"verifier", "xs-0007"}};
    r.then.push_back(assign);
    batch.push_back(std::move(r));
  }
  auto done = engine.RegisterMany(batch);
  ASSERT_TRUE(done.ok()) << done.error().message();
}

// The engine time of a node started with --anchor `anchor`, now.
Timestamp EngineNow(Timestamp anchor) {
  auto real = std::chrono::system_clock::now() - anchor;
  return kT0 + std::chrono::duration_cast<Duration>(
                   std::chrono::duration<double, std::micro>(real) * kSpeed);
}

// A plain HTTP GET on loopback; the status code, or 0 when nothing answers.
int HttpStatus(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return 0;
  }
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!write(fd, req.data(), req.size());
  char buf[64] = {};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 12) return 0;
  return std::atoi(buf + 9);
}

class NodeTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    url_ = db_->url();
    anchor_ = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }

  std::vector<std::string> ServeArgs(const std::string& node, const std::string& extra_url = "") {
    return {"--db",
            extra_url.empty() ? url_ : extra_url,
            "serve",
            "--node-id",
            node,
            "--speed",
            std::to_string(static_cast<long long>(kSpeed)),
            "--from",
            FormatIso(kT0),
            "--anchor",
            FormatIso(anchor_),
            "--batch",
            "40",
            "--lease",
            "1"};
  }

  ChildProcess StartNode(const std::string& node, std::vector<std::string> extra = {}) {
    auto args = ServeArgs(node);
    args.insert(args.end(), extra.begin(), extra.end());
    return ChildProcess::StartRectify(args);
  }

  // The checks every test ends with: nothing twice, nothing due left unfired, the audit chain
  // whole (no committed row changed or lost).
  void ExpectExactlyOnceUpTo(Timestamp due_by) {
    int pending_due = -1;
    FiringLedger ledger = ReadFiringLedger(url_, due_by, &pending_due);
    EXPECT_THAT(ledger.duplicates, ::testing::IsEmpty()) << "an effect was applied twice";
    EXPECT_EQ(pending_due, 0) << "timers that fell due were not fired";
    EXPECT_GT(ledger.effects, 0);
    CommandResult verify = RunRectify({"--db", url_, "audit", "verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }

  std::unique_ptr<TestDatabase> db_;
  std::string url_;
  Timestamp anchor_;
};

TEST_P(NodeTest, KilledAtRandomMomentsAndRestartedItLosesNothingAndRepeatsNothing) {
  Prepare(url_, 600);
  const int kills = LongMode() ? 24 : 4;
  std::mt19937 random(20170421);
  std::uniform_int_distribution<int> pause_ms(150, 900);
  for (int k = 0; k < kills; ++k) {
    ChildProcess node = StartNode("crash-node");
    std::this_thread::sleep_for(milliseconds(pause_ms(random)));
    ASSERT_TRUE(node.running()) << node.output();
    node.Kill(SIGKILL);
    EXPECT_EQ(node.Wait(), 128 + SIGKILL);
  }
  // One last run until a week after everything's time limits, and a clean stop.
  ChildProcess last = StartNode("crash-node");
  ASSERT_NE(last.WaitForLine("serving", seconds(60)), "") << last.output();
  while (EngineNow(anchor_) < kT0 + days(49)) std::this_thread::sleep_for(milliseconds(100));
  last.Kill(SIGTERM);
  EXPECT_EQ(last.Wait(), 0) << last.output();
  EXPECT_THAT(last.output(), ::testing::HasSubstr("stopped; fired"));
  ExpectExactlyOnceUpTo(kT0 + days(45));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, NodeTest, ::testing::Values(Backend::kSqlite), BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, NodeTest, ::testing::Values(Backend::kPostgresql),
                         BackendTestName);

class SqliteNodeTest : public NodeTest {};

TEST_P(SqliteNodeTest, ASecondNodeIsRefusedWithWhatToDo) {
  Prepare(url_, 5);
  ChildProcess first = StartNode("first");
  ASSERT_NE(first.WaitForLine("node first:", seconds(30)), "") << first.output();
  CommandResult second = RunRectify(ServeArgs("second"));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, ::testing::HasSubstr("SQLite runs one engine node"));
  EXPECT_THAT(second.err, ::testing::HasSubstr("use PostgreSQL"));
  CommandResult workers = RunRectify({"--db", url_, "serve", "--workers", "2"});
  EXPECT_EQ(workers.exit_code, 2);
  EXPECT_THAT(workers.err, ::testing::HasSubstr("SQLite has one writer"));
  first.Kill(SIGTERM);
  EXPECT_EQ(first.Wait(), 0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteNodeTest, ::testing::Values(Backend::kSqlite),
                         BackendTestName);

class MultiNodeTest : public NodeTest {};

TEST_P(MultiNodeTest, ThreeNodesShareTheWorkAndTakeOverADeadNodesLeases) {
  Prepare(url_, 900);
  ChildProcess a = StartNode("node-a");
  ChildProcess b = StartNode("node-b");
  ChildProcess c = StartNode("node-c");
  for (ChildProcess* n : {&a, &b, &c}) {
    ASSERT_NE(n->WaitForLine("serving", seconds(60)), "") << n->output();
  }
  std::this_thread::sleep_for(milliseconds(LongMode() ? 2500 : 1200));
  b.Kill(SIGKILL);
  ASSERT_EQ(b.Wait(), 128 + SIGKILL);
  const Timestamp killed_at = EngineNow(anchor_);
  // What node-b held when it died: pending timers under its lease.
  auto parsed = store_soci::ParseDatabaseUrl(url_);
  auto db = store_soci::Database::Open(*parsed, {});
  ASSERT_TRUE(db.ok());
  int held = 0;
  (*db)->session() << "SELECT COUNT(*) FROM timers WHERE state = 'pending' AND lease_owner LIKE "
                      "'node-b/%' AND lease_until > :now",
      soci::use(static_cast<long long>(ToMicros(killed_at))), soci::into(held);
  // Within its lease (1 s of real time) and a poll, the others fire what it held.
  auto died = std::chrono::steady_clock::now();
  int left = -1;
  double took = 0;
  for (;;) {
    (*db)->session() << "SELECT COUNT(*) FROM timers WHERE state = 'pending' AND lease_owner "
                        "LIKE 'node-b/%' AND due_at <= :now",
        soci::use(static_cast<long long>(ToMicros(killed_at))), soci::into(left);
    took = std::chrono::duration<double>(std::chrono::steady_clock::now() - died).count();
    if (left == 0 || took > 20) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(left, 0) << "node-b held " << held << " timers when it died";
  EXPECT_LT(took, 10.0) << "the takeover should come within the lease (1 s) and a poll";
  std::cout << "node-b held " << held << " timers when killed; taken over within " << took
            << " s\n";

  while (EngineNow(anchor_) < kT0 + days(49)) std::this_thread::sleep_for(milliseconds(100));
  a.Kill(SIGTERM);
  c.Kill(SIGTERM);
  EXPECT_EQ(a.Wait(), 0) << a.output();
  EXPECT_EQ(c.Wait(), 0) << c.output();
  ExpectExactlyOnceUpTo(kT0 + days(45));
  // Each node fired some of the work.
  EXPECT_THAT(a.output(), ::testing::Not(::testing::HasSubstr("fired 0 timers")));
  EXPECT_THAT(c.output(), ::testing::Not(::testing::HasSubstr("fired 0 timers")));
}

INSTANTIATE_TEST_SUITE_P(Postgres, MultiNodeTest, ::testing::Values(Backend::kPostgresql),
                         BackendTestName);

// PostgreSQL stopped for 30 seconds mid-load, on a cluster of the test's own.
TEST(OutageTest, PostgresqlStoppedForThirtySecondsLosesNothingAndRepeatsNothing) {
  TempDir dir;
  // The cluster runs as the postgres user when the tests run as root: let it reach the folder.
  std::filesystem::permissions(
      dir.path(), std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                      std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                      std::filesystem::perms::others_exec);
  std::string cluster = dir.File("pg");
  std::string script = std::string(RECTIFY_SOURCE_DIR) + "/scripts/pg_test_cluster.sh";
  CommandResult started = RunCommand({"/bin/bash", script, "start", cluster});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string server_url;
  {
    std::ifstream in(cluster + "/url");
    std::getline(in, server_url);
  }
  ASSERT_FALSE(server_url.empty());
  struct Cleanup {
    std::string script, cluster;
    ~Cleanup() { RunCommand({"/bin/bash", script, "stop", cluster}); }
  } cleanup{script, cluster};

  const Timestamp anchor = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  // Slower than the other tests: the outage must fall mid-load.
  const double speed = 86400.0 / 2;  // half a day a second
  Prepare(server_url, 400);
  std::vector<std::string> args = {"--db",
                                   server_url,
                                   "serve",
                                   "--node-id",
                                   "outage",
                                   "--speed",
                                   std::to_string(static_cast<long long>(speed)),
                                   "--from",
                                   FormatIso(kT0),
                                   "--anchor",
                                   FormatIso(anchor),
                                   "--batch",
                                   "40",
                                   "--lease",
                                   "2",
                                   "--listen",
                                   "127.0.0.1:0"};
  ChildProcess node = ChildProcess::StartRectify(args);
  std::string listening = node.WaitForLine("listening on http://", seconds(30));
  ASSERT_NE(listening, "") << node.output();
  int port = std::atoi(listening.substr(listening.rfind(':') + 1).c_str());
  ASSERT_NE(node.WaitForLine("serving", seconds(60)), "") << node.output();
  EXPECT_EQ(HttpStatus(port, "/healthz"), 200);
  std::this_thread::sleep_for(seconds(3));

  ASSERT_EQ(RunCommand({"/bin/bash", script, "pause", cluster}).exit_code, 0);
  bool unready = false;
  for (int i = 0; i < 30; ++i) {  // 30 seconds without the database
    std::this_thread::sleep_for(seconds(1));
    unready = unready || HttpStatus(port, "/healthz") == 503;
  }
  EXPECT_TRUE(unready) << "the node never reported itself unready";
  EXPECT_TRUE(node.running()) << node.output();
  ASSERT_EQ(RunCommand({"/bin/bash", script, "resume", cluster}).exit_code, 0);

  bool ready_again = false;
  for (int i = 0; i < 100 && !ready_again; ++i) {
    std::this_thread::sleep_for(milliseconds(200));
    ready_again = HttpStatus(port, "/healthz") == 200;
  }
  EXPECT_TRUE(ready_again) << "the node did not come back after the outage";
  std::this_thread::sleep_for(seconds(3));
  node.Kill(SIGTERM);
  EXPECT_EQ(node.Wait(), 0) << node.output();

  auto engine_now =
      kT0 + std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::micro>(
                                                     std::chrono::system_clock::now() - anchor) *
                                                 speed);
  int pending_due = -1;
  FiringLedger ledger = ReadFiringLedger(server_url, engine_now - days(1), &pending_due);
  EXPECT_THAT(ledger.duplicates, ::testing::IsEmpty());
  EXPECT_EQ(pending_due, 0);
  EXPECT_GT(ledger.effects, 0);
  CommandResult verify = RunRectify({"--db", server_url, "audit", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace rectify::testing
