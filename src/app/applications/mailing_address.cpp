#include "app/applications/mailing_address.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "domain/address.hpp"
#include "domain/postal_code.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

// "東京都中央区", or both names of each municipality a postcode spans.
std::string place_names(const Services& s, const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& code : codes) {
    const auto* m = s.reference.regions.municipality(code);
    if (!m) continue;
    const auto* p = s.reference.regions.prefecture(m->prefecture);
    if (!out.empty()) out += s.messages.get("mailing_address.places_separator");
    out += (p ? p->name : "") + m->name;
  }
  return out;
}

// A postcode of a ward belongs to its designated city too (KEN_ALL uses the wards' codes).
bool belongs_to(const Services& s, const std::string& postcode_municipality,
                const std::string& chosen) {
  if (postcode_municipality == chosen) return true;
  const auto* city = s.reference.regions.municipality(chosen);
  const auto* ward = s.reference.regions.municipality(postcode_municipality);
  return city && ward && city->kind == domain::MunicipalityKind::designated_city &&
         ward->kind == domain::MunicipalityKind::ward && ward->prefecture == city->prefecture &&
         ward->name.starts_with(city->name);
}

}  // namespace

std::expected<std::string, FieldError> address_line_for(const Services& s, int prefecture,
                                                        const std::string& municipality_code,
                                                        const std::string& typed) {
  auto line = domain::parse_address_line(typed);
  if (!line)
    return std::unexpected(FieldError{"address_line", std::string(error_key(line.error()))});
  const auto* p = s.reference.regions.prefecture(prefecture);
  const auto* m = s.reference.regions.municipality(municipality_code);
  if (!p || !m) return *line;
  const auto towns = s.reference.postcodes.towns_of(m->code);
  auto rest = domain::address_after_municipality(*line, p->name, m->name, towns);
  if (rest.empty())
    return std::unexpected(FieldError{"address_line", "mailing_address.municipality_only"});
  return rest;
}

std::string mailing_address(const Services& s, int prefecture, const std::string& municipality_code,
                            const std::string& postal_code, const std::string& address_line) {
  if (postal_code.empty() && address_line.empty()) return {};
  const auto code = domain::PostalCode::parse(postal_code);
  const auto* p = s.reference.regions.prefecture(prefecture);
  const auto* m = s.reference.regions.municipality(municipality_code);
  // Applications stored before the prefix was dropped on input are shown with it dropped too.
  const std::string line =
      p && m ? domain::address_after_municipality(address_line, p->name, m->name,
                                                  s.reference.postcodes.towns_of(m->code))
             : address_line;
  return fmt::format("〒{} {}{}{}", code ? code->display() : postal_code, p ? p->name : "",
                     m ? m->name : municipality_code, line.empty() ? address_line : line);
}

std::string mailing_address(const Services& s, const store::CertificateApplicationRecord& a) {
  return mailing_address(s, a.prefecture, a.municipality_code, a.postal_code, a.address_line);
}

std::expected<PostcodeAddress, FieldError> postcode_address(const Services& s,
                                                            const std::string& typed) {
  const auto code = domain::PostalCode::parse(typed);
  if (!code)
    return std::unexpected(FieldError{"postal_code", std::string(error_key(code.error()))});
  const auto areas = s.reference.postcodes.lookup(code->digits());
  const auto* m =
      areas.empty() ? nullptr : s.reference.regions.municipality(areas.front().municipality_code);
  if (!m)
    return std::unexpected(
        FieldError{"postal_code", "mailing_address.unknown_postcode", {code->display()}});
  const auto* p = s.reference.regions.prefecture(m->prefecture);
  PostcodeAddress out{code->display(), m->prefecture, p ? p->name : "", m->code, m->name, {}};
  for (const auto& area : areas) {
    if (area.municipality_code == m->code && !area.town.empty()) {
      out.towns.emplace_back(area.town);
    }
  }
  return out;
}

std::optional<FieldError> postcode_mismatch(const Services& s, const std::string& postal_code,
                                            const std::string& municipality_code) {
  const auto code = domain::PostalCode::parse(postal_code);
  if (!code || !s.reference.regions.municipality(municipality_code)) return std::nullopt;
  const auto municipalities = s.reference.postcodes.municipalities_of(code->digits());
  if (municipalities.empty())
    return FieldError{"postal_code", "mailing_address.unknown_postcode", {code->display()}};
  if (std::ranges::any_of(municipalities, [&](const std::string& m) {
        return belongs_to(s, m, municipality_code);
      })) {
    return std::nullopt;
  }
  return FieldError{"postal_code",
                    "mailing_address.wrong_municipality",
                    {code->display(), place_names(s, municipalities)}};
}

std::optional<FieldError> postcode_mismatch(const Services& s,
                                            const store::CertificateApplicationRecord& a) {
  if (a.postal_code.empty()) return std::nullopt;  // saved before the form asked for the address
  return postcode_mismatch(s, a.postal_code, a.municipality_code);
}

FilledForm fill_from_postcode(const Services& s, CertificateForm form) {
  auto found = postcode_address(s, form.postal_code);
  if (!found) return {std::move(form), {found.error()}};
  form.postal_code = found->postal_code;
  form.prefecture = std::to_string(found->prefecture);
  form.municipality = found->municipality_code;
  // What was typed is kept; the 町域 helps only an empty field (one town: others need a choice).
  if (util::trim(form.address_line).empty() && found->towns.size() == 1) {
    form.address_line = found->towns.front();
  }
  return {std::move(form), {}};
}

}  // namespace onshi::app
