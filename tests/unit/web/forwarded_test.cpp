#include "web/forwarded.hpp"

#include <gtest/gtest.h>

namespace onshi::web {
namespace {

std::vector<AddressRange> ranges(const std::vector<std::string>& entries) {
  auto parsed = parse_trusted_proxies(entries);
  EXPECT_TRUE(parsed.has_value()) << parsed.error();
  return parsed.value_or(std::vector<AddressRange>{});
}

TEST(ForwardedAddress, WithoutTrustedProxiesTheSocketAddressIsTheClient) {
  EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9", {}), "127.0.0.1");
  EXPECT_EQ(client_address("::ffff:127.0.0.1", "203.0.113.9", {}), "127.0.0.1");
}

TEST(ForwardedAddress, AnUntrustedPeerIsNotBelieved) {
  const auto trusted = ranges({"10.0.0.1"});
  EXPECT_EQ(client_address("192.0.2.7", "203.0.113.9", trusted), "192.0.2.7");
}

TEST(ForwardedAddress, ATrustedProxyNamesTheClient) {
  const auto trusted = ranges({"127.0.0.1"});
  EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(client_address("::ffff:127.0.0.1", " 203.0.113.9 ", trusted), "203.0.113.9");
  EXPECT_EQ(client_address("127.0.0.1", "2001:db8::5", trusted), "2001:db8::5");
  EXPECT_EQ(client_address("127.0.0.1", "[2001:db8::5]", trusted), "2001:db8::5");
}

TEST(ForwardedAddress, WhatTheClientWroteLeftOfItsOwnHopIsIgnored) {
  // nginx appends the address it saw to whatever the client sent.
  const auto trusted = ranges({"127.0.0.1"});
  EXPECT_EQ(client_address("127.0.0.1", "127.0.0.1, 198.51.100.1, 203.0.113.9", trusted),
            "203.0.113.9");
}

TEST(ForwardedAddress, ChainsOfTrustedProxiesAreSteppedOver) {
  const auto trusted = ranges({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9, 10.1.2.3, 10.9.9.9", trusted), "203.0.113.9");
  // Only trusted hops: the leftmost is the best that is known.
  EXPECT_EQ(client_address("127.0.0.1", "10.1.2.3, 10.9.9.9", trusted), "10.1.2.3");
}

TEST(ForwardedAddress, AHopThatIsNoAddressStopsAtTheHopBeforeIt) {
  const auto trusted = ranges({"127.0.0.1", "10.0.0.0/8"});
  EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9, unknown, 10.1.2.3", trusted), "10.1.2.3");
  EXPECT_EQ(client_address("127.0.0.1", "203.0.113.9:443", trusted), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", "", trusted), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", ",,,", trusted), "127.0.0.1");
}

TEST(ForwardedAddress, AtMost32HopsAreRead) {
  const auto trusted = ranges({"10.0.0.0/8"});
  std::string header = "203.0.113.9";
  for (int i = 0; i < 40; ++i) header += ", 10.0.0.1";
  EXPECT_EQ(client_address("10.0.0.2", header, trusted), "10.0.0.1");
  std::string huge(1'000'000, ',');
  EXPECT_EQ(client_address("10.0.0.2", huge, trusted), "10.0.0.2");
}

TEST(ForwardedAddress, NetworksMatchByTheirPrefix) {
  const auto trusted = ranges({"192.0.2.0/25", "fd00::/16"});
  EXPECT_EQ(client_address("192.0.2.127", "203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(client_address("192.0.2.128", "203.0.113.9", trusted), "192.0.2.128");
  EXPECT_EQ(client_address("fd00:1::2", "203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(client_address("fd01::2", "203.0.113.9", trusted), "fd01::2");
  EXPECT_EQ(client_address("10.0.0.1", "203.0.113.9", ranges({"0.0.0.0/0"})), "203.0.113.9");
}

TEST(ForwardedAddress, EntriesThatAreNeitherAddressNorNetworkAreRefused) {
  for (const std::string bad :
       {"localhost", "10.0.0.0/33", "10.0.0.0/", "fd00::/129", "1.2.3", "10.0.0.0/8x", ""}) {
    const auto parsed = parse_trusted_proxies({bad});
    ASSERT_FALSE(parsed.has_value()) << bad;
    EXPECT_EQ(parsed.error(), bad);
  }
  EXPECT_TRUE(parse_trusted_proxies({"::1", "127.0.0.1/32", "::ffff:10.0.0.0/104"}).has_value());
}

}  // namespace
}  // namespace onshi::web
