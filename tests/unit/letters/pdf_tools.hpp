#pragma once
// Reading a rendered PDF back with poppler's command-line tools (poppler-utils), the way a viewer
// reads it: a font that was not embedded or text without a ToUnicode map shows up here.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>

namespace onshi::letters::test {

namespace fs = std::filesystem;

// Where the PDFs and PNGs are left for a person to look at: $ONSHI_ARTIFACTS (set by ctest for
// the integration tests) or build/test-artifacts, then letters/.
inline fs::path artifact_dir() {
  const char* env = std::getenv("ONSHI_ARTIFACTS");
  fs::path dir = env != nullptr && *env != '\0'
                     ? fs::path(env)
                     : fs::path(ONSHI_SOURCE_DIR) / "build" / "test-artifacts";
  dir /= "letters";
  fs::create_directories(dir);
  return dir;
}

inline std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

// Runs a shell command; its output, and fails the test when it does not exit 0.
inline std::string run(const std::string& command) {
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string out;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  EXPECT_EQ(status, 0) << command << "\n" << out;
  return out;
}

inline fs::path write_pdf(const std::string& pdf, const std::string& name) {
  const fs::path path = artifact_dir() / (name + ".pdf");
  std::ofstream(path, std::ios::binary) << pdf;
  return path;
}

// pdfinfo's "Pages:", "Page size:" and "Title:" lines.
struct PdfInfo {
  int pages = -1;
  double width = 0;
  double height = 0;
  std::string title;
  std::string raw;
};

inline PdfInfo pdf_info(const fs::path& pdf) {
  PdfInfo info;
  info.raw = run("pdfinfo " + quoted(pdf));
  std::smatch m;
  if (std::regex_search(info.raw, m, std::regex(R"(Pages:\s+(\d+))"))) {
    info.pages = std::stoi(m[1]);
  }
  if (std::regex_search(info.raw, m, std::regex(R"(Page size:\s+([\d.]+) x ([\d.]+) pts)"))) {
    info.width = std::stod(m[1]);
    info.height = std::stod(m[2]);
  }
  if (std::regex_search(info.raw, m, std::regex(R"(Title:\s+([^\n]*))"))) info.title = m[1];
  return info;
}

// pdftotext guesses word spaces from the gaps between glyphs, which at small sizes adds or drops
// some (letter-spaced codes come out as "A B C D"), and breaks wrapped paragraphs into lines:
// compare without whitespace.
inline std::string without_spaces(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f') out += c;
  }
  return out;
}

}  // namespace onshi::letters::test
