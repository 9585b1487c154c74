// One rounding per bill and rate (docs/domain.md): 333 yen at 8 % three times is 79 yen of tax,
// not 3 x 26; two rates on one bill are each rounded once; the registration number's check digit.
#include "domain/bill_totals.hpp"

#include <gtest/gtest.h>

#include "domain/registration_number.hpp"

namespace onshi::domain {
namespace {

TEST(BillTotals, TaxIsRoundedDownOnceOnEachRatesTotal) {
  const std::vector<BillItem> items = {{333, 8}, {333, 8}, {333, 8}};
  const auto t = bill_totals(items);
  EXPECT_EQ(t.items, 3);
  EXPECT_EQ(t.subtotal_yen, 999);
  EXPECT_EQ(t.tax_yen, 79);
  EXPECT_EQ(t.total_yen, 1078);
}

TEST(BillTotals, EachRateHasItsOwnLineHighestFirst) {
  const std::vector<BillItem> items = {{1500, 10}, {333, 8}, {1500, 10}, {333, 8}};
  const auto t = bill_totals(items);
  ASSERT_EQ(t.by_rate.size(), 2u);
  EXPECT_EQ(t.by_rate[0].tax_rate_percent, 10);
  EXPECT_EQ(t.by_rate[0].subtotal_yen, 3000);
  EXPECT_EQ(t.by_rate[0].tax_yen, 300);
  EXPECT_EQ(t.by_rate[1].items, 2);
  EXPECT_EQ(t.by_rate[1].tax_yen, 53);  // floor(666 x 8 / 100)
  EXPECT_EQ(t.total_yen, 3000 + 300 + 666 + 53);
  EXPECT_EQ(bill_totals({}).total_yen, 0);
}

TEST(RegistrationNumber, TheFirstDigitChecksTheOtherTwelve) {
  // 国税庁's own 法人番号.
  EXPECT_EQ(parse_registration_number("T7000012050002").value(), "T7000012050002");
  EXPECT_EQ(parse_registration_number("ｔ"
                                      "７０００"
                                      "０１２０"
                                      "５０００２")
                .value(),
            "T7000012050002");
  EXPECT_EQ(parse_registration_number("T8000012050002").error(),
            RegistrationNumberError::bad_check_digit);
  EXPECT_EQ(parse_registration_number("7000012050002").error(),
            RegistrationNumberError::bad_format);
  EXPECT_EQ(parse_registration_number("T700001205000").error(),
            RegistrationNumberError::bad_format);
  EXPECT_EQ(parse_registration_number("T70000120500x2").error(),
            RegistrationNumberError::bad_format);
}

}  // namespace
}  // namespace onshi::domain
