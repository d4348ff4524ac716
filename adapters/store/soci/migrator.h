// Schema migrations: versioned SQL files applied in order, once each, checked by checksum.
//
// The files live in one folder (`<home>/migrations`): `NNNN_name.sql` for SQL that both dialects
// run, and `NNNN_name.sqlite.sql` / `NNNN_name.postgresql.sql` where they differ; a dialect's
// variant wins over the plain file. The `schema_migrations` table records each applied one's
// version, name, checksum (SHA-256 of the file it ran) and applied_at (microseconds, UTC).
//
// `Migrate` applies what is pending, each migration and its record in one transaction, so a
// failing one leaves the database as it was before it (earlier ones in the same run stay
// applied), and says which file and line failed. It refuses to run, changing nothing, when an
// applied migration's file has changed or is missing, or a pending one is older than an applied
// one. On PostgreSQL it holds an advisory lock, so concurrent runs apply each migration once; on
// SQLite each migration takes the write lock (BEGIN IMMEDIATE) and re-checks before applying.
// A migration file must not contain BEGIN or COMMIT of its own.
//
// Thread-safety: one thread at a time (it uses one Database). Ownership: borrows the Database.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "adapters/store/soci/database.h"
#include "rectify/result.h"
#include "rectify/timestamp.h"

namespace rectify::store_soci {

struct MigrationFile {
  std::int64_t version = 0;
  std::string name;  // "initial"
  std::string path;  // the file this dialect runs
  std::string sql;
  std::string checksum;  // hex SHA-256 of the file's bytes
};

struct AppliedMigration {
  std::int64_t version = 0;
  std::string name;
  std::string checksum;
  Timestamp applied_at;
};

struct MigrationState {
  std::vector<AppliedMigration> applied;  // in version order
  std::vector<MigrationFile> pending;     // in version order
  // The highest applied version; 0 for a database never migrated.
  std::int64_t version() const { return applied.empty() ? 0 : applied.back().version; }
};

// Reads the migrations `backend` runs from `dir`, in version order.
Result<std::vector<MigrationFile>> ReadMigrations(const std::string& dir, Backend backend);

class Migrator {
 public:
  Migrator(Database& db, std::string dir) : db_(db), dir_(std::move(dir)) {}

  // What is applied and what is pending; refuses (kFailedPrecondition) as Migrate would.
  // Changes nothing. A database never migrated has nothing applied.
  Result<MigrationState> Check();

  // Applies every pending migration; returns those it applied (empty when up to date).
  // `on_applied`, when given, hears of each one as soon as it is committed, so a caller can
  // report progress that stays true when a later migration fails.
  Result<std::vector<MigrationFile>> Migrate(
      Timestamp now, const std::function<void(const MigrationFile&)>& on_applied = {});

 private:
  Result<std::vector<AppliedMigration>> ReadApplied();
  Result<MigrationState> Plan(const std::vector<MigrationFile>& files,
                              const std::vector<AppliedMigration>& applied);
  Status Apply(const MigrationFile& file, Timestamp now, std::int64_t current_version,
               bool* skipped);

  Database& db_;
  std::string dir_;
};

}  // namespace rectify::store_soci
