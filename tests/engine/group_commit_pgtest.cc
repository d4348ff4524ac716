// Group commit (rectify/engine/group_commit.h) on SQLite and PostgreSQL: six engines, each on a
// connection of its own, act at once on six items, as six API workers do. The first commits alone
// while the other five queue up behind it; they must then commit in one transaction, each with
// its own outcome: a conflicting one alone fails, a database failure in the middle of a group
// answers each member with an error and commits nothing that failed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "rectify/engine/group_commit.h"
#include "tests/engine/engine_fixture.h"

namespace rectify {
namespace {

using store_soci::Backend;
using ::testing::HasSubstr;

constexpr int kWorkers = 6;

std::string ItemId(int i) { return "G-" + std::to_string(i); }

class GroupCommitTest : public test::EngineFixture {
 protected:
  GroupCommitTest() : EngineFixture("2017-06-01T09:00:00+08:00") {}

  void SetUp() override {
    EngineFixture::SetUp();
    if (HasFatalFailure()) return;
    for (int i = 0; i < kWorkers; ++i) {
      engine::NewInstance req;
      req.id = ItemId(i);
      req.workflow = "rectification-item";
      req.unit = "niangxi";
      req.responsible = "xs-0014";
      req.title = "危房改造对象识别不准";
      req.actor = "xs-0009";
      req.fields = {{"time_limit", "10wd"}};
      auto item = engine_->Register(req);
      ASSERT_TRUE(item.ok()) << item.error().message();
    }
    for (int i = 0; i < kWorkers; ++i) {
      stores_.push_back(OpenStore(clock_.Now()));
      ASSERT_NE(stores_.back(), nullptr);
      engines_.push_back(std::make_unique<engine::Engine>(*stores_.back(), clock_, definitions_));
      engines_.back()->SetCommitFunction(commits_.Function());
    }
  }

  // The inspector assigns item i, as it stood at version 1 (an If-Match "1").
  static engine::Command Assign(int i) {
    engine::Command c;
    c.instance_id = ItemId(i);
    c.event = "assign";
    c.actor = "xs-0003";
    c.fields = {{"verifier", "xs-0007"}};
    c.expected_version = 1;
    return c;
  }

  struct Outcome {
    std::optional<Result<engine::Instance>> acted;
    // The item read back on the worker's own connection once the act returned, as the API's
    // answer reads it.
    std::optional<Result<engine::Instance>> read_back;
  };

  // Each worker assigns its item on its own thread: worker 0 first, the others once worker 0 is
  // inside its commit, which waits until they are all queued behind it. `stale[i]`: worker i acts
  // on that instance as it read it, without reading it again.
  std::vector<Outcome> AssignAtOnce(std::vector<std::optional<engine::Instance>> stale = {}) {
    stale.resize(kWorkers);
    std::vector<Outcome> out(kWorkers);
    auto act = [&](int i) {
      out[i].acted =
          stale[i] ? engines_[i]->Act(Assign(i), *stale[i]) : engines_[i]->Act(Assign(i));
      out[i].read_back = engines_[i]->Load(ItemId(i));
    };
    std::thread first(act, 0);
    WaitFor([&] { return leader_inside_.load(); });
    std::vector<std::thread> rest;
    for (int i = 1; i < kWorkers; ++i) rest.emplace_back(act, i);
    first.join();
    for (auto& t : rest) t.join();
    return out;
  }

  // The items' versions and their "assign" audit rows, read on a fresh connection.
  std::vector<std::string> Committed() {
    auto store = OpenStore(clock_.Now());
    std::vector<std::string> out;
    if (!store) return out;
    for (int i = 0; i < kWorkers; ++i) {
      auto record = store->LoadInstance(ItemId(i));
      auto audit = store->AuditOf(ItemId(i));
      EXPECT_TRUE(record.ok() && audit.ok());
      if (!record.ok() || !audit.ok()) continue;
      int assigns = 0;
      for (const auto& a : *audit) assigns += a.event == "assign" ? 1 : 0;
      out.push_back(ItemId(i) + " v" + std::to_string(record->version) + " " + record->state + " " +
                    std::to_string(assigns) + " assign");
    }
    return out;
  }

  // SQL on a connection of the test's own.
  void Exec(const std::string& sql) {
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    auto db = store_soci::Database::Open(*url, {});
    ASSERT_TRUE(db.ok()) << db.error().message();
    int line = 0;
    Status s = (*db)->ExecScript(sql, &line);
    ASSERT_TRUE(s.ok()) << s.error().message();
  }

  // A trigger that refuses the audit rows of the items `condition` names (on NEW.instance_id):
  // the database fails a commit in its middle, after the items' rows were written.
  void RefuseAuditRows(const std::string& condition) {
    if (GetParam() == Backend::kSqlite) {
      Exec("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log WHEN " + condition +
           " BEGIN SELECT RAISE(ABORT, 'audit row refused by the test'); END;");
    } else {
      Exec("CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF " +
           condition +
           " THEN RAISE EXCEPTION 'audit row refused by the test'; END IF; RETURN NEW; END $$;\n"
           "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION "
           "refuse_audit();");
    }
  }

  static void WaitFor(const std::function<bool()>& ready) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!ready() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  // The store commit under the group commit: the first waits until every worker is queued; the
  // n-th (from 1) runs before_commit_(n) first.
  Status InnerCommit(Store& store, const ChangeSet& changes) {
    int n = ++inner_calls_;
    if (n == 1) {
      leader_inside_ = true;
      WaitFor([&] { return commits_.queued() == kWorkers; });
    }
    if (before_commit_) before_commit_(n);
    return store.Commit(changes);
  }

  std::atomic<int> inner_calls_{0};
  std::atomic<bool> leader_inside_{false};
  std::function<void(int)> before_commit_;
  engine::GroupCommit commits_{
      [this](Store& store, const ChangeSet& changes) { return InnerCommit(store, changes); }};
  std::vector<std::unique_ptr<Store>> stores_;
  std::vector<std::unique_ptr<engine::Engine>> engines_;
};

TEST_P(GroupCommitTest, EventsSentAtOnceCommitInOneTransactionEachWithItsAnswer) {
  std::vector<Outcome> out = AssignAtOnce();
  for (int i = 0; i < kWorkers; ++i) {
    ASSERT_TRUE(out[i].acted->ok()) << i << ": " << out[i].acted->error().message();
    EXPECT_EQ((*out[i].acted)->record.id, ItemId(i));
    EXPECT_EQ((*out[i].acted)->record.state, "rectifying");
    EXPECT_EQ((*out[i].acted)->record.version, 2);
    // Read back on the worker's own connection, which did not commit it: committed already.
    ASSERT_TRUE(out[i].read_back->ok());
    EXPECT_EQ((*out[i].read_back)->record.version, 2) << ItemId(i);
    EXPECT_EQ((*out[i].read_back)->record.state, "rectifying") << ItemId(i);
  }
  engine::GroupCommit::Stats stats = commits_.stats();
  EXPECT_EQ(stats.change_sets, kWorkers);
  EXPECT_EQ(stats.groups, 2);  // worker 0 alone, then the five queued behind it
  EXPECT_EQ(stats.transactions, 2);
  EXPECT_THAT(Committed(),
              ::testing::ElementsAre("G-0 v2 rectifying 1 assign", "G-1 v2 rectifying 1 assign",
                                     "G-2 v2 rectifying 1 assign", "G-3 v2 rectifying 1 assign",
                                     "G-4 v2 rectifying 1 assign", "G-5 v2 rectifying 1 assign"));
}

TEST_P(GroupCommitTest, AConflictingEventFailsAloneAndTheOthersCommit) {
  // Worker 3 read G-3 at version 1; someone else assigns it before worker 3's commit.
  std::vector<std::optional<engine::Instance>> stale(kWorkers);
  stale[3] = Load(ItemId(3));
  engine::Command other = Assign(3);
  other.fields = {{"verifier", "xs-0008"}};
  ASSERT_TRUE(engine_->Act(other).ok());

  std::vector<Outcome> out = AssignAtOnce(stale);
  for (int i = 0; i < kWorkers; ++i) {
    if (i == 3) continue;
    ASSERT_TRUE(out[i].acted->ok()) << i << ": " << out[i].acted->error().message();
    EXPECT_EQ((*out[i].acted)->record.version, 2);
  }
  ASSERT_FALSE(out[3].acted->ok());
  EXPECT_EQ(out[3].acted->error().code(), ErrorCode::kConflict) << out[3].acted->error().message();
  // The group of five failed on G-3, was split, and the four others committed.
  engine::GroupCommit::Stats stats = commits_.stats();
  EXPECT_EQ(stats.groups, 2);
  EXPECT_GT(stats.transactions, 2);
  EXPECT_THAT(Committed(),
              ::testing::ElementsAre("G-0 v2 rectifying 1 assign", "G-1 v2 rectifying 1 assign",
                                     "G-2 v2 rectifying 1 assign", "G-3 v2 rectifying 1 assign",
                                     "G-4 v2 rectifying 1 assign", "G-5 v2 rectifying 1 assign"));
  // G-3's one assignment is the other one's (verifier xs-0008), not worker 3's.
  EXPECT_EQ(Load(ItemId(3)).fields["verifier"], "xs-0008");
}

TEST_P(GroupCommitTest, ARowTheDatabaseRefusesFailsItsEventAloneAndCommitsNothingOfIt) {
  RefuseAuditRows("NEW.instance_id = 'G-2'");
  std::vector<Outcome> out = AssignAtOnce();
  for (int i = 0; i < kWorkers; ++i) {
    if (i == 2) continue;
    ASSERT_TRUE(out[i].acted->ok()) << i << ": " << out[i].acted->error().message();
  }
  ASSERT_FALSE(out[2].acted->ok());
  EXPECT_THAT(out[2].acted->error().message(), HasSubstr("audit row refused by the test"));
  EXPECT_THAT(Committed(),
              ::testing::ElementsAre("G-0 v2 rectifying 1 assign", "G-1 v2 rectifying 1 assign",
                                     "G-2 v1 registered 0 assign", "G-3 v2 rectifying 1 assign",
                                     "G-4 v2 rectifying 1 assign", "G-5 v2 rectifying 1 assign"));
}

TEST_P(GroupCommitTest, ADatabaseFailingEveryCommitAnswersEachEventWithAnErrorAndCommitsNothing) {
  // Worker 0's commit goes through; then the database refuses every audit row.
  before_commit_ = [this](int n) {
    if (n == 2) RefuseAuditRows("NEW.instance_id LIKE 'G-%'");
  };
  std::vector<Outcome> out = AssignAtOnce();
  ASSERT_TRUE(out[0].acted->ok()) << out[0].acted->error().message();
  for (int i = 1; i < kWorkers; ++i) {
    ASSERT_FALSE(out[i].acted->ok()) << i;
    EXPECT_THAT(out[i].acted->error().message(), HasSubstr("audit row refused by the test"));
  }
  EXPECT_THAT(Committed(),
              ::testing::ElementsAre("G-0 v2 rectifying 1 assign", "G-1 v1 registered 0 assign",
                                     "G-2 v1 registered 0 assign", "G-3 v1 registered 0 assign",
                                     "G-4 v1 registered 0 assign", "G-5 v1 registered 0 assign"));
}

TEST_P(GroupCommitTest, TheSameItemTwiceAtOnceCommitsInTurnAndTheSecondMeetsTheFirst) {
  // Workers 1 and 2 both assign G-1 at version 1: never in one group; the later one is a conflict
  // (an If-Match that no longer holds), as it would be without grouping.
  std::vector<std::optional<engine::Instance>> stale(kWorkers);
  std::vector<Outcome> out(kWorkers);
  auto act = [&](int i) {
    engine::Command c = Assign(i == 2 ? 1 : i);
    out[i].acted = engines_[i]->Act(c);
  };
  std::thread first(act, 0);
  WaitFor([&] { return leader_inside_.load(); });
  std::vector<std::thread> rest;
  for (int i = 1; i < kWorkers; ++i) rest.emplace_back(act, i);
  first.join();
  for (auto& t : rest) t.join();
  int ok = 0, conflicts = 0;
  for (int i : {1, 2}) {
    if (out[i].acted->ok()) {
      ++ok;
    } else if (out[i].acted->error().code() == ErrorCode::kConflict) {
      ++conflicts;
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflicts, 1);
  // G-1 and G-2: the three groups are worker 0, then the others but one of G-1's, then that one.
  EXPECT_EQ(commits_.stats().groups, 3);
  EXPECT_THAT(Committed(),
              ::testing::ElementsAre("G-0 v2 rectifying 1 assign", "G-1 v2 rectifying 1 assign",
                                     "G-2 v1 registered 0 assign", "G-3 v2 rectifying 1 assign",
                                     "G-4 v2 rectifying 1 assign", "G-5 v2 rectifying 1 assign"));
}

INSTANTIATE_TEST_SUITE_P(Backends, GroupCommitTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
