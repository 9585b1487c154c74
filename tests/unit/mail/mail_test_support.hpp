#pragma once
// Independent decoders for checking what the mail code produces: written from the RFCs rather
// than sharing code with src/mail, so a shared misunderstanding cannot make a test pass.
#include <array>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace onshi::mail::test_support {

// RFC 4648 base64; whitespace (line breaks of a MIME body, folding) is skipped, '=' ends the data.
inline std::string base64_decode(std::string_view text) {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned bits = 0;
  int bit_count = 0;
  for (const char c : text) {
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
    if (c == '=') break;
    const auto index = kAlphabet.find(c);
    if (index == std::string_view::npos) {
      throw std::runtime_error("not base64: " + std::string(1, c));
    }
    bits = (bits << 6) | static_cast<unsigned>(index);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out += static_cast<char>((bits >> bit_count) & 0xFF);
    }
  }
  return out;
}

// The payload of one "=?UTF-8?B?...?=" word, or nullopt when `word` is not such a word.
inline std::optional<std::string> decode_encoded_word(std::string_view word) {
  constexpr std::string_view kPrefix = "=?UTF-8?B?";
  constexpr std::string_view kSuffix = "?=";
  if (word.size() < kPrefix.size() + kSuffix.size() || !word.starts_with(kPrefix) ||
      !word.ends_with(kSuffix)) {
    return std::nullopt;
  }
  return base64_decode(word.substr(kPrefix.size(), word.size() - kPrefix.size() - kSuffix.size()));
}

// Splits a (possibly folded) header value into its whitespace-separated tokens.
inline std::vector<std::string> header_tokens(std::string_view value) {
  std::vector<std::string> tokens;
  std::string current;
  for (const char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

// What a mail reader displays for an unstructured header value: encoded-words decoded, the
// whitespace between two adjacent encoded-words dropped (RFC 2047 section 6.2), other runs of
// whitespace shown as one space.
inline std::string decode_header_value(std::string_view value) {
  std::string out;
  bool previous_was_encoded = false;
  bool first = true;
  for (const std::string& token : header_tokens(value)) {
    const auto decoded = decode_encoded_word(token);
    if (!first && !(previous_was_encoded && decoded)) out += ' ';
    out += decoded ? *decoded : token;
    previous_was_encoded = decoded.has_value();
    first = false;
  }
  return out;
}

// A received message split into unfolded headers and the raw body. Accepts CRLF or LF line ends
// (a Maildir written by Python uses LF).
struct ParsedMail {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The value of the first header called `name` (exact case), or nullopt.
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
};

inline ParsedMail parse_mail(std::string_view raw) {
  ParsedMail mail;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    auto end = raw.find('\n', pos);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view line = raw.substr(pos, end - pos);
    pos = end + 1;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !mail.headers.empty()) {
      mail.headers.back().second += "\r\n";
      mail.headers.back().second += line;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) throw std::runtime_error("bad header line");
    std::string_view value = line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    mail.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  if (pos < raw.size()) mail.body = std::string(raw.substr(pos));
  return mail;
}

// Splits on "\r\n" and checks on the way that no CR or LF appears on its own.
inline std::vector<std::string> crlf_lines(std::string_view text, bool* only_crlf) {
  std::vector<std::string> lines;
  *only_crlf = true;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      lines.push_back(std::move(current));
      current.clear();
      ++i;
    } else {
      if (text[i] == '\r' || text[i] == '\n') *only_crlf = false;
      current += text[i];
    }
  }
  if (!current.empty()) lines.push_back(std::move(current));
  return lines;
}

}  // namespace onshi::mail::test_support
