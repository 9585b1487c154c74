#include "util/bounded_workers.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace onshi::util {
namespace {

// A job that says when it started and then waits for the test to let it finish: the workers'
// state is then known without any timing.
struct Gate {
  std::promise<void> started;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();

  std::function<void()> job(std::atomic<int>& done) {
    return [this, &done, until = released] {
      started.set_value();
      until.wait();
      ++done;
    };
  }
};

TEST(BoundedWorkers, AFullQueueRefusesAtOnceAndLeavesTheJobToTheCaller) {
  std::atomic<int> done{0};
  Gate running;
  {
    BoundedWorkers workers(1, 1);
    auto first = running.job(done);
    ASSERT_TRUE(workers.try_post(first));
    running.started.get_future().wait();  // the one thread is busy

    std::function<void()> queued = [&done] { ++done; };
    ASSERT_TRUE(workers.try_post(queued));  // the one place in the queue
    EXPECT_EQ(workers.waiting(), 1U);

    bool refused_ran = false;
    std::function<void()> refused = [&refused_ran] { refused_ran = true; };
    EXPECT_FALSE(workers.try_post(refused));
    ASSERT_TRUE(refused);  // not moved from: the caller answers with it (the 503)
    refused();
    EXPECT_TRUE(refused_ran);

    running.release.set_value();
  }  // the destructor runs what was queued before it joins
  EXPECT_EQ(done.load(), 2);
}

TEST(BoundedWorkers, AnIdleThreadTakesAJobEvenWithNoQueue) {
  std::atomic<int> done{0};
  Gate a, b;
  {
    BoundedWorkers workers(2, 0);
    auto first = a.job(done);
    auto second = b.job(done);
    ASSERT_TRUE(workers.try_post(first));
    ASSERT_TRUE(workers.try_post(second));
    a.started.get_future().wait();
    b.started.get_future().wait();
    std::function<void()> third = [&done] { ++done; };
    EXPECT_FALSE(workers.try_post(third));  // both busy, no place to wait
    a.release.set_value();
    b.release.set_value();
  }
  EXPECT_EQ(done.load(), 2);
}

TEST(BoundedWorkers, AFreedPlaceTakesTheNextJob) {
  std::atomic<int> done{0};
  BoundedWorkers workers(1, 0);
  Gate a;
  auto first = a.job(done);
  ASSERT_TRUE(workers.try_post(first));
  a.started.get_future().wait();
  std::function<void()> refused = [&done] { ++done; };
  EXPECT_FALSE(workers.try_post(refused));
  a.release.set_value();

  std::promise<void> ran;
  std::function<void()> later = [&ran] { ran.set_value(); };
  // The thread frees itself once the first job returns; until then the post is refused.
  while (!workers.try_post(later)) std::this_thread::yield();
  ran.get_future().wait();
  EXPECT_EQ(done.load(), 1);
}

TEST(BoundedWorkers, NeedsAThread) {
  EXPECT_THROW(BoundedWorkers(0, 4), std::invalid_argument);
}

}  // namespace
}  // namespace onshi::util
