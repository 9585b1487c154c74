#pragma once
// Mail is composed from templates/mail/NAME.txt (first line "Subject: ...", a blank line, then
// the body) and written to the outbox in the caller's transaction.
#include "app/core/services.hpp"
#include "store/database.hpp"
#include "util/templates.hpp"

namespace onshi::app {

// What a mail's body holds beyond its words.
enum class MailBody {
  plain,
  // A single-use link (verification, password reset): the outbox keeps the body only until the
  // mail is sent, so that a copy of the database holds no working link.
  single_use_link,
};
void enqueue_mail(const Services& s, store::WriteTx& tx, const std::string& to,
                  const std::string& template_name, const util::TemplateData& data,
                  MailBody body = MailBody::plain);

// Mails written to the outbox and not sent yet (the /metrics gauge).
long long pending_mail_count(const Services& s);

// A JSON object text for audit details, from key/value pairs (values escaped).
std::string audit_detail(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

}  // namespace onshi::app
