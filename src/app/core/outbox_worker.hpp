#pragma once
// Sends the outbox over SMTP from a background thread, retrying with exponential backoff while
// the server is down. Several nodes may run one each: a mail is leased before it is sent.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/core/services.hpp"

namespace onshi::app {

class OutboxWorker {
 public:
  explicit OutboxWorker(const Services& s);
  ~OutboxWorker();
  OutboxWorker(const OutboxWorker&) = delete;
  OutboxWorker& operator=(const OutboxWorker&) = delete;

  void start();
  // Finishes the mail being sent, then returns.
  void stop();
  // Sends what is due now; returns how many were sent. Used by the thread and by tests.
  int deliver_due();

 private:
  void loop();

  const Services& s_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace onshi::app
