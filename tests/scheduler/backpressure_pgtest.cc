// Back-pressure (issue 5, point 4): when more work is due than a node commits at once, the work
// waits in the database, the node's memory stays within its bounds (the horizon's limit, one batch
// per worker), and its metrics say so: batches come back full (rectify_scheduler_saturated), the
// backlog of due timers shrinks as it drains (rectify_scheduler_due_timers), and both fall to zero
// once it has caught up. On SQLite with two workers and on PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/scheduler/scheduler.h"
#include "tests/store/store_test_env.h"

namespace rectify::test {
namespace {

using std::chrono::milliseconds;

Timestamp T(const char* iso) { return *ParseIso(iso); }
const Timestamp kT0 = T("2017-04-21T09:00:00+08:00");

std::shared_ptr<const definition::DefinitionSet> Definitions() {
  static auto set = [] {
    Diagnostics diags;
    auto s = definition::LoadDefinitions({std::string(RECTIFY_SOURCE_DIR) + "/workflows",
                                          std::string(RECTIFY_SOURCE_DIR) + "/bench/definitions"},
                                         diags);
    EXPECT_TRUE(s.ok()) << diags.Format();
    return s.ok() ? *s : nullptr;
  }();
  return set;
}

class BackpressureTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    auto store = OpenMigratedStore(*db_, kT0);
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_ = std::move(*store);
  }

  // `n` benchmark items registered at kT0: each one's first escalation step falls due an hour
  // later (bench/definitions/bench-item.yaml).
  void Register(int n) {
    VirtualClock at(kT0);
    engine::Engine engine(*store_, at, Definitions());
    ASSERT_TRUE(engine.RegisterDefinitions().ok());
    std::vector<engine::Registration> batch;
    for (int i = 0; i < n; ++i) {
      engine::Registration r;
      r.item.id = "P-" + std::to_string(10000 + i);
      r.item.workflow = "bench-item";
      r.item.unit = "niangxi";
      r.item.responsible = "xs-0014";
      r.item.title = "backlog";
      r.item.actor = "xs-0009";
      batch.push_back(std::move(r));
    }
    auto done = engine.RegisterMany(batch);
    ASSERT_TRUE(done.ok()) << done.error().message();
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

TEST_P(BackpressureTest, ABacklogWaitsInTheDatabaseWithinBoundsAndTheMetricsSaySo) {
  constexpr int kItems = 3000;
  Register(kItems);
  // Two hours later every item's first step is due at once: sixty batches of 50.
  AcceleratedClock clock(kT0 + std::chrono::hours(2), 1.0);
  boost::asio::io_context io;
  Metrics metrics;
  Health health;
  scheduler::SchedulerOptions o;
  o.node_id = "node-a";
  o.workers = 2;
  o.batch = 50;
  o.horizon_limit = 200;         // the memory bound under test: far fewer than the backlog
  o.refresh = Duration::zero();  // read the horizon (and the backlog) after every batch
  std::string url = db_->url();
  scheduler::Scheduler node(
      io, clock,
      [url]() -> Result<std::unique_ptr<Store>> {
        auto parsed = store_soci::ParseDatabaseUrl(url);
        if (!parsed) return parsed.error();
        return store_soci::OpenStore(*parsed, {});
      },
      Definitions(), o, metrics, health);
  std::int64_t fired = 0;
  std::size_t max_horizon = 0;
  std::vector<double> backlog_seen;
  bool saw_saturated = false;
  auto& saturated = metrics.gauge("rectify_scheduler_saturated", "", {{"worker", "0"}});
  auto& backlog = metrics.gauge("rectify_scheduler_due_timers", "");
  node.OnBatch([&](const scheduler::BatchEvent& b) {
    fired += b.report.timers;
    max_horizon = std::max(max_horizon, node.horizon_size());
    saw_saturated = saw_saturated || saturated.value() == 1;
    backlog_seen.push_back(backlog.value());
  });
  node.Start();
  auto guard = boost::asio::make_work_guard(io);
  SteadyTime deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (fired < kItems && std::chrono::steady_clock::now() < deadline) {
    io.run_for(milliseconds(5));
  }
  // Let the workers see an empty claim and the next horizon read come back.
  SteadyTime settle = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (std::chrono::steady_clock::now() < settle &&
         (saturated.value() != 0 || backlog.value() != 0)) {
    io.run_for(milliseconds(20));
  }
  node.Stop();
  node.Join();
  io.poll();

  EXPECT_EQ(fired, kItems);
  EXPECT_TRUE(saw_saturated) << "batches came back full while the backlog drained";
  ASSERT_FALSE(backlog_seen.empty());
  EXPECT_GE(*std::max_element(backlog_seen.begin(), backlog_seen.end()), 100)
      << "the backlog was seen (capped at the horizon limit)";
  EXPECT_LE(*std::max_element(backlog_seen.begin(), backlog_seen.end()),
            static_cast<double>(o.horizon_limit));
  EXPECT_LE(max_horizon, o.horizon_limit) << "the in-memory horizon stays within its limit";
  EXPECT_EQ(saturated.value(), 0) << "caught up";
  EXPECT_EQ(backlog.value(), 0) << "caught up";
  auto due = store_->DueTimers(clock.Now(), 10);
  ASSERT_TRUE(due.ok());
  EXPECT_TRUE(due->empty());
  // The metrics page says it too.
  std::string page = metrics.RenderPrometheus();
  EXPECT_THAT(page, ::testing::HasSubstr("rectify_scheduler_saturated{worker=\"0\"} 0"));
  EXPECT_THAT(page, ::testing::HasSubstr("rectify_scheduler_due_timers 0"));
}

INSTANTIATE_TEST_SUITE_P(Sqlite, BackpressureTest, ::testing::Values(Backend::kSqlite),
                         BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, BackpressureTest, ::testing::Values(Backend::kPostgresql),
                         BackendTestName);

}  // namespace
}  // namespace rectify::test
