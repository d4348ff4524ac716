// Two and three `rectify serve` processes on one PostgreSQL under load, node-b killed while it
// holds leases (its work taken over within its lease), and node-b frozen past its lease and woken
// (fencing: it commits none of the timers taken from it). node_harness.h says what every test
// checks.
#include "tests/scheduler/node_harness.h"

namespace rectify::test {
namespace {

Load MultiNodeLoad() {
  Load load;
  load.items = LongMode() ? 2400 : 900;
  load.spread = 40;
  load.speed = 86400.0 * 2;
  return load;
}

// Two and three nodes on one PostgreSQL under load; node-b is killed while it holds leases.
class MultiNodeTest : public NodeHarness, public ::testing::WithParamInterface<int> {
 protected:
  void SetUp() override { OpenDatabase(Backend::kPostgresql); }
};

TEST_P(MultiNodeTest, OneKilledWhileHoldingLeasesItsWorkIsTakenOverWithinItsLease) {
  const int count = GetParam();
  Prepare(MultiNodeLoad());
  StartTimeline();
  auto clerk = StartClerk(2);
  std::vector<Node> nodes;
  for (int i = 0; i < count; ++i) nodes.push_back(StartNode(std::string("node-") + char('a' + i)));
  for (Node& n : nodes) ASSERT_TRUE(WaitFiringWhileServing(n));
  const double bound = load_.lease + kPollSeconds + kLoadedMachineMargin;
  // The long mode kills node-b again after each restart.
  const int rounds = LongMode() ? 5 : 1;
  std::vector<Lease> all_held;
  for (int round = 1; round <= rounds; ++round) {
    if (round > 1) {
      nodes[1] = StartNode("node-b");
      ASSERT_TRUE(WaitFiringWhileServing(nodes[1]));
    }
    Node& victim = nodes[1];
    Steady::time_point frozen_at;
    int tries = 0;
    std::vector<Lease> held = FreezeHoldingLeases(victim, false, &frozen_at, &tries, 3);
    ASSERT_GT(held.size(), 0u) << "node-b never held a lease when frozen (" << tries << " tries)";
    victim.process.Kill(SIGKILL);
    ASSERT_EQ(victim.process.Wait(), 128 + SIGKILL);
    EXPECT_GT(PendingDueBy(WorkAhead()), 0) << "nothing left to fire when node-b died";

    double took = WaitTakenOver(held, frozen_at);
    ASSERT_GE(took, 0) << "node-b's timers were still pending 60 s after it died";
    EXPECT_LE(took, bound) << "the takeover should come within the lease (" << load_.lease
                           << " s), a poll (" << kPollSeconds << " s) and a margin ("
                           << kLoadedMachineMargin << " s)";
    Fate fate = FateOf(held, "node-b");
    EXPECT_EQ(fate.by_owner, 0) << "a timer node-b held was fired under its lease after it died";
    std::cout << "round " << round << ": node-b held " << held.size()
              << " timers when killed (frozen at try " << tries << "); " << fate.by_others
              << " fired by the others, " << fate.cancelled
              << " cancelled (superseded reminders, the clerk), " << took
              << " s after it stopped\n";
    all_held.insert(all_held.end(), held.begin(), held.end());

    // The survivors go on firing.
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      if (i == 1) continue;
      Node& n = nodes[i];
      double f = n.Fired();
      EXPECT_TRUE(WaitUntil([&] { return n.Fired() > f; }, seconds(30)))
          << n.id << " stopped firing";
    }
  }
  clerk->Stop();
  Timestamp due_by = WaitCaughtUp();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    if (i == 1) continue;
    Node& n = nodes[i];
    n.process.Kill(SIGTERM);
    EXPECT_EQ(n.process.Wait(), 0) << n.process.output();
    EXPECT_THAT(n.process.output(), ::testing::Not(::testing::HasSubstr("fired 0 timers")));
  }
  FiringLedger ledger = ExpectExactlyOnceUpTo(due_by);
  ExpectHeldTookEffect(ledger, all_held);
  ExpectClerkWorkKept(*clerk, true);
}

std::string NodeCountName(const ::testing::TestParamInfo<int>& p) {
  return std::to_string(p.param) + "nodes";
}

INSTANTIATE_TEST_SUITE_P(Postgres, MultiNodeTest, ::testing::Values(2, 3), NodeCountName);

// Fencing between processes: node-b, frozen while it holds leases and outside any transaction,
// sleeps past its lease; node-a takes the timers over and fires them; node-b wakes and must not
// commit them (the lease token it holds is stale), says so in its metrics, and goes on firing.
class FencingTest : public NodeHarness {
 protected:
  void SetUp() override { OpenDatabase(Backend::kPostgresql); }
};

TEST_F(FencingTest, ANodeFrozenPastItsLeaseWakesCommitsNoneOfTheTimersTakenFromItAndGoesOn) {
  Prepare(MultiNodeLoad());
  StartTimeline();
  auto clerk = StartClerk(3);
  Node a = StartNode("node-a");
  Node b = StartNode("node-b");
  ASSERT_TRUE(WaitFiringWhileServing(a));
  ASSERT_TRUE(WaitFiringWhileServing(b));
  // The long mode freezes node-b again after it recovered.
  const int rounds = LongMode() ? 4 : 1;
  std::vector<Lease> all_held;
  for (int round = 1; round <= rounds; ++round) {
    const double skipped_before = b.Metric("rectify_timer_firings_skipped_total").value_or(-1);
    ASSERT_GE(skipped_before, 0) << "node-b's /metrics did not answer";
    Steady::time_point frozen_at;
    int tries = 0, by_a = 0;
    std::vector<Lease> held;
    // A freeze whose timers node-a merely cancels (a reminder superseded by a later one) tests
    // no fencing: then node-b is woken and frozen again.
    for (int attempt = 1; attempt <= 5 && by_a == 0; ++attempt) {
      if (attempt > 1) b.process.Thaw();
      held = FreezeHoldingLeases(b, true, &frozen_at, &tries, 3);
      ASSERT_GT(held.size(), 0u) << "node-b never held a lease outside a transaction when frozen ("
                                 << tries << " tries)";
      EXPECT_GT(PendingDueBy(WorkAhead()), 0) << "nothing left to fire when node-b was frozen";
      double took = WaitTakenOver(held, frozen_at);
      ASSERT_GE(took, 0) << "node-a did not take node-b's timers within 60 s";
      EXPECT_LE(took, load_.lease + kPollSeconds + kLoadedMachineMargin);
      Fate fate = FateOf(held, "node-b");
      EXPECT_EQ(fate.by_owner, 0);
      by_a = fate.by_others;
      std::cout << "round " << round << ": node-b frozen holding " << held.size() << " timers (try "
                << tries << "); node-a fired " << by_a << " of them " << took << " s later, "
                << fate.cancelled << " were cancelled (superseded reminders, the clerk)\n";
      all_held.insert(all_held.end(), held.begin(), held.end());
    }
    ASSERT_GT(by_a, 0) << "node-a fired none of the timers node-b held";

    b.process.Thaw();
    // Woken, node-b finds at commit that its leases were taken: each is skipped, none fired.
    EXPECT_TRUE(WaitUntil(
        [&] {
          return b.Metric("rectify_timer_firings_skipped_total").value_or(0) >=
                 skipped_before + by_a;
        },
        seconds(30)))
        << "node-b did not report the " << by_a << " timers it was fenced off";
    EXPECT_EQ(FateOf(held, "node-b").by_owner, 0)
        << "node-b committed firings of timers node-a had taken over";
    // And it goes on: ready, firing new work.
    double fired = b.Fired();
    EXPECT_TRUE(WaitUntil([&] { return b.Fired() > fired; }, seconds(30))) << b.process.output();
    EXPECT_TRUE(WaitUntil([&] { return b.Health() == 200; }, seconds(30)));
  }

  clerk->Stop();
  Timestamp due_by = WaitCaughtUp();
  a.process.Kill(SIGTERM);
  b.process.Kill(SIGTERM);
  EXPECT_EQ(a.process.Wait(), 0) << a.process.output();
  EXPECT_EQ(b.process.Wait(), 0) << b.process.output();
  EXPECT_THAT(b.process.output(), ::testing::HasSubstr("already fired elsewhere"));
  FiringLedger ledger = ExpectExactlyOnceUpTo(due_by);
  ExpectHeldTookEffect(ledger, all_held);
  ExpectClerkWorkKept(*clerk, true);
}

// PostgreSQL stopped for 30 seconds while the node has firings in flight, on a cluster of the
}  // namespace
}  // namespace rectify::test
