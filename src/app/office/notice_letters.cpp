// 電子証明書発行通知書: the print batch (each pickup code printed once) and the registered mail.
#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "app/applications/certificate_applications.hpp"
#include "app/ca/certificate_authority.hpp"
#include "app/ca/issuance.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "app/core/outbox.hpp"
#include "app/office/notice_letters.hpp"
#include "domain/address.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_application.hpp"
#include "domain/institution_code.hpp"
#include "letters/notice_letter.hpp"
#include "util/secrets.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

// The letter's own date, top right, is written as a letter's is, without the weekday.
std::string letter_date(const Messages& m, std::chrono::year_month_day d) {
  return fmt::format(fmt::runtime(m.get("notice_letter.date_format")), static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

// Its dates are Japanese calendar days. The application date and the pickup deadline carry the
// weekday, as on the pages and in the mails (a vendor plans the visit by the deadline); the
// validity, years apart, is a span on one line without it.
std::string japanese_date(const Messages& m, store::Millis ms) {
  return date_shown(m, date_in_japan(ms));
}

std::string postal_display(const std::string& digits) {
  return digits.size() == 7 ? fmt::format("〒{}-{}", digits.substr(0, 3), digits.substr(3)) : "";
}

letters::NoticeLetter compose(const Services& s, const store::CertificateApplicationRecord& a,
                              const std::vector<store::CertificateRecord>& certs,
                              const std::vector<std::string>& codes) {
  const auto& m = s.messages;
  const auto msg = [&](std::string_view key) -> const std::string& {
    return m.get(fmt::format("notice_letter.{}", key));
  };
  const auto* prefecture = s.reference.regions.prefecture(a.prefecture);
  const auto* municipality = s.reference.regions.municipality(a.municipality_code);
  const auto code = domain::InstitutionCode::parse(a.institution_code);

  letters::NoticeLetter l;
  // The address once (an older application may still repeat the names in 所在地), then the
  // addressee as letters are written: 部署 on its own line, the person's name with 様 below it.
  const std::string line =
      prefecture && municipality
          ? domain::address_after_municipality(a.address_line, prefecture->name, municipality->name,
                                               s.reference.postcodes.towns_of(municipality->code))
          : a.address_line;
  l.address_lines = {
      postal_display(a.postal_code),
      fmt::format("{}{}{}", prefecture ? prefecture->name : "",
                  municipality ? municipality->name : "", line.empty() ? a.address_line : line),
      a.institution_name,
  };
  if (!a.department.empty()) l.address_lines.push_back(a.department);
  l.address_lines.push_back(fmt::format(fmt::runtime(msg("honorific")), a.contact_name));
  l.sender_block = msg("sender");
  l.date_line = letter_date(m, today_in_japan(s));
  l.title = msg("title");
  l.greeting = msg("greeting");
  const auto yen = [](std::int64_t v) { return util::group_thousands(v); };
  l.facts = {
      {msg("number"), a.number},
      {msg("applied_on"), date_shown(m, a.applied_on)},
      {msg("institution_code"), code ? code->formatted() : a.institution_code},
      {msg("institution_name"), a.institution_name},
      {msg("certificates"), fmt::format(fmt::runtime(msg("count")), a.certificates)},
      {msg("fee"),
       fmt::format(fmt::runtime(msg("fee_value")), yen(a.total_yen), yen(a.fee_per_certificate),
                   a.certificates, yen(a.subtotal_yen), yen(a.tax_yen))},
      {msg("validity"), fmt::format(fmt::runtime(msg("validity_value")),
                                    period_in_months(m, s.config.terminal_validity_months))},
  };
  l.certificates_heading = msg("certificates_heading");
  l.certificate_labels = {msg("label_issuance_number"), msg("label_terminal"),
                          msg("label_pickup_code"),     msg("label_pickup_deadline"),
                          msg("label_serial"),          msg("label_validity"),
                          msg("validity_format"),       msg("label_delivery")};
  const std::string pickup_page = s.config.base_url + "/pickup";
  for (std::size_t i = 0; i < certs.size(); ++i) {
    const auto& c = certs[i];
    // A vendor needs to know before the visit whether the terminal gets a key or must hold one.
    const bool generated = c.key_source == store::KeySource::generated;
    l.certificates.push_back(
        {c.terminal, "", c.issuance_number, c.serial_hex, codes[i],
         pickup_page + "?n=" + c.issuance_number, letter_date(m, date_in_japan(c.not_before)),
         letter_date(m, date_in_japan(c.not_after)), japanese_date(m, c.pickup_expires_at),
         msg(generated ? "delivery_generated" : "delivery_csr")});
  }
  l.qr_caption = msg("qr_caption");
  l.pickup_page_label = msg("pickup_page_label");
  l.pickup_page_url = pickup_page;
  l.instructions_heading = msg("instructions_heading");
  l.vendor_instructions = {msg("instruction_1"), msg("instruction_2"), msg("instruction_3"),
                           msg("instruction_4"), msg("instruction_5"), msg("instruction_6")};
  l.notes_heading = msg("notes_heading");
  l.notes = {
      fmt::format(fmt::runtime(msg("note_download")), s.config.pickup_redownload_days),
      fmt::format(fmt::runtime(msg("note_attempts")), s.config.pickup_max_attempts),
      msg("note_resend"),
      msg("note_deadline"),
      msg("note_secret"),
  };
  const auto& desk = s.config.contact;
  l.contact_heading = msg("contact_heading");
  l.contact_lines = {desk.name,
                     fmt::format(fmt::runtime(msg("contact_phone")), desk.phone, desk.hours),
                     fmt::format(fmt::runtime(msg("contact_email")), desk.email)};
  l.footer = fmt::format(fmt::runtime(msg("footer")), a.number);
  l.page_label_format = msg("page_label");
  return l;
}

}  // namespace

LetterQueue letter_queue(const Services& s) {
  LetterQueue q;
  s.db.read([&](store::ReadTx& tx) {
    for (const auto& l : tx.letters().unprinted_notice_letters()) {
      if (auto a =
              tx.certificate_applications().find_certificate_application_by_id(l.application_id)) {
        q.to_print.push_back(a->number);
        q.printable.push_back(std::move(*a));
      }
    }
    store::ApplicationFilter issued;
    issued.statuses = {domain::CertificateApplicationState::issued};
    for (auto& a : tx.certificate_applications().find_certificate_applications(issued)) {
      auto letter = tx.letters().notice_letter_of(a.id);
      if (!letter || !letter->printed_at || letter->tracking_number) continue;
      q.letters[a.id] = *letter;
      q.to_mail.push_back(std::move(a));
    }
    // Resends (reprinted after posting) wait for their 書留 too, after the first mailings.
    for (const auto& letter : tx.letters().resend_due_notice_letters()) {
      auto a =
          tx.certificate_applications().find_certificate_application_by_id(letter.application_id);
      if (!a) continue;
      q.letters[a->id] = letter;
      q.to_mail.push_back(std::move(*a));
    }
  });
  return q;
}

std::optional<store::NoticeLetterRecord> notice_letter_of(const Services& s,
                                                          store::Id application_id) {
  std::optional<store::NoticeLetterRecord> out;
  s.db.read([&](store::ReadTx& tx) { out = tx.letters().notice_letter_of(application_id); });
  return out;
}

Result<LetterBatch> print_notice_letters(const Services& s, const Actor& who,
                                         const std::function<void(const LetterBatch&)>& deliver,
                                         const std::vector<std::string>& only) {
  if (!allowed(who.role, Permission::letters)) {
    return std::unexpected(review_failure(ReviewError::forbidden));
  }
  // A batch is rendered inside the transaction that marks it printed; bounding it bounds how long
  // the writer lock is held.
  if (only.size() > kMaxLettersPerBatch) {
    return std::unexpected(review_failure(ReviewError::too_many_letters));
  }
  if (!s.ca) return std::unexpected(review_failure(ReviewError::ca_unavailable));
  // One transaction: the PDF exists if and only if its letters are marked printed and their
  // sealed codes erased, so no code is ever printed twice.
  return s.db.write([&](store::WriteTx& tx) -> Result<LetterBatch> {
    LetterBatch batch;
    std::vector<letters::NoticeLetter> letters;
    std::vector<store::Id> printed;
    for (const auto& letter : tx.letters().unprinted_notice_letters()) {
      if (letters.size() == kMaxLettersPerBatch) break;
      auto a =
          tx.certificate_applications().find_certificate_application_by_id(letter.application_id);
      if (!a) continue;
      if (!only.empty() && std::ranges::find(only, a->number) == only.end()) continue;
      auto certs = tx.certificates().certificates_of_application(a->id);
      std::vector<std::string> codes;
      for (const auto& c : certs) {
        auto code = c.sealed_pickup_code ? s.ca->unseal(*c.sealed_pickup_code) : std::nullopt;
        if (!code) throw std::runtime_error("pickup code of " + c.issuance_number + " unreadable");
        codes.push_back(std::move(*code));
      }
      if (certs.empty()) continue;
      letters.push_back(compose(s, *a, certs, codes));
      printed.push_back(letter.id);
      batch.application_numbers.push_back(a->number);
    }
    // What was confirmed is what is printed: a letter printed meanwhile refuses the batch.
    if (!only.empty() && batch.application_numbers.size() != only.size()) {
      return std::unexpected(review_failure(ReviewError::letters_changed));
    }
    if (letters.empty()) return batch;
    batch.pdf = letters::render_notice_letters_pdf(letters);
    const auto now = s.now_ms();
    for (auto id : printed) tx.letters().mark_notice_letter_printed(id, now);
    for (const auto& number : batch.application_numbers) {
      tx.audit().append_audit(
          {who.audit_name(), "letter.print", number, audit_detail({{"by", who.login}})}, now);
    }
    if (deliver) deliver(batch);
    return batch;
  });
}

Result<LetterBatch> reprint_notice_letter(const Services& s, const Actor& who,
                                          std::string_view number,
                                          const std::function<void(const LetterBatch&)>& deliver) {
  if (!allowed(who.role, Permission::letters)) {
    return std::unexpected(review_failure(ReviewError::forbidden));
  }
  // Drawn before the transaction; only those of certificates still waiting are used.
  std::vector<std::string> fresh;
  for (int i = 0; i < kMaxCertificatesPerApplication; ++i) fresh.push_back(new_pickup_code());
  return s.db.write([&](store::WriteTx& tx) -> Result<LetterBatch> {
    auto a =
        tx.certificate_applications().find_certificate_application_by_number(std::string(number));
    if (!a) return std::unexpected(review_failure(ReviewError::not_found));
    const auto letter = tx.letters().notice_letter_of(a->id);
    if (!letter || !letter->printed_at) {
      return std::unexpected(review_failure(ReviewError::not_printed));
    }
    const auto now = s.now_ms();
    const auto expires = now + static_cast<store::Millis>(s.config.pickup_valid_days) * 86'400'000;
    std::vector<store::CertificateRecord> waiting;
    std::vector<std::string> codes;
    std::vector<std::string> renewed;
    for (auto& c : tx.certificates().certificates_of_application(a->id)) {
      const auto& code = fresh[waiting.size()];
      if (!tx.certificates().replace_pickup_code(
              c.id, util::sha256_hex(normalize_pickup_code(code)), expires)) {
        // Picked up, revoked or replaced: its code is not renewed. One still in its re-download
        // days stops working, since the letter that carries it is void now.
        if (!c.replaced_at && c.picked_up_at && !c.pickup_closed_at &&
            tx.certificates().close_pickup(c.id, store::PickupClosed::voided, now)) {
          tx.audit().append_audit({who.audit_name(), "certificate.pickup_voided", c.issuance_number,
                                   audit_detail({{"serial", c.serial_hex}})},
                                  now);
        }
        continue;
      }
      c.pickup_expires_at = expires;
      renewed.push_back(c.issuance_number);
      codes.push_back(code);
      waiting.push_back(std::move(c));
    }
    if (waiting.empty()) return std::unexpected(review_failure(ReviewError::nothing_to_reprint));
    LetterBatch batch;
    batch.application_numbers = {a->number};
    batch.pdf = letters::render_notice_letters_pdf({compose(s, *a, waiting, codes)});
    // A letter already posted is void now: its resend waits for a registered mail of its own.
    tx.letters().mark_notice_letter_reprinted(letter->id, now);
    std::string list;
    for (const auto& n : renewed) list += (list.empty() ? "" : ",") + n;
    tx.audit().append_audit({who.audit_name(), "letter.reprint", a->number,
                             audit_detail({{"by", who.login}, {"new_codes_for", list}})},
                            now);
    if (deliver) deliver(batch);
    return batch;
  });
}

Result<> record_registered_mail(const Services& s, const Actor& who, std::string_view number,
                                std::string_view tracking_number, std::string_view mailed_on) {
  if (!allowed(who.role, Permission::letters)) {
    return std::unexpected(review_failure(ReviewError::forbidden));
  }
  // 書留番号 are 11 digits (often printed 4-4-3) and some forms carry 12-13; full-width
  // digits and any hyphenation are accepted.
  std::string digits;
  for (char c : util::normalize_code_input(tracking_number)) {
    if (c != '-' && c != ' ') digits.push_back(c);
  }
  static const std::regex pattern("[0-9]{11,13}");
  if (!std::regex_match(digits, pattern)) {
    return std::unexpected(review_failure(ReviewError::tracking_number));
  }
  const auto date = domain::parse_date(mailed_on);
  if (!date || *date > today_in_japan(s)) {
    return std::unexpected(review_failure(ReviewError::mailed_on));
  }
  const std::string date_text = domain::format_date(*date);
  const auto refused = [](ReviewError e) -> Result<> { return std::unexpected(review_failure(e)); };
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    auto a =
        tx.certificate_applications().find_certificate_application_by_number(std::string(number));
    auto letter = a ? tx.letters().notice_letter_of(a->id) : std::nullopt;
    if (!a || !letter) return refused(a ? ReviewError::wrong_state : ReviewError::not_found);
    // A resend (新しい取得コードで再印刷 after posting) records a second registered mail.
    const bool resend = letter->resend_due && letter->tracking_number && letter->reprinted_at;
    if (letter->tracking_number && !resend) return refused(ReviewError::already_recorded);
    if (!letter->printed_at) return refused(ReviewError::wrong_state);
    // The letter posted is the last one printed: a reprint voids the earlier print, posted or not.
    const auto ready = letter->reprinted_at.value_or(*letter->printed_at);
    if (*date < date_in_japan(ready)) return refused(ReviewError::mailed_on);
    if (tx.letters().application_mailed_as(digits))
      return refused(ReviewError::tracking_number_used);
    const auto now = s.now_ms();
    if (!tx.letters().record_registered_mail(letter->id, digits, date_text, who.operator_id, now))
      return refused(ReviewError::wrong_state);
    // The first mailing makes the application 通知書発送済; a resend leaves it so.
    if (!resend) {
      const auto to = domain::record_notice_sent(a->status);
      if (!to || !tx.certificate_applications().set_certificate_application_status(a->id, a->status,
                                                                                   *to, "", now))
        return refused(ReviewError::wrong_state);
    }
    tx.audit().append_audit({who.audit_name(), "letter.mailed", a->number,
                             audit_detail({{"tracking_number", digits},
                                           {"mailed_on", date_text},
                                           {"resend", resend ? "true" : "false"}})},
                            now);
    util::TemplateData m;
    m.set("number", a->number);
    m.set("institution_name", a->institution_name);
    m.set("contact_name", a->contact_name);
    m.set("mailed_on", date_shown(s.messages, *date));
    m.set("tracking_number", digits);
    m.set("mypage_url", s.config.base_url + "/mypage");
    enqueue_mail(s, tx, a->email, "notice_mailed", m);
    return {};
  });
}

}  // namespace onshi::app
