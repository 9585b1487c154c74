#pragma once
// cairo + pango plumbing every letter uses: RAII handles, Japanese text layouts, and the PDF byte
// stream. Internal to letters/: only letters/*.cpp include this header (it pulls in cairo/pango).
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <string>
#include <string_view>

namespace onshi::letters {

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct GObjectDeleter {  // PangoContext, PangoLayout
  void operator()(void* object) const { g_object_unref(object); }
};
struct FontDescriptionDeleter {
  void operator()(PangoFontDescription* d) const { pango_font_description_free(d); }
};
struct AttrListDeleter {
  void operator()(PangoAttrList* l) const { pango_attr_list_unref(l); }
};

using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using CairoPtr = std::unique_ptr<cairo_t, CairoDeleter>;
using ContextPtr = std::unique_ptr<PangoContext, GObjectDeleter>;
using LayoutPtr = std::unique_ptr<PangoLayout, GObjectDeleter>;
using FontPtr = std::unique_ptr<PangoFontDescription, FontDescriptionDeleter>;
using AttrListPtr = std::unique_ptr<PangoAttrList, AttrListDeleter>;

// Noto Sans CJK JP (fonts-noto-cjk): Japanese glyphs with a ToUnicode map, so the text can be
// searched and copied from the PDF.
inline constexpr const char* kFontFamily = "Noto Sans CJK JP,sans-serif";
// Its fixed-pitch cut, for codes a person copies by hand: every character in its own cell.
inline constexpr const char* kMonoFontFamily = "Noto Sans Mono CJK JP,monospace";

// Throws std::invalid_argument unless `text` is well-formed UTF-8 (pango would garble it).
void require_utf8(std::string_view text);

struct TextStyle {
  double size = 10.0;
  bool bold = false;
  PangoAlignment align = PANGO_ALIGN_LEFT;
  double letter_spacing = 0.0;
  const char* family = kFontFamily;
};

// A wrapped paragraph `width` points wide (or unwrapped when width <= 0).
LayoutPtr make_layout(PangoContext* ctx, std::string_view text, double width,
                      const TextStyle& style);

struct Size {
  double width = 0;
  double height = 0;
};
Size logical_size(PangoLayout* layout);

void show(cairo_t* cr, PangoLayout* layout, double x, double y);
void hline(cairo_t* cr, double x0, double x1, double y, double weight);

// cairo_write_func_t appending to the std::string passed as closure.
cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length);
// Throws std::runtime_error naming cairo's status unless it is success.
void check(cairo_status_t status);

}  // namespace onshi::letters
