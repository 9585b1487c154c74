#pragma once
// What 発行 prepares for each terminal before its first transaction, so that the transactions only
// read and write rows: the vendor's CSR checked or a key generated, the key's fingerprint, and the
// pickup code, hashed and sealed. Internal to issuance.cpp.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/core/services.hpp"
#include "app/office/review.hpp"

namespace onshi::app {

struct PreparedTerminal {
  std::string public_key_der;
  std::optional<std::string> sealed_key;  // keys the CA generated only
  std::string spki_sha256;
  std::string pickup_code_hash;
  std::string sealed_pickup_code;
};

// One per certificate of the application, by position. `csrs` as issue_application takes it;
// refused (review.bad_csr with the CSR's index) for an index out of range, a CSR check_csr
// refuses, or one key in two CSRs.
Result<std::vector<PreparedTerminal>> prepare_terminals(const Services& s,
                                                        const std::map<int, std::string>& csrs,
                                                        int count);

}  // namespace onshi::app
