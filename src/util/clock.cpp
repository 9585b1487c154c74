#include "util/clock.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace onshi::util {

TimePoint FileClock::now() const {
  const auto system = std::chrono::system_clock::now();
  struct stat st {};
  std::lock_guard lock(mutex_);
  if (::stat(file_.c_str(), &st) != 0) {
    seen_mtime_ns_ = -1;
    seen_size_ = -1;
    absolute_ = false;
    value_ = {};
  } else if (const std::int64_t mtime_ns =
                 static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
             mtime_ns != seen_mtime_ns_ || static_cast<std::int64_t>(st.st_size) != seen_size_ ||
             static_cast<std::uint64_t>(st.st_ino) != seen_inode_ ||
             // Two writes within the file system's timestamp granularity can leave mtime and size
             // alike: a file written in the last seconds is read every time (as git does).
             system.time_since_epoch() - std::chrono::nanoseconds{mtime_ns} <
                 std::chrono::seconds{2}) {
    std::ifstream in(file_);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    // An empty file is a writer caught halfway: the previous reading holds until it is complete.
    if (!s.empty()) {
      const bool is_signed = s.front() == '+' || s.front() == '-';
      std::int64_t v = 0;
      const char* begin = s.data() + (s.front() == '+' ? 1 : 0);
      const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
      if (ec != std::errc{} || end != s.data() + s.size())
        throw std::runtime_error(fmt::format("{}: not an integer: '{}'", file_.string(), s));
      absolute_ = !is_signed;
      value_ = std::chrono::seconds{v};
      written_ = TimePoint{
          std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds{mtime_ns})};
      seen_mtime_ns_ = mtime_ns;
      seen_size_ = static_cast<std::int64_t>(st.st_size);
      seen_inode_ = static_cast<std::uint64_t>(st.st_ino);
    }
  }
  const auto value = std::chrono::duration_cast<TimePoint::duration>(value_);
  if (!absolute_) return system + value;
  // Runs on from the moment it was written; never before it, should the system clock step back.
  return TimePoint{value} + std::max(system - written_, TimePoint::duration::zero());
}

std::string format_jst(TimePoint t) {
  const auto jst = std::chrono::floor<std::chrono::minutes>(t + std::chrono::hours{9});
  return fmt::format("{:%Y-%m-%d %H:%M}", jst);
}

}  // namespace onshi::util
