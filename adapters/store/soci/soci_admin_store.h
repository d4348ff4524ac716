// What the API's administration needs from the database beside the engine's Store, the outbox
// and the accounts, on SOCI, SQLite and PostgreSQL, over the schema of migration 0008:
//
//   SociAdminStore admin(db);                          // borrows the connection
//   auto defs = admin.ListDefinitions();               // the registry, without sources
//   auto row = admin.RetryDeadLetter(42, now, event);  // one dead letter back to pending
//   admin.AddFeed(feed);  admin.FindFeed(hash);  admin.RevokeFeed(id, person, now);
//
// Each write is one short transaction; a write an administrator makes also appends its
// admin_events row (who, channel, request id) in the same transaction.
//
// Thread-safety: one thread at a time, like the Database. Ownership: borrows `db`, which must
// outlive it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/store/soci/database.h"
#include "rectify/store.h"

namespace rectify::store_soci {

// A row of admin_events.
struct AdminEvent {
  Timestamp at;
  std::string actor;  // the person
  std::string channel = "api";
  std::string request_id;
  std::string action;   // "definition.register", "delivery.retry"
  std::string subject;  // "workflow rectification-item@3", "outbox 42"
  std::string detail;
};

// A calendar feed URL's token (only its hash is kept).
struct FeedToken {
  std::string id;  // public handle, for listing and revoking
  std::string person;
  std::string token_hash;
  std::string label;
  Timestamp created_at;
  std::optional<Timestamp> revoked_at;
};

class SociAdminStore {
 public:
  explicit SociAdminStore(Database& db) : db_(db) {}

  // Every registered definition, by kind, name and version; `source` is left empty.
  Result<std::vector<DefinitionRecord>> ListDefinitions();
  Status RecordEvent(const AdminEvent& event);
  Result<std::vector<AdminEvent>> Events(const std::string& action, const std::string& subject);

  // One outbox row by id; kNotFound when there is none.
  Result<OutboxRecord> OutboxRow(std::int64_t id);
  // Moves dead letter `id` back to pending, due at `now`, its attempts from 0 (as `rectify
  // dispatch --requeue` does for all of them), and records `event`. kNotFound when there is no
  // such row, kFailedPrecondition when it is not dead.
  Result<OutboxRecord> RetryDeadLetter(std::int64_t id, Timestamp now, const AdminEvent& event);

  Status AddFeed(const FeedToken& feed);
  // The feed whose token hashes to `token_hash`, revoked or not; nullopt when there is none.
  Result<std::optional<FeedToken>> FindFeed(const std::string& token_hash);
  Result<std::vector<FeedToken>> ListFeeds(const std::string& person);
  // Revokes `person`'s feed `id` at `now`; kNotFound when `person` has no feed `id`.
  Status RevokeFeed(const std::string& id, const std::string& person, Timestamp now);

 private:
  Result<std::vector<FeedToken>> QueryFeeds(const std::string& where, const std::string& arg);
  Database& db_;
};

}  // namespace rectify::store_soci
