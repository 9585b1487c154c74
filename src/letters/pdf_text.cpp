#include "letters/pdf_text.hpp"

#include <stdexcept>

#include "util/text.hpp"

namespace onshi::letters {
namespace {

double units_to_points(int units) {
  return pango_units_to_double(units);
}

}  // namespace

void require_utf8(std::string_view text) {
  if (!util::is_valid_utf8(text)) {
    throw std::invalid_argument("letters: text is not well-formed UTF-8");
  }
}

LayoutPtr make_layout(PangoContext* ctx, std::string_view text, double width,
                      const TextStyle& style) {
  LayoutPtr layout{pango_layout_new(ctx)};
  FontPtr font{pango_font_description_new()};
  pango_font_description_set_family(font.get(), style.family);
  pango_font_description_set_weight(font.get(),
                                    style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_font_description_set_absolute_size(font.get(), style.size * PANGO_SCALE);
  pango_layout_set_font_description(layout.get(), font.get());
  if (style.letter_spacing > 0) {
    AttrListPtr attrs{pango_attr_list_new()};
    pango_attr_list_insert(
        attrs.get(), pango_attr_letter_spacing_new(pango_units_from_double(style.letter_spacing)));
    pango_layout_set_attributes(layout.get(), attrs.get());
  }
  if (width > 0) {
    pango_layout_set_width(layout.get(), pango_units_from_double(width));
    pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  }
  pango_layout_set_alignment(layout.get(), style.align);
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  return layout;
}

Size logical_size(PangoLayout* layout) {
  int w = 0;
  int h = 0;
  pango_layout_get_size(layout, &w, &h);
  return {units_to_points(w), units_to_points(h)};
}

void show(cairo_t* cr, PangoLayout* layout, double x, double y) {
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
}

void hline(cairo_t* cr, double x0, double x1, double y, double weight) {
  cairo_set_line_width(cr, weight);
  cairo_move_to(cr, x0, y);
  cairo_line_to(cr, x1, y);
  cairo_stroke(cr);
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  } catch (...) {
    return CAIRO_STATUS_NO_MEMORY;
  }
  return CAIRO_STATUS_SUCCESS;
}

void check(cairo_status_t status) {
  if (status != CAIRO_STATUS_SUCCESS) {
    throw std::runtime_error(std::string("letters: cairo: ") + cairo_status_to_string(status));
  }
}

}  // namespace onshi::letters
