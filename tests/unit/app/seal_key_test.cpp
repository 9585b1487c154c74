// The key that seals pickup codes until their letter is printed (pki.dir/pickup-codes.secret):
// every process that opens the CA folder must use the same one, or a letter printed on one node
// cannot read the codes another node sealed. Nodes sharing the folder start at once.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "app/ca/certificate_authority.hpp"
#include "app_test_env.hpp"
#include "pki/authority.hpp"

namespace onshi::app {
namespace {

namespace fs = std::filesystem;

class SealKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto pass = env.dir.path() / "ca-passphrase";
    std::ofstream(pass) << "unit test passphrase\n";
    env.config.ca_passphrase_file = pass.string();
    pki::init_ca(key_store_config(env.config), ca_settings(env.config), env.clock.now());
  }
  fs::path secret() const { return fs::path(env.config.ca_dir) / "pickup-codes.secret"; }

  test::TestEnv env;
};

TEST_F(SealKeyTest, NodesOpeningANewFolderAtOnceShareOneKey) {
  ASSERT_FALSE(fs::exists(secret()));
  constexpr int kNodes = 8;
  std::vector<std::unique_ptr<CertificateAuthority>> opened(kNodes);
  std::latch start(kNodes);
  {
    std::vector<std::jthread> nodes;
    for (int i = 0; i < kNodes; ++i) {
      nodes.emplace_back([&, i] {
        start.arrive_and_wait();
        opened[static_cast<std::size_t>(i)] = CertificateAuthority::open(env.config);
      });
    }
  }
  const std::string code = "ABCD-EFGH-JKLM-NPQR";
  for (const auto& sealer : opened) {
    ASSERT_TRUE(sealer);
    const auto sealed = sealer->seal(code);
    for (const auto& opener : opened) EXPECT_EQ(opener->unseal(sealed), code);
  }
  EXPECT_EQ(fs::file_size(secret()), 32u);
  EXPECT_EQ(fs::status(secret()).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  for (const auto& entry : fs::directory_iterator(env.config.ca_dir))
    EXPECT_FALSE(entry.path().extension() == ".tmp") << entry.path() << " left behind";
}

TEST_F(SealKeyTest, AFolderCopiedAfterTheFirstOpenSealsAlike) {
  const auto first = CertificateAuthority::open(env.config);
  ASSERT_TRUE(first);
  test::TempDir other;
  fs::copy(env.config.ca_dir, other.path() / "ca", fs::copy_options::recursive);
  auto config = env.config;
  config.ca_dir = (other.path() / "ca").string();
  const auto copy = CertificateAuthority::open(config);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->unseal(first->seal("ABCD-EFGH-JKLM-NPQR")), "ABCD-EFGH-JKLM-NPQR");
}

}  // namespace
}  // namespace onshi::app
