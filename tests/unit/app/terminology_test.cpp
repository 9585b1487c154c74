// One word for one thing on pages, mails, letters and docs (issue 14 §8): people who read
// 発行料 on one page and 手数料 on the next ask whether they are charged twice. The words chosen
// are the guide's: 発行料, 状況, システムベンダ; and 書留番号 for the number on the post office's
// receipt.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Rule {
  std::string avoid;
  std::string use;
  std::vector<std::string> allowed_phrases;  // fixed terms that contain the word
};

const std::vector<Rule>& rules() {
  static const std::vector<Rule> r = {
      // 振込手数料 is the bank's fee for a transfer (issue 19: borne by the institution), not ours.
      {"手数料", "発行料", {"振込手数料"}},
      // 状態 stays where it is no status's name: OCSP's Japanese name, and 「…できる状態」 and the
      // like, which say how something is rather than which status it has.
      {"状態",
       "状況",
       {"オンライン証明書状態プロトコル", "できる状態", "使える状態", "待つ状態",
        "入力された状態"}},
      {"引受番号", "書留番号", {}},
      {"システムベンダー", "システムベンダ", {}},
  };
  return r;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every file people read: the catalogue, page and mail templates, scripts, the C++ that lays out
// letters, and the documentation.
std::vector<fs::path> files_people_read() {
  const fs::path root = ONSHI_SOURCE_DIR;
  std::vector<fs::path> out;
  for (const char* dir : {"data", "templates", "static", "src/letters", "docs"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      const auto ext = e.path().extension();
      if (e.is_regular_file() && (ext == ".toml" || ext == ".html" || ext == ".txt" ||
                                  ext == ".js" || ext == ".cpp" || ext == ".md"))
        out.push_back(e.path());
    }
  }
  out.push_back(root / "README.md");
  return out;
}

TEST(Terminology, EachThingHasOneName) {
  const auto files = files_people_read();
  ASSERT_GT(files.size(), 30u);
  for (const auto& file : files) {
    std::istringstream lines(read(file));
    std::string line;
    for (int n = 1; std::getline(lines, line); ++n) {
      for (const auto& rule : rules()) {
        std::string rest = line;
        for (const auto& phrase : rule.allowed_phrases)
          for (std::size_t at; (at = rest.find(phrase)) != std::string::npos;)
            rest.erase(at, phrase.size());
        EXPECT_EQ(rest.find(rule.avoid), std::string::npos)
            << file.string() << ":" << n << " says 「" << rule.avoid << "」; write 「" << rule.use
            << "」: " << line;
      }
    }
  }
}

}  // namespace
