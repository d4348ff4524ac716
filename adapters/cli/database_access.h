// How subcommands reach the database: the URL in force (--db, RECTIFY_DB, or the default
// sqlite:var/rectify.db), parsed and opened with the checks that give users a clear message.
// Only the default's var/ folder is created when missing; a folder the user named must exist.
//
// Thread-safety: call from the command's thread. Ownership: the caller owns what it gets.
#pragma once

#include <memory>
#include <string>

#include "adapters/cli/cli.h"
#include "adapters/store/soci/database.h"

namespace rectify::cli {

struct OpenedDatabase {
  store_soci::DatabaseUrl url;
  std::unique_ptr<store_soci::Database> db;
};

// `create`: whether a missing SQLite file may be created (migrate) or not (status).
Result<OpenedDatabase> OpenDatabase(const Context& ctx, bool create);

// The migrations folder: `flag` when given, else <home>/migrations.
std::string MigrationsDir(const Context& ctx, const std::string& flag);

}  // namespace rectify::cli
