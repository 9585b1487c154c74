#include "letters/font_subset.hpp"

#include <fontconfig/fontconfig.h>
#include <harfbuzz/hb-subset.h>
#include <harfbuzz/hb.h>
#include <pango/pangofc-fontmap.h>
#include <stdlib.h>  // mkdtemp

#include <algorithm>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>

namespace onshi::letters {
namespace {

struct HbBlobDeleter {
  void operator()(hb_blob_t* b) const { hb_blob_destroy(b); }
};
struct HbFaceDeleter {
  void operator()(hb_face_t* f) const { hb_face_destroy(f); }
};
struct HbFontDeleter {
  void operator()(hb_font_t* f) const { hb_font_destroy(f); }
};
struct HbSubsetInputDeleter {
  void operator()(hb_subset_input_t* i) const { hb_subset_input_destroy(i); }
};
struct FcPatternDeleter {
  void operator()(FcPattern* p) const { FcPatternDestroy(p); }
};
struct FcConfigDeleter {
  void operator()(FcConfig* c) const { FcConfigDestroy(c); }
};
using HbBlobPtr = std::unique_ptr<hb_blob_t, HbBlobDeleter>;
using HbFacePtr = std::unique_ptr<hb_face_t, HbFaceDeleter>;
using HbFontPtr = std::unique_ptr<hb_font_t, HbFontDeleter>;
using HbSubsetInputPtr = std::unique_ptr<hb_subset_input_t, HbSubsetInputDeleter>;
using FcPatternPtr = std::unique_ptr<FcPattern, FcPatternDeleter>;
using FcConfigPtr = std::unique_ptr<FcConfig, FcConfigDeleter>;

// An installed face the letters are set in, opened once per process: HarfBuzz's objects are
// immutable once made and safe to share between threads rendering at the same time.
struct SourceFace {
  std::string file;
  unsigned index = 0;
  HbFacePtr face;
  HbFontPtr font;  // for the character map
};

// The face fontconfig gives pango for `families` (kFontFamily's "first,fallback" form) in
// Japanese at `weight`: what the document would be set in without subsetting.
std::optional<std::pair<std::string, unsigned>> match(std::string_view families, int weight) {
  FcPatternPtr pattern{FcPatternCreate()};
  if (!pattern) throw std::bad_alloc();
  for (std::size_t start = 0; start <= families.size();) {
    const std::size_t end = std::min(families.find(',', start), families.size());
    const std::string family(families.substr(start, end - start));
    FcPatternAddString(pattern.get(), FC_FAMILY, reinterpret_cast<const FcChar8*>(family.c_str()));
    start = end + 1;
  }
  FcPatternAddInteger(pattern.get(), FC_WEIGHT, weight);
  FcPatternAddString(pattern.get(), FC_LANG, reinterpret_cast<const FcChar8*>("ja"));
  FcConfigSubstitute(nullptr, pattern.get(), FcMatchPattern);
  FcDefaultSubstitute(pattern.get());
  FcResult result = FcResultNoMatch;
  FcPatternPtr font{FcFontMatch(nullptr, pattern.get(), &result)};
  FcChar8* file = nullptr;
  int index = 0;
  if (!font || FcPatternGetString(font.get(), FC_FILE, 0, &file) != FcResultMatch) {
    return std::nullopt;
  }
  FcPatternGetInteger(font.get(), FC_INDEX, 0, &index);
  // The upper 16 bits name a variable font's named instance; HarfBuzz takes the face alone.
  return std::pair{std::string(reinterpret_cast<const char*>(file)),
                   static_cast<unsigned>(index) & 0xFFFFu};
}

// Empty when a face cannot be found or read: the documents are then set in the system's fonts as
// they are, as when the subset would lack a character.
std::vector<SourceFace> find_source_faces() {
  std::vector<SourceFace> faces;
  for (const char* family : {kFontFamily, kMonoFontFamily}) {
    for (const int weight : {FC_WEIGHT_REGULAR, FC_WEIGHT_BOLD}) {
      auto found = match(family, weight);
      if (!found) return {};
      std::string file = std::move(found->first);
      const unsigned index = found->second;
      if (std::ranges::any_of(
              faces, [&](const SourceFace& f) { return f.file == file && f.index == index; })) {
        continue;
      }
      HbBlobPtr blob{hb_blob_create_from_file_or_fail(file.c_str())};
      if (!blob) return {};
      HbFacePtr face{hb_face_create(blob.get(), index)};
      HbFontPtr font{hb_font_create(face.get())};
      faces.push_back({std::move(file), index, std::move(face), std::move(font)});
    }
  }
  return faces;
}

const std::vector<SourceFace>& source_faces() {
  static const std::vector<SourceFace> faces = find_source_faces();
  return faces;
}

// Characters that draw nothing of their own (controls, joiners, variation selectors): their
// absence from a font's character map sends no text to a fallback font.
bool invisible(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c < 0xA0) || (c >= 0x200B && c <= 0x200F) || c == 0x2028 ||
         c == 0x2029 || (c >= 0x2060 && c <= 0x2064) || (c >= 0xFE00 && c <= 0xFE0F) ||
         c == 0xFEFF || (c >= 0xE0000 && c <= 0xE01EF);
}

bool covers(const SourceFace& face, const std::vector<char32_t>& text) {
  return std::ranges::all_of(text, [&](char32_t c) {
    hb_codepoint_t glyph = 0;
    return invisible(c) || hb_font_get_nominal_glyph(face.font.get(), c, &glyph);
  });
}

HbBlobPtr subset_face(const SourceFace& source, const std::vector<char32_t>& text) {
  HbSubsetInputPtr input{hb_subset_input_create_or_fail()};
  if (!input) throw std::bad_alloc();
  hb_set_t* unicodes = hb_subset_input_unicode_set(input.get());
  for (const char32_t c : text) hb_set_add(unicodes, c);
  // Every name (fontconfig matches the family by its typographic and localised names) and every
  // layout feature and script (pango asks for what Japanese text needs, `locl` among them), so
  // that the subset lays the text out exactly as the whole font does.
  for (const auto set : {HB_SUBSET_SETS_NAME_ID, HB_SUBSET_SETS_NAME_LANG_ID,
                         HB_SUBSET_SETS_LAYOUT_FEATURE_TAG, HB_SUBSET_SETS_LAYOUT_SCRIPT_TAG}) {
    hb_set_t* all = hb_subset_input_set(input.get(), set);
    hb_set_clear(all);
    hb_set_invert(all);
  }
  // Without subroutines: cairo then copies no shared code, only the charstrings of the glyphs
  // the document shows (a letter 99 KB with HarfBuzz's subset subroutines, 74 KB without).
  hb_subset_input_set_flags(input.get(), HB_SUBSET_FLAGS_DESUBROUTINIZE);
  HbFacePtr face{hb_subset_or_fail(source.face.get(), input.get())};
  if (!face) throw std::runtime_error("letters: HarfBuzz could not subset " + source.file);
  return HbBlobPtr{hb_face_reference_blob(face.get())};
}

void decode_utf8(std::string_view s, std::vector<char32_t>& out) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int extra = b < 0x80 ? 0 : b < 0xE0 ? 1 : b < 0xF0 ? 2 : 3;
    char32_t c = extra == 0 ? b : b & (0x3F >> extra);
    for (int k = 1; k <= extra && i + k < s.size(); ++k) {
      c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    out.push_back(c);
    i += 1 + extra;
  }
}

}  // namespace

DocumentText::DocumentText() = default;

void DocumentText::add(std::string_view utf8) {
  decode_utf8(utf8, code_points_);
  // A batch repeats most characters from letter to letter: the list is kept within about twice
  // the distinct ones, at an amortised constant cost per character.
  if (code_points_.size() > 2 * distinct_ + 1024) {
    code_points_ = code_points();
    distinct_ = code_points_.size();
  }
}

std::vector<char32_t> DocumentText::code_points() const {
  std::vector<char32_t> out = code_points_;
  std::ranges::sort(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {
std::mutex& documents_mutex() {
  static std::mutex m;
  return m;
}
}  // namespace

DocumentFonts::DocumentFonts(const DocumentText& text, FontSubsetting mode)
    : one_document_(documents_mutex()) {
  if (mode == FontSubsetting::none) return;
  const auto& faces = source_faces();
  const std::vector<char32_t> used = text.code_points();
  if (faces.empty() ||
      !std::ranges::all_of(faces, [&](const SourceFace& f) { return covers(f, used); }))
    return;

  // What the layout sets beside the given text: numbers, page labels and upper-case serials
  // (printable ASCII), the ellipsis of a cut footer, the hyphens of a word broken at a line's
  // end, the ideographic space between the desk's lines.
  std::vector<char32_t> wanted = used;
  for (char32_t c = 0x20; c < 0x7F; ++c) wanted.push_back(c);
  wanted.insert(wanted.end(), {0x00A0, 0x2010, 0x2026, 0x3000});

  std::string dir = (std::filesystem::temp_directory_path() / "onshi-fonts-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) {
    throw std::system_error(errno, std::generic_category(), "letters: mkdtemp " + dir);
  }
  dir_.reset(std::make_unique<const std::filesystem::path>(dir).release());
  FcConfigPtr config{FcConfigCreate()};
  if (!config) throw std::bad_alloc();
  for (std::size_t i = 0; i < faces.size(); ++i) {
    const HbBlobPtr blob = subset_face(faces[i], wanted);
    unsigned length = 0;
    const char* data = hb_blob_get_data(blob.get(), &length);
    const auto path = *dir_ / ("face" + std::to_string(i) + ".otf");
    std::ofstream out(path, std::ios::binary);
    out.write(data, length);
    out.close();
    if (!out) throw std::runtime_error("letters: cannot write " + path.string());
    if (!FcConfigAppFontAddFile(config.get(), reinterpret_cast<const FcChar8*>(path.c_str()))) {
      throw std::runtime_error("letters: fontconfig cannot read the subset of " + faces[i].file);
    }
  }
  map_.reset(pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT));
  if (!map_) throw std::runtime_error("letters: pango has no FreeType font map");
  pango_fc_font_map_set_config(PANGO_FC_FONT_MAP(map_.get()), config.get());  // takes a reference
}

void DocumentFonts::RemoveDirectory::operator()(const std::filesystem::path* dir) const {
  std::error_code ignored;
  std::filesystem::remove_all(*dir, ignored);
  std::default_delete<const std::filesystem::path>()(dir);
}

ContextPtr DocumentFonts::create_context(cairo_t* cr) const {
  // What pango_cairo_create_context does, on this document's font map.
  PangoFontMap* map = map_ ? map_.get() : pango_cairo_font_map_get_default();
  ContextPtr ctx{pango_font_map_create_context(map)};
  pango_cairo_update_context(cr, ctx.get());
  pango_context_set_language(ctx.get(), pango_language_from_string("ja"));
  return ctx;
}

}  // namespace onshi::letters
