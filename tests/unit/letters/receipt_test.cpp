#include "letters/receipt.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "pdf_tools.hpp"
#include "sample_documents.hpp"

// The PDF is checked with poppler's command-line tools (pdf_tools.hpp).
namespace onshi::letters {
namespace {

using namespace test;

// The text within the page's bounds (text drawn off the page would not count).
std::string pdf_text(const fs::path& pdf) {
  return run("pdftotext -layout -x 0 -y 0 -W 596 -H 842 " + quoted(pdf) + " -");
}

::testing::AssertionResult shows(const std::string& text, std::string_view needle) {
  if (without_spaces(text).find(without_spaces(needle)) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "\"" << needle << "\" not in:\n" << text;
}

void render_png(const fs::path& pdf) {
  fs::path prefix = pdf;
  prefix.replace_extension();
  run("pdftoppm -png -r 60 -singlefile " + quoted(pdf) + " " + quoted(prefix));
  EXPECT_TRUE(fs::exists(prefix.string() + ".png"));
}

void expect_one_a4_page(const fs::path& pdf) {
  const PdfInfo info = pdf_info(pdf);
  EXPECT_EQ(info.pages, 1) << info.raw;
  EXPECT_NEAR(info.width, 595.28, 0.01) << info.raw;
  EXPECT_NEAR(info.height, 841.89, 0.01) << info.raw;
}

TEST(Receipt, IsOneA4PageWithJapaneseText) {
  const std::string pdf = render_receipt_pdf(sample_receipt());
  ASSERT_TRUE(pdf.starts_with("%PDF-"));
  const fs::path path = write_pdf(pdf, "receipt");
  expect_one_a4_page(path);

  const std::string text = pdf_text(path);
  EXPECT_TRUE(shows(text, "C-00000012"));
  EXPECT_TRUE(shows(text, "みなと内科クリニック"));
  EXPECT_TRUE(shows(text, "3,300円"));
  EXPECT_TRUE(shows(text, "申請受付票"));  // letter-spaced, still one word
  EXPECT_TRUE(shows(text, "受付日時 2026-11-24 20:15"));
  render_png(path);
}

// The server renders receipts on several threads at once. With a font map and font files per
// document, 16 at once crashed it inside cairo (font_subset.hpp says why): every one of them must
// come out whole, about the size of one rendered alone, and readable.
TEST(Receipt, ManyThreadsRenderAtOnce) {
  const std::string alone = render_receipt_pdf(sample_receipt());
  constexpr int kThreads = 8, kEach = 3;
  std::vector<std::vector<std::string>> made(kThreads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&made, t] {
        for (int i = 0; i < kEach; ++i) made[t].push_back(render_receipt_pdf(sample_receipt()));
      });
    }
  }
  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(made[t].size(), static_cast<std::size_t>(kEach));
    for (const auto& pdf : made[t]) {
      EXPECT_TRUE(pdf.starts_with("%PDF-"));
      EXPECT_NEAR(static_cast<double>(pdf.size()), static_cast<double>(alone.size()), 64.0);
    }
  }
  const fs::path path = write_pdf(made.back().back(), "receipt-threads");
  EXPECT_TRUE(shows(pdf_text(path), "みなと内科クリニック"));
}

TEST(Receipt, MetadataTitleIsTheTitle) {
  const fs::path path = write_pdf(render_receipt_pdf(sample_receipt()), "receipt-metadata");
  EXPECT_EQ(pdf_info(path).title, "申請受付票");
}

TEST(Receipt, EmbedsANotoCjkFont) {
  const fs::path path = write_pdf(render_receipt_pdf(sample_receipt()), "receipt-fonts");
  const std::string fonts = run("pdffonts " + quoted(path));
  // name  type  encoding  emb sub uni  object ID
  const std::regex row(R"((\S*NotoSansCJK\S*)\s.*\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+)",
                       std::regex::icase);
  int noto = 0;
  for (std::sregex_iterator it(fonts.begin(), fonts.end(), row), end; it != end; ++it) {
    ++noto;
    EXPECT_EQ((*it)[2], "yes") << "not embedded: " << (*it)[1];
    EXPECT_EQ((*it)[4], "yes") << "no ToUnicode map: " << (*it)[1];
  }
  EXPECT_GE(noto, 2) << "expected the regular and the bold face\n" << fonts;
}

TEST(Receipt, TooMuchContentShrinksOntoOnePage) {
  Receipt r = sample_receipt();
  r.lines.clear();
  for (int i = 1; i <= 60; ++i) {
    const std::string n = std::to_string(i);
    r.lines.push_back({"項目" + n, "値" + n + " 東京都千代田区霞が関一丁目2番2号"});
  }
  r.lines.front().value = "FIRST-LINE-0001 最初の行";
  r.lines.back().value = "LAST-LINE-0060 最後の行";
  std::string long_note = "※ ";
  for (int i = 0; i < 60; ++i) {
    long_note +=
        "本票は申請を受け付けたことを示すものであり、電子証明書の発行を保証するもの"
        "ではありません。";
  }
  long_note += "END-OF-NOTE";
  r.notes.push_back(long_note);

  const std::string pdf = render_receipt_pdf(r);
  ASSERT_TRUE(pdf.starts_with("%PDF-"));
  const fs::path path = write_pdf(pdf, "receipt-overflow");
  expect_one_a4_page(path);
  const std::string text = pdf_text(path);
  EXPECT_TRUE(shows(text, "FIRST-LINE-0001"));
  EXPECT_TRUE(shows(text, "LAST-LINE-0060"));
  EXPECT_TRUE(shows(text, "END-OF-NOTE"));
  EXPECT_TRUE(shows(text, "受付日時"));
  render_png(path);
}

TEST(Receipt, EvenBeyondTheSmallestSizeItIsOnePage) {
  // At a tenth of the normal size 3000 rows still do not fit: the table is cut off above the
  // footer rather than continued on a second page.
  Receipt r = sample_receipt();
  r.lines.assign(3000, ReceiptLine{"項目", "値"});
  const fs::path path = write_pdf(render_receipt_pdf(r), "receipt-clipped");
  expect_one_a4_page(path);
  EXPECT_TRUE(shows(pdf_text(path), "受付日時"));
}

TEST(Receipt, EmptyReceiptIsStillOnePage) {
  const std::string pdf = render_receipt_pdf(Receipt{});
  ASSERT_TRUE(pdf.starts_with("%PDF-"));
  const fs::path path = write_pdf(pdf, "receipt-empty");
  expect_one_a4_page(path);

  Receipt no_lines = sample_receipt();
  no_lines.lines.clear();
  const fs::path path2 = write_pdf(render_receipt_pdf(no_lines), "receipt-no-lines");
  expect_one_a4_page(path2);
  EXPECT_TRUE(shows(pdf_text(path2), "portal.example.jp"));
}

TEST(Receipt, TextIsPlainNotMarkup) {
  Receipt r = sample_receipt();
  r.lines.push_back({"<b>備考</b>", "a < b & c > d"});
  const fs::path path = write_pdf(render_receipt_pdf(r), "receipt-plain");
  const std::string text = pdf_text(path);
  EXPECT_TRUE(shows(text, "<b>備考</b>"));
  EXPECT_TRUE(shows(text, "a < b & c > d"));
}

// ---- fonts subset to the document's characters (letters/font_subset) ----

TEST(Receipt, SubsetFontsPrintAndReadAsTheInstalledFonts) {
  Receipt r = sample_receipt();
  // A word too long for its cell is broken inside, where pango adds a hyphen of its own.
  r.lines.push_back({"URL",
                     "https://portal.example.jp/pickup/averyveryverylongpathsegment"
                     "thatcannotfitononelineofthevaluecolumnandmustbreak"});
  const std::string subset = render_receipt_pdf(r);
  const std::string whole = render_receipt_pdf(r, FontSubsetting::none);
  EXPECT_LT(subset.size(), 150'000U);
  EXPECT_GT(whole.size(), 2 * subset.size()) << "cairo 1.16 embeds the CFF subroutines whole";
  expect_same_document(subset, whole, "receipt-fonts-subset");
}

TEST(Receipt, ShrunkContentPrintsTheSameWithSubsetFonts) {
  Receipt r = sample_receipt();
  for (int i = 0; i < 30; ++i) r.notes.push_back(r.notes[i % 3]);
  expect_same_document(render_receipt_pdf(r), render_receipt_pdf(r, FontSubsetting::none),
                       "receipt-fonts-shrunk");
}

TEST(Receipt, ACharacterTheFontsLackStillPrintsThroughTheFallbackFonts) {
  Receipt r = sample_receipt();
  r.notes.push_back("絵文字 \U0001F600 と記号 \u2603");  // not in Noto Sans CJK
  const std::string pdf = render_receipt_pdf(r);
  expect_same_document(pdf, render_receipt_pdf(r, FontSubsetting::none), "receipt-fonts-fallback");
  EXPECT_TRUE(shows(pdf_text(write_pdf(pdf, "receipt-fonts-fallback")), "絵文字"));
}

TEST(Receipt, LeavesNoFontFilesBehind) {
  const fs::path tmp = artifact_dir() / "tmp-font-files";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  ASSERT_EQ(::setenv("TMPDIR", tmp.c_str(), 1), 0);
  render_receipt_pdf(sample_receipt());
  EXPECT_TRUE(fs::is_empty(tmp));
  ::unsetenv("TMPDIR");
}

TEST(Receipt, RejectsInvalidUtf8) {
  Receipt r = sample_receipt();
  r.lines.push_back({"label", std::string("\xff\xfe", 2)});
  EXPECT_THROW(render_receipt_pdf(r), std::invalid_argument);
  Receipt t;
  t.title = std::string("\xe3\x81", 2);  // a truncated あ
  EXPECT_THROW(render_receipt_pdf(t), std::invalid_argument);
}

}  // namespace
}  // namespace onshi::letters
