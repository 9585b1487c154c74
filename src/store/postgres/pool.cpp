#include <fmt/format.h>

#include "store/postgres/connection.hpp"

namespace onshi::store::postgres {

ConnectionPool::ConnectionPool(std::string url, int size, std::chrono::milliseconds borrow_timeout)
    : url_(std::move(url)), borrow_timeout_(borrow_timeout) {
  if (size < 1) throw std::invalid_argument("postgres: a pool needs at least one connection");
  for (int i = 0; i < size; ++i) idle_.push_back(std::make_unique<Connection>(url_));
}

ConnectionPool::Lease ConnectionPool::borrow() {
  return borrow(borrow_timeout_);
}

ConnectionPool::Lease ConnectionPool::borrow(std::chrono::milliseconds timeout) {
  std::unique_ptr<Connection> connection;
  {
    std::unique_lock lock(mutex_);
    if (!freed_.wait_for(lock, timeout, [&] { return !idle_.empty(); })) {
      throw PoolTimeout(
          fmt::format("postgres: no connection came free within {} ms", timeout.count()));
    }
    connection = std::move(idle_.back());
    idle_.pop_back();
  }
  // The check and the reconnect run outside the lock: PQreset may wait for the server.
  if (!connection->usable()) {
    try {
      connection->reset();
    } catch (...) {
      give_back(std::move(connection));
      throw;
    }
    std::lock_guard lock(mutex_);
    ++resets_;
  }
  return Lease(this, std::move(connection));
}

int ConnectionPool::resets() const {
  std::lock_guard lock(mutex_);
  return resets_;
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) noexcept {
  // A lease dropped inside a transaction (its holder threw) must not hand that transaction to
  // the next borrower; when even ROLLBACK fails the connection is lost and reset on its next
  // borrow.
  if (connection->in_transaction()) {
    try {
      connection->execute("ROLLBACK");
    } catch (...) {
    }
  }
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  freed_.notify_one();
}

}  // namespace onshi::store::postgres
