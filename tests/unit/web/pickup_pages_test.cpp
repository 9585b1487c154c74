// 取得用ページ through the Site: the letter's URL fills the number in, a wrong pair reads the same
// whichever half was wrong and the code is never sent back, the refusals say what to do, the
// PKCS#12 form keeps its format but never a password, the file's headers, CSRF, and an expired
// grant.
#include "pickup_env.hpp"
#include "util/text.hpp"
#include "web/display.hpp"

namespace onshi::web {
namespace {

using test::contains;
using test::header;
using test::hidden_value;

class PickupEntryTest : public test::PickupPagesTest {};

TEST_F(PickupEntryTest, TheQrCodesUrlFillsTheNumberIn) {
  const auto r = entry("?n=C-00000001-01");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(contains(r.body, R"(name="issuance_number" value="C-00000001-01")")) << r.body;
  EXPECT_TRUE(contains(r.body, R"(<input id="pickup_code" name="pickup_code" inputmode="text" )"
                               R"(autocomplete="off")"))
      << r.body;
  EXPECT_TRUE(contains(r.body, "全角・半角、ハイフンの有無は問いません"));
  EXPECT_TRUE(contains(r.body, ">次へ</button>"));
  EXPECT_FALSE(token.empty()) << "a visitor's form carries a CSRF token";
  EXPECT_FALSE(cookie.empty()) << "bound to the onshi_csrf cookie";
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
  // The number the letter printed is what the URL holds: the page and the letter agree.
  const auto plain = a.s.handle(test::get("/pickup"));
  EXPECT_TRUE(contains(plain.body, R"(name="issuance_number" value="")"));
}

TEST_F(PickupEntryTest, AWrongPairReadsTheSameWhicheverHalfWasWrong) {
  const auto c = issue("2", "w1");
  const auto wrong_code = open(c[0].number, "AAAA-BBBB-CCCC-DDDD");
  const auto wrong_number = open("C-99999999-01", c[0].code);
  const auto other_number = open(c[1].number, c[0].code);  // a real number, another's code
  const auto message = services().messages.get("pickup.wrong_pair");
  for (const auto* r : {&wrong_code, &wrong_number, &other_number}) {
    EXPECT_EQ(r->status, 401);
    EXPECT_TRUE(contains(r->body, message));
    EXPECT_TRUE(contains(r->body, R"(class="error-summary")"));
    EXPECT_TRUE(contains(r->body, R"(href="#pair")"));
    EXPECT_FALSE(contains(r->body, c[0].code)) << "the code is never sent back";
    EXPECT_FALSE(contains(r->body, "AAAA-BBBB-CCCC-DDDD"));
    EXPECT_FALSE(contains(r->body, "pickup_code-error")) << "no field is singled out";
    EXPECT_FALSE(contains(r->body, "issuance_number-error"));
  }
  // What was typed of the number is kept.
  EXPECT_TRUE(contains(wrong_number.body, R"(value="C-99999999-01")"));
  // Apart from the number kept, the pages are the same.
  auto without_number = [&](std::string body, const std::string& number) {
    const auto at = body.find("value=\"" + number + "\"");
    if (at != std::string::npos) body.erase(at, number.size() + 8);
    return body;
  };
  EXPECT_EQ(without_number(wrong_code.body, c[0].number),
            without_number(wrong_number.body, "C-99999999-01"));
  EXPECT_EQ(current(c[0].number).pickup_failures, 1);
}

TEST_F(PickupEntryTest, AnEmptyHalfIsSaidAndNotCounted) {
  const auto c = issue("1", "w2");
  const auto r = open(c[0].number, "  ");
  EXPECT_EQ(r.status, 422);
  EXPECT_TRUE(contains(r.body, services().messages.get("pickup.code_missing")));
  EXPECT_TRUE(contains(r.body, R"(id="pickup_code-error")"));
  EXPECT_EQ(current(c[0].number).pickup_failures, 0);
  const auto none = open("", "");
  EXPECT_TRUE(contains(none.body, services().messages.get("pickup.number_missing")));
}

TEST_F(PickupEntryTest, TheRightPairTypedLooselyOpensTheCertificatesPage) {
  const auto c = issue("1", "w3");
  const auto r = open("ｃ" + c[0].number.substr(1), test::typed_loosely(c[0].code));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto cert = current(c[0].number);
  EXPECT_TRUE(contains(r.body, "テストクリニック"));
  EXPECT_TRUE(contains(r.body, util::group_serial(cert.serial_hex)));
  EXPECT_TRUE(contains(r.body, "<dd>T01</dd>"));
  EXPECT_TRUE(contains(r.body, c[0].number));
  EXPECT_TRUE(contains(r.body, "PKCS#12 ファイルをダウンロード"));
  EXPECT_TRUE(contains(r.body, "端末で作成した CSR を使う"));
  EXPECT_FALSE(contains(r.body, "/pickup/chain")) << "a generated key comes as PKCS#12";
  EXPECT_FALSE(hidden_value(r.body, "grant").empty());
  EXPECT_FALSE(contains(r.body, c[0].code));
  EXPECT_FALSE(contains(r.body, test::typed_loosely(c[0].code)));
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
}

TEST_F(PickupEntryTest, FormsWithoutTheirCsrfTokenAreRefused) {
  const auto c = issue("1", "w4");
  entry();
  const auto body = test::form_body({{"issuance_number", c[0].number}, {"pickup_code", c[0].code}});
  EXPECT_EQ(a.s.handle(test::post("/pickup", body, cookie)).status, 403);
  // A token without its cookie, as a form planted on another site would send it.
  const auto tokened = test::form_body(
      {{"issuance_number", c[0].number}, {"pickup_code", c[0].code}, {"csrf_token", token}});
  EXPECT_EQ(a.s.handle(test::post("/pickup", tokened)).status, 403);
  EXPECT_EQ(current(c[0].number).pickup_failures, 0) << "refused before anything is counted";

  const auto page = open(c[0].number, c[0].code);
  const auto grant = hidden_value(page.body, "grant");
  const auto download = test::form_body({{"grant", grant},
                                         {"password", "long password"},
                                         {"password_again", "long password"},
                                         {"format", "standard"}});
  const auto refused = a.s.handle(test::post("/pickup/pkcs12", download, cookie));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(header(refused, "Referrer-Policy"), "no-referrer");
  EXPECT_FALSE(current(c[0].number).picked_up_at.has_value());
}

TEST_F(PickupEntryTest, FiveWrongCodesLockAndTheDeskUnlocks) {
  const auto c = issue("1", "w5");
  for (int i = 0; i < services().config.pickup_max_attempts; ++i)
    EXPECT_EQ(open(c[0].number, "AAAA-BBBB-CCCC-DDDD").status, 401);
  const auto locked = open(c[0].number, c[0].code);
  EXPECT_EQ(locked.status, 403);
  EXPECT_TRUE(contains(locked.body, services().messages.get("pickup.locked")));
  EXPECT_TRUE(contains(locked.body, R"(class="contact")")) << "the desk's phone on the page";
  EXPECT_TRUE(contains(locked.body, "href=\"/pickup?n=" + c[0].number + "\""));
  ASSERT_TRUE(app::unlock_pickup(services(), *app::cli_actor(services(), "issuer"), c[0].number)
                  .has_value());
  EXPECT_EQ(open(c[0].number, c[0].code).status, 200);
}

TEST_F(PickupEntryTest, OneAddressTryingManyNumbersIsHeldBack) {
  const auto c = issue("1", "w6");
  for (int i = 0; i < 10; ++i) {
    open("C-9999" + std::to_string(1000 + i) + "-01", c[0].code, "198.51.100.9");
  }
  const auto held = open(c[0].number, c[0].code, "198.51.100.9");
  EXPECT_EQ(held.status, 429);
  EXPECT_TRUE(contains(held.body, services().messages.get("pickup.throttled")));
  EXPECT_EQ(open(c[0].number, c[0].code, "198.51.100.10").status, 200) << "another address";
}

TEST_F(PickupEntryTest, AfterTheWindowThePageSaysToAskForANewLetter) {
  const auto c = issue("1", "w7");
  a.s.env.clock.advance(std::chrono::days{services().config.pickup_valid_days});
  const auto r = open(c[0].number, c[0].code);
  EXPECT_EQ(r.status, 409);
  EXPECT_TRUE(contains(r.body, services().messages.get("pickup.window_over")));
  EXPECT_TRUE(contains(r.body, "通知書の再発行"));
  EXPECT_TRUE(contains(r.body, R"(class="contact")"));
}

}  // namespace
}  // namespace onshi::web
