#include "adapters/store/soci/migrator.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "rectify/sha256.h"

namespace rectify::store_soci {
namespace {

namespace fs = std::filesystem;

// Any number: both pg_advisory_lock callers only need to agree on it ("rectify" in ASCII).
constexpr long long kMigrationLockKey = 0x72656374696679;

std::string Padded(std::int64_t version) {
  std::string s = std::to_string(version);
  return std::string(s.size() < 4 ? 4 - s.size() : 0, '0') + s;
}

Error Refuse(const std::string& message) { return Error::FailedPrecondition(message); }

}  // namespace

Result<std::vector<MigrationFile>> ReadMigrations(const std::string& dir, Backend backend) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error::BadInput("the migrations folder '" + dir +
                           "' does not exist; set RECTIFY_HOME to the Rectify folder that holds "
                           "migrations/, or pass --migrations DIR");
  }
  static const std::regex kName(R"(^(\d{4})_([A-Za-z0-9_]+?)(?:\.(sqlite|postgresql))?\.sql$)");
  struct Candidates {
    std::string name;
    std::string plain, sqlite, postgresql;
  };
  std::map<std::int64_t, Candidates> by_version;
  std::vector<fs::path> entries;
  for (const auto& entry : fs::directory_iterator(dir, ec)) entries.push_back(entry.path());
  if (ec)
    return Error::Unavailable("cannot read the migrations folder '" + dir + "': " + ec.message());
  std::sort(entries.begin(), entries.end());
  for (const auto& path : entries) {
    std::string file = path.filename().string();
    if (path.extension() != ".sql") continue;
    std::smatch m;
    if (!std::regex_match(file, m, kName)) {
      return Error::BadInput("'" + path.string() +
                             "' is not a migration file name; name it NNNN_name.sql, "
                             "NNNN_name.sqlite.sql or NNNN_name.postgresql.sql");
    }
    std::int64_t version = std::stoll(m[1].str());
    Candidates& c = by_version[version];
    if (!c.name.empty() && c.name != m[2].str()) {
      return Error::BadInput("migrations '" + Padded(version) + "_" + c.name + "' and '" + file +
                             "' in '" + dir + "' share version " + Padded(version) +
                             "; give one of them the next free number");
    }
    c.name = m[2].str();
    (m[3] == "sqlite" ? c.sqlite : m[3] == "postgresql" ? c.postgresql : c.plain) = path.string();
  }
  std::vector<MigrationFile> out;
  for (const auto& [version, c] : by_version) {
    std::string chosen = backend == Backend::kSqlite ? c.sqlite : c.postgresql;
    if (chosen.empty()) chosen = c.plain;
    if (chosen.empty()) {
      return Error::BadInput("migration " + Padded(version) + "_" + c.name + " in '" + dir +
                             "' has no file for " + std::string(BackendName(backend)) + "; add " +
                             Padded(version) + "_" + c.name + ".sql or " + Padded(version) + "_" +
                             c.name + "." + std::string(BackendName(backend)) + ".sql");
    }
    std::ifstream in(chosen, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Error::Unavailable("cannot read the migration '" + chosen + "'");
    MigrationFile f;
    f.version = version;
    f.name = c.name;
    f.path = chosen;
    f.sql = text.str();
    f.checksum = Sha256Hex(f.sql);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<AppliedMigration>> Migrator::ReadApplied() {
  auto exists = db_.TableExists("schema_migrations");
  if (!exists) return exists.error();
  std::vector<AppliedMigration> applied;
  if (!*exists) return applied;
  try {
    long long version = 0, applied_at = 0;
    std::string name, checksum;
    soci::statement st =
        (db_.session().prepare << "SELECT version, name, checksum, applied_at "
                                  "FROM schema_migrations ORDER BY version",
         soci::into(version), soci::into(name), soci::into(checksum), soci::into(applied_at));
    st.execute();
    while (st.fetch()) applied.push_back({version, name, checksum, FromMicros(applied_at)});
  } catch (const std::exception& e) {
    return db_.MapError(e, "read schema_migrations");
  }
  return applied;
}

Result<MigrationState> Migrator::Plan(const std::vector<MigrationFile>& files,
                                      const std::vector<AppliedMigration>& applied) {
  MigrationState state;
  state.applied = applied;
  std::map<std::int64_t, const MigrationFile*> by_version;
  for (const auto& f : files) by_version[f.version] = &f;
  for (const auto& a : applied) {
    auto it = by_version.find(a.version);
    std::string label = Padded(a.version) + "_" + a.name;
    if (it == by_version.end()) {
      return Refuse("migration " + label +
                    " is applied to this database but its file is missing "
                    "from '" +
                    dir_ +
                    "'; restore it (git checkout -- migrations/) or use the "
                    "Rectify version that applied it");
    }
    if (it->second->checksum != a.checksum) {
      return Refuse("migration '" + it->second->path + "' has changed since it was applied (" +
                    "checksum " + a.checksum.substr(0, 12) + "... in the database, " +
                    it->second->checksum.substr(0, 12) +
                    "... on disk); restore the file as it "
                    "was and put the change in a new migration");
    }
  }
  std::int64_t current = state.version();
  for (const auto& f : files) {
    bool done = std::any_of(applied.begin(), applied.end(),
                            [&](const AppliedMigration& a) { return a.version == f.version; });
    if (done) continue;
    if (f.version < current) {
      return Refuse("migration '" + f.path + "' is older than version " + Padded(current) +
                    ", which this database already has; renumber it after the newest migration");
    }
    state.pending.push_back(f);
  }
  return state;
}

Result<MigrationState> Migrator::Check() {
  auto files = ReadMigrations(dir_, db_.backend());
  if (!files) return files.error();
  auto applied = ReadApplied();
  if (!applied) return applied.error();
  return Plan(*files, *applied);
}

Status Migrator::Apply(const MigrationFile& file, Timestamp now, std::int64_t current_version,
                       bool* skipped) {
  *skipped = false;
  // SQLite changes a table's constraints only by making the table anew (lang_altertable.html,
  // section 7): foreign keys go off around the migration (a pragma that only takes effect outside
  // a transaction) and are checked before it commits, so a migration may rebuild a table that
  // others reference, and still cannot leave a dangling reference behind.
  const bool lite = !db_.is_postgres();
  if (lite) {
    if (Status s = db_.Exec("PRAGMA foreign_keys=OFF"); !s) {
      return s.error().WithContext("migration '" + file.path + "'");
    }
  }
  struct ForeignKeysBackOn {
    Database& db;
    bool lite;
    ~ForeignKeysBackOn() {
      if (lite) (void)db.Exec("PRAGMA foreign_keys=ON");
    }
  } back_on{db_, lite};
  if (Status s = db_.BeginWrite(); !s) {
    return s.error().WithContext("migration '" + file.path + "'");
  }
  auto rollback = [&] { db_.Rollback(); };
  // Created inside the first migration's transaction, so a failing first migration leaves no
  // trace either.
  if (Status s = db_.Exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, "
          "name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      !s) {
    rollback();
    return s.error().WithContext("migration '" + file.path + "': create schema_migrations");
  }
  try {
    // Another `rectify migrate` may have applied it since we looked (SQLite has no advisory lock;
    // BEGIN IMMEDIATE makes this check and the apply one step).
    long long present = 0;
    long long version = file.version;
    db_.session() << "SELECT count(*) FROM schema_migrations WHERE version = :v",
        soci::use(version), soci::into(present);
    if (present > 0) {
      rollback();
      *skipped = true;
      return OkStatus();
    }
  } catch (const std::exception& e) {
    Error err = db_.MapError(e, "migration '" + file.path + "'");
    rollback();
    return err;
  }
  int line = 0;
  if (Status s = db_.ExecScript(file.sql, &line); !s) {
    rollback();
    std::string where = "migration '" + file.path + "'" +
                        (line > 0 ? " failed at line " + std::to_string(line) : " failed");
    return Error(s.error().code(), where + ": " + s.error().message() +
                                       "; nothing of it was applied (the schema " +
                                       "stays at version " + std::to_string(current_version) +
                                       "); fix the file and run 'rectify migrate' again");
  }
  if (lite) {
    try {
      std::string table, parent;
      long long rowid = 0, fk = 0;
      soci::indicator rowid_null = soci::i_ok;
      soci::statement st = (db_.session().prepare << "PRAGMA foreign_key_check", soci::into(table),
                            soci::into(rowid, rowid_null), soci::into(parent), soci::into(fk));
      st.execute();
      if (st.fetch()) {
        rollback();
        return Error::Internal("migration '" + file.path + "' leaves a row of table '" + table +
                               "' referring to a missing row of '" + parent +
                               "'; nothing of it was applied (the schema stays at version " +
                               std::to_string(current_version) + "); fix the file");
      }
    } catch (const std::exception& e) {
      Error err = db_.MapError(e, "migration '" + file.path + "': check foreign keys");
      rollback();
      return err;
    }
  }
  try {
    long long version = file.version, at = ToMicros(now);
    db_.session() << "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
                     "VALUES (:v, :n, :c, :a)",
        soci::use(version), soci::use(file.name), soci::use(file.checksum), soci::use(at);
  } catch (const std::exception& e) {
    Error err = db_.MapError(e, "migration '" + file.path + "': record it");
    rollback();
    return err;
  }
  if (Status s = db_.Commit(); !s) {
    rollback();
    return s.error().WithContext("migration '" + file.path + "': commit");
  }
  return OkStatus();
}

Result<std::vector<MigrationFile>> Migrator::Migrate(
    Timestamp now, const std::function<void(const MigrationFile&)>& on_applied) {
  // Read the files first: a broken folder should not even take the lock.
  auto files = ReadMigrations(dir_, db_.backend());
  if (!files) return files.error();
  if (db_.is_postgres()) {
    if (Status s = db_.Exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")");
        !s) {
      return s.error().WithContext("take the migration lock");
    }
  }
  struct Unlock {
    Database& db;
    ~Unlock() {
      if (db.is_postgres()) {
        (void)db.Exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")");
      }
    }
  } unlock{db_};

  auto applied = ReadApplied();
  if (!applied) return applied.error();
  auto state = Plan(*files, *applied);
  if (!state) return state.error();
  std::vector<MigrationFile> done;
  std::int64_t current = state->version();
  for (const auto& f : state->pending) {
    bool skipped = false;
    if (Status s = Apply(f, now, current, &skipped); !s) return s.error();
    if (!skipped) {
      done.push_back(f);
      if (on_applied) on_applied(f);
    }
    current = f.version;
  }
  return done;
}

}  // namespace rectify::store_soci
