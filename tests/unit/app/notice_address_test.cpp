// The notice letter as the envelope window shows it, read back with pdftotext: the address once
// (also for an application stored before the 所在地 lost its repeated names), 部署 on one line and
// 氏名 + 様 on the next.
#include <gtest/gtest.h>

#include <sstream>

#include "app/ca/issuance.hpp"
#include "app/office/notice_letters.hpp"
#include "back_office_fixture.hpp"
#include "support/error_of.hpp"
#include "unit/letters/pdf_tools.hpp"

namespace onshi::test {
namespace {

namespace fs = std::filesystem;
using letters::test::quoted;
using letters::test::run;
using letters::test::without_spaces;
using letters::test::write_pdf;

class NoticeAddressTest : public BackOfficeTest {
 protected:
  // The letter of one approved and issued application, as the window shows it: one entry per
  // printed line, spaces removed (pdftotext guesses them from glyph gaps).
  std::vector<std::string> window_lines(const std::string& number, const std::string& name) {
    EXPECT_TRUE(decide(env.services, reviewer, number, Decision::approve, "").has_value());
    EXPECT_TRUE(issue_application(env.services, issuer, number).has_value());
    auto batch = print_notice_letters(env.services, issuer);
    EXPECT_TRUE(batch.has_value());
    const fs::path pdf = write_pdf(batch->pdf, name);
    // The window of a 長形3号 envelope, as tests/unit/letters/notice_letter_test.cpp crops it.
    std::istringstream text(
        run("pdftotext -layout -f 1 -l 1 -x 65 -y 34 -W 255 -H 136 " + quoted(pdf) + " -"));
    std::vector<std::string> lines;
    for (std::string line; std::getline(text, line);) {
      if (auto l = without_spaces(line); !l.empty()) lines.push_back(l);
    }
    return lines;
  }
};

TEST_F(NoticeAddressTest, TheAddresseeIsTheDepartmentThenThePersonWithSama) {
  const auto lines = window_lines(apply("1", "letter-1"), "notice-addressee");
  const std::vector<std::string> expected = {"〒104-0061", "東京都中央区銀座1-2-3オンシビル5階",
                                             "テストクリニック", "事務", "山田花子様"};
  EXPECT_EQ(lines, expected);
}

TEST_F(NoticeAddressTest, AnOlderApplicationsRepeatedNamesArePrintedOnce) {
  const auto number = apply("1", "letter-2");
  // Stored before the form dropped the repeat, as the probe found it.
  ASSERT_EQ(tamper("UPDATE certificate_applications SET address_line = '東京都中央区銀座1-2-3' "
                   "WHERE number = '" +
                   number + "'"),
            0);
  const auto lines = window_lines(number, "notice-older-address");
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[1], "東京都中央区銀座1-2-3");
}

}  // namespace
}  // namespace onshi::test
