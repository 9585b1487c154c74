#include "util/base64.hpp"

#include <sodium.h>

#include <stdexcept>

namespace onshi::util {
namespace {

void ensure_sodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string encode_line(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes, std::size_t line_length, std::string_view eol) {
  ensure_sodium();
  if (line_length == 0) return encode_line(bytes);
  if (line_length % 4 != 0)
    throw std::invalid_argument("base64 line length must be a multiple of 4");
  // Whole 3-byte groups per line, so that padding can only come at the very end.
  const std::size_t per_line = line_length / 4 * 3;
  std::string out;
  for (std::size_t pos = 0; pos < bytes.size(); pos += per_line) {
    out += encode_line(bytes.substr(pos, per_line));
    out += eol;
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  ensure_sodium();
  // Checked here: libsodium's ignore list is a C string, so it would skip NUL bytes as well.
  for (const char c : text) {
    if (c == '\0') return std::nullopt;
  }
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), " \t\r\n", &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  // libsodium stops at the first character it cannot use and reports where: anything left but
  // whitespace is not base64.
  for (const char* p = end; p != text.data() + text.size(); ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return std::nullopt;
  }
  if (len == 0) return std::nullopt;
  out.resize(len);
  return out;
}

}  // namespace onshi::util
