#pragma once
// A write transaction whose work begins by looking up what its idempotency key already made (the
// same form or API request sent twice), for the use cases that insert a row under that key.
#include <utility>

#include "store/database.hpp"

namespace onshi::app {

// Runs `work` in Database::write, and once more in a new transaction when a unique index refused
// its row. Two requests with one key at the same moment both find nothing and both insert; on
// PostgreSQL the second one's INSERT meets the first one's row. On the key's own index, which the
// transaction read, PostgreSQL reports a serialization failure (Database::write retries it); on
// an index it did not read ("one first application", `changes_id`, a renewal's items) it fails
// with 23505, a unique violation. Its transaction is lost, so `work` runs again from the top, sees
// the row committed meanwhile and answers as a repeat (or as the conflict it is). A second
// violation is not a race of this kind and escapes.
template <class F>
auto write_once_per_key(store::Database& db, store::Durability durability, F&& work) {
  try {
    return db.write(durability, work);
  } catch (const store::UniqueViolation&) {
    return db.write(durability, std::forward<F>(work));
  }
}
template <class F>
auto write_once_per_key(store::Database& db, F&& work) {
  return write_once_per_key(db, store::Durability::normal, std::forward<F>(work));
}

}  // namespace onshi::app
