// Migrations on both backends: twice is a no-op, a changed or missing applied file is refused,
// a failing migration leaves the database as it was and names the file and line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "tests/store/store_test_env.h"

namespace rectify {
namespace {

using store_soci::Backend;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

const Timestamp kT0 = FromMicros(1492732800000000);

class MigratorTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    test_db_ = std::move(*db);
    migrations_ = test_db_->dir().File("migrations");
    fs::create_directories(migrations_);
    // The mechanism is under test, not the shipped set: start from the first shipped migration
    // only, and let each test add its own 0002, 0003, ...
    for (const auto& entry : fs::directory_iterator(test::ShippedMigrations())) {
      if (entry.path().filename().string().starts_with("0001_")) {
        fs::copy_file(entry.path(), migrations_ / entry.path().filename());
      }
    }
    auto url = store_soci::ParseDatabaseUrl(test_db_->url());
    ASSERT_TRUE(url.ok());
    auto opened = store_soci::Database::Open(*url, {});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    db_ = std::move(*opened);
  }

  store_soci::Migrator MakeMigrator() { return {*db_, migrations_.string()}; }

  void Write(const std::string& name, const std::string& text) {
    std::ofstream(migrations_ / name) << text;
  }

  // The file 0001 runs on this backend.
  fs::path Initial() const {
    return migrations_ / (GetParam() == Backend::kSqlite ? "0001_initial.sqlite.sql"
                                                         : "0001_initial.postgresql.sql");
  }

  std::unique_ptr<test::TestDatabase> test_db_;
  fs::path migrations_;
  std::unique_ptr<store_soci::Database> db_;
};

TEST_P(MigratorTest, RunningTwiceAppliesNothingTheSecondTime) {
  auto first = MakeMigrator().Migrate(kT0);
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().version, 1);
  EXPECT_EQ(first->front().name, "initial");
  EXPECT_EQ(first->front().path, Initial().string());

  auto second = MakeMigrator().Migrate(kT0 + std::chrono::hours(1));
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_TRUE(second->empty());

  auto state = MakeMigrator().Check();
  ASSERT_TRUE(state.ok());
  ASSERT_EQ(state->applied.size(), 1u);
  EXPECT_EQ(state->version(), 1);
  EXPECT_EQ(state->applied.front().applied_at, kT0);
  EXPECT_EQ(state->applied.front().checksum, first->front().checksum);
  EXPECT_TRUE(state->pending.empty());
}

TEST_P(MigratorTest, ANeverMigratedDatabaseIsAtVersionZeroWithEverythingPending) {
  auto state = MakeMigrator().Check();
  ASSERT_TRUE(state.ok()) << state.error().message();
  EXPECT_EQ(state->version(), 0);
  ASSERT_EQ(state->pending.size(), 1u);
  EXPECT_EQ(db_->TableExists("schema_migrations").value(), false) << "Check changes nothing";
}

TEST_P(MigratorTest, AChangedAppliedMigrationIsRefused) {
  ASSERT_TRUE(MakeMigrator().Migrate(kT0).ok());
  std::ofstream(Initial(), std::ios::app) << "\n-- an innocent-looking edit\n";
  Write("0002_more.sql", "CREATE TABLE more (x BIGINT);\n");

  auto refused = MakeMigrator().Migrate(kT0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message(), HasSubstr(Initial().string()));
  EXPECT_THAT(refused.error().message(), HasSubstr("has changed since it was applied"));
  EXPECT_THAT(refused.error().message(), HasSubstr("new migration"));
  EXPECT_FALSE(db_->TableExists("more").value()) << "a refused run applies nothing";
}

TEST_P(MigratorTest, AMissingAppliedMigrationIsRefused) {
  ASSERT_TRUE(MakeMigrator().Migrate(kT0).ok());
  fs::remove(migrations_ / "0001_initial.sqlite.sql");
  fs::remove(migrations_ / "0001_initial.postgresql.sql");
  auto refused = MakeMigrator().Check();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kFailedPrecondition);
  EXPECT_THAT(refused.error().message(), HasSubstr("0001_initial is applied"));
  EXPECT_THAT(refused.error().message(), HasSubstr("missing"));
}

TEST_P(MigratorTest, AFailingMigrationLeavesTheDatabaseAsItWas) {
  ASSERT_TRUE(MakeMigrator().Migrate(kT0).ok());
  Write("0002_broken.sql",
        "-- adds a table, then fails\n"
        "CREATE TABLE extra (x BIGINT);\n"
        "INSERT INTO extra VALUES (1);\n"
        "INSERT INTO no_such_table VALUES (1);\n");
  auto failed = MakeMigrator().Migrate(kT0);
  ASSERT_FALSE(failed.ok());
  const std::string& m = failed.error().message();
  EXPECT_THAT(m, HasSubstr((migrations_ / "0002_broken.sql").string()));
  EXPECT_THAT(m, HasSubstr("line 4"));
  EXPECT_THAT(m, HasSubstr("no_such_table"));
  EXPECT_THAT(m, HasSubstr("stays at version 1"));
  EXPECT_FALSE(db_->TableExists("extra").value());
  auto state = MakeMigrator().Check();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->version(), 1);
  ASSERT_EQ(state->pending.size(), 1u);

  // Fixed, it applies.
  Write("0002_broken.sql", "CREATE TABLE extra (x BIGINT);\n");
  auto fixed = MakeMigrator().Migrate(kT0);
  ASSERT_TRUE(fixed.ok()) << fixed.error().message();
  EXPECT_TRUE(db_->TableExists("extra").value());
}

TEST_P(MigratorTest, AFailingFirstMigrationLeavesNoTrace) {
  fs::remove_all(migrations_);
  fs::create_directories(migrations_);
  Write("0001_bad.sql", "CREATE TABLE a (x BIGINT);\nCREATE TABLE a (x BIGINT);\n");
  auto failed = MakeMigrator().Migrate(kT0);
  ASSERT_FALSE(failed.ok());
  EXPECT_THAT(failed.error().message(), HasSubstr("line 2"));
  EXPECT_FALSE(db_->TableExists("a").value());
  EXPECT_FALSE(db_->TableExists("schema_migrations").value());
}

TEST_P(MigratorTest, ADialectVariantWinsOverThePlainFile) {
  Write("0002_pick.sql", "CREATE TABLE picked_plain (x BIGINT);\n");
  std::string variant =
      GetParam() == Backend::kSqlite ? "0002_pick.sqlite.sql" : "0002_pick.postgresql.sql";
  Write(variant, "CREATE TABLE picked_variant (x BIGINT);\n");
  ASSERT_TRUE(MakeMigrator().Migrate(kT0).ok());
  EXPECT_TRUE(db_->TableExists("picked_variant").value());
  EXPECT_FALSE(db_->TableExists("picked_plain").value());
}

TEST_P(MigratorTest, AMisnamedFileIsRefusedBeforeAnythingRuns) {
  Write("2_oops.sql", "CREATE TABLE oops (x BIGINT);\n");
  auto refused = MakeMigrator().Migrate(kT0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kBadInput);
  EXPECT_THAT(refused.error().message(), HasSubstr("2_oops.sql"));
  EXPECT_THAT(refused.error().message(), HasSubstr("NNNN_name.sql"));
  EXPECT_FALSE(db_->TableExists("schema_migrations").value());
}

TEST_P(MigratorTest, AMigrationOlderThanTheAppliedOnesIsRefused) {
  Write("0003_later.sql", "CREATE TABLE later (x BIGINT);\n");
  ASSERT_TRUE(MakeMigrator().Migrate(kT0).ok());
  Write("0002_late.sql", "CREATE TABLE late (x BIGINT);\n");
  auto refused = MakeMigrator().Migrate(kT0);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error().message(), HasSubstr("0002_late.sql"));
  EXPECT_THAT(refused.error().message(), HasSubstr("renumber"));
}

// A migration may rebuild a table others refer to (SQLite's only way to change a constraint):
// the migrator turns foreign keys off around it and checks them before it commits.
TEST_P(MigratorTest, AMigrationThatLeavesADanglingReferenceIsRefused) {
  Write("0002_parent.sql",
        "CREATE TABLE parent (id BIGINT PRIMARY KEY);\n"
        "CREATE TABLE child (parent_id BIGINT NOT NULL REFERENCES parent (id));\n"
        "INSERT INTO parent (id) VALUES (1);\nINSERT INTO child (parent_id) VALUES (1);\n");
  ASSERT_TRUE(MakeMigrator().Migrate(kT0).ok());
  Write("0003_orphan.sql", "DELETE FROM parent;\n");
  auto refused = MakeMigrator().Migrate(kT0);
  ASSERT_FALSE(refused.ok());
  long long parents = 0;
  db_->session() << "SELECT count(*) FROM parent", soci::into(parents);
  EXPECT_EQ(parents, 1) << "nothing of the refused migration was applied";
  EXPECT_EQ(MakeMigrator().Check()->version(), 2);
  if (GetParam() == Backend::kSqlite) {
    EXPECT_THAT(refused.error().message(), HasSubstr("leaves a row of table 'child'"));
    // Foreign keys are on again for everything after the migration.
    EXPECT_ANY_THROW(db_->session() << "INSERT INTO child (parent_id) VALUES (2)");
  }
}

// The shipped 0004 rebuilds SQLite's timers, outbox and delivery_attempts tables (constraints
// written as comparisons; timers WITHOUT ROWID): every row and every constraint survive it.
TEST_P(MigratorTest, TheWritePathMigrationKeepsEveryRowAndConstraint) {
  for (const auto& entry : fs::directory_iterator(test::ShippedMigrations())) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("0002_") || name.starts_with("0003_")) {
      fs::copy_file(entry.path(), migrations_ / name);
    }
  }
  ASSERT_TRUE(MakeMigrator().Migrate(kT0).ok());
  auto& sql = db_->session();
  sql << "INSERT INTO instances (id, workflow, workflow_version, campaign, unit_id, state, data, "
         "version, created_at, updated_at) VALUES ('Q-1', 'w', 1, '', 'u', 's', '{}', 1, 0, 0)";
  sql << "INSERT INTO timers (instance_id, name, generation, due_at, state, fired_at, "
         "lease_owner, lease_until, lease_token) VALUES ('Q-1', 'remind:s:0', 1, 10, 'fired', 11, "
         "'n/0', 12, 3), ('Q-1', 'escalate:s:0', 1, 20, 'pending', NULL, NULL, NULL, NULL)";
  sql << "INSERT INTO outbox (dedup_key, instance_id, channel, recipient, template, payload, "
         "not_before, state, attempts, next_attempt_at, last_error, created_at, sent_at) VALUES "
         "('k1', 'Q-1', 'email', 'p', 'reminder', '{}', 10, 'sent', 1, 10, '', 9, 11), "
         "('k2', 'Q-1', 'email', 'p', 'reminder', '{}', 20, 'pending', 0, 20, '', 19, NULL)";
  sql << "INSERT INTO delivery_attempts (outbox_id, attempt, at, channel, outcome, detail) "
         "SELECT id, 1, 11, 'email', 'delivered', '250 ok' FROM outbox WHERE dedup_key = 'k1'";
  auto dump = [&] {
    std::string out, row;
    soci::rowset<soci::row> timers =
        sql.prepare
        << "SELECT instance_id || '|' || name || '|' || generation || '|' || due_at || '|' || "
           "state || '|' || coalesce(fired_at, -1) || '|' || coalesce(lease_token, -1) FROM "
           "timers ORDER BY name";
    for (const auto& r : timers) out += r.get<std::string>(0) + "\n";
    soci::rowset<soci::row> outbox =
        sql.prepare
        << "SELECT o.dedup_key || '|' || o.state || '|' || coalesce(o.sent_at, -1) || '|' || "
           "count(a.id) FROM outbox o LEFT JOIN delivery_attempts a ON a.outbox_id = o.id "
           "GROUP BY o.dedup_key, o.state, o.sent_at ORDER BY o.dedup_key";
    for (const auto& r : outbox) out += r.get<std::string>(0) + "\n";
    return out;
  };
  std::string before = dump();
  fs::copy_file(fs::path(test::ShippedMigrations()) / (GetParam() == Backend::kSqlite
                                                           ? "0004_write_path.sqlite.sql"
                                                           : "0004_write_path.postgresql.sql"),
                migrations_ / (GetParam() == Backend::kSqlite ? "0004_write_path.sqlite.sql"
                                                              : "0004_write_path.postgresql.sql"));
  auto applied = MakeMigrator().Migrate(kT0);
  ASSERT_TRUE(applied.ok()) << applied.error().message();
  ASSERT_EQ(applied->size(), 1u);
  EXPECT_EQ(dump(), before);
  EXPECT_EQ(before,
            "Q-1|escalate:s:0|1|20|pending|-1|-1\nQ-1|remind:s:0|1|10|fired|11|3\n"
            "k1|sent|11|1\nk2|pending|-1|0\n");
  // The constraints hold as before: a state outside the list, a timer of no instance.
  EXPECT_ANY_THROW(sql << "UPDATE timers SET state = 'bogus' WHERE name = 'remind:s:0'");
  EXPECT_ANY_THROW(sql << "UPDATE outbox SET state = 'lost' WHERE dedup_key = 'k1'");
  EXPECT_ANY_THROW(sql << "INSERT INTO timers (instance_id, name, generation, due_at, state) "
                          "VALUES ('nobody', 'x', 1, 1, 'pending')");
  EXPECT_ANY_THROW(sql << "INSERT INTO delivery_attempts (outbox_id, attempt, at, channel, "
                          "outcome, detail) VALUES (999, 1, 1, 'email', 'delivered', '')");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, MigratorTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, MigratorTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
