#pragma once
// A shell command's output (stdout and stderr together), for tests that check files with the
// tools that read them in the field (openssl, pdftotext, keytool, ...).
#include <cstdio>
#include <string>

namespace onshi::test {

inline std::string shell_output(const std::string& command) {
  std::string out;
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  char buffer[4096];
  for (std::size_t n = 0; pipe && (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    out.append(buffer, n);
  if (pipe) ::pclose(pipe);
  return out;
}

}  // namespace onshi::test
