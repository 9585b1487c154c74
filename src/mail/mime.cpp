#include "mail/mime.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <stdexcept>

#include <fmt/format.h>

namespace onshi::mail {
namespace {

// RFC 2047 section 2: an encoded-word is at most 75 characters, and a header line holding one
// at most 76. The prefix and suffix below take 12 of those characters.
constexpr std::size_t kMaxEncodedWord = 75;
constexpr std::size_t kMaxEncodedLine = 76;
constexpr std::string_view kWordPrefix = "=?UTF-8?B?";
constexpr std::string_view kWordSuffix = "?=";
constexpr std::string_view kFold = "\r\n ";
// RFC 2045 section 6.8.
constexpr std::size_t kBase64LineLength = 76;

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void append_base64(std::string& out, std::string_view bytes) {
  std::size_t i = 0;
  const auto byte = [&](std::size_t at) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[at]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += kBase64Alphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const unsigned n = byte(i) << 16;
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const unsigned n = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += '=';
  }
}

// Length of the UTF-8 sequence starting with `lead`. Stray continuation bytes and invalid lead
// bytes count as one byte each: the text is still encoded (and decodes to the same bytes), it
// just may not display, which beats refusing to send a mail.
std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return 2;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return 4;
  return 1;
}

// How many raw bytes fit in an encoded-word of at most `word_chars` characters.
constexpr std::size_t payload_bytes_for(std::size_t word_chars) {
  return (word_chars - kWordPrefix.size() - kWordSuffix.size()) / 4 * 3;
}

bool is_plain_ascii(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u > 0x7E) return false;
  }
  return true;
}

bool has_non_ascii(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) > 0x7F) return true;
  }
  return false;
}

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

void reject_line_breaks(std::string_view what, std::string_view value) {
  if (has_line_break(value)) {
    throw std::invalid_argument(fmt::format("mail {} contains a line break", what));
  }
}

// `first_word_chars` lets a caller account for the "Subject: " already on the first line.
std::string encode_words(std::string_view utf8, std::size_t first_word_chars) {
  if (utf8.empty()) return {};
  if (is_plain_ascii(utf8) && utf8.find("=?") == std::string_view::npos) return std::string(utf8);

  std::string out;
  std::size_t budget = payload_bytes_for(first_word_chars);
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    std::size_t end = pos;
    while (end < utf8.size()) {
      const std::size_t len =
          std::min(utf8_sequence_length(static_cast<unsigned char>(utf8[end])), utf8.size() - end);
      if (end + len - pos > budget) break;
      end += len;
    }
    if (!out.empty()) out += kFold;
    out += kWordPrefix;
    append_base64(out, utf8.substr(pos, end - pos));
    out += kWordSuffix;
    pos = end;
    budget = payload_bytes_for(kMaxEncodedWord);
  }
  return out;
}

std::string header_line(std::string_view name, std::string_view value) {
  return fmt::format("{}: {}\r\n", name, value);
}

// Characters left for the first encoded-word on a line that starts with "Name: ".
std::size_t first_word_chars_after(std::string_view name) {
  return std::min(kMaxEncodedWord, kMaxEncodedLine - name.size() - 2);
}

std::string_view trim_spaces(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

// From/To: ASCII passes through; a non-ASCII display name in "Name <addr>" is encoded.
std::string address_value(std::string_view name, std::string_view value) {
  if (!has_non_ascii(value)) return std::string(value);
  const auto open = value.rfind('<');
  if (open == std::string_view::npos || value.back() != '>' || has_non_ascii(value.substr(open))) {
    throw std::invalid_argument(
        fmt::format("mail {} has a non-ASCII address (only display names may be non-ASCII)", name));
  }
  std::string_view display = trim_spaces(value.substr(0, open));
  if (display.size() >= 2 && display.front() == '"' && display.back() == '"') {
    display = display.substr(1, display.size() - 2);
  }
  return fmt::format("{} {}", encode_words(display, first_word_chars_after(name)),
                     value.substr(open));
}

std::string format_date(std::chrono::system_clock::time_point date) {
  static constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                                "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  using namespace std::chrono;
  // Japan has had no daylight saving since 1951, so a fixed offset is the whole time zone rule
  // and we need no tz database.
  const auto local = floor<seconds>(date) + hours{9};
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss<seconds> time{local - day};
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0900",
                     kWeekdays.at(weekday{day}.c_encoding()), static_cast<unsigned>(ymd.day()),
                     kMonths.at(static_cast<unsigned>(ymd.month()) - 1),
                     static_cast<int>(ymd.year()), time.hours().count(), time.minutes().count(),
                     time.seconds().count());
}

std::string crlf_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  return out;
}

void append_base64_lines(std::string& out, std::string_view bytes) {
  // Whole 3-byte groups per line keep each line exactly 76 characters and padding only at the end.
  constexpr std::size_t kBytesPerLine = kBase64LineLength / 4 * 3;
  for (std::size_t pos = 0; pos < bytes.size(); pos += kBytesPerLine) {
    append_base64(out, bytes.substr(pos, kBytesPerLine));
    out += "\r\n";
  }
}

}  // namespace

std::string encode_header_word(std::string_view utf8) {
  return encode_words(utf8, kMaxEncodedWord);
}

std::string render_mime(const MailMessage& message, std::chrono::system_clock::time_point date,
                        std::string_view message_id) {
  reject_line_breaks("From", message.from);
  reject_line_breaks("To", message.to);
  reject_line_breaks("Subject", message.subject);
  reject_line_breaks("Message-ID", message_id);
  if (message_id.empty()) throw std::invalid_argument("mail Message-ID is empty");

  std::string out;
  out += header_line("Date", format_date(date));
  out += header_line("From", address_value("From", message.from));
  out += header_line("To", address_value("To", message.to));
  out += header_line("Subject", encode_words(message.subject, first_word_chars_after("Subject")));
  out += header_line("Message-ID", message_id.front() == '<' ? std::string(message_id)
                                                             : fmt::format("<{}>", message_id));
  out += header_line("MIME-Version", "1.0");
  out += header_line("Content-Type", "text/plain; charset=UTF-8");
  out += header_line("Content-Transfer-Encoding", "base64");
  out += "\r\n";
  append_base64_lines(out, crlf_lines(message.body_text));
  return out;
}

}  // namespace onshi::mail
