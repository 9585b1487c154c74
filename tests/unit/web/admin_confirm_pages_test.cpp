// Issue 14 §2 and §7 on the back-office pages: 承認 and 発行 only from their confirmation pages
// (a form posted from elsewhere changes nothing), printing the letters the operator chose after a
// confirmation that states the count, 新しい取得コードで再印刷, and the menu's counts.
#include <gtest/gtest.h>

#include "../app/clinic_fixture.hpp"
#include "admin_test_env.hpp"
#include "app/applications/certificate_applications.hpp"
#include "app/applications/usage_applications.hpp"
#include "app/office/notice_letters.hpp"
#include "app/office/review.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::header;
using test::post;

class AdminConfirmPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = a.s.env.services;
    user = onshi::test::logged_in_clinic(s);
    ASSERT_TRUE(app::finalize_usage_application(s, user, onshi::test::usage_form()).has_value());
    number = apply("2", "key-1");
    detail = "/admin/applications/" + number;
  }

  std::string apply(const std::string& count, const std::string& key) {
    auto applied = app::submit_certificate_application(a.s.env.services, user,
                                                       onshi::test::certificate_form(count, key));
    EXPECT_TRUE(applied.has_value());
    return applied->application.number;
  }

  std::string status() {
    return std::string(
        domain::state_key(app::application_dossier(a.s.env.services, number)->application.status));
  }

  // Posts the decision straight to the detail URL, as an old page or a replayed request would.
  Response post_directly(const std::string& cookie, std::string_view action,
                         std::string_view confirmed = {}) {
    const auto token = a.token_of(detail, cookie);
    std::vector<std::pair<std::string_view, std::string_view>> f = {{"csrf_token", token},
                                                                    {"action", action}};
    if (!confirmed.empty()) f.emplace_back("confirmed", confirmed);
    return a.s.handle(post(detail, test::form_body(f), cookie));
  }

  test::AdminEnv a;
  app::SessionUser user;
  std::string number;
  std::string detail;
};

TEST_F(AdminConfirmPagesTest, ApprovalIsConfirmedOnAPageOfItsOwn) {
  const auto reviewer = a.login("reviewer");
  const auto page = a.s.handle(get(detail, reviewer));
  EXPECT_NE(page.body.find("href=\"" + detail + "/approve\""), std::string::npos);
  const auto confirm = a.s.handle(get(detail + "/approve", reviewer));
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  for (const auto* text : {"この申請を承認しますか", "テストクリニック", "13-1-0123455", "2枚",
                           "取り消せません", "承認を確定する", "承認せずに戻る"}) {
    EXPECT_NE(confirm.body.find(text), std::string::npos) << text;
  }
  EXPECT_NE(confirm.body.find(number), std::string::npos);
  EXPECT_EQ(status(), "applied") << "showing the confirmation changes nothing";

  // Without the confirmation's token: the confirmation page again, nothing approved.
  const auto direct = post_directly(reviewer, "approve");
  EXPECT_EQ(direct.status, 200);
  EXPECT_NE(direct.body.find("承認を確定する"), std::string::npos);
  EXPECT_EQ(status(), "applied");
  // A token that is not this application's present state: refused, nothing approved.
  const auto forged = post_directly(reviewer, "approve", "applied.1.2");
  EXPECT_EQ(forged.status, 409);
  EXPECT_NE(forged.body.find(a.s.env.messages.get("office_confirm.confirmation_stale")),
            std::string::npos);
  EXPECT_EQ(status(), "applied");

  const auto ok = a.decide(detail, reviewer, "approve");
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(header(ok, "Location"), detail + "?done=approve");
  EXPECT_EQ(status(), "approved");
  // Nothing left to approve: the confirmation URL shows the detail page with the reason.
  const auto late = a.s.handle(get(detail + "/approve", reviewer));
  EXPECT_EQ(late.status, 409);
  EXPECT_NE(late.body.find(a.s.env.messages.get("review.wrong_state")), std::string::npos);
  // An issuer may not open the approval's confirmation.
  EXPECT_EQ(a.s.handle(get(detail + "/approve", a.login("issuer"))).status, 403);
}

TEST_F(AdminConfirmPagesTest, IssuanceStatesTheFeeBeforeItSigns) {
  a.open_ca();
  ASSERT_EQ(a.decide(detail, a.login("reviewer"), "approve").status, 303);
  const auto issuer = a.login("issuer");
  const auto confirm = a.s.handle(get(detail + "/issue", issuer));
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  for (const auto* text : {"電子証明書を発行しますか", "テストクリニック", "13-1-0123455",
                           "1枚 1,500円（税別）× 2枚 = 3,000円", "3,300円", "取り消せません",
                           "発行を確定する（2枚）", "発行せずに戻る", "name=\"csr_2\""}) {
    EXPECT_NE(confirm.body.find(text), std::string::npos) << text;
  }
  const auto direct = post_directly(issuer, "issue");
  EXPECT_EQ(direct.status, 200);
  EXPECT_NE(direct.body.find("発行を確定する（2枚）"), std::string::npos);
  EXPECT_EQ(status(), "approved");
  EXPECT_TRUE(app::application_dossier(a.s.env.services, number)->certificates.empty());

  const auto ok = a.decide(detail, issuer, "issue");
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(status(), "issued");
  EXPECT_EQ(app::application_dossier(a.s.env.services, number)->certificates.size(), 2u);
}

TEST_F(AdminConfirmPagesTest, TheOperatorChoosesWhichLettersToPrint) {
  a.open_ca();
  const auto other = apply("1", "key-2");
  const auto admin = a.login("admin");
  const auto issuer = a.login("issuer");
  for (const auto& n : {number, other}) {
    const auto path = "/admin/applications/" + n;
    ASSERT_EQ(a.decide(path, admin, "approve").status, 303);
    ASSERT_EQ(a.decide(path, issuer, "issue").status, 303);
  }
  const auto list = a.s.handle(get("/admin/letters", issuer));
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find("type=\"checkbox\""), std::string::npos);
  EXPECT_NE(list.body.find("value=\"" + other + "\""), std::string::npos);
  EXPECT_NE(list.body.find("（未印刷 2・書留未記録 0）"), std::string::npos) << "menu counts";

  const auto nothing = a.s.handle(get("/admin/letters/print", issuer));
  EXPECT_EQ(nothing.status, 422);
  EXPECT_NE(nothing.body.find(a.s.env.messages.get("office_confirm.no_letters_chosen")),
            std::string::npos);
  const auto confirm = a.s.handle(get("/admin/letters/print?n2=" + other, issuer));
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  for (const auto* text : {"1件の通知書", "唯一の控え", "新しい取得コードで再印刷",
                           "1件をダウンロードする", "ダウンロードせずに戻る"}) {
    EXPECT_NE(confirm.body.find(text), std::string::npos) << text;
  }
  const auto token = test::csrf_in(confirm.body);
  // Without confirmed=1 (not from the confirmation page): the confirmation, nothing printed.
  const auto direct = a.s.handle(post(
      "/admin/letters/print", test::form_body({{"csrf_token", token}, {"n1", other}}), issuer));
  EXPECT_EQ(direct.status, 200);
  EXPECT_EQ(app::letter_queue(a.s.env.services).to_print.size(), 2u);

  const auto pdf = a.s.handle(
      post("/admin/letters/print",
           test::form_body({{"csrf_token", token}, {"confirmed", "1"}, {"n1", other}}), issuer));
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_TRUE(pdf.body.starts_with("%PDF-"));
  EXPECT_EQ(app::letter_queue(a.s.env.services).to_print, std::vector<std::string>{number});
  // The same confirmation again (a double click): that letter is printed already, nothing is.
  const auto again = a.s.handle(
      post("/admin/letters/print",
           test::form_body({{"csrf_token", token}, {"confirmed", "1"}, {"n1", other}}), issuer));
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find(a.s.env.messages.get("office_confirm.letters_changed")),
            std::string::npos);

  // The detail page prints its own letter, and offers the reprint once it is printed.
  EXPECT_NE(a.s.handle(get(detail, issuer)).body.find("/admin/letters/print?n1=" + number),
            std::string::npos);
  EXPECT_NE(a.s.handle(get("/admin/applications/" + other, issuer))
                .body.find("/admin/letters/reprint?number=" + other),
            std::string::npos);
}

TEST_F(AdminConfirmPagesTest, AReprintIsConfirmedAndRenewsTheCodes) {
  a.open_ca();
  const auto admin = a.login("admin");
  const auto issuer = a.login("issuer");
  ASSERT_EQ(a.decide(detail, admin, "approve").status, 303);
  ASSERT_EQ(a.decide(detail, issuer, "issue").status, 303);
  const auto hashes = [&] {
    std::vector<std::string> out;
    const auto dossier = app::application_dossier(a.s.env.services, number);
    for (const auto& c : dossier->certificates) out.push_back(c.pickup_code_hash);
    return out;
  };
  const auto token = a.token_of("/admin/letters", issuer);
  const auto reprint = [&](bool confirmed) {
    std::vector<std::pair<std::string_view, std::string_view>> f = {{"csrf_token", token},
                                                                    {"number", number}};
    if (confirmed) f.emplace_back("confirmed", "1");
    return a.s.handle(post("/admin/letters/reprint", test::form_body(f), issuer));
  };
  const auto unprinted = reprint(true);
  EXPECT_EQ(unprinted.status, 409);
  EXPECT_NE(unprinted.body.find(a.s.env.messages.get("office_confirm.not_printed")),
            std::string::npos);
  ASSERT_EQ(
      a.s.handle(post("/admin/letters/print",
                      test::form_body({{"csrf_token", token}, {"confirmed", "1"}, {"n1", number}}),
                      issuer))
          .status,
      200);
  const auto before = hashes();

  const auto confirm = a.s.handle(get("/admin/letters/reprint?number=" + number, issuer));
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  for (const auto* text : {"新しい取得コードで再印刷しますか", "テストクリニック", "2枚",
                           "使えなくなります", "破棄してください", "再印刷せずに戻る"}) {
    EXPECT_NE(confirm.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(reprint(false).status, 200);
  EXPECT_EQ(hashes(), before) << "not confirmed: the codes stay";
  const auto pdf = reprint(true);
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_TRUE(pdf.body.starts_with("%PDF-"));
  EXPECT_NE(header(pdf, "Content-Disposition").find("reprint"), std::string::npos);
  const auto after = hashes();
  ASSERT_EQ(after.size(), 2u);
  for (std::size_t i = 0; i < after.size(); ++i) EXPECT_NE(after[i], before[i]);
  EXPECT_EQ(a.s.handle(get("/admin/letters/reprint?number=C-99999999", issuer)).status, 404);
  EXPECT_EQ(a.s.handle(get("/admin/letters/reprint?number=" + number, a.login("reviewer"))).status,
            403);
}

TEST_F(AdminConfirmPagesTest, AReprintedPostedLetterWaitsForItsResend) {
  a.open_ca();
  const auto admin = a.login("admin");
  const auto issuer = a.login("issuer");
  ASSERT_EQ(a.decide(detail, admin, "approve").status, 303);
  ASSERT_EQ(a.decide(detail, issuer, "issue").status, 303);
  const auto token = a.token_of("/admin/letters", issuer);
  const auto send = [&](std::string_view path,
                        std::vector<std::pair<std::string_view, std::string_view>> f) {
    f.emplace_back("csrf_token", token);
    return a.s.handle(post(std::string(path), test::form_body(f), issuer));
  };
  ASSERT_EQ(send("/admin/letters/print", {{"confirmed", "1"}, {"n1", number}}).status, 200);
  ASSERT_EQ(
      send("/admin/mail",
           {{"number", number}, {"tracking_number", "11111111111"}, {"mailed_on", "2026-11-24"}})
          .status,
      303);
  const auto mailed = a.s.handle(get("/admin/letters/reprint?number=" + number, issuer));
  EXPECT_NE(mailed.body.find("（発送済）"), std::string::npos)
      << "the confirmation says it was posted";
  EXPECT_NE(mailed.body.find("無料で再送"), std::string::npos) << "and that it is sent again";
  ASSERT_EQ(send("/admin/letters/reprint", {{"number", number}, {"confirmed", "1"}}).status, 200);

  const auto letters = a.s.handle(get("/admin/letters", issuer));
  const auto row = letters.body.find("id=\"tracking_" + number + "\"");
  ASSERT_NE(row, std::string::npos) << "the resend waits for its registered mail";
  EXPECT_NE(letters.body.find("再送"), std::string::npos);
  EXPECT_NE(letters.body.find("（未印刷 0・書留未記録 1）"), std::string::npos);
  EXPECT_NE(a.s.handle(get(detail, issuer)).body.find("再送の書留は未記録"), std::string::npos);
  ASSERT_EQ(
      send("/admin/mail",
           {{"number", number}, {"tracking_number", "22222222222"}, {"mailed_on", "2026-11-24"}})
          .status,
      303);
  EXPECT_EQ(a.s.handle(get("/admin/letters", issuer)).body.find("id=\"tracking_" + number + "\""),
            std::string::npos);
}

TEST_F(AdminConfirmPagesTest, TheListsShowTheShippingDeadlineAndTheNextStep) {
  const auto reviewer = a.login("reviewer");
  const auto dash = a.s.handle(get("/admin", reviewer));
  for (const auto* text : {"発送期限", "2026年11月27日（金）", "次の作業", "<td>審査</td>",
                           "審査待ち 1・発行待ち 0"}) {
    EXPECT_NE(dash.body.find(text), std::string::npos) << text;
  }
  const auto queue = a.s.handle(get("/admin/applications", reviewer));
  EXPECT_NE(queue.body.find("2026年11月27日（金）"), std::string::npos);
  EXPECT_NE(queue.body.find("発行済（未印刷）"), std::string::npos) << "the filter offers it";
  EXPECT_EQ(queue.body.find("発送期限超過"), std::string::npos);
  // Monday 11-30: the arrival date is tomorrow but the letter should have been posted Friday.
  a.s.env.clock.advance(std::chrono::days{6});
  const auto later = a.login("reviewer");
  const auto late = a.s.handle(get("/admin/applications", later));
  EXPECT_NE(late.body.find("class=\"overdue\""), std::string::npos);
  EXPECT_NE(late.body.find("発送期限超過 1件"), std::string::npos);
  EXPECT_NE(a.s.handle(get("/admin", later)).body.find("（発送期限超過 1）"), std::string::npos);
}

}  // namespace
}  // namespace onshi::web
