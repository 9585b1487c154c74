// web::serve's TLS listener over real sockets: curl and Python as the clients, certificates made
// by the openssl CLI (a CA shaped like ours, root then issuing, and a CA of nobody), a stand-in
// responder that echoes what reached web::Request.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "web/server.hpp"

namespace onshi::web {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int status;
  std::string output;  // stdout and stderr
};

Ran run(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return {-1, "popen failed"};
  std::string out;
  char buf[4096];
  while (const auto n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  return {pclose(pipe), out};
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) out.append(1, digits[c >> 4]).append(1, digits[c & 15]);
  return out;
}

std::uint16_t free_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(s, reinterpret_cast<sockaddr*>(&a), len);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

// Every handshake the listener reported (TlsListener::on_handshake).
std::mutex handshakes_mutex;
std::vector<TlsHandshake> handshakes;

// What the request carried: "tls=1 verified=1 chain=HEX,HEX"; /close asks to end the connection.
Response echo(const Request& r) {
  std::string body;
  body.append("tls=").append(r.tls ? "1" : "0");
  body.append(" verified=").append(r.peer_verified ? "1" : "0").append(" chain=");
  for (std::size_t i = 0; i < r.peer_certificates.size(); ++i)
    body.append(i ? "," : "").append(hex(r.peer_certificates[i]));
  auto answer = Response::text(200, "text/plain", body);
  answer.close_connection = r.path == "/close";
  return answer;
}

// clang-format off
constexpr const char* kMakePki = R"sh(set -e
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
csr() { openssl req -new -key "$1.key" -subj "/O=test/CN=$2" -out "$1.csr"; }
sign() { openssl x509 -req -in "$1.csr" -CA "$2.crt" -CAkey "$2.key" -set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$3.ext" -out "$1.crt"; }
printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > ca.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' > server.ext
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' > client.ext
key root; csr root "Test Root CA"; openssl x509 -req -in root.csr -signkey root.key -days 2 -extfile ca.ext -out root.crt
key issuing; csr issuing "Test Issuing CA"; sign issuing root ca
key server; csr server 127.0.0.1; sign server issuing server; cat server.crt issuing.crt > server-chain.crt
key client; csr client 1310123455-T01; sign client issuing client; cat client.crt issuing.crt > client-chain.crt
key nobody; csr nobody "Nobody's CA"; openssl x509 -req -in nobody.csr -signkey nobody.key -days 2 -extfile ca.ext -out nobody.crt
key stranger; csr stranger stranger; sign stranger nobody client
for c in client issuing stranger server; do openssl x509 -in $c.crt -outform DER -out $c.der; done
)sh";
// clang-format on

class TlsListenerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/onshi-tls-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ / "make-pki.sh") << kMakePki;
    const auto made = run("cd '" + dir_.string() + "' && bash make-pki.sh");
    ASSERT_EQ(made.status, 0) << made.output;

    ServerOptions options;
    options.port = plain_port_ = free_port();
    options.threads = 2;
    options.tls.emplace();
    options.tls->port = tls_port_ = free_port();
    options.tls->cert_file = (dir_ / "server-chain.crt").string();
    options.tls->key_file = (dir_ / "server.key").string();
    options.tls->client_ca_pem = read_file(dir_ / "issuing.crt") + read_file(dir_ / "root.crt");
    options.tls->handshake_timeout = std::chrono::milliseconds(500);
    options.tls->on_handshake = [](const TlsHandshake& h) {
      const std::lock_guard lock(handshakes_mutex);
      handshakes.push_back(h);
    };
    auto listening = std::make_shared<std::promise<void>>();
    auto ready = listening->get_future();
    server_ = std::thread([options, listening] {
      bool listened = false;
      try {
        serve(Responder{echo,
                        [](int status, const Request&) {
                          return Response::text(status, "text/plain", "error");
                        },
                        {},
                        {}},
              options, [&] {
                listened = true;
                listening->set_value();
              });
      } catch (...) {
        if (!listened) listening->set_exception(std::current_exception());
      }
    });
    ready.get();  // rethrows what stopped the server from listening
    listening_ = true;
  }

  static void TearDownTestSuite() {
    // serve()'s own way to stop; without its handler SIGTERM would end the test binary.
    if (listening_) kill(getpid(), SIGTERM);
    if (server_.joinable()) server_.join();
    fs::remove_all(dir_);
  }

  // curl over TLS, trusting only our root, offering the certificate in `cert` if one is named.
  static Ran https(const std::string& path, const std::string& cert = {},
                   const std::string& key = {}) {
    std::string cmd = "curl -sS --max-time 10 --cacert '" + (dir_ / "root.crt").string() + "'";
    if (!cert.empty())
      cmd.append(" --cert '")
          .append((dir_ / cert).string())
          .append("' --key '")
          .append((dir_ / key).string())
          .append("'");
    return run(cmd.append(" https://127.0.0.1:").append(std::to_string(tls_port_)).append(path));
  }
  static std::string der_hex(const std::string& name) {
    return hex(read_file(dir_ / (name + ".der")));
  }

  static inline fs::path dir_;
  static inline std::uint16_t plain_port_ = 0;
  static inline std::uint16_t tls_port_ = 0;
  static inline std::thread server_;
  static inline bool listening_ = false;
};

TEST_F(TlsListenerTest, WithoutAClientCertificateTheRequestIsTlsAndUnauthenticated) {
  const auto r = https("/x");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "tls=1 verified=0 chain=");
}

TEST_F(TlsListenerTest, OurClientCertificateIsVerifiedAndItsChainReachesTheRequestLeafFirst) {
  const auto chain = https("/x", "client-chain.crt", "client.key");
  EXPECT_EQ(chain.output, "tls=1 verified=1 chain=" + der_hex("client") + "," + der_hex("issuing"));
  // The issuing CA is in the server's store: the leaf alone verifies too.
  const auto leaf = https("/x", "client.crt", "client.key");
  EXPECT_EQ(leaf.output, "tls=1 verified=1 chain=" + der_hex("client"));
}

TEST_F(TlsListenerTest, EveryRequestOnAConnectionCarriesItsChain) {
  const auto url = "https://127.0.0.1:" + std::to_string(tls_port_) + "/x";
  // One curl, two URLs: the second reuses the connection (curl says "Re-using existing
  // connection").
  const auto r =
      run("curl -sS -v --max-time 10 --cacert '" + (dir_ / "root.crt").string() + "' --cert '" +
          (dir_ / "client.crt").string() + "' --key '" + (dir_ / "client.key").string() + "' " +
          url + " -o /dev/stdout " + url + " -o /dev/stdout");
  const auto expected = "tls=1 verified=1 chain=" + der_hex("client");
  EXPECT_NE(r.output.find("Re-using existing connection"), std::string::npos) << r.output;
  const auto first = r.output.find(expected);
  ASSERT_NE(first, std::string::npos) << r.output;
  EXPECT_NE(r.output.find(expected, first + expected.size()), std::string::npos) << r.output;
}

// Requested, never required: the handshake lets a certificate of another CA through, the route
// (EST, a page) is the one to answer it.
TEST_F(TlsListenerTest, ACertificateOfAnotherCaGetsThroughUnverified) {
  const auto r = https("/x", "stranger.crt", "stranger.key");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "tls=1 verified=0 chain=" + der_hex("stranger"));
}

TEST_F(TlsListenerTest, OurCertificateForServersIsNoClientCertificate) {
  const auto r = https("/x", "server.crt", "server.key");  // serverAuth only
  EXPECT_EQ(r.output, "tls=1 verified=0 chain=" + der_hex("server"));
}

TEST_F(TlsListenerTest, ThePlainListenerCarriesNoTls) {
  const auto r =
      run("curl -sS --max-time 10 http://127.0.0.1:" + std::to_string(plain_port_) + "/x");
  EXPECT_EQ(r.output, "tls=0 verified=0 chain=");
}

TEST_F(TlsListenerTest, AClientThatSendsNothingIsDisconnectedAfterTheHandshakeTimeout) {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(tls_port_);
  ASSERT_EQ(connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  timeval five{5, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
  const auto start = std::chrono::steady_clock::now();
  char byte = 0;
  const auto n = recv(s, &byte, 1, 0);  // 0: the server closed; -1 after 5 s: it did not
  const auto waited = std::chrono::steady_clock::now() - start;
  close(s);
  EXPECT_EQ(n, 0);
  EXPECT_GE(waited, std::chrono::milliseconds(400));
  EXPECT_LT(waited, std::chrono::seconds(4));
  EXPECT_EQ(https("/x").output, "tls=1 verified=0 chain=");  // and it still serves
}

TEST_F(TlsListenerTest, AnAnswerThatAsksToCloseEndsTheConnection) {
  const auto url = "https://127.0.0.1:" + std::to_string(tls_port_);
  const auto r = run("curl -sS -v --max-time 10 --cacert '" + (dir_ / "root.crt").string() + "' " +
                     url + "/close -o /dev/null " + url + "/x -o /dev/null");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("< Connection: close"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("Re-using existing connection"), std::string::npos) << r.output;
}

TEST_F(TlsListenerTest, EachHandshakeIsReportedOnceWithWhatItCameTo) {
  const auto before = [] {
    const std::lock_guard lock(handshakes_mutex);
    return handshakes.size();
  }();
  https("/x", "client-chain.crt", "client.key");
  https("/x", "stranger.crt", "stranger.key");
  run("printf 'GET / HTTP/1.0\r\n\r\n' | curl -sS --max-time 5 telnet://127.0.0.1:" +
      std::to_string(tls_port_));
  const std::lock_guard lock(handshakes_mutex);
  ASSERT_EQ(handshakes.size(), before + 3);
  const auto& ours = handshakes[before];
  EXPECT_TRUE(ours.ok);
  EXPECT_EQ(ours.remote, "127.0.0.1");
  EXPECT_TRUE(ours.peer_verified);
  EXPECT_EQ(ours.peer_certificates.size(), 2u);
  EXPECT_EQ(ours.version, "TLSv1.3");
  EXPECT_FALSE(ours.cipher.empty());
  EXPECT_TRUE(ours.verify_error.empty());
  EXPECT_GT(ours.latency.count(), 0);
  const auto& stranger = handshakes[before + 1];
  EXPECT_TRUE(stranger.ok);
  EXPECT_FALSE(stranger.peer_verified);
  EXPECT_EQ(stranger.verify_error, "unable to verify the first certificate");
  const auto& plain = handshakes[before + 2];
  EXPECT_FALSE(plain.ok);
  EXPECT_FALSE(plain.error.empty());
  EXPECT_TRUE(plain.peer_certificates.empty());
}

// ---- startup refusals: serve() throws before listening -------------------------------------

std::string refusal(const std::string& cert, const std::string& key, const std::string& ca = "x") {
  const auto dir = fs::temp_directory_path() / ("onshi-tls-refusal-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const auto made =
      run("cd '" + dir.string() +
          "' && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out a.key && "
          "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out b.key && openssl "
          "req -x509 -new -key a.key -subj /CN=a -days 2 -out a.crt");
  EXPECT_EQ(made.status, 0) << made.output;
  ServerOptions options;
  options.port = free_port();
  options.tls.emplace();
  options.tls->port = free_port();
  options.tls->cert_file = (dir / cert).string();
  options.tls->key_file = (dir / key).string();
  options.tls->client_ca_pem = ca == "x" ? read_file(dir / "a.crt") : ca;
  std::string message;
  try {
    serve(Responder{echo, nullptr, {}, {}}, options, [] {});
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  fs::remove_all(dir);
  return message;
}

TEST(TlsListenerRefusals, SayWhichFileIsWrongAndHow) {
  EXPECT_NE(refusal("missing.crt", "a.key").find("server.tls_cert_file"), std::string::npos);
  EXPECT_NE(refusal("missing.crt", "a.key").find("cannot read"), std::string::npos);
  EXPECT_NE(refusal("a.crt", "missing.key").find("server.tls_key_file"), std::string::npos);
  EXPECT_NE(refusal("a.key", "a.key").find("not a PEM certificate chain"), std::string::npos);
  EXPECT_NE(refusal("a.crt", "a.crt").find("not a PEM private key"), std::string::npos);
  EXPECT_NE(refusal("a.crt", "b.key").find("is not the key of the certificate"), std::string::npos)
      << refusal("a.crt", "b.key");
  EXPECT_NE(refusal("a.crt", "a.key", "no certificates here").find("CA certificates"),
            std::string::npos);
}

}  // namespace
}  // namespace onshi::web
