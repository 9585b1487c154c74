// The terminal profile as the configuration makes it: the URLs a certificate carries.
#include <gtest/gtest.h>

#include "app/ca/certificate_authority.hpp"
#include "app_test_env.hpp"
#include "pki/terminal_profile.hpp"

namespace onshi::app {
namespace {

TEST(TerminalProfileConfig, PointsCertificatePoliciesAtTheFullCpsNotTheClinicSummary) {
  test::TempDir dir;
  Config c = test::test_config(dir.path());
  c.policy_oid = "1.2.392.999.1";
  const auto p = terminal_profile(c);
  EXPECT_EQ(p.cps_url, "http://portal.test/cpipcs/full");
  EXPECT_EQ(p.crl_url, "http://portal.test/pki/crl/issuing.crl");
  EXPECT_EQ(p.policy_oid, "1.2.392.999.1");
}

TEST(TerminalProfileConfig, NamesTheDeltaCrlBesideTheFullOne) {
  test::TempDir dir;
  Config c = test::test_config(dir.path());
  EXPECT_EQ(terminal_profile(c).delta_crl_url, "http://portal.test/pki/crl/issuing-delta.crl");
  c.delta_crl_url = "http://crl.example.jp/issuing-delta.crl";
  EXPECT_EQ(terminal_profile(c).delta_crl_url, "http://crl.example.jp/issuing-delta.crl");
}

}  // namespace
}  // namespace onshi::app
