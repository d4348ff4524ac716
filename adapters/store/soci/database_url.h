// Database URLs: how a user names the database Rectify runs on.
//
// The accepted forms (DESIGN.md section 5, docs/operations.md):
//   sqlite:PATH                                     an SQLite file (relative to the working folder)
//   sqlite::memory:                                 a private in-memory SQLite database
//   postgresql://user:pass@host:port/db?key=value   PostgreSQL (postgres:// too); user, password
//                                                   and port are optional; parts may be
//                                                   percent-encoded; keys are libpq's (sslmode,
//                                                   connect_timeout, application_name, ...)
// A URL in none of these forms is kBadInput, with a message that shows them. `Redacted()` is the
// form to print: the password never appears in a message.
//
// Thread-safety: values; no shared state.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "rectify/result.h"

namespace rectify::store_soci {

enum class Backend { kSqlite, kPostgresql };

std::string_view BackendName(Backend backend);  // "sqlite", "postgresql"

struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  // SQLite: the file path, or ":memory:".
  std::string path;
  // PostgreSQL.
  std::string user;
  std::string password;
  std::string host;
  int port = 5432;
  std::string database;
  std::map<std::string, std::string> params;

  bool in_memory() const { return backend == Backend::kSqlite && path == ":memory:"; }
  // The URL with the password replaced by "***".
  std::string Redacted() const;
  // A libpq keyword/value connection string (PostgreSQL only), values quoted.
  std::string PostgresConnInfo() const;
};

// The accepted forms, as one line for error messages.
inline constexpr std::string_view kAcceptedUrlForms =
    "sqlite:PATH, sqlite::memory: or postgresql://user:pass@host:port/db";

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

// Best-effort redaction of a string that may not parse as a URL: whatever sits between
// "scheme://user:" and "@" becomes "***".
std::string RedactUrl(std::string_view url);

}  // namespace rectify::store_soci
