// What the certificate's page of a pickup hands over, through the Site: the PKCS#12 file and its
// headers, the password form's errors (the format kept, no password sent back), an expired grant,
// a CSR in place of the generated key and the chain files of its certificate.
#include "pickup_env.hpp"
#include "util/text.hpp"
#include "web/display.hpp"

namespace onshi::web {
namespace {

using test::contains;
using test::header;
using test::hidden_value;

class PickupDownloadsTest : public test::PickupPagesTest {
 protected:
  void SetUp() override {
    PickupPagesTest::SetUp();
    c = issue("1", "d1").at(0);
    const auto page = open(c.number, c.code);
    ASSERT_EQ(page.status, 200) << page.body;
    grant = hidden_value(page.body, "grant");
    ASSERT_FALSE(grant.empty());
  }

  Response pkcs12(std::string_view password, std::string_view again, std::string_view format) {
    return post_form("/pickup/pkcs12", {{"grant", grant},
                                        {"number", c.number},
                                        {"password", password},
                                        {"password_again", again},
                                        {"format", format}});
  }

  test::IssuedCertificate c;
  std::string grant;
};

TEST_F(PickupDownloadsTest, ThePkcs12FileIsAnAttachmentNeverCached) {
  const auto r = pkcs12("terminal password", "terminal password", "standard");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(header(r, "Content-Type"), "application/x-pkcs12");
  EXPECT_EQ(header(r, "Content-Disposition"), "attachment; filename=\"" + c.number + ".p12\"");
  EXPECT_EQ(header(r, "Cache-Control"), "no-store");
  EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer");
  const auto file = a.s.env.dir.path() / "web.p12";
  std::ofstream(file, std::ios::binary) << r.body;
  const auto listed = test::run_command("openssl pkcs12 -in '" + file.string() +
                                        "' -passin 'pass:terminal password' -nodes -info");
  EXPECT_TRUE(contains(listed, "PBES2")) << listed;
  EXPECT_TRUE(contains(listed, "BEGIN PRIVATE KEY")) << listed;
  EXPECT_TRUE(current(c.number).picked_up_at.has_value());

  // Opened again, the page lists the download and no longer offers a CSR.
  const auto again = open(c.number, c.code);
  EXPECT_TRUE(contains(again.body, "これまでの取得"));
  EXPECT_TRUE(contains(again.body, services().messages.get("pickup.what.pkcs12-standard")));
  EXPECT_TRUE(contains(again.body, "192.0.2.20"));
  EXPECT_FALSE(contains(again.body, "端末で作成した CSR を使う"));
  // A page opened before the download still shows the CSR form; its post says why it cannot.
  const auto late = post_form("/pickup/csr", {{"grant", grant}, {"csr", make_csr("late")}});
  EXPECT_EQ(late.status, 409);
  EXPECT_TRUE(contains(late.body, services().messages.get("pickup.not_replaceable")));
  EXPECT_TRUE(contains(late.body, "PKCS#12 ファイルをダウンロード")) << "still the page";
}

TEST_F(PickupDownloadsTest, PasswordErrorsKeepTheFormatButNoPassword) {
  const auto short_one = pkcs12("short7!", "short7!", "compatible");
  EXPECT_EQ(short_one.status, 422);
  EXPECT_TRUE(contains(short_one.body, R"(id="password-error")"));
  EXPECT_TRUE(contains(short_one.body, R"(value="compatible" checked)"));
  EXPECT_FALSE(contains(short_one.body, R"(value="standard" checked)"));
  EXPECT_FALSE(contains(short_one.body, "short7!"));
  EXPECT_EQ(hidden_value(short_one.body, "grant"), grant) << "the same grant, not a longer one";

  const auto mismatch = pkcs12("long password one", "long password two", "");
  EXPECT_EQ(mismatch.status, 422);
  EXPECT_TRUE(contains(mismatch.body, R"(id="password_again-error")"));
  EXPECT_TRUE(contains(mismatch.body, R"(id="format-error")"));
  EXPECT_TRUE(contains(mismatch.body, R"(href="#format")"));
  EXPECT_FALSE(contains(mismatch.body, "long password"));

  const auto code = pkcs12(test::typed_loosely(c.code), test::typed_loosely(c.code), "standard");
  EXPECT_EQ(code.status, 422);
  EXPECT_TRUE(contains(code.body, services().messages.get("pickup.password_is_code")));
  EXPECT_FALSE(contains(code.body, c.code));
  EXPECT_FALSE(contains(code.body, test::typed_loosely(c.code)));
  EXPECT_TRUE(contains(code.body, R"(value="standard" checked)"));
  EXPECT_FALSE(current(c.number).picked_up_at.has_value()) << "a refusal downloads nothing";
}

TEST_F(PickupDownloadsTest, AnExpiredGrantGoesBackToTheFirstForm) {
  a.s.env.clock.advance(std::chrono::minutes{app::kPickupGrantMinutes + 1});
  const auto r = pkcs12("terminal password", "terminal password", "standard");
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(contains(r.body, services().messages.get("pickup.grant_expired")));
  EXPECT_TRUE(contains(r.body, "name=\"issuance_number\" value=\"" + c.number + "\""));
  EXPECT_TRUE(contains(r.body, R"(action="/pickup")"));
  EXPECT_FALSE(current(c.number).picked_up_at.has_value());
  // A forged grant reads the same.
  grant = "00ff.99999999999999.forged";
  EXPECT_TRUE(contains(pkcs12("terminal password", "terminal password", "standard").body,
                       services().messages.get("pickup.grant_expired")));
}

TEST_F(PickupDownloadsTest, ACsrReplacesTheGeneratedKeyAndItsChainDownloads) {
  const auto old_serial = current(c.number).serial_hex;
  const auto empty = post_form("/pickup/csr", {{"grant", grant}, {"csr", " \n"}});
  EXPECT_EQ(empty.status, 422);
  EXPECT_TRUE(contains(empty.body, services().messages.get("pickup.csr_missing")));
  EXPECT_TRUE(contains(empty.body, R"(id="csr-section" open)"));
  const auto bad = post_form("/pickup/csr", {{"grant", grant}, {"csr", "not a csr"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_TRUE(contains(bad.body, services().messages.get("csr.unreadable")));
  EXPECT_TRUE(contains(bad.body, ">not a csr</textarea>")) << "kept for correcting";

  const auto r = post_form("/pickup/csr", {{"grant", grant}, {"csr", make_csr("terminal")}});
  ASSERT_EQ(r.status, 200) << r.body;
  const auto now = current(c.number);
  EXPECT_NE(now.serial_hex, old_serial);
  EXPECT_EQ(now.key_source, store::KeySource::csr);
  EXPECT_TRUE(contains(r.body, util::group_serial(now.serial_hex)));
  EXPECT_TRUE(contains(r.body, util::group_serial(old_serial)))
      << "says which certificate was revoked";
  EXPECT_TRUE(contains(r.body, "秘密鍵は消去"));
  EXPECT_FALSE(contains(r.body, "PKCS#12 ファイルをダウンロード"));
  const auto new_grant = hidden_value(r.body, "grant");
  ASSERT_NE(new_grant, grant);

  struct Want {
    std::string_view format, type, extension;
  };
  for (const auto& w : {Want{"p7b", "application/x-pkcs7-certificates", ".p7b"},
                        Want{"pem", "application/x-pem-file", ".pem"},
                        Want{"der", "application/pkix-cert", ".cer"}}) {
    const auto file = post_form("/pickup/chain", {{"grant", new_grant}, {"format", w.format}});
    ASSERT_EQ(file.status, 200) << w.format << file.body;
    EXPECT_EQ(header(file, "Content-Type"), w.type);
    EXPECT_EQ(header(file, "Content-Disposition"),
              "attachment; filename=\"" + c.number + std::string(w.extension) + "\"");
    EXPECT_EQ(header(file, "Cache-Control"), "no-store");
  }
  EXPECT_EQ(post_form("/pickup/chain", {{"grant", new_grant}, {"format", "zip"}}).status, 422);
  // The superseded certificate's grant opens nothing any more.
  const auto old = post_form("/pickup/chain", {{"grant", grant}, {"format", "pem"}});
  EXPECT_TRUE(contains(old.body, services().messages.get("pickup.grant_expired")));
}

}  // namespace
}  // namespace onshi::web
