#include "mail/smtp_client.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "util/curl.hpp"
#include "util/text.hpp"

namespace onshi::mail {
namespace {

using util::curl::EasyHandle;
using util::curl::Slist;

struct Upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& upload = *static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload.data.size() - upload.offset);
  std::memcpy(buffer, upload.data.data() + upload.offset, n);
  upload.offset += n;
  return n;
}

std::string envelope_address(std::string_view what, std::string_view address) {
  if (address.find_first_of("\r\n") != std::string_view::npos) {
    throw std::invalid_argument(fmt::format("SMTP envelope {} contains a line break", what));
  }
  if (address.starts_with('<') && address.ends_with('>')) return std::string(address);
  return fmt::format("<{}>", address);
}

bool is_plain_smtp(std::string_view url) {
  return util::ascii_lower(url.substr(0, 7)) == "smtp://";
}

}  // namespace

SmtpClient::SmtpClient(SmtpConfig config) : config_(std::move(config)) {}

std::expected<void, std::string> SmtpClient::send(std::string_view envelope_from,
                                                  std::string_view envelope_to,
                                                  std::string_view rendered_message) const {
  const std::string mail_from = envelope_address("sender", envelope_from);
  const std::string mail_rcpt = envelope_address("recipient", envelope_to);

  if (const CURLcode init = util::curl::ensure_initialised(); init != CURLE_OK) {
    return std::unexpected(fmt::format("curl_global_init failed: {}", curl_easy_strerror(init)));
  }

  // Declared before the handle so they outlive it: libcurl keeps pointers to all three.
  std::array<char, CURL_ERROR_SIZE> error_text{};
  Upload upload{rendered_message};
  Slist recipients{curl_slist_append(nullptr, mail_rcpt.c_str())};
  if (!recipients) throw std::bad_alloc();

  const EasyHandle handle{curl_easy_init()};
  if (!handle) return std::unexpected(std::string("curl_easy_init failed"));
  CURL* const h = handle.get();

  CURLcode rc = CURLE_OK;
  const auto set = [&](CURLoption option, auto value) {
    if (rc == CURLE_OK) rc = curl_easy_setopt(h, option, value);
  };
  set(CURLOPT_ERRORBUFFER, error_text.data());
  set(CURLOPT_URL, config_.url.c_str());
  // A mistyped URL must not turn the mailer into a file reader or HTTP client.
  set(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  // libcurl would otherwise use SIGALRM for DNS timeouts, which is unsafe in worker threads.
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_CONNECTTIMEOUT_MS, config_.timeout_ms);
  set(CURLOPT_TIMEOUT_MS, config_.timeout_ms);
  set(CURLOPT_MAIL_FROM, mail_from.c_str());
  set(CURLOPT_MAIL_RCPT, recipients.get());
  set(CURLOPT_UPLOAD, 1L);
  set(CURLOPT_READFUNCTION, &read_upload);
  set(CURLOPT_READDATA, &upload);
  set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(rendered_message.size()));
  if (!config_.username.empty()) {
    set(CURLOPT_USERNAME, config_.username.c_str());
    set(CURLOPT_PASSWORD, config_.password.c_str());
    if (is_plain_smtp(config_.url)) set(CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  }
  if (rc != CURLE_OK) {
    return std::unexpected(fmt::format("curl option rejected: {}", curl_easy_strerror(rc)));
  }

  rc = curl_easy_perform(h);
  if (rc == CURLE_OK) return {};

  std::string message =
      error_text[0] != '\0' ? std::string(error_text.data()) : std::string(curl_easy_strerror(rc));
  long smtp_code = 0;
  if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &smtp_code) == CURLE_OK && smtp_code > 0) {
    message += fmt::format(" (last SMTP reply {})", smtp_code);
  }
  return std::unexpected(std::move(message));
}

}  // namespace onshi::mail
