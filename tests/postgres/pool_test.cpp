// ConnectionPool (store/postgres/connection.hpp) against the real server of scripts/pg-cluster.
#include <chrono>
#include <future>
#include <thread>

#include "postgres/postgres_env.hpp"

namespace onshi::store::postgres {
namespace {

using namespace std::chrono_literals;
using PoolTest = testing::PostgresTest;

TEST_F(PoolTest, ALeaseReturnsItsConnectionToThePool) {
  ConnectionPool pool(url(), 1, 2s);
  int pid = 0;
  {
    auto lease = pool.borrow();
    pid = lease->backend_pid();
    EXPECT_EQ(lease->execute("SELECT 1").int64(0, 0), 1);
  }
  auto again = pool.borrow(100ms);
  EXPECT_EQ(again->backend_pid(), pid);
  EXPECT_EQ(pool.resets(), 0);
}

TEST_F(PoolTest, AnIdleConnectionKilledByTheServerIsReplacedOnTheNextBorrow) {
  ConnectionPool pool(url(), 1, 2s);
  int pid = 0;
  {
    auto lease = pool.borrow();
    pid = lease->backend_pid();
    lease->prepared("SELECT $1::bigint + 1", {std::int64_t{1}});
  }
  Connection killer(url());
  EXPECT_EQ(killer.execute("SELECT pg_terminate_backend($1::int)", {std::int64_t{pid}}).text(0, 0),
            "t");
  ASSERT_TRUE(wait_gone(killer, pid));

  auto lease = pool.borrow();
  EXPECT_EQ(pool.resets(), 1);
  EXPECT_NE(lease->backend_pid(), pid);
  // The borrower's first statement works: it never sees the dead connection.
  EXPECT_EQ(lease->prepared("SELECT $1::bigint + 1", {std::int64_t{1}}).int64(0, 0), 2);
}

TEST_F(PoolTest, AConnectionLostWhileLeasedIsReplacedOnTheNextBorrow) {
  ConnectionPool pool(url(), 1, 2s);
  Connection killer(url());
  int pid = 0;
  {
    auto lease = pool.borrow();
    pid = lease->backend_pid();
    lease->execute("BEGIN");
    killer.execute("SELECT pg_terminate_backend($1::int)", {std::int64_t{pid}});
    ASSERT_TRUE(wait_gone(killer, pid));
    EXPECT_THROW(lease->execute("SELECT 1"), ConnectionLost);
  }
  auto lease = pool.borrow();
  EXPECT_EQ(pool.resets(), 1);
  EXPECT_NE(lease->backend_pid(), pid);
  EXPECT_FALSE(lease->in_transaction());
  EXPECT_EQ(lease->execute("SELECT 1").int64(0, 0), 1);
}

TEST_F(PoolTest, ALeaseDroppedInsideATransactionIsRolledBack) {
  Connection setup(url());
  setup.execute("CREATE TABLE " + table() + " (v bigint)");
  ConnectionPool pool(url(), 1, 2s);
  {
    auto lease = pool.borrow();
    lease->execute("BEGIN");
    lease->execute("INSERT INTO " + table() + " VALUES (1)");
  }
  auto lease = pool.borrow();
  EXPECT_FALSE(lease->in_transaction());
  EXPECT_EQ(setup.execute("SELECT count(*) FROM " + table()).int64(0, 0), 0);
}

TEST_F(PoolTest, BorrowingFromAnExhaustedPoolTimesOut) {
  ConnectionPool pool(url(), 2, 2s);
  auto first = pool.borrow();
  auto second = pool.borrow();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(pool.borrow(200ms), PoolTimeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
}

TEST_F(PoolTest, ABorrowerWaitsForALeaseToComeBack) {
  ConnectionPool pool(url(), 1, 5s);
  std::optional<ConnectionPool::Lease> held(pool.borrow());
  const int pid = (*held)->backend_pid();
  auto waiting = std::async(std::launch::async, [&] {
    auto lease = pool.borrow();
    return lease->backend_pid();
  });
  EXPECT_EQ(waiting.wait_for(150ms), std::future_status::timeout);
  held.reset();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(waiting.get(), pid);
}

TEST_F(PoolTest, AWrongUrlFailsAtStart) {
  EXPECT_THROW(ConnectionPool("postgresql://onshi@127.0.0.1:1/postgres?connect_timeout=2", 2),
               ConnectionLost);
}

}  // namespace
}  // namespace onshi::store::postgres
