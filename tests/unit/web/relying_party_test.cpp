// The relying party's answers without a socket: refusals before any status fetch (no certificate,
// another CA, a certificate for servers, one not yet valid), the plain listener's /metrics and
// /healthz, the handshake counts, the structured log, and POST /eligibility's validation. Over
// real sockets, with the CA's OCSP responder and CRLs: tests/integration/relying_party.test.mjs.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "web/relying_party/eligibility.hpp"
#include "web/relying_party/relying_party.hpp"

namespace onshi::web::relying_party {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class RelyingPartyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/onshi-rp-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    const auto cmd = "cd '" + dir_.string() +
                     "' && for n in root stranger; do openssl req -x509 -newkey ec -pkeyopt "
                     "ec_paramgen_curve:P-256 -nodes -keyout $n.key -subj /CN=$n -days 2 -out "
                     "$n.crt && openssl x509 -in $n.crt -outform DER -out $n.der || exit 1; "
                     "done 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    // An issuing CA under the root, and under it a certificate for servers (EKU serverAuth) and
    // a client certificate whose validity starts in 2099: each refused for that reason alone.
    const auto chain = "cd '" + dir_.string() + "' && " + R"(
      key() { openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout $1.key -subj /CN=$1 -out $1.csr; } &&
      printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' >ca.ext &&
      key issuing && openssl x509 -req -in issuing.csr -CA root.crt -CAkey root.key \
        -set_serial 2 -days 2 -extfile ca.ext -out issuing.crt && mkdir -p db && : >db/index.txt &&
      echo 1000 >db/serial && printf '%s\n' '[ca]' 'default_ca = t' '[t]' 'dir = db' \
        'database = $dir/index.txt' 'serial = $dir/serial' 'new_certs_dir = $dir' 'default_md = sha256' 'policy = any' 'unique_subject = no' \
        '[any]' 'commonName = supplied' '[client]' 'basicConstraints = CA:FALSE' \
        'keyUsage = critical,digitalSignature' 'extendedKeyUsage = clientAuth' '[server]' \
        'basicConstraints = CA:FALSE' 'keyUsage = critical,digitalSignature' \
        'extendedKeyUsage = serverAuth' >ca.cnf &&
      sign() { n=$1; shift; openssl ca -batch -config ca.cnf -cert issuing.crt \
        -keyfile issuing.key -rand_serial -notext -in $n.csr -out $n.crt "$@"; } &&
      key early && sign early -startdate 20990101000000Z -enddate 21000101000000Z \
        -extensions client &&
      key server && sign server -days 2 -extensions server &&
      for n in issuing early server; do
        openssl x509 -in $n.crt -outform DER -out $n.der || exit 1
      done 2>&1)";
    ASSERT_EQ(std::system(chain.c_str()), 0);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  RelyingPartyTest()
      : messages_(app::Messages::load(fs::path(ONSHI_SOURCE_DIR) / "data/messages.ja.toml")),
        checker_(pki::TrustAnchors(slurp(dir_ / "root.crt")), {}),
        rp_(checker_, messages_, {[this](const std::string& line) { log_.push_back(line); }}) {}

  static Request tls_request(std::string method, std::string path) {
    Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.tls = true;
    r.remote = "192.0.2.7";
    return r;
  }
  json last_log() const { return log_.empty() ? json() : json::parse(log_.back()); }

  static inline fs::path dir_;
  app::Messages messages_;
  pki::StatusChecker checker_;
  std::vector<std::string> log_;
  RelyingParty rp_;
};

TEST_F(RelyingPartyTest, NoCertificateIsRefusedWithTheReasonAndTheConnectionClosed) {
  const auto r = rp_.handle(tls_request("GET", "/whoami"));
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(r.close_connection);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["result"], "no_certificate");
  EXPECT_EQ(body["message"], messages_.get("relying_party.no_certificate"));
  const auto line = last_log();
  EXPECT_EQ(line["event"], "request");
  EXPECT_EQ(line["result"], "no_certificate");
  EXPECT_EQ(line["status"], 403);
  EXPECT_EQ(line["remote"], "192.0.2.7");
  EXPECT_TRUE(line["latencyMs"].is_number());
}

TEST_F(RelyingPartyTest, ACertificateOfAnotherCaIsRefusedAsUnknownCaBeforeAnyFetch) {
  auto request = tls_request("GET", "/whoami");
  request.peer_certificates = {slurp(dir_ / "stranger.der")};
  const auto r = rp_.handle(request);
  EXPECT_EQ(r.status, 403);
  EXPECT_TRUE(r.close_connection);
  EXPECT_EQ(json::parse(r.body)["result"], "unknown_ca");
  EXPECT_FALSE(last_log()["detail"].get<std::string>().empty()) << log_.back();
  EXPECT_EQ(checker_.counters().ocsp_queries.load(), 0u);
  EXPECT_EQ(checker_.counters().crl_checks.load(), 0u);
}

TEST_F(RelyingPartyTest, AWrongEkuAndANotYetValidCertificateAreRefusedWithTheReasonLogged) {
  struct Case {
    const char* file;
    std::string result, openssl;
  };
  for (const Case& c : {Case{"server.der", "wrong_purpose", "unsuitable certificate purpose"},
                        Case{"early.der", "not_yet_valid", "certificate is not yet valid"}}) {
    auto request = tls_request("GET", "/whoami");
    request.peer_certificates = {slurp(dir_ / c.file), slurp(dir_ / "issuing.der")};
    const auto r = rp_.handle(request);
    EXPECT_EQ(r.status, 403) << c.file;
    EXPECT_TRUE(r.close_connection) << c.file;
    const auto body = json::parse(r.body);
    EXPECT_EQ(body["result"], c.result);
    EXPECT_EQ(body["message"], messages_.get("relying_party." + c.result));
    const auto line = last_log();
    EXPECT_EQ(line["event"], "request");
    EXPECT_EQ(line["result"], c.result);
    EXPECT_EQ(line["status"], 403);
    EXPECT_TRUE(line.contains("serial")) << log_.back();
    // OpenSSL's words for the first problem it met at the leaf: this one, not another.
    EXPECT_EQ(line.value("detail", ""), c.openssl + " (depth 0)") << log_.back();
  }
  EXPECT_EQ(checker_.counters().ocsp_queries.load(), 0u);
  EXPECT_EQ(checker_.counters().crl_checks.load(), 0u);
}

TEST_F(RelyingPartyTest, EveryRefusalHasItsMessage) {
  for (std::size_t i = 1; i < kRequestResults; ++i) {
    const auto name = request_result_name(static_cast<RequestResult>(i));
    EXPECT_TRUE(messages_.has("relying_party." + std::string(name))) << name;
  }
}

TEST_F(RelyingPartyTest, ThePlainListenerServesMetricsAndHealthOnly) {
  rp_.handle(tls_request("GET", "/whoami"));  // one no_certificate
  TlsHandshake failed;
  failed.remote = "192.0.2.8";
  failed.error = "wrong version number";
  rp_.on_handshake(failed);
  TlsHandshake ok;
  ok.ok = true;
  ok.latency = std::chrono::milliseconds(3);
  ok.peer_certificates = {"x"};
  ok.peer_verified = true;
  rp_.on_handshake(ok);
  Request plain;
  plain.method = "GET";
  plain.path = "/metrics";
  const auto m = rp_.handle(plain);
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("onshi_rp_requests_total{result=\"no_certificate\"} 1\n"),
            std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("onshi_rp_tls_handshakes_total{result=\"failed\"} 1\n"), std::string::npos);
  EXPECT_NE(m.body.find("onshi_rp_tls_handshakes_total{result=\"ok\"} 1\n"), std::string::npos);
  EXPECT_NE(m.body.find("onshi_rp_tls_handshake_duration_seconds_count 2\n"), std::string::npos);
  EXPECT_NE(m.body.find("onshi_rp_ocsp_queries_total 0\n"), std::string::npos);
  EXPECT_EQ(last_log()["event"], "handshake");
  EXPECT_EQ(json::parse(log_[log_.size() - 2])["error"], "wrong version number");

  plain.path = "/healthz";
  EXPECT_EQ(rp_.handle(plain).status, 200);
  plain.path = "/whoami";
  EXPECT_EQ(rp_.handle(plain).status, 404);
}

// ---- POST /eligibility ---------------------------------------------------------------------

class EligibilityTest : public ::testing::Test {
 protected:
  EligibilityTest()
      : messages_(app::Messages::load(fs::path(ONSHI_SOURCE_DIR) / "data/messages.ja.toml")) {
    who_.institution_code = "1310123455";
    who_.terminal = "T01";
  }
  std::pair<Response, RequestResult> post(const std::string& body,
                                          const std::string& type = "application/json") {
    Request r;
    r.method = "POST";
    r.path = "/eligibility";
    r.headers["content-type"] = type;
    r.body = body;
    auto result = RequestResult::internal_error;
    auto answer = eligibility(r, who_, messages_, result);
    return {std::move(answer), result};
  }
  app::Messages messages_;
  pki::TerminalIdentity who_;
};

TEST_F(EligibilityTest, AValidQueryGetsTheFixedTestAnswerForTheCertificatesInstitution) {
  const auto [r, result] = post(
      R"({"insurerNumber":"０６１３９９９９","symbol":" 記号 ","number":"１２３","branch":"01"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(result, RequestResult::ok);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["testData"], true);
  EXPECT_EQ(body["note"], messages_.get("relying_party.test_note"));
  EXPECT_EQ(body["institutionCode"], "1310123455");
  EXPECT_EQ(body["query"]["insurerNumber"], "06139999");
  EXPECT_EQ(body["query"]["symbol"], "記号");
  EXPECT_EQ(body["query"]["number"], "123");
  EXPECT_EQ(body["eligibility"]["qualified"], true);
}

TEST_F(EligibilityTest, BadMembersAreNamedWithTheirJapaneseMessages) {
  const auto [r, result] = post(R"({"insurerNumber":"1234567","number":"","branch":"1"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(result, RequestResult::bad_request);
  EXPECT_FALSE(r.close_connection);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body["result"], "bad_request");
  EXPECT_EQ(body["errors"]["insurerNumber"], messages_.get("relying_party.insurer_number_bad"));
  EXPECT_EQ(body["errors"]["number"], messages_.get("relying_party.number_missing"));
  EXPECT_EQ(body["errors"]["branch"], messages_.get("relying_party.branch_bad"));
  EXPECT_FALSE(body["errors"].contains("symbol"));

  const auto errors = json::parse(
      post(R"({"insurerNumber":"061399","number":"123456789012345678901","symbol":"a\u0007"})")
          .first.body)["errors"];
  EXPECT_EQ(errors["number"], messages_.get("relying_party.number_bad"));
  EXPECT_EQ(errors["symbol"], messages_.get("relying_party.symbol_bad"));
  EXPECT_FALSE(errors.contains("insurerNumber")) << "6 digits is a 国保 insurer";

  const auto array = post(R"({"insurerNumber":["06139999"],"number":"1"})").first;
  EXPECT_EQ(json::parse(array.body)["errors"]["insurerNumber"], messages_.get("json.not_text"));
}

TEST_F(EligibilityTest, BodiesThatAreNoBoundedJsonObjectAreRefused) {
  EXPECT_EQ(post("{").first.status, 400);
  EXPECT_EQ(json::parse(post("{").first.body)["message"], messages_.get("json.malformed"));
  EXPECT_EQ(json::parse(post("[1]").first.body)["message"],
            messages_.get("json.body_not_an_object"));
  EXPECT_EQ(post(std::string(40, '[') + std::string(40, ']')).first.status, 400);
  EXPECT_EQ(post("{\"a\":\"" + std::string(70 * 1024, 'x') + "\"}").first.status, 413);
  EXPECT_EQ(post("a=b", "application/x-www-form-urlencoded").first.status, 415);
}

}  // namespace
}  // namespace onshi::web::relying_party
