// Certificates stored before migration 0013 get the key id of the CA that signed them from their
// own DER, once; certificates issued now carry it from the start.
#include <gtest/gtest.h>

#include "app/ca/issuer_key_ids.hpp"
#include "issued_fixture.hpp"
#include "pki/issuing_ca.hpp"

namespace onshi::app {
namespace {

class IssuerKeyIdsTest : public test::IssuedTest {};

TEST_F(IssuerKeyIdsTest, NewCertificatesNameTheirIssuerAndOldOnesAreFilledIn) {
  const auto issued = issue("2", "k1");
  const std::string kid = ca->issuing().generations().front().key_id_hex;
  ASSERT_EQ(kid.size(), 40u);
  EXPECT_EQ(current(issued[0].number).issuer_key_id, kid);
  EXPECT_EQ(fill_in_issuer_key_ids(env.services), 0) << "nothing to do";

  // As a database from before the migration has them.
  ASSERT_EQ(tamper("UPDATE certificates SET issuer_key_id = NULL"), 0);
  EXPECT_EQ(current(issued[1].number).issuer_key_id, "");
  EXPECT_EQ(fill_in_issuer_key_ids(env.services), 2);
  EXPECT_EQ(current(issued[0].number).issuer_key_id, kid);
  EXPECT_EQ(current(issued[1].number).issuer_key_id, kid);
  EXPECT_EQ(fill_in_issuer_key_ids(env.services), 0) << "once";
}

}  // namespace
}  // namespace onshi::app
