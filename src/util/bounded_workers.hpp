#pragma once
// A fixed set of threads with a bounded queue in front of them, for work that must not run on
// the HTTP event loop (password hashing: a 64 MiB Argon2id takes tens of milliseconds of one core,
// and a burst of logins would otherwise hold every loop thread while pages wait). A full queue
// refuses at once rather than block the caller: the loop thread answers 503 and moves on.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace onshi::util {

class BoundedWorkers {
 public:
  // `threads` at least 1; `queue` jobs may wait beyond those running (0: none waits). `nice`
  // (Linux: per thread) lowers the threads' scheduling priority by that much, so that on a busy
  // machine the threads that answer pages run first and this work takes what is left.
  BoundedWorkers(int threads, std::size_t queue, int nice = 0);
  // Stops taking jobs, runs those already queued (each was promised an answer), joins.
  ~BoundedWorkers();
  BoundedWorkers(const BoundedWorkers&) = delete;
  BoundedWorkers& operator=(const BoundedWorkers&) = delete;

  // Queues `job` and returns true, or returns false at once, leaving `job` untouched, when
  // `queue` jobs already wait (or the workers are stopping). A job must not throw.
  bool try_post(std::function<void()>& job);

  // Jobs waiting, not counting those running (for metrics and tests).
  std::size_t waiting() const;

 private:
  void run(int nice);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  // Threads waiting for a job: a job posted while one waits is not queued behind another, so
  // it does not count against `capacity_` until every thread is busy.
  std::size_t idle_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace onshi::util
