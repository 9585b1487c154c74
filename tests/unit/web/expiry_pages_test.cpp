// 有効期限 on the pages: マイページ's banner (within 90 days of notAfter, or past it) with its one
// renewal link, each certificate's 残り日数, nothing for a revoked certificate; and the back
// office's 有効期限の見通し, by month and prefecture, for any operator.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "app/ca/revocation.hpp"
#include "app/core/form_values.hpp"
#include "issued_certificates_env.hpp"

namespace onshi::web {
namespace {

using namespace std::chrono;
using test::get;

class ExpiryPagesTest : public test::IssuedCertificatesTest {
 protected:
  // The clock `offset` from the certificates' notAfter (both issued together).
  void at(milliseconds offset) {
    a.s.env.clock.set(util::TimePoint{milliseconds{current(mine[0].number).not_after}} + offset);
  }
  std::string mypage() {
    // Days apart: a fresh session each time.
    auto token =
        app::login(a.s.env.services, onshi::test::kClinicEmail, onshi::test::kClinicPassword);
    EXPECT_TRUE(token.has_value());
    const auto r =
        a.s.handle(get("/mypage", fmt::format("onshi_session={}", token->session_token)));
    EXPECT_EQ(r.status, 200);
    return r.body;
  }
};

TEST_F(ExpiryPagesTest, NoBannerBeforeTheRenewalWindowButTheDaysLeft) {
  at(-days{91});
  const auto body = mypage();
  EXPECT_EQ(body.find("expiry-banner"), std::string::npos);
  EXPECT_NE(body.find("<th>残り日数</th>"), std::string::npos);
  EXPECT_NE(body.find(R"(data-label="残り日数">あと91日)"), std::string::npos) << body;
}

TEST_F(ExpiryPagesTest, TheBannerWithinNinetyDaysLinksToTheRenewal) {
  at(-days{90} + hours{1});
  const auto body = mypage();
  EXPECT_NE(body.find(R"(<section class="expiry-banner" aria-labelledby="expiry-heading">)"),
            std::string::npos);
  EXPECT_NE(body.find("電子証明書の有効期限が近づいています"), std::string::npos);
  EXPECT_NE(body.find("有効期限まで90日以内の電子証明書：2枚"), std::string::npos);
  EXPECT_NE(body.find(R"(href="/renewal")"), std::string::npos);
  EXPECT_NE(body.find(R"(あと90日 <span class="badge warning">更新時期</span>)"),
            std::string::npos);
}

TEST_F(ExpiryPagesTest, ExpiredCertificatesTurnTheBannerRedAndRevokedOnesCountNot) {
  app::RevocationRequest r;
  r.certificate = mine[1].number;
  r.reason = "cessationOfOperation";
  ASSERT_TRUE(
      app::revoke_certificate(a.s.env.services, *app::cli_actor(a.s.env.services, "issuer"), r)
          .has_value());
  at(days{2} + hours{1});
  const auto body = mypage();
  EXPECT_NE(body.find(R"(class="expiry-banner expired")"), std::string::npos);
  EXPECT_NE(body.find("有効期限が過ぎた電子証明書：1枚"), std::string::npos)
      << "not the revoked one";
  EXPECT_EQ(body.find("有効期限まで90日以内"), std::string::npos);
  EXPECT_NE(body.find(R"(有効期限切れ・3日目 <span class="badge danger">期限切れ</span>)"),
            std::string::npos);
  EXPECT_NE(body.find(R"(data-label="残り日数">—)"), std::string::npos) << "the revoked one";
}

TEST_F(ExpiryPagesTest, TheBackOfficeCountsByMonthAndPrefectureForAnyOperator) {
  at(-days{100});
  const auto cookie = a.login("reviewer");
  const auto r = a.s.handle(get("/admin/expiries", cookie));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find(R"(<a href="/admin/expiries">有効期限の見通し</a>)"), std::string::npos);
  const auto expiry = app::date_in_japan(current(mine[0].number).not_after);
  const auto month =
      fmt::format("<th scope=\"row\">{}年{}月</th><td>2枚</td>", static_cast<int>(expiry.year()),
                  static_cast<unsigned>(expiry.month()));
  EXPECT_NE(r.body.find(month), std::string::npos) << month << "\n" << r.body;
  EXPECT_NE(r.body.find("<li>13 東京都：2枚</li>"), std::string::npos);
  EXPECT_NE(r.body.find("合計 2枚"), std::string::npos);
  EXPECT_EQ(a.s.handle(get("/admin/expiries")).status, 303) << "operators only";
}

}  // namespace
}  // namespace onshi::web
