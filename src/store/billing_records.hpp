#pragma once
// The rows of 発行料 (migration 0020): charges per certificate, the monthly close, the invoices
// of institutions paying by transfer and the transfers received.
#include <cstdint>
#include <optional>
#include <string>

#include "store/records.hpp"

namespace onshi::store {

// Why a certificate was charged: its first issuance, or a renewal (EST re-enrolment).
enum class ChargeKind { issue, renewal };
std::string_view charge_kind_name(ChargeKind k);

struct ChargeRecord {
  Id id = 0;
  Id certificate_id = 0;
  Id institution_id = 0;
  Id application_id = 0;
  std::string issuance_number;
  std::string serial_hex;
  ChargeKind kind = ChargeKind::issue;
  PaymentMethod payment_method = PaymentMethod::deduction;
  std::string issued_on;      // YYYY-MM-DD (JST)
  std::string billing_month;  // YYYY-MM
  std::int64_t fee_yen = 0;   // 税抜
  int tax_rate_percent = 0;
  std::optional<Id> close_id;  // billed by this close
  Millis created_at = 0;
};

struct BillingCloseRecord {
  Id id = 0;
  std::string month;  // YYYY-MM
  Millis closed_at = 0;
  std::string closed_by;
  std::string issued_on;
  std::string due_on;
  std::int64_t charges = 0;
  std::string deduction_csv;  // bytes as written (UTF-8 with BOM, CRLF)
};

struct InvoiceRecord {
  Id id = 0;
  Id close_id = 0;
  Id institution_id = 0;
  std::string number;
  std::string month;
  std::string issued_on;
  std::string due_on;
  int items = 0;
  std::int64_t subtotal_yen = 0;
  std::int64_t tax_yen = 0;
  std::int64_t total_yen = 0;
  std::string pdf;                // empty when listed without it
  std::int64_t received_yen = 0;  // the sum of its payments (read only)
};

struct InvoicePaymentRecord {
  Id id = 0;
  Id invoice_id = 0;
  std::int64_t amount_yen = 0;
  std::string received_on;
  std::string recorded_by;
  Millis recorded_at = 0;
};

}  // namespace onshi::store
