// Passwords, API tokens and session secrets (engine/include/rectify/auth/secrets.h).
#include "rectify/auth/secrets.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

namespace rectify::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(PasswordTest, AStoredPasswordIsArgon2idSaltedAndVerifies) {
  auto a = HashPassword("correct horse battery staple");
  auto b = HashPassword("correct horse battery staple");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_THAT(*a, StartsWith("$argon2id$"));
  EXPECT_NE(*a, *b);  // salted
  EXPECT_THAT(*a, ::testing::Not(HasSubstr("horse")));
  EXPECT_TRUE(VerifyPassword(*a, "correct horse battery staple"));
  EXPECT_FALSE(VerifyPassword(*a, "correct horse battery stapler"));
  EXPECT_FALSE(VerifyPassword(*a, ""));
  EXPECT_FALSE(VerifyPassword("not a hash", "correct horse battery staple"));
}

TEST(PasswordTest, ThePolicySaysWhatToChooseInstead) {
  EXPECT_TRUE(CheckPasswordPolicy("长塘村整改台账二〇一七年", "xs-0012").ok());  // 12 characters
  auto short_one = CheckPasswordPolicy("整改台账", "xs-0012");  // 4 characters, 12 bytes
  ASSERT_FALSE(short_one.ok());
  EXPECT_THAT(short_one.error().message(), HasSubstr("shorter than 10 characters"));
  auto own_id = CheckPasswordPolicy("xs-0012-abc", "xs-0012-abc");
  ASSERT_FALSE(own_id.ok());
  EXPECT_THAT(own_id.error().message(), HasSubstr("own id"));
  auto bad_utf8 = CheckPasswordPolicy(std::string("abcdefghij\xff", 11), "p");
  ASSERT_FALSE(bad_utf8.ok());
  EXPECT_THAT(bad_utf8.error().message(), HasSubstr("UTF-8"));
  EXPECT_FALSE(CheckPasswordPolicy(std::string(1025, 'a'), "p").ok());
}

TEST(TokenTest, ATokenParsesBackToItsIdAndHash) {
  IssuedSecret t = NewApiToken();
  EXPECT_THAT(t.text, StartsWith("rtk_" + t.id + "_"));
  EXPECT_EQ(t.id.size(), 12u);
  EXPECT_EQ(t.text.size(), 4u + 12u + 1u + 43u);
  auto parsed = ParseApiToken(t.text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  EXPECT_EQ(parsed->id, t.id);
  EXPECT_TRUE(SameDigest(parsed->hash, t.hash));
  EXPECT_EQ(t.hash.size(), 64u);
  EXPECT_THAT(t.hash, ::testing::Not(HasSubstr(t.text.substr(17))));
}

TEST(TokenTest, AnythingElseIsNotAToken) {
  IssuedSecret t = NewApiToken();
  for (std::string bad : {std::string(), std::string("rtk_"), t.text + "x", t.text.substr(1),
                          "rtk_ZZZZZZZZZZZZ_" + t.text.substr(17), t.text.substr(0, 59) + "!"}) {
    auto parsed = ParseApiToken(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
  }
  auto wrong = ParseApiToken("Bearer abc");
  ASSERT_FALSE(wrong.ok());
  EXPECT_THAT(wrong.error().message(), HasSubstr("rtk_<12 hex>_<43 characters>"));
}

TEST(TokenTest, SecretsDoNotRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(seen.insert(NewApiToken().text).second);
    EXPECT_TRUE(seen.insert(NewSessionSecret().text).second);
  }
}

TEST(TokenTest, SameDigestComparesWholeDigests) {
  std::string h = HashSecret("abc");
  EXPECT_TRUE(SameDigest(h, HashSecret("abc")));
  EXPECT_FALSE(SameDigest(h, HashSecret("abd")));
  EXPECT_FALSE(SameDigest(h, h.substr(0, 63)));
}

}  // namespace
}  // namespace rectify::auth
