// Database URLs and the PostgreSQL array literals batches are bound with.
#include "adapters/store/soci/database_url.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/store/soci/batch.h"

namespace rectify::store_soci {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(DatabaseUrlTest, SqliteFileAndMemory) {
  auto file = ParseDatabaseUrl("sqlite:var/rectify.db");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->backend, Backend::kSqlite);
  EXPECT_EQ(file->path, "var/rectify.db");
  EXPECT_FALSE(file->in_memory());
  EXPECT_EQ(file->Redacted(), "sqlite:var/rectify.db");
  auto memory = ParseDatabaseUrl("sqlite::memory:");
  ASSERT_TRUE(memory.ok());
  EXPECT_TRUE(memory->in_memory());
}

TEST(DatabaseUrlTest, PostgresWithEverything) {
  auto u =
      ParseDatabaseUrl("postgresql://ops:s%40cr%27t@db.example:6543/rect%20ify?sslmode=require");
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->backend, Backend::kPostgresql);
  EXPECT_EQ(u->user, "ops");
  EXPECT_EQ(u->password, "s@cr't");
  EXPECT_EQ(u->host, "db.example");
  EXPECT_EQ(u->port, 6543);
  EXPECT_EQ(u->database, "rect ify");
  EXPECT_EQ(u->params.at("sslmode"), "require");
  EXPECT_EQ(u->Redacted(), "postgresql://ops:***@db.example:6543/rect ify?sslmode=require");
  EXPECT_THAT(u->PostgresConnInfo(), HasSubstr("password='s@cr\\'t'"));
  EXPECT_THAT(u->PostgresConnInfo(), HasSubstr("connect_timeout=5"));
}

TEST(DatabaseUrlTest, PostgresDefaultsAndIpv6) {
  auto u = ParseDatabaseUrl("postgres://[::1]/rectify");
  ASSERT_TRUE(u.ok()) << u.error().message();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 5432);
  EXPECT_EQ(u->user, "");
  EXPECT_EQ(u->Redacted(), "postgresql://[::1]:5432/rectify");
}

TEST(DatabaseUrlTest, MalformedUrlsSayWhatIsWrongAndTheAcceptedForms) {
  for (const char* bad : {"", "mysql://u@h/db", "sqlite:", "sqlite://x.db", "postgresql://host",
                          "postgresql://h:0/db", "postgresql://h:99999/db", "postgresql://h:5432/",
                          "postgresql://h/db?nope=1", "postgresql://:pw@h/db",
                          "postgresql://h/db?sslmode", "postgresql://h/a%zzb"}) {
    auto u = ParseDatabaseUrl(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.error().code(), ErrorCode::kBadInput) << bad;
    EXPECT_THAT(u.error().message(), HasSubstr("malformed database URL")) << bad;
    EXPECT_THAT(u.error().message(), HasSubstr(std::string(kAcceptedUrlForms))) << bad;
  }
}

TEST(DatabaseUrlTest, AMalformedUrlsPasswordIsNeverShown) {
  auto u = ParseDatabaseUrl("postgresql://ops:hunter2@h:notaport/db");
  ASSERT_FALSE(u.ok());
  EXPECT_THAT(u.error().message(), Not(HasSubstr("hunter2")));
  EXPECT_THAT(u.error().message(), HasSubstr("ops:***@h"));
}

TEST(PgArrayLiteralTest, QuotesEveryElementAndEscapesQuotesAndBackslashes) {
  EXPECT_EQ(PgArrayLiteral({}), "{}");
  EXPECT_EQ(PgArrayLiteral({std::string("a"), std::nullopt, std::string("NULL")}),
            R"({"a",NULL,"NULL"})");
  EXPECT_EQ(PgArrayLiteral({std::string(R"(say "hi" \ {x,y})"), std::string("")}),
            R"({"say \"hi\" \\ {x,y}",""})");
}

}  // namespace
}  // namespace rectify::store_soci
