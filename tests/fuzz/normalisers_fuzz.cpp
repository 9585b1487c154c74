// libFuzzer target: what clinic staff type into the forms' coded fields: お客様ID, 医療機関コード,
// 電話番号 and 郵便番号 (domain/), each NFKC-normalised (ICU) first. What one accepts, read again
// in the form it is stored or shown, is accepted as the same value.
#include <string>

#include "domain/customer_id.hpp"
#include "domain/institution_code.hpp"
#include "domain/phone_number.hpp"
#include "domain/postal_code.hpp"
#include "fuzz_check.hpp"

using onshi::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace onshi::domain;
  const auto typed = onshi::fuzz::bytes(data, size);

  if (const auto id = CustomerId::parse(typed)) {
    require(id->value().size() == 13 || id->value().size() == 11);
    const auto again = CustomerId::parse(id->value());
    require(again && *again == *id);
  } else {
    require(!error_key(id.error()).empty());
  }

  if (const auto code = InstitutionCode::parse(typed)) {
    require(code->digits().size() == 10);
    const auto again = InstitutionCode::parse(code->formatted());
    require(again && *again == *code);
    const auto seven = parse_code7(format_code7(code->code7()));
    require(seven && *seven == code->code7());
  } else {
    require(!error_key(code.error()).empty());
  }
  if (const auto seven = parse_code7(typed)) require(seven->size() == 7);

  if (const auto phone = PhoneNumber::parse(typed)) {
    const auto again = PhoneNumber::parse(phone->formatted());
    require(again && *again == *phone && again->kind() == phone->kind());
  } else {
    require(!error_key(phone.error()).empty());
  }

  if (const auto postal = PostalCode::parse(typed)) {
    require(postal->digits().size() == 7);
    const auto again = PostalCode::parse(postal->display());
    require(again && *again == *postal);
  } else {
    require(!error_key(postal.error()).empty());
  }
  return 0;
}
