// The harness of the node tests (node_crash_pgtest.cc, node_multi_pgtest.cc,
// node_outage_pgtest.cc): `rectify serve` processes started on one accelerated timeline with
// /metrics on loopback, waited on until they serve and fire, frozen (SIGSTOP) at a moment they
// hold leases on timers they have claimed and not committed, killed; a clerk (clerk.h) acting on
// the items meanwhile; and the checks every test ends with, read from the database and the audit
// log: every transition the clerk was told had succeeded is there, no reminder or escalation step
// took effect twice, every timer marked fired has its one audit row (and every such row a fired
// timer), every timer that fell due has fired, on items nobody acted on nothing was cancelled but
// reminders a later one superseded, and `rectify audit verify` passes.
//
// The nodes run on an accelerated clock anchored to one real instant (--speed, --from, --anchor),
// so a restarted node goes on with the same timeline. The items' time limits are spread so that
// reminders and escalation steps keep falling due for longer than a test runs (each test checks
// that work was still due when it struck), and every kill and freeze waits for conditions (the
// node serving, its /metrics showing new firings, its leases in the timers table) rather than for
// fixed times, so it lands under load whatever the machine's speed (ASan, a loaded 2-core box).
// RECTIFY_TEST_LONG=1 (make test-long) runs the long mode: more kills and items.
//
// Thread-safety: the test's thread only (the clerk runs its own thread behind its interface).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>
#include <thread>

#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/engine/engine.h"
#include "tests/scheduler/clerk.h"
#include "tests/scheduler/firing_ledger.h"
#include "tests/store/store_test_env.h"
#include "tests/support/child_process.h"
#include "tests/support/loopback_http.h"
#include "tests/support/run_command.h"

namespace rectify::test {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Steady = std::chrono::steady_clock;
using RealSeconds = std::chrono::duration<double>;

inline bool LongMode() {
  const char* v = std::getenv("RECTIFY_TEST_LONG");
  return v && std::string(v) == "1";
}

inline double Since(Steady::time_point t) { return RealSeconds(Steady::now() - t).count(); }

// Waits until `done` holds, looking every `step`; false when `limit` passed first.
inline bool WaitUntil(const std::function<bool()>& done, Steady::duration limit,
                      milliseconds step = milliseconds(50)) {
  auto end = Steady::now() + limit;
  for (;;) {
    if (done()) return true;
    if (Steady::now() > end) return false;
    std::this_thread::sleep_for(step);
  }
}

// The work: `items` rectification items registered and assigned at kClerkT0, with time limits
// from 2wd to (1 + spread)wd. Each has three reminders and eight escalation steps (up to 30wd
// past its time limit), so reminders and steps fall due over some (spread + 30) working days,
// about 1.45 times as many calendar days: with spread 40, some 100 days, which take
// 100 * 86400 / speed seconds of real time.
struct Load {
  int items = 600;
  int spread = 5;
  double speed = 86400.0 * 7;  // engine seconds per real second
  int batch = 40;
  double lease = 1;  // real seconds (serve --lease scales it by --speed)
};

// A `rectify serve` process with /metrics on a loopback port.
struct Node {
  std::string id;
  ChildProcess process;
  int port = 0;

  std::optional<double> Metric(const std::string& name) {
    HttpReply r = HttpGet(port, "/metrics");
    if (r.status != 200) return std::nullopt;
    return MetricValue(r.body, name).value_or(0);
  }
  // Firings this process committed (it restarts at 0 with the process); -1 when /metrics did
  // not answer three times running.
  double Fired() {
    for (int attempt = 0; attempt < 3; ++attempt) {
      if (auto v = Metric("rectify_timer_firings_total")) return *v;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return -1;
  }
  int Health() { return HttpGet(port, "/healthz").status; }
};

// A timer a node held under its lease when the test looked.
struct Lease {
  std::string instance, name;
  long long generation = 0, token = 0;
  std::string key() const { return TimerLedgerKey(instance, name, generation); }
};

class NodeHarness : public ::testing::Test {
 protected:
  void OpenDatabase(Backend backend) {
    auto db = TestDatabase::Create(backend);
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    url_ = db_->url();
  }
  bool postgres() const { return url_.rfind("postgresql:", 0) == 0; }

  // Migrates the database and registers the load's items at kClerkT0.
  void Prepare(const Load& load) {
    load_ = load;
    auto started = Steady::now();
    auto parsed = store_soci::ParseDatabaseUrl(url_);
    auto db = store_soci::Database::Open(*parsed, {});
    ASSERT_TRUE(db.ok()) << db.error().message();
    store_soci::Migrator migrator(**db, ShippedMigrations());
    ASSERT_TRUE(migrator.Migrate(kClerkT0).ok());
    auto store = store_soci::MakeStore(std::move(*db));
    VirtualClock at(kClerkT0);
    engine::Engine engine(*store, at, ClerkDefinitions());
    ASSERT_TRUE(engine.RegisterDefinitions().ok());
    std::vector<engine::Registration> batch;
    for (int i = 0; i < load.items; ++i) {
      engine::Registration r;
      r.item.id = ClerkItemId(i);
      r.item.workflow = "rectification-item";
      r.item.unit = "niangxi";
      r.item.responsible = "xs-0014";
      r.item.title = "问题 " + std::to_string(i);
      r.item.actor = "xs-0009";
      r.item.fields = {{"time_limit", std::to_string(2 + i % load.spread) + "wd"}};
      engine::Command assign;
      assign.event = "assign";
      assign.actor = "xs-0003";
      assign.fields = {{"verifier", "xs-0007"}};
      r.then.push_back(assign);
      batch.push_back(std::move(r));
    }
    auto done = engine.RegisterMany(batch);
    ASSERT_TRUE(done.ok()) << done.error().message();
    std::cout << load.items << " items registered in " << Since(started) << " s\n";
  }

  // Engine time starts now (kClerkT0 at this real instant) for every node and the clerk.
  void StartTimeline() {
    anchor_ = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
  Timestamp EngineNow() const {
    auto real = std::chrono::system_clock::now() - anchor_;
    return kClerkT0 + std::chrono::duration_cast<Duration>(
                          std::chrono::duration<double, std::micro>(real) * load_.speed);
  }
  // What "soon" means when a test checks that work was still falling due: 3 s of real time, and
  // at least 5 days of engine time (a weekend and a holiday bring no reminders or steps).
  Timestamp WorkAhead() const {
    return EngineNow() + std::max<Duration>(EngineSpan(RealSeconds(3)), days(5));
  }
  // Engine time that passes in `real`.
  Duration EngineSpan(RealSeconds real) const {
    return std::chrono::duration_cast<Duration>(real * load_.speed);
  }

  std::vector<std::string> ServeArgs(const std::string& node) const {
    // On PostgreSQL each node's connections carry its id, so the test can see in
    // pg_stat_activity whether a frozen node sits inside a transaction.
    std::string url = postgres() ? url_ + "?application_name=" + node : url_;
    return {"--db",
            url,
            "serve",
            "--node-id",
            node,
            "--speed",
            std::to_string(static_cast<long long>(load_.speed)),
            "--from",
            FormatIso(kClerkT0),
            "--anchor",
            FormatIso(anchor_),
            "--batch",
            std::to_string(load_.batch),
            "--lease",
            std::to_string(load_.lease),
            "--listen",
            "127.0.0.1:0"};
  }

  Node StartNode(const std::string& id) {
    Node n{id, ChildProcess::StartRectify(ServeArgs(id)), 0};
    std::string listening = n.process.WaitForLine("listening on http://", seconds(120));
    EXPECT_NE(listening, "") << n.process.output();
    if (!listening.empty()) n.port = std::atoi(listening.substr(listening.rfind(':') + 1).c_str());
    return n;
  }

  // Waits until the node serves (it has fired what fell due while it was down) and then commits
  // new firings: it is firing under load.
  ::testing::AssertionResult WaitFiringWhileServing(Node& n) {
    auto started = Steady::now();
    if (n.process.WaitForLine("node " + n.id + ": serving", seconds(120)).empty()) {
      return ::testing::AssertionFailure() << n.id << " did not begin to serve within 120 s\n"
                                           << n.process.output();
    }
    double c0 = n.Fired();
    if (c0 < 0) return ::testing::AssertionFailure() << n.id << "'s /metrics did not answer";
    if (!WaitUntil([&] { return n.Fired() > c0; }, seconds(60))) {
      return ::testing::AssertionFailure()
             << n.id << " served but committed no firing for 60 s (fired " << c0
             << " before); the timeline may have run out\n"
             << n.process.output();
    }
    std::cout << n.id << ": serving and firing " << Since(started) << " s after its start\n";
    return ::testing::AssertionSuccess();
  }

  // --- The test's own connection for what it reads from the database, opened again after an
  // error (the outage test stops the server under it).
  template <class F>
  auto Query(F&& f) {
    for (int attempt = 1;; ++attempt) {
      try {
        if (!watch_) {
          auto parsed = store_soci::ParseDatabaseUrl(url_);
          auto db = store_soci::Database::Open(*parsed, {});
          if (!db) throw std::runtime_error(db.error().message());
          watch_ = std::move(*db);
        }
        return f(watch_->session());
      } catch (const std::exception& e) {
        watch_.reset();
        if (attempt == 3) throw;
        std::this_thread::sleep_for(milliseconds(200));
      }
    }
  }

  int PendingDueBy(Timestamp by) {
    return Query([&](soci::session& sql) {
      int n = 0;
      long long us = ToMicros(by);
      sql << "SELECT COUNT(*) FROM timers WHERE state = 'pending' AND due_at <= :by", soci::use(us),
          soci::into(n);
      return n;
    });
  }

  // Pending timers under a live lease of `node`'s workers, now.
  std::vector<Lease> LiveLeases(const std::string& node) {
    return Query([&](soci::session& sql) {
      std::vector<Lease> out;
      Lease l;
      std::string owner = node + "/%";
      long long now = ToMicros(EngineNow());
      soci::statement st =
          (sql.prepare << "SELECT instance_id, name, generation, lease_token FROM timers WHERE "
                          "state = 'pending' AND lease_owner LIKE :o AND lease_until > :now",
           soci::into(l.instance), soci::into(l.name), soci::into(l.generation),
           soci::into(l.token), soci::use(owner), soci::use(now));
      st.execute();
      while (st.fetch()) out.push_back(l);
      return out;
    });
  }

  // Whether one of `node`'s PostgreSQL sessions is inside a statement or a transaction.
  bool InTransaction(const std::string& node) {
    return Query([&](soci::session& sql) {
      int n = 0;
      sql << "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = :a AND state <> "
             "'idle'",
          soci::use(node), soci::into(n);
      return n > 0;
    });
  }

  // Freezes `n` (SIGSTOP) at a moment when it holds leases on timers it has claimed and not yet
  // committed (at least `min_outside_clerk` of them on items the clerk leaves alone): it is
  // frozen mid-batch. With `outside_transaction`, also when none of its sessions
  // is inside a transaction (so its row locks do not keep other nodes off those timers). Tries
  // at random moments, thawing it in between, for up to 60 s; returns the leases (none on
  // time-out) and when the node was frozen.
  std::vector<Lease> FreezeHoldingLeases(Node& n, bool outside_transaction,
                                         Steady::time_point* frozen_at, int* tries = nullptr,
                                         std::size_t min_outside_clerk = 1) {
    std::mt19937 random(static_cast<unsigned>(n.process.pid()));
    std::uniform_int_distribution<int> gap_ms(0, 60);
    auto end = Steady::now() + seconds(60);
    int attempt = 0;
    while (Steady::now() < end) {
      ++attempt;
      if (!n.process.Freeze()) break;
      *frozen_at = Steady::now();
      // A statement the node had sent runs to its end inside PostgreSQL meanwhile.
      std::this_thread::sleep_for(milliseconds(10));
      std::vector<Lease> held = LiveLeases(n.id);
      if (OutsideClerk(held).size() >= min_outside_clerk &&
          (!outside_transaction || !InTransaction(n.id))) {
        if (tries) *tries = attempt;
        return held;
      }
      n.process.Thaw();
      std::this_thread::sleep_for(milliseconds(gap_ms(random)));
    }
    if (tries) *tries = attempt;
    return {};
  }

  // Waits until none of `held` is pending any more (another node fired them, or the clerk's
  // transition cancelled them); seconds since `frozen_at`, or -1 on time-out.
  double WaitTakenOver(const std::vector<Lease>& held, Steady::time_point frozen_at) {
    bool done = WaitUntil(
        [&] {
          return Query([&](soci::session& sql) {
            for (const Lease& l : held) {
              std::string state;
              sql << "SELECT state FROM timers WHERE instance_id = :i AND name = :n AND "
                     "generation = :g",
                  soci::use(l.instance), soci::use(l.name), soci::use(l.generation),
                  soci::into(state);
              if (state == "pending") return false;
            }
            return true;
          });
        },
        seconds(60), milliseconds(20));
    return done ? Since(frozen_at) : -1;
  }

  // What became of timers `node` held: fired under another node's lease (a newer token), fired
  // under `node`'s own lease (after it lost it: must not happen), cancelled (by the clerk's
  // transition, or a reminder superseded by a later one), or still pending.
  struct Fate {
    int by_others = 0, by_owner = 0, cancelled = 0, pending = 0;
  };
  Fate FateOf(const std::vector<Lease>& held, const std::string& node) {
    return Query([&](soci::session& sql) {
      Fate f;
      for (const Lease& l : held) {
        std::string state, owner;
        long long token = 0;
        sql << "SELECT state, lease_owner, lease_token FROM timers WHERE instance_id = :i AND "
               "name = :n AND generation = :g",
            soci::use(l.instance), soci::use(l.name), soci::use(l.generation), soci::into(state),
            soci::into(owner), soci::into(token);
        if (state == "pending") {
          ++f.pending;
        } else if (state != "fired") {
          ++f.cancelled;
        } else if (owner.rfind(node + "/", 0) == 0 || token == l.token) {
          ++f.by_owner;
        } else {
          ++f.by_others;
        }
      }
      return f;
    });
  }

  // Whether the clerk acts on `instance` (or on the item whose escalation step opened it).
  bool Touched(const std::string& instance) const {
    return clerk_items_.count(instance.substr(0, instance.find('/'))) > 0;
  }
  // The leases on timers of items the clerk leaves alone: nothing but a node can end those.
  std::vector<Lease> OutsideClerk(const std::vector<Lease>& held) const {
    std::vector<Lease> out;
    for (const Lease& l : held) {
      if (!Touched(l.instance)) out.push_back(l);
    }
    return out;
  }

  // On the items nobody acted on, a timer ends only by firing, or (a reminder) superseded by a
  // later reminder that fired: any other cancellation is a reminder or escalation step lost.
  void ExpectNothingLostOnUntouchedItems(const FiringLedger& ledger) {
    std::vector<std::string> lost;
    for (const auto& [instance, timers] : ledger.cancelled) {
      if (Touched(instance)) continue;
      for (const std::string& t : timers) {
        std::string key = instance + " " + t;
        if (!ledger.superseded_reminders.count(key)) lost.push_back(key);
      }
    }
    EXPECT_THAT(lost, ::testing::IsEmpty())
        << "timers of items nobody acted on were cancelled, not fired (escalation steps passed "
           "over, or reminders no later reminder superseded)";
  }

  // Every one of `held` (those on items the clerk leaves alone) took effect once after all:
  // fired, or a reminder superseded by a later one that fired.
  void ExpectHeldTookEffect(const FiringLedger& ledger, const std::vector<Lease>& held) {
    for (const Lease& l : OutsideClerk(held)) {
      auto it = ledger.effect_count.find(l.key());
      int effects = it == ledger.effect_count.end() ? 0 : it->second;
      if (ledger.superseded_reminders.count(l.key())) {
        EXPECT_EQ(effects, 0) << l.key();
      } else {
        EXPECT_TRUE(ledger.fired.count(l.key())) << l.key() << " was never fired";
        EXPECT_EQ(effects, 1) << l.key();
      }
    }
  }

  // Waits until every timer due by a moment half a second (real) ago has fired; that moment, by
  // which nothing is left pending from then on. Call with the clerk stopped.
  Timestamp WaitCaughtUp() {
    Timestamp by{};
    bool done = WaitUntil(
        [&] {
          by = EngineNow() - EngineSpan(RealSeconds(0.5));
          return PendingDueBy(by) == 0;
        },
        seconds(120), milliseconds(100));
    EXPECT_TRUE(done) << "the nodes did not catch up within 120 s: " << PendingDueBy(by)
                      << " timers due by " << FormatIso(by) << " still pending";
    return by;
  }

  // The checks every test ends with: nothing twice, nothing due left unfired, every fired timer
  // with its one audit row and every such row with its fired timer, the audit chain whole.
  FiringLedger ExpectExactlyOnceUpTo(Timestamp due_by) {
    watch_.reset();
    int pending_due = -1;
    FiringLedger ledger = ReadFiringLedger(url_, due_by, &pending_due);
    EXPECT_THAT(ledger.duplicates, ::testing::IsEmpty()) << "an effect was applied twice";
    EXPECT_EQ(pending_due, 0) << "timers that fell due by " << FormatIso(due_by)
                              << " were not fired";
    EXPECT_GT(ledger.effects, 0);
    EXPECT_THAT(ledger.fired_without_effect, ::testing::IsEmpty())
        << "timers marked fired whose reminder or escalation step never took effect";
    EXPECT_THAT(ledger.effect_without_firing, ::testing::IsEmpty())
        << "reminders or escalation steps whose timer is not marked fired";
    ExpectNothingLostOnUntouchedItems(ledger);
    CommandResult verify = RunRectify({"--db", url_, "audit", "verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    std::cout << "ledger: " << ledger.effects << " reminders and escalation steps (" << ledger.late
              << " late), " << ledger.fired_timers << " timers fired, " << ledger.pending_timers
              << " pending; fired by kind:";
    for (const auto& [kind, n] : ledger.fired_by_kind) std::cout << " " << kind << " " << n;
    std::cout << "\n";
    return ledger;
  }

  std::unique_ptr<Clerk> StartClerk(std::uint32_t seed) {
    int pool = std::max(20, load_.items / 5);
    for (int i = 0; i < pool; ++i) clerk_items_.insert(ClerkItemId(i));
    auto c = std::make_unique<Clerk>(url_, pool, load_.speed, anchor_, seed);
    c->Start();
    return c;
  }

  // Stops the clerk and checks its transitions against the database and the audit log.
  void ExpectClerkWorkKept(Clerk& clerk, bool strict) {
    clerk.Stop();
    ClerkCheck check = clerk.Check(strict);
    EXPECT_THAT(check.problems, ::testing::IsEmpty());
    EXPECT_GE(check.succeeded, 10) << "the clerk got too few transitions through to test them";
    std::cout << "clerk: " << check.succeeded << " transitions succeeded, " << check.failed
              << " failed\n";
  }

  void TearDown() override { watch_.reset(); }

  std::unique_ptr<TestDatabase> db_;
  std::string url_;
  Load load_;
  Timestamp anchor_{};
  std::unique_ptr<store_soci::Database> watch_;
  std::set<std::string> clerk_items_;
};

// The bound on a takeover: the dead node's lease (1 s), a survivor's own poll for due timers
// (1 s, the scheduler's default), and a margin for a loaded 2-core machine under ASan, where the
// survivors may be inside a batch of their own and the kernel schedules several processes.
constexpr double kPollSeconds = 1.0;
constexpr double kLoadedMachineMargin = 3.0;

}  // namespace rectify::test
