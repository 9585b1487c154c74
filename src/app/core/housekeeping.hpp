#pragma once
// The sweeps `onshi serve` runs in the background, at start and then every few minutes: each
// job is a use case that finds what time has made due and deals with it in its own transaction
// (closing lapsed pickups, so that their keys go even when nobody tries the code again).
//
// Several nodes on one database: a job with a lease name runs only on the node that holds that
// lease (store job_leases), claimed before each run for kLeasePeriods periods, so that it runs on
// one node at a time and, when that node dies, on another once the lease has run out. A job
// without one runs on every node. Either way every job must stay safe to run twice at once: a
// run that outlasts its lease, or clocks apart by more than it, lets a second node start.
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
// A lease lasts this many periods from the claim before a run: a holder that missed two runs
// (dead, cut off from the database) has lost it by the next run of another node.
inline constexpr int kLeasePeriods = 3;

// This process among the nodes on one database: host:pid:random, made once. The holder of its
// job leases, logged at start.
const std::string& node_id();

class Housekeeping {
 public:
  struct Job {
    Job(std::string what, std::function<int(const Services&)> work, std::string lease_name = {})
        : done(std::move(what)), run(std::move(work)), lease(std::move(lease_name)) {}
    std::string done;                         // what a count of it means, for the log
    std::function<int(const Services&)> run;  // returns how many things it dealt with
    std::string lease;                        // its job_leases name; empty: every node runs it
  };

  Housekeeping(const Services& s, std::vector<Job> jobs,
               std::chrono::milliseconds period = kHousekeepingPeriod,
               std::string node = node_id());
  ~Housekeeping();
  Housekeeping(const Housekeeping&) = delete;
  Housekeeping& operator=(const Housekeeping&) = delete;

  // Runs every job now, then every period, on a thread of its own.
  void start();
  // Lets the job running finish and gives up the leases this node holds (another node takes them
  // at its next run rather than after the lease), then returns.
  void stop();
  // Every job once, in order: the counts, also logged. A job that throws is logged and counted 0,
  // and the others still run; so is a leased job another node holds, or whose lease could not be
  // claimed. Used by the thread and by tests.
  std::vector<int> run_once();

 private:
  void loop();
  bool hold_lease(std::size_t job);
  void release_leases();

  const Services& s_;
  std::vector<Job> jobs_;
  std::chrono::milliseconds period_;
  std::string node_;
  enum class Lease : char { unknown, held, elsewhere };
  std::vector<Lease> leases_;  // per job, as its latest claim found it
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace onshi::app
