#pragma once
// Whether a document's fonts are cut down to its own characters before cairo embeds them.

namespace onshi::letters {

enum class FontSubsetting {
  // The default. Cairo 1.16 embeds only the glyphs a document uses but copies the CFF font's
  // local subroutines whole, about 1 MB for Noto Sans CJK: each font is first subset by
  // HarfBuzz to the document's characters, subroutines included, and the document laid out
  // with those fonts. A document with a character the fonts lack is rendered as with `none`,
  // so that fontconfig's fallback fonts still print it.
  per_document,
  // The system's fonts as they are (what the tests compare the subset documents against).
  none,
};

}  // namespace onshi::letters
