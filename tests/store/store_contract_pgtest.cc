// The Store contract: one suite, run on SQLite (Sqlite/StoreContractTest.*), on PostgreSQL
// (Postgres/StoreContractTest.*) and on the tests' in-memory store (Memory/StoreContractTest.*,
// tests/support/memory_store.h). What the engine relies on: all-or-nothing commits, optimistic
// versions, timers that fire once, the outbox's dedup, the audit log kept verbatim.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "tests/store/store_test_env.h"
#include "tests/support/memory_store.h"

namespace rectify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Timestamp kT0 = FromMicros(1492732800000000);  // 2017-04-21T00:00:00Z
Timestamp At(int hours) { return kT0 + std::chrono::hours(hours); }

// Text that exercises every escape a batch has to get right.
const std::string kAwkward =
    R"({"title":"整改 \"quoted\" back\\slash, {braces} NULL","tab":"a	b","nl":"x
y"})";

InstanceRecord Item(const std::string& id, const std::string& unit = "town-1") {
  InstanceRecord r;
  r.id = id;
  r.workflow = "rectification-item";
  r.workflow_version = 1;
  r.campaign = "xinshao-2017";
  r.unit_id = unit;
  r.state = "registered";
  r.data_json = R"({"title":"road repair"})";
  r.created_at = kT0;
  r.updated_at = kT0;
  return r;
}

TimerRecord Timer(const std::string& instance, const std::string& name, std::int64_t gen,
                  Timestamp due) {
  return {{instance, name, gen}, due, TimerState::kPending, std::nullopt};
}

OutboxRecord Note(const std::string& key, Timestamp not_before) {
  OutboxRecord o;
  o.dedup_key = key;
  o.instance_id = "item-1";
  o.channel = "email";
  o.recipient = "head@town-1";
  o.template_name = "reminder";
  o.payload_json = R"({"days_left":5})";
  o.not_before = not_before;
  o.created_at = kT0;
  return o;
}

AuditRecord Audit(const std::string& instance, std::int64_t seq, const std::string& to) {
  AuditRecord a;
  a.instance_id = instance;
  a.seq = seq;
  a.at = At(static_cast<int>(seq));
  a.actor = "inspector-1";
  a.event = "assign";
  a.from_state = "registered";
  a.to_state = to;
  a.reason = "first inspection";
  a.data_json = kAwkward;
  a.prev_hash = seq == 1 ? "" : "h" + std::to_string(seq - 1);
  a.hash = "h" + std::to_string(seq);
  return a;
}

// Where the store under contract keeps its data.
enum class Kind { kSqlite, kPostgresql, kMemory };

std::string KindName(const ::testing::TestParamInfo<Kind>& info) {
  switch (info.param) {
    case Kind::kSqlite:
      return "sqlite";
    case Kind::kPostgresql:
      return "postgresql";
    case Kind::kMemory:
      return "memory";
  }
  return "unknown";
}

class StoreContractTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    if (GetParam() == Kind::kMemory) {
      memory_ = std::make_shared<test::MemoryDatabase>();
    } else {
      auto db = test::TestDatabase::Create(GetParam() == Kind::kSqlite
                                               ? store_soci::Backend::kSqlite
                                               : store_soci::Backend::kPostgresql);
      ASSERT_TRUE(db.ok()) << db.error().message();
      db_ = std::move(*db);
    }
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }

  // A new connection to the test database, migrated (another store on the same memory).
  std::unique_ptr<Store> Open() {
    if (memory_) return test::MakeMemoryStore(memory_);
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    EXPECT_TRUE(url.ok());
    auto db = store_soci::Database::Open(*url, {});
    EXPECT_TRUE(db.ok()) << db.error().message();
    if (!db.ok()) return nullptr;
    store_soci::Migrator migrator(**db, test::ShippedMigrations());
    auto applied = migrator.Migrate(kT0);
    EXPECT_TRUE(applied.ok()) << applied.error().message();
    return store_soci::MakeStore(std::move(*db));
  }

  void CommitOk(const ChangeSet& c) {
    Status s = store_->Commit(c);
    ASSERT_TRUE(s.ok()) << s.error().message();
  }

  ChangeSet WithItems(std::initializer_list<const char*> ids) {
    ChangeSet c;
    for (const char* id : ids) c.instance_inserts.push_back(Item(id));
    return c;
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::shared_ptr<test::MemoryDatabase> memory_;  // set on Kind::kMemory instead of db_
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContractTest, InsertedInstanceReadsBackAtVersionOne) {
  InstanceRecord item = Item("item-1");
  item.data_json = kAwkward;
  item.campaign = "";
  ChangeSet c;
  c.instance_inserts.push_back(item);
  CommitOk(c);

  auto loaded = store_->LoadInstance("item-1");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->version, 1);
  EXPECT_EQ(loaded->data_json, kAwkward);
  EXPECT_EQ(loaded->campaign, "");
  EXPECT_EQ(loaded->workflow, "rectification-item");
  EXPECT_EQ(loaded->workflow_version, 1);
  EXPECT_EQ(loaded->unit_id, "town-1");
  EXPECT_EQ(loaded->state, "registered");
  EXPECT_EQ(loaded->created_at, kT0);
}

TEST_P(StoreContractTest, LoadingAnUnknownInstanceIsNotFound) {
  auto loaded = store_->LoadInstance("nope");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, UpdateAtTheExpectedVersionBumpsIt) {
  CommitOk(WithItems({"item-1"}));
  InstanceRecord next = Item("item-1");
  next.state = "rectifying";
  next.updated_at = At(1);
  ChangeSet c;
  c.instance_updates.push_back({next, 1});
  CommitOk(c);
  auto loaded = store_->LoadInstance("item-1");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->state, "rectifying");
  EXPECT_EQ(loaded->version, 2);
  EXPECT_EQ(loaded->updated_at, At(1));
}

TEST_P(StoreContractTest, StaleVersionIsAConflictAndTheWholeBatchIsUndone) {
  CommitOk(WithItems({"item-1", "item-2"}));
  InstanceRecord fresh = Item("item-1");
  fresh.state = "rectifying";
  InstanceRecord stale = Item("item-2");
  stale.state = "closed";
  ChangeSet c;
  c.instance_updates.push_back({fresh, 1});
  c.instance_updates.push_back({stale, 7});
  c.instance_inserts.push_back(Item("item-3"));
  c.audit_appends.push_back(Audit("item-1", 1, "rectifying"));
  Status s = store_->Commit(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(s.error().message(), HasSubstr("item-2"));
  EXPECT_THAT(s.error().message(), HasSubstr("version 1"));

  EXPECT_EQ(store_->LoadInstance("item-1")->state, "registered");
  EXPECT_EQ(store_->LoadInstance("item-1")->version, 1);
  EXPECT_EQ(store_->LoadInstance("item-3").error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(store_->AuditOf("item-1")->empty());
}

TEST_P(StoreContractTest, UpdatingAnUnknownInstanceIsNotFound) {
  ChangeSet c;
  c.instance_updates.push_back({Item("ghost"), 1});
  Status s = store_->Commit(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(s.error().message(), HasSubstr("ghost"));
}

TEST_P(StoreContractTest, TwoUpdatesOfOneInstanceInABatchAreRefused) {
  CommitOk(WithItems({"item-1"}));
  ChangeSet c;
  c.instance_updates.push_back({Item("item-1"), 1});
  c.instance_updates.push_back({Item("item-1"), 2});
  Status s = store_->Commit(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kBadInput);
  EXPECT_EQ(store_->LoadInstance("item-1")->version, 1);
}

TEST_P(StoreContractTest, DuplicateInstanceIdIsAUniqueViolationAndNothingIsCommitted) {
  CommitOk(WithItems({"item-1"}));
  ChangeSet c = WithItems({"item-2", "item-1"});
  Status s = store_->Commit(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kUniqueViolation);
  EXPECT_EQ(store_->LoadInstance("item-2").error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, DueTimersComeInDueOrderUpToTheInstantWithALimit) {
  ChangeSet c = WithItems({"a", "b"});
  c.timer_arms = {Timer("b", "deadline", 1, At(30)), Timer("a", "remind", 1, At(10)),
                  Timer("a", "deadline", 1, At(20)), Timer("b", "remind", 1, At(10)),
                  Timer("a", "late", 1, At(50))};
  CommitOk(c);

  auto due = store_->DueTimers(At(30), 10);
  ASSERT_TRUE(due.ok()) << due.error().message();
  std::vector<std::string> order;
  for (const auto& t : *due) order.push_back(t.key.instance_id + "/" + t.key.name);
  EXPECT_THAT(order, ElementsAre("a/remind", "b/remind", "a/deadline", "b/deadline"));
  EXPECT_EQ(due->front().due_at, At(10));
  EXPECT_EQ(due->front().state, TimerState::kPending);

  auto first_two = store_->DueTimers(At(100), 2);
  ASSERT_TRUE(first_two.ok());
  EXPECT_EQ(first_two->size(), 2u);
  EXPECT_TRUE(store_->DueTimers(At(9), 10)->empty());
}

TEST_P(StoreContractTest, ATimerFiresExactlyOnce) {
  ChangeSet arm = WithItems({"item-1"});
  arm.timer_arms.push_back(Timer("item-1", "deadline", 1, At(5)));
  CommitOk(arm);

  ChangeSet fire;
  fire.timer_fires.push_back({{"item-1", "deadline", 1}, At(6)});
  fire.audit_appends.push_back(Audit("item-1", 1, "overdue"));
  CommitOk(fire);

  Status again = store_->Commit(fire);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(again.error().message(), HasSubstr("deadline"));
  EXPECT_THAT(again.error().message(), HasSubstr("fired"));
  EXPECT_EQ(store_->AuditOf("item-1")->size(), 1u) << "the failed firing's audit row must not stay";

  auto timers = store_->TimersOf("item-1");
  ASSERT_TRUE(timers.ok());
  ASSERT_EQ(timers->size(), 1u);
  EXPECT_EQ(timers->front().state, TimerState::kFired);
  EXPECT_EQ(timers->front().fired_at, At(6));
  EXPECT_TRUE(store_->DueTimers(At(100), 10)->empty());
}

TEST_P(StoreContractTest, ClaimDueLeasesTheEarliestDueTimersOnceUntilTheLeaseRunsOut) {
  ChangeSet c = WithItems({"a", "b", "c"});
  c.timer_arms = {Timer("a", "deadline", 1, At(20)), Timer("b", "remind", 1, At(10)),
                  Timer("c", "deadline", 1, At(40))};
  CommitOk(c);

  auto first = store_->ClaimDue(At(30), 10, "node-1/0", At(31));
  ASSERT_TRUE(first.ok()) << first.error().message();
  ASSERT_EQ(first->size(), 2u) << "c is not due yet";
  EXPECT_EQ(first->at(0).key.instance_id, "b");
  EXPECT_EQ(first->at(1).key.instance_id, "a");
  EXPECT_GT(first->at(0).lease_token, 0);
  EXPECT_EQ(first->at(0).lease_token, first->at(1).lease_token) << "one token a claim";

  // Another node finds nothing to claim while the lease holds ...
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  EXPECT_TRUE(other->ClaimDue(At(30), 10, "node-2/0", At(31))->empty());
  // ... the owner may take its own work back (after losing its connection) ...
  auto again = store_->ClaimDue(At(30), 10, "node-1/0", At(32));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  EXPECT_GT(again->front().lease_token, first->front().lease_token);
  // ... and once it runs out, the other node takes it, under a newer token.
  auto taken = other->ClaimDue(At(32), 10, "node-2/0", At(40));
  ASSERT_TRUE(taken.ok());
  ASSERT_EQ(taken->size(), 2u);
  EXPECT_GT(taken->front().lease_token, again->front().lease_token);
  // The limit holds, and a claim is not a firing: the timers are still pending.
  EXPECT_EQ(store_->DueTimers(At(100), 10)->size(), 3u);
}

TEST_P(StoreContractTest, AFencedFiringCommitsOnlyUnderTheCurrentLease) {
  ChangeSet arm = WithItems({"item-1"});
  arm.timer_arms.push_back(Timer("item-1", "escalate:1", 1, At(5)));
  CommitOk(arm);
  auto stale = store_->ClaimDue(At(5), 10, "node-1/0", At(6));
  ASSERT_TRUE(stale.ok() && stale->size() == 1u);
  // node-1 pauses past its lease; node-2 claims the timer again.
  auto fresh = store_->ClaimDue(At(7), 10, "node-2/0", At(8));
  ASSERT_TRUE(fresh.ok() && fresh->size() == 1u);

  ChangeSet late;  // node-1 wakes and tries to commit its firing
  late.timer_fires.push_back({{"item-1", "escalate:1", 1}, At(7), stale->front().lease_token});
  late.audit_appends.push_back(Audit("item-1", 1, "escalated"));
  Status s = store_->Commit(late);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(s.error().message(), HasSubstr("lease"));
  EXPECT_TRUE(store_->AuditOf("item-1")->empty()) << "the fenced commit changed nothing";

  ChangeSet current;
  current.timer_fires.push_back({{"item-1", "escalate:1", 1}, At(7), fresh->front().lease_token});
  current.audit_appends.push_back(Audit("item-1", 1, "escalated"));
  CommitOk(current);
  EXPECT_EQ(store_->TimersOf("item-1")->front().state, TimerState::kFired);
}

TEST_P(StoreContractTest, LoadInstancesReadsABatchInOneCall) {
  CommitOk(WithItems({"q-1", "q-2", "q-3"}));
  auto got = store_->LoadInstances({"q-3", "missing", "q-1"});
  ASSERT_TRUE(got.ok()) << got.error().message();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ(got->at(0).id, "q-1");
  EXPECT_EQ(got->at(1).id, "q-3");
  EXPECT_EQ(got->at(1).data_json, R"({"title":"road repair"})");
  EXPECT_TRUE(store_->LoadInstances({})->empty());
}

TEST_P(StoreContractTest, TwoConnectionsRacingForOneFiringOnlyOneWins) {
  ChangeSet arm = WithItems({"item-1"});
  arm.timer_arms.push_back(Timer("item-1", "escalate:1", 1, At(5)));
  CommitOk(arm);
  std::unique_ptr<Store> other = Open();
  ASSERT_NE(other, nullptr);
  // Both engines saw the timer due.
  ASSERT_EQ(store_->DueTimers(At(5), 10)->size(), 1u);
  ASSERT_EQ(other->DueTimers(At(5), 10)->size(), 1u);

  auto claim = [](Store& s, const std::string& outbox_key) {
    ChangeSet c;
    c.timer_fires.push_back({{"item-1", "escalate:1", 1}, At(5)});
    c.outbox_inserts.push_back(Note(outbox_key, At(5)));
    return s.Commit(c);
  };
  Status first = claim(*store_, "letter-from-node-1");
  Status second = claim(*other, "letter-from-node-2");
  EXPECT_TRUE(first.ok()) << first.error().message();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kConflict);
  auto pending = store_->PendingOutbox(At(10), 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->front().dedup_key, "letter-from-node-1");
}

TEST_P(StoreContractTest, FiringAndArmingTheNextGenerationCommitTogether) {
  ChangeSet arm = WithItems({"item-1"});
  arm.timer_arms.push_back(Timer("item-1", "deadline", 1, At(5)));
  arm.timer_arms.push_back(Timer("item-1", "remind", 1, At(3)));
  CommitOk(arm);

  ChangeSet next;  // an extension: cancel the old deadline, arm generation 2
  next.timer_cancels.push_back({"item-1", "deadline", std::nullopt});
  next.timer_arms.push_back(Timer("item-1", "deadline", 2, At(50)));
  next.timer_fires.push_back({{"item-1", "remind", 1}, At(3)});
  CommitOk(next);

  auto timers = store_->TimersOf("item-1");
  ASSERT_TRUE(timers.ok());
  ASSERT_EQ(timers->size(), 3u);
  EXPECT_EQ((*timers)[0].key, (TimerKey{"item-1", "deadline", 1}));
  EXPECT_EQ((*timers)[0].state, TimerState::kCancelled);
  EXPECT_EQ((*timers)[1].state, TimerState::kPending);
  EXPECT_EQ((*timers)[1].due_at, At(50));
  EXPECT_EQ((*timers)[2].state, TimerState::kFired);

  ChangeSet stale;  // the cancelled generation can never fire
  stale.timer_fires.push_back({{"item-1", "deadline", 1}, At(6)});
  Status s = store_->Commit(stale);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(s.error().message(), HasSubstr("cancelled"));
}

TEST_P(StoreContractTest, CancellingAnInstancesTimersLeavesOthersAlone) {
  ChangeSet arm = WithItems({"a", "b"});
  arm.timer_arms = {Timer("a", "deadline", 1, At(5)), Timer("a", "remind", 1, At(4)),
                    Timer("b", "deadline", 1, At(5))};
  CommitOk(arm);
  ChangeSet cancel;
  cancel.timer_cancels.push_back({"a", "", std::nullopt});
  CommitOk(cancel);
  auto due = store_->DueTimers(At(100), 10);
  ASSERT_TRUE(due.ok());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().key.instance_id, "b");
}

TEST_P(StoreContractTest, ArmingTheSameTimerKeyTwiceIsAUniqueViolation) {
  ChangeSet arm = WithItems({"item-1"});
  arm.timer_arms.push_back(Timer("item-1", "deadline", 1, At(5)));
  CommitOk(arm);
  ChangeSet again;
  again.timer_arms.push_back(Timer("item-1", "deadline", 1, At(9)));
  Status s = store_->Commit(again);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kUniqueViolation);
}

TEST_P(StoreContractTest, ATimerForAnUnknownInstanceIsBadInputAndNothingIsCommitted) {
  ChangeSet c = WithItems({"item-1"});
  c.timer_arms.push_back(Timer("ghost", "deadline", 1, At(5)));
  Status s = store_->Commit(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kBadInput);
  EXPECT_EQ(store_->LoadInstance("item-1").error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, TheOutboxDeduplicatesHoldsBackAndRecordsAttempts) {
  ChangeSet c;
  c.outbox_inserts = {Note("remind:item-1:-5wd", At(1)), Note("remind:item-1:-1wd", At(8)),
                      Note("remind:item-1:-5wd", At(2))};
  CommitOk(c);
  CommitOk(c);  // enqueueing the same keys again changes nothing

  auto due = store_->PendingOutbox(At(5), 10);
  ASSERT_TRUE(due.ok()) << due.error().message();
  ASSERT_EQ(due->size(), 1u) << "one row per key, and the -1wd one is held back until At(8)";
  EXPECT_EQ(due->front().dedup_key, "remind:item-1:-5wd");
  EXPECT_EQ(due->front().not_before, At(1));
  EXPECT_EQ(due->front().payload_json, R"({"days_left":5})");
  EXPECT_EQ(due->front().attempts, 0);

  ChangeSet retry;
  retry.outbox_updates.push_back(
      {"remind:item-1:-5wd", OutboxState::kPending, 1, At(20), "smtp: connection refused"});
  CommitOk(retry);
  EXPECT_EQ(store_->PendingOutbox(At(19), 10)->size(), 1u);  // only the -1wd one now
  auto later = store_->PendingOutbox(At(20), 10);
  ASSERT_EQ(later->size(), 2u);
  EXPECT_EQ(later->back().attempts, 1);
  EXPECT_EQ(later->back().last_error, "smtp: connection refused");

  ChangeSet sent;
  sent.outbox_updates.push_back({"remind:item-1:-5wd", OutboxState::kSent, 2, At(21), ""});
  CommitOk(sent);
  EXPECT_EQ(store_->PendingOutbox(At(100), 10)->size(), 1u);
  EXPECT_EQ(store_->Counts()->outbox_by_state.at("sent"), 1);
}

TEST_P(StoreContractTest, UpdatingAnUnknownOutboxRowIsNotFoundAndNothingIsCommitted) {
  ChangeSet c = WithItems({"item-1"});
  c.outbox_updates.push_back({"nope", OutboxState::kSent, 1, At(1), ""});
  Status s = store_->Commit(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store_->LoadInstance("item-1").error().code(), ErrorCode::kNotFound);
}

TEST_P(StoreContractTest, TheAuditLogKeepsRowsVerbatimInSequenceAndRefusesARepeatedSeq) {
  ChangeSet c = WithItems({"item-1"});
  c.audit_appends = {Audit("item-1", 2, "verifying"), Audit("item-1", 1, "rectifying")};
  CommitOk(c);
  auto rows = store_->AuditOf("item-1");
  ASSERT_TRUE(rows.ok()) << rows.error().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].seq, 1);
  EXPECT_EQ((*rows)[0].to_state, "rectifying");
  EXPECT_EQ((*rows)[0].prev_hash, "");
  EXPECT_EQ((*rows)[1].prev_hash, "h1");
  EXPECT_EQ((*rows)[1].hash, "h2");
  EXPECT_EQ((*rows)[1].data_json, kAwkward);
  EXPECT_EQ((*rows)[1].at, At(2));
  EXPECT_EQ((*rows)[1].actor, "inspector-1");

  ChangeSet again;
  again.audit_appends.push_back(Audit("item-1", 2, "closed"));
  Status s = store_->Commit(again);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kUniqueViolation);
}

TEST_P(StoreContractTest, DefinitionVersionsAreImmutable) {
  DefinitionRecord v1{"workflow", "rectification-item", 1, "hash-1", "kind: workflow\n", kT0};
  DefinitionRecord v2{"workflow", "rectification-item", 2, "hash-2", "kind: workflow # 2\n", kT0};
  ChangeSet c;
  c.definitions = {v1, v2};
  CommitOk(c);
  CommitOk(c);  // registering the same content again is fine

  auto latest = store_->LatestDefinition("workflow", "rectification-item");
  ASSERT_TRUE(latest.ok()) << latest.error().message();
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->source, "kind: workflow # 2\n");
  EXPECT_EQ(store_->LoadDefinition("workflow", "rectification-item", 1)->content_hash, "hash-1");
  EXPECT_EQ(store_->LoadDefinition("workflow", "rectification-item", 3).error().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(store_->LatestDefinition("calendar", "cn").error().code(), ErrorCode::kNotFound);

  ChangeSet changed;
  changed.definitions.push_back(
      {"workflow", "rectification-item", 1, "hash-X", "kind: workflow # edited\n", kT0});
  Status s = store_->Commit(changed);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(s.error().message(), HasSubstr("new version"));
  EXPECT_EQ(store_->LoadDefinition("workflow", "rectification-item", 1)->source,
            "kind: workflow\n");
}

TEST_P(StoreContractTest, UnitsAndPeopleAreUpsertedById) {
  ChangeSet c;
  c.units = {{"county", "", "county", "新邵县", "{}", kT0},
             {"town-1", "county", "township", "酿溪镇", R"({"phone":"0739"})", kT0}};
  c.people = {{"p1", "town-1", "Li", {"head", "leader"}, R"({"email":"li@x"})", "zh", kT0}};
  CommitOk(c);
  ChangeSet rename;
  rename.units = {{"town-1", "county", "township", "Niangxi", "{}", At(1)}};
  rename.people = {{"p1", "county", "Li", {"inspector"}, "{}", "en", At(1)}};
  CommitOk(rename);

  auto units = store_->ListUnits();
  ASSERT_TRUE(units.ok()) << units.error().message();
  ASSERT_EQ(units->size(), 2u);
  EXPECT_EQ((*units)[0].name, "新邵县");
  EXPECT_EQ((*units)[1].name, "Niangxi");
  EXPECT_EQ((*units)[1].parent_id, "county");
  auto people = store_->ListPeople();
  ASSERT_TRUE(people.ok());
  ASSERT_EQ(people->size(), 1u);
  EXPECT_EQ(people->front().unit_id, "county");
  EXPECT_THAT(people->front().roles, ElementsAre("inspector"));
  EXPECT_EQ(people->front().language, "en");
}

TEST_P(StoreContractTest, ListInstancesFiltersAndPages) {
  ChangeSet c;
  for (int i = 0; i < 5; ++i) {
    c.instance_inserts.push_back(Item("item-" + std::to_string(i), i % 2 ? "town-2" : "town-1"));
  }
  c.instance_inserts[4].state = "closed";
  CommitOk(c);

  InstanceFilter town1;
  town1.unit_id = "town-1";
  auto listed = store_->ListInstances(town1);
  ASSERT_TRUE(listed.ok()) << listed.error().message();
  std::vector<std::string> ids;
  for (const auto& r : *listed) ids.push_back(r.id);
  EXPECT_THAT(ids, ElementsAre("item-0", "item-2", "item-4"));

  town1.state = "registered";
  EXPECT_EQ(store_->ListInstances(town1)->size(), 2u);

  InstanceFilter page;
  page.limit = 2;
  page.after_id = "item-1";
  auto paged = store_->ListInstances(page);
  ASSERT_TRUE(paged.ok());
  ids.clear();
  for (const auto& r : *paged) ids.push_back(r.id);
  EXPECT_THAT(ids, ElementsAre("item-2", "item-3"));
}

TEST_P(StoreContractTest, ALargeBatchCommitsInOneGo) {
  ChangeSet c;
  for (int i = 0; i < 2500; ++i) {
    std::string id = "bulk-" + std::to_string(100000 + i);
    c.instance_inserts.push_back(Item(id));
    c.timer_arms.push_back(Timer(id, "deadline", 1, At(i % 48)));
    c.audit_appends.push_back(Audit(id, 1, "registered"));
  }
  CommitOk(c);
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok()) << counts.error().message();
  EXPECT_EQ(counts->instances, 2500);
  EXPECT_EQ(counts->pending_timers, 2500);
  EXPECT_EQ(counts->audit_rows, 2500);
  EXPECT_EQ(store_->DueTimers(At(0), 5000)->size(), 53u);  // i % 48 == 0
}

TEST_P(StoreContractTest, CountsCoverEveryTable) {
  ChangeSet c = WithItems({"item-1"});
  c.definitions.push_back({"calendar", "cn", 0, "h", "kind: calendar\n", kT0});
  c.units.push_back({"town-1", "", "township", "T", "{}", kT0});
  c.people.push_back({"p1", "town-1", "Li", {"head"}, "{}", "zh", kT0});
  c.timer_arms = {Timer("item-1", "a", 1, At(1)), Timer("item-1", "b", 1, At(2))};
  c.outbox_inserts.push_back(Note("n1", At(1)));
  c.audit_appends.push_back(Audit("item-1", 1, "registered"));
  CommitOk(c);
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.ok()) << counts.error().message();
  EXPECT_EQ(counts->definitions, 1);
  EXPECT_EQ(counts->units, 1);
  EXPECT_EQ(counts->people, 1);
  EXPECT_EQ(counts->instances, 1);
  EXPECT_EQ(counts->pending_timers, 2);
  EXPECT_EQ(counts->outbox_by_state.at("pending"), 1);
  EXPECT_EQ(counts->audit_rows, 1);
}

TEST_P(StoreContractTest, AnEmptyChangeSetIsANoOp) { EXPECT_TRUE(store_->Commit({}).ok()); }

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(Kind::kSqlite), KindName);
INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest, ::testing::Values(Kind::kPostgresql),
                         KindName);
INSTANTIATE_TEST_SUITE_P(Memory, StoreContractTest, ::testing::Values(Kind::kMemory), KindName);

}  // namespace
}  // namespace rectify
