// The one text rewrite between the engines: SQLite's `?` and `?N` as PostgreSQL's `$N`.
#include <gtest/gtest.h>

#include "store/sql/session.hpp"

namespace onshi::store::sql {
namespace {

TEST(NumberedPlaceholders, CountsBareMarksAndKeepsNumberedOnes) {
  EXPECT_EQ(numbered_placeholders("SELECT a FROM t WHERE b = ? AND c = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = $2");
  EXPECT_EQ(
      numbered_placeholders("UPDATE t SET x = CASE WHEN x > ?1 THEN x ELSE ?1 END WHERE id = ?2"),
      "UPDATE t SET x = CASE WHEN x > $1 THEN x ELSE $1 END WHERE id = $2");
  // SQLite's rule: a bare mark is one more than the largest number so far.
  EXPECT_EQ(numbered_placeholders("?3, ?, ?1, ?"), "$3, $4, $1, $5");
  EXPECT_EQ(numbered_placeholders("?12"), "$12");
}

TEST(NumberedPlaceholders, LeavesLiteralsQuotedNamesAndCommentsAlone) {
  EXPECT_EQ(numbered_placeholders("SELECT '?', 'it''s ?', \"odd?name\" FROM t WHERE a = ?"),
            "SELECT '?', 'it''s ?', \"odd?name\" FROM t WHERE a = $1");
  EXPECT_EQ(numbered_placeholders("SELECT 1 -- why? because\nWHERE a = ?"),
            "SELECT 1 -- why? because\nWHERE a = $1");
  // An unterminated literal is the server's to refuse; the rewrite neither loops nor overreads.
  EXPECT_EQ(numbered_placeholders("SELECT 'open ?"), "SELECT 'open ?");
}

}  // namespace
}  // namespace onshi::store::sql
