#include "domain/fee_schedule.hpp"

#include <gtest/gtest.h>
#include "support/error_of.hpp"

namespace onshi::domain {
namespace {

using onshi::test::error_of;

using namespace std::chrono;

TEST(FeeSchedule, DefaultsAre1500YenPlusTenPercent) {
  const auto q = FeeSchedule::defaults().quote(year{2024} / April / day{1}, 3).value();
  EXPECT_EQ(q.fee_per_certificate_yen, 1500);
  EXPECT_EQ(q.tax_rate_percent, 10);
  EXPECT_EQ(q.subtotal_yen, 4500);
  EXPECT_EQ(q.tax_yen, 450);
  EXPECT_EQ(q.total_yen, 4950);
  const auto one = FeeSchedule::defaults().quote(year{2019} / October / day{1}, 1).value();
  EXPECT_EQ(one.total_yen, 1650);
}

TEST(FeeSchedule, NoRateBeforeTheFirstEntry) {
  EXPECT_EQ(error_of(FeeSchedule::defaults().lookup(year{2019} / September / day{30})),
            FeeError::no_rate_in_effect);
}

TEST(FeeSchedule, DatedEntriesTakeEffectOnTheirFirstDay) {
  auto schedule = FeeSchedule::create({{year{2014} / April / day{1}, 1500, 8},
                                       {year{2019} / October / day{1}, 1500, 10},
                                       {year{2030} / April / day{1}, 1800, 10}})
                      .value();
  EXPECT_EQ(schedule.lookup(year{2019} / September / day{30})->tax_rate_percent, 8);
  EXPECT_EQ(schedule.lookup(year{2019} / October / day{1})->tax_rate_percent, 10);
  EXPECT_EQ(schedule.lookup(year{2030} / March / day{31})->fee_per_certificate_yen, 1500);
  EXPECT_EQ(schedule.lookup(year{2030} / April / day{1})->fee_per_certificate_yen, 1800);
  EXPECT_EQ(schedule.quote(year{2015} / January / day{5}, 1)->total_yen, 1620);
}

TEST(FeeSchedule, TaxIsRoundedDownOnceOnTheTotal) {
  // 333 yen x 8 % = 26.64 per item; on the total of 3: 999 x 8 % = 79.92 -> 79 (not 3 x 26 = 78).
  auto schedule = FeeSchedule::create({{year{2019} / October / day{1}, 333, 8}}).value();
  const auto q = schedule.quote(year{2020} / January / day{6}, 3).value();
  EXPECT_EQ(q.subtotal_yen, 999);
  EXPECT_EQ(q.tax_yen, 79);
  EXPECT_EQ(q.total_yen, 1078);
}

TEST(FeeSchedule, RejectsBadQuantitiesAndSchedules) {
  const auto on = year{2024} / April / day{1};
  EXPECT_EQ(error_of(FeeSchedule::defaults().quote(on, 0)), FeeError::invalid_quantity);
  EXPECT_EQ(error_of(FeeSchedule::defaults().quote(on, -1)), FeeError::invalid_quantity);
  EXPECT_TRUE(FeeSchedule::defaults().quote(on, max_certificates_per_quote).has_value());
  EXPECT_EQ(error_of(FeeSchedule::defaults().quote(on, max_certificates_per_quote + 1)),
            FeeError::invalid_quantity);
  EXPECT_EQ(error_of(FeeSchedule::create({})), FeeError::empty_schedule);
  EXPECT_EQ(error_of(FeeSchedule::create({{on, 1500, 10}, {on, 1600, 10}})),
            FeeError::unordered_schedule);
  EXPECT_EQ(error_of(FeeSchedule::create({{on, -1, 10}})), FeeError::invalid_amount);
  EXPECT_EQ(error_of(FeeSchedule::create({{on, 1500, 101}})), FeeError::invalid_amount);
  EXPECT_EQ(error_of(FeeSchedule::create({{year{2023} / February / day{29}, 1500, 10}})),
            FeeError::unordered_schedule);
  EXPECT_EQ(error_key(FeeError::no_rate_in_effect), "fee.no_rate_in_effect");
}

}  // namespace
}  // namespace onshi::domain
