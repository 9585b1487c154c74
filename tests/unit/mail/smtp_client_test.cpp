#include "mail/smtp_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "mail/mime.hpp"
#include "mail_test_support.hpp"
#include "support/error_of.hpp"

namespace onshi::mail {
namespace {

using onshi::test::error_of;

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_support::base64_decode;
using test_support::decode_header_value;
using test_support::parse_mail;

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  }
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  return address;
}

// A loopback TCP socket bound to a port the kernel picked; `listen` makes it accept connections
// (which nobody then serves).
UniqueFd bound_socket(bool listen) {
  UniqueFd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  sockaddr_in address = loopback(0);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::system_error(errno, std::generic_category(), "bind");
  }
  if (listen && ::listen(fd.get(), 4) != 0) {
    throw std::system_error(errno, std::generic_category(), "listen");
  }
  return fd;
}

int port_of(const UniqueFd& fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::system_error(errno, std::generic_category(), "getsockname");
  }
  return ntohs(address.sin_port);
}

// A port nothing listens on right now. Another process could take it before we use it; on a
// test machine that is rare enough.
int free_port() {
  return port_of(bound_socket(false));
}

bool accepts_connections(int port) {
  UniqueFd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  const sockaddr_in address = loopback(port);
  return ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Debian's aiosmtpd with the Mailbox handler, which stores every accepted message in a Maildir.
// Started per test and killed (and its files removed) when the object goes away.
class AiosmtpdServer {
 public:
  AiosmtpdServer() {
    std::string dir_template = (fs::temp_directory_path() / "onshi-mail-test-XXXXXX").string();
    if (::mkdtemp(dir_template.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp");
    }
    dir_ = dir_template;
    port_ = free_port();
    start();
    wait_until_listening();
  }
  AiosmtpdServer(const AiosmtpdServer&) = delete;
  AiosmtpdServer& operator=(const AiosmtpdServer&) = delete;

  ~AiosmtpdServer() {
    stop();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // The messages received so far, in no particular order.
  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    const fs::path inbox = dir_ / "maildir" / "new";
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(inbox, error)) {
      out.push_back(read_file(entry.path()));
    }
    return out;
  }

 private:
  void start() {
    // -I: ignore PYTHON* variables and the user's site-packages, which may belong to another
    // Python than the system one that has aiosmtpd.
    std::vector<std::string> args = {"/usr/bin/python3",
                                     "-I",
                                     "-m",
                                     "aiosmtpd",
                                     "-n",
                                     "-l",
                                     "127.0.0.1:" + std::to_string(port_),
                                     "-c",
                                     "aiosmtpd.handlers.Mailbox",
                                     (dir_ / "maildir").string()};
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const std::string log_path = (dir_ / "server.log").string();
    const UniqueFd log{::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
    const pid_t parent = ::getpid();

    pid_ = ::fork();
    if (pid_ < 0) throw std::system_error(errno, std::generic_category(), "fork");
    if (pid_ == 0) {
      // Only async-signal-safe calls until exec. The death signal means a crashed test run does
      // not leave a server behind.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      ::dup2(log.get(), STDOUT_FILENO);
      ::dup2(log.get(), STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }

  void wait_until_listening() {
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("aiosmtpd exited early: " + read_file(dir_ / "server.log"));
      }
      if (accepts_connections(port_)) return;
      std::this_thread::sleep_for(50ms);
    }
    stop();
    throw std::runtime_error("aiosmtpd did not start listening: " + read_file(dir_ / "server.log"));
  }

  void stop() noexcept {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(20ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

class SmtpClientWithServerTest : public ::testing::Test {
 protected:
  void SetUp() override { server_.emplace(); }
  void TearDown() override { server_.reset(); }

  // Waits briefly for the delivered file: the server writes it before answering 250, but a
  // slow file system should not make the test flaky.
  std::vector<std::string> wait_for_messages(std::size_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    auto messages = server_->messages();
    while (messages.size() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
      messages = server_->messages();
    }
    return messages;
  }

  std::optional<AiosmtpdServer> server_;
};

TEST_F(SmtpClientWithServerTest, DeliversJapaneseMail) {
  const MailMessage message{.from = "portal@fask.or.jp",
                            .to = "clinic@example.jp",
                            .subject = "【医療機関等向けポータルサイト】パスワード再設定のご案内",
                            .body_text =
                                "パスワード再設定のご案内です。\n"
                                "https://portal.example/password/reset?token=T\n"
                                ".\n"
                                "（このメールは送信専用です）\n"};
  const std::string rendered =
      render_mime(message, std::chrono::system_clock::now(), "<reset-1@fask.or.jp>");

  const SmtpClient client{SmtpConfig{.url = server_->url()}};
  const auto sent = client.send(message.from, message.to, rendered);
  ASSERT_TRUE(sent.has_value()) << error_of(sent);

  const auto messages = wait_for_messages(1);
  ASSERT_EQ(messages.size(), 1U);
  const auto received = parse_mail(messages.front());
  EXPECT_EQ(decode_header_value(received.header("Subject").value_or("")), message.subject);
  EXPECT_EQ(received.header("Message-ID"), "<reset-1@fask.or.jp>");
  // aiosmtpd records the envelope in these headers.
  EXPECT_EQ(received.header("X-MailFrom"), "portal@fask.or.jp");
  EXPECT_EQ(received.header("X-RcptTo"), "clinic@example.jp");
  EXPECT_EQ(base64_decode(received.body),
            "パスワード再設定のご案内です。\r\n"
            "https://portal.example/password/reset?token=T\r\n"
            ".\r\n"
            "（このメールは送信専用です）\r\n");
}

TEST_F(SmtpClientWithServerTest, AcceptsEnvelopeAddressesAlreadyInAngleBrackets) {
  const MailMessage message{.from = "portal@fask.or.jp",
                            .to = "clinic@example.jp",
                            .subject = "test",
                            .body_text = "本文"};
  const std::string rendered = render_mime(message, std::chrono::system_clock::now(), "<b@c>");
  const SmtpClient client{SmtpConfig{.url = server_->url()}};
  const auto sent = client.send("<portal@fask.or.jp>", "<clinic@example.jp>", rendered);
  ASSERT_TRUE(sent.has_value()) << error_of(sent);
  const auto messages = wait_for_messages(1);
  ASSERT_EQ(messages.size(), 1U);
  EXPECT_EQ(parse_mail(messages.front()).header("X-RcptTo"), "clinic@example.jp");
}

TEST_F(SmtpClientWithServerTest, OneClientSendsFromSeveralThreads) {
  // The outbox worker shares one client between threads; the first sends also race on
  // curl_global_init.
  const SmtpClient client{SmtpConfig{.url = server_->url()}};
  constexpr int kThreads = 4;
  constexpr int kMailsPerThread = 2;
  std::vector<std::string> errors(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&client, &errors, t] {
        for (int i = 0; i < kMailsPerThread; ++i) {
          const std::string to =
              "clinic" + std::to_string(t) + "-" + std::to_string(i) + "@example.jp";
          const MailMessage message{
              .from = "portal@fask.or.jp", .to = to, .subject = "並行送信", .body_text = to};
          const auto sent =
              client.send(message.from, message.to,
                          render_mime(message, std::chrono::system_clock::now(), "<" + to + ">"));
          if (!sent) errors[static_cast<std::size_t>(t)] += error_of(sent) + "\n";
        }
      });
    }
  }
  for (const std::string& error : errors) EXPECT_EQ(error, "");

  const auto messages = wait_for_messages(kThreads * kMailsPerThread);
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kThreads * kMailsPerThread));
  for (const std::string& raw : messages) {
    const auto mail = parse_mail(raw);
    EXPECT_EQ(decode_header_value(mail.header("Subject").value_or("")), "並行送信");
    EXPECT_EQ(mail.header("X-RcptTo"), base64_decode(mail.body));
  }
}

TEST(SmtpClient, ClosedPortIsAnErrorNotAnException) {
  const SmtpClient client{
      SmtpConfig{.url = "smtp://127.0.0.1:" + std::to_string(free_port()), .timeout_ms = 5000}};
  const auto started = std::chrono::steady_clock::now();
  const auto sent = client.send("portal@fask.or.jp", "clinic@example.jp", "Subject: x\r\n\r\n");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(sent.has_value());
  EXPECT_FALSE(error_of(sent).empty());
  EXPECT_LT(elapsed, 2s);
}

TEST(SmtpClient, SilentServerTimesOut) {
  // The kernel completes the TCP handshake on a listening socket, but no greeting ever comes.
  const UniqueFd silent = bound_socket(true);
  const SmtpClient client{
      SmtpConfig{.url = "smtp://127.0.0.1:" + std::to_string(port_of(silent)), .timeout_ms = 300}};
  const auto started = std::chrono::steady_clock::now();
  const auto sent = client.send("portal@fask.or.jp", "clinic@example.jp", "Subject: x\r\n\r\n");
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(sent.has_value());
  EXPECT_GE(elapsed, 250ms);
  EXPECT_LT(elapsed, 3s);
}

TEST(SmtpClient, RefusesNonSmtpUrls) {
  const SmtpClient client{SmtpConfig{.url = "http://127.0.0.1:1/", .timeout_ms = 1000}};
  const auto sent = client.send("portal@fask.or.jp", "clinic@example.jp", "Subject: x\r\n\r\n");
  ASSERT_FALSE(sent.has_value());
}

TEST(SmtpClient, LineBreakInEnvelopeAddressIsABug) {
  const SmtpClient client{SmtpConfig{.url = "smtp://127.0.0.1:1"}};
  EXPECT_THROW(static_cast<void>(client.send("a@b.c\r\nRCPT TO:<x@y.z>", "c@d.e", "")),
               std::invalid_argument);
  EXPECT_THROW(static_cast<void>(client.send("a@b.c", "c@d.e\n", "")), std::invalid_argument);
}

}  // namespace
}  // namespace onshi::mail
