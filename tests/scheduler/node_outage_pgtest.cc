// PostgreSQL stopped for 30 seconds under `rectify serve` while it has firings in flight, and
// started again (node_harness.h says what every test checks).
#include <filesystem>
#include <fstream>

#include "tests/scheduler/node_harness.h"

namespace rectify::test {
namespace {

// PostgreSQL stopped for 30 seconds while the node has firings in flight, on a cluster of the
// test's own, and started again: nothing lost, nothing twice, the node unready meanwhile.
class OutageTest : public NodeHarness {};

TEST_F(OutageTest, PostgresqlStoppedForThirtySecondsLosesNothingAndRepeatsNothing) {
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
  {
    std::ifstream in(cluster + "/url");
    std::getline(in, url_);
  }
  ASSERT_FALSE(url_.empty());
  struct Cleanup {
    std::string script, cluster;
    ~Cleanup() { RunCommand({"/bin/bash", script, "stop", cluster}); }
  } cleanup{script, cluster};

  Load load;
  // The timeline (some 100 days) outlasts the outage and the catching up after it.
  load.items = LongMode() ? 3000 : 1000;
  load.spread = 40;
  load.speed = 86400.0 * (LongMode() ? 1.25 : 1);
  load.lease = 2;
  Prepare(load);
  StartTimeline();
  auto clerk = StartClerk(4);
  Node node = StartNode("outage");
  ASSERT_TRUE(WaitFiringWhileServing(node));
  EXPECT_EQ(node.Health(), 200);

  // Stop the server while the node holds a batch it has claimed and not committed.
  Steady::time_point frozen_at;
  std::vector<Lease> in_flight = FreezeHoldingLeases(node, false, &frozen_at, nullptr, 3);
  ASSERT_GT(in_flight.size(), 0u) << "the node never held a batch in flight";
  EXPECT_GT(PendingDueBy(WorkAhead()), 0) << "nothing left to fire when the server stopped";
  watch_.reset();
  ASSERT_EQ(RunCommand({"/bin/bash", script, "pause", cluster}).exit_code, 0);
  node.process.Thaw();
  const auto outage_began = Steady::now();
  const Timestamp down_from = EngineNow();
  std::cout << "PostgreSQL stopped with " << in_flight.size() << " firings in flight\n";
  bool unready = false;
  while (Since(outage_began) < 30) {  // 30 seconds without the database
    std::this_thread::sleep_for(milliseconds(500));
    unready = unready || node.Health() == 503;
  }
  EXPECT_TRUE(unready) << "the node never reported itself unready";
  EXPECT_TRUE(node.process.running()) << node.process.output();
  EXPECT_GT(node.Metric("rectify_scheduler_database_errors_total").value_or(0), 0);
  const Timestamp down_until = EngineNow();
  ASSERT_EQ(RunCommand({"/bin/bash", script, "resume", cluster}).exit_code, 0);

  EXPECT_TRUE(WaitUntil([&] { return node.Health() == 200; }, seconds(60)))
      << "the node did not come back after the outage";
  double fired = node.Fired();
  EXPECT_TRUE(WaitUntil([&] { return node.Fired() > fired; }, seconds(30)));
  clerk->Stop();
  Timestamp due_by = WaitCaughtUp();
  node.process.Kill(SIGTERM);
  EXPECT_EQ(node.process.Wait(), 0) << node.process.output();

  FiringLedger ledger = ExpectExactlyOnceUpTo(due_by);
  // What fell due while the server was down took effect after it was back, marked late.
  int fell_due = 0, too_soon = 0, not_late = 0;
  Query([&](soci::session& sql) {
    long long at = 0;
    std::string data;
    soci::statement st = (sql.prepare << "SELECT at, data FROM audit_log WHERE event IN "
                                         "('remind', 'escalate')",
                          soci::into(at), soci::into(data));
    st.execute();
    while (st.fetch()) {
      auto v = boost::json::parse(data).as_object();
      auto due = ParseIso(std::string(v.at("due").as_string()));
      if (!due || *due < down_from || *due > down_until) continue;
      ++fell_due;
      too_soon += FromMicros(at) < down_until;
      not_late += !v.at("late").as_bool();
    }
    return 0;
  });
  EXPECT_GT(fell_due, 0) << "nothing fell due during the outage";
  EXPECT_EQ(too_soon, 0) << "firings committed while the server was down?";
  EXPECT_EQ(not_late, 0) << "firings of what fell due during the outage not marked late";
  std::cout << fell_due << " reminders and steps fell due during the outage and fired after it\n";
  // The firings in flight when the server stopped took effect afterwards, once each.
  ExpectHeldTookEffect(ledger, in_flight);
  // A transition in flight when the server stopped may have committed without its answer
  // reaching the clerk: here the clerk's failures may be in the log, its successes must be.
  ExpectClerkWorkKept(*clerk, false);
}

}  // namespace
}  // namespace rectify::test
