#include "util/bounded_workers.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <stdexcept>

namespace onshi::util {

BoundedWorkers::BoundedWorkers(int threads, std::size_t queue, int nice) : capacity_(queue) {
  if (threads < 1) throw std::invalid_argument("BoundedWorkers: at least one thread");
  // Every thread counts as idle from the start, not from when it first waits: a job posted
  // before a new thread has run must find its place.
  idle_ = static_cast<std::size_t>(threads);
  threads_.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this, nice] { run(nice); });
}

BoundedWorkers::~BoundedWorkers() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

bool BoundedWorkers::try_post(std::function<void()>& job) {
  {
    const std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= capacity_ + idle_) return false;
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
  return true;
}

std::size_t BoundedWorkers::waiting() const {
  const std::lock_guard lock(mutex_);
  return jobs_.size();
}

void BoundedWorkers::run(int nice) {
  // On Linux a thread's nice value is its own (PRIO_PROCESS with its thread id). A failure leaves
  // it at the process's priority: slower pages under load, nothing wrong.
  if (nice != 0) (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
  std::unique_lock lock(mutex_);
  for (;;) {
    ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left that was promised
    --idle_;
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    lock.lock();
    ++idle_;
  }
}

}  // namespace onshi::util
