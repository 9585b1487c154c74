#include "app/ca/own_revocation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "app/ca/pickup.hpp"
#include "app/ca/revocation_steps.hpp"
#include "app/core/dates_shown.hpp"
#include "app/core/form_values.hpp"
#include "app/core/outbox.hpp"
#include "util/text.hpp"

namespace onshi::app {
namespace {

constexpr domain::RevocationReason kInstitutionReasons[] = {
    domain::RevocationReason::superseded,
    domain::RevocationReason::key_compromise,
    domain::RevocationReason::affiliation_changed,
    domain::RevocationReason::cessation_of_operation,
};

struct Checked {
  revocation::Choice choice;
  // As stored where they could be read as 発行番号, else as typed (they are then not found).
  std::vector<std::string> numbers;
};

Result<Checked> check_input(const Services& s, const OwnRevocationRequest& request) {
  Checked out;
  for (const auto& typed : request.numbers) {
    const auto trimmed = util::trim(typed);
    if (trimmed.empty()) continue;
    auto n = normalize_issuance_number(trimmed);
    if (n.empty()) n = std::string(trimmed);
    if (std::ranges::find(out.numbers, n) == out.numbers.end()) out.numbers.push_back(n);
  }
  auto choice =
      revocation::check_choice(s, request.reason, request.compromised_since, kInstitutionReasons,
                               "own_revocation.reason_missing", "own_revocation.reason_unknown");
  FieldErrors errors;
  if (out.numbers.empty()) errors.push_back({"certificates", "own_revocation.none_chosen"});
  if (!choice) {
    for (auto& e : choice.error().fields) errors.push_back(std::move(e));
  } else {
    out.choice = *choice;
  }
  if (!errors.empty()) return std::unexpected(Failure::invalid(std::move(errors)));
  return out;
}

// Each number's current certificate, every one the institution's and revocable now; else which
// are not, all of them, so that the page can say so beside each.
Result<std::vector<store::CertificateRecord>> find_all(store::CertificatesReader& certs,
                                                       store::Id institution_id,
                                                       const std::vector<std::string>& numbers,
                                                       store::Millis now) {
  std::vector<store::CertificateRecord> found;
  FieldErrors bad;
  std::optional<Failure> first_conflict;
  bool unknown = false;
  for (const auto& n : numbers) {
    auto c = certs.find_current_certificate(n);
    if (!c || c->institution_id != institution_id) {
      unknown = true;
      bad.push_back({"certificates", "own_revocation.not_found", {n}});
      continue;
    }
    if (auto key = revocation::refusal_key(*c, now)) {
      if (!first_conflict) first_conflict = Failure::of(FailureCode::conflict, *key);
      // certificate.already_revoked -> own_revocation.already_revoked
      bad.push_back({"certificates", "own_revocation" + key->substr(key->find('.')), {n}});
      continue;
    }
    found.push_back(std::move(*c));
  }
  if (bad.empty()) return found;
  // Another institution's number is refused as one nobody has, before any state is told.
  auto f = unknown ? Failure::of(FailureCode::not_found, "certificate.not_found") : *first_conflict;
  f.fields = std::move(bad);
  return std::unexpected(std::move(f));
}

bool same_address(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// One mail listing the set, to the account's address and each application's contact once.
void mail_revoked(const Services& s, store::WriteTx& tx, const SessionUser& user,
                  const std::vector<store::CertificateRecord>& revoked,
                  const revocation::Choice& choice, store::Millis now) {
  util::TemplateData d;
  d.set("institution_name", user.institution.name);
  d.set("account_email", user.account.email);
  d.set("count", std::to_string(revoked.size()));
  util::TemplateData list{util::TemplateData::type::list};
  std::vector<std::string> to{user.account.email};
  for (const auto& c : revoked) {
    list.push_back(revocation::mail_item(c));
    const auto a =
        tx.certificate_applications().find_certificate_application_by_id(c.application_id);
    if (!a) throw std::logic_error("revocation: a certificate without its application");
    if (std::ranges::none_of(to, [&](const auto& t) { return same_address(t, a->email); }))
      to.push_back(a->email);
  }
  d.set("certificates", list);
  d.set("when", time_shown(s.messages, now));
  d.set("reason",
        s.messages.get("revocation.reason." + std::string(domain::reason_key(choice.reason))));
  if (choice.invalidity_date) {
    d.set("compromised_since", date_shown(s.messages, date_in_japan(*choice.invalidity_date)));
  }
  for (const auto& address : to) enqueue_mail(s, tx, address, "certificates_revoked_on_request", d);
}

}  // namespace

std::span<const domain::RevocationReason> institution_revocation_reasons() {
  return kInstitutionReasons;
}

std::string common_name_of(std::string_view subject) {
  for (std::size_t at = 0; at < subject.size();) {
    const auto comma = subject.find(',', at);
    const auto part = subject.substr(at, comma == std::string_view::npos ? comma : comma - at);
    if (part.starts_with("CN=")) return std::string(part.substr(3));
    if (comma == std::string_view::npos) break;
    at = comma + 1;
  }
  return {};
}

Result<std::vector<store::CertificateRecord>> check_own_revocation(
    const Services& s, const SessionUser& user, const OwnRevocationRequest& request) {
  const auto checked = check_input(s, request);
  if (!checked) return std::unexpected(checked.error());
  return s.db.read([&](store::ReadTx& tx) {
    return find_all(tx.certificates(), user.institution.id, checked->numbers, s.now_ms());
  });
}

Result<OwnRevocation> revoke_own_certificates(const Services& s, const SessionUser& user,
                                              const OwnRevocationRequest& request) {
  const auto checked = check_input(s, request);
  if (!checked) return std::unexpected(checked.error());
  const auto key = idempotency_key_of(request.idempotency_key);
  const auto actor = fmt::format("account:{}", user.account.id);
  const auto key_reused = Failure::of(FailureCode::conflict, "own_revocation.key_reused");
  // Durable, as the operator's revocation (revocation.cpp).
  return s.db.write(store::Durability::full, [&](store::WriteTx& tx) -> Result<OwnRevocation> {
    auto& certs = tx.certificates();
    const auto now = s.now_ms();
    if (const auto earlier = certs.find_revocation_request(user.institution.id, key)) {
      if (earlier->certificates != checked->numbers) return std::unexpected(key_reused);
      OwnRevocation out{{}, true};
      for (const auto& n : earlier->certificates) {
        if (auto c = certs.find_current_certificate(n)) out.certificates.push_back(std::move(*c));
      }
      return out;
    }
    auto found = find_all(certs, user.institution.id, checked->numbers, now);
    if (!found) return std::unexpected(found.error());
    const store::RevocationRequestRecord record{
        0,   user.institution.id, user.account.id,
        key, checked->numbers,    static_cast<int>(checked->choice.reason),
        now};
    if (!certs.try_insert_revocation_request(record)) return std::unexpected(key_reused);
    const auto request_id =
        std::to_string(certs.find_revocation_request(user.institution.id, key)->id);
    OwnRevocation out;
    for (const auto& c : *found) {
      auto revoked =
          revocation::revoke_in(tx, c, checked->choice, actor, {"request", request_id}, now);
      // Revoked by someone else meanwhile: the whole set is refused, and rolled back.
      if (!revoked) {
        return std::unexpected(Failure::of(FailureCode::conflict, "certificate.already_revoked"));
      }
      out.certificates.push_back(std::move(*revoked));
    }
    mail_revoked(s, tx, user, out.certificates, checked->choice, now);
    return out;
  });
}

}  // namespace onshi::app
