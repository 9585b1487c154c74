#include "store/records.hpp"

namespace onshi::store {

std::string_view key_source_name(KeySource k) {
  return k == KeySource::generated ? "generated" : "csr";
}

}  // namespace onshi::store
