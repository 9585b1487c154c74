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

Result<> decide(const Services& s, const Actor& who, std::string_view number, Decision d,
                std::string_view note) {
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

std::vector<DashboardRow> dashboard(const Services& s) {
  const auto today = today_in_japan(s);
  const std::string today_text = domain::format_date(today);
  store::ApplicationFilter filter;
  filter.statuses = open_statuses();
  filter.limit = 5000;
  std::vector<store::CertificateApplicationRecord> open;
  s.db.read([&](store::ReadTx& tx) {
    open = tx.certificate_applications().find_certificate_applications(filter);
  });
  std::vector<DashboardRow> rows;
  rows.reserve(open.size());
  for (auto& a : open) {
    DashboardRow r;
    if (auto due = domain::parse_date(a.expected_notice_on)) {
      if (auto n = s.reference.calendar.business_days_between(today, *due)) {
        r.business_days_left = *n;
      }
    }
    r.overdue = a.expected_notice_on < today_text;
    r.application = std::move(a);
    rows.push_back(std::move(r));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const DashboardRow& x, const DashboardRow& y) {
    if (x.overdue != y.overdue) return x.overdue;
    return x.application.expected_notice_on < y.application.expected_notice_on;
  });
  return rows;
}

}  // namespace onshi::app
