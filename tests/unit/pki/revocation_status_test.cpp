// OCSP, the CRLs with their delta and the ARL, and StatusChecker, against the CA and loopback
// HTTP server of certificate_status_fixture.hpp.
#include "certificate_status_fixture.hpp"

namespace onshi::pki::test {
namespace {

TEST_F(CertificateStatusTest, OcspAnswersGoodThenRevokedWithItsReason) {
  const auto chain = verified_chain();
  const auto good = query_ocsp(anchors(), chain, /*nonce=*/true, {}, Clock::now());
  EXPECT_EQ(good.state, RevocationState::good) << good.detail;
  EXPECT_EQ(good.source, "ocsp");
  EXPECT_TRUE(good.next_update.has_value());

  const auto at = Clock::now() - 10min;
  set([&] { ocsp_revoked_[terminal_.serial_hex] = {at, 1}; });
  const auto revoked = query_ocsp(anchors(), chain, true, {}, Clock::now());
  EXPECT_EQ(revoked.state, RevocationState::revoked) << revoked.detail;
  EXPECT_EQ(revoked.reason, "keyCompromise");
  ASSERT_TRUE(revoked.revoked_at.has_value());
  EXPECT_LE(std::chrono::abs(*revoked.revoked_at - at), 1s);
}

TEST_F(CertificateStatusTest, OcspAnswersThatMustNotBeBelievedAreUnavailable) {
  const auto chain = verified_chain();
  set([] { drop_nonce_ = true; });
  EXPECT_EQ(query_ocsp(anchors(), chain, true, {}, Clock::now()).state,
            RevocationState::unavailable);
  EXPECT_EQ(query_ocsp(anchors(), chain, false, {}, Clock::now()).state, RevocationState::good);
  set([] {
    drop_nonce_ = false;
    stale_ocsp_ = true;
  });
  const auto stale = query_ocsp(anchors(), chain, true, {}, Clock::now());
  EXPECT_EQ(stale.state, RevocationState::unavailable);
  EXPECT_NE(stale.detail.find("not current"), std::string::npos) << stale.detail;
  set([] {
    stale_ocsp_ = false;
    ocsp_http_status_ = 503;
  });
  const auto down = query_ocsp(anchors(), chain, true, {}, Clock::now());
  EXPECT_EQ(down.state, RevocationState::unavailable);
  EXPECT_NE(down.detail.find("503"), std::string::npos) << down.detail;
  // Signed by a responder no CA of ours delegated to: the signature check refuses it.
  test::TempDir other;
  init_ca(test::file_store(other.path()), CaSettings{}, Clock::now() - 24h);
  TrustAnchors foreign(test::read_text(other.path() / "root.crt"));
  set([] { ocsp_http_status_ = 200; });
  EXPECT_EQ(query_ocsp(foreign, chain, true, {}, Clock::now()).state, RevocationState::unavailable);
}

TEST_F(CertificateStatusTest, CrlCheckAppliesTheDeltaThatAloneListsARevocation) {
  const auto chain = verified_chain();
  const auto good = check_by_crl(anchors(), chain, nullptr, {}, Clock::now());
  EXPECT_EQ(good.state, RevocationState::good) << good.detail;
  EXPECT_TRUE(good.delta_applied);

  set([] { delta_revoked_[terminal_.serial_hex] = {Clock::now() - 5min, 4}; });
  const auto revoked = check_by_crl(anchors(), chain, nullptr, {}, Clock::now());
  EXPECT_EQ(revoked.state, RevocationState::revoked) << revoked.detail;
  EXPECT_EQ(revoked.reason, "superseded");

  // No ARL, no answer: the issuing CA's own status is part of the path.
  set([] { arl_http_status_ = 404; });
  const auto no_arl = check_by_crl(anchors(), chain, nullptr, {}, Clock::now());
  EXPECT_EQ(no_arl.state, RevocationState::unavailable);
  EXPECT_NE(no_arl.detail.find("ARL"), std::string::npos) << no_arl.detail;
}

TEST_F(CertificateStatusTest, CheckerFallsBackToTheCrlThenCachesAndFailsClosed) {
  StatusChecker checker(anchors(),
                        {.max_age = 60s, .fetch = {}, .use_ocsp = true, .use_crl = true});
  const auto first = checker.check(presented(), Clock::now());
  ASSERT_TRUE(first.chain.ok()) << first.chain.detail;
  EXPECT_EQ(first.status.state, RevocationState::good);
  EXPECT_EQ(first.status.source, "ocsp");
  EXPECT_FALSE(first.from_cache);
  const int before = server_->requests();
  const auto again = checker.check(presented(), Clock::now());
  EXPECT_TRUE(again.from_cache);
  EXPECT_EQ(server_->requests(), before);
  EXPECT_EQ(checker.counters().cache_hits.load(), 1u);

  // Past max_age the responder is asked again; it is down, so the CRL answers and says why.
  set([] { ocsp_http_status_ = 503; });
  const auto later = checker.check(presented(), Clock::now() + 61s);
  EXPECT_EQ(later.status.state, RevocationState::good) << later.status.detail;
  EXPECT_EQ(later.status.source, "crl");
  EXPECT_NE(later.status.detail.find("OCSP"), std::string::npos) << later.status.detail;

  set([] { crl_http_status_ = 503; });
  StatusChecker fresh(anchors(), {.max_age = 60s, .fetch = {}, .use_ocsp = true, .use_crl = true});
  const auto none = fresh.check(presented(), Clock::now());
  EXPECT_EQ(none.status.state, RevocationState::unavailable);
  EXPECT_NE(none.status.detail.find("OCSP"), std::string::npos) << none.status.detail;
  EXPECT_NE(none.status.detail.find("CRL"), std::string::npos) << none.status.detail;
  EXPECT_FALSE(fresh.check(presented(), Clock::now()).from_cache)
      << "an unusable answer is not kept";
}

TEST_F(CertificateStatusTest, AFullCrlOlderThanTheDeltasBaseIsFetchedAgain) {
  // A cache holding CRL 10 while the delta is based on 12: OpenSSL would drop the delta without
  // a word, and a revocation only the delta lists would go unseen.
  // The delta is due again in a second, the full CRL in an hour: two seconds on, the cache asks
  // for the delta only, and gets one based on a full CRL it has not seen.
  CrlCache cache(300s);
  const auto chain = verified_chain();
  set([] { delta_next_update_ = 1s; });
  EXPECT_EQ(check_by_crl(anchors(), chain, &cache, {}, Clock::now()).state, RevocationState::good);
  set([] {
    delta_next_update_ = 3600s;
    full_number_ = 12;
    delta_revoked_[terminal_.serial_hex] = {Clock::now() - 1min, 1};
  });
  const int before = server_->requests();
  const auto revoked = check_by_crl(anchors(), chain, &cache, {}, Clock::now() + 2s);
  EXPECT_EQ(revoked.state, RevocationState::revoked) << revoked.detail;
  EXPECT_TRUE(revoked.delta_applied);
  EXPECT_GE(server_->requests() - before, 2) << "the delta, then the full CRL again";
  // A delta based on a CRL the server does not serve at all gets no answer.
  set([] { delta_base_ = 20; });
  EXPECT_EQ(check_by_crl(anchors(), chain, nullptr, {}, Clock::now()).state,
            RevocationState::unavailable);
}

TEST_F(CertificateStatusTest, AnIssuingCaOnTheArlIsRefusedEvenWhenOcspSaysGood) {
  test::TempDir copy;
  std::filesystem::copy(dir_->path(), copy.path(), std::filesystem::copy_options::recursive);
  const auto signed_arl =
      sign_root_crl(test::file_store(copy.path()),
                    RootCrlRevocation{ca_->generations().front().serial_hex, 2}, Clock::now());
  ASSERT_TRUE(signed_arl.has_value());
  set([&] { revoked_arl_ = test::read_text(copy.path() / "root.crl"); });
  StatusChecker checker(anchors(),
                        {.max_age = 60s, .fetch = {}, .use_ocsp = true, .use_crl = true});
  const auto r = checker.check(presented(), Clock::now());
  // By the CRLs alone it is the same answer.
  const auto by_crl = check_by_crl(anchors(), verified_chain(), nullptr, {}, Clock::now());
  set([] { revoked_arl_.clear(); });
  EXPECT_EQ(r.status.source, "ocsp");
  EXPECT_EQ(r.chain.problem, ChainProblem::revoked_ca) << r.chain.detail;
  EXPECT_EQ(r.status.state, RevocationState::revoked);
  EXPECT_TRUE(r.status.issuing_ca_revoked);
  EXPECT_EQ(r.status.reason, "cACompromise");
  EXPECT_EQ(by_crl.state, RevocationState::revoked) << by_crl.detail;
  EXPECT_TRUE(by_crl.issuing_ca_revoked);
}

TEST_F(CertificateStatusTest, TheFirstCheckOfACertificateSendsANonceARefreshDoesNot) {
  StatusChecker checker(anchors(),
                        {.max_age = 60s, .fetch = {}, .use_ocsp = true, .use_crl = true});
  const auto t0 = Clock::now();
  const auto first = checker.check(presented(), t0);
  EXPECT_EQ(first.status.state, RevocationState::good) << first.status.detail;
  EXPECT_EQ(first.status.source, "ocsp");
  EXPECT_EQ(nonces_sent(), std::vector<bool>{true});
  EXPECT_TRUE(checker.check(presented(), t0 + 1s).from_cache);
  EXPECT_EQ(nonces_sent().size(), 1u) << "a cached answer asks nobody";

  // Past max_age: asked again, without a nonce, so that a pre-produced response may answer.
  const auto refreshed = checker.check(presented(), t0 + 61s);
  EXPECT_FALSE(refreshed.from_cache);
  EXPECT_EQ(refreshed.status.state, RevocationState::good) << refreshed.status.detail;
  EXPECT_EQ(refreshed.status.source, "ocsp");
  EXPECT_EQ(nonces_sent(), (std::vector<bool>{true, false}));

  // A checker that has not seen the certificate (a relying party restarted) sends one again.
  StatusChecker other(anchors(), {.max_age = 60s, .fetch = {}, .use_ocsp = true, .use_crl = true});
  EXPECT_EQ(other.check(presented(), t0 + 62s).status.source, "ocsp");
  EXPECT_EQ(nonces_sent(), (std::vector<bool>{true, false, true}));
}

TEST_F(CertificateStatusTest, AnOcspAnswerIsCachedUntilItsNextUpdateWhenThatComesFirst) {
  set([] { ocsp_next_update_ = 5s; });
  StatusChecker checker(anchors(),
                        {.max_age = 60s, .fetch = {}, .use_ocsp = true, .use_crl = true});
  const auto t0 = Clock::now();
  const auto first = checker.check(presented(), t0);
  ASSERT_EQ(first.status.state, RevocationState::good) << first.status.detail;
  ASSERT_TRUE(first.status.next_update.has_value());
  EXPECT_LT(*first.status.next_update, t0 + 7s);
  EXPECT_GT(*first.status.next_update, t0 + 3s);

  const auto before = checker.check(presented(), t0 + 3s);
  EXPECT_TRUE(before.from_cache) << "before its nextUpdate";
  EXPECT_EQ(checker.counters().ocsp_queries.load(), 1u);

  // Past nextUpdate, long before max_age: the responder is asked again (a refresh: no nonce).
  set([] { ocsp_next_update_ = 3600s; });
  const auto after = checker.check(presented(), t0 + 7s);
  EXPECT_FALSE(after.from_cache);
  EXPECT_EQ(after.status.state, RevocationState::good) << after.status.detail;
  EXPECT_EQ(after.status.source, "ocsp");
  EXPECT_EQ(checker.counters().ocsp_queries.load(), 2u);
  EXPECT_EQ(nonces_sent(), (std::vector<bool>{true, false}));
  ASSERT_TRUE(after.status.next_update.has_value());
  EXPECT_GT(*after.status.next_update, t0 + 3000s);
  EXPECT_TRUE(checker.check(presented(), t0 + 30s).from_cache) << "the new answer's nextUpdate";
}

TEST_F(CertificateStatusTest, ADeltaOpenSslPassesOverIsNotReportedAsApplied) {
  const auto chain = verified_chain();
  // Delta 9 based on 8 beside full CRL 10: older than the full CRL, which OpenSSL uses alone (the
  // revocation only this delta lists is not seen, as RFC 5280 5.2.4 has it).
  set([] {
    delta_base_ = 8;
    delta_number_ = 9;
    delta_revoked_[terminal_.serial_hex] = {Clock::now() - 5min, 1};
  });
  const auto stale = check_by_crl(anchors(), chain, nullptr, {}, Clock::now());
  EXPECT_EQ(stale.state, RevocationState::good) << stale.detail;
  EXPECT_FALSE(stale.delta_applied);

  // The same delta numbered past the full CRL is used, and says so.
  set([] { delta_number_ = 11; });
  const auto used = check_by_crl(anchors(), chain, nullptr, {}, Clock::now());
  EXPECT_EQ(used.state, RevocationState::revoked) << used.detail;
  EXPECT_TRUE(used.delta_applied);
}

}  // namespace
}  // namespace onshi::pki::test
