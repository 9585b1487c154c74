#include "app/core/outbox_worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "mail/mime.hpp"
#include "mail/smtp_client.hpp"

namespace onshi::app {
namespace {

// Long enough for one SMTP conversation; a node that dies mid-send frees the mail after this.
constexpr store::Millis kLeaseMs = 120'000;
constexpr int kBatch = 20;

}  // namespace

OutboxWorker::OutboxWorker(const Services& s) : s_(s) {}

OutboxWorker::~OutboxWorker() {
  stop();
}

void OutboxWorker::start() {
  thread_ = std::thread([this] { loop(); });
}

void OutboxWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int OutboxWorker::deliver_due() {
  const auto due = s_.db.write([&](store::WriteTx& tx) {
    const auto now = s_.now_ms();
    return tx.outbox().claim_due_mail(now, kBatch, now + kLeaseMs);
  });
  if (due.empty()) return 0;
  const mail::SmtpClient client(mail::SmtpConfig{.url = s_.config.smtp_url});
  int sent = 0;
  for (std::size_t i = 0; i < due.size(); ++i) {
    const auto& m = due[i];
    const auto message = mail::render_mime({s_.config.mail_from, m.to, m.subject, m.body},
                                           s_.clock.now(), m.message_id);
    const auto result = client.send(s_.config.mail_from, m.to, message);
    s_.db.write([&](store::WriteTx& tx) {
      const auto now = s_.now_ms();
      if (result) {
        tx.outbox().mark_mail_sent(m.id, now);
        return;
      }
      const int attempts = m.attempts + 1;
      const store::Millis delay = std::min<store::Millis>(
          static_cast<store::Millis>(s_.config.mail_retry_base_ms) << std::min(attempts - 1, 20),
          s_.config.mail_retry_max_ms);
      const auto retry_at = now + delay;
      tx.outbox().mark_mail_failed(m.id, attempts, retry_at, result.error());
      // The server is likely down: the rest of the batch waits as long as this one.
      for (std::size_t j = i + 1; j < due.size(); ++j)
        tx.outbox().postpone_mail(due[j].id, retry_at);
    });
    if (result) {
      ++sent;
      spdlog::info("mail sent id={} to={}", m.id, m.to);
    } else {
      spdlog::warn("mail delivery failed id={} attempt={} error={}", m.id, m.attempts + 1,
                   result.error());
      break;
    }
  }
  return sent;
}

void OutboxWorker::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      deliver_due();
    } catch (const std::exception& e) {
      spdlog::error("outbox worker: {}", e.what());
    }
    lock.lock();
    wake_.wait_for(lock, std::chrono::milliseconds(s_.config.mail_poll_ms),
                   [&] { return stopping_; });
  }
}

}  // namespace onshi::app
