#include "app/core/config.hpp"

#include <fmt/format.h>

#include <stdexcept>

// onshi.toml is input, so an assertion inside toml++ means a file it cannot read, not a bug of
// onshi's: where assertions are kept (fuzz and sanitizer builds) each becomes a refusal that
// apply_file reports with the file's name instead of an abort. toml++ turns it off under NDEBUG.
#define TOML_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : throw std::runtime_error("toml++ cannot read this file"))
#include <toml++/toml.h>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>

#include "app/core/toml_precheck.hpp"
#include "domain/registration_number.hpp"

namespace onshi::app {
namespace {

#ifndef ONSHI_DEFAULT_RESOURCES
#define ONSHI_DEFAULT_RESOURCES "."
#endif

std::int64_t parse_int(std::string_view name, std::string_view text) {
  std::int64_t v = 0;
  const auto* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc{} || p != end)
    throw std::runtime_error(fmt::format("{}: not an integer: '{}'", name, text));
  return v;
}

bool parse_bool(std::string_view name, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  throw std::runtime_error(fmt::format("{}: expected true or false, got '{}'", name, text));
}

// One configuration key: where it sits in TOML, its environment variable, and how to set it.
struct Key {
  std::string_view section;
  std::string_view name;
  std::string_view env;
  std::function<void(Config&, std::string_view where, const std::string& text)> set;
};

// Every integer setting is a count, a size or a duration: negative values and values the field
// cannot hold are mistakes, refused rather than wrapped.
template <typename T>
auto integer(T Config::*member, std::int64_t minimum = 0) {
  return [member, minimum](Config& c, std::string_view where, const std::string& text) {
    const std::int64_t v = parse_int(where, text);
    const auto maximum = static_cast<std::int64_t>(std::min<std::uint64_t>(
        static_cast<std::uint64_t>(std::numeric_limits<T>::max()),
        static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())));
    if (v < minimum || v > maximum) {
      throw std::runtime_error(
          fmt::format("{}: {} is out of range ({}..{})", where, v, minimum, maximum));
    }
    c.*member = static_cast<T>(v);
  };
}
auto string(std::string Config::*member) {
  return [member](Config& c, std::string_view, const std::string& text) { c.*member = text; };
}

// A field of the contact block. Printed on every page, mail and letter, so a value that is empty
// or holds a line break is refused at startup rather than leaving a hole or breaking a mail; the
// desk's name is pasted into catalogue texts that are formatted later, where a brace would throw.
auto contact(std::string Config::Contact::*member) {
  return [member](Config& c, std::string_view where, const std::string& text) {
    if (text.empty() || text.find_first_of("\r\n") != std::string::npos)
      throw std::runtime_error(fmt::format("{}: must be one line of text, not empty", where));
    if (text.find_first_of("{}") != std::string::npos)
      throw std::runtime_error(fmt::format("{}: must not contain {{ or }}", where));
    c.contact.*member = text;
  };
}

// A line printed on every invoice: one line, or nothing.
auto billing_line(std::string Config::Billing::*member) {
  return [member](Config& c, std::string_view where, const std::string& text) {
    if (text.find_first_of("\r\n") != std::string::npos)
      throw std::runtime_error(fmt::format("{}: must be one line of text", where));
    c.billing.*member = text;
  };
}

// "127.0.0.1, ::1" -> {"127.0.0.1", "::1"}: addresses separated by commas or spaces.
std::vector<std::string> address_list(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (const char ch : text) {
    if (ch == ',' || ch == ' ') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(ch);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// "90, 60, 30" (or a TOML array of integers): whole days, each at most ten years, none twice,
// kept largest first as the reminders go.
std::vector<int> day_list(std::string_view where, std::string_view text) {
  std::vector<int> days;
  for (const auto& item : address_list(text)) {
    const auto v = parse_int(where, item);
    if (v < 1 || v > 3650)
      throw std::runtime_error(fmt::format("{}: {} is out of range (1..3650)", where, v));
    if (std::ranges::find(days, v) != days.end())
      throw std::runtime_error(fmt::format("{}: {} is given twice", where, v));
    days.push_back(static_cast<int>(v));
  }
  std::ranges::sort(days, std::greater<>());
  return days;
}

const std::vector<Key>& keys() {
  static const std::vector<Key> all = {
      {"server", "listen", "ONSHI_LISTEN", string(&Config::listen)},
      {"server", "base_url", "ONSHI_BASE_URL", string(&Config::base_url)},
      {"server", "threads", "ONSHI_THREADS", integer(&Config::threads, 1)},
      {"server", "password_threads", "ONSHI_PASSWORD_THREADS",
       integer(&Config::password_threads, 1)},
      {"server", "password_queue", "ONSHI_PASSWORD_QUEUE", integer(&Config::password_queue, 0)},
      {"server", "read_timeout", "ONSHI_READ_TIMEOUT", integer(&Config::read_timeout, 1)},
      {"server", "cookie_secure", "ONSHI_COOKIE_SECURE",
       [](Config& c, std::string_view w, const std::string& t) {
         c.cookie_secure = parse_bool(w, t);
       }},
      {"server", "max_body_bytes", "ONSHI_MAX_BODY_BYTES", integer(&Config::max_body_bytes, 1024)},
      {"server", "resources", "ONSHI_RESOURCES", string(&Config::resources)},
      {"server", "metrics_allow", "ONSHI_METRICS_ALLOW",
       [](Config& c, std::string_view, const std::string& text) {
         c.metrics_allow = address_list(text);
       }},
      {"server", "metrics_token", "ONSHI_METRICS_TOKEN", string(&Config::metrics_token)},
      {"server", "trusted_proxies", "ONSHI_TRUSTED_PROXIES",
       [](Config& c, std::string_view, const std::string& text) {
         c.trusted_proxies = address_list(text);
       }},
      {"server", "tls_listen", "ONSHI_TLS_LISTEN", string(&Config::tls_listen)},
      {"server", "tls_cert_file", "ONSHI_TLS_CERT_FILE", string(&Config::tls_cert_file)},
      {"server", "tls_key_file", "ONSHI_TLS_KEY_FILE", string(&Config::tls_key_file)},
      {"database", "url", "ONSHI_DATABASE_URL", string(&Config::database_url)},
      {"database", "pool_size", "ONSHI_DATABASE_POOL_SIZE", integer(&Config::database_pool_size)},
      {"mail", "smtp_url", "ONSHI_SMTP_URL", string(&Config::smtp_url)},
      {"mail", "from", "ONSHI_MAIL_FROM", string(&Config::mail_from)},
      {"mail", "poll_ms", "ONSHI_MAIL_POLL_MS", integer(&Config::mail_poll_ms)},
      {"mail", "retry_base_ms", "ONSHI_MAIL_RETRY_BASE_MS", integer(&Config::mail_retry_base_ms)},
      {"mail", "retry_max_ms", "ONSHI_MAIL_RETRY_MAX_MS", integer(&Config::mail_retry_max_ms)},
      {"security", "session_idle_minutes", "ONSHI_SESSION_IDLE_MINUTES",
       integer(&Config::session_idle_minutes, 1)},
      {"security", "session_absolute_hours", "ONSHI_SESSION_ABSOLUTE_HOURS",
       integer(&Config::session_absolute_hours, 1)},
      {"security", "login_lock_base_seconds", "ONSHI_LOGIN_LOCK_BASE_SECONDS",
       integer(&Config::login_lock_base_seconds, 1)},
      {"security", "verify_token_hours", "ONSHI_VERIFY_TOKEN_HOURS",
       integer(&Config::verify_token_hours, 1)},
      {"pki", "key_store", "ONSHI_CA_KEY_STORE", string(&Config::ca_key_store)},
      {"pki", "dir", "ONSHI_CA_DIR", string(&Config::ca_dir)},
      {"pki", "passphrase_file", "ONSHI_CA_PASSPHRASE_FILE", string(&Config::ca_passphrase_file)},
      {"pki", "pkcs11_module", "ONSHI_PKCS11_MODULE", string(&Config::pkcs11_module)},
      {"pki", "pkcs11_token", "ONSHI_PKCS11_TOKEN", string(&Config::pkcs11_token)},
      {"pki", "pkcs11_pin_file", "ONSHI_PKCS11_PIN_FILE", string(&Config::pkcs11_pin_file)},
      {"pki", "root_key_algorithm", "ONSHI_ROOT_KEY_ALGORITHM",
       string(&Config::root_key_algorithm)},
      {"pki", "issuing_key_algorithm", "ONSHI_ISSUING_KEY_ALGORITHM",
       string(&Config::issuing_key_algorithm)},
      {"pki", "terminal_key_algorithm", "ONSHI_TERMINAL_KEY_ALGORITHM",
       string(&Config::terminal_key_algorithm)},
      {"pki", "root_validity_years", "ONSHI_ROOT_VALIDITY_YEARS",
       integer(&Config::root_validity_years, 1)},
      {"pki", "issuing_validity_years", "ONSHI_ISSUING_VALIDITY_YEARS",
       integer(&Config::issuing_validity_years, 1)},
      {"pki", "root_subject", "ONSHI_ROOT_SUBJECT", string(&Config::root_subject)},
      {"pki", "issuing_subject", "ONSHI_ISSUING_SUBJECT", string(&Config::issuing_subject)},
      {"pki", "terminal_validity_months", "ONSHI_TERMINAL_VALIDITY_MONTHS",
       integer(&Config::terminal_validity_months, 1)},
      {"pki", "crl_url", "ONSHI_CRL_URL", string(&Config::crl_url)},
      {"pki", "delta_crl_url", "ONSHI_DELTA_CRL_URL", string(&Config::delta_crl_url)},
      {"pki", "crl_next_update_hours", "ONSHI_CRL_NEXT_UPDATE_HOURS",
       integer(&Config::crl_next_update_hours, 1)},
      {"pki", "crl_interval_hours", "ONSHI_CRL_INTERVAL_HOURS",
       integer(&Config::crl_interval_hours, 1)},
      {"pki", "crl_revocation_delay_seconds", "ONSHI_CRL_REVOCATION_DELAY_SECONDS",
       integer(&Config::crl_revocation_delay_seconds, 1)},
      {"pki", "ocsp_url", "ONSHI_OCSP_URL", string(&Config::ocsp_url)},
      {"pki", "ca_issuers_url", "ONSHI_CA_ISSUERS_URL", string(&Config::ca_issuers_url)},
      {"pki", "root_crl_url", "ONSHI_ROOT_CRL_URL", string(&Config::root_crl_url)},
      {"pki", "root_ca_issuers_url", "ONSHI_ROOT_CA_ISSUERS_URL",
       string(&Config::root_ca_issuers_url)},
      {"pki", "policy_oid", "ONSHI_POLICY_OID", string(&Config::policy_oid)},
      {"pki", "pickup_valid_days", "ONSHI_PICKUP_VALID_DAYS",
       integer(&Config::pickup_valid_days, 1)},
      {"pki", "pickup_max_attempts", "ONSHI_PICKUP_MAX_ATTEMPTS",
       integer(&Config::pickup_max_attempts, 1)},
      {"pki", "pickup_redownload_days", "ONSHI_PICKUP_REDOWNLOAD_DAYS",
       integer(&Config::pickup_redownload_days, 1)},
      {"pki", "ocsp_validity_hours", "ONSHI_OCSP_VALIDITY_HOURS",
       integer(&Config::ocsp_validity_hours, 1)},
      {"pki", "ocsp_responder_validity_days", "ONSHI_OCSP_RESPONDER_VALIDITY_DAYS",
       integer(&Config::ocsp_responder_validity_days, 1)},
      {"pki", "ocsp_max_certificates", "ONSHI_OCSP_MAX_CERTIFICATES",
       integer(&Config::ocsp_max_certificates, 1)},
      {"pki", "ocsp_subject", "ONSHI_OCSP_SUBJECT", string(&Config::ocsp_subject)},
      {"pki", "ocsp_cache_check_ms", "ONSHI_OCSP_CACHE_CHECK_MS",
       integer(&Config::ocsp_cache_check_ms, 0)},
      {"pki", "unpicked_revocation_grace_days", "ONSHI_UNPICKED_REVOCATION_GRACE_DAYS",
       integer(&Config::unpicked_revocation_grace_days, 0)},
      {"reminders", "days_before", "ONSHI_REMINDER_DAYS_BEFORE",
       [](Config& c, std::string_view where, const std::string& text) {
         c.reminder_days = day_list(where, text);
       }},
      {"reminders", "after_expiry_days", "ONSHI_REMINDER_AFTER_EXPIRY_DAYS",
       integer(&Config::reminder_after_expiry_days, 0)},
      {"reminders", "interval_seconds", "ONSHI_REMINDER_INTERVAL_SECONDS",
       integer(&Config::reminder_interval_seconds, 1)},
      {"pki", "renewal_overlap_days", "ONSHI_RENEWAL_OVERLAP_DAYS",
       integer(&Config::renewal_overlap_days, 0)},
      {"review", "separate_issuer", "ONSHI_SEPARATE_ISSUER",
       [](Config& c, std::string_view where, const std::string& text) {
         c.separate_issuer = parse_bool(where, text);
       }},
      {"review", "auto_approve_renewals", "ONSHI_AUTO_APPROVE_RENEWALS",
       [](Config& c, std::string_view where, const std::string& text) {
         c.auto_approve_renewals = parse_bool(where, text);
       }},
      {"security", "reset_token_minutes", "ONSHI_RESET_TOKEN_MINUTES",
       integer(&Config::reset_token_minutes, 1)},
      {"contact", "name", "ONSHI_CONTACT_NAME", contact(&Config::Contact::name)},
      {"contact", "phone", "ONSHI_CONTACT_PHONE", contact(&Config::Contact::phone)},
      {"contact", "hours", "ONSHI_CONTACT_HOURS", contact(&Config::Contact::hours)},
      {"contact", "email", "ONSHI_CONTACT_EMAIL", contact(&Config::Contact::email)},
      {"billing", "registration_number", "ONSHI_BILLING_REGISTRATION_NUMBER",
       [](Config& c, std::string_view where, const std::string& text) {
         auto n = domain::parse_registration_number(text);
         if (!n) {
           throw std::runtime_error(fmt::format(
               "{}: not a registration number (T and 13 digits, the first checking the others): "
               "'{}'",
               where, text));
         }
         c.billing.registration_number = *n;
       }},
      {"billing", "issuer_name", "ONSHI_BILLING_ISSUER_NAME",
       billing_line(&Config::Billing::issuer_name)},
      {"billing", "bank_account", "ONSHI_BILLING_BANK_ACCOUNT",
       billing_line(&Config::Billing::bank_account)},
      {"development", "test_clock", "ONSHI_DEVELOPMENT_TEST_CLOCK",
       [](Config& c, std::string_view where, const std::string& text) {
         c.test_clock = parse_bool(where, text);
       }},
  };
  return all;
}

std::string toml_value_text(const toml::node& node, std::string_view where) {
  if (auto s = node.value<std::string>()) return *s;
  if (auto i = node.value<std::int64_t>()) return std::to_string(*i);
  if (auto b = node.value<bool>()) return *b ? "true" : "false";
  throw std::runtime_error(fmt::format("{}: expected a string, integer or boolean", where));
}

// The keys whose value is a list, which TOML may also give as an array ([90, 60, 30]).
bool takes_list(const Key& k) {
  return k.section == "reminders" && k.name == "days_before";
}

std::string toml_list_text(const toml::node& node, std::string_view where) {
  const auto* list = node.as_array();
  if (!list) return toml_value_text(node, where);
  std::string out;
  for (const auto& item : *list) {
    if (!out.empty()) out += ',';
    out += toml_value_text(item, where);
  }
  return out;
}

void apply_file(Config& c, const std::filesystem::path& file) {
  toml::table root;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot be read", file.string()));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto ascii = toml_in_ascii(text, file);
  try {
    root = toml::parse(ascii, file.string());
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(
        fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", file.string(), e.what()));
  }
  for (const auto& [section_name, section] : root) {
    const auto* table = section.as_table();
    if (!table)
      throw std::runtime_error(
          fmt::format("{}: '{}' must be a [section]", file.string(), section_name.str()));
    for (const auto& [name, node] : *table) {
      const auto where = fmt::format("{}: {}.{}", file.string(), section_name.str(), name.str());
      const Key* key = nullptr;
      for (const auto& k : keys()) {
        if (k.section == section_name.str() && k.name == name.str()) key = &k;
      }
      if (!key) throw std::runtime_error(fmt::format("{}: unknown key", where));
      key->set(c, where,
               takes_list(*key) ? toml_list_text(node, where) : toml_value_text(node, where));
    }
  }
}

}  // namespace

bool Config::secure_cookies() const {
  return cookie_secure.value_or(base_url.starts_with("https://"));
}

std::string Config::mail_domain() const {
  const auto at = mail_from.rfind('@');
  std::string domain = at == std::string::npos ? mail_from : mail_from.substr(at + 1);
  if (!domain.empty() && domain.back() == '>') domain.pop_back();
  return domain;
}

Config load_config(const std::filesystem::path& data_dir, const std::filesystem::path& file) {
  Config c;
  c.data_dir = data_dir;
  c.resources = ONSHI_DEFAULT_RESOURCES;
  std::filesystem::path chosen = file;
  if (chosen.empty() && std::filesystem::exists(data_dir / "onshi.toml"))
    chosen = data_dir / "onshi.toml";
  if (!chosen.empty()) {
    if (!std::filesystem::exists(chosen))
      throw std::runtime_error(fmt::format("{}: no such file", chosen.string()));
    apply_file(c, chosen);
  }
  for (const auto& k : keys()) {
    if (const char* v = std::getenv(std::string(k.env).c_str())) k.set(c, k.env, v);
  }
  return c;
}

void finish_config(Config& c) {
  if (c.base_url.empty()) c.base_url = "http://" + c.listen;
  while (c.base_url.ends_with('/')) c.base_url.pop_back();
  if (c.database_url.empty()) c.database_url = "sqlite:" + (c.data_dir / "onshi.db").string();
  if (c.ca_dir.empty()) c.ca_dir = (c.data_dir / "ca").string();
  if (c.crl_url.empty()) c.crl_url = c.base_url + "/pki/crl/issuing.crl";
  if (c.delta_crl_url.empty()) c.delta_crl_url = c.base_url + "/pki/crl/issuing-delta.crl";
  if (c.ocsp_url.empty()) c.ocsp_url = c.base_url + "/pki/ocsp";
  if (c.ca_issuers_url.empty()) c.ca_issuers_url = c.base_url + "/pki/ca/issuing.crt";
  if (c.root_crl_url.empty()) c.root_crl_url = c.base_url + "/pki/crl/root.crl";
  if (c.root_ca_issuers_url.empty()) c.root_ca_issuers_url = c.base_url + "/pki/ca/root.crt";
  if (!c.tls_listen.empty()) {
    // Said here, before anything starts, rather than as a failed bind or an empty file name.
    if (c.tls_cert_file.empty() || c.tls_key_file.empty()) {
      throw std::runtime_error(
          "server.tls_listen is set: server.tls_cert_file and server.tls_key_file must be too");
    }
    if (c.tls_listen == c.listen)
      throw std::runtime_error("server.tls_listen must differ from server.listen");
  }
  if (c.threads < 1) throw std::runtime_error("server.threads must be at least 1");
  // A responder certificate is renewed with half its days left; a response signed just before
  // must still get its whole validity from the old one.
  if (c.ocsp_validity_hours > c.ocsp_responder_validity_days * 12) {
    throw std::runtime_error(
        "pki.ocsp_validity_hours must be at most half of pki.ocsp_responder_validity_days");
  }
  if (c.mail_poll_ms < 10 || c.mail_retry_base_ms < 10)
    throw std::runtime_error("mail intervals must be at least 10 ms");
}

}  // namespace onshi::app
