// 取得ロックを解除 in the back office: the application's page shows each certificate's 受取
// (locked, wrong codes, downloads, closed how); issuers and admins get the unlock, through its
// confirmation, and the letter's code works again; reviewers neither see nor may post it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "issued_certificates_env.hpp"
#include "support/error_of.hpp"

namespace onshi::web {
namespace {

using onshi::test::error_of;
using test::get;
using test::header;
using test::post;

class AdminPickupUnlockTest : public test::IssuedCertificatesTest {
 protected:
  std::string detail() const { return fmt::format("/admin/applications/{}", mine[0].application); }
  std::string unlock_path() const {
    return fmt::format("/admin/certificates/{}/unlock", mine[0].number);
  }
  Response post_unlock(const std::string& cookie, bool confirmed) {
    const auto token = a.token_of(detail(), cookie);
    std::vector<std::pair<std::string_view, std::string_view>> fields = {{"csrf_token", token}};
    if (confirmed) fields.emplace_back("confirmed", "1");
    return a.s.handle(post(unlock_path(), test::form_body(fields), cookie));
  }
  std::vector<store::AuditRecord> unlock_audit() {
    store::AuditFilter f;
    f.subject = mine[0].number;
    f.action_prefix = "certificate.pickup_unlock";
    return a.s.env.db->read([&](store::ReadTx& tx) { return tx.audit().audit_entries(f); });
  }
};

TEST_F(AdminPickupUnlockTest, TheApplicationPageShowsEachCertificatesPickup) {
  download(mine[1]);
  lock(mine[0]);
  const auto cookie = a.login("issuer");
  const auto r = a.s.handle(get(detail(), cookie));
  ASSERT_EQ(r.status, 200) << r.body;
  for (const auto* text :
       {"<th>取得</th>", "取得ロック中", "誤った取得コード 5回", "ダウンロード 1回",
        "ダウンロード 0回", "取得済（2026年11月24日（火））"}) {
    EXPECT_NE(r.body.find(text), std::string::npos) << text;
  }
  // Only the locked one has the unlock.
  EXPECT_NE(r.body.find(fmt::format(R"(href="{}")", unlock_path())), std::string::npos);
  EXPECT_EQ(r.body.find(fmt::format("/admin/certificates/{}/unlock", mine[1].number)),
            std::string::npos);
}

TEST_F(AdminPickupUnlockTest, AReviewerNeitherSeesNorMayPostTheUnlock) {
  lock(mine[0]);
  const auto cookie = a.login("reviewer");
  const auto page = a.s.handle(get(detail(), cookie));
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("取得ロック中"), std::string::npos) << "the lock is shown to everyone";
  EXPECT_EQ(page.body.find("取得ロックを解除"), std::string::npos);
  EXPECT_EQ(a.s.handle(get(unlock_path(), cookie)).status, 403);
  EXPECT_EQ(post_unlock(cookie, true).status, 403);
  EXPECT_TRUE(current(mine[0].number).pickup_locked_at.has_value());
  EXPECT_TRUE(unlock_audit().empty());
}

TEST_F(AdminPickupUnlockTest, AnIssuerUnlocksThroughTheConfirmationAndTheCodeWorksAgain) {
  lock(mine[0]);
  const auto right =
      app::open_pickup(a.s.env.services, {mine[0].number, mine[0].code, "192.0.2.40"});
  ASSERT_FALSE(right.has_value());
  EXPECT_EQ(error_of(right).key, "pickup.locked") << "even the right code while locked";

  const auto cookie = a.login("issuer");
  const auto confirm = a.s.handle(get(unlock_path(), cookie));
  ASSERT_EQ(confirm.status, 200) << confirm.body;
  for (const auto* text : {"取得ロックを解除しますか", "<strong>5回</strong>（5回でロック）",
                           "本人確認", "監査ログに記録", "テストクリニック"}) {
    EXPECT_NE(confirm.body.find(text), std::string::npos) << text;
  }
  // Without the confirmation's field: the confirmation again, nothing changed.
  const auto unconfirmed = post_unlock(cookie, false);
  EXPECT_EQ(unconfirmed.status, 200);
  EXPECT_NE(unconfirmed.body.find("取得ロックを解除しますか"), std::string::npos);
  EXPECT_TRUE(current(mine[0].number).pickup_locked_at.has_value());

  const auto done = post_unlock(cookie, true);
  ASSERT_EQ(done.status, 303) << done.body;
  const auto back = header(done, "Location");
  EXPECT_EQ(back, fmt::format("{}?done=unlock&certificate={}", detail(), mine[0].number));
  const auto page = a.s.handle(get(back, cookie));
  EXPECT_NE(page.body.find(fmt::format("{}の取得ロックを解除しました", mine[0].number)),
            std::string::npos);
  const auto stored = current(mine[0].number);
  EXPECT_FALSE(stored.pickup_locked_at.has_value());
  EXPECT_EQ(stored.pickup_failures, 0);
  const auto audit = unlock_audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_TRUE(audit[0].actor.starts_with("operator:")) << audit[0].actor;

  const auto opened =
      app::open_pickup(a.s.env.services, {mine[0].number, mine[0].code, "192.0.2.40"});
  EXPECT_TRUE(opened.has_value()) << error_of(opened).key;
  // Nothing left to unlock: said plainly, and no second audit record.
  const auto again = post_unlock(cookie, true);
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find(a.s.env.messages.get("pickup.not_locked")), std::string::npos);
  EXPECT_EQ(a.s.handle(get(unlock_path(), cookie)).status, 409);
  EXPECT_EQ(unlock_audit().size(), 1u);
  EXPECT_EQ(a.s.handle(get("/admin/certificates/C-99999999-01/unlock", cookie)).status, 404);
}

}  // namespace
}  // namespace onshi::web
