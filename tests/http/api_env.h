// A live `rectify serve` for the API tests: a database (SQLite file or a fresh PostgreSQL
// database) with a few items of the Xinshao org in three units, accounts for every kind of
// caller, and the real binary serving on a loopback port.
//
//   ApiEnv env(Backend::kSqlite);
//   ASSERT_TRUE(env.Start());
//   HttpClient c = env.Client();
//   env.SignIn(c, "xs-0012");                 // the session cookie is in c's jar
//
// The node runs on an accelerated clock at real speed from 2017-04-21 10:00 (Shanghai), an hour
// after the items were registered with 15 working days: nothing falls due while a test runs, so an
// item's version moves only when a test acts on it.
//
// Each test has a database of its own. Preparing one takes a dozen runs of the binary (5 s under
// the sanitizers), so under CTest the first test of a run to need a backend prepares a template
// once, in the test cluster's folder (build/pgtest/api-templates/, gone when the run's cluster
// stops), and every test starts from a copy of it: the SQLite file copied, or PostgreSQL's CREATE
// DATABASE ... TEMPLATE. A test binary run by hand prepares each test's database itself.
//
// Thread-safety: one test thread; any number of test processes at once.
#pragma once

#include <fcntl.h>
#include <gmock/gmock.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "tests/store/store_test_env.h"
#include "tests/support/child_process.h"
#include "tests/support/http_client.h"
#include "tests/support/run_command.h"

namespace rectify::test {

// Every account's password (the policy wants 10 characters or more).
inline const std::string kApiPassword = "整改台账密码-2017";

// The items, and who registers them.
inline const char* kApiLedger =
    "id,title,unit,responsible,registered_at,time_limit\n"
    "T-A1,长塘村危房改造档案不全,niangxi-team-1,xs-0014,2017-04-21,15wd\n"
    "T-A2,酿溪镇扶贫资金拨付滞后,niangxi,xs-0012,2017-04-21,15wd\n"
    "T-B1,严塘镇低保公示不全,yantang-team-1,xs-0025,2017-04-21,15wd\n";

class ApiEnv {
 public:
  // `serve_args` are added to rectify serve's command line (--max-upload 64KiB, ...).
  explicit ApiEnv(store_soci::Backend backend, std::vector<std::string> serve_args = {})
      : backend_(backend), serve_args_(std::move(serve_args)) {}

  // Migrates, imports the ledger, adds the accounts, starts the server (with `serve_args` added
  // to its command line: --tls-cert, --auth-header ...). Fails the test (and returns false) when
  // any step fails. Under CTest the database is a copy of a template that the run's first test
  // prepared the same way (see PreparedTemplate), which saves each test a dozen processes.
  bool Start(const std::vector<std::string>& serve_args = {}) {
    std::string from_template;
    if (std::string dir = TemplateDir(); !dir.empty()) {
      from_template = PreparedTemplate(dir);
      if (from_template.empty()) return false;
    }
    auto db = TestDatabase::Create(backend_, from_template);
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message());
    if (!db.ok()) return false;
    db_ = std::move(*db);
    if (from_template.empty() && !Prepare(db_->url(), db_->dir().path().string())) return false;
    std::vector<std::string> args{"--db",    db_->url(), "serve",  "--listen", "127.0.0.1:0",
                                  "--speed", "1",        "--from", from_};
    args.insert(args.end(), serve_args_.begin(), serve_args_.end());
    args.insert(args.end(), serve_args.begin(), serve_args.end());
    auto env = Env();
    for (const auto& [name, value] : serve_env_) env[name] = value;
    server_ = std::make_unique<ChildProcess>(ChildProcess::StartRectify(args, env));
    std::string line = server_->WaitForLine("listening on", std::chrono::seconds(30));
    auto colon = line.rfind(':');
    EXPECT_NE(colon, std::string::npos) << "rectify serve did not start:\n" << server_->output();
    if (colon == std::string::npos) return false;
    port_ = std::stoi(line.substr(colon + 1));
    return true;
  }

  // The instant the node's clock starts at, set before Start (default 2017-04-21 10:00; a later
  // one lets a test act in May, when the task inventories' first reports open).
  void SetFrom(std::string from) { from_ = std::move(from); }

  // Environment variables for `rectify serve` alone (a channel's secrets), set before Start.
  void SetServeEnv(std::map<std::string, std::string> env) { serve_env_ = std::move(env); }

  HttpClient Client() const { return HttpClient(port_); }
  // The running `rectify serve` (to stop it, read its output).
  ChildProcess& server() { return *server_; }
  int port() const { return port_; }
  const TestDatabase& db() const { return *db_; }

  // Signs `person` in on `client`; the csrf token of the session, or "" (and a test failure).
  std::string SignIn(HttpClient& client, const std::string& person) {
    HttpAnswer a =
        client.Send("POST", "/api/v1/session",
                    R"({"person":")" + person + R"(","password":")" + kApiPassword + R"("})");
    EXPECT_EQ(a.status, 200) << person << ": " << a.body;
    if (a.status != 200) return {};
    return std::string(a.Json().at("csrf_token").as_string());
  }

  // A token of `person` from `rectify token create`.
  std::string Token(const std::string& person, const std::string& scope = "write") {
    CommandResult r = RunRectify({"--db", db_->url(), "token", "create", person, "--scope", scope},
                                 Env(), db_->dir().path().string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find('\n'));
  }

  bool Run(std::vector<std::string> args, const std::string& input = {}) {
    return RunOn(db_->url(), db_->dir().path().string(), std::move(args), input);
  }

  static std::map<std::string, std::string> Env() {
    return {{"RECTIFY_DB", ""}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
  }

 private:
  static bool RunOn(const std::string& url, const std::string& dir, std::vector<std::string> args,
                    const std::string& input = {}) {
    args.insert(args.begin(), {"--db", url});
    CommandResult r = RunRectify(args, Env(), dir, input);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << "\n" << r.out << r.err;
    return r.exit_code == 0;
  }

  // The database every test starts from, made in `dir` (the command's working folder): the
  // schema, the ledger imported, the accounts added.
  static bool Prepare(const std::string& url, const std::string& dir) {
    if (!RunOn(url, dir, {"migrate"})) return false;
    std::string ledger = (std::filesystem::path(dir) / "ledger.csv").string();
    std::ofstream(ledger) << kApiLedger;
    if (!RunOn(
            url, dir,
            {"ledger", "import", ledger, "--as", "xs-0009", "--at", "2017-04-21T09:00:00+08:00"})) {
      return false;
    }
    for (const char* person :
         {"xs-0012", "xs-0014", "xs-0025", "xs-0002", "xs-0004", "xs-0011", "xs-0009", "xs-0007"}) {
      if (!RunOn(url, dir, {"user", "add", person, "--password-stdin"}, kApiPassword + "\n")) {
        return false;
      }
    }
    return RunOn(url, dir, {"user", "add", "xs-0003", "--admin", "--password-stdin"},
                 kApiPassword + "\n");
  }

  // Where this run's templates live: beside the PostgreSQL test cluster that CTest's fixture
  // started (its folder goes when the run's cluster stops, so a template never outlives the
  // binary and migrations it was made with). "" when a test binary runs by hand: each test then
  // prepares its own database.
  static std::string TemplateDir() {
    const char* file = std::getenv("RECTIFY_TEST_PG_URL_FILE");
    if (file == nullptr || !std::filesystem::exists(file)) return {};
    return (std::filesystem::path(file).parent_path() / "api-templates").string();
  }

  // The URL of this backend's template in `dir`, prepared by the first test process that asks
  // (the others wait on a lock, then copy it); "" (and a test failure) when it cannot be made.
  std::string PreparedTemplate(const std::string& dir) {
    std::string name(store_soci::BackendName(backend_));
    std::error_code ec;
    std::filesystem::create_directories(dir + "/" + name, ec);
    EXPECT_FALSE(ec) << dir << ": " << ec.message();
    if (ec) return {};
    int lock = ::open((dir + "/" + name + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    EXPECT_GE(lock, 0) << dir << ": " << std::strerror(errno);
    if (lock < 0) return {};
    ::flock(lock, LOCK_EX);
    std::string ready = dir + "/" + name + ".url";  // written once the template is whole
    std::string url;
    std::getline(std::ifstream(ready), url);
    if (url.empty()) {
      std::string made;
      if (backend_ == Backend::kPostgresql) {
        auto pg = PgTestDatabase::Create();
        EXPECT_TRUE(pg.ok()) << (pg.ok() ? "" : pg.error().message());
        if (pg.ok()) {
          (*pg)->Keep();
          made = (*pg)->url();
        }
      } else {
        made = "sqlite:" + dir + "/" + name + "/rectify.db";
      }
      if (!made.empty() && Prepare(made, dir + "/" + name)) {
        std::ofstream(ready + ".tmp") << made << "\n";
        std::filesystem::rename(ready + ".tmp", ready, ec);
        EXPECT_FALSE(ec) << ready << ": " << ec.message();
        if (!ec) url = made;
      }
    }
    ::close(lock);
    return url;
  }

  store_soci::Backend backend_;
  std::vector<std::string> serve_args_;
  std::map<std::string, std::string> serve_env_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ChildProcess> server_;
  int port_ = 0;
  std::string from_ = "2017-04-21T10:00:00+08:00";
};

}  // namespace rectify::test
