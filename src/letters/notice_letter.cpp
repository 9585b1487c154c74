#include "letters/notice_letter.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "letters/font_subset.hpp"
#include "letters/notice_blocks.hpp"
#include "letters/page_flow.hpp"
#include "letters/pdf_text.hpp"

namespace onshi::letters {
namespace {

using notice::kContentWidth;
using notice::kMarginX;
using notice::kMm;
using notice::kPageHeight;
using notice::kPageWidth;

// The window of a 長形3号 envelope sits 23 mm from the left and, depending on the maker, 12 to
// 15 mm from the top, 90 x 45 mm. The address keeps 4 mm from the sides and 3 mm from the top
// and bottom of the area every such window shows (15 to 57 mm), so that a letter sliding a
// little in the envelope still shows the whole address and nothing else.
constexpr double kAddressX = 27 * kMm;
constexpr double kAddressY = 18 * kMm;
constexpr double kAddressWidth = 82 * kMm;
constexpr double kAddressHeight = 36 * kMm;
constexpr double kAddressMaxSize = 11.0;
constexpr double kAddressMinSize = 6.0;
constexpr double kAddressSizeStep = 0.5;

constexpr double kRight = kMarginX + kContentWidth;
constexpr double kSenderLeft = 118 * kMm;  // clear of the window's right edge (113 mm)
constexpr double kSenderWidth = kRight - kSenderLeft;
constexpr double kDateTop = 15 * kMm;
constexpr double kDateSize = 10.0;
constexpr double kSenderSize = 9.0;
constexpr double kSenderMinSize = 6.0;
constexpr double kSenderSizeStep = 0.25;
constexpr double kFirstBodyTop = 62 * kMm;  // below the window, whatever the maker
constexpr double kGapBelowSender = 6 * kMm;

// A4 folds in three for 長形3号: marks in the left margin help whoever folds by hand.
constexpr double kFoldMarks[] = {99 * kMm, 198 * kMm};

constexpr double kRunningHeadTop = 12 * kMm;
constexpr double kRunningHeadSize = 8.0;
constexpr double kGapBelowRunningHead = 10.0;

constexpr double kFooterSize = 7.5;
constexpr double kFooterBottom = 12 * kMm;
constexpr double kFooterRuleGap = 4.0;
constexpr double kGapAboveFooter = 10.0;
constexpr double kFooterGrey = 0.35;

struct Letter {
  LayoutPtr address;
  LayoutPtr date;
  LayoutPtr sender;
  double sender_x = 0;
  double sender_y = 0;
  LayoutPtr running_head;
  double next_top = 0;
  std::vector<Block> blocks;
  std::vector<PageBlocks> pages;
};

// Checks every text of the letter and adds it to the document's characters.
void take_text(const NoticeLetter& letter, DocumentText& out) {
  const auto take = [&](const std::string& s) {
    require_utf8(s);
    out.add(s);
  };
  for (const auto& line : letter.address_lines) take(line);
  for (const auto* text :
       {&letter.sender_block, &letter.date_line, &letter.title, &letter.greeting,
        &letter.certificates_heading, &letter.qr_caption, &letter.pickup_page_label,
        &letter.pickup_page_url, &letter.instructions_heading, &letter.notes_heading,
        &letter.contact_heading, &letter.footer, &letter.page_label_format}) {
    take(*text);
  }
  for (const auto& fact : letter.facts) {
    take(fact.label);
    take(fact.value);
  }
  const auto& l = letter.certificate_labels;
  for (const auto* text : {&l.issuance_number, &l.terminal, &l.pickup_code, &l.pickup_deadline,
                           &l.serial, &l.validity, &l.validity_format, &l.delivery}) {
    take(*text);
  }
  if (letter.certificates.empty()) {
    throw std::invalid_argument("letters: a notice letter without certificates");
  }
  for (const auto& c : letter.certificates) {
    for (const auto* text :
         {&c.terminal, &c.terminal_name, &c.issuance_number, &c.serial_hex, &c.pickup_code,
          &c.pickup_url, &c.valid_from, &c.valid_until, &c.pickup_deadline, &c.delivery}) {
      take(*text);
    }
    if (c.pickup_url.empty()) {
      throw std::invalid_argument("letters: certificate " + c.issuance_number +
                                  " has no pickup URL for its QR code");
    }
  }
  for (const auto& step : letter.vendor_instructions) take(step);
  for (const auto& note : letter.notes) take(note);
  for (const auto& line : letter.contact_lines) take(line);
}

// The largest size at which the address stays inside the window; at the smallest it is cut.
LayoutPtr address_layout(PangoContext* ctx, const std::vector<std::string>& lines) {
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) text += (i > 0 ? "\n" : "") + lines[i];
  for (double size = kAddressMaxSize;; size -= kAddressSizeStep) {
    auto layout = make_layout(ctx, text, kAddressWidth, {.size = size});
    if (size <= kAddressMinSize || logical_size(layout.get()).height <= kAddressHeight) {
      return layout;
    }
  }
}

LayoutPtr footer_layout(PangoContext* ctx, std::string_view text, double width,
                        PangoAlignment align) {
  auto layout = make_layout(ctx, text, width, {.size = kFooterSize, .align = align});
  pango_layout_set_ellipsize(layout.get(), PANGO_ELLIPSIZE_END);  // one line, always
  return layout;
}

double footer_top(PangoContext* ctx) {
  auto probe = footer_layout(ctx, "0", kContentWidth, PANGO_ALIGN_LEFT);
  return kPageHeight - kFooterBottom - logical_size(probe.get()).height;
}

Letter lay_out(PangoContext* ctx, const NoticeLetter& in, double body_bottom) {
  Letter letter;
  letter.address = address_layout(ctx, in.address_lines);
  letter.date =
      make_layout(ctx, in.date_line, kSenderWidth, {.size = kDateSize, .align = PANGO_ALIGN_RIGHT});
  letter.sender_y =
      in.date_line.empty() ? kDateTop : kDateTop + logical_size(letter.date.get()).height + 10.0;
  // The sender's lines start together, the longest ending at the right margin. They are never
  // wrapped (pango would break オンライン請求ネットワーク関連システム共通認証局 inside 共通認証局):
  // a line too long for the space shrinks the whole block instead.
  double sender_size = kSenderSize;
  letter.sender = make_layout(ctx, in.sender_block, -1, {.size = sender_size});
  for (double w = logical_size(letter.sender.get()).width;
       w > kSenderWidth && sender_size > kSenderMinSize;
       w = logical_size(letter.sender.get()).width) {
    sender_size = std::max(kSenderMinSize, sender_size - kSenderSizeStep);
    letter.sender = make_layout(ctx, in.sender_block, -1, {.size = sender_size});
  }
  const double sender_w = std::min(logical_size(letter.sender.get()).width, kSenderWidth);
  letter.sender_x = kRight - sender_w;
  const double sender_bottom =
      in.sender_block.empty() ? 0 : letter.sender_y + logical_size(letter.sender.get()).height;

  letter.running_head = footer_layout(ctx, in.title, kContentWidth, PANGO_ALIGN_LEFT);
  letter.next_top =
      kRunningHeadTop + logical_size(letter.running_head.get()).height + kGapBelowRunningHead;

  letter.blocks = notice::body_blocks(ctx, in);
  const double first_top = std::max(kFirstBodyTop, sender_bottom + kGapBelowSender);
  letter.pages = paginate(letter.blocks, first_top, letter.next_top, body_bottom);
  return letter;
}

void draw_first_page_head(cairo_t* cr, const Letter& letter) {
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_save(cr);
  cairo_rectangle(cr, kAddressX, kAddressY, kAddressWidth, kAddressHeight);
  cairo_clip(cr);
  show(cr, letter.address.get(), kAddressX, kAddressY);
  cairo_restore(cr);
  show(cr, letter.date.get(), kSenderLeft, kDateTop);
  show(cr, letter.sender.get(), letter.sender_x, letter.sender_y);
  cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
  for (const double y : kFoldMarks) hline(cr, 4 * kMm, 9 * kMm, y, 0.4);
}

void draw_running_head(cairo_t* cr, const Letter& letter) {
  if (pango_layout_get_character_count(letter.running_head.get()) == 0) return;
  cairo_set_source_rgb(cr, kFooterGrey, kFooterGrey, kFooterGrey);
  show(cr, letter.running_head.get(), kMarginX, kRunningHeadTop);
  hline(cr, kMarginX, kRight, letter.next_top - kGapBelowRunningHead / 2, 0.5);
}

void draw_footer(cairo_t* cr, PangoContext* ctx, const NoticeLetter& in, double top,
                 std::size_t page, std::size_t pages) {
  const std::string label =
      notice::substitute(notice::substitute(in.page_label_format, "{page}", std::to_string(page)),
                         "{pages}", std::to_string(pages));
  auto label_layout = footer_layout(ctx, label, kContentWidth / 4, PANGO_ALIGN_RIGHT);
  auto text_layout = footer_layout(ctx, in.footer, kContentWidth * 3 / 4, PANGO_ALIGN_LEFT);
  if (label.empty() && in.footer.empty()) return;
  cairo_set_source_rgb(cr, kFooterGrey, kFooterGrey, kFooterGrey);
  hline(cr, kMarginX, kRight, top - kFooterRuleGap, 0.5);
  show(cr, text_layout.get(), kMarginX, top);
  show(cr, label_layout.get(), kRight - kContentWidth / 4, top);
}

}  // namespace

std::string render_notice_letters_pdf(const std::vector<NoticeLetter>& letters,
                                      FontSubsetting subsetting) {
  if (letters.empty()) throw std::invalid_argument("letters: no notice letters to render");
  DocumentText text;
  for (const auto& letter : letters) take_text(letter, text);
  // Once for the whole batch: the fonts, subset to every letter's characters, and one pango
  // context whose font and shaping caches the letters share. They outlive the surface, which
  // reads the font files again when it is finished.
  const DocumentFonts fonts(text, subsetting);

  std::string pdf;
  {
    SurfacePtr surface{
        cairo_pdf_surface_create_for_stream(append_bytes, &pdf, kPageWidth, kPageHeight)};
    check(cairo_surface_status(surface.get()));
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                   letters.front().title.c_str());
    {
      CairoPtr cr{cairo_create(surface.get())};
      check(cairo_status(cr.get()));
      const ContextPtr ctx = fonts.create_context(cr.get());
      const double foot = footer_top(ctx.get());
      const double body_bottom = foot - kFooterRuleGap - kGapAboveFooter;

      std::size_t document_page = 1;
      for (const auto& in : letters) {
        const Letter letter = lay_out(ctx.get(), in, body_bottom);
        // An operator looking for one letter in a batch finds it by its application number.
        const std::string& name = in.footer.empty() ? in.title : in.footer;
        cairo_pdf_surface_add_outline(surface.get(), CAIRO_PDF_OUTLINE_ROOT, name.c_str(),
                                      ("page=" + std::to_string(document_page)).c_str(),
                                      cairo_pdf_outline_flags_t{});
        for (std::size_t p = 0; p < letter.pages.size(); ++p) {
          cairo_t* c = cr.get();
          if (p == 0) {
            draw_first_page_head(c, letter);
          } else {
            draw_running_head(c, letter);
          }
          cairo_save(c);
          cairo_rectangle(c, 0, 0, kPageWidth, body_bottom);
          cairo_clip(c);
          for (const auto& placed : letter.pages[p])
            letter.blocks[placed.index].draw(c, placed.top);
          cairo_restore(c);
          draw_footer(c, ctx.get(), in, foot, p + 1, letter.pages.size());
          cairo_show_page(c);
          check(cairo_status(c));
          ++document_page;
        }
      }
    }
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()));
  }
  return pdf;
}

}  // namespace onshi::letters
