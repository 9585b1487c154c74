#include "letters/notice_blocks.hpp"

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "letters/qr_code.hpp"
#include "util/text.hpp"

namespace onshi::letters::notice {
namespace {

constexpr double kTitleSize = 16.0;
constexpr double kTitleLetterSpacing = 4.0;
constexpr double kBodySize = 10.0;
constexpr double kTableSize = 9.5;
constexpr double kHeadingSize = 11.0;
constexpr double kStepSize = 9.5;
constexpr double kNoteSize = 8.5;
constexpr double kLabelSize = 7.0;
constexpr double kCaptionSize = 6.5;

constexpr double kCellPadX = 6.0;
constexpr double kCellPadY = 3.5;
constexpr double kHeadingBar = 3.5;
constexpr double kHeadingIndent = 9.0;
constexpr double kStepNumberWidth = 16.0;
constexpr double kStepGap = 4.0;

// A phone camera reads a 24 mm symbol (quiet zone included) from a desk's distance; at the
// usual URL lengths (version 3 to 5) that is 0.5 to 0.6 mm a module, well above print noise.
constexpr double kQrSide = 24 * kMm;
constexpr double kBoxPad = 7.0;
constexpr double kBoxGap = 10.0;  // between the text columns and the QR code
constexpr double kCellGap = 8.0;
constexpr double kRowGap = 5.0;
constexpr double kLabelGap = 1.0;

constexpr double kLabelShade = 0.92;
constexpr double kLabelGrey = 0.35;
constexpr double kRuleGrey = 0.7;

void set_grey(cairo_t* cr, double level) {
  cairo_set_source_rgb(cr, level, level, level);
}

Block text_block(LayoutPtr layout, double x, double space_before) {
  const double height = logical_size(layout.get()).height;
  return Block{.height = height,
               .space_before = space_before,
               .draw = [layout = std::move(layout), x](cairo_t* cr, double top) {
                 set_grey(cr, 0);
                 show(cr, layout.get(), x, top);
               }};
}

// A bold heading behind a short black bar, kept with what follows it.
Block heading(PangoContext* ctx, std::string_view text, double space_before) {
  auto layout =
      make_layout(ctx, text, kContentWidth - kHeadingIndent, {.size = kHeadingSize, .bold = true});
  const double height = logical_size(layout.get()).height;
  return Block{.height = height,
               .space_before = space_before,
               .keep_with_next = true,
               .draw = [layout = std::move(layout), height](cairo_t* cr, double top) {
                 set_grey(cr, 0);
                 cairo_rectangle(cr, kMarginX, top + height * 0.2, kHeadingBar, height * 0.6);
                 cairo_fill(cr);
                 show(cr, layout.get(), kMarginX + kHeadingIndent, top);
               }};
}

void add_fact_rows(PangoContext* ctx, const std::vector<ReceiptLine>& facts, double space_before,
                   std::vector<Block>& out) {
  // The label column is as wide as the widest label, within a fifth and a third of the table.
  double widest = 0;
  for (const auto& fact : facts) {
    auto probe = make_layout(ctx, fact.label, -1, {.size = kTableSize});
    widest = std::max(widest, logical_size(probe.get()).width);
  }
  const double label_width =
      std::clamp(widest + 2 * kCellPadX, kContentWidth * 0.2, kContentWidth / 3);
  for (std::size_t i = 0; i < facts.size(); ++i) {
    auto label =
        make_layout(ctx, facts[i].label, label_width - 2 * kCellPadX, {.size = kTableSize});
    auto value = make_layout(ctx, facts[i].value, kContentWidth - label_width - 2 * kCellPadX,
                             {.size = kTableSize});
    const double label_h = logical_size(label.get()).height;
    const double value_h = logical_size(value.get()).height;
    const double height = std::max(label_h, value_h) + 2 * kCellPadY;
    // Each row draws its own frame: rows that land on different pages are both closed.
    out.push_back(Block{.height = height,
                        .space_before = i == 0 ? space_before : 0,
                        .draw = [label = std::move(label), value = std::move(value), label_width,
                                 label_h, value_h, height](cairo_t* cr, double top) {
                          set_grey(cr, kLabelShade);
                          cairo_rectangle(cr, kMarginX, top, label_width, height);
                          cairo_fill(cr);
                          set_grey(cr, 0);
                          show(cr, label.get(), kMarginX + kCellPadX, top + (height - label_h) / 2);
                          show(cr, value.get(), kMarginX + label_width + kCellPadX,
                               top + (height - value_h) / 2);
                          cairo_set_line_width(cr, 0.6);
                          cairo_rectangle(cr, kMarginX, top, kContentWidth, height);
                          cairo_move_to(cr, kMarginX + label_width, top);
                          cairo_line_to(cr, kMarginX + label_width, top + height);
                          cairo_stroke(cr);
                        }});
  }
}

// ---- certificate box ---------------------------------------------------------------------------

struct Cell {
  LayoutPtr label;
  LayoutPtr value;
  double x = 0;
  double label_h = 0;
};

struct CellRow {
  std::vector<Cell> cells;
  double top = 0;  // from the box's top
  double height = 0;
};

struct CellSpec {
  std::string_view label;
  std::string_view value;
  double share;  // of the text columns' width
  TextStyle style;
};

constexpr double kTextWidth = kContentWidth - 2 * kBoxPad - kQrSide - kBoxGap;

CellRow cell_row(PangoContext* ctx, std::initializer_list<CellSpec> specs) {
  CellRow row;
  const double usable = kTextWidth - kCellGap * static_cast<double>(specs.size() - 1);
  double x = kMarginX + kBoxPad;
  for (const auto& spec : specs) {
    const double width = usable * spec.share;
    Cell cell;
    cell.label = make_layout(ctx, spec.label, width, {.size = kLabelSize});
    cell.label_h = spec.label.empty() ? 0 : logical_size(cell.label.get()).height + kLabelGap;
    cell.value = make_layout(ctx, spec.value, width, spec.style);
    cell.x = x;
    row.height = std::max(row.height, cell.label_h + logical_size(cell.value.get()).height);
    row.cells.push_back(std::move(cell));
    x += width + kCellGap;
  }
  return row;
}

void draw_qr(cairo_t* cr, const QrCode& qr, double x, double y) {
  const double module = kQrSide / (qr.size + 2 * kQrQuietZone);
  set_grey(cr, 0);
  // One path filled once: touching modules merge instead of leaving anti-aliased seams.
  for (const QrRun& run : dark_runs(qr)) {
    cairo_rectangle(cr, x + (kQrQuietZone + run.x) * module, y + (kQrQuietZone + run.y) * module,
                    run.length * module, module);
  }
  cairo_fill(cr);
}

Block certificate_box(PangoContext* ctx, const NoticeLetter& letter, const NoticeCertificate& c,
                      double space_before) {
  const auto& labels = letter.certificate_labels;
  const TextStyle mono{.size = 10.5, .bold = true, .family = kMonoFontFamily};
  // The code is copied by hand: large, fixed-pitch and spaced out so that no two characters
  // run together (the code alphabet already leaves out 0/O, 1/I and the like).
  const TextStyle code{
      .size = 15.0, .bold = true, .letter_spacing = 1.5, .family = kMonoFontFamily};
  const TextStyle plain{.size = 9.5};
  const std::string terminal =
      c.terminal_name.empty() ? c.terminal : c.terminal + "  " + c.terminal_name;
  const std::string validity =
      c.valid_from.empty() && c.valid_until.empty()
          ? std::string()
          : substitute(substitute(labels.validity_format.empty() ? std::string("{from} - {until}")
                                                                 : labels.validity_format,
                                  "{from}", c.valid_from),
                       "{until}", c.valid_until);
  const std::string serial = util::group_serial(c.serial_hex);

  std::vector<CellRow> rows;
  rows.push_back(cell_row(ctx, {{labels.issuance_number, c.issuance_number, 0.42, mono},
                                {labels.terminal, terminal, 0.58, {.size = 10.0}}}));
  rows.push_back(cell_row(
      ctx, {{labels.pickup_code, c.pickup_code, 0.64, code},
            {labels.pickup_deadline, c.pickup_deadline, 0.36, {.size = 10.5, .bold = true}}}));
  rows.push_back(
      cell_row(ctx, {{labels.serial, serial, 0.52, {.size = 9.0, .family = kMonoFontFamily}},
                     {labels.validity, validity, 0.48, plain}}));
  if (!c.delivery.empty()) {
    rows.push_back(
        cell_row(ctx, {{labels.delivery, c.delivery, 1.0, {.size = 9.5, .bold = true}}}));
  }
  double y = kBoxPad;
  for (auto& row : rows) {
    row.top = y;
    y += row.height + kRowGap;
  }
  const double text_bottom = y - kRowGap + kBoxPad;

  QrCode qr = encode_qr(c.pickup_url);
  auto caption = make_layout(ctx, letter.qr_caption, kQrSide + kBoxGap,
                             {.size = kCaptionSize, .align = PANGO_ALIGN_CENTER});
  const double caption_h = letter.qr_caption.empty() ? 0 : logical_size(caption.get()).height;
  const double height = std::max(text_bottom, kBoxPad + kQrSide + caption_h + kBoxPad);

  return Block{.height = height,
               .space_before = space_before,
               .draw = [rows = std::move(rows), qr = std::move(qr), caption = std::move(caption),
                        height](cairo_t* cr, double top) {
                 for (std::size_t i = 0; i < rows.size(); ++i) {
                   if (i > 0) {
                     set_grey(cr, kRuleGrey);
                     hline(cr, kMarginX + kBoxPad, kMarginX + kBoxPad + kTextWidth,
                           top + rows[i].top - kRowGap / 2, 0.4);
                   }
                   for (const auto& cell : rows[i].cells) {
                     set_grey(cr, kLabelGrey);
                     show(cr, cell.label.get(), cell.x, top + rows[i].top);
                     set_grey(cr, 0);
                     show(cr, cell.value.get(), cell.x, top + rows[i].top + cell.label_h);
                   }
                 }
                 const double qr_x = kMarginX + kContentWidth - kBoxPad - kQrSide;
                 draw_qr(cr, qr, qr_x, top + kBoxPad);
                 set_grey(cr, kLabelGrey);
                 show(cr, caption.get(), qr_x - kBoxGap / 2, top + kBoxPad + kQrSide);
                 set_grey(cr, 0);
                 cairo_set_line_width(cr, 0.9);
                 cairo_rectangle(cr, kMarginX, top, kContentWidth, height);
                 cairo_stroke(cr);
               }};
}

// "取得用ページ  https://..." on one line: the label bold, the URL fixed-pitch and wrapped.
Block pickup_page_line(PangoContext* ctx, const NoticeLetter& letter, double space_before) {
  auto label = make_layout(ctx, letter.pickup_page_label, -1, {.size = kStepSize, .bold = true});
  const double label_w =
      letter.pickup_page_label.empty() ? 0 : logical_size(label.get()).width + 2 * kStepGap;
  auto url = make_layout(ctx, letter.pickup_page_url, kContentWidth - label_w,
                         {.size = kStepSize, .family = kMonoFontFamily});
  const double height = std::max(logical_size(label.get()).height, logical_size(url.get()).height);
  return Block{
      .height = height,
      .space_before = space_before,
      .keep_with_next = true,
      .draw = [label = std::move(label), url = std::move(url), label_w](cairo_t* cr, double top) {
        set_grey(cr, 0);
        show(cr, label.get(), kMarginX, top);
        show(cr, url.get(), kMarginX + label_w, top);
      }};
}

Block numbered_step(PangoContext* ctx, std::size_t number, std::string_view text) {
  auto digits = make_layout(ctx, std::to_string(number) + ".", kStepNumberWidth,
                            {.size = kStepSize, .align = PANGO_ALIGN_RIGHT});
  auto body =
      make_layout(ctx, text, kContentWidth - kStepNumberWidth - kStepGap, {.size = kStepSize});
  const double height = logical_size(body.get()).height;
  return Block{
      .height = height,
      .space_before = 3.0,
      .draw = [digits = std::move(digits), body = std::move(body)](cairo_t* cr, double top) {
        set_grey(cr, 0);
        show(cr, digits.get(), kMarginX, top);
        show(cr, body.get(), kMarginX + kStepNumberWidth + kStepGap, top);
      }};
}

}  // namespace

std::vector<Block> body_blocks(PangoContext* ctx, const NoticeLetter& letter) {
  std::vector<Block> blocks;
  if (!letter.title.empty()) {
    blocks.push_back(text_block(make_layout(ctx, letter.title, kContentWidth,
                                            {.size = kTitleSize,
                                             .bold = true,
                                             .align = PANGO_ALIGN_CENTER,
                                             .letter_spacing = kTitleLetterSpacing}),
                                kMarginX, 0));
  }
  if (!letter.greeting.empty()) {
    double before = 14.0;
    std::size_t start = 0;
    while (start <= letter.greeting.size()) {
      const std::size_t end = std::min(letter.greeting.find('\n', start), letter.greeting.size());
      const std::string_view paragraph =
          std::string_view(letter.greeting).substr(start, end - start);
      blocks.push_back(text_block(make_layout(ctx, paragraph, kContentWidth, {.size = kBodySize}),
                                  kMarginX, before));
      before = 2.0;
      start = end + 1;
    }
  }
  add_fact_rows(ctx, letter.facts, 12.0, blocks);

  if (!letter.certificates_heading.empty()) {
    blocks.push_back(heading(ctx, letter.certificates_heading, 16.0));
  }
  const int section =
      letter.certificates_heading.empty() ? -1 : static_cast<int>(blocks.size()) - 1;
  if (!letter.pickup_page_url.empty() || !letter.pickup_page_label.empty()) {
    blocks.push_back(pickup_page_line(ctx, letter, section >= 0 ? 4.0 : 14.0));
    blocks.back().repeat_header = section;
  }
  for (const auto& certificate : letter.certificates) {
    blocks.push_back(certificate_box(ctx, letter, certificate, 6.0));
    blocks.back().repeat_header = section;
  }

  if (!letter.instructions_heading.empty()) {
    blocks.push_back(heading(ctx, letter.instructions_heading, 16.0));
  }
  for (std::size_t i = 0; i < letter.vendor_instructions.size(); ++i) {
    blocks.push_back(numbered_step(ctx, i + 1, letter.vendor_instructions[i]));
    if (i == 0 && letter.instructions_heading.empty()) blocks.back().space_before = 14.0;
    // The vendor works through the steps at the terminal with one sheet in hand.
    blocks.back().keep_with_next = i + 1 < letter.vendor_instructions.size();
  }
  if (!letter.notes_heading.empty()) blocks.push_back(heading(ctx, letter.notes_heading, 14.0));
  for (std::size_t i = 0; i < letter.notes.size(); ++i) {
    const bool first = i == 0 && letter.notes_heading.empty();
    blocks.push_back(
        text_block(make_layout(ctx, letter.notes[i], kContentWidth, {.size = kNoteSize}), kMarginX,
                   first ? 14.0 : 3.0));
  }
  // The desk in one short paragraph, so that a one-certificate letter still fits one page.
  if (!letter.contact_lines.empty()) {
    std::string contact = letter.contact_heading;
    for (const auto& line : letter.contact_lines) {
      contact += (contact.empty() ? "" : "\u3000") + line;  // an ideographic space between
    }
    blocks.push_back(text_block(
        make_layout(ctx, contact, kContentWidth, {.size = kNoteSize + 0.5, .bold = true}), kMarginX,
        8.0));
  }
  return blocks;
}

}  // namespace onshi::letters::notice
