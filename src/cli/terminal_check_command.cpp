// `onshi terminal check`: the 接続確認 a vendor runs on or for a clinic's terminal (issue 17,
// app/terminal/terminal_check.hpp). It opens no database, so that it runs on a laptop that has
// only the terminal's files and the root certificate; the text comes from the catalogue.
#include <termios.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "app/core/config.hpp"
#include "app/core/messages.hpp"
#include "app/terminal/terminal_check.hpp"
#include "cli/commands.hpp"
#include "cli/global_options.hpp"
#include "pki/terminal_credentials.hpp"

namespace onshi::cli {
namespace {

constexpr std::size_t kMaxPasswordBytes = 1024;
constexpr std::size_t kMaxCaFileBytes = 1024 * 1024;

struct CheckFlags {
  std::string p12, cert, key, ca, url, url_ca;
  bool password_stdin = false;
  bool json = false;
  int timeout_ms = 5'000;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "onshi terminal check: " << message << '\n';
  throw CLI::RuntimeError(2);
}

// At most `limit` + 1 bytes: one more than allowed is enough for pki/ to say "too large".
std::string read_bounded(const std::string& path, std::size_t limit, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) usage_error(std::string(what) + ": cannot read " + path);
  std::string data(limit + 1, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<std::size_t>(in.gcount()));
  return data;
}

// The portal serves its CA certificates as DER (/pki/ca/root.crt); the check takes PEM.
std::string ca_as_pem(std::string bytes) {
  if (bytes.find("-----BEGIN ") != std::string::npos) return bytes;
  std::string pem = pki::certificates_pem({bytes});
  return pem.empty() ? bytes : pem;
}

std::string strip_line_end(std::string line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

std::string password_from_stdin() {
  std::string line;
  std::getline(std::cin, line);
  if (line.size() > kMaxPasswordBytes) usage_error("the password is too long");
  return strip_line_end(line);
}

// Typed at the terminal without echo; the prompt goes to stderr so that stdout stays the report.
std::string password_from_terminal(const app::Messages& m) {
  std::cerr << m.get("terminal_check.password_prompt") << std::flush;
  termios before{};
  const bool tty = tcgetattr(STDIN_FILENO, &before) == 0;
  if (tty) {
    termios quiet = before;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &before);
  std::cerr << '\n';
  if (line.size() > kMaxPasswordBytes) usage_error("the password is too long");
  return strip_line_end(line);
}

// A password never comes from the command line (other users see it in ps, the shell keeps it):
// standard input with --password-stdin, else typed at the terminal when there is one.
std::string password_for(const CheckFlags& f, const app::Messages& m, bool needed) {
  if (f.password_stdin) return password_from_stdin();
  if (!needed) return {};
  if (isatty(STDIN_FILENO) == 1) return password_from_terminal(m);
  usage_error("the file needs a password: give it on standard input with --password-stdin");
}

std::string message_of(const app::Messages& m, const app::CheckLine& l) {
  return m.format(l.key, l.args);
}

void print_text(const app::Messages& m, const app::TerminalCheckReport& r) {
  if (r.identity) {
    std::cout << m.format("terminal_check.heading",
                          {r.identity->common_name, r.identity->institution_name})
              << '\n';
  } else {
    std::cout << m.get("terminal_check.heading_unknown") << '\n';
  }
  for (const app::CheckLine& l : r.lines) {
    const std::string mark = m.get("terminal_check.mark." + std::string(check_mark_name(l.mark)));
    std::cout << m.format("terminal_check.line",
                          {mark, m.get("terminal_check.step." + l.step), message_of(m, l)})
              << '\n';
  }
  std::cout << message_of(m, r.summary) << '\n';
}

nlohmann::json detail_json(const app::CheckLine& l) {
  nlohmann::json d = nlohmann::json::object();
  for (const auto& [k, v] : l.detail) d[k] = v;
  return d;
}

void print_json(const app::Messages& m, const app::TerminalCheckReport& r) {
  nlohmann::json lines = nlohmann::json::array();
  for (const app::CheckLine& l : r.lines) {
    lines.push_back({{"step", l.step},
                     {"mark", check_mark_name(l.mark)},
                     {"key", l.key},
                     {"message", message_of(m, l)},
                     {"detail", detail_json(l)}});
  }
  nlohmann::json j{{"ok", r.ok()},
                   {"connected", r.connected},
                   {"exit_status", r.exit_status()},
                   {"status_checked", r.status_checked},
                   {"lines", lines},
                   {"summary", message_of(m, r.summary)},
                   {"summary_key", r.summary.key},
                   {"summary_mark", check_mark_name(r.summary.mark)}};
  if (r.identity) {
    j["certificate"] = {{"common_name", r.identity->common_name},
                        {"institution_code", r.identity->institution_code},
                        {"institution_name", r.identity->institution_name},
                        {"terminal", r.identity->terminal},
                        {"issuance_number", r.identity->issuance_number},
                        {"serial", r.identity->serial_hex},
                        {"subject", r.identity->subject},
                        {"issuer", r.identity->issuer}};
  }
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void run_check(const GlobalOptions& globals, const CheckFlags& f) {
  if (f.p12.empty() == f.cert.empty())
    usage_error("give either --p12 FILE or --cert FILE --key FILE");
  if (!f.cert.empty() && f.key.empty()) usage_error("--cert needs --key");
  // Checked here rather than by CLI11's required(), whose error exits 106, not 2.
  if (f.ca.empty()) usage_error("--ca ROOT is required (the portal's /pki/ca/root.crt)");
  if (f.timeout_ms < 100 || f.timeout_ms > 120'000)
    usage_error("--timeout-ms must be between 100 and 120000");

  // The catalogue and the desk's name as `onshi serve` has them; no database is opened.
  const app::Config config = app::load_config(globals.data_dir, globals.config_file);
  const app::Messages m = app::Messages::load(
      std::filesystem::path(config.resources) / "data" / "messages.ja.toml", config.contact.name);

  app::TerminalCheckInput in;
  in.ca_pem = ca_as_pem(read_bounded(f.ca, kMaxCaFileBytes, "--ca"));
  if (!f.url_ca.empty())
    in.url_ca_pem = ca_as_pem(read_bounded(f.url_ca, kMaxCaFileBytes, "--url-ca"));
  in.url = f.url;
  in.timeout = std::chrono::milliseconds(f.timeout_ms);
  if (!f.p12.empty()) {
    in.pkcs12 = read_bounded(f.p12, pki::kMaxCredentialFileBytes, "--p12");
    in.password = password_for(f, m, true);
  } else {
    in.cert_bytes = read_bounded(f.cert, pki::kMaxCredentialFileBytes, "--cert");
    in.key_bytes = read_bounded(f.key, pki::kMaxCredentialFileBytes, "--key");
    const bool encrypted = in.key_bytes.find("ENCRYPTED") != std::string::npos;
    in.password = password_for(f, m, encrypted);
  }

  const app::TerminalCheckReport report =
      app::check_terminal(m, in, std::chrono::system_clock::now());
  if (f.json) {
    print_json(m, report);
  } else {
    print_text(m, report);
  }
  if (const int status = report.exit_status(); status != 0) throw CLI::RuntimeError(status);
}

}  // namespace

void register_terminal_commands(CLI::App& root, GlobalOptions& globals) {
  auto* terminal = root.add_subcommand("terminal", "What a vendor runs on a clinic's terminal");
  terminal->require_subcommand(1);
  auto f = std::make_shared<CheckFlags>();
  auto* check = terminal->add_subcommand(
      "check",
      "接続確認: open the terminal's certificate and key, verify the chain to --ca, the validity, "
      "the status by OCSP and by CRL, and a mutual-TLS request to a relying party (--url); prints "
      "a checklist. No database is opened. Exit status: 0 every line passed (a warning for "
      "fewer than 90 days left allowed); 1 a check failed; 2 usage error; 3 no check failed but "
      "not every line was checked: OCSP or the CRL gave no answer (or the certificate names no "
      "URL for it), or the connection to a relying party was not tried (no --url)");
  check->add_option("--p12", f->p12, "PKCS#12 file of the terminal (the pickup's .p12)");
  check->add_option("--cert", f->cert, "Certificate file (PEM, the terminal's first; or DER)");
  check->add_option("--key", f->key, "Private key file (PEM)");
  check->add_flag("--password-stdin", f->password_stdin,
                  "Read the password from the first line of standard input (else it is asked for "
                  "without echo when standard input is a terminal)");
  check->add_option("--ca", f->ca,
                    "Required: the root CA certificate to trust (PEM, or DER as the portal's "
                    "/pki/ca/root.crt); an issuing CA alone is not enough");
  check->add_option("--url", f->url,
                    "https URL of a relying party (onshi relying-party); a URL without a path "
                    "asks /whoami. Without --url that line is a warning and the exit status is 3");
  check->add_option("--url-ca", f->url_ca,
                    "CA of the relying party's TLS certificate (PEM or DER; default: --ca)");
  check->add_flag("--json", f->json, "Print one JSON object {ok, lines, summary, …}");
  check->add_option("--timeout-ms", f->timeout_ms, "Time allowed for each network request")
      ->capture_default_str();
  check->callback([&globals, f] { run_check(globals, *f); });
}

}  // namespace onshi::cli
