// The notice letter and the receipt as the application composes them, read back with poppler's
// pdftotext: the desk to contact, how each certificate is delivered, the pickup rule, validity
// as people say it, and the sender's name on one line.
#include <gtest/gtest.h>

#include "../letters/pdf_tools.hpp"
#include "app/applications/receipts.hpp"
#include "app/ca/issuance.hpp"
#include "app/office/notice_letters.hpp"
#include "back_office_fixture.hpp"
#include "support/error_of.hpp"

namespace onshi::test {
namespace {

namespace pdf = onshi::letters::test;

// A P-256 CSR made by the openssl command line, as a vendor would make one on the terminal.
std::string terminal_csr(const std::filesystem::path& dir) {
  const auto key = dir / "terminal.key";
  const auto csr = dir / "terminal.csr";
  pdf::run(
      "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=T02 "
      "-keyout " +
      pdf::quoted(key) + " -out " + pdf::quoted(csr));
  std::ifstream in(csr);
  return {std::istreambuf_iterator<char>(in), {}};
}

class NoticeLetterText : public BackOfficeTest {
 protected:
  void SetUp() override {
    BackOfficeTest::SetUp();
    // The name stays the default: the catalogue (loaded before this) names the desk with it.
    env.config.contact.phone = "03-0000-1234";
    env.config.contact.hours = "平日 10:00〜16:00";
    env.config.contact.email = "desk@example.test";
  }
};

TEST_F(NoticeLetterText, SaysHowEachCertificateArrivesAndWhomToCall) {
  const auto number = apply("2", "letter-text");
  ASSERT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
  const auto issued =
      issue_application(env.services, issuer, number, {{2, terminal_csr(env.dir.path())}});
  ASSERT_TRUE(issued.has_value()) << error_of(issued).key;
  const auto batch = print_notice_letters(env.services, issuer);
  ASSERT_TRUE(batch.has_value());
  const auto path = pdf::write_pdf(batch->pdf, "notice-composed");
  // The fonts are subset to the letter's characters (letters/font_subset): not 1 MB of CJK font.
  EXPECT_LT(batch->pdf.size(), 150'000u);
  const std::string text =
      pdf::without_spaces(pdf::run("pdftotext -layout " + pdf::quoted(path) + " -"));

  // Per certificate: -01 had its key made by the CA, -02 came with the terminal's CSR.
  const auto first = text.find(number + "-01");
  const auto second = text.find(number + "-02");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  const auto generated =
      text.find("受取方法PKCS#12ファイル（秘密鍵と証明書。鍵は本認証局が生成）", first);
  EXPECT_LT(generated, second) << text;
  const auto csr =
      text.find("受取方法証明書のみ（端末で作成したCSRの鍵に対応。PEM・DER・PKCS#7）", second);
  EXPECT_NE(csr, std::string::npos) << text;
  EXPECT_EQ(text.find("受取方法PKCS#12", second), std::string::npos) << "-02 carries no key";

  EXPECT_NE(text.find("発行日から3年3か月"), std::string::npos) << text;
  EXPECT_EQ(text.find("39か月"), std::string::npos);
  // The pickup rule of issue 15, the lock, and one story about a lost letter.
  EXPECT_NE(text.find("同じ発行番号と取得コードで何度でもダウンロードできます"), std::string::npos);
  EXPECT_NE(text.find("最初のダウンロードから7日後"), std::string::npos);
  EXPECT_NE(text.find("取得コードを5回続けて誤ると"), std::string::npos);
  EXPECT_NE(text.find("新しい取得コードを記載した通知書を無料で再送し"), std::string::npos);
  EXPECT_EQ(text.find("再発行しません"), std::string::npos);
  EXPECT_EQ(text.find("1回だけ"), std::string::npos);
  // The installation, Windows import and the check, with a line kept for the terminal check.
  EXPECT_NE(text.find("証明書のインポートウィザード"), std::string::npos);
  EXPECT_NE(text.find("certutil-importPFX"), std::string::npos);
  EXPECT_NE(text.find("この証明書に対応する秘密キーを持っています"), std::string::npos);
  EXPECT_NE(text.find("端末からの接続確認"), std::string::npos);
  // The configured desk, named the same way in the notes and the contact paragraph.
  EXPECT_NE(text.find("お問い合わせ先医療機関等向けポータルサイト問合せ窓口"), std::string::npos)
      << text;
  EXPECT_NE(text.find("電話03-0000-1234（受付時間平日10:00〜16:00）"), std::string::npos);
  EXPECT_NE(text.find("メールdesk@example.test"), std::string::npos);
  EXPECT_NE(text.find("ロックされた場合は医療機関等向けポータルサイト問合せ窓口へご連絡ください"),
            std::string::npos);
  EXPECT_EQ(text.find("運営事務局"), std::string::npos);

  // The sender's name is printed on one line, never broken inside 共通認証局.
  const std::string layout = pdf::run("pdftotext -layout -f 1 -l 1 " + pdf::quoted(path) + " -");
  bool whole = false;
  std::size_t start = 0;
  while (start < layout.size()) {
    const auto end = std::min(layout.find('\n', start), layout.size());
    const auto line = pdf::without_spaces(layout.substr(start, end - start));
    whole =
        whole || line.find("オンライン請求ネットワーク関連システム共通認証局") != std::string::npos;
    start = end + 1;
  }
  EXPECT_TRUE(whole) << layout;
}

TEST_F(NoticeLetterText, TheReceiptNamesTheDesk) {
  const auto number = apply("1", "receipt-text");
  const auto dossier = application_dossier(env.services, number);
  ASSERT_TRUE(dossier);
  const std::string receipt = certificate_receipt_pdf(env.services, dossier->application);
  EXPECT_LT(receipt.size(), 150'000u);
  const auto path = pdf::write_pdf(receipt, "receipt-desk");
  const std::string text =
      pdf::without_spaces(pdf::run("pdftotext -layout " + pdf::quoted(path) + " -"));
  EXPECT_NE(text.find("お問い合わせ:医療機関等向けポータルサイト問合せ窓口電話03-0000-1234"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("（受付時間平日10:00〜16:00）"), std::string::npos) << text;
  EXPECT_NE(text.find("desk@example.test"), std::string::npos) << text;
}

}  // namespace
}  // namespace onshi::test
