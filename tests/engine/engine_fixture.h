// A database on either backend with the engine on a virtual clock, for the engine suites that
// need a store (ledger import, instance migration, reports). Each test gets a fresh database.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/engine/engine.h"
#include "tests/store/store_test_env.h"

namespace rectify::testing {

inline Timestamp T(const char* iso) { return *ParseIso(iso); }

inline std::shared_ptr<const definition::DefinitionSet> LoadSet(
    const std::vector<std::string>& paths) {
  Diagnostics diags;
  auto s = definition::LoadDefinitions(paths, diags);
  EXPECT_TRUE(s.ok()) << diags.Format();
  return s.ok() ? *s : nullptr;
}

inline std::shared_ptr<const definition::DefinitionSet> ShippedDefinitions() {
  static auto set = LoadSet({std::string(RECTIFY_SOURCE_DIR) + "/workflows"});
  return set;
}

class EngineFixture : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    Open(ShippedDefinitions());
  }

  void Open(std::shared_ptr<const definition::DefinitionSet> definitions) {
    engine_.reset();
    definitions_ = std::move(definitions);
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    auto db = store_soci::Database::Open(*url, {});
    ASSERT_TRUE(db.ok()) << db.error().message();
    store_soci::Migrator migrator(**db, ShippedMigrations());
    ASSERT_TRUE(migrator.Migrate(clock_.Now()).ok());
    store_ = store_soci::MakeStore(std::move(*db));
    engine_ = std::make_unique<engine::Engine>(*store_, clock_, definitions_);
    auto registered = engine_->RegisterDefinitions();
    ASSERT_TRUE(registered.ok()) << registered.error().message();
  }

  void At(const char* iso) { clock_.AdvanceTo(io_, T(iso)); }

  void RunUntil(const char* iso) {
    auto r = engine::RunUntil(*engine_, clock_, io_, T(iso));
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_TRUE(r->errors.empty());
  }

  Result<engine::Instance> Act(const std::string& id, const std::string& event,
                               const std::string& actor, std::vector<std::string> evidence = {},
                               const std::string& reason = "",
                               std::map<std::string, std::string> fields = {}) {
    engine::Command c;
    c.instance_id = id;
    c.event = event;
    c.actor = actor;
    c.evidence = std::move(evidence);
    c.reason = reason;
    c.fields = std::move(fields);
    return engine_->Act(c);
  }

  engine::Instance Load(const std::string& id) {
    auto i = engine_->Load(id);
    EXPECT_TRUE(i.ok()) << i.error().message();
    return i.ok() ? *i : engine::Instance{};
  }

  std::int64_t Instances() {
    auto c = store_->Counts();
    EXPECT_TRUE(c.ok());
    return c.ok() ? c->instances : -1;
  }

  static const Calendar& Cn() { return *ShippedDefinitions()->FindCalendar("cn"); }

  // The running (or paused) deadline of the item's current state, local, or "none".
  std::string Due(const std::string& id) {
    engine::Instance i = Load(id);
    const engine::StateClock* c = i.CurrentClock();
    if (!c) return "none";
    DeadlineClock dc(Cn(), c->clock);
    auto d = dc.Deadline(clock_.Now());
    return d ? Cn().FormatLocal(*d) : d.error().message();
  }

  // Pending timers as "local due  name", sorted by due time.
  std::vector<std::string> PendingTimers(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& t : Load(id).timers) out.push_back(Cn().FormatLocal(t.due) + " " + t.name);
    return out;
  }

  boost::asio::io_context io_;
  VirtualClock clock_{T("2017-01-01T00:00:00+08:00")};
  std::unique_ptr<TestDatabase> db_;
  std::shared_ptr<const definition::DefinitionSet> definitions_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<engine::Engine> engine_;
};

}  // namespace rectify::testing
