// The AccountStore (engine/include/rectify/auth/account_store.h) on SOCI, SQLite and PostgreSQL,
// over the schema of migration 0005.
//
//   auto db = Database::Open(url, {});
//   SociAccountStore accounts(**db);   // borrows the connection
//   auto found = accounts.FindAccount("xs-0012");
//
// Each write is one short transaction that also appends its account_events row. Reads are single
// statements.
//
// Thread-safety: one thread at a time, like the Database. Ownership: borrows `db`, which must
// outlive it, or owns it (the unique_ptr constructor).
#pragma once

#include <memory>

#include "adapters/store/soci/database.h"
#include "rectify/auth/account_store.h"

namespace rectify::store_soci {

class SociAccountStore final : public auth::AccountStore {
 public:
  explicit SociAccountStore(Database& db) : db_(db) {}
  explicit SociAccountStore(std::unique_ptr<Database> db) : owned_(std::move(db)), db_(*owned_) {}

  Status AddAccount(const auth::Account& account, const auth::AccountEvent& event) override;
  Result<std::optional<auth::Account>> FindAccount(const std::string& person) override;
  Result<std::vector<auth::Account>> ListAccounts() override;
  Status SetPassword(const std::string& person, const std::string& password_hash,
                     const auth::AccountEvent& event) override;
  Status SetDisabled(const std::string& person, bool disabled,
                     const auth::AccountEvent& event) override;

  Status AddToken(const auth::ApiToken& token, const auth::AccountEvent& event) override;
  Result<std::optional<auth::ApiToken>> FindToken(const std::string& id) override;
  Result<std::vector<auth::ApiToken>> ListTokens(const std::string& person) override;
  Status RevokeToken(const std::string& id, const auth::AccountEvent& event) override;

  Status AddSession(const auth::SessionRecord& session, const auth::AccountEvent& event) override;
  Result<std::optional<auth::SessionRecord>> FindSession(const std::string& id_hash) override;
  Status TouchSession(const std::string& id_hash, Timestamp at) override;
  Status EndSession(const std::string& id_hash, const auth::AccountEvent& event) override;

  Status RecordEvent(const auth::AccountEvent& event) override;
  Result<std::vector<auth::AccountEvent>> Events(const std::string& person, int limit) override;

 private:
  Result<std::vector<auth::Account>> QueryAccounts(const std::string& where,
                                                   const std::string& arg);
  Result<std::vector<auth::ApiToken>> QueryTokens(const std::string& where, const std::string& arg);

  std::unique_ptr<Database> owned_;
  Database& db_;
};

}  // namespace rectify::store_soci
