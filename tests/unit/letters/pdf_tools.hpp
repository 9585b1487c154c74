#pragma once
// Reading a rendered PDF back with poppler's command-line tools (poppler-utils), the way a viewer
// reads it: a font that was not embedded or text without a ToUnicode map shows up here.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

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

inline std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The pages of `pdf` rasterised at 100 dpi by poppler, one PPM each, in page order.
inline std::vector<std::string> rasters(const fs::path& pdf) {
  fs::path prefix = pdf;
  prefix.replace_extension();
  run("pdftoppm -r 100 " + quoted(pdf) + " " + quoted(prefix));
  std::vector<fs::path> pages;
  for (const auto& entry : fs::directory_iterator(pdf.parent_path())) {
    const std::string name = entry.path().filename().string();
    const std::string stem = prefix.filename().string() + "-";
    if (name.starts_with(stem) && entry.path().extension() == ".ppm") pages.push_back(entry.path());
  }
  std::sort(pages.begin(), pages.end());  // pdftoppm pads the numbers to the same width
  std::vector<std::string> out;
  for (const auto& page : pages) {
    out.push_back(file_bytes(page));
    fs::remove(page);
  }
  return out;
}

// The document with its fonts subset (`subset`) prints and reads exactly as the one set in the
// installed fonts (`whole`): every pixel of every page at 100 dpi, and the extracted text.
inline void expect_same_document(const std::string& subset, const std::string& whole,
                                 const std::string& name) {
  const fs::path a = write_pdf(subset, name + "-subset");
  const fs::path b = write_pdf(whole, name + "-whole");
  const auto pages_a = rasters(a);
  const auto pages_b = rasters(b);
  ASSERT_FALSE(pages_a.empty());
  ASSERT_EQ(pages_a.size(), pages_b.size());
  for (std::size_t i = 0; i < pages_a.size(); ++i) {
    EXPECT_TRUE(pages_a[i] == pages_b[i]) << name << ": page " << i + 1 << " differs";
  }
  EXPECT_EQ(run("pdftotext " + quoted(a) + " -"), run("pdftotext " + quoted(b) + " -")) << name;
}

}  // namespace onshi::letters::test
