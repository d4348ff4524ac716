#include "tests/support/pg_test_cluster.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>

#include "tests/support/run_command.h"

namespace rectify::test {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

std::string PsqlBinary() {
  for (const char* candidate : {"/usr/bin/psql", "/usr/lib/postgresql/15/bin/psql"}) {
    if (access(candidate, X_OK) == 0) return candidate;
  }
  return "psql";
}

Result<std::string> RunPsql(const std::string& url, const std::string& sql) {
  CommandResult r = RunCommand(
      {PsqlBinary(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql});
  if (r.exit_code != 0) {
    return Error::Unavailable("psql failed (exit " + std::to_string(r.exit_code) +
                              "): " + Trim(r.err));
  }
  return Trim(r.out);
}

// The cluster this process started itself, stopped at exit.
std::string& OwnClusterDir() {
  static std::string dir;
  return dir;
}

void StopOwnCluster() {
  if (OwnClusterDir().empty()) return;
  RunCommand(
      {std::string(RECTIFY_SOURCE_DIR) + "/scripts/pg_test_cluster.sh", "stop", OwnClusterDir()});
}

Result<std::string> StartOwnCluster() {
  std::string dir =
      (std::filesystem::temp_directory_path() / ("rectify-pgtest-" + std::to_string(getpid())))
          .string();
  CommandResult r =
      RunCommand({"/usr/bin/env", "PG_TEST_FSYNC=off",  // as the ctest fixture starts it
                  std::string(RECTIFY_SOURCE_DIR) + "/scripts/pg_test_cluster.sh", "start", dir});
  if (r.exit_code != 0) {
    return Error::Unavailable(
        "could not start a PostgreSQL test cluster with "
        "scripts/pg_test_cluster.sh (exit " +
        std::to_string(r.exit_code) + "): " + Trim(r.err + r.out) +
        "; install PostgreSQL with scripts/setup.sh test");
  }
  OwnClusterDir() = dir;
  std::atexit(StopOwnCluster);
  std::ifstream in(dir + "/url");
  std::string url;
  std::getline(in, url);
  if (url.empty()) return Error::Internal("the test cluster wrote no URL to " + dir + "/url");
  return url;
}

}  // namespace

Result<std::string> PgClusterUrl() {
  static std::mutex mu;
  static std::optional<Result<std::string>> cached;
  std::lock_guard lock(mu);
  if (cached) return *cached;
  const char* file = std::getenv("RECTIFY_TEST_PG_URL_FILE");
  if (file != nullptr && std::filesystem::exists(file)) {
    std::ifstream in(file);
    std::string url;
    std::getline(in, url);
    if (url.empty()) {
      cached = Error::Internal(std::string("the PostgreSQL URL file ") + file + " is empty");
    } else {
      cached = url;
    }
  } else {
    cached = StartOwnCluster();
  }
  return *cached;
}

Result<std::unique_ptr<PgTestDatabase>> PgTestDatabase::Create(const std::string& from_template) {
  auto admin = PgClusterUrl();
  if (!admin) return admin.error();
  static std::atomic<int> counter{0};
  std::random_device rd;
  std::string name = "rt_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
                     std::to_string(rd() % 100000);
  std::string sql = "CREATE DATABASE " + name;
  if (!from_template.empty()) sql += " TEMPLATE " + from_template;
  if (auto r = RunPsql(*admin, sql); !r) {
    return r.error().WithContext("create test database " + name);
  }
  std::string url = admin->substr(0, admin->rfind('/') + 1) + name;
  return std::unique_ptr<PgTestDatabase>(new PgTestDatabase(*admin, name, url));
}

PgTestDatabase::~PgTestDatabase() {
  if (keep_) return;
  (void)RunPsql(admin_url_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
}

Result<std::string> PgTestDatabase::Psql(const std::string& sql) const {
  return RunPsql(url_, sql);
}

}  // namespace rectify::test
