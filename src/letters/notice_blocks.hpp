#pragma once
// The body of a notice letter as page_flow blocks, and the page geometry the letter shares
// with them. Internal to letters/.
#include <vector>

#include "letters/notice_letter.hpp"
#include "letters/notice_text.hpp"
#include "letters/page_flow.hpp"
#include "letters/pdf_text.hpp"

namespace onshi::letters::notice {

inline constexpr double kMm = 72.0 / 25.4;
inline constexpr double kPageWidth = 595.276;  // A4, 210 mm
inline constexpr double kPageHeight = 841.89;  // A4, 297 mm
inline constexpr double kMarginX = 20 * kMm;
inline constexpr double kContentWidth = kPageWidth - 2 * kMarginX;

// Title, greeting, facts, certificate boxes with QR codes, instructions, notes: in order.
// Throws std::runtime_error when a QR code cannot be encoded.
std::vector<Block> body_blocks(PangoContext* ctx, const NoticeLetter& letter);

}  // namespace onshi::letters::notice
