#pragma once
// libcurl's handles as RAII, and its one-time global initialisation, for the layers that speak
// over libcurl (mail/ for SMTP, pki/ for OCSP, CRLs and mutual TLS). Header only: util/ does not
// link libcurl; each user does.
#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace onshi::util::curl {

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// curl_global_init must run once before any other libcurl call, and older libcurl builds do not
// make it thread-safe themselves: mails and status fetches come from worker threads. One flag for
// the whole program (an inline function's statics are one object across translation units).
inline CURLcode ensure_initialised() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

}  // namespace onshi::util::curl
