#pragma once
// Internal to pki/: the few DER encodings that CRLs write by hand (X.690), so that a million
// entries are appended to one buffer instead of becoming a million OpenSSL objects.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace onshi::pki::der {

inline constexpr unsigned char kInteger = 0x02;
inline constexpr unsigned char kBitString = 0x03;
inline constexpr unsigned char kOctetString = 0x04;
inline constexpr unsigned char kEnumerated = 0x0a;
inline constexpr unsigned char kUtcTime = 0x17;
inline constexpr unsigned char kGeneralizedTime = 0x18;
inline constexpr unsigned char kSequence = 0x30;

// How many octets the length field of `n` content octets takes.
inline std::size_t length_size(std::size_t n) {
  if (n < 0x80) return 1;
  std::size_t octets = 0;
  for (std::size_t v = n; v != 0; v >>= 8) ++octets;
  return 1 + octets;
}

inline void put_length(std::string& out, std::size_t n) {
  if (n < 0x80) {
    out.push_back(static_cast<char>(n));
    return;
  }
  const std::size_t octets = length_size(n) - 1;
  out.push_back(static_cast<char>(0x80 | octets));
  for (std::size_t i = octets; i-- > 0;) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
}

inline void put_header(std::string& out, unsigned char tag, std::size_t n) {
  out.push_back(static_cast<char>(tag));
  put_length(out, n);
}

inline void put_tlv(std::string& out, unsigned char tag, std::string_view content) {
  put_header(out, tag, content.size());
  out.append(content);
}

inline std::string tlv(unsigned char tag, std::string_view content) {
  std::string out;
  put_tlv(out, tag, content);
  return out;
}

// A non-negative INTEGER in the fewest octets, with a leading zero when the top bit is set.
inline std::string integer(std::uint64_t v) {
  std::string content;
  do {
    content.insert(content.begin(), static_cast<char>(v & 0xff));
    v >>= 8;
  } while (v != 0);
  if (static_cast<unsigned char>(content.front()) & 0x80) content.insert(content.begin(), '\0');
  return tlv(kInteger, content);
}

// RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; seconds, always "Z".
// `generalized` forces GeneralizedTime (invalidityDate, RFC 5280 5.3.2). Appends the whole TLV.
inline void put_time(std::string& out, std::chrono::system_clock::time_point t,
                     bool generalized = false) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  const int y = static_cast<int>(ymd.year());
  const bool utc = !generalized && y >= 1950 && y < 2050;
  char buf[16];
  std::size_t n = 0;
  auto two = [&](unsigned v) {
    buf[n++] = static_cast<char>('0' + v / 10 % 10);
    buf[n++] = static_cast<char>('0' + v % 10);
  };
  if (!utc) two(static_cast<unsigned>(y / 100));
  two(static_cast<unsigned>(y % 100));
  two(static_cast<unsigned>(ymd.month()));
  two(static_cast<unsigned>(ymd.day()));
  two(static_cast<unsigned>(hms.hours().count()));
  two(static_cast<unsigned>(hms.minutes().count()));
  two(static_cast<unsigned>(hms.seconds().count()));
  buf[n++] = 'Z';
  put_tlv(out, utc ? kUtcTime : kGeneralizedTime, std::string_view(buf, n));
}

}  // namespace onshi::pki::der
