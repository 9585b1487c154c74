#include "app/ca/issuer_key_ids.hpp"

#include "pki/issuing_ca.hpp"

namespace onshi::app {

namespace {
constexpr int kBatch = 500;
}

int fill_in_issuer_key_ids(const Services& s) {
  int filled = 0;
  for (;;) {
    // Parse outside the transaction, so that the writer lock is held for the updates only.
    const auto rows = s.db.read([](store::ReadTx& tx) {
      return tx.certificates().certificates_without_issuer_key_id(kBatch);
    });
    if (rows.empty()) return filled;
    std::vector<std::pair<store::Id, std::string>> ids;
    for (const auto& [id, der] : rows) ids.emplace_back(id, pki::authority_key_id_hex(der));
    const int n = s.db.write([&](store::WriteTx& tx) {
      int set = 0;
      for (const auto& [id, kid] : ids)
        if (!kid.empty() && tx.certificates().set_issuer_key_id(id, kid)) ++set;
      return set;
    });
    filled += n;
    // A certificate without an AKI (none of ours) stays NULL; stop rather than loop on it.
    if (n == 0) return filled;
  }
}

}  // namespace onshi::app
