#pragma once
// Many revoked certificates in one transaction, through the store's own API, for the tests and
// benchmarks of large CRLs: copies of an existing certificate (its institution, application,
// issuer and notAfter) under new random serials and 発行番号 S-NNNNNNNN-01, each revoked.
#include <cstdint>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "store/database.hpp"
#include "util/secrets.hpp"

namespace onshi::test {

// Returns how many were stored. Throws when `template_serial` names no certificate. `first`: how
// many an earlier call stored, so that a batch after it takes the next 発行番号.
inline int seed_revoked(store::Database& db, const std::string& template_serial, int count,
                        store::Millis revoked_at, int first = 0) {
  return db.write([&](store::WriteTx& tx) {
    auto& certs = tx.certificates();
    const auto model = certs.find_certificate_by_serial(template_serial);
    if (!model) throw std::runtime_error("no certificate with serial " + template_serial);
    // Reasons the CPS allows, in turn: unspecified, keyCompromise, affiliationChanged,
    // superseded, cessationOfOperation.
    static constexpr int kReasons[] = {0, 1, 3, 4, 5};
    int stored = 0;
    for (int i = first; i < first + count; ++i) {
      store::CertificateRecord c = *model;
      // 128 random bits with the top bit clear and a non-zero first octet, as issuance draws.
      std::string serial = util::sha256_hex(util::random_bytes(16)).substr(0, 32);
      serial[0] = "1234567"[static_cast<unsigned char>(serial[0]) % 7];
      c.serial_hex = serial;
      c.issuance_number = fmt::format("S-{:08}-01", i + 1);
      c.generation = 1;
      c.spki_sha256 = serial;
      c.sealed_key.reset();
      c.sealed_pickup_code.reset();
      if (!certs.try_insert_certificate(c)) continue;
      const auto id = certs.find_certificate_by_serial(serial)->id;
      if (certs.revoke_certificate(id, kReasons[i % 5], revoked_at, std::nullopt)) ++stored;
    }
    return stored;
  });
}

}  // namespace onshi::test
