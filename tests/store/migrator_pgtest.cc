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
    auto db = testing::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    test_db_ = std::move(*db);
    migrations_ = test_db_->dir().File("migrations");
    fs::create_directories(migrations_);
    // The mechanism is under test, not the shipped set: start from the first shipped migration
    // only, and let each test add its own 0002, 0003, ...
    for (const auto& entry : fs::directory_iterator(testing::ShippedMigrations())) {
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

  std::unique_ptr<testing::TestDatabase> test_db_;
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

INSTANTIATE_TEST_SUITE_P(Sqlite, MigratorTest, ::testing::Values(Backend::kSqlite),
                         testing::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, MigratorTest, ::testing::Values(Backend::kPostgresql),
                         testing::BackendTestName);

}  // namespace
}  // namespace rectify
