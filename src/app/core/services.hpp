#pragma once
// What every use case needs, built once at startup and shared by all threads (all const or
// internally synchronised).
#include "app/core/config.hpp"
#include "app/core/failure.hpp"
#include "app/core/messages.hpp"
#include "app/core/password_policy.hpp"
#include "app/core/reference_data.hpp"
#include "store/database.hpp"
#include "util/clock.hpp"
#include "util/templates.hpp"

namespace onshi::app {

class CertificateAuthority;

struct Services {
  const Config& config;
  store::Database& db;
  const util::Clock& clock;
  const util::Templates& templates;  // templates/ (pages and templates/mail/)
  const Messages& messages;
  const PasswordPolicy& passwords;
  const ReferenceData& reference;
  // Null when no CA is initialised or this process does not issue.
  const CertificateAuthority* ca = nullptr;

  store::Millis now_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now().time_since_epoch())
        .count();
  }
};

}  // namespace onshi::app
