// The contact of someone outside the org (notify/contact.h): its form picks the contact kind, and
// nothing that could break an SMTP envelope or a header passes.
#include "rectify/notify/contact.h"

#include <gtest/gtest.h>

namespace rectify::notify {
namespace {

TEST(ContactTest, AnEmailAddressGoesByEmail) {
  for (const char* a : {"someone@example.org", "wang.reporter+clue@mail.example.gov.cn", "x@a.b"}) {
    EXPECT_EQ(ContactKindOf(a), "email") << a;
  }
}

TEST(ContactTest, APhoneNumberGoesBySms) {
  for (const char* p :
       {"13900000000", "139 0000 0000", "+86 139-0000-0000", "0739-1234567", "12345"}) {
    EXPECT_EQ(ContactKindOf(p), "sms") << p;
  }
}

TEST(ContactTest, AnythingElseIsNoContact) {
  for (const char* c :
       {"", "someone", "ask at the village shop", "@example.org", "someone@", "someone@localhost",
        "someone@example.", "a@b..org", "a@b@example.org", "a@example.org\r\nBcc: all@example.org",
        "a@example.org, b@example.org", "Name <a@example.org>", " a@example.org", "1234",
        "139--0000", "139 0000 ", "+", "139x0000", "123456789012345678901"}) {
    EXPECT_EQ(ContactKindOf(c), "") << c;
  }
  EXPECT_EQ(ContactProblem("someone"),
            "'someone' is neither an email address (name@example.org) nor a phone number "
            "(13900000000)");
}

}  // namespace
}  // namespace rectify::notify
