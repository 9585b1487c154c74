#pragma once
// The storage contract for certificate status, beside repositories.hpp and under its rules: the
// CRLs each issuing CA generation publishes, and the OCSP responder's certificates and the
// responses it pre-produced.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/ocsp_records.hpp"
#include "store/records.hpp"

namespace onshi::store {

// CRLs per issuing CA generation (by the issuer's key id), and what they list
class CrlsReader {
 public:
  virtual ~CrlsReader() = default;
  // The recorded CRL of that kind with the highest number; `with_der` false leaves der empty.
  virtual std::optional<CrlRecord> latest_crl(const std::string& issuer_key_id, bool delta,
                                              bool with_der) = 0;
  // The recorded full CRL with the lowest number still valid at `now` (next_update after it):
  // the base of a delta CRL that every relying party holding a valid full CRL can apply.
  virtual std::optional<CrlRecord> oldest_valid_full_crl(const std::string& issuer_key_id,
                                                         Millis now) = 0;
  // True when a CRL of that issuer was reserved after `reserved_after` and not recorded yet
  // (another node is signing it).
  virtual bool crl_in_flight(const std::string& issuer_key_id, Millis reserved_after) = 0;
  // The issuer's certificates revoked at or before `revoked_until`: a count that only grows.
  virtual std::int64_t revoked_count(const std::string& issuer_key_id, Millis revoked_until) = 0;
  // True when any certificate of that issuer has a notAfter at or after `at`.
  virtual bool issued_valid_at(const std::string& issuer_key_id, Millis at) = 0;
  // `visit` for each revoked certificate `scan` selects, in serial order, without holding them.
  virtual void scan_revoked(const RevokedScan& scan,
                            const std::function<void(const RevokedEntry&)>& visit) = 0;
};
class CrlsWriter : public CrlsReader {
 public:
  // Takes the issuer's next CRL number (one more than any number it ever used, recorded or
  // not) for `r`, in one statement; the number is never handed out again. The UNIQUE constraint
  // refuses a second node's same number (UniqueViolation: the caller's transaction runs again).
  virtual std::int64_t reserve_crl(const CrlRecord& r) = 0;
  // Stores the signed CRL of a reservation, once (false when it was recorded already).
  virtual bool record_crl(const std::string& issuer_key_id, std::int64_t crl_number,
                          const std::string& der, std::int64_t revoked_seen) = 0;
};

// the OCSP responder: its certificates and the responses pre-produced for requests without a
// nonce. Whatever statement revokes a certificate (sets revoked_at) also deletes its stored
// responses and moves the epoch, in its transaction (a trigger in SQLite, migration 0015), so
// that none outlives the revocation whichever path revoked.
class OcspReader {
 public:
  virtual ~OcspReader() = default;
  // The generation's newest responder valid at `now` (not_before <= now < not_after).
  virtual std::optional<OcspResponderRecord> current_ocsp_responder(
      const std::string& issuer_key_id, Millis now) = 0;
  // The certificate this generation issued with this serial, and its stored response for `hash`.
  virtual std::optional<OcspCertificateStatus> ocsp_status(const std::string& issuer_key_id,
                                                           const std::string& serial_hex,
                                                           OcspHashAlgorithm hash) = 0;
  // Certificates after `after_id` (by id) without a SHA-1 response that should have one: not
  // expired at `now`, or revoked (CPIPCS 4.10: a revocation is answered after expiry too).
  virtual std::vector<OcspDue> ocsp_responses_missing(Millis now, Id after_id, int limit) = 0;
  // Stored responses whose refresh_at is before `refresh_before`, of the same certificates.
  virtual std::vector<OcspDue> ocsp_responses_stale(Millis now, Millis refresh_before,
                                                    int limit) = 0;
  // A number that every revocation increases, in the revoking transaction: what a node holds
  // from a snapshot with an older number may be stale.
  virtual std::int64_t ocsp_epoch() = 0;
};
class OcspWriter : public OcspReader {
 public:
  // Stores `r` unless the generation has a responder valid until `needed_until` already, in one
  // statement: its id, or nothing (another node renewed first).
  virtual std::optional<Id> try_insert_ocsp_responder(const OcspResponderRecord& r,
                                                      Millis needed_until) = 0;
  // Stores the response, replacing one with an earlier this_update, only while the certificate
  // is still what it says (revoked or not), in one statement: false when a revocation came
  // between the read that decided the status and this write, and the response is thrown away.
  virtual bool try_store_ocsp_response(const OcspStoredResponse& r) = 0;
};

}  // namespace onshi::store
