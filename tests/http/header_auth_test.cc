// Which addresses a single-sign-on header is trusted from (HeaderAuth, authentication.h): the
// parsing of --auth-header and --trusted-proxy, and the CIDR match, IPv4, IPv6 and IPv4-mapped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/http/api/authentication.h"

namespace rectify::api {
namespace {

using ::testing::HasSubstr;

TEST(HeaderAuthTest, TrustsExactlyTheListedAddressesAndNetworks) {
  auto h = HeaderAuth::Parse("X-Remote-User", "10.20.0.5, 192.168.8.0/22,fd00::/8,::1");
  ASSERT_TRUE(h.ok()) << h.error().message();
  EXPECT_EQ(h->header, "x-remote-user");
  EXPECT_TRUE(h->Trusts("10.20.0.5"));
  EXPECT_FALSE(h->Trusts("10.20.0.6"));
  EXPECT_TRUE(h->Trusts("192.168.8.1"));
  EXPECT_TRUE(h->Trusts("192.168.11.254"));
  EXPECT_FALSE(h->Trusts("192.168.12.1"));
  EXPECT_TRUE(h->Trusts("fd12:3456::1"));
  EXPECT_FALSE(h->Trusts("fe80::1"));
  EXPECT_TRUE(h->Trusts("::1"));
  EXPECT_TRUE(h->Trusts("::ffff:10.20.0.5"));  // an IPv4 client on a dual-stack socket
  EXPECT_FALSE(h->Trusts("127.0.0.1"));
  EXPECT_FALSE(h->Trusts(""));
  EXPECT_FALSE(h->Trusts("not-an-address"));

  auto all = HeaderAuth::Parse("X-User", "0.0.0.0/0");
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Trusts("203.0.113.9"));
  EXPECT_FALSE(all->Trusts("::1"));  // an IPv4 network says nothing of IPv6
}

TEST(HeaderAuthTest, RefusesWhatItCannotReadSayingHowToWriteIt) {
  EXPECT_TRUE(HeaderAuth::Parse("", "").ok());  // no single sign-on
  for (const auto& [header, proxies, says] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"X-Remote-User", "", "needs --trusted-proxy"},
           {"X-Remote-User", " , ", "needs --trusted-proxy"},
           {"", "10.0.0.1", "goes with --auth-header"},
           {"X Remote: User", "10.0.0.1", "is not a header name"},
           {"X-Remote-User", "10.0.0.300", "'10.0.0.300' is not an IP address or network"},
           {"X-Remote-User", "10.0.0.0/33", "'10.0.0.0/33'"},
           {"X-Remote-User", "10.0.0.0/", "'10.0.0.0/'"},
           {"X-Remote-User", "10.0.0.0/-1", "'10.0.0.0/-1'"},
           {"X-Remote-User", "proxy.example", "'proxy.example'"},
       }) {
    auto h = HeaderAuth::Parse(header, proxies);
    ASSERT_FALSE(h.ok()) << header << " " << proxies;
    EXPECT_THAT(h.error().message(), HasSubstr(says)) << header << " " << proxies;
  }
}

}  // namespace
}  // namespace rectify::api
