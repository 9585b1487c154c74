#pragma once
// The fonts of one document (a receipt, or a whole batch of notice letters): the faces pango
// picks for kFontFamily and kMonoFontFamily, regular and bold, subset by HarfBuzz to the
// document's characters and served to pango by a font map of their own. Internal to letters/.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "letters/font_subsetting.hpp"
#include "letters/pdf_text.hpp"

namespace onshi::letters {

// The characters of every text a document is given (DocumentFonts adds those the layout sets
// of its own: digits, the ellipsis, hyphens).
class DocumentText {
 public:
  DocumentText();
  void add(std::string_view utf8);            // well-formed UTF-8 (require_utf8 ran before)
  std::vector<char32_t> code_points() const;  // sorted, each once

 private:
  std::vector<char32_t> code_points_;
  std::size_t distinct_ = 0;  // of code_points_ when it was last sorted
};

using FontMapPtr = std::unique_ptr<PangoFontMap, GObjectDeleter>;

class DocumentFonts {
 public:
  // Subsets the fonts (when `mode` is per_document and they hold every character of `text`) and
  // writes them to a private temporary directory that lives as long as this object: cairo
  // reads the fonts again when the surface is finished, so keep it until then. Throws
  // std::runtime_error when HarfBuzz, fontconfig or the file system fail.
  DocumentFonts(const DocumentText& text, FontSubsetting mode);
  ~DocumentFonts() = default;
  DocumentFonts(const DocumentFonts&) = delete;
  DocumentFonts& operator=(const DocumentFonts&) = delete;

  bool subset() const { return map_ != nullptr; }
  // A pango context on the document's fonts for drawing with `cr`, Han characters in their
  // Japanese forms (Noto CJK holds the other regions' too).
  ContextPtr create_context(cairo_t* cr) const;

 private:
  struct RemoveDirectory {
    void operator()(const std::filesystem::path* dir) const;
  };
  // One document at a time in the whole process, from its fonts to its finished surface. Each
  // document brings font files of its own, and cairo 1.16 keeps at most 10 FreeType faces open
  // process-wide, closing one that another thread's document is laying out: 16 receipts rendered
  // at once crashed the server in cairo_scaled_font_glyph_extents. Declared first, so that it is
  // taken before the fonts are made and released after they are gone.
  std::unique_lock<std::mutex> one_document_;
  std::unique_ptr<const std::filesystem::path, RemoveDirectory> dir_;  // the subset font files
  FontMapPtr map_;  // null: pango's default map, with the system's fonts; goes before `dir_`
};

}  // namespace onshi::letters
