// The one mapping from a use case's Failure to HTTP: every code has its own status and a problem
// type whose title the catalogue holds, so a new code cannot reach a client as a bare 500.
#include "web/errors.hpp"

#include <gtest/gtest.h>

#include <set>

#include "app/core/messages.hpp"

namespace onshi::web {
namespace {

TEST(FailureMapping, EveryCodeHasItsOwnStatusAndAProblemTypeWithATitle) {
  const auto messages =
      app::Messages::load(std::string(ONSHI_SOURCE_DIR) + "/data/messages.ja.toml");
  std::set<int> statuses;
  for (const auto code : app::kFailureCodes) {
    const int status = http_status(code);
    if (code == app::FailureCode::unavailable) {
      EXPECT_EQ(status, 503);
    } else {
      EXPECT_GE(status, 400) << app::failure_code_name(code);
      EXPECT_LT(status, 500) << app::failure_code_name(code);
    }
    EXPECT_TRUE(statuses.insert(status).second) << "two codes answer " << status;
    const auto type = problem_type(code);
    EXPECT_NE(type, "internal") << app::failure_code_name(code);
    EXPECT_TRUE(messages.has("problem." + std::string(type))) << type;
  }
}

}  // namespace
}  // namespace onshi::web
