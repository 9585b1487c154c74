// A refused form starts with a summary whose every message is a link to the field it is about.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "site_test_env.hpp"

namespace onshi::web {
namespace {

using test::get;
using test::post;

// The href targets inside the summary, in order.
std::vector<std::string> summary_links(const std::string& body) {
  const auto start = body.find("class=\"error-summary\"");
  if (start == std::string::npos) return {};
  const auto end = body.find("</div>", start);
  const std::string summary = body.substr(start, end - start);
  std::vector<std::string> out;
  const std::regex link(R"re(<a href="#([A-Za-z0-9_-]+)">)re");
  for (std::sregex_iterator it(summary.begin(), summary.end(), link), none; it != none; ++it)
    out.push_back((*it)[1]);
  return out;
}

TEST(ErrorSummary, RegisterListsEachRefusedFieldAsALinkToIt) {
  test::SiteEnv s;
  const auto page = s.handle(get("/register"));
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.body.find("error-summary"), std::string::npos);
  const auto cookie = "onshi_csrf=" + test::set_cookie_value(page, "onshi_csrf");
  const auto r = s.handle(
      post("/register", test::form_body({{"csrf_token", test::csrf_in(page.body)}, {"email", "x"}}),
           cookie));
  ASSERT_EQ(r.status, 422);
  const auto links = summary_links(r.body);
  ASSERT_GE(links.size(), 2u) << r.body;
  std::set<std::string> seen;
  for (const auto& id : links) {
    EXPECT_TRUE(seen.insert(id).second) << id << " listed twice";
    // The link goes somewhere: the field with that id, which carries its own message too.
    EXPECT_NE(r.body.find("id=\"" + id + "\""), std::string::npos) << id;
    EXPECT_NE(r.body.find("id=\"" + id + "-error\""), std::string::npos) << id;
  }
  EXPECT_TRUE(seen.contains("email"));
}

}  // namespace
}  // namespace onshi::web
