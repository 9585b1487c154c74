// Every key the domain can hand to a page must have its Japanese text in data/messages.ja.toml.
#include <gtest/gtest.h>

#include <set>

#include "app/core/failure.hpp"
#include "app/core/messages.hpp"
#include "app/office/review.hpp"
#include "domain/business_calendar.hpp"
#include "domain/calendar_date.hpp"
#include "domain/certificate_application.hpp"
#include "domain/certificate_state.hpp"
#include "domain/customer_id.hpp"
#include "domain/email.hpp"
#include "domain/fee_schedule.hpp"
#include "domain/institution_code.hpp"
#include "domain/institution_name.hpp"
#include "domain/network_line.hpp"
#include "domain/phone_number.hpp"
#include "domain/postal_code.hpp"
#include "domain/regions.hpp"
#include "domain/usage_application.hpp"
#include "pki/csr.hpp"
#include "pki/issuing_ca.hpp"

namespace {

using onshi::app::Messages;
namespace d = onshi::domain;

const Messages& catalogue() {
  static const Messages m =
      Messages::load(std::string(ONSHI_SOURCE_DIR) + "/data/messages.ja.toml");
  return m;
}

// Walks an enum from 0 to `last` and checks each value's key has a message.
template <typename E>
void expect_all_keys(E last) {
  for (int i = 0; i <= static_cast<int>(last); ++i) {
    const auto key = d::error_key(static_cast<E>(i));
    EXPECT_FALSE(key.ends_with(".invalid"))
        << "value " << i << " fell through to the fallback key " << key;
    EXPECT_TRUE(catalogue().has(key)) << "no message for " << key;
  }
}

TEST(MessageCatalogue, HasEveryDomainErrorKey) {
  expect_all_keys(d::CalendarError::out_of_range);
  expect_all_keys(d::DateError::invalid_date);
  expect_all_keys(d::CertificateApplicationError::too_late_to_cancel);
  expect_all_keys(d::CertificateError::unknown_reason);
  expect_all_keys(d::CustomerIdError::wrong_length);
  expect_all_keys(d::EmailError::too_long);
  expect_all_keys(d::FeeError::invalid_quantity);
  expect_all_keys(d::InstitutionCodeError::check_digit);
  expect_all_keys(d::InstitutionNameError::control_characters);
  expect_all_keys(d::LineCustomerIdError::not_applicable);
  expect_all_keys(d::PhoneNumberError::wrong_length);
  expect_all_keys(d::PostalCodeError::format);
  expect_all_keys(d::AddressLineError::control_characters);
  expect_all_keys(d::MunicipalityError::wrong_prefecture);
  expect_all_keys(d::UsageApplicationError::target_not_finalized);
}

// Every failure a use case can return without a more specific key shows its code's message.
TEST(MessageCatalogue, HasTheGenericMessageOfEveryFailureCode) {
  std::set<std::string_view> names;
  for (const auto code : onshi::app::kFailureCodes) {
    const auto failure = onshi::app::Failure::of(code);
    EXPECT_TRUE(catalogue().has(failure.key)) << "no message for " << failure.key;
    EXPECT_TRUE(names.insert(onshi::app::failure_code_name(code)).second)
        << "two codes share the name " << onshi::app::failure_code_name(code);
  }
}

TEST(MessageCatalogue, HasEveryBackOfficeRefusal) {
  using onshi::app::ReviewError;
  for (int i = 0; i <= static_cast<int>(ReviewError::already_recorded); ++i) {
    const auto f = onshi::app::review_failure(static_cast<ReviewError>(i));
    EXPECT_TRUE(catalogue().has(f.key)) << "no message for " << f.key;
  }
}

// pki/ refuses with typed errors; the pages show csr.<name> and pkcs12.<name>.
TEST(MessageCatalogue, HasEveryPkiRefusal) {
  for (const auto e : onshi::pki::kCsrErrors) {
    const auto key = "csr." + std::string(onshi::pki::csr_error_name(e));
    EXPECT_TRUE(catalogue().has(key)) << "no message for " << key;
  }
  for (const auto e : onshi::pki::IssuingCa::kPkcs12Errors) {
    const auto key = "pkcs12." + std::string(onshi::pki::IssuingCa::pkcs12_error_name(e));
    EXPECT_TRUE(catalogue().has(key)) << "no message for " << key;
  }
}

// Every status of a certificate application has its label and its 次にすること line.
TEST(MessageCatalogue, SaysWhatEveryApplicationStatusIsAndWhatComesNext) {
  for (int i = 0; i <= static_cast<int>(d::CertificateApplicationState::cancelled); ++i) {
    const std::string state(d::state_key(static_cast<d::CertificateApplicationState>(i)));
    EXPECT_TRUE(catalogue().has("certificate_status." + state)) << state;
    EXPECT_TRUE(catalogue().has("certificate_next." + state)) << state;
  }
}

TEST(MessageCatalogue, HasEveryNetworkLineLabel) {
  for (const auto line : d::all_network_lines()) {
    EXPECT_TRUE(catalogue().has("line_type." + std::string(d::line_key(line))))
        << d::line_key(line);
  }
}

TEST(MessageCatalogue, HasAnErrorPageForEveryStatusTheSiteAnswers) {
  for (const int status : {400, 403, 404, 405, 413, 415, 500, 503}) {
    EXPECT_TRUE(catalogue().has("http." + std::to_string(status))) << status;
  }
}

TEST(MessageCatalogue, MissingKeyIsABugThatNamesTheKey) {
  try {
    (void)catalogue().get("no.such.key");
    FAIL() << "expected std::out_of_range";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("no.such.key"), std::string::npos);
  }
}

}  // namespace
