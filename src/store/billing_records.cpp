#include "store/billing_records.hpp"

namespace onshi::store {

std::string_view payment_method_name(PaymentMethod m) {
  return m == PaymentMethod::transfer ? "transfer" : "deduction";
}

std::optional<PaymentMethod> parse_payment_method(std::string_view text) {
  if (text == "deduction") return PaymentMethod::deduction;
  if (text == "transfer") return PaymentMethod::transfer;
  return std::nullopt;
}

std::string_view charge_kind_name(ChargeKind k) {
  return k == ChargeKind::renewal ? "renewal" : "issue";
}

}  // namespace onshi::store
