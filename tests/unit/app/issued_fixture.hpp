#pragma once
// The back office's fixture with applications issued: each certificate's 発行番号 and its pickup
// code as the letter will print it, the number's current certificate, and the openssl CLI for
// the files a terminal's vendor makes and reads. Shared by the pickup and EST use case tests.
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "app/ca/issuance.hpp"
#include "app/ca/pickup.hpp"
#include "back_office_fixture.hpp"
#include "support/shell.hpp"

namespace onshi::test {

struct Issued {
  std::string number;  // C-00000001-01
  std::string code;    // its pickup code
  std::string terminal;
};

inline std::string run(const std::string& command) {
  return shell_output(command);
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class IssuedTest : public BackOfficeTest {
 protected:
  // An approved and issued application of `count` certificates, with their codes.
  std::vector<Issued> issue(const std::string& count, const std::string& key,
                            const std::map<int, std::string>& csrs = {}) {
    const auto number = apply(count, key);
    EXPECT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
    EXPECT_TRUE(issue_application(env.services, issuer, number, csrs).has_value());
    std::vector<Issued> out;
    env.db->read([&](store::ReadTx& tx) {
      const auto a = tx.certificate_applications().find_certificate_application_by_number(number);
      for (const auto& c : tx.certificates().certificates_of_application(a->id))
        out.push_back({c.issuance_number, *ca->unseal(*c.sealed_pickup_code), c.terminal});
    });
    return out;
  }

  store::CertificateRecord current(const std::string& number) {
    return *env.db->read(
        [&](store::ReadTx& tx) { return tx.certificates().find_current_certificate(number); });
  }
};

}  // namespace onshi::test
