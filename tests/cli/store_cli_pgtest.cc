// `rectify migrate` and `rectify status` as a user runs them: the real binary, on SQLite and on
// PostgreSQL, and every bad-input case with its one-line message and exit code.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "tests/store/store_test_env.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

using store_soci::Backend;
using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
namespace fs = std::filesystem;

// The environment every run gets: no RECTIFY_DB from the caller's shell, the source tree's
// migrations.
std::map<std::string, std::string> Env() {
  return {{"RECTIFY_DB", ""}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

// The version the shipped migrations bring a database to: the highest NNNN among them.
int ShippedVersion() {
  int version = 0;
  for (const auto& e : fs::directory_iterator(test::ShippedMigrations())) {
    version = std::max(version, std::stoi(e.path().filename().string().substr(0, 4)));
  }
  return version;
}

class StoreCliTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
  }
  CommandResult Rectify(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_->url()});
    return RunRectify(args, Env(), db_->dir().path().string());
  }
  std::string InitialFile() const {
    return std::string(RECTIFY_SOURCE_DIR) + "/migrations/0001_initial." +
           (GetParam() == Backend::kSqlite ? "sqlite" : "postgresql") + ".sql";
  }

  std::unique_ptr<test::TestDatabase> db_;
};

TEST_P(StoreCliTest, MigrateTwiceTheSecondRunAppliesNothing) {
  CommandResult first = Rectify({"migrate"});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err, "");
  EXPECT_THAT(first.out, HasSubstr("applied " + InitialFile() + "\n"));
  const std::string version = std::to_string(ShippedVersion());
  EXPECT_THAT(first.out, HasSubstr("schema is now at version " + version));

  CommandResult second = Rectify({"migrate"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.out, "schema is up to date at version " + version + "\n");
  EXPECT_EQ(second.err, "");
}

TEST_P(StoreCliTest, StatusSaysWhichDatabaseItsSchemaAndItsCounts) {
  ASSERT_EQ(Rectify({"migrate"}).exit_code, 0);
  CommandResult text = Rectify({"status"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  std::string backend = GetParam() == Backend::kSqlite ? "sqlite" : "postgresql";
  EXPECT_THAT(text.out, HasSubstr("database:        " + db_->url() + " (" + backend + ")\n"));
  EXPECT_THAT(text.out, HasSubstr("schema version:  " + std::to_string(ShippedVersion()) + "\n"));
  EXPECT_THAT(text.out, HasSubstr("pending:         0 migrations\n"));
  EXPECT_THAT(text.out, HasSubstr("instances:       0\n"));
  EXPECT_THAT(text.out, HasSubstr("outbox:          pending 0, sent 0, dead 0, cancelled 0\n"));

  CommandResult json = Rectify({"--format", "json", "status"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  boost::json::value v = boost::json::parse(json.out);
  EXPECT_EQ(v.at("backend").as_string(), backend);
  EXPECT_EQ(v.at("database").as_string(), db_->url());
  EXPECT_EQ(v.at("schema_version").as_int64(), ShippedVersion());
  EXPECT_TRUE(v.at("pending_migrations").as_array().empty());
  EXPECT_EQ(v.at("counts").at("pending_timers").as_int64(), 0);
  EXPECT_EQ(v.at("counts").at("outbox").at("dead").as_int64(), 0);
}

TEST_P(StoreCliTest, StatusOnANeverMigratedDatabaseSaysToMigrate) {
  CommandResult r = Rectify({"status"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith("rectify: error: "));
  EXPECT_THAT(r.err, HasSubstr("run 'rectify migrate'"));
  EXPECT_EQ(Lines(r.err), 1);
  if (GetParam() == Backend::kSqlite) {
    EXPECT_FALSE(fs::exists(db_->dir().File("rectify.db"))) << "status must not create the file";
  }
}

TEST_P(StoreCliTest, AMigrationFailingHalfWayLeavesTheDatabaseAsItWas) {
  fs::path dir = db_->dir().path() / "migrations";
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(test::ShippedMigrations())) {
    if (e.path().filename().string().starts_with("0001_")) {
      fs::copy_file(e.path(), dir / e.path().filename());
    }
  }
  std::ofstream(dir / "0002_extra.sql") << "CREATE TABLE extra (x BIGINT);\n";
  std::ofstream(dir / "0003_broken.sql") << "CREATE TABLE half (x BIGINT);\n"
                                            "ALTER TABLE no_such_table ADD COLUMN y BIGINT;\n";
  CommandResult r = Rectify({"migrate", "--migrations", dir.string()});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_THAT(r.out, HasSubstr("applied " + (dir / "0002_extra.sql").string()));
  EXPECT_THAT(r.err,
              HasSubstr("migration '" + (dir / "0003_broken.sql").string() + "' failed at line 2"));
  EXPECT_THAT(r.err, HasSubstr("no_such_table"));
  EXPECT_THAT(r.err, HasSubstr("stays at version 2"));
  EXPECT_EQ(Lines(r.err), 1);

  CommandResult status = Rectify({"--format", "json", "status", "--migrations", dir.string()});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  boost::json::value v = boost::json::parse(status.out);
  EXPECT_EQ(v.at("schema_version").as_int64(), 2);
  ASSERT_EQ(v.at("pending_migrations").as_array().size(), 1u);
}

TEST_P(StoreCliTest, AChangedMigrationIsRefusedWithWhatToDo) {
  fs::path dir = db_->dir().path() / "migrations";
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(test::ShippedMigrations())) {
    fs::copy_file(e.path(), dir / e.path().filename());
  }
  ASSERT_EQ(Rectify({"migrate", "--migrations", dir.string()}).exit_code, 0);
  fs::path initial = dir / fs::path(InitialFile()).filename();
  std::ofstream(initial, std::ios::app) << "-- edited\n";
  CommandResult r = Rectify({"migrate", "--migrations", dir.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("'" + initial.string() + "' has changed since it was applied"));
  EXPECT_THAT(r.err, HasSubstr("restore the file"));
  EXPECT_EQ(Lines(r.err), 1);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreCliTest, ::testing::Values(Backend::kSqlite),
                         test::BackendTestName);
INSTANTIATE_TEST_SUITE_P(Postgres, StoreCliTest, ::testing::Values(Backend::kPostgresql),
                         test::BackendTestName);

// Cases that do not need a database of either kind.
class StoreCliInputTest : public ::testing::Test {
 protected:
  CommandResult Rectify(const std::vector<std::string>& args,
                        std::map<std::string, std::string> env = Env()) {
    return RunRectify(args, env, dir_.path().string());
  }
  test::TempDir dir_;
};

TEST_F(StoreCliInputTest, AMalformedDbUrlIsExitOneWithTheAcceptedForms) {
  for (const char* cmd : {"migrate", "status"}) {
    CommandResult r = Rectify({"--db", "postgresql://ops:hunter2@db:port/x", cmd});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, StartsWith("rectify: error: malformed database URL"));
    EXPECT_THAT(r.err, HasSubstr("sqlite:PATH, sqlite::memory: or postgresql://"));
    EXPECT_THAT(r.err, Not(HasSubstr("hunter2")));
    EXPECT_EQ(Lines(r.err), 1);
  }
  CommandResult env = Rectify({"status"}, {{"RECTIFY_DB", "mysql://x"}});
  EXPECT_EQ(env.exit_code, 1);
  EXPECT_THAT(env.err, HasSubstr("malformed database URL 'mysql://x': unknown scheme"));
}

TEST_F(StoreCliInputTest, AnUnreachablePostgresIsExitThreeNamingHostAndPort) {
  // Port 1 on loopback: nothing listens there, and no password may leak.
  CommandResult r = Rectify({"--db", "postgresql://ops:hunter2@127.0.0.1:1/rectify", "migrate"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, StartsWith("rectify: error: cannot connect to PostgreSQL at 127.0.0.1:1"));
  EXPECT_THAT(r.err, HasSubstr("check that the server runs there"));
  EXPECT_THAT(r.err, Not(HasSubstr("hunter2")));
  EXPECT_EQ(Lines(r.err), 1);
}

TEST_F(StoreCliInputTest, AMissingSqliteFolderIsNamedAndNotCreated) {
  CommandResult r = Rectify({"--db", "sqlite:nowhere/deeper/rectify.db", "migrate"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("the folder 'nowhere/deeper' of the SQLite database"));
  EXPECT_THAT(r.err, HasSubstr("does not exist; create it or choose another path"));
  EXPECT_EQ(Lines(r.err), 1);
  EXPECT_FALSE(fs::exists(dir_.path() / "nowhere"));
}

TEST_F(StoreCliInputTest, TheDefaultVarFolderIsCreated) {
  CommandResult r = Rectify({"migrate"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir_.path() / "var" / "rectify.db"));
  CommandResult status = Rectify({"status"});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr("sqlite:var/rectify.db (sqlite)"));
}

TEST_F(StoreCliInputTest, AReadOnlySqliteFolderIsExitThreeAndUntouched) {
  fs::path ro = dir_.path() / "ro";
  fs::create_directories(ro);
  fs::permissions(dir_.path(),
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                          fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  std::string binary = RECTIFY_BINARY;
  if (geteuid() == 0) {
    // Root writes anywhere; run as nobody so the folder's permissions apply, as for a user. A
    // copy of the binary, because the build folder's parents need not be open to nobody.
    binary = (dir_.path() / "rectify").string();
    fs::copy_file(RECTIFY_BINARY, binary);
    fs::permissions(binary, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                fs::perms::others_read | fs::perms::others_exec);
  }
  std::vector<std::string> argv = {binary, "--db", "sqlite:" + (ro / "r.db").string(), "migrate"};
  if (geteuid() == 0) {
    argv.insert(argv.begin(),
                {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"});
  }
  CommandResult r = test::RunCommand(argv, Env(), "/");
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the folder '" + ro.string() + "' is read-only"));
  EXPECT_THAT(r.err, HasSubstr("make it writable or choose another path"));
  EXPECT_EQ(Lines(r.err), 1);
  EXPECT_TRUE(fs::is_empty(ro));
  fs::permissions(ro, fs::perms::owner_all);
}

}  // namespace
}  // namespace rectify
