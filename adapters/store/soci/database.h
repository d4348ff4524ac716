// One open database connection, SQLite or PostgreSQL, and the one place where database errors
// become Rectify's typed errors.
//
// `Database::Open` checks what it can before it connects, so the user reads what to fix rather
// than a driver's message: a missing SQLite folder (created only when the caller asks, for the
// default var/), a read-only one, a missing file when the caller must not create one, a
// PostgreSQL server that does not answer (kUnavailable, naming host and port). SQLite connections
// run in WAL mode with synchronous=FULL, a busy timeout and foreign keys on; PostgreSQL ones with
// a connect timeout (5 s unless the URL says otherwise) and server notices silenced.
//
// `MapError` turns what SOCI throws into kConflict (serialization failures), kUniqueViolation,
// kBadInput (other constraint and data errors), kFailedPrecondition (the schema is missing),
// kUnavailable (connection, I/O, locks, read-only) or kInternal, using SQLSTATE on PostgreSQL and
// extended result codes on SQLite. Messages are one line and never show the password.
//
// Both backends keep the statements the store runs again and again prepared per connection:
// SQLite through `CachedStatement` (its own API), PostgreSQL through `PreparedName` (libpq's
// PQprepare, run by name through store_soci::Statement), so the server parses and plans each
// once per connection instead of on every execution.
//
// Thread-safety: one thread at a time. Ownership: owns its SOCI session.
#pragma once

#include <soci/soci.h>

#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapters/store/soci/database_url.h"
#include "rectify/result.h"

// SOCI's SQLite backend declares the C API inside this namespace.
namespace sqlite_api {
struct sqlite3_stmt;
}

namespace rectify::store_soci {

struct OpenOptions {
  // When false, a missing SQLite file is kFailedPrecondition ("run rectify migrate") instead of
  // being created; `status` opens this way so that it changes nothing.
  bool create = true;
  // Create a missing parent folder of the SQLite file. Only for the default var/ folder: a
  // folder the user named that does not exist is most likely a typo.
  bool create_folder = false;
};

class Database {
 public:
  static Result<std::unique_ptr<Database>> Open(const DatabaseUrl& url, const OpenOptions& options);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  soci::session& session() { return *session_; }
  Backend backend() const { return url_.backend; }
  bool is_postgres() const { return url_.backend == Backend::kPostgresql; }
  const DatabaseUrl& url() const { return url_; }

  // Maps an exception SOCI threw while `doing` something ("commit", "read timers") to a typed
  // error whose message starts with `doing`.
  Error MapError(const std::exception& e, std::string_view doing);

  // Runs a script of one or more SQL statements as it is (no placeholder rewriting). On failure,
  // `*error_line` is the 1-based line of the script where the database places the error, or 0.
  Status ExecScript(const std::string& sql, int* error_line);
  // Runs one statement without parameters.
  Status Exec(const std::string& sql);

  // A write transaction: BEGIN (BEGIN IMMEDIATE on SQLite) ... Commit() or Rollback(). SQLite has
  // one writer per file; the connections of one process to the same file take turns on a mutex
  // before they begin, so they wait for each other at once instead of in SQLite's busy handler,
  // which sleeps in growing steps (a tail of 100 ms waits). Other processes still meet the busy
  // timeout. Rollback() is safe to call when nothing is open.
  Status BeginWrite();
  Status Commit();
  void Rollback();

  // PostgreSQL: the open write transaction's COMMIT returns without waiting for its WAL to reach
  // the disk (synchronous_commit off for this transaction only). Only for rows whose loss in a
  // crash of the database server is harmless or repaired: WAL is flushed in order, so such a row
  // written before a durable commit is as durable as that commit, and one written after may be
  // lost with the last few hundred milliseconds. SQLite: nothing (its commits stay synchronous).
  Status RelaxDurability();

  // SQLite only: `sql` prepared once for this connection and kept until it closes (the batched
  // writes run the same few statements thousands of times a second). Throws
  // soci::sqlite3_soci_error when it does not prepare, as SOCI would.
  sqlite_api::sqlite3_stmt* CachedStatement(const std::string& sql);

  // PostgreSQL only: the name under which `sql` (in PostgreSQL's form, parameters $1..$`params`,
  // all sent as text) is prepared on this connection, preparing it on first use. The most
  // recently used kMaxPrepared statements are kept; the least recently used beyond them is
  // deallocated. Throws soci::postgresql_soci_error (SQLSTATE and the server's message, as SOCI
  // would throw them when executing) when the server refuses it.
  const std::string& PreparedName(const std::string& sql, int params);
  // Forgets the PostgreSQL statements prepared on this connection without telling the server.
  // MapError calls it when the connection is lost or the server says a prepared statement does
  // not exist (SQLSTATE 26000), so no stale name is used again.
  void ForgetPrepared();
  // How many PostgreSQL statements this connection keeps prepared (for tests).
  std::size_t prepared_count() const { return prepared_.size(); }
  static constexpr std::size_t kMaxPrepared = 256;

  // Whether a table exists (in the current schema on PostgreSQL).
  Result<bool> TableExists(const std::string& table);

 private:
  Database(DatabaseUrl url, std::unique_ptr<soci::session> session);

  DatabaseUrl url_;
  std::unique_ptr<soci::session> session_;
  std::shared_ptr<std::mutex> writer_;  // SQLite: the process's turn on this file's write lock
  std::unique_lock<std::mutex> writing_;
  bool in_write_ = false;
  std::map<std::string, sqlite_api::sqlite3_stmt*> statements_;  // SQLite: CachedStatement
  // PostgreSQL: PreparedName. `recent_` holds the SQL texts, most recently used first; each
  // entry of `prepared_` points at its text there.
  struct Prepared {
    std::string name;
    std::list<std::string>::iterator recent;
  };
  std::list<std::string> recent_;
  std::unordered_map<std::string, Prepared> prepared_;
  long long prepared_serial_ = 0;
};

}  // namespace rectify::store_soci
