// The PostgreSQL migrations against the SQLite ones: the repositories run one set of statements
// on both engines, so after the last migration both must have the same tables, columns, keys,
// indexes, foreign keys, checks and triggers. The SQLite side is read from a database its own
// runner migrated, so that the comparison follows sqlite/ as it changes.
#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>
#include <stdexcept>

#include "postgres/migrations_env.hpp"
#include "store/database.hpp"
#include "store/raw_access.hpp"

namespace onshi::store::postgres {
namespace {

using testing::FreshDatabaseTest;
using Rows = std::vector<std::vector<std::string>>;
using Lines = std::set<std::string>;

// The tables of the schema, not the runners' own bookkeeping.
constexpr const char* kSqliteTables =
    "m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'schema_migrations'";

// SQLite's INTEGER PRIMARY KEY columns that are no identity here: ocsp_epoch has its one row, id 1.
const Lines kNoIdentity = {"ocsp_epoch.id"};
// Triggers PostgreSQL needs beyond SQLite's: TRUNCATE, which SQLite lacks, skips row triggers.
const Lines kOnlyOnPostgres = {"audit_log audit_log_no_truncate"};

class SqliteSchema {
 public:
  SqliteSchema()
      : path_(std::filesystem::temp_directory_path() /
              ("onshi-migr-" + util::random_token(6) + ".db")) {
    open_database(url(), 1)->migrate();
  }
  SqliteSchema(const SqliteSchema&) = delete;
  SqliteSchema& operator=(const SqliteSchema&) = delete;
  ~SqliteSchema() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_.string() + suffix, ec);
  }
  Rows query(const std::string& sql) const {
    auto r = raw_sql(url(), sql);
    if (!r.ok) throw std::runtime_error(r.error + " in " + sql);
    return r.rows;
  }

 private:
  std::string url() const { return "sqlite:" + path_.string(); }
  std::filesystem::path path_;
};

Rows rows_of(const Result& r) {
  Rows out;
  for (int i = 0; i < r.rows(); ++i) {
    auto& row = out.emplace_back();
    for (int j = 0; j < r.columns(); ++j) row.push_back(r.text(i, j));
  }
  return out;
}

std::string join(const std::vector<std::string>& row) {
  std::string out;
  for (std::size_t i = 0; i < row.size(); ++i) out.append(i > 0 ? " " : "").append(row[i]);
  return out;
}

Lines lines(const Rows& rows) {
  Lines out;
  for (const auto& row : rows) out.insert(join(row));
  return out;
}

Lines minus(const Lines& a, const Lines& b) {
  Lines out;
  std::ranges::set_difference(a, b, std::inserter(out, out.end()));
  return out;
}

// Both ways, so that a failure lists the lines that differ rather than two long sets.
void expect_same_lines(const Lines& postgres, const Lines& sqlite) {
  EXPECT_EQ(minus(postgres, sqlite), Lines{}) << "only in PostgreSQL";
  EXPECT_EQ(minus(sqlite, postgres), Lines{}) << "only in SQLite";
}

std::string postgres_type(const std::string& sqlite_type) {
  if (sqlite_type == "INTEGER") return "bigint";
  if (sqlite_type == "TEXT") return "text";
  if (sqlite_type == "BLOB") return "bytea";
  return "unmapped:" + sqlite_type;
}

class MigrationsSchemaTest : public FreshDatabaseTest {
 protected:
  void SetUp() override {
    FreshDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    pg_ = std::make_unique<Connection>(db_url());
    ASSERT_EQ(apply(*pg_), "");
  }
  Rows pg(const std::string& sql) { return rows_of(pg_->execute(sql)); }

  SqliteSchema sqlite_;
  std::unique_ptr<Connection> pg_;
};

TEST(PostgresMigrationsList, NumberedAndNamedAsSqlitesOneToOne) {
  std::vector<std::string> sqlite, postgres;
  for (const auto& m : sqlite_migrations())
    sqlite.push_back(std::to_string(m.version) + " " + std::string(m.name));
  for (const auto& m : postgres_migrations())
    postgres.push_back(std::to_string(m.version) + " " + std::string(m.name));
  EXPECT_EQ(postgres, sqlite);
  for (const auto& m : postgres_migrations()) EXPECT_FALSE(m.sql.empty()) << m.name;
}

TEST_F(MigrationsSchemaTest, TheSameTablesWithTheSameColumns) {
  const Rows sqlite = sqlite_.query(
      "SELECT m.name, p.name, p.type, p.\"notnull\" OR p.pk > 0, p.dflt_value IS NOT NULL, "
      "p.pk = 1 AND p.type = 'INTEGER' AND (SELECT count(*) FROM pragma_table_info(m.name) q "
      "WHERE q.pk > 0) = 1 FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE " +
      std::string(kSqliteTables) + " ORDER BY m.name, p.cid");
  const Rows postgres =
      pg("SELECT table_name, column_name, data_type, (is_nullable = 'NO')::int, "
         "(column_default IS NOT NULL)::int, (is_identity = 'YES')::int, coalesce(collation_name, "
         "'') FROM information_schema.columns WHERE table_schema = current_schema() "
         "ORDER BY table_name, ordinal_position");
  ASSERT_FALSE(sqlite.empty());

  Lines sqlite_columns, postgres_columns, sqlite_rowids, postgres_identities, not_bytewise;
  std::map<std::string, std::vector<std::string>> sqlite_order, postgres_order;
  for (const auto& r : sqlite) {
    // A PRIMARY KEY column: never NULL in PostgreSQL, and only SQLite's legacy allows it there.
    sqlite_columns.insert(r[0] + "." + r[1] + " " + postgres_type(r[2]) + " notnull=" + r[3] +
                          " default=" + r[4]);
    if (r[5] == "1") sqlite_rowids.insert(r[0] + "." + r[1]);
    sqlite_order[r[0]].push_back(r[1]);
  }
  for (const auto& r : postgres) {
    postgres_columns.insert(r[0] + "." + r[1] + " " + r[2] + " notnull=" + r[3] +
                            " default=" + r[4]);
    if (r[5] == "1") postgres_identities.insert(r[0] + "." + r[1]);
    if (r[2] == "text" && r[6] != "C") not_bytewise.insert(r[0] + "." + r[1]);
    postgres_order[r[0]].push_back(r[1]);
  }
  expect_same_lines(postgres_columns, sqlite_columns);
  expect_same_lines(postgres_identities, minus(sqlite_rowids, kNoIdentity));
  EXPECT_EQ(not_bytewise, Lines{}) << "text must be COLLATE \"C\", as SQLite compares bytewise";

  ASSERT_EQ(postgres_order.size(), sqlite_order.size());
  for (const auto& [table, columns] : sqlite_order) {
    // 0011 adds certificates' columns at the end where SQLite's rebuild puts them in the middle.
    if (table == "certificates") continue;
    EXPECT_EQ(postgres_order[table], columns) << table;
  }
}

TEST_F(MigrationsSchemaTest, TheSameNamedIndexes) {
  const Rows sqlite = sqlite_.query(
      "SELECT m.name, il.name, il.\"unique\", il.partial, (SELECT group_concat(name, ',') FROM "
      "(SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) FROM sqlite_master m JOIN "
      "pragma_index_list(m.name) il WHERE il.origin = 'c' AND " +
      std::string(kSqliteTables));
  // Those that no PRIMARY KEY or UNIQUE constraint made, which SQLite names sqlite_autoindex_*.
  const Rows postgres = pg(
      "SELECT t.relname, i.relname, x.indisunique::int, (x.indpred IS NOT NULL)::int, (SELECT "
      "string_agg(a.attname, ',' ORDER BY k.ord) FROM unnest(x.indkey::int2[]) WITH ORDINALITY "
      "k(attnum, ord) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) "
      "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = "
      "x.indrelid WHERE t.relnamespace = current_schema()::regnamespace AND NOT EXISTS (SELECT 1 "
      "FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND "
      "c.contype IN ('p', 'u'))");
  ASSERT_FALSE(sqlite.empty());
  expect_same_lines(lines(postgres), lines(sqlite));
}

TEST_F(MigrationsSchemaTest, TheSamePrimaryKeysAndUniqueConstraints) {
  Lines sqlite =
      lines(sqlite_.query("SELECT m.name, (SELECT group_concat(name, ',') FROM (SELECT name FROM "
                          "pragma_index_info(il.name) ORDER BY seqno)) FROM sqlite_master m JOIN "
                          "pragma_index_list(m.name) il WHERE il.origin IN ('u', 'pk') AND " +
                          std::string(kSqliteTables)));
  // An INTEGER PRIMARY KEY is the rowid and has no index of its own in SQLite.
  sqlite.merge(lines(sqlite_.query(
      "SELECT m.name, (SELECT group_concat(name, ',') FROM (SELECT name FROM "
      "pragma_table_info(m.name) WHERE pk > 0 ORDER BY pk)) AS k FROM sqlite_master m WHERE " +
      std::string(kSqliteTables) + " AND k IS NOT NULL")));
  const Lines postgres = lines(
      pg("SELECT t.relname, (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM "
         "unnest(c.conkey) WITH ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = "
         "c.conrelid AND a.attnum = k.attnum) FROM pg_constraint c JOIN pg_class t ON t.oid = "
         "c.conrelid WHERE c.contype IN ('p', 'u') AND c.connamespace = "
         "current_schema()::regnamespace"));
  ASSERT_FALSE(sqlite.empty());
  expect_same_lines(postgres, sqlite);
}

TEST_F(MigrationsSchemaTest, TheSameForeignKeys) {
  const Rows sqlite = sqlite_.query(
      "SELECT m.name || '.' || f.\"from\", '->', f.\"table\" || '.' || f.\"to\" FROM "
      "sqlite_master m JOIN pragma_foreign_key_list(m.name) f WHERE " +
      std::string(kSqliteTables));
  const Rows postgres =
      pg("SELECT t.relname || '.' || a.attname, '->', r.relname || '.' || ra.attname FROM "
         "pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_attribute a ON "
         "a.attrelid = c.conrelid AND a.attnum = c.conkey[1] JOIN pg_class r ON r.oid = "
         "c.confrelid JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = "
         "c.confkey[1] WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace "
         "AND cardinality(c.conkey) = 1");
  ASSERT_FALSE(sqlite.empty());
  expect_same_lines(lines(postgres), lines(sqlite));
  EXPECT_EQ(pg("SELECT 1 FROM pg_constraint WHERE contype = 'f' AND cardinality(conkey) > 1 AND "
               "connamespace = current_schema()::regnamespace")
                .size(),
            0U)
      << "the schema has single-column foreign keys only; compare the others too";
}

// CHECK constraints cannot be compared as text across the two dialects; their number per table
// catches one left out.
TEST_F(MigrationsSchemaTest, AsManyChecksPerTable) {
  std::map<std::string, int> sqlite, postgres;
  for (const auto& r : sqlite_.query("SELECT m.name, m.sql FROM sqlite_master m WHERE " +
                                     std::string(kSqliteTables))) {
    for (auto at = r[1].find("CHECK ("); at != std::string::npos; at = r[1].find("CHECK (", at + 1))
      ++sqlite[r[0]];
  }
  for (const auto& r :
       pg("SELECT t.relname, count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = "
          "c.conrelid WHERE c.contype = 'c' AND c.connamespace = current_schema()::regnamespace "
          "GROUP BY t.relname"))
    postgres[r[0]] = std::stoi(r[1]);
  ASSERT_FALSE(sqlite.empty());
  EXPECT_EQ(postgres, sqlite);
}

TEST_F(MigrationsSchemaTest, SqlitesTriggersAndOneOfItsOwn) {
  Lines expected = lines(sqlite_.query(
      "SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"));
  ASSERT_FALSE(expected.empty());
  expected.insert(kOnlyOnPostgres.begin(), kOnlyOnPostgres.end());
  EXPECT_EQ(lines(pg("SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = "
                     "t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace = "
                     "current_schema()::regnamespace")),
            expected);
}

TEST_F(MigrationsSchemaTest, TextSortsBytewiseWhateverTheDatabasesLocale) {
  // The database's own collation does not: otherwise this test would prove nothing.
  EXPECT_NE(pg("SELECT string_agg(x, ',' ORDER BY x) FROM unnest(ARRAY['b', 'B', 'a', '_z', "
               "'é', 'z']) x")[0][0],
            "B,_z,a,b,z,é");
  pg_->execute(
      "INSERT INTO operators (login, display_name, role, password_hash, totp_secret, created_at) "
      "SELECT x, x, 'admin', 'h', 's', 0 FROM unnest(ARRAY['b', 'B', 'a', '_z', 'é', 'z']) x");
  EXPECT_EQ(pg("SELECT string_agg(login, ',' ORDER BY login) FROM operators")[0][0],
            "B,_z,a,b,z,é");
  EXPECT_EQ(pg("SELECT count(*) FROM operators WHERE login < 'a' AND login > 'A'")[0][0], "2");
}

}  // namespace
}  // namespace onshi::store::postgres
