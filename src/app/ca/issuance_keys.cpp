#include "app/ca/issuance_keys.hpp"

#include <exception>
#include <expected>
#include <set>
#include <string_view>
#include <thread>

#include "app/ca/certificate_authority.hpp"
#include "app/ca/issuance.hpp"
#include "pki/csr.hpp"
#include "pki/issuing_ca.hpp"
#include "pki/terminal_profile.hpp"
#include "util/secrets.hpp"

namespace onshi::app {
namespace {

// pki/'s typed refusal as the catalogue's key.
std::string csr_key(pki::CsrError e) {
  return "csr." + std::string(pki::csr_error_name(e));
}

// check_csr of each PEM, in order. A P-256 proof of possession costs about three signatures, so a
// large application's checks are most of its 発行: past a few CSRs the second half runs on a
// thread of its own (check_csr shares nothing between calls). Before any transaction, as before.
using CheckedCsr = std::expected<pki::CheckedCsr, pki::CsrError>;
std::vector<CheckedCsr> check_csrs(const std::vector<std::string_view>& pems) {
  constexpr std::size_t kParallelFrom = 8;
  std::vector<std::optional<CheckedCsr>> checked(pems.size());
  const auto check_range = [&](std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) checked[i] = pki::check_csr(pems[i]);
  };
  const bool parallel = pems.size() >= kParallelFrom && std::thread::hardware_concurrency() > 1;
  if (!parallel) {
    check_range(0, pems.size());
  } else {
    const std::size_t half = pems.size() / 2;
    std::exception_ptr failed;
    {
      std::jthread second([&] {
        try {
          check_range(half, pems.size());
        } catch (...) {
          failed = std::current_exception();
        }
      });
      check_range(0, half);
    }
    if (failed) std::rethrow_exception(failed);
  }
  std::vector<CheckedCsr> out;
  out.reserve(checked.size());
  for (auto& c : checked) out.push_back(std::move(*c));
  return out;
}
}  // namespace

Result<std::vector<PreparedTerminal>> prepare_terminals(const Services& s,
                                                        const std::map<int, std::string>& csrs,
                                                        int count) {
  std::vector<PreparedTerminal> keys(static_cast<std::size_t>(count));
  std::set<std::string> csr_keys;
  std::vector<std::string_view> pems;
  for (const auto& [index, csr] : csrs) {
    if (index < 1 || index > count) {
      return std::unexpected(
          review_failure(ReviewError::bad_csr, "csr.no_such_certificate", index));
    }
    pems.push_back(csr);
  }
  auto all_checked = check_csrs(pems);
  std::size_t nth = 0;
  for (const auto& [index, csr] : csrs) {
    auto& checked = all_checked[nth++];
    if (!checked) {
      return std::unexpected(review_failure(ReviewError::bad_csr, csr_key(checked.error()), index));
    }
    // The same key twice in one request is as bad as a key certified before.
    if (!csr_keys.insert(util::sha256_hex(checked->public_key_der)).second) {
      return std::unexpected(review_failure(ReviewError::bad_csr, "csr.duplicate_key", index));
    }
    keys[static_cast<std::size_t>(index - 1)].public_key_der = checked->public_key_der;
  }
  const auto& profile = s.ca->profile();
  for (auto& k : keys) {
    if (k.public_key_der.empty()) {
      auto generated = s.ca->issuing().generate_terminal_key(profile.generated_key);
      k.public_key_der = std::move(generated.public_key_der);
      k.sealed_key = std::move(generated.sealed_private_key);
    }
    k.spki_sha256 = util::sha256_hex(k.public_key_der);
    const auto code = new_pickup_code();
    k.pickup_code_hash = util::sha256_hex(normalize_pickup_code(code));
    k.sealed_pickup_code = s.ca->seal(code);
  }
  return keys;
}

}  // namespace onshi::app
