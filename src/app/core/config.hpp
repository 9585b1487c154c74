#pragma once
// Configuration: built-in defaults, then the TOML file, then ONSHI_* environment variables,
// then command-line flags (applied by the CLI). docs/configuration.md lists every key.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace onshi::app {

struct Config {
  // [server]
  std::string listen = "127.0.0.1:8080";
  std::string base_url;  // public URL of the portal; default http://LISTEN
  int threads = 4;
  // Threads that hash and verify passwords (login, registration, password change and reset), apart
  // from `threads`, and how many such requests may wait for them; beyond that, 503.
  int password_threads = 2;
  // A queue waits about queue × 0.17 s / threads for its turn here (one Argon2id hash is 0.17 s):
  // 16 keep that near the Retry-After of the 503, where 64 kept logins of a storm waiting 11 s
  // (docs/benchmarks.md) when coming back would have been quicker.
  int password_queue = 16;
  // Seconds a client has, from connecting or from the last answer, to send one whole request: an
  // idle client, or one that trickles bytes (slowloris), holds a connection no longer than this.
  int read_timeout = 60;
  std::optional<bool> cookie_secure;  // default: true when base_url is https
  std::uint64_t max_body_bytes = 1024 * 1024;
  std::string resources;  // folder holding templates/, static/, data/
  // Who may read /metrics: these client addresses (not through a proxy), or anyone with the token.
  std::vector<std::string> metrics_allow = {"127.0.0.1", "::1"};
  std::string metrics_token;
  // Reverse proxies whose X-Forwarded-For names the client (addresses or networks, e.g.
  // "127.0.0.1, 10.0.0.0/8"); empty: the socket's address is the client's.
  std::vector<std::string> trusted_proxies;
  // A second listener that speaks TLS (HOST:PORT; empty: none), beside the plain one, for EST and
  // terminals that authenticate with their client certificate. The certificate file holds the
  // server's certificate, then the issuing CA's (what `onshi ca server-cert` writes).
  std::string tls_listen;
  std::string tls_cert_file;
  std::string tls_key_file;

  // [database]
  std::string database_url;    // default sqlite:DATA/onshi.db
  int database_pool_size = 0;  // connections per node; 0: threads + password_threads + 2

  // [mail]
  std::string smtp_url = "smtp://127.0.0.1:2525";
  std::string mail_from = "portal@fask.or.jp";
  int mail_poll_ms = 1000;
  int mail_retry_base_ms = 30'000;
  int mail_retry_max_ms = 3'600'000;

  // [security]
  int session_idle_minutes = 30;
  int session_absolute_hours = 12;
  int login_lock_base_seconds = 60;
  int verify_token_hours = 24;
  int reset_token_minutes = 60;

  // [pki] (docs/cpipcs.md 7.5). Empty URLs default to BASE_URL/pki/... in finish_config.
  std::string ca_key_store = "file";  // "file" or "pkcs11"
  std::string ca_dir;                 // default DATA/ca
  std::string ca_passphrase_file;     // else ONSHI_CA_PASSPHRASE
  std::string pkcs11_module = "/usr/lib/softhsm/libsofthsm2.so";
  std::string pkcs11_token = "onshi-ca";
  std::string pkcs11_pin_file;  // else ONSHI_PKCS11_PIN
  std::string root_key_algorithm = "ec-p384";
  std::string issuing_key_algorithm = "ec-p256";
  std::string terminal_key_algorithm = "ec-p256";
  int root_validity_years = 20;
  int issuing_validity_years = 10;
  std::string root_subject = "C=JP, O=onshi, CN=onshi Root CA G1";
  std::string issuing_subject = "C=JP, O=onshi, CN=onshi Issuing CA G1";
  int terminal_validity_months = 39;
  std::string crl_url;
  std::string delta_crl_url;  // freshestCRL of terminal certificates and of the full CRL
  std::string ocsp_url;
  std::string ca_issuers_url;
  std::string root_crl_url;
  std::string root_ca_issuers_url;
  std::string policy_oid;
  int pickup_valid_days = 180;  // the real system's window
  int pickup_max_attempts = 5;
  // A code keeps working this long after its first download (issue 15), as the letter says.
  int pickup_redownload_days = 7;
  // A certificate never picked up is revoked this long after its pickup deadline, not at once:
  // until then the desk may still reprint its letter for a clinic that asks late (CPIPCS 4.4.4).
  int unpicked_revocation_grace_days = 14;
  // A certificate replaced by renewal stays valid this long after its successor's first download,
  // so that the vendor can switch the terminal over without a gap; then it is revoked
  // (superseded).
  int renewal_overlap_days = 14;
  // CRLs (CPIPCS 7.2.1): valid this long, published at least this often (and before half their
  // validity is gone), and within the delay of any revocation.
  int crl_next_update_hours = 24;
  int crl_interval_hours = 12;
  int crl_revocation_delay_seconds = 60;
  // OCSP (CPIPCS 7.1.4, 7.3): a response's nextUpdate after its thisUpdate; the delegated
  // responder certificate's validity (renewed when less than half is left); CertIDs per request.
  int ocsp_validity_hours = 12;
  int ocsp_responder_validity_days = 7;
  int ocsp_max_certificates = 10;
  std::string ocsp_subject = "C=JP, O=onshi, CN=onshi OCSP Responder";
  // How often a node asks the store whether a revocation happened since it cached a response
  // (app/ca/ocsp_cache.hpp); 0: before every answer.
  int ocsp_cache_check_ms = 100;

  // [reminders] 有効期限のお知らせ (app/ca/expiry_reminders.hpp): mailed this many days before a
  // certificate's notAfter, each once, largest first; then every day after it, for
  // reminder_after_expiry_days days (0: until it is renewed or revoked).
  std::vector<int> reminder_days = {90, 60, 30, 15, 7};
  int reminder_after_expiry_days = 0;
  // How often `onshi serve` looks for reminders due (and once at its start).
  int reminder_interval_seconds = 3600;

  // [review]
  bool separate_issuer = true;  // the operator who approved may not issue
  // Renewals of institutions whose name and address are those of the certificates renewed skip
  // the reviewer: approved at once, by "system" in the audit log.
  bool auto_approve_renewals = false;

  // [contact]: the one desk that pages, mails, error pages and letters send people to. The
  // defaults are placeholders for development: 0120-000-000 and example.jp reach nobody.
  struct Contact {
    std::string name = "医療機関等向けポータルサイト 問合せ窓口";
    std::string phone = "0120-000-000";
    std::string hours = "平日 9:00〜17:00（土・日・祝日・年末年始を除く）";
    std::string email = "toiawase@example.jp";
  } contact;

  // [billing] (発行料, docs/configuration.md): what a 請求書 needs beyond the charges. The monthly
  // close refuses to render invoices while the registration number or the account is missing.
  struct Billing {
    std::string registration_number;  // 適格請求書発行事業者登録番号, T + 13 digits (checked)
    std::string issuer_name;          // 請求者; empty: the catalogue's invoice.issuer_name
    std::string bank_account;  // 振込先, one line as printed
  } billing;
  // [development]: never on in production. test_clock lets ONSHI_TEST_CLOCK_FILE set the time
  // (util::FileClock, docs/testing.md); without it that variable is refused at start.
  bool test_clock = false;

  std::filesystem::path data_dir = "var";

  bool secure_cookies() const;
  // The domain after '@' in mail_from: what the guide tells clinics to allow.
  std::string mail_domain() const;
};

// Reads `file` if it is given or DATA/onshi.toml exists, then the environment. Throws
// std::runtime_error with the file, line and key on a malformed file or value.
Config load_config(const std::filesystem::path& data_dir, const std::filesystem::path& file);

// Fills the defaults that depend on other values (base_url from listen, database_url from
// data_dir). Call after flags are applied.
void finish_config(Config& c);

}  // namespace onshi::app
