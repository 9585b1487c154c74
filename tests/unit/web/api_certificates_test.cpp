// The JSON API's certificates (docs/api.md): the list and one certificate as マイページ shows them,
// and 失効 of one with the form's rules — 201 then 200 for the same Idempotency-Key, 409 for a new
// key on a revoked certificate, 404 for another institution's number, 422 naming the member at
// fault, 400 without a key — each refusal changing nothing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "issued_certificates_env.hpp"

namespace onshi::web {
namespace {

using nlohmann::json;
using test::get;
using test::header;
using test::post;

class ApiCertificatesTest : public test::IssuedCertificatesTest {
 protected:
  Response revoke(const std::string& number, const json& body, const std::string& key,
                  const std::string& cookie = {}) {
    auto r = post(fmt::format("/api/v1/certificates/{}/revocation", number), body.dump(),
                  cookie.empty() ? clinic : cookie, "application/json");
    if (!key.empty()) r.headers["idempotency-key"] = key;
    return a.s.handle(r);
  }
};

TEST_F(ApiCertificatesTest, ListsAndShowsTheInstitutionsCertificates) {
  const auto theirs = other_clinic_certificates();
  const auto list = a.s.handle(get("/api/v1/certificates", clinic));
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(header(list, "Content-Type"), "application/json; charset=utf-8");
  const auto items = json::parse(list.body).at("items");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("number"), mine[0].number);
  EXPECT_EQ(items[0].at("terminal"), "T01");
  EXPECT_EQ(items[0].at("status"), "issued");
  EXPECT_EQ(items[0].at("pickup"), "waiting");
  EXPECT_EQ(items[0].at("serial"), current(mine[0].number).serial_hex);
  EXPECT_TRUE(items[0].at("revokedAt").is_null());
  EXPECT_TRUE(items[0].at("reason").is_null());
  EXPECT_EQ(items[0].at("notBefore"), "2026-11-24T01:00:00Z");
  const auto one = a.s.handle(get("/api/v1/certificates/" + mine[1].number, clinic));
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(json::parse(one.body).at("number"), mine[1].number);
  EXPECT_EQ(a.s.handle(get("/api/v1/certificates/" + theirs.number, clinic)).status, 404);
  EXPECT_EQ(a.s.handle(get("/api/v1/certificates")).status, 401) << "credentials needed";
}

TEST_F(ApiCertificatesTest, RevokesOnceAndAnswersTheSameKeyAgain) {
  const json body = {{"reason", "keyCompromise"}, {"compromisedSince", "2026-11-20"}};
  const auto r = revoke(mine[0].number, body, "vendor-key-1");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(header(r, "Location"), "/api/v1/certificates/" + mine[0].number);
  const auto j = json::parse(r.body);
  EXPECT_EQ(j.at("status"), "revoked");
  EXPECT_EQ(j.at("reason"), "keyCompromise");
  EXPECT_EQ(j.at("revokedAt"), "2026-11-24T01:00:00Z");
  EXPECT_EQ(j.at("compromisedSince"), "2026-11-20");
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::revoked);

  const auto again = revoke(mine[0].number, body, "vendor-key-1");
  EXPECT_EQ(again.status, 200) << "a retry of the same request";
  EXPECT_EQ(json::parse(again.body).at("revokedAt"), "2026-11-24T01:00:00Z");
  const auto later = revoke(mine[0].number, body, "vendor-key-2");
  EXPECT_EQ(later.status, 409);
  EXPECT_EQ(json::parse(later.body).at("code"), "already-revoked");
  const auto reused = revoke(mine[1].number, body, "vendor-key-1");
  EXPECT_EQ(reused.status, 409);
  EXPECT_EQ(json::parse(reused.body).at("code"), "key-reused");
  EXPECT_EQ(current(mine[1].number).status, domain::CertificateState::issued);
}

TEST_F(ApiCertificatesTest, RefusalsSayWhyAndChangeNothing) {
  const auto theirs = other_clinic_certificates();
  EXPECT_EQ(revoke(theirs.number, {{"reason", "superseded"}}, "k1").status, 404);
  EXPECT_EQ(current(theirs.number).status, domain::CertificateState::issued);
  EXPECT_EQ(revoke(theirs.number, {{"reason", "superseded"}}, "k1", other_cookie).status, 201)
      << "their own credentials";

  const auto missing = revoke(mine[0].number, {{"reason", "superseded"}}, "");
  EXPECT_EQ(missing.status, 400);
  EXPECT_NE(json::parse(missing.body).at("type").get<std::string>().find("missing-idempotency-key"),
            std::string::npos);
  const auto bad =
      revoke(mine[0].number, {{"reason", "unspecified"}, {"compromisedSince", "x"}}, "k2");
  ASSERT_EQ(bad.status, 422) << bad.body;
  std::set<std::string> named;
  const auto problem = json::parse(bad.body);
  for (const auto& e : problem.at("errors")) named.insert(e.at("field").get<std::string>());
  EXPECT_EQ(named, (std::set<std::string>{"reason", "compromisedSince"}));
  const auto wrong_kind = revoke(mine[0].number, {{"reason", json::array()}}, "k3");
  EXPECT_EQ(wrong_kind.status, 422);
  EXPECT_EQ(current(mine[0].number).status, domain::CertificateState::issued);
  EXPECT_EQ(revoke("C-99999999-01", {{"reason", "superseded"}}, "k4").status, 404);
}

}  // namespace
}  // namespace onshi::web
