#include "letters/notice_letter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "letters/notice_text.hpp"
#include "letters/qr_code.hpp"
#include "pdf_tools.hpp"
#include "sample_documents.hpp"

// The PDF is read back with poppler's command-line tools (poppler-utils), the way a viewer reads
// it, and its QR codes with zbarimg (zbar-tools), the way a phone reads them; the encoder's matrix
// is checked against the QR specification's fixed patterns in qr_code_test.cpp.
namespace onshi::letters {
namespace {

using namespace test;

// The text of one page, without whitespace: pdftotext guesses word spaces from glyph gaps (the
// letter-spaced pickup codes come out as "A B C D"), and wraps lines where the layout did.
std::string page_text(const fs::path& pdf, int page, const std::string& crop = "") {
  const std::string n = std::to_string(page);
  return without_spaces(
      run("pdftotext -layout -f " + n + " -l " + n + " " + crop + " " + quoted(pdf) + " -"));
}

std::size_t occurrences(std::string_view haystack, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = haystack.find(needle); at != std::string_view::npos;
       at = haystack.find(needle, at + 1))
    ++count;
  return count;
}

TEST(NoticeLetter, BatchKeepsEveryLetterOnItsOwnPages) {
  const std::vector<NoticeLetter> letters{sample_letter("C-00000123", 1),
                                          sample_letter("C-00000124", 12)};
  const std::string pdf = render_notice_letters_pdf(letters);
  ASSERT_TRUE(pdf.starts_with("%PDF-"));
  const fs::path path = write_pdf(pdf, "notice-batch");

  // Letter 1 fits on one page; letter 2 starts on page 2 and says how many pages it has.
  const int pages = pdf_info(path).pages;
  ASSERT_GE(pages, 3);
  const int second = pages - 1;  // pages of letter 2
  const std::string page1 = page_text(path, 1);
  EXPECT_NE(page1.find("1/1"), std::string::npos) << page1;
  EXPECT_NE(page1.find("C-00000123"), std::string::npos);
  EXPECT_EQ(page1.find("C-00000124"), std::string::npos) << "letter 2 leaked onto page 1";
  EXPECT_NE(page1.find("C-00000123-01"), std::string::npos);
  EXPECT_NE(page1.find(pickup_code(2)), std::string::npos);
  EXPECT_NE(page1.find(serial(1)), std::string::npos) << "serial (grouped by four) missing";
  EXPECT_NE(page1.find("https://portal.example.jp/pickup"), std::string::npos);
  EXPECT_NE(page1.find("〒104-0061"), std::string::npos);
  EXPECT_NE(page1.find("システムベンダの方へ"), std::string::npos);

  std::string all_of_letter2;
  for (int p = 2; p <= pages; ++p) {
    const std::string text = page_text(path, p);
    const std::string label = std::to_string(p - 1) + "/" + std::to_string(second);
    EXPECT_NE(text.find(label), std::string::npos) << "page " << p << " lacks " << label;
    EXPECT_NE(text.find("申請番号C-00000124"), std::string::npos) << "footer of page " << p;
    EXPECT_EQ(text.find("C-00000123"), std::string::npos) << "letter 1 on page " << p;
    // Only the first page of a letter carries the address for the window.
    EXPECT_EQ(text.find("〒104-0061") != std::string::npos, p == 2) << "page " << p;
    if (p > 2 && text.find("C-00000124-") != std::string::npos) {
      EXPECT_NE(text.find("発行した電子証明書"), std::string::npos)
          << "heading not repeated on page " << p;
    }
    all_of_letter2 += text;
  }
  // Every certificate exactly once: none lost or doubled at a page break.
  for (const auto& c : letters[1].certificates) {
    EXPECT_EQ(occurrences(all_of_letter2, c.issuance_number), 1U) << c.issuance_number;
    EXPECT_EQ(occurrences(all_of_letter2, c.pickup_code), 1U) << c.pickup_code;
    EXPECT_EQ(occurrences(all_of_letter2, c.serial_hex), 1U) << c.serial_hex;
  }
  EXPECT_NE(all_of_letter2.find("※取得期限を過ぎた証明書は失効します。"), std::string::npos);

  fs::path png = path;
  png.replace_extension();
  run("pdftoppm -png -r 150 -f 1 -l 1 -singlefile " + quoted(path) + " " + quoted(png));
  png += ".png";
  ASSERT_TRUE(fs::exists(png));
  EXPECT_GT(fs::file_size(png), 50'000U);  // a blank A4 page at 150 dpi is a few kB
}

TEST(NoticeLetter, TwoCertificatesStayOnTheFirstPage) {
  const fs::path path =
      write_pdf(render_notice_letters_pdf({sample_letter("C-00000200", 2)}), "notice-two");
  const std::string page1 = page_text(path, 1);
  EXPECT_NE(page1.find("C-00000200-01"), std::string::npos) << page1;
  EXPECT_NE(page1.find("C-00000200-02"), std::string::npos) << page1;
}

TEST(NoticeLetter, NinetyNineCertificatesContinueOverPages) {
  const NoticeLetter letter = sample_letter("C-00000201", 99);
  const fs::path path = write_pdf(render_notice_letters_pdf({letter}), "notice-99");
  const int pages = pdf_info(path).pages;
  ASSERT_GT(pages, 10);
  const std::string last = page_text(path, pages);
  EXPECT_NE(last.find(std::to_string(pages) + "/" + std::to_string(pages)), std::string::npos);
  EXPECT_NE(last.find("※取得期限を過ぎた証明書は失効します。"), std::string::npos) << last;
  const std::string before_last = page_text(path, pages - 1);
  EXPECT_NE((before_last + last).find("C-00000201-99"), std::string::npos);
}

TEST(NoticeLetter, TheEnvelopeWindowShowsTheAddressAndNothingElse) {
  NoticeLetter letter = sample_letter("C-00000300", 1);
  // Long enough to wrap and to need a smaller size to stay inside the window.
  letter.address_lines = {"〒069-0000",
                          "北海道札幌市中央区北一条西二丁目1番地1 札幌駅前通りメディカル"
                          "センタービル東館12階",
                          "",
                          "医療法人社団北の大地会 さっぽろ駅前内科・小児科・皮膚科クリニック",
                          "事務部 医療情報システム課",
                          "情報システム担当 佐々木 由美子 様"};
  const fs::path path = write_pdf(render_notice_letters_pdf({letter}), "notice-window");
  // The window: 23 mm from the left, 12 mm from the top (the highest makers put it), 90 x 48 mm
  // down to 60 mm (the lowest), in points.
  const std::string window = page_text(path, 1, "-x 65 -y 34 -W 255 -H 136");
  EXPECT_NE(window.find("〒069-0000"), std::string::npos) << window;
  EXPECT_NE(window.find("クリニック"), std::string::npos) << window;
  EXPECT_NE(window.find("佐々木由美子様"), std::string::npos) << window;
  EXPECT_EQ(window.find("2026年11月25日"), std::string::npos) << window;
  EXPECT_EQ(window.find("共通認証局"), std::string::npos) << window;
  EXPECT_EQ(window.find("電子証明書発行通知書"), std::string::npos) << window;
}

// pdftotext -layout keeps the printed lines: the line holding `word`, without spaces.
std::string printed_line_with(const fs::path& pdf, int page, std::string_view word) {
  const std::string n = std::to_string(page);
  const std::string text = run("pdftotext -layout -f " + n + " -l " + n + " " + quoted(pdf) + " -");
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = without_spaces(text.substr(start, end - start));
    if (line.find(word) != std::string::npos) return line;
    start = end + 1;
  }
  return {};
}

TEST(NoticeLetter, TheSenderBlockNeverBreaksAName) {
  // 24 characters at the sender's 9 pt are wider than the space right of the window: the block
  // shrinks instead of breaking 共通認証局 in two.
  const fs::path path =
      write_pdf(render_notice_letters_pdf({sample_letter("C-00000310", 1)}), "notice-sender");
  EXPECT_NE(printed_line_with(path, 1, "共通認証局")
                .find("オンライン請求ネットワーク関連システム共通認証局"),
            std::string::npos)
      << run("pdftotext -layout -f 1 -l 1 " + quoted(path) + " -");
  EXPECT_NE(printed_line_with(path, 1, "0120-000-000（平日9時〜17時）"), "");
}

TEST(NoticeLetter, EachCertificateSaysHowItIsDelivered) {
  const NoticeLetter letter = sample_letter("C-00000320", 2);
  const fs::path path = write_pdf(render_notice_letters_pdf({letter}), "notice-delivery");
  const std::string page1 = page_text(path, 1);
  const auto first = page1.find("C-00000320-01");
  const auto second = page1.find("C-00000320-02");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  // Each box says it after its own number and before the next box.
  const auto pkcs12 = page1.find("受取方法PKCS#12ファイル（秘密鍵と証明書）", first);
  const auto csr = page1.find("受取方法証明書のみ（CSRの鍵に対応）", second);
  EXPECT_LT(pkcs12, second) << page1;
  EXPECT_NE(csr, std::string::npos) << page1;
  const std::string all = without_spaces(run("pdftotext " + quoted(path) + " -"));
  EXPECT_NE(all.find("お問い合わせ先医療機関等向けポータルサイト問合せ窓口"), std::string::npos)
      << all;
  EXPECT_NE(all.find("電話0120-000-000"), std::string::npos) << all;
}

TEST(NoticeLetter, TheInstallationStepsStayOnOnePage) {
  NoticeLetter base = sample_letter("C-00000330", 1);
  base.vendor_instructions = {
      "取得用ページを開きます。",       "発行番号と取得コードを入力します。",
      "ファイルをダウンロードします。", "証明書のインポートウィザードで取り込みます。",
      "証明書の管理で確かめます。",     "端末からの接続確認: 追ってご案内します。"};
  // However many boxes come before them, the heading and all six steps share a page.
  int split_candidates = 0;
  for (int n = 1; n <= 9; ++n) {
    NoticeLetter letter = sample_letter("C-00000330", n);
    letter.vendor_instructions = base.vendor_instructions;
    const fs::path path = write_pdf(render_notice_letters_pdf({letter}), "notice-steps");
    const int pages = pdf_info(path).pages;
    int heading_page = 0;
    int last_step_page = 0;
    for (int p = 1; p <= pages; ++p) {
      const std::string text = page_text(path, p);
      if (text.find("システムベンダの方へ") != std::string::npos) heading_page = p;
      if (text.find("端末からの接続確認") != std::string::npos) last_step_page = p;
    }
    EXPECT_NE(heading_page, 0) << n;
    EXPECT_EQ(heading_page, last_step_page) << n << " certificates";
    split_candidates += pages > 1;
  }
  EXPECT_GT(split_candidates, 0) << "no letter long enough to test a page break";
}

TEST(NoticeLetter, RejectsWhatCannotBePrinted) {
  EXPECT_THROW(render_notice_letters_pdf({}), std::invalid_argument);
  NoticeLetter bad = sample_letter("C-00000400", 1);
  bad.address_lines.push_back(std::string("\xff\xfe", 2));
  EXPECT_THROW(render_notice_letters_pdf({bad}), std::invalid_argument);
  bad = sample_letter("C-00000401", 1);
  bad.certificates[0].pickup_code = std::string("\xe3\x81", 2);  // a truncated あ
  // The second letter's fault stops the batch before anything is drawn.
  EXPECT_THROW(render_notice_letters_pdf({sample_letter("C-1", 1), bad}), std::invalid_argument);
  EXPECT_THROW(render_notice_letters_pdf({sample_letter("C-00000402", 0)}), std::invalid_argument);
  bad = sample_letter("C-00000403", 1);
  bad.certificates[0].pickup_url.clear();
  EXPECT_THROW(render_notice_letters_pdf({bad}), std::invalid_argument);
}

// ---- fonts subset to the document's characters (letters/font_subset) ----

TEST(NoticeLetter, OneLetterIsUnder150KB) {
  const std::string pdf = render_notice_letters_pdf({sample_letter("C-00000600", 2)});
  EXPECT_LT(pdf.size(), 150'000U);
  const std::string whole =
      render_notice_letters_pdf({sample_letter("C-00000600", 2)}, FontSubsetting::none);
  EXPECT_GT(whole.size(), 4 * pdf.size()) << "cairo 1.16 embeds the CFF subroutines whole";
}

TEST(NoticeLetter, ABatchWithSubsetFontsPrintsAndReadsAsWithTheInstalledFonts) {
  std::vector<NoticeLetter> letters{sample_letter("C-00000601", 1),
                                    sample_letter("C-00000602", 12)};
  letters[1].address_lines[1] = "北海道札幌市中央区北一条西二丁目 髙橋ビル";  // other kanji
  letters[1].footer = std::string(200, 'W');  // cut with pango's ellipsis
  expect_same_document(render_notice_letters_pdf(letters),
                       render_notice_letters_pdf(letters, FontSubsetting::none),
                       "notice-fonts-subset");
}

// ---- the printed QR code, read back as a phone reads it (the encoder: qr_code_test.cpp) ----

TEST(QrCode, ThePrintedSymbolIsTheEncodedUrl) {
  const NoticeLetter letter = sample_letter("C-00000500", 2);
  const fs::path path = write_pdf(render_notice_letters_pdf({letter}), "notice-qr");
  fs::path png = path;
  png.replace_extension();
  run("pdftoppm -png -r 150 -f 1 -l 1 -singlefile " + quoted(path) + " " + quoted(png));
  png += ".png";
  // zbarimg (Debian's zbar-tools) prints one line per symbol it decodes; what it says about a
  // missing D-Bus goes to stderr, kept out of the lines.
  std::string decoded = run("{ zbarimg --quiet --raw " + quoted(png) + " 2>/dev/null; }");
  std::vector<std::string> urls;
  for (std::size_t at = 0, nl; (nl = decoded.find('\n', at)) != std::string::npos; at = nl + 1)
    urls.push_back(decoded.substr(at, nl - at));
  std::sort(urls.begin(), urls.end());
  EXPECT_EQ(urls, (std::vector<std::string>{letter.certificates[0].pickup_url,
                                            letter.certificates[1].pickup_url}));
  // The code stays off the symbol: only the page's URL and the 発行番号 are in it.
  EXPECT_EQ(decoded.find(letter.certificates[0].pickup_code), std::string::npos);
}

}  // namespace
}  // namespace onshi::letters
