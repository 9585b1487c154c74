#include "app/billing/charges.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "app/core/form_values.hpp"
#include "domain/calendar_date.hpp"

namespace onshi::app {

void record_charge(const Services& s, store::WriteTx& tx, const store::CertificateRecord& stored,
                   const store::CertificateApplicationRecord& a, store::ChargeKind kind,
                   store::Millis now) {
  const auto issued_on = date_in_japan(stored.issued_at);
  const auto rate = s.reference.fees.lookup(issued_on);
  if (!rate) {
    throw std::runtime_error(fmt::format("fees: no rate in effect on {} (data/fees.toml)",
                                         domain::format_date(issued_on)));
  }
  store::ChargeRecord c;
  c.certificate_id = stored.id;
  c.institution_id = stored.institution_id;
  c.application_id = a.id;
  c.issuance_number = stored.issuance_number;
  c.serial_hex = stored.serial_hex;
  c.kind = kind;
  c.payment_method = a.payment_method;
  c.issued_on = domain::format_date(issued_on);
  c.billing_month = c.issued_on.substr(0, 7);
  c.fee_yen = rate->fee_per_certificate_yen;
  c.tax_rate_percent = rate->tax_rate_percent;
  c.created_at = now;
  if (!tx.billing().try_insert_charge(c))
    throw std::logic_error("billing: a certificate charged twice: " + stored.serial_hex);
}

}  // namespace onshi::app
