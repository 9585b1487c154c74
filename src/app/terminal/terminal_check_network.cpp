// The steps of the terminal check that ask another machine: the certificate's status (OCSP, the
// CRLs) and a request over mutual TLS to a relying party.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>

#include "app/terminal/terminal_check_steps.hpp"
#include "pki/http_client.hpp"

namespace onshi::app::terminal_check {
namespace {

constexpr std::size_t kMaxRelyingPartyBytes = 64 * 1024;
constexpr std::size_t kMaxDetailBytes = 2048;

CheckLine skipped(std::string_view step, std::string_view why) {
  return {std::string(step), CheckMark::skipped, "terminal_check.skipped." + std::string(why)};
}

// Why a status or relying-party step cannot run: nothing to check, or nothing worth checking.
std::optional<std::string_view> cannot_check(const State& s) {
  if (!s.credentials || !s.identity) return "after_open";
  if (s.chain.empty()) return "after_chain";
  if (s.outside_validity) return "outside_validity";
  return std::nullopt;
}

std::string reason_words(const Messages& m, const std::string& reason) {
  const std::string key = "revocation.reason." + (reason.empty() ? "unspecified" : reason);
  return m.has(key) ? m.get(key) : reason;
}

CheckLine status_line(const State& s, std::string_view step, const std::string& url,
                      const pki::StatusAnswer& a) {
  CheckLine l;
  switch (a.state) {
    case pki::RevocationState::good:
      l = line(step, CheckMark::ok, a.delta_applied ? "good_with_delta" : "good",
               {a.this_update ? shown(s.m, *a.this_update) : "-"});
      break;
    case pki::RevocationState::revoked:
      l = line(step, CheckMark::failed, "revoked",
               {a.revoked_at ? shown(s.m, *a.revoked_at) : "-", reason_words(s.m, a.reason)});
      break;
    case pki::RevocationState::unknown:
      l = line(step, CheckMark::failed, "unknown");
      break;
    case pki::RevocationState::unavailable:
      // The relying party falls back from one to the other: one missing answer is a warning,
      // though not a pass (the summary says which is missing; the exit status is 3, not 0).
      l = line(step, CheckMark::warning, "unavailable", {url});
      break;
  }
  l.detail.emplace_back("state", std::string(pki::revocation_state_name(a.state)));
  l.detail.emplace_back("url", a.url.empty() ? url : a.url);
  if (a.revoked_at) l.detail.emplace_back("revoked_at", iso(*a.revoked_at));
  if (!a.reason.empty()) l.detail.emplace_back("reason", a.reason);
  if (a.this_update) l.detail.emplace_back("this_update", iso(*a.this_update));
  if (a.next_update) l.detail.emplace_back("next_update", iso(*a.next_update));
  if (a.delta_applied) l.detail.emplace_back("delta_applied", "true");
  if (!a.detail.empty()) l.detail.emplace_back("error", printable(a.detail));
  return l;
}

std::string host_of(const std::string& url) {
  const auto start = url.find("://");
  const auto from = start == std::string::npos ? 0 : start + 3;
  return url.substr(from, url.find('/', from) - from);
}

std::string without_colons(std::string hex) {
  std::erase(hex, ':');
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto first = hex.find_first_not_of('0');
  return first == std::string::npos ? "0" : hex.substr(first);
}

// `onshi relying-party` writes camelCase ("institutionCode"); snake_case is read as well.
std::string text_field(const nlohmann::json& j, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const auto it = j.find(name);
    if (it != j.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

}  // namespace

CheckLine answer_line(const State& s, const std::string& url, const pki::HttpResponse& r) {
  const std::string host = host_of(url);
  const auto json = nlohmann::json::parse(r.body, nullptr, false);
  const bool object = json.is_object();
  CheckLine l;
  if (r.status == 200 && object) {
    // Any https server answers 200 with some JSON: only a relying party's own verdict on this
    // very certificate says that the terminal connects.
    const std::string serial_hex =
        printable(text_field(json, {"serial", "serialHex", "serial_hex"}));
    if (text_field(json, {"result"}) != "ok" || serial_hex.empty()) {
      l = line("relying_party", CheckMark::failed, "not_relying_party", {host});
    } else if (without_colons(serial_hex) != without_colons(s.identity->serial_hex)) {
      l = line("relying_party", CheckMark::failed, "other_certificate", {host, serial_hex});
    } else {
      std::string who = printable(text_field(json, {"institutionCode", "institution_code"}));
      const std::string terminal = printable(text_field(json, {"terminal"}));
      if (who.empty()) who = s.identity->common_name;
      if (!terminal.empty()) who.append(" ").append(terminal);
      l = line("relying_party", CheckMark::ok, "ok", {host, who});
    }
  } else if (r.status == 200) {
    l = line("relying_party", CheckMark::failed, "not_json", {host});
  } else if (const std::string said = object ? printable(text_field(json, {"message"})) : "";
             !said.empty()) {
    l = line("relying_party", CheckMark::failed, "refused", {host, said});
    l.detail.emplace_back("result", printable(text_field(json, {"result"})));
  } else {
    l = line("relying_party", CheckMark::failed, "status", {host, std::to_string(r.status)});
  }
  l.detail.emplace_back("url", url);
  l.detail.emplace_back("status", std::to_string(r.status));
  if (!r.tls_version.empty()) l.detail.emplace_back("tls_version", printable(r.tls_version));
  l.detail.emplace_back("body", printable(r.body.substr(0, kMaxDetailBytes)));
  return l;
}

std::string printable(std::string_view text) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t len = lead < 0x80                    ? 1
                            : lead >= 0xC2 && lead <= 0xDF ? 2
                            : lead >= 0xE0 && lead <= 0xEF ? 3
                            : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                           : 0;
    char32_t cp = len == 1 ? lead : len == 2 ? lead & 0x1F : len == 3 ? lead & 0x0F : lead & 0x07;
    bool valid = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; valid && k < len; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      valid = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms and surrogates are no UTF-8 either.
    valid = valid && !(len == 3 && cp < 0x800) && !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
            !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!valid) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      out += ' ';
    } else if (cp >= 0x20 && cp != 0x7F && !(cp >= 0x80 && cp <= 0x9F) &&
               !(cp >= 0x202A && cp <= 0x202E) && !(cp >= 0x2066 && cp <= 0x2069) && cp != 0x2028 &&
               cp != 0x2029) {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::string relying_party_url(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme) || url.size() == kScheme.size()) return {};
  if (url.find_first_of(" \t\r\n") != std::string::npos) return {};
  const auto path = url.find('/', kScheme.size());
  if (path == std::string::npos) return url + "/whoami";
  if (path == url.size() - 1) return url + "whoami";
  return url;
}

std::vector<CheckLine> status_lines(const State& s) {
  if (const auto why = cannot_check(s)) return {skipped("ocsp", *why), skipped("crl", *why)};
  pki::FetchOptions options;
  options.timeout = s.in.timeout;
  std::vector<CheckLine> out;
  bool answered = false;

  if (s.identity->ocsp_url.empty()) {
    out.push_back(line("ocsp", CheckMark::warning, "no_url"));
  } else {
    const auto a = pki::query_ocsp(*s.anchors, s.chain, true, options, s.now);
    answered = a.state != pki::RevocationState::unavailable;
    out.push_back(status_line(s, "ocsp", s.identity->ocsp_url, a));
  }
  if (s.identity->crl_url.empty()) {
    out.push_back(line("crl", CheckMark::warning, "no_url"));
  } else {
    const auto a = pki::check_by_crl(*s.anchors, s.chain, nullptr, options, s.now);
    answered = answered || a.state != pki::RevocationState::unavailable;
    out.push_back(status_line(s, "crl", s.identity->crl_url, a));
  }
  if (!answered) {
    // Neither says the certificate is not revoked: a relying party would refuse it.
    CheckLine& last = out.back();
    last.mark = CheckMark::failed;
    last.key = "terminal_check.crl.none";
    last.args.clear();
  }
  return out;
}

CheckLine relying_party_line(const State& s) {
  if (const auto why = cannot_check(s)) return skipped("relying_party", *why);
  if (!s.credentials->key_matches) return skipped("relying_party", "after_key");
  // Everything before passed, but only a relying party says that the terminal connects.
  if (s.in.url.empty()) return line("relying_party", CheckMark::warning, "not_tried");
  const std::string url = relying_party_url(s.in.url);
  if (url.empty()) {
    CheckLine l = line("relying_party", CheckMark::failed, "bad_url", {s.in.url});
    return l;
  }
  pki::HttpRequest r;
  r.url = url;
  r.headers = {"Accept: application/json"};
  r.timeout = s.in.timeout;
  r.max_response_bytes = kMaxRelyingPartyBytes;
  r.trusted_ca_pem = s.in.url_ca_pem.empty() ? s.in.ca_pem : s.in.url_ca_pem;
  // The terminal's certificate and the CAs under the root, as a terminal sends them.
  std::vector<std::string> sent(s.chain.begin(), s.chain.end() - 1);
  r.client_cert_pem = pki::certificates_pem(sent);
  r.client_key_pem = s.credentials->key_pem;
  const auto got = pki::http_fetch(r);
  if (!got) {
    CheckLine l = line("relying_party", CheckMark::failed,
                       pki::http_failure_name(got.error().failure), {host_of(url)});
    l.detail = {{"url", url},
                {"failure", std::string(pki::http_failure_name(got.error().failure))},
                {"error", printable(got.error().detail)}};
    return l;
  }
  return answer_line(s, url, *got);
}

}  // namespace onshi::app::terminal_check
