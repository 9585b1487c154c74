#include "letters/qr_code.hpp"

#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace onshi::letters {
namespace {

struct QrDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
using QrPtr = std::unique_ptr<QRcode, QrDeleter>;

}  // namespace

QrCode encode_qr(std::string_view text) {
  if (text.empty()) throw std::invalid_argument("letters: QR code text is empty");
  // libqrencode takes a C string: a NUL inside would silently cut the text short.
  if (text.find('\0') != std::string_view::npos) {
    throw std::invalid_argument("letters: QR code text holds a NUL byte");
  }
  const std::string c_text(text);
  errno = 0;
  QrPtr code{QRcode_encodeString(c_text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1)};
  if (!code) {
    const int error = errno;
    throw std::runtime_error(std::string("letters: QR encoding failed: ") +
                             (error != 0 ? std::strerror(error) : "unknown error"));
  }
  QrCode qr;
  qr.version = code->version;
  qr.size = code->width;
  const auto count = static_cast<std::size_t>(code->width) * static_cast<std::size_t>(code->width);
  qr.modules.resize(count);
  // Bit 0 is the colour; the other bits only say which part of the symbol a module belongs to.
  for (std::size_t i = 0; i < count; ++i) qr.modules[i] = code->data[i] & 1U;
  return qr;
}

std::vector<QrRun> dark_runs(const QrCode& qr) {
  std::vector<QrRun> runs;
  for (int y = 0; y < qr.size; ++y) {
    int x = 0;
    while (x < qr.size) {
      if (!qr.dark(x, y)) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < qr.size && qr.dark(x, y)) ++x;
      runs.push_back({start, y, x - start});
    }
  }
  return runs;
}

}  // namespace onshi::letters
