#pragma once
// The fixture of the configuration tests (config_*_test.cpp): a temporary folder for TOML files
// and an ONSHI_* environment cleared for each test and put back afterwards.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/core/config.hpp"
#include "app_test_env.hpp"

namespace onshi::app {

inline constexpr const char* kEnvNames[] = {"ONSHI_LISTEN",
                                            "ONSHI_RENEWAL_OVERLAP_DAYS",
                                            "ONSHI_AUTO_APPROVE_RENEWALS",
                                            "ONSHI_BASE_URL",
                                            "ONSHI_THREADS",
                                            "ONSHI_COOKIE_SECURE",
                                            "ONSHI_MAX_BODY_BYTES",
                                            "ONSHI_RESOURCES",
                                            "ONSHI_DATABASE_URL",
                                            "ONSHI_SMTP_URL",
                                            "ONSHI_MAIL_FROM",
                                            "ONSHI_MAIL_POLL_MS",
                                            "ONSHI_MAIL_RETRY_BASE_MS",
                                            "ONSHI_MAIL_RETRY_MAX_MS",
                                            "ONSHI_SESSION_IDLE_MINUTES",
                                            "ONSHI_SESSION_ABSOLUTE_HOURS",
                                            "ONSHI_LOGIN_LOCK_BASE_SECONDS",
                                            "ONSHI_VERIFY_TOKEN_HOURS",
                                            "ONSHI_RESET_TOKEN_MINUTES",
                                            "ONSHI_CONTACT_NAME",
                                            "ONSHI_CONTACT_PHONE",
                                            "ONSHI_CONTACT_HOURS",
                                            "ONSHI_CONTACT_EMAIL",
                                            "ONSHI_PICKUP_REDOWNLOAD_DAYS",
                                            "ONSHI_UNPICKED_REVOCATION_GRACE_DAYS",
                                            "ONSHI_TLS_LISTEN",
                                            "ONSHI_TLS_CERT_FILE",
                                            "ONSHI_TLS_KEY_FILE",
                                            "ONSHI_DEVELOPMENT_TEST_CLOCK",
                                            "ONSHI_REMINDER_DAYS_BEFORE",
                                            "ONSHI_REMINDER_AFTER_EXPIRY_DAYS",
                                            "ONSHI_REMINDER_INTERVAL_SECONDS"};

// Clears the ONSHI_* environment for the test and puts it back afterwards.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : kEnvNames) {
      const char* v = std::getenv(name);
      saved_.emplace_back(name, v ? std::optional<std::string>(v) : std::nullopt);
      unsetenv(name);
    }
  }
  void TearDown() override {
    for (const auto& [name, v] : saved_) {
      if (v) {
        setenv(name.c_str(), v->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path) << text;
    return path;
  }

  // The message of the runtime_error load_config throws, or "" when it does not throw.
  std::string load_error(const std::filesystem::path& file) {
    try {
      load_config(dir_.path(), file);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return {};
  }

  test::TempDir dir_;
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

}  // namespace onshi::app
