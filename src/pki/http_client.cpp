#include "pki/http_client.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <array>
#include <cctype>
#include <memory>
#include <mutex>

#include "util/curl.hpp"

namespace onshi::pki {
namespace {

using util::curl::EasyHandle;
using util::curl::Slist;

struct Sink {
  CURL* handle = nullptr;
  std::string body;
  std::size_t limit = 0;
  bool overflowed = false;
  std::string tls_version;
  std::string etag;
};

// Called for each header line, during the transfer: the one moment libcurl's SSL pointer is
// certainly valid (it reports no negotiated version itself).
std::size_t read_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& sink = *static_cast<Sink*>(user);
  const std::string_view line(data, size * count);
  constexpr std::string_view kEtag = "etag:";
  if (line.size() > kEtag.size() && line.size() < 512) {
    std::string name(line.substr(0, kEtag.size()));
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name == kEtag) {
      std::string_view value = line.substr(kEtag.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() &&
             (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
        value.remove_suffix(1);
      sink.etag = value;
    }
  }
  if (sink.tls_version.empty()) {
    curl_tlssessioninfo* info = nullptr;
    if (curl_easy_getinfo(sink.handle, CURLINFO_TLS_SSL_PTR, &info) == CURLE_OK && info &&
        info->backend == CURLSSLBACKEND_OPENSSL && info->internals != nullptr)
      sink.tls_version = SSL_get_version(static_cast<SSL*>(info->internals));
  }
  return size * count;
}

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& sink = *static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink.body.size() + n > sink.limit) {
    sink.overflowed = true;
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  sink.body.append(data, n);
  return n;
}

HttpFailure failure_of(CURLcode code) {
  switch (code) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return HttpFailure::bad_url;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
      return HttpFailure::connect;
    case CURLE_OPERATION_TIMEDOUT:
      return HttpFailure::timeout;
    case CURLE_PEER_FAILED_VERIFICATION:
      return HttpFailure::server_certificate;
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CLIENTCERT:
      return HttpFailure::client_certificate;
    case CURLE_SSL_CONNECT_ERROR:
      return HttpFailure::tls_handshake;
    case CURLE_FILESIZE_EXCEEDED:
      return HttpFailure::too_large;
    default:
      return HttpFailure::other;
  }
}

curl_blob blob_of(const std::string& pem) {
  // CURL_BLOB_COPY: libcurl keeps its own copy, so the blob may point into a const string.
  return curl_blob{const_cast<char*>(pem.data()), pem.size(), CURL_BLOB_COPY};
}

}  // namespace

std::string_view http_failure_name(HttpFailure f) {
  switch (f) {
    case HttpFailure::bad_url:
      return "bad_url";
    case HttpFailure::connect:
      return "connect";
    case HttpFailure::timeout:
      return "timeout";
    case HttpFailure::tls_handshake:
      return "tls_handshake";
    case HttpFailure::server_certificate:
      return "server_certificate";
    case HttpFailure::client_certificate:
      return "client_certificate";
    case HttpFailure::too_large:
      return "too_large";
    case HttpFailure::other:
      break;
  }
  return "other";
}

std::expected<HttpResponse, HttpError> http_fetch(const HttpRequest& request) {
  if (const CURLcode init = util::curl::ensure_initialised(); init != CURLE_OK)
    return std::unexpected(HttpError{HttpFailure::other, curl_easy_strerror(init)});
  if (!request.url.starts_with("http://") && !request.url.starts_with("https://"))
    return std::unexpected(HttpError{HttpFailure::bad_url, "not an http or https URL"});

  // Declared before the handle: libcurl keeps pointers to them until the handle is gone.
  std::array<char, CURL_ERROR_SIZE> error_text{};
  Sink sink{.handle = nullptr,
            .body = {},
            .limit = request.max_response_bytes,
            .overflowed = false,
            .tls_version = {},
            .etag = {}};
  Slist headers;
  for (const auto& h : request.headers) {
    if (h.find_first_of("\r\n") != std::string::npos)
      return std::unexpected(HttpError{HttpFailure::other, "a header contains a line break"});
    curl_slist* grown = curl_slist_append(headers.get(), h.c_str());
    if (grown == nullptr) return std::unexpected(HttpError{HttpFailure::other, "out of memory"});
    (void)headers.release();
    headers.reset(grown);
  }
  std::string content_type_header;
  if (request.method == "POST") {
    content_type_header = "Content-Type: " + request.content_type;
    curl_slist* grown = curl_slist_append(headers.get(), content_type_header.c_str());
    if (grown == nullptr) return std::unexpected(HttpError{HttpFailure::other, "out of memory"});
    (void)headers.release();
    headers.reset(grown);
  }

  const EasyHandle handle{curl_easy_init()};
  if (!handle) return std::unexpected(HttpError{HttpFailure::other, "curl_easy_init failed"});
  CURL* h = handle.get();
  sink.handle = h;
  const auto set = [h](CURLoption option, auto value) { curl_easy_setopt(h, option, value); };
  set(CURLOPT_ERRORBUFFER, error_text.data());
  set(CURLOPT_URL, request.url.c_str());
  set(CURLOPT_PROTOCOLS_STR, "http,https");
  set(CURLOPT_FOLLOWLOCATION, 0L);  // a status URL that redirects is not followed blindly
  set(CURLOPT_NOSIGNAL, 1L);
  set(CURLOPT_NOPROXY, "*");  // the machine's proxy settings are not the relying party's
  set(CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeout.count()));
  set(CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  set(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_response_bytes));
  set(CURLOPT_WRITEFUNCTION, &write_body);
  set(CURLOPT_WRITEDATA, &sink);
  set(CURLOPT_HEADERFUNCTION, &read_header);
  set(CURLOPT_HEADERDATA, &sink);
  set(CURLOPT_USERAGENT, "onshi");
  if (headers) set(CURLOPT_HTTPHEADER, headers.get());
  if (request.method == "POST") {
    set(CURLOPT_POST, 1L);
    set(CURLOPT_POSTFIELDS, request.body.data());
    set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else if (request.method != "GET") {
    return std::unexpected(HttpError{HttpFailure::other, "only GET and POST are supported"});
  }

  curl_blob ca{}, cert{}, key{};
  if (!request.trusted_ca_pem.empty()) {
    ca = blob_of(request.trusted_ca_pem);
    set(CURLOPT_CAINFO_BLOB, &ca);
  }
  if (!request.client_cert_pem.empty()) {
    cert = blob_of(request.client_cert_pem);
    key = blob_of(request.client_key_pem);
    set(CURLOPT_SSLCERTTYPE, "PEM");
    set(CURLOPT_SSLCERT_BLOB, &cert);
    set(CURLOPT_SSLKEYTYPE, "PEM");
    set(CURLOPT_SSLKEY_BLOB, &key);
  }

  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    const HttpFailure failure = sink.overflowed ? HttpFailure::too_large : failure_of(rc);
    const std::string text = error_text[0] != '\0' ? error_text.data() : curl_easy_strerror(rc);
    return std::unexpected(HttpError{failure, text});
  }

  HttpResponse response;
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  char* content_type = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type) == CURLE_OK && content_type)
    response.content_type = content_type;
  response.tls_version = std::move(sink.tls_version);
  response.etag = std::move(sink.etag);
  response.body = std::move(sink.body);
  return response;
}

}  // namespace onshi::pki
