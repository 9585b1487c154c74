#pragma once
// Hands a rendered message to an SMTP relay (libcurl). One connection per send: mails are few,
// and a fresh connection cannot be left half-broken by the previous one.
#include <expected>
#include <string>
#include <string_view>

namespace onshi::mail {

struct SmtpConfig {
  // "smtp://host:port" (plain, or STARTTLS when credentials are set) or "smtps://host:port"
  // (TLS from the first byte). Other schemes are refused by send().
  std::string url;
  // The {} initialisers let callers leave these out of designated initialisers without
  // -Wmissing-field-initializers (g++ 12). Empty: no AUTH. Non-empty over smtp://: STARTTLS is
  // required, so the password is never sent in the clear.
  std::string username{};
  std::string password{};
  // Bounds both connecting and the whole transaction.
  long timeout_ms = 10000;
};

class SmtpClient {
 public:
  explicit SmtpClient(SmtpConfig config);

  // Sends `rendered_message` (see render_mime) with the given envelope addresses (bare
  // "a@example.jp"; angle brackets are added, or kept when already there). Safe to call from
  // several threads at once. The error is libcurl's description, for logs: the relay being down,
  // refusing the recipient, timing out and the like are expected and are not exceptions.
  // Throws std::invalid_argument when an envelope address holds CR or LF (a caller bug).
  [[nodiscard]] std::expected<void, std::string> send(std::string_view envelope_from,
                                                      std::string_view envelope_to,
                                                      std::string_view rendered_message) const;

 private:
  SmtpConfig config_;
};

}  // namespace onshi::mail
