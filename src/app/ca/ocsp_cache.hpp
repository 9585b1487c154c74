#pragma once
// Per node: the stored OCSP responses this node has served, in memory, so that answering the
// same certificate again costs no database read. Still right with several nodes on one database:
// every revocation increments the store's OCSP epoch in its own transaction; a node reads the
// epoch at most once per pki.ocsp_cache_check_ms and drops everything when it moved, and an entry
// read from a snapshot older than what the cache has seen is never kept. A revocation on any
// node is therefore answered on every node within that interval (CPIPCS 7.3).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "store/ocsp_records.hpp"

namespace onshi::app {

class OcspCache {
 public:
  struct Entry {
    std::shared_ptr<const std::string> der;
    std::string etag;  // computed once: the HTTP validator of these bytes
    store::Millis this_update = 0, next_update = 0, refresh_at = 0;
    bool revoked = false;
  };

  // Past `max_entries` the cache starts again empty: about 600 bytes an entry.
  explicit OcspCache(std::size_t max_entries = 100'000) : max_entries_(max_entries) {}

  static std::string key(const std::string& issuer_key_id, const std::string& serial_hex,
                         store::OcspHashAlgorithm hash) {
    std::string k = issuer_key_id;
    k.append(1, hash == store::OcspHashAlgorithm::sha1 ? '/' : '+').append(serial_hex);
    return k;
  }

  // The entry while `now` is before its refresh time.
  std::optional<Entry> find(const std::string& key, store::Millis now) const {
    std::shared_lock lock(mutex_);
    const auto it = entries_.find(key);
    if (it == entries_.end() || now >= it->second.refresh_at) return std::nullopt;
    return it->second;
  }

  // Keeps `e`, read in a snapshot whose epoch was `epoch_read`, unless the cache has seen a newer
  // epoch since (a revocation may have come after that snapshot).
  void insert(std::string key, Entry e, std::int64_t epoch_read) {
    std::unique_lock lock(mutex_);
    if (epoch_read < epoch_) return;
    if (epoch_read > epoch_) {
      entries_.clear();
      epoch_ = epoch_read;
    }
    if (entries_.size() >= max_entries_) entries_.clear();
    entries_.insert_or_assign(std::move(key), std::move(e));
  }

  // True for one caller at most once per `interval` (every call when it is 0): that caller reads
  // the store's epoch and hands it to observe_epoch.
  bool epoch_check_due(std::chrono::milliseconds interval) {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto due = next_check_.load(std::memory_order_relaxed);
    if (now < due) return false;
    const auto next =
        now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(interval).count();
    return interval.count() == 0 ||
           next_check_.compare_exchange_strong(due, next, std::memory_order_relaxed);
  }
  void observe_epoch(std::int64_t epoch) {
    std::unique_lock lock(mutex_);
    if (epoch <= epoch_) return;
    entries_.clear();
    epoch_ = epoch;
  }

 private:
  std::size_t max_entries_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::int64_t epoch_ = -1;
  std::atomic<std::int64_t> next_check_{0};
};

}  // namespace onshi::app
