// PostgreSQL for tests: a fresh database per test on a throw-away cluster.
//
//   auto db = PgTestDatabase::Create();
//   ASSERT_TRUE(db.ok()) << db.error().message();   // fails, never skips
//   UseUrl((*db)->url());                           // postgresql://rectify@127.0.0.1:PORT/rt_...
//
// The cluster is the one CTest's `pg_cluster` fixture started (its URL is in the file that
// $RECTIFY_TEST_PG_URL_FILE names). When that file is missing, as when a test binary is run by
// hand, the first call starts a cluster for this process with scripts/pg_test_cluster.sh and stops
// it at exit. Each PgTestDatabase is a new database (CREATE DATABASE with a unique name) dropped
// when it goes away, so tests never see each other's rows. When PostgreSQL cannot be started
// `Create()` returns an error that says why; tests assert on it, so they fail rather than skip.
//
// Thread-safety: call from the test's thread. Ownership: the caller owns the PgTestDatabase.
#pragma once

#include <memory>
#include <string>

#include "rectify/result.h"

namespace rectify::test {

// The test cluster's URL (to its `postgres` database); starts a cluster if needed.
Result<std::string> PgClusterUrl();

class PgTestDatabase {
 public:
  // A new database: empty, or a copy of the database named `from_template` (CREATE DATABASE ...
  // TEMPLATE; nothing may be connected to that one meanwhile).
  static Result<std::unique_ptr<PgTestDatabase>> Create(const std::string& from_template = {});
  ~PgTestDatabase();
  PgTestDatabase(const PgTestDatabase&) = delete;
  PgTestDatabase& operator=(const PgTestDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  // Runs SQL through psql on this database; returns psql's output, or its error.
  Result<std::string> Psql(const std::string& sql) const;

  // Leaves the database on the cluster when this object goes away (a template that other test
  // processes copy; the cluster goes with its run).
  void Keep() { keep_ = true; }

 private:
  PgTestDatabase(std::string admin_url, std::string name, std::string url)
      : admin_url_(std::move(admin_url)), name_(std::move(name)), url_(std::move(url)) {}

  std::string admin_url_;
  std::string name_;
  std::string url_;
  bool keep_ = false;
};

}  // namespace rectify::test
