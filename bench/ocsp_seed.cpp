// Seeds a data dir with COUNT real terminal certificates for the OCSP benchmark (./scripts/bench):
// signed by the CA in DATA/ca (ONSHI_CA_PASSPHRASE), stored through the store API in
// transactions of 1,000, all of one application of one clinic (the responder never reads
// further). Writes REQUESTS lines of hex DER: OCSP requests without nonce, each for one of them,
// spread over the whole range, which bench/ocsp.lua posts in turn.
//   onshi_ocsp_seed DATA COUNT REQUESTS_FILE [REQUESTS]
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "app/ca/certificate_authority.hpp"
#include "app/core/config.hpp"
#include "ocsp_request.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/ocsp.hpp"
#include "pki/serial.hpp"
#include "pki/terminal_profile.hpp"
#include "store/database.hpp"

namespace {

using namespace onshi;

std::string hex(const std::string& bytes) {
  std::string out;
  for (const unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

store::Id parents(store::Database& db, store::Millis now) {
  return db.write([&](store::WriteTx& tx) {
    const auto institution = tx.accounts().insert_institution("1310123455", "ベンチ医院", now);
    store::Account a;
    a.institution_id = institution;
    a.email = a.email_key = "bench@example.jp";
    a.password_hash = "none";
    a.created_at = now;
    const auto account = tx.accounts().insert_account(a);
    store::UsageApplicationRecord u;
    u.institution_id = institution;
    u.account_id = account;
    u.line_type = "flets_next_east";
    u.customer_id = "CAF1234567890";
    u.start_date = "2026-12-20";
    u.vendor_name = u.vendor_contact = "ベンチ";
    u.vendor_phone = "0312345678";
    u.idempotency_key = "bench";
    u.finalized_at = now;
    const auto usage = tx.usage_applications().insert_usage_application(u);
    store::CertificateApplicationRecord c;
    c.institution_id = institution;
    c.account_id = account;
    c.usage_application_id = usage.id;
    c.classification = "2";
    c.prefecture = 13;
    c.municipality_code = "131024";
    c.institution_code = "1310123455";
    c.institution_name = "ベンチ医院";
    c.department = c.contact_name = c.signature_name = "ベンチ";
    c.phone = "0312345678";
    c.email = "bench@example.jp";
    c.postal_code = "1040061";
    c.address_line = "銀座1-2-3";
    c.certificates = 99;
    c.applied_on = c.expected_notice_on = "2026-12-01";
    c.status = domain::parse_state("issued").value();
    c.idempotency_key = "bench";
    c.applied_at = c.updated_at = now;
    return tx.certificate_applications().insert_certificate_application(c).id;
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: onshi_ocsp_seed DATA COUNT REQUESTS_FILE [REQUESTS]\n";
    return 2;
  }
  const int count = std::stoi(argv[2]);
  const int requests = argc > 4 ? std::stoi(argv[4]) : 1000;
  auto config = app::load_config(argv[1], {});
  config.data_dir = argv[1];
  app::finish_config(config);
  auto ca = app::CertificateAuthority::open(config);
  if (!ca) throw std::runtime_error("no CA in the data dir");
  auto db = store::open_database(config.database_url, 2);
  db->migrate();
  const auto now = std::chrono::system_clock::now();
  const store::Millis now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto application = parents(*db, now_ms);
  const auto key = ca->issuing().generate_terminal_key(pki::KeyAlgorithm::ec_p256);
  const auto issuer = pki::ocsp_issuers(ca->issuing()).front();
  std::ofstream out(argv[3]);
  const int step = std::max(1, count / requests);
  constexpr int kBatch = 1000;
  for (int done = 0; done < count;) {
    std::vector<store::CertificateRecord> batch;
    for (int i = 0; i < kBatch && done < count; ++i, ++done) {
      const auto number = fmt::format("C-{:08}-{:02}", 1 + done / 99, 1 + done % 99);
      const auto issued =
          ca->issuing().issue({"1310123455", "ベンチ医院", "T01", number}, key.public_key_der,
                              ca->profile(), pki::random_serial_hex(), now);
      store::CertificateRecord c;
      c.institution_id = 1;
      c.application_id = application;
      c.issuance_number = number;
      c.terminal = fmt::format("T{:02}", 1 + done % 99);
      c.serial_hex = issued.serial_hex;
      c.issuer_key_id = issued.issuer_key_id_hex;
      c.subject = issued.subject;
      c.not_before = now_ms;
      c.not_after =
          std::chrono::duration_cast<std::chrono::milliseconds>(issued.not_after.time_since_epoch())
              .count();
      c.der = issued.der;
      c.spki_sha256 = fmt::format("bench-{}", done);
      c.key_source = store::KeySource::csr;
      c.pickup_code_hash = fmt::format("bench-{}", done);
      c.pickup_expires_at = now_ms + 86'400'000;
      c.issued_at = now_ms;
      if (done % step == 0 && done / step < requests)
        out << hex(bench::ocsp_request(issuer, issued.serial_hex)) << '\n';
      batch.push_back(std::move(c));
    }
    db->write([&](store::WriteTx& tx) {
      for (const auto& c : batch) {
        if (!tx.certificates().try_insert_certificate(c))
          throw std::runtime_error("a serial or number twice");
      }
    });
    std::cerr << "\rseeded " << done << " of " << count << std::flush;
  }
  std::cerr << "\n";
  return 0;
}
