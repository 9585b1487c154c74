#pragma once
// Time is passed in, never read deep inside: use cases take a Clock so tests and the domain
// layer stay deterministic.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
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

// For integration tests only (docs/testing.md): the time a file says, so that a test can move a
// running server weeks ahead. The file holds one integer: signed ("+86400", "-60") it is an offset
// in seconds from the system clock; unsigned it is a Unix time, from which the clock runs on in
// real time since the file was last written (its mtime, so that every node reading one file
// agrees). The file is read again only when its mtime, size or inode changed, or it was written in
// the last two seconds (finer than file system timestamps tell apart), so now() mostly costs one
// stat(). A missing file reads as offset 0, an empty one as the previous value; a malformed one
// throws, as a test's mistake.
class FileClock final : public Clock {
 public:
  explicit FileClock(std::filesystem::path file) : file_(std::move(file)) {}
  TimePoint now() const override;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  mutable std::mutex mutex_;
  mutable std::int64_t seen_mtime_ns_ = -1;
  mutable std::int64_t seen_size_ = -1;
  mutable std::uint64_t seen_inode_ = 0;
  mutable bool absolute_ = false;
  mutable std::chrono::nanoseconds value_{0};  // the offset, or the Unix time written
  mutable TimePoint written_;                  // the file's mtime, for an absolute value
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
