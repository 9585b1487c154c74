#pragma once
// Data every request may read and nobody changes while serving: the fee schedule (data/fees.toml),
// the business calendar, prefectures with their municipalities (data/*.csv) and Japan Post's
// postcodes (data/postcodes.csv). Loaded once.
#include <filesystem>

#include "domain/business_calendar.hpp"
#include "domain/fee_schedule.hpp"
#include "domain/postcodes.hpp"
#include "domain/regions.hpp"

namespace onshi::app {

struct ReferenceData {
  domain::FeeSchedule fees;
  domain::BusinessCalendar calendar;
  domain::Regions regions;
  domain::Postcodes postcodes;

  // Reads RESOURCES/data/. Throws std::runtime_error naming the file on anything malformed.
  static ReferenceData load(const std::filesystem::path& resources);
};

}  // namespace onshi::app
