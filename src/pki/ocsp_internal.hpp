#pragma once
// Internal to pki/: what the OCSP files share.
#include <string_view>

#include "pki/issuing_ca_impl.hpp"

namespace onshi::pki::detail {

// The generation (current or earlier) whose certificate's subjectKeyIdentifier is `key_id_hex`,
// or null.
const CaGeneration* generation_with_key_id(const IssuingCa::Impl& impl,
                                           std::string_view key_id_hex);

}  // namespace onshi::pki::detail
