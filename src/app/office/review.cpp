// The review queue, the dossier of one application, the decisions and the due-date dashboard.
#include "app/office/review.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "app/core/form_values.hpp"
#include "app/core/outbox.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_application.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

using State = domain::CertificateApplicationState;

// What the queue shows when no status is chosen: everything an operator may still act on.
const std::vector<State>& open_statuses() {
  static const std::vector<State> all = {State::applied, State::under_review, State::returned,
                                         State::approved, State::issued};
  return all;
}

constexpr std::size_t kMaxNoteCodePoints = 1000;

// The message to the clinic as it will be mailed and shown: line breaks as \n, NFKC, trimmed
// after NFKC (which turns a full-width space into a plain one). Line breaks and tabs are the only
// control characters kept. The length is counted as typed, as the textarea's maxlength counts it,
// so that one 「㍿」 is one character and not the four of 株式会社.
std::expected<std::string, ReviewError> clean_note(std::string_view typed) {
  std::string lines;
  lines.reserve(typed.size());
  for (std::size_t i = 0; i < typed.size(); ++i) {
    if (typed[i] != '\r') {
      lines.push_back(typed[i]);
    } else if (i + 1 == typed.size() || typed[i + 1] != '\n') {
      lines.push_back('\n');
    }
  }
  const std::string_view as_typed = util::trim(lines);
  if (util::code_points(as_typed) > kMaxNoteCodePoints)
    return std::unexpected(ReviewError::note_too_long);
  const auto n = util::nfkc(as_typed);
  if (!n.valid_utf8) return std::unexpected(ReviewError::note_invalid);
  std::string text(util::trim(n.text));
  std::string without_breaks = text;
  std::ranges::replace_if(
      without_breaks, [](char c) { return c == '\n' || c == '\t'; }, ' ');
  if (util::has_control_chars(without_breaks)) return std::unexpected(ReviewError::note_invalid);
  return text;
}

}  // namespace

std::string_view review_error_key(ReviewError e) {
  switch (e) {
    case ReviewError::not_found:
      return "review.not_found";
    case ReviewError::forbidden:
      return "review.forbidden";
    case ReviewError::wrong_state:
      return "review.wrong_state";
    case ReviewError::note_required:
      return "review.note_required";
    case ReviewError::note_too_long:
      return "review.note_too_long";
    case ReviewError::note_invalid:
      return "review.note_invalid";
    case ReviewError::tracking_number_used:
      return "review.tracking_number_used";
    case ReviewError::same_operator:
      return "review.same_operator";
    case ReviewError::ca_unavailable:
      return "review.ca_unavailable";
    case ReviewError::bad_csr:
      return "review.bad_csr";
    case ReviewError::tracking_number:
      return "review.tracking_number";
    case ReviewError::mailed_on:
      return "review.mailed_on";
    case ReviewError::already_recorded:
      return "review.already_recorded";
    case ReviewError::confirmation_stale:
      return "office_confirm.confirmation_stale";
    case ReviewError::letters_changed:
      return "office_confirm.letters_changed";
    case ReviewError::too_many_letters:
      return "office_confirm.too_many_letters";
    case ReviewError::no_letters_chosen:
      return "office_confirm.no_letters_chosen";
    case ReviewError::not_printed:
      return "office_confirm.not_printed";
    case ReviewError::nothing_to_reprint:
      return "office_confirm.nothing_to_reprint";
  }
  throw std::logic_error("unknown review error");
}

Failure review_failure(ReviewError e, std::string detail_key, int certificate) {
  FailureCode code = FailureCode::invalid;
  switch (e) {
    case ReviewError::not_found:
      code = FailureCode::not_found;
      break;
    case ReviewError::forbidden:
      code = FailureCode::forbidden;
      break;
    case ReviewError::wrong_state:
    case ReviewError::already_recorded:
    case ReviewError::confirmation_stale:
    case ReviewError::letters_changed:
    case ReviewError::not_printed:
    case ReviewError::nothing_to_reprint:
      code = FailureCode::conflict;
      break;
    case ReviewError::ca_unavailable:
      code = FailureCode::unavailable;
      break;
    default:
      break;
  }
  Failure f = Failure::of(code, std::string(review_error_key(e)));
  f.detail_key = std::move(detail_key);
  f.item = certificate;
  return f;
}

std::vector<store::CertificateApplicationRecord> review_queue(const Services& s,
                                                              const QueueFilter& f) {
  store::ApplicationFilter filter;
  if (f.status.empty()) {
    filter.statuses = open_statuses();
  } else if (const auto wanted = domain::parse_state(f.status)) {
    filter.statuses = {*wanted};
  } else {
    return {};
  }
  filter.prefecture = f.prefecture;
  // A date that does not parse filters nothing rather than failing the whole page.
  if (auto d = domain::parse_date(f.applied_from)) filter.applied_from = domain::format_date(*d);
  if (auto d = domain::parse_date(f.applied_to)) filter.applied_to = domain::format_date(*d);
  std::vector<store::CertificateApplicationRecord> out;
  s.db.read([&](store::ReadTx& tx) {
    out = tx.certificate_applications().find_certificate_applications(filter);
  });
  return out;
}

std::optional<ApplicationDossier> application_dossier(const Services& s, std::string_view number) {
  std::optional<ApplicationDossier> out;
  s.db.read([&](store::ReadTx& tx) {
    auto a =
        tx.certificate_applications().find_certificate_application_by_number(std::string(number));
    if (!a) return;
    ApplicationDossier d;
    d.usage = tx.usage_applications().usage_applications_of(a->institution_id);
    d.certificates = tx.certificates().certificates_of_application(a->id);
    for (const auto& c : d.certificates) {
      const auto n = static_cast<int>(tx.certificates().downloads_of(c.id).size());
      if (n > 0) d.downloads[c.id] = n;
    }
    d.letter = tx.letters().notice_letter_of(a->id);
    store::AuditFilter about;
    about.subject = a->number;
    about.limit = 200;
    d.history = tx.audit().audit_entries(about);
    d.application = std::move(*a);
    out = std::move(d);
  });
  return out;
}

std::string confirmation_token(const store::CertificateApplicationRecord& a) {
  return fmt::format("{}.{}.{}", domain::state_key(a.status), a.updated_at, a.certificates);
}

Result<> decide(const Services& s, const Actor& who, std::string_view number, Decision d,
                std::string_view note, std::optional<std::string> confirmed) {
  if (!allowed(who.role, Permission::review))
    return std::unexpected(review_failure(ReviewError::forbidden));
  const auto cleaned = clean_note(note);
  if (!cleaned) return std::unexpected(review_failure(cleaned.error()));
  const std::string& text = *cleaned;
  if (d != Decision::approve && text.empty()) {
    return std::unexpected(review_failure(ReviewError::note_required));
  }
  return s.db.write([&](store::WriteTx& tx) -> Result<> {
    auto a =
        tx.certificate_applications().find_certificate_application_by_number(std::string(number));
    if (!a) return std::unexpected(review_failure(ReviewError::not_found));
    if (confirmed && *confirmed != confirmation_token(*a)) {
      return std::unexpected(review_failure(ReviewError::confirmation_stale));
    }
    // 申請済 goes through 審査中 in the same step: the reviewer opened it and decided.
    const domain::CertificateApplicationResult reviewing =
        a->status == State::applied ? domain::start_review(a->status)
                                    : domain::CertificateApplicationResult(a->status);
    domain::CertificateApplicationResult to = !reviewing               ? reviewing
                                              : d == Decision::approve ? domain::approve(*reviewing)
                                              : d == Decision::send_back
                                                  ? domain::return_for_correction(*reviewing)
                                                  : domain::reject(*reviewing);
    const auto now = s.now_ms();
    if (!to || !tx.certificate_applications().set_certificate_application_status(a->id, a->status,
                                                                                 *to, text, now)) {
      return std::unexpected(review_failure(ReviewError::wrong_state));
    }
    const char* action = d == Decision::approve     ? "application.approve"
                         : d == Decision::send_back ? "application.send_back"
                                                    : "application.reject";
    if (d == Decision::approve)
      tx.certificate_applications().set_certificate_application_approved_by(a->id, who.operator_id);
    tx.audit().append_audit(
        {who.audit_name(), action, a->number,
         audit_detail({{"from", domain::state_key(a->status)}, {"note", text}, {"by", who.login}})},
        now);
    if (d != Decision::approve) {
      util::TemplateData m;
      m.set("number", a->number);
      m.set("institution_name", a->institution_name);
      m.set("contact_name", a->contact_name);
      m.set("note", text);
      m.set("mypage_url", s.config.base_url + "/mypage");
      m.set("sent_back", d == Decision::send_back);
      enqueue_mail(s, tx, a->email,
                   d == Decision::send_back ? "application_returned" : "application_rejected", m);
    }
    return {};
  });
}

std::string_view next_step_key(NextStep n) {
  switch (n) {
    case NextStep::review:
      return "review";
    case NextStep::issue:
      return "issue";
    case NextStep::print:
      return "print";
    case NextStep::mail:
      return "mail";
    case NextStep::clinic:
      return "clinic";
    case NextStep::none:
      return "none";
  }
  throw std::logic_error("unknown next step");
}

DashboardRow work_of(const Services& s, store::CertificateApplicationRecord a,
                     const std::optional<store::NoticeLetterRecord>& letter) {
  const auto today = today_in_japan(s);
  const auto& calendar = s.reference.calendar;
  DashboardRow r;
  if (const auto arrival = domain::parse_date(a.expected_notice_on)) {
    if (const auto ship = calendar.add_business_days(*arrival, -kPostalBusinessDays)) {
      r.ship_by = domain::format_date(*ship);
      if (auto n = calendar.business_days_between(today, *ship)) r.business_days_left = *n;
      r.overdue = today > *ship;
    }
  }
  switch (a.status) {
    case State::applied:
    case State::under_review:
      r.next = NextStep::review;
      break;
    case State::returned:
      r.next = NextStep::clinic;
      break;
    case State::approved:
      r.next = NextStep::issue;
      break;
    case State::issued:
      r.letter_printed = letter && letter->printed_at;
      r.next = r.letter_printed ? NextStep::mail : NextStep::print;
      break;
    case State::notice_sent:
      // A letter reprinted after it was posted goes out again by registered mail.
      r.letter_printed = letter && letter->printed_at;
      r.next = letter && letter->resend_due ? NextStep::mail : NextStep::none;
      break;
    default:
      r.next = NextStep::none;
      break;
  }
  // Only what the office still has to do before posting can be late.
  if (r.next == NextStep::none || r.next == NextStep::clinic) r.overdue = false;
  r.application = std::move(a);
  return r;
}

namespace {

// Reads the letter of each 発行済 application in the same read.
std::vector<DashboardRow> describe(const Services& s, store::ReadTx& tx,
                                   std::vector<store::CertificateApplicationRecord> found) {
  std::vector<DashboardRow> rows;
  rows.reserve(found.size());
  for (auto& a : found) {
    const auto letter = a.status == State::issued || a.status == State::notice_sent
                            ? tx.letters().notice_letter_of(a.id)
                            : std::optional<store::NoticeLetterRecord>();
    rows.push_back(work_of(s, std::move(a), letter));
  }
  return rows;
}

}  // namespace

std::vector<DashboardRow> review_queue_rows(const Services& s, const QueueFilter& f) {
  // 発行済 split by its letter: the store filters by status, the letter is read per row.
  QueueFilter by_status = f;
  std::optional<bool> printed;
  if (f.status == "issued_unprinted" || f.status == "issued_unmailed") {
    printed = f.status == "issued_unmailed";
    by_status.status = std::string(domain::state_key(State::issued));
  }
  auto found = review_queue(s, by_status);
  std::vector<DashboardRow> rows;
  s.db.read([&](store::ReadTx& tx) { rows = describe(s, tx, std::move(found)); });
  if (printed) {
    std::erase_if(rows, [&](const DashboardRow& r) { return r.letter_printed != *printed; });
  }
  return rows;
}

std::vector<DashboardRow> dashboard(const Services& s) {
  store::ApplicationFilter filter;
  filter.statuses = open_statuses();
  filter.limit = 5000;
  std::vector<DashboardRow> rows;
  s.db.read([&](store::ReadTx& tx) {
    auto found = tx.certificate_applications().find_certificate_applications(filter);
    // A letter reprinted after it was posted is work again (its resend's 書留), though its
    // application stays 通知書発送済.
    for (const auto& letter : tx.letters().resend_due_notice_letters()) {
      if (auto a = tx.certificate_applications().find_certificate_application_by_id(
              letter.application_id)) {
        found.push_back(std::move(*a));
      }
    }
    rows = describe(s, tx, std::move(found));
  });
  std::stable_sort(rows.begin(), rows.end(), [](const DashboardRow& x, const DashboardRow& y) {
    if (x.overdue != y.overdue) return x.overdue;
    return x.ship_by < y.ship_by;
  });
  return rows;
}

OfficeCounts office_counts(const Services& s) {
  OfficeCounts c;
  // The dashboard holds every piece of work, resends of posted letters included.
  for (const auto& r : dashboard(s)) {
    c.to_review += r.next == NextStep::review;
    c.to_issue += r.next == NextStep::issue;
    c.to_print += r.next == NextStep::print;
    c.to_mail += r.next == NextStep::mail;
    c.overdue += r.overdue;
  }
  return c;
}

}  // namespace onshi::app
