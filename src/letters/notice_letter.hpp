#pragma once
// The certificate issuance notice (電子証明書発行通知書, CPIPCS 4.3.2): one letter per certificate
// application, sent by registered mail in a window envelope, carrying each certificate's pickup
// code and a QR code of its pickup page. Every word on it comes from the caller (templates and
// the message catalogue), so this layer holds no Japanese text; it only lays the words out.
#include <string>
#include <vector>

#include "letters/receipt.hpp"

namespace onshi::letters {

// One certificate of the application: one bordered box with its QR code.
struct NoticeCertificate {
  std::string terminal;         // terminal number, "T01"
  std::string terminal_name;    // printed after the number; may be empty
  std::string issuance_number;  // 発行番号, "C-00000123-01"
  std::string serial_hex;       // all hex digits: printed upper-case in groups of four
  std::string pickup_code;      // "ABCD-EFGH-JKLM-NPQR": printed large, fixed-pitch, spaced out
  std::string pickup_url;       // what the QR code holds (pickup page + issuance number, no code)
  std::string valid_from;       // already formatted, e.g. "2026年11月24日"
  std::string valid_until;
  std::string pickup_deadline;  // 取得期限, formatted
  std::string delivery;         // 受取方法: PKCS#12 with the key, or the certificate only (CSR)
};

// The small labels printed in every certificate box, so a box read on its own (or on a
// continuation page) still says what each value is.
struct NoticeCertificateLabels {
  std::string issuance_number;  // "発行番号"
  std::string terminal;         // "端末"
  std::string pickup_code;      // "取得コード"
  std::string pickup_deadline;  // "取得期限"
  std::string serial;           // "シリアル番号"
  std::string validity;         // "有効期間"
  std::string validity_format;  // "{from} ～ {until}"; empty means "{from} - {until}"
  std::string delivery;         // "受取方法"
};

// All text UTF-8 and plain (no markup). Optional fields may be empty; an empty field takes no
// space. A '\n' in a value forces a line break (in `greeting` it also starts a paragraph).
struct NoticeLetter {
  // Set inside the window of a 長形3号 envelope (A4 folded in three; window 90 x 45 mm, 23 mm
  // from the left and 12 to 15 mm from the top): "〒104-0061", "東京都中央区銀座1-2-3",
  // "オンライン医院", "事務部 山田 太郎 様". Long lines wrap; the block shrinks to stay in the
  // window. An empty line leaves a blank line.
  std::vector<std::string> address_lines;
  // Right of the window: the issuer's name and address, '\n' between lines. Each line stays one
  // line (a name such as 共通認証局 is never broken): the block shrinks to fit instead.
  std::string sender_block;
  std::string date_line;           // top right: "2026年11月25日"
  std::string title;               // centred, bold: "電子証明書発行通知書"
  std::string greeting;            // paragraphs under the title
  std::vector<ReceiptLine> facts;  // ruled two-column table: 申請番号, 医療機関コード, ...
  std::string certificates_heading;  // "発行した電子証明書"; repeated on continuation pages
  NoticeCertificateLabels certificate_labels;
  std::vector<NoticeCertificate> certificates;   // at least one
  std::string qr_caption;                        // small text under each QR code
  std::string pickup_page_label;                 // "取得用ページ", printed before the URL
  std::string pickup_page_url;                   // printed in full once, above the boxes
  std::string instructions_heading;              // "システムベンダの方へ"
  std::vector<std::string> vendor_instructions;  // numbered steps 1., 2., ...
  std::string notes_heading;                     // "ご注意"
  std::vector<std::string> notes;                // small print
  std::string contact_heading;  // "お問い合わせ先", printed before the lines
  std::vector<std::string>
      contact_lines;              // the desk: name, phone and hours, e-mail (one paragraph)
  std::string footer;             // small line at the foot of every page: the application number
  std::string page_label_format;  // foot right, "{page} / {pages}" counted within the letter
};

// All letters, in order, in one PDF of A4 portrait pages (595.276 x 841.89 pt) set in Noto Sans
// CJK JP. Each letter starts on a new page (the first page of a letter is the one that is
// folded into the envelope) and continues onto as many pages as its certificates need; a block
// never splits across pages, and the vendor's instructions stay together on one page. The document
// outline has one entry per letter, named by its footer (else its title); the metadata title is the
// first letter's title. Throws std::invalid_argument when `letters` is empty, a letter has no
// certificates, a certificate's pickup_url is empty or any text is not well-formed UTF-8;
// std::runtime_error when cairo, HarfBuzz, fontconfig or libqrencode fail (out of memory, a URL
// too long for a QR code). The fonts are subset once for the whole batch (see FontSubsetting).
std::string render_notice_letters_pdf(const std::vector<NoticeLetter>& letters,
                                      FontSubsetting subsetting = FontSubsetting::per_document);

}  // namespace onshi::letters
