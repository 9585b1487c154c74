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

// Every notice letter not yet printed, as one PDF (each letter on its own pages). Marks them
// printed and erases the sealed pickup codes in the same transaction: each code is printed once.
// Nothing to print gives an empty string. `deliver`, when given, receives a non-empty batch inside
// that transaction, last: when it throws (the file could not be written), nothing is marked
// printed and the codes stay sealed for the next batch.
struct LetterBatch {
  std::string pdf;
  std::vector<std::string> application_numbers;
};
Result<LetterBatch> print_notice_letters(
    const Services& s, const Actor& who,
    const std::function<void(const LetterBatch&)>& deliver = {});

// The 通知書・書留 page's work: the applications whose letters wait to be printed, and the printed
// letters whose registered mail is not recorded yet (with their applications).
struct LetterQueue {
  std::vector<std::string> to_print;                         // application numbers
  std::vector<store::CertificateApplicationRecord> to_mail;  // printed, no tracking number yet
  std::map<store::Id, store::NoticeLetterRecord> letters;    // by application id, for to_mail
};
LetterQueue letter_queue(const Services& s);

// 書留の引受番号 and the date it was posted; the application becomes 通知書発送済 and the clinic
// is mailed. `mailed_on` is YYYY-MM-DD (full-width digits accepted), today or earlier.
Result<> record_registered_mail(const Services& s, const Actor& who, std::string_view number,
                                std::string_view tracking_number, std::string_view mailed_on);

// The notice letter of an application and its registered mail, for the clinic's pages.
std::optional<store::NoticeLetterRecord> notice_letter_of(const Services& s,
                                                          store::Id application_id);

}  // namespace onshi::app
