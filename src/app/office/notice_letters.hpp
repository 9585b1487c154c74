#pragma once
// The back office after issuance: the 電子証明書発行通知書 (notice letters, one PDF per batch,
// each pickup code printed once) and their registered mail (書留), then what the clinic's pages
// show of them.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/core/services.hpp"
#include "app/office/operators.hpp"
#include "app/office/review.hpp"

namespace onshi::app {

// The notice letters not yet printed, as one PDF (each letter on its own pages): those of the
// applications in `only`, or when it is empty every one (up to a batch). Marks them printed and
// erases the sealed pickup codes in the same transaction: each code is printed once. Nothing to
// print gives an empty string. An application in `only` whose letter is not waiting to be printed
// (printed by someone else meanwhile) refuses the whole batch (review.letters_changed), so the
// PDF holds exactly what the operator confirmed; more than a batch is review.too_many_letters.
// `deliver`, when given, receives a non-empty batch inside that transaction, last: when it throws
// (the file could not be written), nothing is marked printed and the codes stay sealed.
struct LetterBatch {
  std::string pdf;
  std::vector<std::string> application_numbers;
};
inline constexpr std::size_t kMaxLettersPerBatch = 50;
Result<LetterBatch> print_notice_letters(
    const Services& s, const Actor& who,
    const std::function<void(const LetterBatch&)>& deliver = {},
    const std::vector<std::string>& only = {});

// 新しい取得コードで再印刷 (CPIPCS 4.4.4: a lost or failed letter is sent again free of charge with
// new codes and the old ones made void): a printed letter's certificates still waiting to be
// picked up get new pickup codes (their hashes replaced, so an old code matches nothing), the
// pickup deadline counted again from now and their failed attempts cleared; the PDF of that
// letter with those certificates, audited letter.reprint, in one transaction. Refused while the
// letter is not printed yet (review.not_printed) or when no certificate waits (review.nothing_to_
// reprint). A letter already posted is void then: it waits in LetterQueue::to_mail for the
// registered mail of its resend, which record_registered_mail records beside the first.
Result<LetterBatch> reprint_notice_letter(
    const Services& s, const Actor& who, std::string_view number,
    const std::function<void(const LetterBatch&)>& deliver = {});

// The 通知書・書留 page's work: the applications whose letters wait to be printed, and the printed
// letters whose registered mail is not recorded yet (with their applications).
struct LetterQueue {
  std::vector<std::string> to_print;                           // application numbers
  std::vector<store::CertificateApplicationRecord> printable;  // the same applications
  // printed with no tracking number yet, then those reprinted after posting (resend_due)
  std::vector<store::CertificateApplicationRecord> to_mail;
  std::map<store::Id, store::NoticeLetterRecord> letters;  // by application id, for to_mail
};
LetterQueue letter_queue(const Services& s);

// 書留番号 and the date it was posted; the application becomes 通知書発送済 and the clinic
// is mailed. `mailed_on` is YYYY-MM-DD (full-width digits accepted), today or earlier, and not
// before the print (a resend: the reprint). A resend's number is recorded beside the first one.
Result<> record_registered_mail(const Services& s, const Actor& who, std::string_view number,
                                std::string_view tracking_number, std::string_view mailed_on);

// The notice letter of an application and its registered mail, for the clinic's pages.
std::optional<store::NoticeLetterRecord> notice_letter_of(const Services& s,
                                                          store::Id application_id);

}  // namespace onshi::app
