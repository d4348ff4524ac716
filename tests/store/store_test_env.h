// A database to test against, on either backend: an SQLite file in a TempDir, or a fresh
// database on the PostgreSQL test cluster (tests/support/pg_test_cluster.h). Used by the store
// contract suite, the migration tests and the CLI tests, so each runs on both backends.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "adapters/store/soci/database_url.h"
#include "adapters/store/soci/migrator.h"
#include "adapters/store/soci/soci_store.h"
#include "rectify/result.h"
#include "tests/support/pg_test_cluster.h"
#include "tests/support/temp_dir.h"

namespace rectify::store_soci {
// So test names read "GetParam() = sqlite" rather than bytes.
inline void PrintTo(Backend backend, std::ostream* os) { *os << BackendName(backend); }
}  // namespace rectify::store_soci

namespace rectify::test {

using store_soci::Backend;

class TestDatabase {
 public:
  // An empty database (no schema) on `backend`, or with `from_template` (the URL of a database on
  // the same backend that nothing uses meanwhile) a copy of that one: the SQLite file copied, or
  // PostgreSQL's CREATE DATABASE ... TEMPLATE. Fails, never skips, when PostgreSQL is missing.
  static Result<std::unique_ptr<TestDatabase>> Create(Backend backend,
                                                      const std::string& from_template = {}) {
    auto db = std::unique_ptr<TestDatabase>(new TestDatabase());
    db->backend_ = backend;
    if (backend == Backend::kPostgresql) {
      auto pg = PgTestDatabase::Create(from_template.substr(from_template.rfind('/') + 1));
      if (!pg) return pg.error();
      db->url_ = (*pg)->url();
      db->pg_ = std::move(*pg);
    } else {
      db->url_ = "sqlite:" + db->dir_.File("rectify.db");
      if (!from_template.empty()) {
        std::error_code ec;
        std::filesystem::copy_file(from_template.substr(from_template.find(':') + 1),
                                   db->dir_.File("rectify.db"), ec);
        if (ec) return Error::Internal("copy the template " + from_template + ": " + ec.message());
      }
    }
    return db;
  }

  const std::string& url() const { return url_; }
  Backend backend() const { return backend_; }
  const TempDir& dir() const { return dir_; }

 private:
  TestDatabase() = default;
  Backend backend_ = Backend::kSqlite;
  TempDir dir_;
  std::unique_ptr<PgTestDatabase> pg_;
  std::string url_;
};

inline std::string BackendTestName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "sqlite" : "postgresql";
}

// The migrations that ship.
inline std::string ShippedMigrations() { return std::string(RECTIFY_SOURCE_DIR) + "/migrations"; }

// A Store on `db` with the shipped migrations applied at `at`.
inline Result<std::unique_ptr<Store>> OpenMigratedStore(const TestDatabase& db, Timestamp at) {
  auto url = store_soci::ParseDatabaseUrl(db.url());
  if (!url) return url.error();
  auto opened = store_soci::Database::Open(*url, {});
  if (!opened) return opened.error();
  store_soci::Migrator migrator(**opened, ShippedMigrations());
  if (auto applied = migrator.Migrate(at); !applied) return applied.error();
  return store_soci::MakeStore(std::move(*opened));
}

}  // namespace rectify::test
