// The desk of config [contact] on every portal page and error page, and ご利用の手引き (/help): its
// table of contents, and a glossary entry for every status the domain knows.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "domain/certificate_application.hpp"
#include "domain/certificate_state.hpp"
#include "domain/usage_application.hpp"
#include "site_test_env.hpp"

namespace onshi::web {
namespace {

using namespace test;

// Not the defaults: what the pages show must come from the configuration.
void distinct_desk(app::Config& c) {
  c.contact = {.name = "テスト県 問合せ窓口",
               .phone = "03-0000-1234",
               .hours = "平日 10:00〜16:00",
               .email = "desk@example.test"};
}

void expect_desk(const std::string& html, const std::string& where) {
  SCOPED_TRACE(where);
  EXPECT_NE(html.find("テスト県 問合せ窓口"), std::string::npos) << html;
  EXPECT_NE(html.find(R"(<a href="tel:0300001234">03-0000-1234</a>)"), std::string::npos);
  EXPECT_NE(html.find("平日 10:00〜16:00"), std::string::npos);
  EXPECT_NE(html.find(R"(<a href="mailto:desk@example.test">desk@example.test</a>)"),
            std::string::npos);
  EXPECT_EQ(html.find("お問い合わせ窓口"), std::string::npos) << "one name for the desk";
  EXPECT_EQ(html.find("運営事務局"), std::string::npos);
}

TEST(ContactBlock, EveryPortalPageCarriesTheDeskAndTheHelpLink) {
  SiteEnv s(distinct_desk);
  for (const char* path : {"/", "/login", "/register", "/password/forgot", "/help", "/cpipcs"}) {
    const auto r = s.handle(get(path));
    ASSERT_EQ(r.status, 200) << path;
    expect_desk(r.body, path);
    const auto footer = r.body.substr(r.body.find("<footer"));
    EXPECT_NE(footer.find(R"(<a href="/help">ご利用の手引き</a>)"), std::string::npos) << path;
  }
}

TEST(ContactBlock, ErrorPagesSayWhomToCall) {
  SiteEnv s(distinct_desk);
  const auto missing = s.handle(get("/no-such-page"));
  EXPECT_EQ(missing.status, 404);
  expect_desk(missing.body, "404");
  EXPECT_NE(missing.body.find("エラーコードを添えてテスト県 問合せ窓口へお問い合わせください"),
            std::string::npos);
  const auto wrong_method = s.handle(post("/help", ""));
  EXPECT_EQ(wrong_method.status, 405);
  expect_desk(wrong_method.body, "405");
  const auto form = s.handle(get("/verify?token=not-a-token"));
  const auto link = s.handle(
      post("/verify", form_body({{"csrf_token", csrf_in(form.body)}, {"token", "not-a-token"}}),
           "onshi_csrf=" + set_cookie_value(form, "onshi_csrf")));
  EXPECT_EQ(link.status, 400);
  expect_desk(link.body, "link_invalid");
}

// The status keys of an enum, walked as help.cpp walks them but written out here, so that a
// status added to the domain is checked without anyone listing it.
template <typename State>
std::vector<std::string> keys_of() {
  std::vector<std::string> out;
  for (int i = 0; i < 100; ++i) {
    const auto key = domain::state_key(static_cast<State>(i));
    if (key.empty()) break;
    out.emplace_back(key);
  }
  return out;
}

TEST(HelpPage, HasAGlossaryEntryForEveryStatus) {
  SiteEnv s;
  const auto r = s.handle(get("/help"));
  ASSERT_EQ(r.status, 200) << "a status without its catalogue entries fails the page";
  const auto& m = s.env.messages;
  const auto entry = [&](const std::string& id, const std::string& label, const std::string& next) {
    const std::string dt = "<dt id=\"" + id + "\">" + label + "</dt>";
    const auto at = r.body.find(dt);
    ASSERT_NE(at, std::string::npos) << dt;
    const auto dd_end = r.body.find("</dd>", at);
    EXPECT_NE(r.body.substr(at, dd_end - at).find("次にすること: " + next), std::string::npos)
        << id;
  };
  const auto usage = keys_of<domain::UsageApplicationState>();
  const auto applications = keys_of<domain::CertificateApplicationState>();
  const auto certificates = keys_of<domain::CertificateState>();
  EXPECT_EQ(usage.size(), 3u);
  EXPECT_EQ(applications.size(), 8u);
  EXPECT_EQ(certificates.size(), 4u);
  for (const auto& k : usage) {
    entry("usage-" + k, m.get("help_status.usage_label." + k),
          m.get("help_status.usage_next." + k));
  }
  for (const auto& k : applications) {
    entry("application-" + k, m.get("certificate_status." + k), m.get("certificate_next." + k));
  }
  for (const auto& k : certificates) {
    entry("certificate-" + k, m.get("admin.certificate_state." + k),
          m.get("help_status.certificate_next." + k));
  }
}

TEST(HelpPage, TableOfContentsLinksToHeadingsInOrder) {
  SiteEnv s;
  const auto r = s.handle(get("/help"));
  ASSERT_EQ(r.status, 200);
  // Every in-page link has its target, and the guide's five steps are there in order.
  const std::regex link("href=\"#([a-z-]+)\"");
  int links = 0;
  for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), link);
       it != std::sregex_iterator(); ++it) {
    EXPECT_NE(r.body.find("id=\"" + (*it)[1].str() + "\""), std::string::npos) << (*it)[1];
    ++links;
  }
  EXPECT_GE(links, 9);
  std::size_t at = 0;
  for (const char* step : {"アカウント登録", "オンライン資格確認の利用申請", "電子証明書の発行申請",
                           "通知書の受取", "取得と端末への設定"}) {
    const auto next = r.body.find(step, at);
    ASSERT_NE(next, std::string::npos) << step;
    at = next;
  }
  // Headings step down one level at a time: h1, then h2 and h3, never h1 -> h3.
  const std::regex heading("<h([1-6])\\b");
  int previous = 0;
  for (auto it = std::sregex_iterator(r.body.begin(), r.body.end(), heading);
       it != std::sregex_iterator(); ++it) {
    const int level = std::stoi((*it)[1]);
    EXPECT_LE(level, previous + 1) << "h" << previous << " then h" << level;
    previous = level;
  }
  EXPECT_NE(r.body.find("1件につき1,500円（税別）"), std::string::npos) << "the fee in effect";
  EXPECT_NE(r.body.find("発行から3年3か月"), std::string::npos) << "validity as people say it";
}

TEST(HelpPage, EveryTebikiReferenceLinksToIt) {
  // 「手引きをご確認ください」 wherever a page says it is a link to the help page.
  int found = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(ONSHI_SOURCE_DIR) / "templates")) {
    if (entry.path().extension() != ".html") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string html = text.str();
    for (auto at = html.find("手引きをご確認ください"); at != std::string::npos;
         at = html.find("手引きをご確認ください", at + 1)) {
      ++found;
      const auto open = html.rfind("<a ", at);
      const auto close = html.rfind("</a>", at);
      ASSERT_NE(open, std::string::npos) << entry.path();
      EXPECT_TRUE(close == std::string::npos || close < open) << entry.path();
      EXPECT_EQ(html.compare(open, 14, R"(<a href="/help)"), 0) << entry.path();
    }
  }
  EXPECT_GE(found, 1);
}

}  // namespace
}  // namespace onshi::web
