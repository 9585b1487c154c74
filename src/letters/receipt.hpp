#pragma once
// The receipt (申請受付票) handed to an applicant after a certificate issuance application: one A4
// page of PDF. Every word on it comes from the caller (templates and the message catalogue), so
// this layer holds no Japanese text; it only lays the words out.
#include <string>
#include <vector>

#include "letters/font_subsetting.hpp"

namespace onshi::letters {

// One row of the table, e.g. {"申請番号", "C-00000012"}. A value may hold '\n' to force a break.
struct ReceiptLine {
  std::string label;
  std::string value;
};

// All text UTF-8 and plain (no markup). Any field may be empty; an empty field takes no space.
struct Receipt {
  std::string title;               // large, bold, centred: "申請受付票"
  std::string subtitle;            // centred under the title: what was applied for
  std::string issued_by;           // right-aligned above the table: who issues the receipt
  std::vector<ReceiptLine> lines;  // the ruled two-column table, in order
  std::vector<std::string> notes;  // paragraphs under the table, wrapped to the page width
  std::string footer{};  // one small line at the foot of the page, e.g. "受付日時 ..."
};

// The PDF bytes (starting "%PDF-") of exactly one A4 portrait page (595.276 x 841.89 pt) set in
// Noto Sans CJK JP (then any sans-serif font) with Japanese glyph forms; the document's metadata
// title is `r.title`. When the content would not fit, every font size, padding and gap shrinks by
// the same factor (the largest that fits, down to a tenth of the normal size) instead of a second
// page being started; beyond that the bottom of the body is cut off, the footer still shows.
// Throws std::invalid_argument when a field is not well-formed UTF-8 and std::runtime_error
// when cairo, HarfBuzz or fontconfig fail (out of memory and the like).
std::string render_receipt_pdf(const Receipt& r,
                               FontSubsetting subsetting = FontSubsetting::per_document);

}  // namespace onshi::letters
