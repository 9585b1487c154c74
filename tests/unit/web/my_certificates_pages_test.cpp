// マイページ's 電子証明書 with certificates really issued by a CA: the list shows this
// institution's only, a certificate's page (another institution's number is the 404 of an unknown
// one), 受取を 完了する through its confirmation, which closes the code, and a generated key
// replaced by the terminal's CSR shown as two generations.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "../app/clinic_fixture.hpp"
#include "issued_certificates_env.hpp"
#include "support/error_of.hpp"
#include "util/text.hpp"

namespace onshi::web {
namespace {

using onshi::test::error_of;
using test::get;
using test::header;
using test::post;

class MyCertificatesPagesTest : public test::IssuedCertificatesTest {};

TEST_F(MyCertificatesPagesTest, MyPageListsThisInstitutionsCertificatesOnly) {
  const auto theirs = other_clinic_certificates();
  const auto r = a.s.handle(get("/mypage", clinic));
  ASSERT_EQ(r.status, 200) << r.body;
  for (const auto& c : mine) {
    EXPECT_NE(r.body.find(fmt::format(R"(href="/certificates/{0}">{0}</a>)", c.number)),
              std::string::npos)
        << c.number;
  }
  for (const auto* text : {"<th>取得</th>", "<th>ダウンロード回数</th>",
                           R"(data-label="有効期間">2026年11月24日（火） ～ )",
                           R"(data-label="状況">発行済（未取得）)", R"(data-label="取得">未取得<)",
                           R"(data-label="ダウンロード回数">0回)", R"(data-label="端末">T02)"}) {
    EXPECT_NE(r.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(r.body.find(theirs.number), std::string::npos) << "another institution's certificate";

  const auto other = a.s.handle(get("/mypage", other_cookie));
  EXPECT_NE(other.body.find(theirs.number), std::string::npos);
  for (const auto& c : mine) EXPECT_EQ(other.body.find(c.number), std::string::npos) << c.number;
}

TEST_F(MyCertificatesPagesTest, AnotherInstitutionsNumberIsTheNotFoundOfAnUnknownOne) {
  const auto theirs = other_clinic_certificates();
  const auto unknown = a.s.handle(get("/certificates/C-99999999-01", clinic));
  ASSERT_EQ(unknown.status, 404);
  EXPECT_NE(unknown.body.find(a.s.env.messages.get("certificate.not_found")), std::string::npos);
  const auto other = a.s.handle(get("/certificates/" + theirs.number, clinic));
  EXPECT_EQ(other.status, 404);
  EXPECT_EQ(other.body, unknown.body) << "nothing tells the two apart";
  EXPECT_EQ(a.s.handle(get(fmt::format("/certificates/{}/complete", theirs.number), clinic)).status,
            404);
  const auto token = test::csrf_in(a.s.handle(get("/mypage", clinic)).body);
  const auto posted = a.s.handle(post(fmt::format("/certificates/{}/complete", theirs.number),
                                      test::form_body({{"csrf_token", token}}), clinic));
  EXPECT_EQ(posted.status, 404);
  // Their own page opens for them.
  EXPECT_EQ(a.s.handle(get("/certificates/" + theirs.number, other_cookie)).status, 200);
  // Not logged in: the login page, as for every clinic page.
  EXPECT_EQ(a.s.handle(get("/certificates/" + mine[0].number)).status, 303);
}

TEST_F(MyCertificatesPagesTest, CompletingThePickupThroughItsConfirmationClosesTheCode) {
  const auto& c = mine[0];
  const std::string page = "/certificates/" + c.number;
  const auto before = a.s.handle(get(page, clinic));
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_NE(before.body.find(fmt::format(R"(href="/pickup?n={}")", c.number)), std::string::npos)
      << "the pickup page, while the code is waiting";
  EXPECT_NE(before.body.find("まだ取得されていません"), std::string::npos);
  EXPECT_EQ(before.body.find(page + "/complete"), std::string::npos) << "nothing to complete yet";
  const auto early = a.s.handle(get(page + "/complete", clinic));
  EXPECT_EQ(early.status, 409);
  EXPECT_NE(early.body.find(a.s.env.messages.get("pickup.not_picked_up")), std::string::npos);

  download(c);
  const auto picked = a.s.handle(get(page, clinic));
  for (const auto* text : {"取得済（2026年11月24日（火））", "取得し直せる期限", "192.0.2.10",
                           "証明書ファイル（PEM）", "2026年12月1日（火） 10:"}) {
    EXPECT_NE(picked.body.find(text), std::string::npos) << text;
  }
  EXPECT_NE(picked.body.find(fmt::format(R"(href="{}/complete")", page)), std::string::npos);

  const auto confirm = a.s.handle(get(page + "/complete", clinic));
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  for (const auto* text :
       {"受取を完了しますか", "元に戻せません", "秘密鍵は消去します", "取得コードは使えなくなり"}) {
    EXPECT_NE(confirm.body.find(text), std::string::npos) << text;
  }
  EXPECT_TRUE(current(c.number).sealed_key.has_value()) << "the confirmation changes nothing";
  const auto done = a.s.handle(post(
      page + "/complete", test::form_body({{"csrf_token", test::csrf_in(confirm.body)}}), clinic));
  ASSERT_EQ(done.status, 303) << done.body;
  EXPECT_EQ(header(done, "Location"), page + "?done=completed");

  const auto after = a.s.handle(get(page + "?done=completed", clinic));
  for (const auto* text : {"受取を完了しました。", "<strong>受取完了</strong>",
                           "マイページで「受取を完了する」が押されました。"}) {
    EXPECT_NE(after.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(after.body.find(fmt::format(R"(href="{}/complete")", page)), std::string::npos);
  EXPECT_EQ(after.body.find("href=\"/pickup?n="), std::string::npos) << "the code is closed";
  const auto stored = current(c.number);
  EXPECT_FALSE(stored.sealed_key.has_value()) << "the CA-held key is destroyed";
  EXPECT_EQ(stored.pickup_closed_how, store::PickupClosed::completed);
  // The letter's code no longer opens anything.
  const auto again = app::open_pickup(a.s.env.services, {c.number, c.code, "192.0.2.10"});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(error_of(again).key, "pickup.closed");
  // A second press (another tab) is refused with the reason.
  const auto twice = a.s.handle(post(
      page + "/complete", test::form_body({{"csrf_token", test::csrf_in(confirm.body)}}), clinic));
  EXPECT_EQ(twice.status, 409);
  EXPECT_NE(twice.body.find(a.s.env.messages.get("pickup.closed")), std::string::npos);
  const auto my = a.s.handle(get("/mypage", clinic));
  EXPECT_NE(my.body.find(R"(data-label="取得">受取完了<)"), std::string::npos);
  EXPECT_NE(my.body.find(R"(data-label="状況">有効<)"), std::string::npos);
}

TEST_F(MyCertificatesPagesTest, AGeneratedKeyReplacedByTheTerminalsCsrShowsBothGenerations) {
  const auto& c = mine[1];
  // As the pages show a serial: as the letter prints it.
  const auto old_serial = util::group_serial(current(c.number).serial_hex);
  auto grant = app::open_pickup(a.s.env.services, {c.number, c.code, "192.0.2.20"});
  ASSERT_TRUE(grant.has_value()) << error_of(grant).key;
  auto replaced =
      app::replace_with_csr(a.s.env.services, *grant, make_csr("terminal2"), "192.0.2.20");
  ASSERT_TRUE(replaced.has_value()) << error_of(replaced).key;
  const auto new_serial = util::group_serial(current(c.number).serial_hex);
  ASSERT_NE(new_serial, old_serial);

  const auto r = a.s.handle(get("/certificates/" + c.number, clinic));
  ASSERT_EQ(r.status, 200) << r.body;
  for (const auto* text : {"この発行番号の電子証明書", "第1世代", "第2世代", "現在の電子証明書",
                           "置き換え済（", "端末で作成した CSR の電子証明書に置き換えたため失効",
                           "CSR から発行した電子証明書", "端末で作成した鍵（CSR から発行）"}) {
    EXPECT_NE(r.body.find(text), std::string::npos) << text;
  }
  EXPECT_LT(r.body.find(old_serial, r.body.find("第1世代")), r.body.find("第2世代"));
  const auto my = a.s.handle(get("/mypage", clinic));
  EXPECT_NE(my.body.find(new_serial), std::string::npos) << "マイページ lists the current one";
  EXPECT_EQ(my.body.find(old_serial), std::string::npos);
}

TEST_F(MyCertificatesPagesTest, ALockedPickupSendsTheClinicToTheDesk) {
  lock(mine[0]);
  const auto r = a.s.handle(get("/certificates/" + mine[0].number, clinic));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<strong>取得ロック中</strong>"), std::string::npos);
  EXPECT_NE(r.body.find(a.s.env.messages.get("pickup.locked")), std::string::npos);
  EXPECT_NE(r.body.find("class=\"contact\""), std::string::npos) << "the desk's contact block";
  EXPECT_EQ(r.body.find("href=\"/pickup?n="), std::string::npos);
}

}  // namespace
}  // namespace onshi::web
