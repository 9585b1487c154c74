// `onshi db backup` (store/backup.hpp): SQLite's online backup of a database in use.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "store/backup.hpp"
#include "store/database.hpp"
#include "store_test_env.hpp"

namespace onshi::store {
namespace {

TEST(DbBackup, CopiesADatabaseInUseIntoANewPrivateFileThatOpens) {
  test::TempDb tmp;
  ASSERT_GT(tmp.db().migrate(), 0);
  tmp.db().write([](WriteTx& tx) { tx.accounts().insert_institution("1310123455", "医院", 1000); });
  const auto out = tmp.dir() / "backup.db";
  // The pool's connections stay open on the source, as serve's do.
  const auto done = backup_embedded_database("sqlite:" + tmp.path().string(), out.string());
  ASSERT_TRUE(done.has_value()) << done.error();
  EXPECT_GT(done->pages, 0);
  EXPECT_EQ(done->bytes, static_cast<std::int64_t>(std::filesystem::file_size(out)));
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto copy = open_database("sqlite:" + out.string(), 1);
  EXPECT_EQ(copy->schema_version(), current_schema_version());
  const auto found =
      copy->read([](ReadTx& tx) { return tx.accounts().find_institution_by_code("1310123455"); });
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "医院");
}

TEST(DbBackup, RefusesAnExistingFileAMissingSourceAndPostgres) {
  test::TempDb tmp;
  ASSERT_GT(tmp.db().migrate(), 0);
  const std::string source = "sqlite:" + tmp.path().string();
  const auto out = tmp.dir() / "taken.db";
  std::ofstream(out) << "keep me";
  const auto taken = backup_embedded_database(source, out.string());
  ASSERT_FALSE(taken.has_value());
  EXPECT_NE(taken.error().find("never overwrites"), std::string::npos) << taken.error();
  std::ifstream in(out);
  std::string kept;
  std::getline(in, kept);
  EXPECT_EQ(kept, "keep me");

  const auto missing = backup_embedded_database("sqlite:" + (tmp.dir() / "none.db").string(),
                                                (tmp.dir() / "b.db").string());
  ASSERT_FALSE(missing.has_value());
  EXPECT_FALSE(std::filesystem::exists(tmp.dir() / "b.db"));
  const auto pg = backup_embedded_database("postgresql://onshi@127.0.0.1:1/onshi",
                                           (tmp.dir() / "c.db").string());
  ASSERT_FALSE(pg.has_value());
  EXPECT_NE(pg.error().find("pg_dump"), std::string::npos);
}

}  // namespace
}  // namespace onshi::store
