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
// Thread-safety: one test thread.
#pragma once

#include <gmock/gmock.h>

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
  // any step fails.
  bool Start(const std::vector<std::string>& serve_args = {}) {
    auto db = TestDatabase::Create(backend_);
    EXPECT_TRUE(db.ok()) << (db.ok() ? "" : db.error().message());
    if (!db.ok()) return false;
    db_ = std::move(*db);
    if (!Run({"migrate"})) return false;
    std::string ledger = db_->dir().File("ledger.csv");
    std::ofstream(ledger) << kApiLedger;
    if (!Run(
            {"ledger", "import", ledger, "--as", "xs-0009", "--at", "2017-04-21T09:00:00+08:00"})) {
      return false;
    }
    for (const char* person :
         {"xs-0012", "xs-0014", "xs-0025", "xs-0002", "xs-0004", "xs-0011", "xs-0009", "xs-0007"}) {
      if (!Run({"user", "add", person, "--password-stdin"}, kApiPassword + "\n")) return false;
    }
    if (!Run({"user", "add", "xs-0003", "--admin", "--password-stdin"}, kApiPassword + "\n")) {
      return false;
    }
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
    args.insert(args.begin(), {"--db", db_->url()});
    CommandResult r = RunRectify(args, Env(), db_->dir().path().string(), input);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << "\n" << r.out << r.err;
    return r.exit_code == 0;
  }

  static std::map<std::string, std::string> Env() {
    return {{"RECTIFY_DB", ""}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
  }

 private:
  store_soci::Backend backend_;
  std::vector<std::string> serve_args_;
  std::map<std::string, std::string> serve_env_;
  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<ChildProcess> server_;
  int port_ = 0;
  std::string from_ = "2017-04-21T10:00:00+08:00";
};

}  // namespace rectify::test
