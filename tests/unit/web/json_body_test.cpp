// The one parse of JSON bodies: depth, count and size bounded before a tree exists, and every JSON
// endpoint answering a problem (never a crash) for bodies nested far beyond the limit.
#include <gtest/gtest.h>

#include "app/accounts/accounts.hpp"
#include "app/accounts/api_tokens.hpp"
#include "site_test_env.hpp"
#include "support/error_of.hpp"
#include "web/json_body.hpp"

namespace onshi::web {
namespace {

using onshi::test::error_of;

using test::post;
using test::SiteEnv;

std::string nested(char open, char close, std::size_t depth, std::string_view inner = "1") {
  std::string out;
  for (std::size_t i = 0; i < depth; ++i) out += open == '[' ? "[" : "{\"k\":";
  out += inner;
  for (std::size_t i = 0; i < depth; ++i) out += close;
  return out;
}

TEST(JsonBody, AcceptsNestingUpToTheLimit) {
  // The body object itself is depth 1; 31 arrays inside it make 32.
  const auto body = "{\"a\":" + nested('[', ']', 31) + "}";
  const auto parsed = parse_json_object(body);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(parsed->at("a").is_array());
}

TEST(JsonBody, RefusesOneLevelDeeperThanTheLimit) {
  EXPECT_EQ(error_of(parse_json_object("{\"a\":" + nested('[', ']', 32) + "}")),
            JsonBodyError::too_deep);
  EXPECT_EQ(error_of(parse_json_object(nested('{', '}', 33))), JsonBodyError::too_deep);
}

TEST(JsonBody, RefusesTheProbesBodyOf250000Brackets) {
  const std::string deep =
      "{\"vendor\":" + std::string(250'000, '[') + std::string(250'000, ']') + "}";
  JsonLimits roomy;
  roomy.max_bytes = deep.size();  // past the size limit, so that the depth check is what refuses
  EXPECT_EQ(error_of(parse_json_object(deep, roomy)), JsonBodyError::too_deep);
  // Unbalanced, as an attacker need not close anything.
  EXPECT_EQ(error_of(parse_json_object("{\"a\":" + std::string(100'000, '['), roomy)),
            JsonBodyError::too_deep);
}

TEST(JsonBody, RefusesTooManyValuesAndTooManyBytes) {
  std::string many = "{\"a\":[";
  for (int i = 0; i < 5000; ++i) many += i ? ",0" : "0";
  many += "]}";
  EXPECT_EQ(error_of(parse_json_object(many)), JsonBodyError::too_many_values);
  const std::string big = "{\"a\":\"" + std::string(70 * 1024, 'x') + "\"}";
  EXPECT_EQ(error_of(parse_json_object(big)), JsonBodyError::too_large);
}

TEST(JsonBody, RefusesWhatIsNotOneObject) {
  EXPECT_EQ(error_of(parse_json_object("[1]")), JsonBodyError::not_an_object);
  EXPECT_EQ(error_of(parse_json_object("\"text\"")), JsonBodyError::not_an_object);
  EXPECT_EQ(error_of(parse_json_object("{} {}")), JsonBodyError::malformed);
  EXPECT_EQ(error_of(parse_json_object("{\"a\":")), JsonBodyError::malformed);
  EXPECT_EQ(error_of(parse_json_object("")), JsonBodyError::malformed);
  EXPECT_EQ(error_of(parse_json_object("{\"a\":\"\xff\"}")), JsonBodyError::malformed);
}

TEST(JsonFields, ReadsTextAndNumbersAndNamesMembersOfTheWrongKind) {
  const auto body = parse_json_object(
      R"({"s":"abc","n":2,"f":2.5,"z":null,"b":true,"a":[],"o":{"x":"y","bad":{}},"t":"t"})");
  ASSERT_TRUE(body.has_value());
  app::FieldErrors errors;
  const JsonFields f(*body, errors);
  EXPECT_EQ(f.text("s"), "abc");
  EXPECT_EQ(f.text("n"), "2");
  EXPECT_EQ(f.text("f"), "2.5");
  EXPECT_EQ(f.text("z"), "");
  EXPECT_EQ(f.text("missing"), "");
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(f.text("b"), "");
  EXPECT_EQ(f.text("a"), "");
  const auto o = f.object("o");
  EXPECT_EQ(o.text("x"), "y");
  EXPECT_EQ(o.text("bad"), "");
  (void)f.object("t");
  EXPECT_EQ(f.object("absent").text("x"), "");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0].field, "b");
  EXPECT_EQ(errors[0].key, "json.not_text");
  EXPECT_EQ(errors[1].field, "a");
  EXPECT_EQ(errors[2].field, "o.bad");
  EXPECT_EQ(errors[3].field, "t");
  EXPECT_EQ(errors[3].key, "json.not_an_object");
}

// Every route that reads a JSON body, called as a vendor's system would with a valid token.
class JsonEndpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(
        app::create_verified_account(s.env.services, {"vendor@clinic.example.jp", "1310123455",
                                                      "テストクリニック", "correct horse battery"})
            .has_value());
    auto t = app::create_api_token(s.env.services, "vendor@clinic.example.jp", "テストベンダ");
    ASSERT_TRUE(t.has_value());
    token = t->token;
  }

  Response call(const std::string& path, std::string body) {
    Request r = post(path, std::move(body), {}, "application/json");
    r.headers["authorization"] = "Bearer " + token;
    r.headers["idempotency-key"] = "deep-1";
    return s.handle(r);
  }

  SiteEnv s;
  std::string token;
  const std::vector<std::string> paths = {"/api/v1/usage-applications/check",
                                          "/api/v1/usage-applications",
                                          "/api/v1/usage-applications/U-00000001/changes"};
};

TEST_F(JsonEndpointsTest, DeepArraysAndObjectsAreAProblemOnEveryEndpoint) {
  const std::size_t n = 250'000;
  const std::vector<std::string> bodies = {
      "{\"vendor\":" + std::string(n, '[') + std::string(n, ']') + "}",
      "{\"line_type\":" + nested('{', '}', 40) + "}",
      nested('[', ']', 1000),
      "{\"vendor\":" + std::string(20'000, '['),
  };
  for (const auto& path : paths) {
    for (const auto& body : bodies) {
      const auto r = call(path, body);
      EXPECT_TRUE(r.status == 400 || r.status == 413) << path << " " << r.status << " " << r.body;
      EXPECT_EQ(test::header(r, "Content-Type"), "application/problem+json; charset=utf-8");
    }
    // Within the size limit, the depth itself is named.
    const auto deep =
        call(path, "{\"vendor\":" + std::string(10'000, '[') + std::string(10'000, ']') + "}");
    EXPECT_EQ(deep.status, 400) << path;
    EXPECT_EQ(nlohmann::json::parse(deep.body).at("code"), "too-deep") << deep.body;
  }
  // Nothing was stored.
  s.env.db->read([&](store::ReadTx& tx) {
    const auto institution = tx.accounts().find_institution_by_code("1310123455");
    ASSERT_TRUE(institution.has_value());
    EXPECT_TRUE(tx.usage_applications().usage_applications_of(institution->id).empty());
  });
}

TEST_F(JsonEndpointsTest, AVendorThatIsNotAnObjectIsNamedBesideItsField) {
  for (const auto& path : paths) {
    const auto r =
        call(path, R"({"line_type":"flets_next_east","vendor":[["a"]],"terminals":true})");
    ASSERT_EQ(r.status, 422) << path << " " << r.body;
    const auto problem = nlohmann::json::parse(r.body);
    std::vector<std::pair<std::string, std::string>> errors;
    for (const auto& e : problem.at("errors")) {
      errors.emplace_back(e.at("field").get<std::string>(), e.at("code").get<std::string>());
      EXPECT_FALSE(e.at("message").get<std::string>().empty());
    }
    EXPECT_EQ(errors, (std::vector<std::pair<std::string, std::string>>{
                          {"terminals", "json.not_text"}, {"vendor", "json.not_an_object"}}));
  }
}

}  // namespace
}  // namespace onshi::web
