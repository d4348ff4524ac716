#include "adapters/store/soci/database.h"

#include <libpq-fe.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>  // wraps <sqlite3.h> in namespace sqlite_api
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <map>
#include <system_error>
#include <vector>

namespace rectify::store_soci {

using namespace sqlite_api;  // NOLINT(google-build-using-namespace): SQLite's C API, as SOCI wraps
                             // it

namespace {

sqlite3* LiteHandle(soci::session& s) {
  return static_cast<soci::sqlite3_session_backend*>(s.get_backend())->conn_;
}

PGconn* PgHandle(soci::session& s) {
  return static_cast<soci::postgresql_session_backend*>(s.get_backend())->conn_;
}

namespace fs = std::filesystem;

// Collapses a multi-line driver message into one line: lines joined with "; ", tabs and
// PostgreSQL's "ERROR:  " prefix dropped, caret lines ("     ^") and query echoes removed.
std::string OneLine(std::string_view text) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty() || line == "^" || line.starts_with("LINE ")) continue;
    for (std::string_view prefix : {"ERROR:  ", "FATAL:  ", "ERROR: ", "FATAL: "}) {
      if (line.starts_with(prefix)) line.remove_prefix(prefix.size());
    }
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

std::string Folder(const fs::path& file) {
  fs::path folder = file.parent_path();
  return folder.empty() ? std::string(".") : folder.string();
}

Result<std::unique_ptr<soci::session>> OpenSqlite(const DatabaseUrl& url,
                                                  const OpenOptions& options) {
  const std::string choose = "choose another path with --db or RECTIFY_DB";
  if (!url.in_memory()) {
    fs::path file(url.path);
    std::string folder = Folder(file);
    std::error_code ec;
    if (!fs::exists(folder, ec)) {
      if (!options.create_folder) {
        return Error::BadInput("the folder '" + folder + "' of the SQLite database '" + url.path +
                               "' does not exist; create it or " + choose);
      }
      if (fs::create_directories(folder, ec); ec) {
        return Error::Unavailable("cannot create the folder '" + folder +
                                  "' for the SQLite database: " + ec.message() + "; " + choose);
      }
    } else if (!fs::is_directory(folder, ec)) {
      return Error::BadInput("'" + folder + "' in the SQLite path '" + url.path +
                             "' is not a folder; " + choose);
    }
    bool file_exists = fs::exists(file, ec);
    if (file_exists && fs::is_directory(file, ec)) {
      return Error::BadInput("the SQLite path '" + url.path + "' is a folder, not a file; " +
                             choose);
    }
    if (!file_exists && !options.create) {
      return Error::FailedPrecondition("there is no database at '" + url.path +
                                       "'; run 'rectify migrate' to create it");
    }
    if (access(folder.c_str(), W_OK | X_OK) != 0) {
      return Error::Unavailable("the folder '" + folder +
                                "' is read-only, and SQLite must write there (the database and its "
                                "-wal and -shm files); make it writable or " +
                                choose);
    }
    if (file_exists && access(url.path.c_str(), R_OK | W_OK) != 0) {
      return Error::Unavailable("the SQLite database '" + url.path +
                                "' is read-only; make it writable or " + choose);
    }
  }
  try {
    auto session = std::make_unique<soci::session>(*soci::factory_sqlite3(), url.path);
    std::string mode;
    *session << "PRAGMA journal_mode=WAL", soci::into(mode);
    *session << "PRAGMA synchronous=FULL";
    *session << "PRAGMA busy_timeout=5000";
    *session << "PRAGMA foreign_keys=ON";
    // The default page cache is 2 MiB; a province's tables are far larger, and every miss
    // re-reads (and zeroes) a page. Up to 256 MiB per connection, taken only as used, and reads
    // through mmap straight from the OS page cache.
    *session << "PRAGMA cache_size=-262144";
    *session << "PRAGMA mmap_size=1073741824";
    *session << "PRAGMA secure_delete=OFF";
    return session;
  } catch (const soci::sqlite3_soci_error& e) {
    if (e.result() == SQLITE_NOTADB) {
      return Error::BadInput("'" + url.path + "' is not an SQLite database; " + choose);
    }
    return Error::Unavailable("cannot open the SQLite database '" + url.path +
                              "': " + OneLine(e.what()));
  } catch (const std::exception& e) {
    return Error::Unavailable("cannot open the SQLite database '" + url.path +
                              "': " + OneLine(e.what()));
  }
}

void IgnoreNotice(void*, const char*) {}

Result<std::unique_ptr<soci::session>> OpenPostgres(const DatabaseUrl& url) {
  try {
    auto session =
        std::make_unique<soci::session>(*soci::factory_postgresql(), url.PostgresConnInfo());
    auto* backend = static_cast<soci::postgresql_session_backend*>(session->get_backend());
    PQsetNoticeProcessor(backend->conn_, IgnoreNotice, nullptr);
    return session;
  } catch (const std::exception& e) {
    // libpq says "connection to server at "h" (addr), port p failed: WHY"; keep WHY.
    std::string why = OneLine(e.what());
    if (auto f = why.find("failed: "); f != std::string::npos) why = why.substr(f + 8);
    if (why.starts_with("Cannot establish connection to the database.; ")) {
      why = why.substr(std::string_view("Cannot establish connection to the database.; ").size());
    }
    // libpq's own hint ("Is the server running on that host...") repeats ours below.
    if (auto hint = why.find("; Is the server running"); hint != std::string::npos) {
      why.resize(hint);
    }
    return Error::Unavailable("cannot connect to PostgreSQL at " + url.host + ":" +
                              std::to_string(url.port) + " (database '" + url.database + "'" +
                              (url.user.empty() ? "" : ", user '" + url.user + "'") + "): " + why +
                              "; check that the server runs there and accepts connections, and "
                              "the user, password and database in the URL");
  }
}

// 1-based line of byte `offset` in `text`.
int LineAt(std::string_view text, std::size_t offset) {
  int line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

// Byte offset of the first token at or after `from` (skipping blanks and comments).
std::size_t FirstToken(std::string_view text, std::size_t from) {
  std::size_t i = from;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (text.substr(i, 2) == "--") {
      auto nl = text.find('\n', i);
      i = nl == text.npos ? text.size() : nl + 1;
    } else if (text.substr(i, 2) == "/*") {
      auto end = text.find("*/", i + 2);
      i = end == text.npos ? text.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

// Byte offset of the `chars`-th character (1-based) of UTF-8 `text`.
std::size_t ByteOfChar(std::string_view text, long chars) {
  long seen = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++seen == chars) return i;
  }
  return text.size();
}

// Splits a PostgreSQL script at top-level semicolons, minding quoted strings and identifiers,
// dollar-quoted bodies and comments, so each statement runs on its own and a failure can be
// placed on its line. Returns [begin, end) byte ranges.
std::vector<std::pair<std::size_t, std::size_t>> SplitPgScript(std::string_view sql) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  const std::size_t n = sql.size();
  std::size_t start = 0, i = 0;
  while (i < n) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      bool backslashes = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
      for (++i; i < n; ++i) {
        if (backslashes && sql[i] == '\\') {
          ++i;
        } else if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) {
            ++i;
          } else {
            break;
          }
        }
      }
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      auto nl = sql.find('\n', i);
      i = nl == sql.npos ? n : nl + 1;
    } else if (sql.substr(i, 2) == "/*") {
      auto end = sql.find("*/", i + 2);
      i = end == sql.npos ? n : end + 2;
    } else if (c == '$') {
      std::size_t j = i + 1;
      while (j < n && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
      bool is_tag = j < n && sql[j] == '$' &&
                    (j == i + 1 || !std::isdigit(static_cast<unsigned char>(sql[i + 1])));
      if (is_tag) {
        std::string_view tag = sql.substr(i, j - i + 1);
        auto end = sql.find(tag, j + 1);
        i = end == sql.npos ? n : end + tag.size();
      } else {
        ++i;
      }
    } else if (c == ';') {
      out.emplace_back(start, i + 1);
      start = ++i;
    } else {
      ++i;
    }
  }
  if (start < n) out.emplace_back(start, n);
  return out;
}
}  // namespace

namespace {

// One mutex per SQLite file the process has open (by its canonical path).
std::shared_ptr<std::mutex> WriterTurn(const DatabaseUrl& url) {
  if (url.backend != Backend::kSqlite || url.in_memory()) return nullptr;
  static std::mutex registry_mu;
  static std::map<std::string, std::weak_ptr<std::mutex>> registry;
  std::error_code ec;
  std::string key = std::filesystem::weakly_canonical(url.path, ec).string();
  if (ec) key = url.path;
  std::lock_guard lock(registry_mu);
  auto& slot = registry[key];
  auto turn = slot.lock();
  if (!turn) {
    turn = std::make_shared<std::mutex>();
    slot = turn;
  }
  return turn;
}

}  // namespace

Database::Database(DatabaseUrl url, std::unique_ptr<soci::session> session)
    : url_(std::move(url)), session_(std::move(session)), writer_(WriterTurn(url_)) {}

Database::~Database() {
  if (in_write_) Rollback();
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
}

sqlite3_stmt* Database::CachedStatement(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return it->second;
  sqlite3* db = LiteHandle(*session_);
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    throw soci::sqlite3_soci_error(std::string("cannot prepare: ") + sqlite3_errmsg(db), rc);
  }
  statements_.emplace(sql, stmt);
  return stmt;
}

const std::string& Database::PreparedName(const std::string& sql, int params) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) {
    recent_.splice(recent_.begin(), recent_, it->second.recent);
    return it->second.name;
  }
  PGconn* conn = PgHandle(*session_);
  if (prepared_.size() >= kMaxPrepared) {
    // Statements built with their values in the text (a list's filter and limit) would
    // otherwise pile up on the server; a failure here (an aborted transaction) leaves the old
    // statement there until the connection closes, which is harmless.
    auto old = prepared_.find(recent_.back());
    PQclear(PQexec(conn, ("DEALLOCATE " + old->second.name).c_str()));
    prepared_.erase(old);
    recent_.pop_back();
  }
  std::string name = "rectify_" + std::to_string(++prepared_serial_);
  PGresult* res = PQprepare(conn, name.c_str(), sql.c_str(), params, nullptr);
  if (PQresultStatus(res) != PGRES_COMMAND_OK) {
    std::string message = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn);
    const char* field = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
    std::string state = field != nullptr ? field : "XX000";  // SOCI's error copies 5 chars
    PQclear(res);
    throw soci::postgresql_soci_error("Cannot prepare statement. " + message, state.c_str());
  }
  PQclear(res);
  recent_.push_front(sql);
  auto [it, inserted] = prepared_.emplace(sql, Prepared{std::move(name), recent_.begin()});
  return it->second.name;
}

void Database::ForgetPrepared() {
  prepared_.clear();
  recent_.clear();
}

Status Database::BeginWrite() {
  if (writer_ && !writing_.owns_lock()) writing_ = std::unique_lock(*writer_);
  Status s = Exec(is_postgres() ? "BEGIN" : "BEGIN IMMEDIATE");
  if (!s) {
    if (writing_.owns_lock()) writing_.unlock();
    return s;
  }
  in_write_ = true;
  return s;
}

Status Database::Commit() {
  Status s = Exec("COMMIT");
  if (s) {
    in_write_ = false;
    if (writing_.owns_lock()) writing_.unlock();
  }
  return s;
}

Status Database::RelaxDurability() {
  if (!is_postgres()) return OkStatus();
  return Exec("SET LOCAL synchronous_commit TO OFF");
}

void Database::Rollback() {
  if (in_write_ && session_) (void)Exec("ROLLBACK");
  in_write_ = false;
  if (writing_.owns_lock()) writing_.unlock();
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseUrl& url,
                                                 const OpenOptions& options) {
  auto session = url.backend == Backend::kSqlite ? OpenSqlite(url, options) : OpenPostgres(url);
  if (!session) return session.error();
  return std::unique_ptr<Database>(new Database(url, std::move(*session)));
}

Error Database::MapError(const std::exception& e, std::string_view doing) {
  std::string context(doing);
  if (is_postgres()) {
    std::string message = OneLine(PQerrorMessage(PgHandle(*session_)));
    if (message.empty()) message = OneLine(e.what());
    if (PQstatus(PgHandle(*session_)) == CONNECTION_BAD) {
      ForgetPrepared();
      return Error::Unavailable(context + ": lost the connection to PostgreSQL at " + url_.host +
                                ":" + std::to_string(url_.port) + " (" + message +
                                "); check the server and retry");
    }
    const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e);
    std::string state = pg != nullptr ? pg->sqlstate() : std::string();
    std::string m = context + ": " + message;
    if (state == "26000") ForgetPrepared();  // a prepared statement vanished (DEALLOCATE ALL)
    if (state == "40001" || state == "40P01") return Error::Conflict(m + "; retry");
    if (state == "23505") return Error::UniqueViolation(m);
    if (state == "42P01") {
      return Error::FailedPrecondition(m + "; the schema is missing: run 'rectify migrate'");
    }
    if (state.starts_with("23") || state.starts_with("22")) return Error::BadInput(m);
    if (state.starts_with("08") || state.starts_with("53") || state.starts_with("57") ||
        state == "55P03") {
      return Error::Unavailable(m + "; retry later");
    }
    return Error::Internal(m + (state.empty() ? "" : " (SQLSTATE " + state + ")"));
  }
  sqlite3* db = LiteHandle(*session_);
  int code = sqlite3_extended_errcode(db);
  std::string message = sqlite3_errmsg(db);
  if (const auto* lite = dynamic_cast<const soci::sqlite3_soci_error*>(&e);
      lite == nullptr || message == "not an error") {
    message = OneLine(e.what());
  }
  std::string m = context + ": " + message;
  switch (code) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Error::UniqueViolation(m);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::Unavailable(m + "; another process holds the database, retry later");
    case SQLITE_NOTADB:
      return Error::BadInput("'" + url_.path + "' is not an SQLite database; check --db");
    default:
      break;
  }
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
      return Error::BadInput(m);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error::Unavailable(m + "; another process holds the database, retry later");
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PERM:
      return Error::Unavailable(m + "; check the database file '" + url_.path +
                                "' and its folder (space, permissions)");
    case SQLITE_ERROR:
      if (message.starts_with("no such table")) {
        return Error::FailedPrecondition(m + "; the schema is missing: run 'rectify migrate'");
      }
      break;
    default:
      break;
  }
  return Error::Internal(m);
}

Status Database::Exec(const std::string& sql) {
  int line = 0;
  return ExecScript(sql, &line);
}

Status Database::ExecScript(const std::string& sql, int* error_line) {
  *error_line = 0;
  if (is_postgres()) {
    for (auto [begin, end] : SplitPgScript(sql)) {
      std::size_t first = FirstToken(sql, begin);
      if (first >= end) continue;  // blanks and comments only
      std::string statement = sql.substr(begin, end - begin);
      PGresult* res = PQexec(PgHandle(*session_), statement.c_str());
      ExecStatusType status = PQresultStatus(res);
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        PQclear(res);
        continue;
      }
      std::string message = OneLine(PQresultErrorMessage(res));
      const char* state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
      const char* position = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
      *error_line = position != nullptr
                        ? LineAt(sql, begin + ByteOfChar(statement, std::atol(position)))
                        : LineAt(sql, first);
      std::string code = state != nullptr ? state : "";
      PQclear(res);
      if (PQstatus(PgHandle(*session_)) == CONNECTION_BAD || code.starts_with("08")) {
        ForgetPrepared();
        return Error::Unavailable(message);
      }
      return Error::Internal(message);
    }
    return OkStatus();
  }
  sqlite3* db = LiteHandle(*session_);
  const char* begin = sql.c_str();
  const char* p = begin;
  while (*p != '\0') {
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, p, -1, &stmt, &tail);
    std::size_t start = FirstToken(sql, static_cast<std::size_t>(p - begin));
    if (rc != SQLITE_OK) {
      int offset = sqlite3_error_offset(db);
      *error_line = LineAt(sql, offset >= 0 ? static_cast<std::size_t>(p - begin) + offset : start);
      return Error::Internal(sqlite3_errmsg(db));
    }
    if (stmt == nullptr) break;  // only blanks and comments were left
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
      *error_line = LineAt(sql, start);
      int primary = sqlite3_extended_errcode(db) & 0xff;
      std::string message = sqlite3_errmsg(db);
      if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_READONLY ||
          primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN) {
        return Error::Unavailable(message);
      }
      return Error::Internal(message);
    }
    p = tail;
  }
  return OkStatus();
}

Result<bool> Database::TableExists(const std::string& table) {
  try {
    long long n = 0;
    if (is_postgres()) {
      *session_ << "SELECT count(*) FROM information_schema.tables "
                   "WHERE table_schema = current_schema() AND table_name = :t",
          soci::use(table), soci::into(n);
    } else {
      *session_ << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = :t",
          soci::use(table), soci::into(n);
    }
    return n > 0;
  } catch (const std::exception& e) {
    return MapError(e, "look up table " + table);
  }
}

}  // namespace rectify::store_soci
