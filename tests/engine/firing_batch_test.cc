// A batch of firings commits as one transaction; when one of its instances was changed by
// someone else in between, the batch is halved down to that instance, so the rest still commit
// together and the one at fault is fired again from what the store now holds. The engine's own
// logic over the Store interface: it runs on the in-memory store (the contract suite holds the
// SQLite and PostgreSQL stores to the same commits and conflicts).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "tests/engine/engine_harness.h"
#include "tests/support/forwarding_store.h"

namespace rectify {
namespace {

using test::T;

// Delegates to a store, and runs `before_commit` once, before the first commit it is asked for:
// another engine acting in the instant between the firing engine's read and its write.
class InterferingStore final : public test::ForwardingStore {
 public:
  InterferingStore(Store& inner, std::function<void()> before_commit)
      : ForwardingStore(inner), before_commit_(std::move(before_commit)) {}

  Status Commit(const ChangeSet& changes) override {
    ++commits;
    if (before_commit_) std::exchange(before_commit_, nullptr)();
    return ForwardingStore::Commit(changes);
  }

  int commits = 0;

 private:
  std::function<void()> before_commit_;
};

class FiringBatchTest : public test::MemoryEngineFixture {
 protected:
  void Register(const std::string& id) {
    engine::NewInstance req;
    req.id = id;
    req.workflow = "rectification-item";
    req.unit = "niangxi";
    req.responsible = "xs-0014";
    req.title = "批量";
    req.actor = "xs-0009";
    req.fields = {{"time_limit", "10wd"}};
    ASSERT_TRUE(engine_->Register(req).ok());
    auto assigned = Act(id, "assign", "xs-0003", {}, "", {{"verifier", "xs-0007"}});
    ASSERT_TRUE(assigned.ok()) << assigned.error().message();
  }
};

TEST_F(FiringBatchTest, AnInstanceChangedUnderTheBatchCostsAFewCommitsAndFiresOnce) {
  At("2017-04-21T10:00:00+08:00");
  constexpr int kItems = 64;
  for (int i = 0; i < kItems; ++i) Register("B-" + std::to_string(100 + i));
  // Every item's first reminder falls due on 2017-04-28 at 08:30.
  At("2017-04-28T09:00:00+08:00");
  auto due = store_->DueTimers(clock_.Now(), 1000);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), static_cast<std::size_t>(kItems));

  // Between the firing engine's read and its commit, the cadre of B-137 submits the item.
  InterferingStore interfering(*store_, [&] {
    auto submitted = Act("B-137", "submit", "xs-0014", {"photo.jpg"});
    ASSERT_TRUE(submitted.ok()) << submitted.error().message();
  });
  engine::Engine firing(interfering, clock_, definitions_);
  auto report = firing.FireTimers(*due);
  ASSERT_TRUE(report.ok()) << report.error().message();
  EXPECT_TRUE(report->errors.empty()) << report->errors.front();
  // Halving 64 down to one instance: one failed commit per level on the way down, the sibling
  // halves that commit, and the retry of B-137: about 2 log2(64) commits, not 64.
  EXPECT_LE(interfering.commits, 2 * 6 + 2);
  EXPECT_EQ(report->timers, kItems - 1) << "every other reminder fired, in the halves";
  EXPECT_EQ(report->skipped, 1) << "B-137's reminder was cancelled by its submission";

  for (int i = 0; i < kItems; ++i) {
    std::string id = "B-" + std::to_string(100 + i);
    auto reminders = AuditValues(id, "remind", "timer", true);
    if (id == "B-137") {
      // It moved on to verifying before the reminder could take effect: the stale rectifying
      // reminder is claimed and ignored, never sent.
      EXPECT_TRUE(reminders.empty()) << id;
      EXPECT_EQ(Load(id).record.state, "verifying");
    } else {
      EXPECT_THAT(reminders,
                  ::testing::ElementsAre("2017-04-28T09:00:00+08:00 remind:rectifying:0"))
          << id;
    }
  }
  auto again = store_->DueTimers(clock_.Now(), 1000);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty()) << "nothing due is left pending";
}

}  // namespace
}  // namespace rectify
