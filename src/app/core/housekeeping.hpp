#pragma once
// The sweeps `onshi serve` runs in the background, at start and then every few minutes: each
// job is a use case that finds what time has made due and deals with it in its own transaction
// (closing lapsed pickups, so that their keys go even when nobody tries the code again). Several
// nodes may run one each: every job must be safe to run twice at once.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "app/core/services.hpp"

namespace onshi::app {

inline constexpr std::chrono::minutes kHousekeepingPeriod{5};

class Housekeeping {
 public:
  struct Job {
    std::string done;                         // what a count of it means, for the log
    std::function<int(const Services&)> run;  // returns how many things it dealt with
  };

  Housekeeping(const Services& s, std::vector<Job> jobs,
               std::chrono::milliseconds period = kHousekeepingPeriod);
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

  // Runs every job now, then every period, on a thread of its own.
  void start();
  // Lets the job running finish, then returns.
  void stop();
  // Every job once, in order: the counts, also logged. A job that throws is logged and counted 0,
  // and the others still run. Used by the thread and by tests.
  std::vector<int> run_once();

 private:
  void loop();

  const Services& s_;
  std::vector<Job> jobs_;
  std::chrono::milliseconds period_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace onshi::app
