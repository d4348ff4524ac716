// rectify user and rectify token through the real binary, on SQLite and PostgreSQL: accounts bound
// to people of the org definitions, passwords from standard input, tokens shown once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <boost/json.hpp>

#include "adapters/store/soci/database.h"
#include "tests/store/store_test_env.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

using store_soci::Backend;
using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kPassword[] = "长塘村整改台账二〇一七\n";

class UserCliTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    ASSERT_EQ(Rectify({"migrate"}).exit_code, 0);
  }
  CommandResult Rectify(std::vector<std::string> args, const std::string& input = {}) {
    args.insert(args.begin(), {"--db", db_->url()});
    return RunRectify(args, {{"RECTIFY_DB", ""}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}},
                      db_->dir().path().string(), input);
  }
  std::string StoredHashes() {
    auto url = store_soci::ParseDatabaseUrl(db_->url());
    auto db = store_soci::Database::Open(*url, {});
    std::string all;
    soci::rowset<std::string> rows =
        ((*db)->session().prepare << "SELECT password_hash FROM accounts");
    for (const auto& r : rows) all += r + "\n";
    soci::rowset<std::string> tokens =
        ((*db)->session().prepare << "SELECT secret_hash FROM api_tokens");
    for (const auto& r : tokens) all += r + "\n";
    return all;
  }

  std::unique_ptr<test::TestDatabase> db_;
};

TEST_P(UserCliTest, TheFirstAdministratorIsAPersonOfTheOrg) {
  CommandResult added =
      Rectify({"user", "add", "xs-0001", "--admin", "--password-stdin"}, kPassword);
  EXPECT_EQ(added.exit_code, 0) << added.err;
  EXPECT_THAT(added.out, HasSubstr("added administrator xs-0001 (xinshao)"));
  EXPECT_THAT(StoredHashes(), HasSubstr("$argon2id$"));
  EXPECT_THAT(StoredHashes(), Not(HasSubstr("长塘村")));

  CommandResult list = Rectify({"--format", "json", "user", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto accounts = boost::json::parse(list.out).at("accounts").as_array();
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].at("person"), "xs-0001");
  EXPECT_EQ(accounts[0].at("admin"), true);
  EXPECT_FALSE(accounts[0].as_object().contains("password_hash"));
}

TEST_P(UserCliTest, BadInputSaysWhatToDoAndAddsNothing) {
  CommandResult stranger = Rectify({"user", "add", "nobody-1", "--password-stdin"}, kPassword);
  EXPECT_EQ(stranger.exit_code, 1);
  EXPECT_THAT(stranger.err, HasSubstr("no org definition loaded names the person 'nobody-1'"));

  CommandResult weak = Rectify({"user", "add", "xs-0012", "--password-stdin"}, "short\n");
  EXPECT_EQ(weak.exit_code, 1);
  EXPECT_THAT(weak.err, HasSubstr("shorter than 10 characters"));

  CommandResult empty = Rectify({"user", "add", "xs-0012", "--password-stdin"});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.err, HasSubstr("no password on standard input"));

  CommandResult no_tty = Rectify({"user", "add", "xs-0012"});
  EXPECT_EQ(no_tty.exit_code, 1);
  EXPECT_THAT(no_tty.err, HasSubstr("--password-stdin"));

  CommandResult list = Rectify({"user", "list"});
  EXPECT_THAT(list.out, HasSubstr("no accounts yet"));

  ASSERT_EQ(Rectify({"user", "add", "xs-0012", "--password-stdin"}, kPassword).exit_code, 0);
  CommandResult twice = Rectify({"user", "add", "xs-0012", "--password-stdin"}, kPassword);
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("already has an account"));

  CommandResult passwd_unknown =
      Rectify({"user", "passwd", "xs-0013", "--password-stdin"}, kPassword);
  EXPECT_EQ(passwd_unknown.exit_code, 1);
  EXPECT_THAT(passwd_unknown.err, HasSubstr("xs-0013 has no account"));
}

TEST_P(UserCliTest, ATokenIsPrintedAloneOnceAndKeptOnlyAsAHash) {
  ASSERT_EQ(Rectify({"user", "add", "xs-0012", "--password-stdin"}, kPassword).exit_code, 0);
  CommandResult created =
      Rectify({"token", "create", "xs-0012", "--expires", "30d", "--label", "省级平台"});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_THAT(created.out, MatchesRegex("rtk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}\n"));
  std::string token = created.out.substr(0, created.out.size() - 1);
  std::string id = token.substr(4, 12);
  EXPECT_THAT(created.err, HasSubstr("shown only this once"));
  EXPECT_THAT(StoredHashes(), Not(HasSubstr(token.substr(17))));

  CommandResult list = Rectify({"--format", "json", "token", "list", "--person", "xs-0012"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, Not(HasSubstr(token.substr(17))));
  auto tokens = boost::json::parse(list.out).at("tokens").as_array();
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].at("id").as_string(), id);
  EXPECT_EQ(tokens[0].at("state"), "live");
  EXPECT_EQ(tokens[0].at("label"), "省级平台");

  CommandResult revoked = Rectify({"token", "revoke", id});
  EXPECT_EQ(revoked.exit_code, 0) << revoked.err;
  CommandResult after = Rectify({"--format", "json", "token", "list"});
  EXPECT_EQ(boost::json::parse(after.out).at("tokens").as_array()[0].at("state"), "revoked");

  CommandResult bad_expiry = Rectify({"token", "create", "xs-0012", "--expires", "forever"});
  EXPECT_EQ(bad_expiry.exit_code, 1);
  EXPECT_THAT(bad_expiry.err, HasSubstr("write a number of days or hours"));
  CommandResult no_account = Rectify({"token", "create", "xs-0013"});
  EXPECT_EQ(no_account.exit_code, 1);
  EXPECT_THAT(no_account.err, HasSubstr("xs-0013 has no account"));

  ASSERT_EQ(Rectify({"user", "disable", "xs-0012"}).exit_code, 0);
  CommandResult disabled = Rectify({"token", "create", "xs-0012"});
  EXPECT_EQ(disabled.exit_code, 1);
  EXPECT_THAT(disabled.err, HasSubstr("disabled"));
}

TEST_P(UserCliTest, CommandsBeforeMigrationSaySo) {
  auto fresh = test::TestDatabase::Create(GetParam());
  ASSERT_TRUE(fresh.ok());
  CommandResult r = RunRectify({"--db", (*fresh)->url(), "user", "list"},
                               {{"RECTIFY_DB", ""}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}},
                               (*fresh)->dir().path().string());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("rectify migrate"));
}

INSTANTIATE_TEST_SUITE_P(Backends, UserCliTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
