#include "app/core/housekeeping.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>

#include "util/secrets.hpp"

namespace onshi::app {

const std::string& node_id() {
  static const std::string id = [] {
    std::array<char, 256> host{};
    if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
    // The random part tells apart two processes of one host whose pids were reused (containers).
    return fmt::format("{}:{}:{}", host[0] ? host.data() : "localhost", getpid(),
                       util::random_token(6));
  }();
  return id;
}

Housekeeping::Housekeeping(const Services& s, std::vector<Job> jobs,
                           std::chrono::milliseconds period, std::string node)
    : s_(s),
      jobs_(std::move(jobs)),
      period_(period),
      node_(std::move(node)),
      leases_(jobs_.size(), Lease::unknown) {}

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
  release_leases();
}

bool Housekeeping::hold_lease(std::size_t i) {
  const auto& job = jobs_[i];
  bool held = false;
  try {
    const auto now = s_.now_ms();
    const auto until = now + kLeasePeriods * period_.count();
    held = s_.db.write(
        [&](store::WriteTx& tx) { return tx.jobs().try_claim_job(job.lease, node_, now, until); });
  } catch (const std::exception& e) {
    // Not run: without the lease another node may be running it.
    spdlog::error("housekeeping: {}: claiming {}: {}", job.done, job.lease, e.what());
    leases_[i] = Lease::unknown;
    return false;
  }
  const Lease found = held ? Lease::held : Lease::elsewhere;
  if (found != leases_[i]) {
    if (held)
      spdlog::info("housekeeping: {} runs on this node ({})", job.lease, node_);
    else
      spdlog::info("housekeeping: {} runs on another node", job.lease);
  }
  leases_[i] = found;
  return held;
}

void Housekeeping::release_leases() {
  for (std::size_t i = 0; i < jobs_.size(); ++i) {
    if (leases_[i] != Lease::held) continue;
    leases_[i] = Lease::unknown;
    try {
      s_.db.write([&](store::WriteTx& tx) { tx.jobs().release_job(jobs_[i].lease, node_); });
    } catch (const std::exception& e) {
      // It runs out by itself.
      spdlog::warn("housekeeping: could not give up the lease {}: {}", jobs_[i].lease, e.what());
    }
  }
}

std::vector<int> Housekeeping::run_once() {
  std::vector<int> counts;
  for (std::size_t i = 0; i < jobs_.size(); ++i) {
    const auto& job = jobs_[i];
    int n = 0;
    if (job.lease.empty() || hold_lease(i)) {
      try {
        n = job.run(s_);
      } catch (const std::exception& e) {
        spdlog::error("housekeeping: {}: {}", job.done, e.what());
      }
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
