// The node's account cache (adapters/http/api/account_cache.h) over the real account store, on
// SQLite and PostgreSQL: what it keeps, what a write through it forgets, and that a change racing
// a read never puts the old value back. (That a change made elsewhere reaches a live server is in
// api_session_pgtest.cc.)
#include <gtest/gtest.h>

#include <functional>
#include <utility>

#include "adapters/http/api/account_cache.h"
#include "adapters/store/soci/soci_account_store.h"
#include "tests/store/store_test_env.h"
#include "tests/support/forwarding_store.h"

namespace rectify::api {
namespace {

using store_soci::Backend;

Timestamp T(const char* iso) { return *ParseIso(iso); }

// The real store, counting token reads, with a hook run after a token was read (to change it
// while the read is on its way back).
class HookedStore : public test::ForwardingAccountStore {
 public:
  explicit HookedStore(std::unique_ptr<store_soci::Database> db)
      : ForwardingAccountStore(std::make_unique<store_soci::SociAccountStore>(std::move(db))) {}
  std::function<void()> after_token_read;
  int token_reads = 0;

  Result<std::optional<auth::ApiToken>> FindToken(const std::string& id) override {
    ++token_reads;
    auto found = ForwardingAccountStore::FindToken(id);
    if (auto hook = std::exchange(after_token_read, nullptr)) hook();
    return found;
  }
};

class AccountCacheTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    auto store = test::OpenMigratedStore(*db_, T("2026-12-01T09:00:00+08:00"));
    ASSERT_TRUE(store.ok()) << store.error().message();
    for (auto* target : {&rows_, &elsewhere_}) {
      auto url = store_soci::ParseDatabaseUrl(db_->url());
      auto opened = store_soci::Database::Open(*url, {});
      ASSERT_TRUE(opened.ok()) << opened.error().message();
      *target = std::make_unique<HookedStore>(std::move(*opened));
    }
    Timestamp at = T("2026-12-01T10:00:00+08:00");
    ASSERT_TRUE(
        rows_
            ->AddAccount({"xs-0012", "xinshao", "$argon2id$stored", false, false, at, at, at},
                         Ev("created"))
            .ok());
    ASSERT_TRUE(rows_
                    ->AddToken({"tok1", "xs-0012", "hash1", "write", "平台", at,
                                at + std::chrono::hours(24 * 30), std::nullopt, std::nullopt},
                               Ev("token_created"))
                    .ok());
    accounts_ = cache_.Over(*rows_);
  }
  auth::AccountEvent Ev(const char* what) {
    return {T("2026-12-01T10:00:00+08:00"), "xs-0012", "cli", "cli", what, ""};
  }
  bool Revoked(const std::string& id) {
    auto t = accounts_->FindToken(id);
    return t.ok() && t->has_value() && (*t)->revoked_at.has_value();
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<HookedStore> rows_;       // the node's connection
  std::unique_ptr<HookedStore> elsewhere_;  // another writer (the CLI, another node)
  AccountCache cache_;
  std::unique_ptr<auth::AccountStore> accounts_;
};

TEST_P(AccountCacheTest, ACredentialIsReadOnceAndKeptUntilItIsForgotten) {
  EXPECT_FALSE(Revoked("tok1"));
  EXPECT_FALSE(Revoked("tok1"));
  EXPECT_EQ(rows_->token_reads, 1);
  // Revoked elsewhere: the cache answers what it read until node_changes names the token...
  ASSERT_TRUE(elsewhere_->RevokeToken("tok1", Ev("token_revoked")).ok());
  EXPECT_FALSE(Revoked("tok1"));
  // ... and reads it again after.
  cache_.Forget("token", "tok1");
  EXPECT_TRUE(Revoked("tok1"));
  EXPECT_EQ(rows_->token_reads, 2);
}

TEST_P(AccountCacheTest, AWriteThroughTheCacheForgetsWhatItChanges) {
  EXPECT_FALSE(Revoked("tok1"));
  ASSERT_TRUE(accounts_->RevokeToken("tok1", Ev("token_revoked")).ok());
  EXPECT_TRUE(Revoked("tok1"));

  auto before = accounts_->FindAccount("xs-0012");
  ASSERT_TRUE(before.ok() && before->has_value());
  EXPECT_FALSE((*before)->disabled);
  ASSERT_TRUE(accounts_->SetDisabled("xs-0012", true, Ev("disabled")).ok());
  auto after = accounts_->FindAccount("xs-0012");
  ASSERT_TRUE(after.ok() && after->has_value());
  EXPECT_TRUE((*after)->disabled);
}

TEST_P(AccountCacheTest, AChangeWhileACredentialIsReadKeepsNothing) {
  // The token is read, then revoked and forgotten before the read is kept: the read's (old)
  // answer goes to its caller, who came before the change, but is not kept for later ones.
  rows_->after_token_read = [&] {
    ASSERT_TRUE(elsewhere_->RevokeToken("tok1", Ev("token_revoked")).ok());
    cache_.Forget("token", "tok1");
  };
  EXPECT_FALSE(Revoked("tok1"));  // the racing read
  EXPECT_TRUE(Revoked("tok1"));   // the next one reads the store again
  EXPECT_EQ(rows_->token_reads, 2);
}

TEST_P(AccountCacheTest, WrongCredentialsAreNeverKept) {
  auto none = accounts_->FindToken("no-such-token");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(cache_.size(), 0u);
  (void)accounts_->FindToken("no-such-token");
  EXPECT_EQ(rows_->token_reads, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountCacheTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::api
