// The engine on a virtual clock over a fresh store, for the engine suites that need a store:
// what EngineFixture (tests/engine/engine_fixture.h, a database of either backend) and
// MemoryEngineFixture (here, the in-memory store of tests/support/memory_store.h: no SQL, no
// SOCI) share. `Open` again is an engine restart on the same data.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rectify/engine/campaign_items.h"
#include "rectify/engine/engine.h"
#include "tests/engine/shipped_definitions.h"
#include "tests/support/memory_store.h"

namespace rectify::test {

// What both fixtures share; `TestBase` is GoogleTest's base class (parameterised or not), and
// OpenStore says where the store lives.
template <typename TestBase>
class EngineHarness : public TestBase {
 protected:
  // `start`: where the virtual clock starts (the database is migrated then).
  explicit EngineHarness(const char* start) : clock_(T(start)) {}

  // A new store (connection) on the test's data, migrated at `at`; null after a failed assertion.
  virtual std::unique_ptr<Store> OpenStore(Timestamp at) = 0;

  void Open(std::shared_ptr<const definition::DefinitionSet> definitions) {
    engine_.reset();
    definitions_ = std::move(definitions);
    store_ = OpenStore(clock_.Now());
    ASSERT_NE(store_, nullptr);
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

  static const Calendar& Cn() { return ::rectify::test::Cn(); }

  // The audit rows of `event` on instance `id` as "local-at value", the value being the row's
  // data field `field` as JSON ("\"-5wd\"", "[\"xs-0014\"]"), or a string's text when `unquoted`.
  std::vector<std::string> AuditValues(const std::string& id, const std::string& event,
                                       const char* field, bool unquoted = false) {
    std::vector<std::string> out;
    auto rows = store_->AuditOf(id);
    EXPECT_TRUE(rows.ok());
    if (!rows.ok()) return out;
    for (const auto& a : *rows) {
      if (a.event != event) continue;
      auto data = boost::json::parse(a.data_json).as_object();
      std::string v;
      if (data.contains(field)) {
        v = unquoted && data.at(field).is_string() ? std::string(data.at(field).as_string())
                                                   : boost::json::serialize(data.at(field));
      }
      out.push_back(Cn().FormatLocal(a.at) + " " + v);
    }
    return out;
  }

  // The running (or paused) deadline of the item's current state, local, or "none"; on the
  // calendar the item runs on (its campaign's calendar changes applied).
  std::string Due(const std::string& id) {
    engine::Instance i = Load(id);
    const engine::StateClock* c = i.CurrentClock();
    if (!c) return "none";
    auto wf =
        definitions_->FindWorkflow(i.record.workflow, static_cast<int>(i.record.workflow_version));
    const Calendar* cal =
        wf ? engine::ItemCalendar(*definitions_, *wf, i.record.campaign) : nullptr;
    DeadlineClock dc(cal ? *cal : Cn(), c->clock);
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
  VirtualClock clock_;
  std::shared_ptr<const definition::DefinitionSet> definitions_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<engine::Engine> engine_;
};

// A fresh in-memory store: no SQL, no database, nothing to migrate.
class MemoryEngineFixture : public EngineHarness<::testing::Test> {
 protected:
  explicit MemoryEngineFixture(const char* start = "2017-01-01T00:00:00+08:00")
      : EngineHarness(start) {}

  void SetUp() override { Open(ShippedDefinitions()); }

  std::unique_ptr<Store> OpenStore(Timestamp) override { return MakeMemoryStore(memory_); }

  std::shared_ptr<MemoryDatabase> memory_ = std::make_shared<MemoryDatabase>();
};

}  // namespace rectify::test
