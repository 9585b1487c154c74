#pragma once
// Time is passed in, never read deep inside: use cases take a Clock so tests and the domain
// layer stay deterministic.
#include <chrono>
#include <cstdint>
#include <string>

namespace onshi::util {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// Seconds since the Unix epoch: how times are stored.
inline std::int64_t to_unix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
inline TimePoint from_unix(std::int64_t s) {
  return TimePoint{std::chrono::seconds{s}};
}

// "2026-11-24 20:15" in Japan Standard Time (UTC+9, no daylight saving), for pages and mails.
std::string format_jst(TimePoint t);

}  // namespace onshi::util
