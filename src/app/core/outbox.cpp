#include "app/core/outbox.hpp"

#include <fmt/format.h>

#include "app/core/contact.hpp"
#include "util/secrets.hpp"

namespace onshi::app {

void enqueue_mail(const Services& s, store::WriteTx& tx, const std::string& to,
                  const std::string& template_name, const util::TemplateData& data, MailBody body) {
  util::TemplateData d(data);
  d.set("base_url", s.config.base_url);
  // Every mail is 送信専用: each ends with the desk to contact instead (templates/contact.txt).
  util::TemplateData desk = contact_data(s.config.contact);
  desk.set("mail_domain", s.config.mail_domain());
  d.set("desk", desk);
  std::string signature = s.templates.render_text("contact.txt", desk);
  while (signature.ends_with('\n')) signature.pop_back();
  d.set("contact_signature", signature);
  const std::string text = s.templates.render_text("mail/" + template_name + ".txt", d);
  constexpr std::string_view prefix = "Subject: ";
  const auto end_of_subject = text.find('\n');
  if (!text.starts_with(prefix) || end_of_subject == std::string::npos) {
    throw std::runtime_error(
        fmt::format("mail template {} must start with a Subject: line", template_name));
  }
  store::NewMail mail;
  mail.to = to;
  mail.subject = text.substr(prefix.size(), end_of_subject - prefix.size());
  auto body_start = text.find_first_not_of('\n', end_of_subject);
  mail.body = body_start == std::string::npos ? std::string() : text.substr(body_start);
  mail.redact_when_sent = body == MailBody::single_use_link;
  const auto message_id = fmt::format("<{}@{}>", util::random_token(18), s.config.mail_domain());
  tx.outbox().enqueue_mail(mail, message_id, s.now_ms());
}

std::string audit_detail(
    std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string out = "{";
  for (const auto& [k, v] : fields) {
    if (out.size() > 1) out += ',';
    out += fmt::format("\"{}\":\"", k);
    for (const char ch : v) {
      switch (ch) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        default:
          if (static_cast<unsigned char>(ch) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<int>(ch));
          } else {
            out += ch;
          }
      }
    }
    out += '"';
  }
  return out + "}";
}

long long pending_mail_count(const Services& s) {
  long long pending = 0;
  s.db.read([&](store::ReadTx& tx) { pending = tx.outbox().pending_mail_count(); });
  return pending;
}

}  // namespace onshi::app
