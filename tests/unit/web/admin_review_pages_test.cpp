// The review pages with a real application: dashboard, queue and its filter, the detail page, the
// decisions (errors beside the action with the typed reason kept, ?done= after success), the
// letters page when nothing is issued, and the audit page with its chain check.
#include <gtest/gtest.h>

#include "../app/clinic_fixture.hpp"
#include "admin_test_env.hpp"
#include "app/accounts/accounts.hpp"
#include "app/applications/certificate_applications.hpp"
#include "app/applications/usage_applications.hpp"
#include "app/office/review.hpp"
#include "store/raw_access.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::header;
using test::post;

class AdminReviewPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto& s = a.s.env.services;
    user = onshi::test::logged_in_clinic(s);
    ASSERT_TRUE(app::finalize_usage_application(s, user, onshi::test::usage_form()).has_value());
    const auto f = onshi::test::certificate_form("2", "key-c");
    auto applied = app::submit_certificate_application(s, user, f);
    ASSERT_TRUE(applied.has_value());
    number = applied->application.number;
    detail = "/admin/applications/" + number;
  }

  // 承認 and 発行 go through their confirmation pages (admin_confirm_pages_test).
  Response act(const std::string& cookie, std::string_view action, std::string_view note = {}) {
    if (action == "approve" || action == "issue") return a.decide(detail, cookie, action);
    const auto token = a.token_of(detail, cookie);
    return a.s.handle(
        post(detail, test::form_body({{"csrf_token", token}, {"action", action}, {"note", note}}),
             cookie));
  }

  test::AdminEnv a;
  app::SessionUser user;
  std::string number;
  std::string detail;
};

TEST_F(AdminReviewPagesTest, DashboardAndQueueListTheApplication) {
  const auto cookie = a.login("reviewer");
  const auto dash = a.s.handle(get("/admin", cookie));
  ASSERT_EQ(dash.status, 200) << dash.body;
  for (const auto* text : {"申請番号", "残り営業日", "テストクリニック", "13-1-0123455",
                           "13 東京都", "2026年12月1日（火）", "申請済"}) {
    EXPECT_NE(dash.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(dash.body.find("class=\"overdue\""), std::string::npos);
  // Six business days later (a Wednesday) it is overdue.
  a.s.env.clock.advance(std::chrono::days{8});
  const auto cookie_later = a.login("reviewer");  // the first session has timed out meanwhile
  const auto late = a.s.handle(get("/admin", cookie_later));
  EXPECT_NE(late.body.find("class=\"overdue\""), std::string::npos);
  EXPECT_NE(late.body.find("発送期限超過"), std::string::npos);

  const auto queue = a.s.handle(get("/admin/applications", cookie_later));
  ASSERT_EQ(queue.status, 200);
  EXPECT_NE(queue.body.find("href=\"" + detail + "\""), std::string::npos);
  EXPECT_NE(queue.body.find("すべての未完了"), std::string::npos);
  EXPECT_NE(queue.body.find("47 沖縄県"), std::string::npos);
  const auto osaka = a.s.handle(get("/admin/applications?prefecture=27&status=", cookie_later));
  EXPECT_EQ(osaka.body.find("href=\"" + detail + "\""), std::string::npos);
  EXPECT_NE(osaka.body.find(R"(<option value="27" selected>)"), std::string::npos);
  const auto approved = a.s.handle(get("/admin/applications?status=approved", cookie_later));
  EXPECT_EQ(approved.body.find("href=\"" + detail + "\""), std::string::npos);
}

TEST_F(AdminReviewPagesTest, DetailShowsTheWholeApplication) {
  const auto cookie = a.login("reviewer");
  const auto r = a.s.handle(get(detail, cookie));
  ASSERT_EQ(r.status, 200) << r.body;
  for (const auto* text : {"〒104-0061 東京都中央区銀座1-2-3 オンシビル5階", "山田 花子",
                           "03-1234-5678", "3,300円", "CAF1234567890", "ベンダ株式会社", "承認する",
                           "差戻す", "却下する", "certificate_application.apply"}) {
    EXPECT_NE(r.body.find(text), std::string::npos) << text;
  }
  EXPECT_EQ(r.body.find("電子証明書を発行する"), std::string::npos) << "a reviewer does not issue";
  EXPECT_EQ(a.s.handle(get("/admin/applications/C-99999999", cookie)).status, 404);
}

TEST_F(AdminReviewPagesTest, ASendBackWithoutAReasonIsRefusedBesideTheForm) {
  const auto cookie = a.login("reviewer");
  const auto r = act(cookie, "send_back", "  ");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(r.body.find(a.s.env.messages.get("review.note_required")), std::string::npos);
  const auto long_note = std::string(1001, 'x');
  const auto too_long = act(cookie, "reject", long_note);
  EXPECT_EQ(too_long.status, 422);
  EXPECT_NE(too_long.body.find(a.s.env.messages.get("review.note_too_long")), std::string::npos);
  EXPECT_NE(too_long.body.find(">" + long_note + "</textarea>"), std::string::npos);

  const auto ok = act(cookie, "send_back", "医療機関コードをご確認ください");
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_EQ(header(ok, "Location"), detail + "?done=send_back");
  const auto page = a.s.handle(get(detail + "?done=send_back", cookie));
  EXPECT_NE(page.body.find("差戻しました"), std::string::npos);
  EXPECT_NE(page.body.find("医療機関コードをご確認ください"), std::string::npos);
}

TEST_F(AdminReviewPagesTest, ApprovalThenTheIssuerSeesTheIssueForm) {
  const auto reviewer = a.login("reviewer");
  const auto ok = act(reviewer, "approve");
  ASSERT_EQ(ok.status, 303) << ok.body;
  EXPECT_NE(a.s.handle(get(detail + "?done=approve", reviewer)).body.find("承認しました"),
            std::string::npos);
  // Approving twice: the state moved on, so the page says so above the actions.
  const auto again = act(reviewer, "approve");
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find(a.s.env.messages.get("review.wrong_state")), std::string::npos);
  // A reviewer may not issue; the issuer gets the form with one CSR box per certificate.
  EXPECT_EQ(act(reviewer, "issue").status, 403);
  const auto issuer = a.login("issuer");
  const auto page = a.s.handle(get(detail, issuer));
  EXPECT_NE(page.body.find("電子証明書を発行する（2枚）"), std::string::npos);
  EXPECT_EQ(page.body.find("あなたが承認しました"), std::string::npos);
  // The CSR boxes are on the confirmation page, beside the fee.
  const auto confirm = a.s.handle(get(detail + "/issue", issuer));
  EXPECT_NE(confirm.body.find("name=\"csr_2\""), std::string::npos);
  // No CA in this test: the refusal is shown beside the issue button.
  const auto refused = act(issuer, "issue");
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find(a.s.env.messages.get("review.ca_unavailable")), std::string::npos);
  EXPECT_EQ(act(issuer, "bogus").status, 400);
}

TEST_F(AdminReviewPagesTest, ARefusedCsrIsShownBesideItsBoxWithWhatWasPasted) {
  a.open_ca();
  ASSERT_EQ(act(a.login("reviewer"), "approve").status, 303);
  const auto issuer = a.login("issuer");
  const std::string pasted = "-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n";
  const auto refused = a.decide(detail, issuer, "issue", {{"csr_1", ""}, {"csr_2", pasted}});
  EXPECT_EQ(refused.status, 422);
  const auto& b = refused.body;
  // The summary names the certificate; the reason is right after the second box, which keeps
  // what was pasted; the folded CSR section is open so the operator sees it.
  EXPECT_NE(b.find("2枚目の CSR"), std::string::npos) << b;
  const auto box = b.find("id=\"csr_2\"");
  ASSERT_NE(box, std::string::npos);
  const auto reason = b.find(a.s.env.messages.get("csr.unreadable"));
  ASSERT_NE(reason, std::string::npos);
  EXPECT_GT(reason, box);
  EXPECT_LT(reason, b.find("</div>", box));
  EXPECT_NE(b.find("aria-describedby=\"csr_2_error\""), std::string::npos);
  EXPECT_EQ(b.find("aria-describedby=\"csr_1_error\""), std::string::npos);
  EXPECT_NE(b.find("not base64 at all"), std::string::npos);
  EXPECT_NE(b.find("<details open>"), std::string::npos);
  // Nothing was issued: the confirmation is still there for another try.
  EXPECT_NE(b.find("発行を確定する（2枚）"), std::string::npos);
  EXPECT_NE(a.s.handle(get(detail + "/issue", issuer)).body.find("<details>"), std::string::npos);
}

TEST_F(AdminReviewPagesTest, TheApproverIsWarnedBeforeIssuing) {
  const auto admin = a.login("admin");
  ASSERT_EQ(act(admin, "approve").status, 303);
  const auto page = a.s.handle(get(detail, admin));
  EXPECT_NE(page.body.find("あなたが承認しました"), std::string::npos);
  // Operators read the rule, never the setting's internal name.
  EXPECT_EQ(page.body.find("review.separate_issuer"), std::string::npos);
  // Another admin does not see the warning (the refusal itself is the app's: back_office_test).
  a.add_operator("admin2", "admin");
  EXPECT_EQ(a.s.handle(get(detail, a.login("admin2"))).body.find("あなたが承認しました"),
            std::string::npos);
}

TEST_F(AdminReviewPagesTest, LettersPageWithNothingToPrint) {
  const auto issuer = a.login("issuer");
  const auto page = a.s.handle(get("/admin/letters", issuer));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("未印刷の通知書はありません"), std::string::npos);
  EXPECT_NE(page.body.find("再ダウンロードできません"), std::string::npos);
  EXPECT_NE(page.body.find("新しい取得コードで再印刷"), std::string::npos);
  const auto mail = a.s.handle(post("/admin/mail",
                                    test::form_body({{"csrf_token", test::csrf_in(page.body)},
                                                     {"number", number},
                                                     {"tracking_number", "12"},
                                                     {"mailed_on", "2026-11-24"}}),
                                    issuer));
  EXPECT_EQ(mail.status, 422);
  EXPECT_NE(mail.body.find(a.s.env.messages.get("review.tracking_number")), std::string::npos);
}

TEST_F(AdminReviewPagesTest, ATrackingNumberUsedForAnotherLetterIsRefusedBesideTheField) {
  a.open_ca();
  auto& s = a.s.env.services;
  const auto f = onshi::test::certificate_form("1", "key-d");
  auto second = app::submit_certificate_application(s, user, f);
  ASSERT_TRUE(second.has_value());
  const auto admin = a.login("admin");
  const auto issuer = a.login("issuer");
  for (const auto& n : {number, second->application.number}) {
    const auto path = "/admin/applications/" + n;
    ASSERT_EQ(a.decide(path, admin, "approve").status, 303);
    ASSERT_EQ(a.decide(path, issuer, "issue").status, 303);
  }
  const auto token = a.token_of("/admin/letters", issuer);
  ASSERT_EQ(a.s.handle(post("/admin/letters/print",
                            test::form_body({{"csrf_token", token},
                                             {"confirmed", "1"},
                                             {"n1", number},
                                             {"n2", second->application.number}}),
                            issuer))
                .status,
            200);
  const auto record = [&](const std::string& n, std::string_view tracking) {
    return a.s.handle(post("/admin/mail",
                           test::form_body({{"csrf_token", token},
                                            {"number", n},
                                            {"tracking_number", tracking},
                                            {"mailed_on", "2026-11-24"}}),
                           issuer));
  };
  ASSERT_EQ(record(number, "1234-5678-901").status, 303);
  const auto used = record(second->application.number, "１２３４－５６７８－９０１");
  EXPECT_EQ(used.status, 422) << used.body;
  const auto message = a.s.env.messages.get("review.tracking_number_used");
  const auto at = used.body.find(message);
  ASSERT_NE(at, std::string::npos) << used.body;
  EXPECT_NE(used.body.find("value=\"１２３４－５６７８－９０１\""), std::string::npos)
      << "what was typed stays";
  const auto field = used.body.find("id=\"tracking_" + second->application.number + "\"");
  ASSERT_NE(field, std::string::npos);
  EXPECT_GT(at, field) << "the message is beside the field";
  EXPECT_NE(used.body.find("aria-invalid=\"true\"", field), std::string::npos);
  EXPECT_EQ(domain::state_key(
                app::application_dossier(s, second->application.number)->application.status),
            "issued");
}

TEST_F(AdminReviewPagesTest, ABrokenAuditLogIsExplainedInJapanese) {
  const auto admin = a.login("admin");
  ASSERT_EQ(act(admin, "approve").status, 303);
  const auto db = a.s.env.dir.path() / "onshi.db";
  ASSERT_TRUE(store::raw_sql(db.string(),
                             "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = "
                             "'{}' WHERE seq = 2;")
                  .ok);
  const auto r = a.s.handle(get("/admin/audit", admin));
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(
                "監査ログの検査に失敗しました。番号 2 の記録が書き込まれた後に変更されています。"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.body.find("changed after"), std::string::npos) << "no English on the page";
}

TEST_F(AdminReviewPagesTest, AuditPageListsAndVerifies) {
  const auto admin = a.login("admin");
  ASSERT_EQ(act(admin, "approve").status, 303);
  const auto r = a.s.handle(get("/admin/audit?subject=" + number, admin));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("application.approve"), std::string::npos);
  EXPECT_NE(r.body.find("admin 担当 (operator:"), std::string::npos);
  EXPECT_NE(r.body.find("OK：全"), std::string::npos);
  EXPECT_EQ(r.body.find("さらに古い記録"), std::string::npos);
  const auto none = a.s.handle(get("/admin/audit?action=letter.", admin));
  EXPECT_NE(none.body.find("条件に合う記録はありません"), std::string::npos);
}

}  // namespace
}  // namespace onshi::web
