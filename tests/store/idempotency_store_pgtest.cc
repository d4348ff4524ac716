// The idempotency keys of the API's POSTs (rectify/idempotency_store.h) on SQLite and PostgreSQL:
// a retry gets the first answer, a key never runs twice at once, and a key whose request never
// answered (its server stopped) is taken over once the reservation's lease has passed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/store/soci/soci_idempotency_store.h"
#include "tests/store/store_test_env.h"

namespace rectify {
namespace {

using store_soci::Backend;
using ::testing::HasSubstr;

const Timestamp kT0 = FromMicros(1497492000000000);  // 2017-06-15T02:00:00Z

class IdempotencyStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db) << db.error().message();
    db_ = std::move(*db);
    auto store = test::OpenMigratedStore(*db_, kT0);  // the schema
    ASSERT_TRUE(store) << store.error().message();
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    ASSERT_TRUE(url);
    auto opened = store_soci::Database::Open(*url, {});
    ASSERT_TRUE(opened) << opened.error().message();
    database_ = std::move(*opened);
    keys_ = std::make_unique<store_soci::SociIdempotencyStore>(*database_);
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<store_soci::Database> database_;
  std::unique_ptr<store_soci::SociIdempotencyStore> keys_;
};

TEST_P(IdempotencyStoreTest, ARetryGetsTheFirstAnswerAndAnotherRequestUnderTheKeyIsRefused) {
  auto first = keys_->Begin("xs-0014", "k-1", "hash-a", kT0);
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_FALSE(first->replay);
  ASSERT_TRUE(keys_->Finish("xs-0014", "k-1", {200, R"([["ETag","\"2\""]])", R"({"id":"T-A1"})"}));

  auto retry = keys_->Begin("xs-0014", "k-1", "hash-a", kT0 + std::chrono::seconds(3));
  ASSERT_TRUE(retry) << retry.error().message();
  ASSERT_TRUE(retry->replay);
  EXPECT_EQ(retry->replay->status, 200);
  EXPECT_EQ(retry->replay->body, R"({"id":"T-A1"})");
  EXPECT_EQ(retry->replay->headers_json, R"([["ETag","\"2\""]])");

  auto other = keys_->Begin("xs-0014", "k-1", "hash-b", kT0 + std::chrono::seconds(4));
  ASSERT_FALSE(other);
  EXPECT_EQ(other.error().code(), ErrorCode::kBadInput);
  EXPECT_THAT(other.error().message(), HasSubstr("was used for a different request"));

  // Keys belong to their person: another person's k-1 is a key of its own.
  auto someone_else = keys_->Begin("xs-0020", "k-1", "hash-b", kT0);
  ASSERT_TRUE(someone_else) << someone_else.error().message();
  EXPECT_FALSE(someone_else->replay);
}

TEST_P(IdempotencyStoreTest, AKeyStillRunningIsAConflictUntilItsLeaseHasPassed) {
  ASSERT_TRUE(keys_->Begin("xs-0014", "k-2", "hash-a", kT0));
  // The first request's server stops here: no Finish, no Abandon.
  auto soon = keys_->Begin("xs-0014", "k-2", "hash-a", kT0 + std::chrono::minutes(1));
  ASSERT_FALSE(soon);
  EXPECT_EQ(soon.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(soon.error().message(), HasSubstr("still running; retry shortly"));

  // Past the lease, the retry takes the key over and runs; a second retry at the same moment
  // finds it taken again.
  Timestamp later = kT0 + kReservationLease + std::chrono::seconds(1);
  auto taken = keys_->Begin("xs-0014", "k-2", "hash-a", later);
  ASSERT_TRUE(taken) << taken.error().message();
  EXPECT_FALSE(taken->replay);
  auto twin = keys_->Begin("xs-0014", "k-2", "hash-a", later);
  ASSERT_FALSE(twin);
  EXPECT_EQ(twin.error().code(), ErrorCode::kConflict);

  ASSERT_TRUE(keys_->Finish("xs-0014", "k-2", {412, "[]", R"({"error":"precondition_failed"})"}));
  auto replay = keys_->Begin("xs-0014", "k-2", "hash-a", later + std::chrono::minutes(10));
  ASSERT_TRUE(replay) << replay.error().message();
  ASSERT_TRUE(replay->replay);
  EXPECT_EQ(replay->replay->status, 412);
}

TEST_P(IdempotencyStoreTest, AnAbandonedKeyRunsAgainAndExpiredKeysGo) {
  ASSERT_TRUE(keys_->Begin("xs-0014", "k-3", "hash-a", kT0));
  ASSERT_TRUE(keys_->Abandon("xs-0014", "k-3"));  // the first run failed on the server's side
  auto again = keys_->Begin("xs-0014", "k-3", "hash-a", kT0 + std::chrono::seconds(1));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_FALSE(again->replay);

  ASSERT_TRUE(keys_->Begin("xs-0014", "k-4", "hash-a", kT0));
  ASSERT_TRUE(keys_->Finish("xs-0014", "k-4", {200, "[]", "{}"}));
  // Both keys are older than the cut, the unanswered k-3 as well as the answered k-4.
  auto expired = keys_->Expire(kT0 + std::chrono::hours(25));
  ASSERT_TRUE(expired) << expired.error().message();
  EXPECT_EQ(*expired, 2);
  auto fresh = keys_->Begin("xs-0014", "k-4", "hash-b", kT0 + std::chrono::hours(25));
  ASSERT_TRUE(fresh) << fresh.error().message();
  EXPECT_FALSE(fresh->replay);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, IdempotencyStoreTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, IdempotencyStoreTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
