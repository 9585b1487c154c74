#pragma once
// QR code symbols (libqrencode) as a plain module matrix. Internal to letters/ and its tests:
// the letters draw the matrix themselves so that the code stays vector art in the PDF.
#include <cstdint>
#include <string_view>
#include <vector>

namespace onshi::letters {

struct QrCode {
  int version = 0;                    // 1..40; the symbol is 17 + 4 * version modules square
  int size = 0;                       // modules per side, without the quiet zone
  std::vector<std::uint8_t> modules;  // row-major, 1 = dark

  bool dark(int x, int y) const {
    return modules[static_cast<std::size_t>(y) * static_cast<std::size_t>(size) +
                   static_cast<std::size_t>(x)] != 0;
  }
};

// The modules every reader needs around the symbol, on each side.
inline constexpr int kQrQuietZone = 4;

// `text` at error-correction level M (15 % of the symbol may be lost to a fold or a stain),
// the smallest version that holds it, case kept. Throws std::invalid_argument when `text` is
// empty or holds a NUL byte, std::runtime_error when libqrencode fails (too long, no memory).
QrCode encode_qr(std::string_view text);

// One dark run of modules in a row: x..x+length-1 at row y. Drawing runs instead of single
// modules keeps the PDF small and leaves no hairline seams between neighbouring modules.
struct QrRun {
  int x = 0;
  int y = 0;
  int length = 0;
};
std::vector<QrRun> dark_runs(const QrCode& qr);

}  // namespace onshi::letters
