// The relying party's checks against a CA made in the test and an HTTP server on loopback that
// answers OCSP with the CA's own responder (OcspSigner) and serves CRLs the CA signed
// (CrlBuilder, sign_root_crl): the chain and its failures, OCSP good/revoked/unknown and the
// answers a client must not believe, CRLs with a delta that alone lists a revocation, the ARL,
// and StatusChecker's fallback and cache.
#include "pki/certificate_status.hpp"

#include <map>

#include "http_test_server.hpp"
#include "pki/crl.hpp"
#include "pki/crl_encoder.hpp"
#include "pki/ocsp.hpp"
#include "pki/serial.hpp"
#include "pki_test_support.hpp"

namespace onshi::pki {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

std::string ossl_pem(const std::string& der) {
  const test::Cert cert = test::parse_der(der);
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

struct Revocation {
  Clock::time_point at;
  int reason = 0;
};

class CertificateStatusTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<test::HttpTestServer>();
    dir_ = std::make_unique<test::TempDir>();
    CaSettings settings;
    settings.root_crl_url = server_->url("/root.crl");
    const auto now = Clock::now();
    init_ca(test::file_store(dir_->path()), settings, now - 24h);
    ca_ = IssuingCa::open(test::file_store(dir_->path()));
    ASSERT_TRUE(sign_root_crl(test::file_store(dir_->path()), std::nullopt, now).has_value());
    arl_ = test::read_text(dir_->path() / "root.crl");
    key_id_ = ca_->generations().front().key_id_hex;
    responder_ = issue_ocsp_responder(*ca_, key_id_, OcspResponderProfile{}, now - 1h);
    signer_ = OcspSigner::open(*ca_, responder_.der, responder_.sealed_private_key);
    TerminalProfile profile;
    profile.crl_url = server_->url("/issuing.crl");
    profile.delta_crl_url = server_->url("/issuing-delta.crl");
    profile.ocsp_url = server_->url("/ocsp");
    profile.ca_issuers_url = server_->url("/issuing.crt");
    terminal_ = ca_->issue(test::sample_subject(), test::spki_der(test::ec_key("P-256").get()),
                           profile, random_serial_hex(), now - 1h);
    root_pem_ = test::read_text(dir_->path() / "root.crt");
    issuing_der_ = ca_->generations().front().der;
    server_->handle(answer);
  }
  static void TearDownTestSuite() {
    server_.reset();
    signer_.reset();
    ca_.reset();
    dir_.reset();
  }
  void SetUp() override {
    const std::lock_guard lock(mutex_);
    ocsp_revoked_.clear();
    full_revoked_.clear();
    delta_revoked_.clear();
    ocsp_http_status_ = 200;
    crl_http_status_ = 200;
    arl_http_status_ = 200;
    drop_nonce_ = false;
    stale_ocsp_ = false;
    full_number_ = 10;
    delta_base_.reset();
    delta_next_update_ = 3600s;
  }

  // What the server answers; the test's settings above decide how.
  static test::HttpAnswer answer(const test::HttpExchange& ex) {
    const std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    if (ex.path == "/ocsp" && ex.method == "POST") {
      if (ocsp_http_status_ != 200) return {ocsp_http_status_, "text/plain", "down", "", 0};
      auto req = parse_ocsp_request(ex.body, 10);
      if (!req) return {400, "text/plain", "bad", "", 0};
      std::vector<OcspAnswer> answers;
      for (const auto& id : req->certs) {
        OcspAnswer a;
        a.cert_id_der = id.der;
        a.this_update = stale_ocsp_ ? now - 3h : now - 1min;
        a.next_update = stale_ocsp_ ? now - 1h : now + 1h;
        a.status =
            id.serial_hex == terminal_.serial_hex ? OcspCertStatus::good : OcspCertStatus::unknown;
        if (const auto it = ocsp_revoked_.find(id.serial_hex); it != ocsp_revoked_.end()) {
          a.status = OcspCertStatus::revoked;
          a.revoked_at = it->second.at;
          a.reason = it->second.reason;
        }
        answers.push_back(a);
      }
      const auto nonce = drop_nonce_ ? std::optional<std::string>() : req->nonce;
      return {200, "application/ocsp-response", signer_->sign(answers, nonce, now), "", 0};
    }
    if (ex.path == "/issuing.crl" || ex.path == "/issuing-delta.crl") {
      if (crl_http_status_ != 200) return {crl_http_status_, "text/plain", "down", "", 0};
      const bool delta = ex.path == "/issuing-delta.crl";
      CrlFields f;
      f.number = delta ? std::max(full_number_, delta_base_.value_or(0)) + 1 : full_number_;
      if (delta) f.delta_base = delta_base_.value_or(full_number_);
      f.this_update = now - 1min;
      f.next_update = now + (delta ? delta_next_update_ : std::chrono::seconds(3600));
      f.distribution_point = server_->url("/issuing.crl");
      f.freshest_crl = server_->url("/issuing-delta.crl");
      CrlBuilder builder(*ca_, key_id_, f);
      for (const auto& [serial, r] : delta ? delta_revoked_ : full_revoked_)
        builder.add(CrlEntry{serial, r.at, r.reason, std::nullopt});
      return {200, "application/pkix-crl", builder.sign(), "", 0};
    }
    if (ex.path == "/root.crl") {
      if (arl_http_status_ != 200) return {arl_http_status_, "text/plain", "none", "", 0};
      return {200, "application/pkix-crl", revoked_arl_.empty() ? arl_ : revoked_arl_, "", 0};
    }
    return {404, "text/plain", "none", "", 0};
  }

  static std::vector<std::string> presented() { return {terminal_.der, issuing_der_}; }
  static TrustAnchors anchors() { return TrustAnchors(root_pem_); }
  static std::vector<std::string> verified_chain() {
    auto v = anchors().verify(presented(), Clock::now());
    EXPECT_TRUE(v.ok()) << v.detail;
    return v.chain;
  }
  static void set(const std::function<void()>& change) {
    const std::lock_guard lock(mutex_);
    change();
  }

  inline static std::unique_ptr<test::HttpTestServer> server_;
  inline static std::unique_ptr<test::TempDir> dir_;
  inline static std::unique_ptr<IssuingCa> ca_;
  inline static std::unique_ptr<OcspSigner> signer_;
  inline static OcspResponderCertificate responder_;
  inline static IssuedCertificate terminal_;
  inline static std::string key_id_, arl_, root_pem_, issuing_der_;
  inline static std::string revoked_arl_;  // served instead of arl_ when set
  inline static std::mutex mutex_;
  inline static std::map<std::string, Revocation> ocsp_revoked_, full_revoked_, delta_revoked_;
  inline static int ocsp_http_status_ = 200, crl_http_status_ = 200, arl_http_status_ = 200;
  inline static bool drop_nonce_ = false, stale_ocsp_ = false;
  inline static std::int64_t full_number_ = 10;
  inline static std::optional<std::int64_t> delta_base_;
  inline static std::chrono::seconds delta_next_update_{3600};
};

TEST_F(CertificateStatusTest, DescribesWhatTheTerminalCertificateSays) {
  const auto id = describe_certificate(terminal_.der);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->institution_code, "1310123455");
  EXPECT_EQ(id->terminal, "T01");
  EXPECT_EQ(id->common_name, "1310123455-T01");
  EXPECT_EQ(id->issuance_number, "C-00000123-01");
  EXPECT_EQ(id->serial_hex, terminal_.serial_hex);
  EXPECT_EQ(id->ocsp_url, server_->url("/ocsp"));
  EXPECT_EQ(id->crl_url, server_->url("/issuing.crl"));
  EXPECT_EQ(id->delta_crl_url, server_->url("/issuing-delta.crl"));
  EXPECT_EQ(id->ca_issuers_url, server_->url("/issuing.crt"));
  ASSERT_FALSE(id->issuer_common_name.empty());
  EXPECT_NE(id->issuer.find("CN=" + id->issuer_common_name), std::string::npos) << id->issuer;
  EXPECT_EQ(id->issuer, ca_->generations().front().subject);
  EXPECT_FALSE(describe_certificate("not a certificate").has_value());
}

TEST_F(CertificateStatusTest, VerifiesTheChainAndNamesEachFailure) {
  const auto a = anchors();
  const auto now = Clock::now();
  const auto ok = a.verify(presented(), now);
  ASSERT_TRUE(ok.ok()) << ok.detail;
  EXPECT_EQ(ok.chain.size(), 3u);
  EXPECT_EQ(ok.chain.front(), terminal_.der);

  EXPECT_EQ(a.verify({}, now).problem, ChainProblem::no_certificate);
  EXPECT_EQ(a.verify({"garbage"}, now).problem, ChainProblem::unreadable);
  // Without the issuing CA the path cannot be built; with it given as help, it can.
  EXPECT_EQ(a.verify({terminal_.der}, now).problem, ChainProblem::unknown_ca);
  TrustAnchors with_issuing(root_pem_ + ossl_pem(issuing_der_));
  EXPECT_TRUE(with_issuing.verify({terminal_.der}, now).ok());
  EXPECT_EQ(a.verify(presented(), terminal_.not_after + 1h).problem, ChainProblem::expired);
  EXPECT_EQ(a.verify(presented(), terminal_.not_before - 1h).problem, ChainProblem::not_yet_valid);
  // The OCSP responder's certificate chains to the root but is not for TLS clients.
  EXPECT_EQ(a.verify({responder_.der, issuing_der_}, now).problem, ChainProblem::wrong_purpose);
  // A root of another CA does not vouch for ours.
  test::TempDir other;
  init_ca(test::file_store(other.path()), CaSettings{}, now - 24h);
  TrustAnchors foreign(test::read_text(other.path() / "root.crt"));
  EXPECT_EQ(foreign.verify(presented(), now).problem, ChainProblem::unknown_ca);
  EXPECT_THROW(TrustAnchors("no pem here"), std::runtime_error);
}

// A self-signed certificate whose O and CN hold `value` as a UTF8String of any length (the
// openssl CLI would refuse more than the 64 characters RFC 5280 allows; a client need not).
std::string self_signed_with_names(const std::string& value, long valid_seconds = 86400) {
  auto key = test::ec_key("P-256");
  test::Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const auto* bytes = reinterpret_cast<const unsigned char*>(value.data());
  const int length = static_cast<int>(value.size());
  X509_NAME_add_entry_by_NID(name, NID_organizationName, V_ASN1_UTF8STRING, bytes, length, -1, 0);
  X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING, bytes, length, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), valid_seconds);
  X509_set_pubkey(cert.get(), key.get());
  X509_sign(cert.get(), key.get(), EVP_sha256());
  unsigned char* out = nullptr;
  const int n = i2d_X509(cert.get(), &out);
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n > 0 ? n : 0));
  OPENSSL_free(out);
  return der;
}

// What a TLS client may send instead of a terminal's chain: only the first problem is said, and
// nothing makes either function throw.
TEST_F(CertificateStatusTest, AnythingAClientSendsIsAnsweredWithTheFirstProblem) {
  const auto a = anchors();
  const auto now = Clock::now();
  for (const std::string& bad : {std::string(), terminal_.der + "x", terminal_.der.substr(0, 100),
                                 std::string(70000, '0')}) {
    EXPECT_EQ(a.verify({bad}, now).problem, ChainProblem::unreadable);
    EXPECT_FALSE(describe_certificate(bad).has_value());
  }
  // Garbage after a good leaf is no help to build a path with: the chain is unreadable.
  EXPECT_EQ(a.verify({terminal_.der, issuing_der_, "garbage"}, now).problem,
            ChainProblem::unreadable);
  // More certificates than any path of ours has is refused before anything is parsed.
  std::vector<std::string> long_chain(9, issuing_der_);
  long_chain.front() = terminal_.der;
  EXPECT_EQ(a.verify(long_chain, now).problem, ChainProblem::unknown_ca);
  long_chain.resize(8);
  EXPECT_TRUE(a.verify(long_chain, now).ok()) << "eight are looked at";

  // A self-signed client certificate is another CA's, and when it is also expired, that is
  // said first: the path is built before any date is looked at.
  const auto stranger = self_signed_with_names("stranger");
  EXPECT_EQ(a.verify({stranger}, now).problem, ChainProblem::unknown_ca);
  EXPECT_EQ(a.verify({stranger}, now + 48h).problem, ChainProblem::unknown_ca);
  EXPECT_EQ(describe_certificate(stranger)->issuer_common_name, "stranger");
  // A TLS client certificate the root signed itself verifies, but is no terminal's certificate.
  const auto d = dir_->path().string();
  const auto made = test::run(
      "cd '" + d +
      "' && printf 'basicConstraints=CA:FALSE\\nkeyUsage=critical,digitalSignature\\n"
      "extendedKeyUsage=clientAuth\\n' > direct.ext && openssl req -new -newkey ec -pkeyopt "
      "ec_paramgen_curve:P-256 -nodes -keyout /dev/null -subj /CN=direct -out direct.csr && "
      "openssl x509 -req -in direct.csr -CA root.crt -CAkey root.key -passin 'pass:" +
      test::file_store(dir_->path()).passphrase +
      "' -set_serial 0x77 -days 30 -extfile direct.ext -outform DER -out direct.der");
  ASSERT_EQ(made.status, 0) << made.output;
  // Made just now (its notBefore the second it was signed): verified a minute on.
  const auto direct = a.verify({test::read_text(dir_->path() / "direct.der")}, now + 1min);
  EXPECT_EQ(direct.problem, ChainProblem::not_a_terminal) << direct.detail;

  // A huge name is cut; not UTF-8 although it says UTF8String, OpenSSL reads no such certificate.
  const auto huge = describe_certificate(self_signed_with_names(std::string(20000, 'A')));
  ASSERT_TRUE(huge.has_value());
  EXPECT_EQ(huge->common_name, std::string(1024, 'A'));
  EXPECT_EQ(huge->institution_name.size(), 1024u);
  EXPECT_EQ(huge->issuer_common_name.size(), 1024u);
  EXPECT_FALSE(describe_certificate(self_signed_with_names("\xff\xfe broken")).has_value());
}

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

}  // namespace
}  // namespace onshi::pki
