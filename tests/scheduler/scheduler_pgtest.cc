// The scheduler (engine/include/rectify/scheduler/scheduler.h) in one process, on SQLite and
// PostgreSQL: it fires every due timer exactly once, fires what fell due while no engine ran at
// start-up (late, in due order), shares one PostgreSQL between two nodes, and neither fires early
// nor skips anything when the wall clock jumps.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/engine/engine.h"
#include "rectify/scheduler/horizon.h"
#include "rectify/scheduler/scheduler.h"
#include "tests/scheduler/firing_ledger.h"
#include "tests/store/store_test_env.h"
#include "tests/support/forwarding_store.h"

namespace rectify::test {
namespace {

using scheduler::NodePhase;
using scheduler::Scheduler;
using scheduler::SchedulerOptions;
using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::seconds;

Timestamp T(const char* iso) { return *ParseIso(iso); }
const Timestamp kT0 = T("2017-04-21T09:00:00+08:00");

std::shared_ptr<const definition::DefinitionSet> Shipped() {
  static auto set = [] {
    Diagnostics diags;
    auto s = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows"}, diags);
    EXPECT_TRUE(s.ok()) << diags.Format();
    return s.ok() ? *s : nullptr;
  }();
  return set;
}

// A wall clock that follows real time from `start`, and that a test can jump.
class JumpingClock final : public Clock {
 public:
  explicit JumpingClock(Timestamp start)
      : start_(start), steady_(std::chrono::steady_clock::now()) {}
  Timestamp Now() const override {
    return start_ + offset_.load() +
           std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - steady_);
  }
  SteadyTime SteadyNow() const override { return std::chrono::steady_clock::now(); }
  std::unique_ptr<Timer> MakeTimer(boost::asio::any_io_executor ex) override {
    return MakeRecheckingTimer(std::move(ex), [this](Timestamp at) { return at - Now(); });
  }
  void Jump(Duration by) { offset_ = offset_.load() + by; }

 private:
  Timestamp start_;
  SteadyTime steady_;
  std::atomic<Duration> offset_{Duration::zero()};
};

// Every reminder and escalation timer marked fired has its one audit row and every such row its
// fired timer; no escalation step was passed over (cancelled while a later one fired).
void ExpectEffectsMatchFirings(const FiringLedger& ledger) {
  EXPECT_THAT(ledger.fired_without_effect, ::testing::IsEmpty());
  EXPECT_THAT(ledger.effect_without_firing, ::testing::IsEmpty());
  EXPECT_THAT(ledger.passed_over_steps, ::testing::IsEmpty());
}

// A worker's Store whose commits of escalation steps each take `delay` longer: a worker on a
// slow connection, or one the machine starves, while the node's other worker goes at full speed.
class SlowEscalations final : public test::ForwardingStore {
 public:
  SlowEscalations(std::unique_ptr<Store> inner, Duration delay)
      : ForwardingStore(std::move(inner)), delay_(delay) {}
  Status Commit(const ChangeSet& changes) override {
    bool steps =
        std::any_of(changes.timer_fires.begin(), changes.timer_fires.end(),
                    [](const TimerFire& f) { return f.key.name.rfind("escalate:", 0) == 0; });
    if (steps) std::this_thread::sleep_for(delay_);
    return ForwardingStore::Commit(changes);
  }

 private:
  Duration delay_;
};

class SchedulerTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    auto store = OpenMigratedStore(*db_, kT0);
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_ = std::move(*store);
  }

  // Registers `n` items at kT0, each assigned, so each has reminders and escalation steps armed
  // over the following weeks.
  void RegisterItems(int n) {
    VirtualClock at(kT0);
    engine::Engine engine(*store_, at, Shipped());
    ASSERT_TRUE(engine.RegisterDefinitions().ok());
    std::vector<engine::Registration> batch;
    for (int i = 0; i < n; ++i) {
      engine::Registration r;
      r.item.id = "S-" + std::to_string(1000 + i);
      r.item.workflow = "rectification-item";
      r.item.unit = "niangxi";
      r.item.responsible = "xs-0014";
      r.item.title = "问题 " + std::to_string(i);
      r.item.actor = "xs-0009";
      r.item.fields = {{"time_limit", i % 2 ? "3wd" : "5wd"}};
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

  scheduler::StoreFactory Factory() {
    std::string url = db_->url();
    return [url]() -> Result<std::unique_ptr<Store>> {
      auto parsed = store_soci::ParseDatabaseUrl(url);
      if (!parsed) return parsed.error();
      return store_soci::OpenStore(*parsed, {});
    };
  }

  SchedulerOptions Options(const std::string& node) {
    SchedulerOptions o;
    o.node_id = node;
    o.workers = GetParam() == Backend::kPostgresql ? 2 : 1;
    o.batch = 50;
    o.horizon = days(400);  // the accelerated clocks below run weeks a second
    o.refresh = milliseconds(200);
    o.poll = milliseconds(100);
    return o;
  }

  // Runs the io_context for `d`, waiting (with nothing posted, run_for would return at once).
  static void Pump(boost::asio::io_context& io, Duration d) {
    auto guard = boost::asio::make_work_guard(io);
    io.run_for(d);
    if (io.stopped()) io.restart();
  }

  // Runs the io_context until `done` holds or `limit` passes; false on time-out.
  static bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                       Duration limit = seconds(30)) {
    auto end = std::chrono::steady_clock::now() + limit;
    auto guard = boost::asio::make_work_guard(io);  // wait, do not spin, when nothing is posted
    while (!done()) {
      if (std::chrono::steady_clock::now() > end) return false;
      Pump(io, milliseconds(20));
      if (io.stopped()) io.restart();
    }
    return true;
  }

  // Runs until nothing due by `due_by` is left pending (the nodes caught up), or a time-out.
  bool RunUntilCaughtUp(boost::asio::io_context& io, Timestamp due_by) {
    auto last_look = std::chrono::steady_clock::now();
    return RunUntil(io, [&] {
      if (std::chrono::steady_clock::now() - last_look < milliseconds(200)) return false;
      last_look = std::chrono::steady_clock::now();
      int pending = -1;
      Ledger(due_by, &pending);
      return pending == 0;
    });
  }

  FiringLedger Ledger(Timestamp due_by, int* pending_due) {
    return ReadFiringLedger(db_->url(), due_by, pending_due);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

TEST_P(SchedulerTest, FiresEveryDueTimerExactlyOnceAndServes) {
  RegisterItems(60);
  // Six weeks of engine time in about two seconds.
  AcceleratedClock clock(kT0, 86400.0 * 21);
  boost::asio::io_context io;
  Metrics metrics;
  Health health;
  Scheduler s(io, clock, Factory(), Shipped(), Options("node-1"), metrics, health);
  std::vector<NodePhase> phases;
  s.OnPhase([&](NodePhase p) { phases.push_back(p); });
  std::int64_t fired = 0;
  s.OnBatch([&](const scheduler::BatchEvent& b) {
    fired += b.report.timers;
    EXPECT_TRUE(b.report.errors.empty()) << b.report.errors.front();
  });
  s.Start();
  const Timestamp end = kT0 + days(42);
  ASSERT_TRUE(RunUntil(io, [&] { return clock.Now() >= end; }));
  ASSERT_TRUE(RunUntilCaughtUp(io, end - days(1)));
  EXPECT_TRUE(health.ready()) << health.reason();
  s.Stop();
  s.Join();
  Pump(io, milliseconds(50));  // the last batches' reports

  int overdue_pending = -1;
  // Everything due a day before the stop has fired; the last day may still have been in flight.
  FiringLedger ledger = Ledger(end - days(1), &overdue_pending);
  EXPECT_EQ(overdue_pending, 0);
  EXPECT_THAT(ledger.duplicates, ::testing::IsEmpty());
  EXPECT_GT(ledger.effects, 60) << "each item reminded and escalated at least once";
  ExpectEffectsMatchFirings(ledger);
  EXPECT_EQ(fired, ledger.fired_timers);
  EXPECT_EQ(metrics.counter("rectify_timer_firings_total", "").value(), fired);
  EXPECT_THAT(phases, ::testing::ElementsAre(NodePhase::kRecovering, NodePhase::kServing,
                                             NodePhase::kDraining));
  EXPECT_EQ(s.phase(), NodePhase::kStopped);
  EXPECT_THAT(metrics.RenderPrometheus(),
              ::testing::HasSubstr("rectify_timer_lateness_seconds_count"));
}

TEST_P(SchedulerTest, TimersThatFellDueWhileNoEngineRanFireAtStartLateInDueOrder) {
  RegisterItems(30);
  // The engine comes back 30 days later, on (nearly) real time.
  AcceleratedClock clock(kT0 + days(30), 1.0);
  boost::asio::io_context io;
  Metrics metrics;
  Health health;
  SchedulerOptions o = Options("node-1");
  o.workers = 1;
  o.batch = 7;  // many batches, to see their order
  Scheduler s(io, clock, Factory(), Shipped(), o, metrics, health);
  EXPECT_FALSE(health.ready());
  std::vector<std::vector<Timestamp>> batches;
  s.OnBatch([&](const scheduler::BatchEvent& b) { batches.push_back(b.report.fired_due); });
  s.Start();
  ASSERT_TRUE(RunUntil(io, [&] { return s.phase() == NodePhase::kServing; })) << health.reason();
  EXPECT_TRUE(health.ready());
  s.Stop();
  s.Join();
  Pump(io, milliseconds(50));

  int pending_due = -1;
  FiringLedger ledger = Ledger(kT0 + days(30), &pending_due);
  EXPECT_EQ(pending_due, 0);
  EXPECT_THAT(ledger.duplicates, ::testing::IsEmpty());
  EXPECT_GT(ledger.effects, 0);
  EXPECT_EQ(ledger.late, ledger.effects) << "every firing at start-up is marked late";
  ExpectEffectsMatchFirings(ledger);
  ASSERT_GT(batches.size(), 3u);
  // Claimed in due order: the first batch holds the earliest due time of all. (Later batches
  // may go back in time: a firing arms the next escalation step, which may be overdue too.)
  Timestamp earliest = Timestamp::max();
  for (const auto& b : batches) {
    for (Timestamp t : b) earliest = std::min(earliest, t);
  }
  EXPECT_EQ(*std::min_element(batches.front().begin(), batches.front().end()), earliest);
}

TEST_P(SchedulerTest, AWallClockJumpNeitherFiresEarlyNorSkips) {
  RegisterItems(20);
  JumpingClock clock(kT0);
  boost::asio::io_context io;
  Metrics metrics;
  Health health;
  SchedulerOptions o = Options("node-1");
  o.workers = 1;
  Scheduler s(io, clock, Factory(), Shipped(), o, metrics, health);
  std::vector<std::pair<Timestamp, Timestamp>> fired;  // (due, committed)
  s.OnBatch([&](const scheduler::BatchEvent& b) {
    for (Timestamp due : b.report.fired_due) fired.emplace_back(due, b.committed_at);
  });
  s.Start();
  ASSERT_TRUE(RunUntil(io, [&] { return s.phase() == NodePhase::kServing; }));
  Pump(io, milliseconds(300));
  // What was due at registration (reminders before a short time limit) has fired; nothing later.
  const std::size_t before_jump = fired.size();
  for (const auto& [due, at] : fired) EXPECT_LE(due, kT0 + seconds(5));

  // Forwards ten days: what became due fires (all of it), nothing later.
  clock.Jump(days(10));
  const Timestamp jumped_to = clock.Now();
  int pending_due = -1;
  ASSERT_TRUE(RunUntil(
      io,
      [&] {
        Ledger(jumped_to, &pending_due);
        return pending_due == 0;
      },
      seconds(20)));
  Pump(io, milliseconds(300));  // the reports of the last commits
  for (const auto& [due, at] : fired) EXPECT_LE(due, at) << "fired before its due time";
  std::size_t after_forward = fired.size();
  EXPECT_GT(after_forward, before_jump);
  for (const auto& [due, at] : fired) EXPECT_LE(due, jumped_to + seconds(5)) << "fired too soon";

  // Backwards six days: nothing fires again, nothing fires early.
  clock.Jump(-days(6));
  Pump(io, milliseconds(2500));  // more than SystemClock::kRecheck and the poll
  EXPECT_EQ(fired.size(), after_forward);
  for (const auto& [due, at] : fired) EXPECT_LE(due, jumped_to + seconds(5)) << "fired too soon";
  FiringLedger ledger = Ledger(jumped_to, nullptr);
  EXPECT_THAT(ledger.duplicates, ::testing::IsEmpty());
  s.Stop();
  s.Join();
}

// The ledger the crash, multi-node and outage tests judge by sees each kind of damage: a timer
// marked fired whose step never took effect, a step whose timer is not marked fired, and an
// escalation step cancelled while a later one fired.
TEST_P(SchedulerTest, TheFiringLedgerCatchesFiringsWithoutEffectsAndStepsPassedOver) {
  RegisterItems(4);
  {
    VirtualClock clock(kT0);
    boost::asio::io_context io;
    engine::Engine engine(*store_, clock, Shipped());
    auto fired = engine::RunUntil(engine, clock, io, kT0 + days(30));
    ASSERT_TRUE(fired.ok()) << fired.error().message();
  }
  FiringLedger clean = Ledger(kT0 + days(30), nullptr);
  ExpectEffectsMatchFirings(clean);
  ASSERT_GT(clean.effects, 0);

  auto url = store_soci::ParseDatabaseUrl(db_->url());
  auto opened = store_soci::Database::Open(*url, {});
  ASSERT_TRUE(opened.ok());
  soci::session& sql = (*opened)->session();
  // A pending step marked fired behind the engine's back, one fired step set pending again, one
  // fired middle step of an item's ladder cancelled.
  std::string a = "S-1000", b = "S-1001", c = "S-1002";
  std::string next;  // the step S-1000 waits for (the front of its schedule, armed in the store)
  long long generation = 0;
  sql << "SELECT name, generation FROM timers WHERE instance_id = :i AND state = 'pending' AND "
         "name LIKE 'escalate:%' ORDER BY due_at LIMIT 1",
      soci::use(a), soci::into(next), soci::into(generation);
  ASSERT_FALSE(next.empty());
  sql << "UPDATE timers SET state = 'fired' WHERE instance_id = :i AND name = :n", soci::use(a),
      soci::use(next);
  sql << "UPDATE timers SET state = 'pending' WHERE instance_id = :i AND name = "
         "'escalate:rectifying:0'",
      soci::use(b);
  sql << "UPDATE timers SET state = 'cancelled' WHERE instance_id = :i AND name = "
         "'escalate:rectifying:1'",
      soci::use(c);
  FiringLedger damaged = Ledger(kT0 + days(30), nullptr);
  EXPECT_THAT(damaged.fired_without_effect,
              ::testing::ElementsAre(TimerLedgerKey(a, next, generation)));
  // (The cancelled step's audit row now names a timer that is not marked fired, too.)
  EXPECT_THAT(damaged.effect_without_firing,
              ::testing::UnorderedElementsAre("S-1001 escalate:rectifying:0#1",
                                              "S-1002 escalate:rectifying:1#1"));
  EXPECT_THAT(damaged.passed_over_steps, ::testing::ElementsAre("S-1002 escalate:rectifying:1#1"));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SchedulerTest, ::testing::Values(Backend::kSqlite),
                         BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, SchedulerTest, ::testing::Values(Backend::kPostgresql),
                         BackendTestName);

// Two nodes on one PostgreSQL: every step takes effect once, and the work is shared.
class TwoNodesTest : public SchedulerTest {};

TEST_P(TwoNodesTest, ShareOnePostgresqlAndFireEachTimerOnce) {
  RegisterItems(120);
  AcceleratedClock clock(kT0, 86400.0 * 21);
  boost::asio::io_context io;
  Metrics m1, m2;
  Health h1, h2;
  SchedulerOptions o1 = Options("node-1"), o2 = Options("node-2");
  o1.batch = o2.batch = 10;
  Scheduler a(io, clock, Factory(), Shipped(), o1, m1, h1);
  Scheduler b(io, clock, Factory(), Shipped(), o2, m2, h2);
  a.Start();
  b.Start();
  const Timestamp end = kT0 + days(42);
  ASSERT_TRUE(RunUntil(io, [&] { return clock.Now() >= end; }));
  ASSERT_TRUE(RunUntilCaughtUp(io, end - days(1)));
  a.Stop();
  b.Stop();
  a.Join();
  b.Join();
  int pending_due = -1;
  FiringLedger ledger = Ledger(end - days(1), &pending_due);
  EXPECT_EQ(pending_due, 0);
  EXPECT_THAT(ledger.duplicates, ::testing::IsEmpty());
  ExpectEffectsMatchFirings(ledger);
  std::int64_t one = m1.counter("rectify_timer_firings_total", "").value();
  std::int64_t two = m2.counter("rectify_timer_firings_total", "").value();
  EXPECT_EQ(one + two, ledger.fired_timers);
  std::cout << "node-1 fired " << one << ", node-2 fired " << two << "\n";
}

INSTANTIATE_TEST_SUITE_P(Postgres, TwoNodesTest, ::testing::Values(Backend::kPostgresql),
                         BackendTestName);

// Weeks of backlog (the node was down, or its database was) fired by one node's two workers on
// PostgreSQL, one of them slow to commit escalation steps: the fast one claims on down the due
// order while the slow one still holds its batch, so it claims later steps of items whose
// earlier step the slow one holds. Every step must still take effect, once: none may be passed
// over (cancelled because a later one committed first).
class TwoWorkersTest : public SchedulerTest {};

TEST_P(TwoWorkersTest, ABacklogFiredByAFastAndASlowWorkerPassesOverNoEscalationStep) {
  RegisterItems(100);
  AcceleratedClock clock(kT0 + days(60), 1.0);
  boost::asio::io_context io;
  Metrics metrics;
  Health health;
  SchedulerOptions o = Options("node-1");
  o.workers = 2;
  o.batch = 10;
  auto opened = std::make_shared<std::atomic<int>>(0);
  scheduler::StoreFactory plain = Factory();
  scheduler::StoreFactory factory = [plain, opened]() -> Result<std::unique_ptr<Store>> {
    auto store = plain();
    if (!store || (*opened)++ > 0) return store;
    std::unique_ptr<Store> slow =
        std::make_unique<SlowEscalations>(std::move(*store), milliseconds(300));
    return slow;
  };
  Scheduler s(io, clock, factory, Shipped(), o, metrics, health);
  s.Start();
  ASSERT_TRUE(RunUntil(
      io, [&] { return s.phase() == NodePhase::kServing; }, seconds(60)))
      << health.reason();
  s.Stop();
  s.Join();
  Pump(io, milliseconds(50));
  int pending_due = -1;
  FiringLedger ledger = Ledger(kT0 + days(60), &pending_due);
  EXPECT_EQ(pending_due, 0);
  EXPECT_THAT(ledger.duplicates, ::testing::IsEmpty());
  EXPECT_GT(ledger.effects, 100 * 4);
  ExpectEffectsMatchFirings(ledger);
}

INSTANTIATE_TEST_SUITE_P(Postgres, TwoWorkersTest, ::testing::Values(Backend::kPostgresql),
                         BackendTestName);

TEST(HorizonTest, KeepsTheEarliestWithinItsLimitAndPopsWhatIsDue) {
  scheduler::Horizon h(3);
  for (int s : {50, 10, 40, 30, 20}) h.Add(kT0 + seconds(s));
  EXPECT_EQ(h.size(), 3u);
  EXPECT_TRUE(h.truncated());
  EXPECT_EQ(h.Next(), kT0 + seconds(10));
  EXPECT_EQ(h.PopDue(kT0 + seconds(20)), 2u);
  EXPECT_EQ(h.Next(), kT0 + seconds(30));
  h.Replace({kT0 + seconds(5)}, true);
  EXPECT_FALSE(h.truncated());
  EXPECT_EQ(h.PopDue(kT0), 0u);
  EXPECT_EQ(h.PopDue(kT0 + seconds(5)), 1u);
  EXPECT_FALSE(h.Next().has_value());
}

TEST(NodeLifecycleTest, GoesStartingRecoveringServingDrainingStopped) {
  scheduler::NodeLifecycle life;
  EXPECT_EQ(life.phase(), NodePhase::kStarting);
  EXPECT_FALSE(life.Process(scheduler::NodeEvent::kCaughtUp).ok());
  EXPECT_TRUE(life.Process(scheduler::NodeEvent::kOpened).ok());
  EXPECT_TRUE(life.Process(scheduler::NodeEvent::kCaughtUp).ok());
  EXPECT_EQ(life.phase(), NodePhase::kServing);
  auto refused = life.Process(scheduler::NodeEvent::kOpened);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message(), ::testing::HasSubstr("serving"));
  EXPECT_TRUE(life.Process(scheduler::NodeEvent::kDrain).ok());
  EXPECT_TRUE(life.Process(scheduler::NodeEvent::kDrained).ok());
  EXPECT_EQ(life.phase(), NodePhase::kStopped);
}

}  // namespace
}  // namespace rectify::test
