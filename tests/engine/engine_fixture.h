// A database on either backend with the engine on a virtual clock, for the engine suites that
// need a store and SQL too (scenarios, campaign runs, ledger import, instance migration,
// reports). Each test gets a fresh database; `Open` again is an engine restart on the same
// database. Tests of the engine's own logic that need a store but no SQL use MemoryEngineFixture
// (tests/engine/engine_harness.h) and need no SOCI.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "tests/engine/engine_harness.h"
#include "tests/store/store_test_env.h"

namespace rectify::test {

// A fresh database on the backend of the test's parameter.
class EngineFixture : public EngineHarness<::testing::TestWithParam<Backend>> {
 protected:
  explicit EngineFixture(const char* start = "2017-01-01T00:00:00+08:00") : EngineHarness(start) {}

  void SetUp() override {
    auto db = TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    Open(ShippedDefinitions());
  }

  std::unique_ptr<Store> OpenStore(Timestamp at) override {
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    auto db = store_soci::Database::Open(*url, {});
    EXPECT_TRUE(db.ok()) << db.error().message();
    if (!db.ok()) return nullptr;
    store_soci::Migrator migrator(**db, ShippedMigrations());
    auto migrated = migrator.Migrate(at);
    EXPECT_TRUE(migrated.ok()) << migrated.error().message();
    if (!migrated.ok()) return nullptr;
    return store_soci::MakeStore(std::move(*db));
  }

  std::unique_ptr<TestDatabase> db_;
};

}  // namespace rectify::test
