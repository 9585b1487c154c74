#include "letters/receipt.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "letters/font_subset.hpp"
#include "letters/pdf_text.hpp"

namespace onshi::letters {
namespace {

// ---- page geometry (PDF points; 1 pt = 1/72 in) ---------------------------------------------

constexpr double kPageWidth = 595.276;  // A4, 210 mm
constexpr double kPageHeight = 841.89;  // A4, 297 mm
constexpr double kMarginX = 56.7;       // 20 mm
constexpr double kMarginTop = 51.0;     // 18 mm
constexpr double kMarginBottom = 42.5;  // 15 mm
constexpr double kContentWidth = kPageWidth - 2 * kMarginX;

// Sizes at scale 1; the layout multiplies every one of them by the same factor when shrinking.
constexpr double kTitleSize = 22.0;
constexpr double kTitleLetterSpacing = 6.0;
constexpr double kSubtitleSize = 10.5;
constexpr double kIssuedBySize = 10.0;
constexpr double kTableSize = 10.5;
constexpr double kNoteSize = 9.5;
constexpr double kFooterSize = 8.0;
constexpr double kCellPadX = 8.0;
constexpr double kCellPadY = 5.5;
constexpr double kGapAfterTitle = 6.0;
constexpr double kGapAfterRule = 14.0;
constexpr double kGapAfterSubtitle = 20.0;
constexpr double kGapAfterIssuedBy = 6.0;
constexpr double kGapAfterTable = 18.0;
constexpr double kGapBetweenNotes = 5.0;
constexpr double kGapAboveFooter = 12.0;
constexpr double kFooterRuleGap = 4.0;
constexpr double kMinScale = 0.1;

constexpr double kOuterRule = 1.0;
constexpr double kInnerRule = 0.5;
constexpr double kLabelShade = 0.92;  // grey of the label column

// ---- layout --------------------------------------------------------------------------------

struct Placed {
  LayoutPtr layout;
  double x = 0;
  double y = 0;
};

struct Row {
  LayoutPtr label;
  LayoutPtr value;
  double top = 0;
  double height = 0;
};

// Everything positioned for one scale factor; `body_bottom` is where the last note ends.
struct Page {
  std::vector<Placed> texts;  // title, subtitle, issued_by, notes
  double scale = 1;
  double title_rule_y = -1;  // the double rule under the title, when there is a title
  std::vector<Row> rows;
  double table_top = 0;
  double table_bottom = 0;
  double label_width = 0;
  double pad_x = 0;
  double pad_y = 0;
  double body_bottom = 0;
  Placed footer;
  double footer_rule_y = 0;
};

Page lay_out(PangoContext* ctx, const Receipt& r, double scale) {
  Page page;
  page.scale = scale;
  double y = kMarginTop;

  if (!r.title.empty()) {
    auto title = make_layout(ctx, r.title, kContentWidth,
                             {.size = kTitleSize * scale,
                              .bold = true,
                              .align = PANGO_ALIGN_CENTER,
                              .letter_spacing = kTitleLetterSpacing * scale});
    const double h = logical_size(title.get()).height;
    page.texts.push_back({std::move(title), kMarginX, y});
    y += h + kGapAfterTitle * scale;
    page.title_rule_y = y;
    y += kGapAfterRule * scale;
  }
  if (!r.subtitle.empty()) {
    auto subtitle = make_layout(ctx, r.subtitle, kContentWidth,
                                {.size = kSubtitleSize * scale, .align = PANGO_ALIGN_CENTER});
    const double h = logical_size(subtitle.get()).height;
    page.texts.push_back({std::move(subtitle), kMarginX, y});
    y += h + kGapAfterSubtitle * scale;
  } else if (!r.title.empty()) {
    y += (kGapAfterSubtitle - kGapAfterRule) * scale;
  }
  if (!r.issued_by.empty()) {
    auto issued = make_layout(ctx, r.issued_by, kContentWidth,
                              {.size = kIssuedBySize * scale, .align = PANGO_ALIGN_RIGHT});
    const double h = logical_size(issued.get()).height;
    page.texts.push_back({std::move(issued), kMarginX, y});
    y += h + kGapAfterIssuedBy * scale;
  }

  page.pad_x = kCellPadX * scale;
  page.pad_y = kCellPadY * scale;
  if (!r.lines.empty()) {
    // The label column is as wide as the widest label, within a fifth and two fifths of the
    // table, so that short labels do not leave a wide grey band and long ones still wrap.
    double widest = 0;
    for (const auto& line : r.lines) {
      auto probe = make_layout(ctx, line.label, -1, {.size = kTableSize * scale});
      widest = std::max(widest, logical_size(probe.get()).width);
    }
    page.label_width =
        std::clamp(widest + 2 * page.pad_x, kContentWidth * 0.2, kContentWidth * 0.4);
    const double value_width = kContentWidth - page.label_width;
    page.table_top = y;
    for (const auto& line : r.lines) {
      Row row;
      row.label = make_layout(ctx, line.label, page.label_width - 2 * page.pad_x,
                              {.size = kTableSize * scale});
      row.value =
          make_layout(ctx, line.value, value_width - 2 * page.pad_x, {.size = kTableSize * scale});
      const double text_h =
          std::max(logical_size(row.label.get()).height, logical_size(row.value.get()).height);
      row.top = y;
      row.height = text_h + 2 * page.pad_y;
      y += row.height;
      page.rows.push_back(std::move(row));
    }
    page.table_bottom = y;
    y += kGapAfterTable * scale;
  }

  for (const auto& note : r.notes) {
    auto layout = make_layout(ctx, note, kContentWidth, {.size = kNoteSize * scale});
    const double h = logical_size(layout.get()).height;
    page.texts.push_back({std::move(layout), kMarginX, y});
    y += h + kGapBetweenNotes * scale;
  }
  page.body_bottom = y;

  // The footer sits on the bottom margin, whatever the body's height.
  auto footer = make_layout(ctx, r.footer, kContentWidth, {.size = kFooterSize * scale});
  const double footer_h = r.footer.empty() ? 0 : logical_size(footer.get()).height;
  const double footer_y = kPageHeight - kMarginBottom - footer_h;
  page.footer = {std::move(footer), kMarginX, footer_y};
  page.footer_rule_y = footer_y - kFooterRuleGap * scale;
  return page;
}

// How far down the body may reach. body_bottom includes the gap after the last block, so the
// space between the body and the footer rule is at least that gap plus kGapAboveFooter.
double body_limit(const Page& page) {
  return page.footer_rule_y - kGapAboveFooter * page.scale;
}

bool fits(const Page& page) {
  return page.body_bottom <= body_limit(page);
}

// The largest scale in [kMinScale, 1] at which the page fits (to within 1/256), or kMinScale.
Page lay_out_to_fit(PangoContext* ctx, const Receipt& r) {
  Page page = lay_out(ctx, r, 1.0);
  if (fits(page)) return page;
  double lo = kMinScale;
  double hi = 1.0;
  Page best = lay_out(ctx, r, lo);
  if (!fits(best)) return best;
  while (hi - lo > 1.0 / 256) {
    const double mid = (lo + hi) / 2;
    Page candidate = lay_out(ctx, r, mid);
    if (fits(candidate)) {
      lo = mid;
      best = std::move(candidate);
    } else {
      hi = mid;
    }
  }
  return best;
}

// ---- drawing -------------------------------------------------------------------------------

void draw_table(cairo_t* cr, const Page& page, double scale_weight) {
  if (page.rows.empty()) return;
  const double left = kMarginX;
  const double right = kMarginX + kContentWidth;
  const double split = left + page.label_width;

  cairo_set_source_rgb(cr, kLabelShade, kLabelShade, kLabelShade);
  cairo_rectangle(cr, left, page.table_top, page.label_width, page.table_bottom - page.table_top);
  cairo_fill(cr);

  cairo_set_source_rgb(cr, 0, 0, 0);
  for (const auto& row : page.rows) {
    // Labels and values sit in the vertical middle of their row.
    const double label_h = logical_size(row.label.get()).height;
    const double value_h = logical_size(row.value.get()).height;
    show(cr, row.label.get(), left + page.pad_x, row.top + (row.height - label_h) / 2);
    show(cr, row.value.get(), split + page.pad_x, row.top + (row.height - value_h) / 2);
  }

  for (std::size_t i = 1; i < page.rows.size(); ++i) {
    hline(cr, left, right, page.rows[i].top, kInnerRule * scale_weight);
  }
  cairo_set_line_width(cr, kInnerRule * scale_weight);
  cairo_move_to(cr, split, page.table_top);
  cairo_line_to(cr, split, page.table_bottom);
  cairo_stroke(cr);
  cairo_set_line_width(cr, kOuterRule * scale_weight);
  cairo_rectangle(cr, left, page.table_top, kContentWidth, page.table_bottom - page.table_top);
  cairo_stroke(cr);
}

void draw(cairo_t* cr, const Page& page) {
  cairo_set_source_rgb(cr, 0, 0, 0);
  // Rules thin out with the text, but never below a hairline a printer can show.
  const double weight = std::max(page.scale, 0.5);

  // Body, clipped above the footer so that nothing can run into it.
  cairo_save(cr);
  cairo_rectangle(cr, 0, 0, kPageWidth, body_limit(page));
  cairo_clip(cr);
  if (page.title_rule_y >= 0) {
    // A double rule under the title, the width of the page's text block.
    const double gap = 2.0 * weight;
    hline(cr, kMarginX, kMarginX + kContentWidth, page.title_rule_y, 1.2 * weight);
    hline(cr, kMarginX, kMarginX + kContentWidth, page.title_rule_y + gap, 0.5 * weight);
  }
  for (const auto& text : page.texts) show(cr, text.layout.get(), text.x, text.y);
  draw_table(cr, page, weight);
  cairo_restore(cr);

  if (pango_layout_get_character_count(page.footer.layout.get()) > 0) {
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    hline(cr, kMarginX, kMarginX + kContentWidth, page.footer_rule_y, 0.5);
    show(cr, page.footer.layout.get(), page.footer.x, page.footer.y);
  }
}

}  // namespace

std::string render_receipt_pdf(const Receipt& r, FontSubsetting subsetting) {
  DocumentText text;
  const auto take = [&](const std::string& s) {
    require_utf8(s);
    text.add(s);
  };
  take(r.title);
  take(r.subtitle);
  take(r.issued_by);
  take(r.footer);
  for (const auto& line : r.lines) {
    take(line.label);
    take(line.value);
  }
  for (const auto& note : r.notes) take(note);
  const DocumentFonts fonts(text, subsetting);  // outlives the surface: see DocumentFonts

  std::string pdf;
  {
    SurfacePtr surface{
        cairo_pdf_surface_create_for_stream(append_bytes, &pdf, kPageWidth, kPageHeight)};
    check(cairo_surface_status(surface.get()));
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, r.title.c_str());
    {
      CairoPtr cr{cairo_create(surface.get())};
      check(cairo_status(cr.get()));
      const ContextPtr ctx = fonts.create_context(cr.get());

      const Page page = lay_out_to_fit(ctx.get(), r);
      draw(cr.get(), page);
      cairo_show_page(cr.get());
      check(cairo_status(cr.get()));
    }
    cairo_surface_finish(surface.get());
    check(cairo_surface_status(surface.get()));
  }
  return pdf;
}

}  // namespace onshi::letters
