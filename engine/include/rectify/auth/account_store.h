// Accounts: the people of the org definitions who may sign in, the API tokens of the systems that
// act for them, the sessions behind login cookies, and the record of every change to them.
//
//   Account a{.person = "xs-0012", .org = "xinshao", .password_hash = *HashPassword(pw), ...};
//   Status s = store.AddAccount(a, AccountEvent{at, "xs-0012", "cli", "cli", "created", ""});
//   Result<std::optional<Account>> found = store.FindAccount("xs-0012");
//
// An account is bound to a person id of an org definition; who the person is (name, unit, roles)
// always comes from the definitions loaded, never from here, so a person who left the org can no
// longer act even while their account row remains. Secrets are kept only as hashes (secrets.h).
//
// Every write takes the AccountEvent that explains it and records it in the same transaction:
// who changed what, when, through which channel (cli, api, web). A password change and disabling
// an account end the person's sessions in that same transaction, so no cookie outlives either.
//
// Thread-safety: one thread at a time per store (one database connection). Ownership: plain
// values in and out.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rectify/result.h"
#include "rectify/timestamp.h"

namespace rectify::auth {

struct Account {
  std::string person;
  std::string org;
  std::string password_hash;  // Argon2id string (secrets.h)
  bool admin = false;
  bool disabled = false;
  Timestamp created_at{};
  Timestamp password_changed_at{};
  Timestamp changed_at{};
};

struct ApiToken {
  std::string id;  // the public handle (secrets.h: IssuedSecret::id)
  std::string person;
  std::string secret_hash;
  std::string scope;  // "read" or "write"
  std::string label;  // what the token is for, as its creator said
  Timestamp created_at{};
  Timestamp expires_at{};
  std::optional<Timestamp> revoked_at;
  std::optional<Timestamp> last_used_at;

  bool LiveAt(Timestamp t) const { return !revoked_at && t < expires_at; }
};

struct SessionRecord {
  std::string id_hash;  // SHA-256 hex of the cookie's value
  std::string person;
  std::string address;  // the client's address at login
  Timestamp created_at{};
  Timestamp last_seen_at{};
  Timestamp expires_at{};  // absolute expiry; the idle expiry is last_seen_at + the idle limit
  std::optional<Timestamp> ended_at;
};

struct AccountEvent {
  Timestamp at{};
  std::string person;   // whose account
  std::string actor;    // who did it: a person id, or "cli" for the server's operator
  std::string channel;  // cli, api, web
  std::string event;    // created, password_changed, disabled, enabled, token_created, ...
  std::string detail;   // e.g. the token id, the request id
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // kUniqueViolation when the person already has an account.
  virtual Status AddAccount(const Account& account, const AccountEvent& event) = 0;
  virtual Result<std::optional<Account>> FindAccount(const std::string& person) = 0;
  virtual Result<std::vector<Account>> ListAccounts() = 0;
  // kNotFound when the person has no account. Ends every live session of the person.
  virtual Status SetPassword(const std::string& person, const std::string& password_hash,
                             const AccountEvent& event) = 0;
  // Disabling ends every live session; tokens stay but do not work while disabled.
  virtual Status SetDisabled(const std::string& person, bool disabled,
                             const AccountEvent& event) = 0;

  virtual Status AddToken(const ApiToken& token, const AccountEvent& event) = 0;
  virtual Result<std::optional<ApiToken>> FindToken(const std::string& id) = 0;
  // Tokens of `person`, or of everyone when empty, newest first.
  virtual Result<std::vector<ApiToken>> ListTokens(const std::string& person) = 0;
  // kNotFound when there is no such token; revoking twice keeps the first instant.
  virtual Status RevokeToken(const std::string& id, const AccountEvent& event) = 0;

  virtual Status AddSession(const SessionRecord& session, const AccountEvent& event) = 0;
  virtual Result<std::optional<SessionRecord>> FindSession(const std::string& id_hash) = 0;
  virtual Status TouchSession(const std::string& id_hash, Timestamp at) = 0;
  virtual Status EndSession(const std::string& id_hash, const AccountEvent& event) = 0;

  // Records an event that changes nothing else (a failed sign-in).
  virtual Status RecordEvent(const AccountEvent& event) = 0;
  // The latest events about `person` (everyone when empty), newest first.
  virtual Result<std::vector<AccountEvent>> Events(const std::string& person, int limit) = 0;
};

}  // namespace rectify::auth
