// The account store (engine/include/rectify/auth/account_store.h) on SQLite and PostgreSQL: one
// contract, both backends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/store/soci/soci_account_store.h"
#include "rectify/auth/secrets.h"
#include "tests/store/store_test_env.h"

namespace rectify::auth {
namespace {

using store_soci::Backend;
using ::testing::HasSubstr;

Timestamp T(const char* iso) { return *ParseIso(iso); }

class AccountStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    auto store = test::OpenMigratedStore(*db_, T("2026-12-01T09:00:00+08:00"));
    ASSERT_TRUE(store.ok()) << store.error().message();
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    auto opened = store_soci::Database::Open(*url, {});
    ASSERT_TRUE(opened.ok()) << opened.error().message();
    accounts_ = std::make_unique<store_soci::SociAccountStore>(std::move(*opened));
  }
  AccountEvent Ev(const char* at, const std::string& person, const std::string& what) {
    return {T(at), person, "cli", "cli", what, ""};
  }
  Account Cadre(const std::string& person) {
    Timestamp at = T("2026-12-01T10:00:00+08:00");
    return {person, "xinshao", "$argon2id$stored", false, false, at, at, at};
  }
  SessionRecord Session(const std::string& hash, const std::string& person) {
    Timestamp at = T("2026-12-01T11:00:00+08:00");
    return {hash, person, "127.0.0.1", at, at, at + std::chrono::hours(12), std::nullopt};
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<store_soci::SociAccountStore> accounts_;
};

TEST_P(AccountStoreTest, AnAccountIsAddedOnceAndFoundAgain) {
  ASSERT_TRUE(
      accounts_->AddAccount(Cadre("xs-0012"), Ev("2026-12-01T10:00:00+08:00", "xs-0012", "created"))
          .ok());
  auto again = accounts_->AddAccount(Cadre("xs-0012"),
                                     Ev("2026-12-01T10:01:00+08:00", "xs-0012", "created"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kUniqueViolation);
  auto found = accounts_->FindAccount("xs-0012");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->org, "xinshao");
  EXPECT_EQ((*found)->password_hash, "$argon2id$stored");
  EXPECT_FALSE((*found)->admin);
  auto none = accounts_->FindAccount("xs-9999");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  // The failed second add wrote no event.
  auto events = accounts_->Events("xs-0012", 10);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().event, "created");
}

TEST_P(AccountStoreTest, APasswordChangeOrDisablingEndsEverySession) {
  ASSERT_TRUE(
      accounts_->AddAccount(Cadre("xs-0012"), Ev("2026-12-01T10:00:00+08:00", "xs-0012", "created"))
          .ok());
  ASSERT_TRUE(accounts_
                  ->AddSession(Session("h1", "xs-0012"),
                               Ev("2026-12-01T11:00:00+08:00", "xs-0012", "login"))
                  .ok());
  ASSERT_TRUE(accounts_
                  ->AddSession(Session("h2", "xs-0012"),
                               Ev("2026-12-01T11:00:00+08:00", "xs-0012", "login"))
                  .ok());
  ASSERT_TRUE(accounts_->TouchSession("h1", T("2026-12-01T11:30:00+08:00")).ok());
  auto s1 = accounts_->FindSession("h1");
  ASSERT_TRUE(s1.ok() && s1->has_value());
  EXPECT_EQ((*s1)->last_seen_at, T("2026-12-01T11:30:00+08:00"));
  EXPECT_FALSE((*s1)->ended_at);

  ASSERT_TRUE(accounts_
                  ->SetPassword("xs-0012", "$argon2id$new",
                                Ev("2026-12-01T12:00:00+08:00", "xs-0012", "password_changed"))
                  .ok());
  for (const char* h : {"h1", "h2"}) {
    auto s = accounts_->FindSession(h);
    ASSERT_TRUE(s.ok() && s->has_value());
    EXPECT_EQ((*s)->ended_at, T("2026-12-01T12:00:00+08:00")) << h;
  }
  ASSERT_TRUE(accounts_
                  ->AddSession(Session("h3", "xs-0012"),
                               Ev("2026-12-01T12:10:00+08:00", "xs-0012", "login"))
                  .ok());
  ASSERT_TRUE(
      accounts_
          ->SetDisabled("xs-0012", true, Ev("2026-12-01T13:00:00+08:00", "xs-0012", "disabled"))
          .ok());
  auto s3 = accounts_->FindSession("h3");
  ASSERT_TRUE(s3.ok() && s3->has_value());
  EXPECT_EQ((*s3)->ended_at, T("2026-12-01T13:00:00+08:00"));
  auto account = accounts_->FindAccount("xs-0012");
  EXPECT_TRUE((*account)->disabled);
  EXPECT_EQ((*account)->password_hash, "$argon2id$new");

  auto missing = accounts_->SetPassword(
      "xs-9999", "x", Ev("2026-12-01T13:00:00+08:00", "xs-9999", "password_changed"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(missing.error().message(), HasSubstr("rectify user add xs-9999"));
}

TEST_P(AccountStoreTest, TokensAreListedNewestFirstAndRevokedOnce) {
  ASSERT_TRUE(
      accounts_->AddAccount(Cadre("xs-0012"), Ev("2026-12-01T10:00:00+08:00", "xs-0012", "created"))
          .ok());
  IssuedSecret a = NewApiToken(), b = NewApiToken();
  Timestamp t1 = T("2026-12-01T10:00:00+08:00"), t2 = T("2026-12-02T10:00:00+08:00");
  ASSERT_TRUE(accounts_
                  ->AddToken({a.id, "xs-0012", a.hash, "read", "platform", t1,
                              t1 + std::chrono::hours(24 * 90), std::nullopt, std::nullopt},
                             Ev("2026-12-01T10:00:00+08:00", "xs-0012", "token_created"))
                  .ok());
  ASSERT_TRUE(accounts_
                  ->AddToken({b.id, "xs-0012", b.hash, "write", "", t2, t2 + std::chrono::hours(1),
                              std::nullopt, std::nullopt},
                             Ev("2026-12-02T10:00:00+08:00", "xs-0012", "token_created"))
                  .ok());
  auto list = accounts_->ListTokens("xs-0012");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, b.id);
  EXPECT_EQ((*list)[1].id, a.id);
  EXPECT_EQ((*list)[1].secret_hash, a.hash);
  EXPECT_TRUE((*list)[0].LiveAt(t2));
  EXPECT_FALSE((*list)[0].LiveAt(t2 + std::chrono::hours(1)));

  ASSERT_TRUE(
      accounts_->RevokeToken(a.id, Ev("2026-12-03T10:00:00+08:00", "xs-0012", "token_revoked"))
          .ok());
  ASSERT_TRUE(
      accounts_->RevokeToken(a.id, Ev("2026-12-04T10:00:00+08:00", "xs-0012", "token_revoked"))
          .ok());
  auto found = accounts_->FindToken(a.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->revoked_at, T("2026-12-03T10:00:00+08:00"));
  EXPECT_FALSE((*found)->LiveAt(T("2026-12-03T10:00:00+08:00")));
  auto unknown = accounts_->RevokeToken("000000000000", Ev("2026-12-04T10:00:00+08:00", "?", "x"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kNotFound);

  auto events = accounts_->Events("xs-0012", 3);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].event, "token_revoked");
  EXPECT_EQ((*events)[0].at, T("2026-12-04T10:00:00+08:00"));
}

TEST_P(AccountStoreTest, ATokenMustBelongToAnAccount) {
  IssuedSecret a = NewApiToken();
  Timestamp t1 = T("2026-12-01T10:00:00+08:00");
  auto orphan =
      accounts_->AddToken({a.id, "nobody", a.hash, "read", "", t1, t1, std::nullopt, std::nullopt},
                          Ev("2026-12-01T10:00:00+08:00", "nobody", "token_created"));
  EXPECT_FALSE(orphan.ok());
  auto list = accounts_->ListTokens("");
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify::auth
