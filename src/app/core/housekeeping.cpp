#include "app/core/housekeeping.hpp"

#include <spdlog/spdlog.h>

namespace onshi::app {

Housekeeping::Housekeeping(const Services& s, std::vector<Job> jobs,
                           std::chrono::milliseconds period)
    : s_(s), jobs_(std::move(jobs)), period_(period) {}

Housekeeping::~Housekeeping() {
  stop();
}

void Housekeeping::start() {
  thread_ = std::thread([this] { loop(); });
}

void Housekeeping::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<int> Housekeeping::run_once() {
  std::vector<int> counts;
  for (const auto& job : jobs_) {
    int n = 0;
    try {
      n = job.run(s_);
    } catch (const std::exception& e) {
      spdlog::error("housekeeping: {}: {}", job.done, e.what());
    }
    // Quiet when there was nothing to do: it runs every few minutes.
    if (n > 0) spdlog::info("housekeeping: {} {}", n, job.done);
    counts.push_back(n);
  }
  return counts;
}

void Housekeeping::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    run_once();
    lock.lock();
    wake_.wait_for(lock, period_, [&] { return stopping_; });
  }
}

}  // namespace onshi::app
