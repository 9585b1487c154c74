#include "app/core/reference_data.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>

#include "domain/calendar_date.hpp"

namespace onshi::app {
namespace {

domain::FeeSchedule load_fees(const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(
        fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
  }
  const auto* rates = root["rate"].as_array();
  if (!rates) throw std::runtime_error(fmt::format("{}: no [[rate]] entries", file.string()));
  std::vector<domain::FeeRate> entries;
  int n = 0;
  for (const auto& node : *rates) {
    ++n;
    const auto* t = node.as_table();
    const auto from = t ? (*t)["effective_from"].value<std::string>() : std::nullopt;
    const auto fee = t ? (*t)["fee_per_certificate_yen"].value<std::int64_t>() : std::nullopt;
    const auto tax = t ? (*t)["tax_rate_percent"].value<std::int64_t>() : std::nullopt;
    const auto date =
        from ? domain::parse_date(*from) : std::unexpected(domain::DateError::malformed);
    if (!date || !fee || !tax) {
      throw std::runtime_error(
          fmt::format("{}: rate #{} needs effective_from = \"YYYY-MM-DD\", fee_per_certificate_yen "
                      "and tax_rate_percent",
                      file.string(), n));
    }
    entries.push_back({*date, *fee, static_cast<int>(*tax)});
  }
  auto schedule = domain::FeeSchedule::create(std::move(entries));
  if (!schedule)
    throw std::runtime_error(
        fmt::format("{}: {}", file.string(), domain::error_key(schedule.error())));
  return *schedule;
}

}  // namespace

ReferenceData ReferenceData::load(const std::filesystem::path& resources) {
  const auto data = resources / "data";
  auto regions = domain::Regions::load(data);
  if (!regions) {
    throw std::runtime_error(fmt::format("{}: line {}: region data error {}", regions.error().file,
                                         regions.error().line,
                                         static_cast<int>(regions.error().kind)));
  }
  auto postcodes = domain::Postcodes::load(data, *regions);
  if (!postcodes) {
    throw std::runtime_error(fmt::format("{}: line {}: {}", (data / "postcodes.csv").string(),
                                         postcodes.error().line,
                                         domain::describe(postcodes.error().kind)));
  }
  return ReferenceData{load_fees(data / "fees.toml"), domain::BusinessCalendar(),
                       std::move(*regions), std::move(*postcodes)};
}

}  // namespace onshi::app
