// Statements prepared once per PostgreSQL connection (store_soci::Database::PreparedName, run
// through store_soci::Statement): the server parses and plans each of the store's statements once
// per connection and runs it by name afterwards; a statement the server no longer has, and a
// connection that was cut and opened again, do not leave the store using names that are gone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/store/soci/batch.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_idempotency_store.h"
#include "adapters/store/soci/soci_store.h"
#include "tests/store/store_test_env.h"

namespace rectify {
namespace {

using ::testing::HasSubstr;

const Timestamp kT0 = FromMicros(1492732800000000);  // 2017-04-21T00:00:00Z

InstanceRecord Item(const std::string& id, const std::string& state) {
  InstanceRecord r;
  r.id = id;
  r.workflow = "rectification-item";
  r.workflow_version = 1;
  r.campaign = "xinshao-2017";
  r.unit_id = "town-1";
  r.state = state;
  r.data_json = R"({"title":"road repair"})";
  r.created_at = kT0;
  r.updated_at = kT0;
  return r;
}

AuditRecord Audit(const std::string& instance, std::int64_t seq, const std::string& to) {
  AuditRecord a;
  a.instance_id = instance;
  a.seq = seq;
  a.at = kT0 + std::chrono::hours(seq);
  a.actor = "inspector-1";
  a.event = "submit";
  a.from_state = "registered";
  a.to_state = to;
  a.reason = "round " + std::to_string(seq);
  a.data_json = "{}";
  a.prev_hash = seq == 1 ? "" : "h" + std::to_string(seq - 1);
  a.hash = "h" + std::to_string(seq);
  return a;
}

class PreparedStatementsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(store_soci::Backend::kPostgresql);
    ASSERT_TRUE(db) << db.error().message();
    db_ = std::move(*db);
    ASSERT_NO_FATAL_FAILURE(Open());
  }

  // A new connection, migrated, and the store on it; `database_` stays the store's connection.
  void Open() {
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    ASSERT_TRUE(url);
    auto opened = store_soci::Database::Open(*url, {});
    ASSERT_TRUE(opened) << opened.error().message();
    store_soci::Migrator migrator(**opened, test::ShippedMigrations());
    auto applied = migrator.Migrate(kT0);
    ASSERT_TRUE(applied) << applied.error().message();
    database_ = opened->get();
    store_ = store_soci::MakeStore(std::move(*opened));
  }

  // One event on item-1 as the engine commits it: the instance at its expected version, with
  // its audit row.
  Status Step(std::int64_t seq) {
    ChangeSet c;
    c.instance_updates.push_back({Item("item-1", "state-" + std::to_string(seq)), seq});
    c.audit_appends.push_back(Audit("item-1", seq, "state-" + std::to_string(seq)));
    return store_->Commit(c);
  }

  // What PostgreSQL holds prepared on the store's own connection.
  long long PreparedOnServer(const std::string& like) {
    long long n = -1;
    database_->session() << "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :s",
        soci::use(like), soci::into(n);
    return n;
  }

  std::unique_ptr<test::TestDatabase> db_;
  store_soci::Database* database_ = nullptr;
  std::unique_ptr<Store> store_;
};

TEST_F(PreparedStatementsTest, EachStatementIsPreparedOnceOnTheConnectionAndReusedByEveryCommit) {
  ChangeSet first;
  first.instance_inserts.push_back(Item("item-1", "registered"));
  ASSERT_TRUE(store_->Commit(first));
  ASSERT_TRUE(Step(1));
  ASSERT_TRUE(store_->LoadInstance("item-1"));
  const long long after_one = PreparedOnServer("%");
  const std::size_t known = database_->prepared_count();
  EXPECT_GT(after_one, 0);

  for (std::int64_t seq = 2; seq <= 30; ++seq) {
    Status s = Step(seq);
    ASSERT_TRUE(s) << s.error().message();
    ASSERT_TRUE(store_->LoadInstance("item-1"));
  }

  // The same statements as after the first event, each prepared once, none added per commit.
  EXPECT_EQ(PreparedOnServer("%"), after_one);
  EXPECT_EQ(database_->prepared_count(), known);
  EXPECT_EQ(PreparedOnServer("INSERT INTO audit_log%"), 1);
  EXPECT_EQ(PreparedOnServer("UPDATE instances AS i SET workflow%"), 1);
  EXPECT_EQ(PreparedOnServer("SELECT % FROM instances WHERE id = $1"), 1);

  // And they did their work every time.
  auto item = store_->LoadInstance("item-1");
  ASSERT_TRUE(item);
  EXPECT_EQ(item->version, 31);
  EXPECT_EQ(item->state, "state-30");
  auto audit = store_->AuditOf("item-1");
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->size(), 30u);
  EXPECT_EQ(audit->back().reason, "round 30");
}

TEST_F(PreparedStatementsTest, ErrorsThroughPreparedStatementsMapAsBefore) {
  ChangeSet first;
  first.instance_inserts.push_back(Item("item-1", "registered"));
  ASSERT_TRUE(store_->Commit(first));
  ASSERT_TRUE(Step(1));

  // The same statements again, now failing: a stale version and a duplicate row.
  Status stale = Step(1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(stale.error().message(), HasSubstr("item-1"));

  store_soci::SociIdempotencyStore keys(*database_);
  ASSERT_TRUE(keys.Begin("xs-0014", "k-1", "hash-a", kT0));
  ASSERT_TRUE(keys.Finish("xs-0014", "k-1", {200, "[]", "{}"}));
  ChangeSet twice;
  twice.instance_inserts.push_back(Item("item-1", "registered"));
  Status dup = store_->Commit(twice);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code(), ErrorCode::kUniqueViolation);

  // A statement the server cannot prepare fails as executing it did: the schema is missing.
  store_soci::Statement st(*database_);
  long long n = 0;
  st.exchange(soci::into(n));
  try {
    st.Prepare("SELECT count(*) FROM no_such_table");
    FAIL() << "prepared a statement over a missing table";
  } catch (const std::exception& e) {
    Error err = database_->MapError(e, "count");
    EXPECT_EQ(err.code(), ErrorCode::kFailedPrecondition);
    EXPECT_THAT(err.message(), HasSubstr("no_such_table"));
  }

  // The connection goes on working, on the statements it kept.
  ASSERT_TRUE(Step(2));
  EXPECT_EQ(PreparedOnServer("INSERT INTO audit_log%"), 1);
}

TEST_F(PreparedStatementsTest, AStatementTheServerLostIsPreparedAgainAfterOneFailure) {
  ChangeSet first;
  first.instance_inserts.push_back(Item("item-1", "registered"));
  ASSERT_TRUE(store_->Commit(first));
  ASSERT_TRUE(Step(1));

  // Something else on the connection dropped every prepared statement.
  database_->session() << "DEALLOCATE ALL";
  ASSERT_EQ(PreparedOnServer("%"), 0);

  Status lost = Step(2);
  ASSERT_FALSE(lost);
  EXPECT_THAT(lost.error().message(), HasSubstr("does not exist"));
  EXPECT_EQ(database_->prepared_count(), 0u);

  Status again = Step(2);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(store_->LoadInstance("item-1")->version, 3);
  EXPECT_EQ(PreparedOnServer("INSERT INTO audit_log%"), 1);
}

TEST_F(PreparedStatementsTest, AConnectionCutByTheServerCommitsAgainOnceItIsOpenedAgain) {
  ChangeSet first;
  first.instance_inserts.push_back(Item("item-1", "registered"));
  ASSERT_TRUE(store_->Commit(first));
  ASSERT_TRUE(Step(1));
  ASSERT_GT(PreparedOnServer("%"), 0);

  int pid = 0;
  database_->session() << "SELECT pg_backend_pid()", soci::into(pid);
  auto url = store_soci::ParseDatabaseUrl(db_->url());
  ASSERT_TRUE(url);
  auto admin = store_soci::Database::Open(*url, {});
  ASSERT_TRUE(admin) << admin.error().message();
  int cut = 0;
  (*admin)->session() << "SELECT pg_terminate_backend(:pid)::int", soci::use(pid), soci::into(cut);
  ASSERT_EQ(cut, 1);

  Status lost = Step(2);
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(database_->prepared_count(), 0u);

  // Opened again, as a restarted worker does: the new connection prepares its own statements.
  ASSERT_NO_FATAL_FAILURE(Open());
  Status again = Step(2);
  ASSERT_TRUE(again) << again.error().message();
  ASSERT_TRUE(Step(3));
  auto item = store_->LoadInstance("item-1");
  ASSERT_TRUE(item);
  EXPECT_EQ(item->version, 4);
  EXPECT_EQ(item->state, "state-3");
  EXPECT_EQ(PreparedOnServer("INSERT INTO audit_log%"), 1);
}

TEST_F(PreparedStatementsTest, StatementsBeyondTheLimitReplaceTheLeastRecentlyUsed) {
  // Texts that differ in a literal (a list's limit, say) are statements of their own.
  const std::size_t extra = store_soci::Database::kMaxPrepared + 10;
  for (std::size_t i = 0; i < extra; ++i) {
    store_soci::Statement st(*database_);
    long long n = 0;
    st.exchange(soci::into(n));
    st.Prepare("SELECT " + std::to_string(i) + "::bigint");
    st.execute(true);
    ASSERT_EQ(n, static_cast<long long>(i));
  }
  EXPECT_EQ(database_->prepared_count(), store_soci::Database::kMaxPrepared);
  EXPECT_EQ(PreparedOnServer("%"), static_cast<long long>(store_soci::Database::kMaxPrepared));
  EXPECT_EQ(PreparedOnServer("SELECT 0::bigint"), 0);
  EXPECT_EQ(PreparedOnServer("SELECT " + std::to_string(extra - 1) + "::bigint"), 1);
}

}  // namespace
}  // namespace rectify
