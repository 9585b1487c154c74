#include <fmt/format.h>

#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"

namespace onshi::store::sql {

namespace {

NoticeLetterRecord read_letter(const Statement& s) {
  NoticeLetterRecord l;
  l.id = s.int64(0);
  l.application_id = s.int64(1);
  l.created_at = s.int64(2);
  l.printed_at = s.optional_int64(3);
  l.tracking_number = s.optional_text(4);
  l.mailed_on = s.optional_text(5);
  l.recorded_by = s.optional_int64(6);
  l.recorded_at = s.optional_int64(7);
  l.reprinted_at = s.optional_int64(8);
  l.resend_due = s.integer(9) != 0;
  return l;
}

constexpr std::string_view kLetterColumns =
    "SELECT id, application_id, created_at, printed_at, tracking_number, mailed_on, recorded_by, "
    "recorded_at, reprinted_at, resend_due FROM notice_letters ";

}  // namespace

Id SqlNoticeLetters::insert_notice_letter(Id application_id, Millis now) {
  return c_
      .prepare("INSERT INTO notice_letters (application_id, created_at) VALUES (?, ?) RETURNING id")
      .bind_all(application_id, now)
      .inserted_id();
}

std::optional<NoticeLetterRecord> SqlNoticeLetters::notice_letter_of(Id application_id) {
  auto s = c_.prepare(std::string(kLetterColumns) + "WHERE application_id = ?");
  s.bind_all(application_id);
  if (!s.step()) return std::nullopt;
  return read_letter(s);
}

void SqlNoticeLetters::mark_notice_letter_printed(Id letter_id, Millis now) {
  c_.prepare("UPDATE notice_letters SET printed_at = ? WHERE id = ? AND printed_at IS NULL")
      .bind_all(now, letter_id)
      .run();
  // The codes were shown once, on this print; nothing can show them again.
  c_.prepare(
        "UPDATE certificates SET sealed_pickup_code = NULL WHERE application_id = (SELECT "
        "application_id FROM notice_letters WHERE id = ?)")
      .bind_all(letter_id)
      .run();
}

std::vector<NoticeLetterRecord> SqlNoticeLetters::unprinted_notice_letters() {
  auto s = c_.prepare(std::string(kLetterColumns) + "WHERE printed_at IS NULL ORDER BY id");
  std::vector<NoticeLetterRecord> out;
  while (s.step()) out.push_back(read_letter(s));
  return out;
}

std::vector<NoticeLetterRecord> SqlNoticeLetters::resend_due_notice_letters() {
  auto s = c_.prepare(std::string(kLetterColumns) + "WHERE resend_due = 1 ORDER BY id");
  std::vector<NoticeLetterRecord> out;
  while (s.step()) out.push_back(read_letter(s));
  return out;
}

void SqlNoticeLetters::mark_notice_letter_reprinted(Id letter_id, Millis now) {
  c_.prepare(
        "UPDATE notice_letters SET reprinted_at = ?, resend_due = CASE WHEN tracking_number IS "
        "NULL THEN 0 ELSE 1 END "
        "WHERE id = ?")
      .bind_all(now, letter_id)
      .run();
}

std::optional<std::string> SqlNoticeLetters::application_mailed_as(
    const std::string& tracking_number) {
  auto st = c_.prepare(
      "SELECT a.number FROM notice_letters l JOIN certificate_applications a "
      "ON a.id = l.application_id WHERE l.tracking_number = ?1 OR l.id IN (SELECT letter_id FROM "
      "notice_letter_mailings WHERE tracking_number = ?1)");
  st.bind_all(tracking_number);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

bool SqlNoticeLetters::record_registered_mail(Id letter_id, const std::string& tracking_number,
                                              const std::string& mailed_on, Id operator_id,
                                              Millis now) {
  // A resend: the earlier mailing goes to the history first (nothing when none is due).
  c_.prepare(
        "INSERT INTO notice_letter_mailings (letter_id, tracking_number, mailed_on, recorded_by, "
        "recorded_at, superseded_at) SELECT id, tracking_number, mailed_on, recorded_by, "
        "recorded_at, ? FROM notice_letters WHERE id = ? AND resend_due = 1 AND tracking_number "
        "IS NOT NULL")
      .bind_all(now, letter_id)
      .run();
  return c_.prepare(
               "UPDATE notice_letters SET tracking_number = ?, mailed_on = ?, recorded_by = ?, "
               "recorded_at = ?, resend_due = 0 WHERE id = ? AND (tracking_number IS NULL OR "
               "resend_due "
               "= 1)")
             .bind_all(tracking_number, mailed_on, operator_id, now, letter_id)
             .run() > 0;
}

}  // namespace onshi::store::sql
