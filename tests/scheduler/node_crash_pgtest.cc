// `rectify serve` killed with SIGKILL again and again while it fires, and restarted, on SQLite
// and PostgreSQL: the crash tests of issue 5 (node_harness.h says what every test checks). Also:
// SQLite refuses a second node.
#include "tests/scheduler/node_harness.h"

namespace rectify::test {
namespace {

class NodeTest : public NodeHarness, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override { OpenDatabase(GetParam()); }
};

// Killed again and again while it fires, at random moments (just after a commit it reported) and
// frozen mid-batch, restarted each time: nothing committed is lost, nothing takes effect twice,
// and every timer that fell due has fired.
TEST_P(NodeTest, KilledAtRandomMomentsAndRestartedItLosesNothingAndRepeatsNothing) {
  const bool long_mode = LongMode();
  Load load;
  load.items = long_mode ? 3000 : 1000;
  load.spread = 40;
  // Long enough that work is still due at the last kill: the short timeline (some 100 days)
  // plays in about 50 s, the long one in about 130 s.
  load.speed = 86400.0 * (long_mode ? 0.75 : 2);
  Prepare(load);
  const int kills = long_mode ? 24 : 4;
  std::mt19937 random(20170421);
  std::uniform_int_distribution<int> pause_ms(0, 400);
  StartTimeline();
  auto clerk = StartClerk(1);
  int mid_batch = 0;
  for (int k = 0; k < kills; ++k) {
    Node node = StartNode("crash-node");
    ASSERT_TRUE(WaitFiringWhileServing(node)) << "before kill " << k + 1;
    int held = 0;
    if (k % 2 == 0) {
      // A random moment, right after a commit the node reported.
      std::this_thread::sleep_for(milliseconds(pause_ms(random)));
      double before = node.Fired();
      ASSERT_TRUE(WaitUntil([&] { return node.Fired() > before; }, seconds(30)))
          << node.process.output();
      node.process.Kill(SIGKILL);
      EXPECT_EQ(node.process.Wait(), 128 + SIGKILL);
      held = static_cast<int>(LiveLeases(node.id).size());
    } else {
      // Frozen while it holds timers it claimed and has not committed.
      Steady::time_point frozen_at;
      held = static_cast<int>(FreezeHoldingLeases(node, false, &frozen_at).size());
      ASSERT_GT(held, 0) << "the node never held a lease when frozen\n" << node.process.output();
      node.process.Kill(SIGKILL);
      EXPECT_EQ(node.process.Wait(), 128 + SIGKILL);
    }
    mid_batch += held > 0;
    // Under load: more work was falling due when it died.
    int due_soon = PendingDueBy(WorkAhead());
    EXPECT_GT(due_soon, 0) << "kill " << k + 1 << " found nothing left to fire: the timeline ran "
                           << "out before the kills did";
    std::cout << "kill " << k + 1 << " at " << FormatIso(EngineNow()) << ": " << held
              << " timers claimed and not committed, " << due_soon << " more falling due soon\n";
  }
  EXPECT_GE(mid_batch, kills / 2) << "kills that landed mid-batch";
  // One last run: it fires what fell due while no node ran, serves, catches up, stops cleanly.
  Node last = StartNode("crash-node");
  ASSERT_TRUE(WaitFiringWhileServing(last));
  clerk->Stop();
  Timestamp due_by = WaitCaughtUp();
  last.process.Kill(SIGTERM);
  EXPECT_EQ(last.process.Wait(), 0) << last.process.output();
  EXPECT_THAT(last.process.output(), ::testing::HasSubstr("stopped; fired"));
  ExpectExactlyOnceUpTo(due_by);
  ExpectClerkWorkKept(*clerk, true);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, NodeTest, ::testing::Values(Backend::kSqlite), BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, NodeTest, ::testing::Values(Backend::kPostgresql),
                         BackendTestName);

class SqliteNodeTest : public NodeTest {};

TEST_P(SqliteNodeTest, ASecondNodeIsRefusedWithWhatToDo) {
  Prepare(Load{5, 5, 86400.0 * 7, 40, 1});
  StartTimeline();
  Node first = StartNode("first");
  ASSERT_NE(first.process.WaitForLine("node first:", seconds(60)), "") << first.process.output();
  CommandResult second = RunRectify(ServeArgs("second"));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, ::testing::HasSubstr("SQLite runs one engine node"));
  EXPECT_THAT(second.err, ::testing::HasSubstr("use PostgreSQL"));
  // One node, but two workers in it by default: they take turns at SQLite's write lock.
  EXPECT_THAT(first.process.output(), ::testing::HasSubstr("2 workers"));
  CommandResult workers = RunRectify({"--db", url_, "serve", "--workers", "-1"});
  EXPECT_EQ(workers.exit_code, 2);
  EXPECT_THAT(workers.err, ::testing::HasSubstr("--workers must be at least 1"));
  first.process.Kill(SIGTERM);
  EXPECT_EQ(first.process.Wait(), 0);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteNodeTest, ::testing::Values(Backend::kSqlite),
                         BackendTestName);
}  // namespace
}  // namespace rectify::test
