// Upgrading the library under a database that registered an older text (docs/operations.md,
// "Upgrading definitions"): the assessments county-annual and xinshao-monthly were changed in
// place in session 20, and their old version 1 no longer compiles (criteria now name the role that
// enters them). The library now ships the changed text as version 2 and version 1 no more, so a
// database that registered the old version 1 starts: a version the library no longer ships stays
// in the database as registered (retired). A version the library ships with another text is still
// refused. Through the real binary, on SQLite and PostgreSQL; the old texts are the fixtures
// tests/cli/fixtures/*-v1-2016.yaml, as shipped at commit 63a24d5.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "rectify/definition/canonical.h"
#include "rectify/definition/yaml_source.h"
#include "rectify/diagnostics.h"
#include "tests/store/store_test_env.h"
#include "tests/support/run_command.h"

namespace rectify {
namespace {

using test::Backend;
using test::CommandResult;
using test::RunRectify;
using ::testing::HasSubstr;

std::map<std::string, std::string> Env() {
  return {{"RECTIFY_DB", ""}, {"RECTIFY_HOME", RECTIFY_SOURCE_DIR}};
}

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(RECTIFY_SOURCE_DIR) + "/tests/cli/fixtures/" + name,
                   std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The registry's row for `text` as a database registered it then: its canonical hash.
DefinitionRecord Registered(const std::string& name, int version, const std::string& text) {
  Diagnostics diags;
  auto docs = definition::ParseYamlText(text, name + ".yaml", {}, diags);
  EXPECT_EQ(docs.size(), 1u);
  return {"assessment", name,
          version,      definition::ContentHash(docs.at(0).root),
          text,         Timestamp{} + std::chrono::hours(24 * 365 * 46)};
}

class DefinitionUpgradeTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    auto db = test::TestDatabase::Create(GetParam());
    ASSERT_TRUE(db.ok()) << db.error().message();
    db_ = std::move(*db);
    auto store = test::OpenMigratedStore(*db_, Timestamp{});
    ASSERT_TRUE(store.ok()) << store.error().message();
    store_ = std::move(*store);
  }
  CommandResult Rectify(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_->url()});
    return RunRectify(args, Env(), db_->dir().path().string());
  }

  std::unique_ptr<test::TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

TEST_P(DefinitionUpgradeTest, ADatabaseThatRegisteredTheOldVersionOneStarts) {
  // A database of 2016: it registered the assessments as shipped then.
  const std::string county = Fixture("county-annual-v1-2016.yaml");
  const std::string monthly = Fixture("xinshao-monthly-v1-2016.yaml");
  ASSERT_THAT(county, HasSubstr("version: 1"));
  ChangeSet old;
  old.definitions = {Registered("county-annual", 1, county),
                     Registered("xinshao-monthly", 1, monthly)};
  ASSERT_TRUE(store_->Commit(old).ok());

  // Today's library starts on it, and the campaigns that assess run.
  CommandResult hecheng =
      Rectify({"campaign", "start", "hecheng-supervision-2017", "--at", "2017-01-03"});
  EXPECT_EQ(hecheng.exit_code, 0) << hecheng.err;
  CommandResult xinshao = Rectify({"campaign", "start", "xinshao-2017", "--at", "2017-01-03"});
  EXPECT_EQ(xinshao.exit_code, 0) << xinshao.err;

  // Version 1 stays as it was registered; version 2 is the library's text.
  for (const std::string& name : {std::string("county-annual"), std::string("xinshao-monthly")}) {
    auto v1 = store_->LoadDefinition("assessment", name, 1);
    ASSERT_TRUE(v1.ok()) << name;
    EXPECT_EQ(v1->source, name == "county-annual" ? county : monthly);
    auto v2 = store_->LoadDefinition("assessment", name, 2);
    ASSERT_TRUE(v2.ok()) << name << ": " << v2.error().message();
    EXPECT_THAT(v2->source, HasSubstr("version: 2"));
  }
}

TEST_P(DefinitionUpgradeTest, AShippedVersionWithAnotherTextIsStillRefused) {
  // The old text registered under the version the library now ships: the library's text differs.
  std::string county = Fixture("county-annual-v1-2016.yaml");
  county.replace(county.find("version: 1"), 10, "version: 2");
  ChangeSet old;
  old.definitions = {Registered("county-annual", 2, county)};
  ASSERT_TRUE(store_->Commit(old).ok());
  CommandResult r =
      Rectify({"campaign", "start", "hecheng-supervision-2017", "--at", "2017-01-03"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("assessment county-annual@2"));
  EXPECT_THAT(r.err, HasSubstr("differs from the version registered before"));
  EXPECT_THAT(r.err, HasSubstr("give the changed one a new version"));
  // Nothing was started.
  EXPECT_FALSE(store_->LoadDefinition("campaign", "hecheng-supervision-2017", 3).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, DefinitionUpgradeTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgresql),
                         test::BackendTestName);

}  // namespace
}  // namespace rectify
