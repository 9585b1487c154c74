// The 接続確認 check's words without any certificate: what is taken from the network made safe to
// print, the relying party's URL, and a message in the catalogue for every outcome.
#include <gtest/gtest.h>

#include "app/terminal/terminal_check.hpp"
#include "app/terminal/terminal_check_steps.hpp"
#include "pki/certificate_status.hpp"
#include "pki/http_client.hpp"
#include "pki/terminal_credentials.hpp"

namespace {

using namespace onshi;
using app::CheckMark;

const app::Messages& messages() {
  static const app::Messages m =
      app::Messages::load(std::filesystem::path(ONSHI_SOURCE_DIR) / "data/messages.ja.toml");
  return m;
}

TEST(TerminalCheckPrintable, KeepsTextDropsControlsAndReplacesBytesThatAreNoUtf8) {
  using app::terminal_check::printable;
  EXPECT_EQ(printable("接続先 rp.example:8444 は正常です（T01）。"),
            "接続先 rp.example:8444 は正常です（T01）。");
  EXPECT_EQ(printable("a\x1b[2Jb\x07"
                      "c\x7f\x01"
                      "d"),
            "a[2Jbcd");
  EXPECT_EQ(printable("tab\tcr\rlf\n"), "tab cr lf ");
  EXPECT_EQ(printable("c1:\xc2\x9b"
                      "31m \xc2\x85."),
            "c1:31m .");  // U+009B, U+0085
  EXPECT_EQ(printable("bidi:\xe2\x80\xae"
                      "abc\xe2\x81\xa6"),
            "bidi:abc");  // U+202E, U+2066
  // A lone 0x9b is CSI on an 8-bit terminal; overlong and truncated forms are no UTF-8 either.
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(printable("x\x9b"
                      "2Jy"),
            std::string("x").append(fffd).append("2Jy"));
  EXPECT_EQ(printable("\xc0\x9b"), std::string(fffd).append(fffd));
  EXPECT_EQ(printable("\xe6\x8e"), std::string(fffd).append(fffd));
  EXPECT_EQ(printable("\xed\xa0\x80"), std::string(fffd).append(fffd).append(fffd));
  EXPECT_EQ(printable("\xf4\x90\x80\x80"),
            std::string(fffd).append(fffd).append(fffd).append(fffd));
  EXPECT_EQ(printable("emoji 😀"), "emoji 😀");
  EXPECT_EQ(printable(""), "");
}

TEST(TerminalCheckUrl, ABareHostAsksWhoami) {
  using app::terminal_check::relying_party_url;
  EXPECT_EQ(relying_party_url("https://rp.example:8443"), "https://rp.example:8443/whoami");
  EXPECT_EQ(relying_party_url("https://rp.example/"), "https://rp.example/whoami");
  EXPECT_EQ(relying_party_url("https://rp.example/eligibility/whoami"),
            "https://rp.example/eligibility/whoami");
  EXPECT_EQ(relying_party_url("http://rp.example"), "");
  EXPECT_EQ(relying_party_url("https://"), "");
  EXPECT_EQ(relying_party_url("https://rp.example/a b"), "");
}

// Each outcome a step can name from pki/ has its sentence, and so does each summary.
TEST(TerminalCheckCatalogue, EveryOutcomeHasItsMessage) {
  const auto& m = messages();
  for (auto e : pki::kCredentialsErrors)
    EXPECT_TRUE(m.has("terminal_check.open." + std::string(pki::credentials_error_name(e))));
  for (int p = 0; p <= static_cast<int>(pki::ChainProblem::other); ++p) {
    const auto name = pki::chain_problem_name(static_cast<pki::ChainProblem>(p));
    if (name != "none") {
      EXPECT_TRUE(m.has("terminal_check.chain." + std::string(name))) << name;
    }
  }
  for (int f = 0; f <= static_cast<int>(pki::HttpFailure::other); ++f) {
    const auto name = pki::http_failure_name(static_cast<pki::HttpFailure>(f));
    EXPECT_TRUE(m.has("terminal_check.relying_party." + std::string(name))) << name;
  }
  for (const char* s : app::kTerminalCheckSteps)
    EXPECT_TRUE(m.has("terminal_check.step." + std::string(s))) << s;
  for (auto mark : {CheckMark::ok, CheckMark::warning, CheckMark::failed, CheckMark::skipped})
    EXPECT_TRUE(m.has("terminal_check.mark." + std::string(app::check_mark_name(mark))));
  for (const char* s :
       {"ok", "ok_with_warnings", "ok_not_connected", "wrong_password", "password_needed",
        "open_failed", "key_mismatch", "wrong_ca", "no_root", "issuer_missing", "chain_failed",
        "expired", "not_yet_valid", "revoked", "status_unknown", "unreachable", "refused",
        "server_certificate", "relying_party_failed"})
    EXPECT_TRUE(m.has("terminal_check.summary." + std::string(s))) << s;
  // Nothing failed, but a status line had no answer (exit status 3).
  for (const char* s : {"ocsp_unavailable", "ocsp_no_url", "crl_unavailable", "crl_no_url"})
    EXPECT_TRUE(m.has("terminal_check.summary." + std::string(s))) << s;
  EXPECT_TRUE(m.has("terminal_check.summary.not_connected_too"));
}

}  // namespace
