#include <fmt/format.h>
#include <algorithm>

#include "store/sql/repositories.hpp"
#include "store/sql/sql_tx.hpp"
#include "util/secrets.hpp"

namespace onshi::store::sql {

std::optional<std::string> SqlSettings::setting(const std::string& key) {
  auto s = c_.prepare("SELECT value FROM settings WHERE key = ?");
  s.bind_all(key);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

void SqlSettings::put_setting(const std::string& key, const std::string& value) {
  c_.prepare(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
        "excluded.value")
      .bind_all(key, value)
      .run();
}

}  // namespace onshi::store::sql
