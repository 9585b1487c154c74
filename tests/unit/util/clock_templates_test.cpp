// Japan time formatting and Mustache templates from a folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "util/clock.hpp"
#include "util/secrets.hpp"
#include "util/templates.hpp"

namespace onshi::util {
namespace {

using namespace std::chrono;

TimePoint utc(year_month_day day, hours h, minutes m = minutes{0}, seconds s = seconds{0}) {
  return TimePoint{sys_days{day} + h + m + s};
}

TEST(FormatJst, AddsNineHoursAcrossTheDateLine) {
  EXPECT_EQ(format_jst(utc(2026y / November / 24, hours{15})), "2026-11-25 00:00");
  EXPECT_EQ(format_jst(utc(2026y / November / 24, hours{14}, minutes{59})), "2026-11-24 23:59");
  EXPECT_EQ(format_jst(utc(2026y / December / 31, hours{15})), "2027-01-01 00:00");
  EXPECT_EQ(format_jst(utc(2028y / February / 28, hours{15})), "2028-02-29 00:00");  // leap day
  EXPECT_EQ(format_jst(TimePoint{}), "1970-01-01 09:00");
}

TEST(FormatJst, DropsSecondsWithoutRounding) {
  EXPECT_EQ(format_jst(utc(2026y / April / 1, hours{3}, minutes{4}, seconds{59})),
            "2026-04-01 12:04");
  EXPECT_EQ(format_jst(utc(2026y / April / 1, hours{3}, minutes{4}) + milliseconds{999}),
            "2026-04-01 12:04");
}

TEST(UnixTime, RoundTripsWholeSeconds) {
  EXPECT_EQ(to_unix(utc(2026y / November / 24, hours{15})), 1'795'532'400);
  EXPECT_EQ(from_unix(1'795'532'400), utc(2026y / November / 24, hours{15}));
  EXPECT_EQ(to_unix(from_unix(0)), 0);
  EXPECT_EQ(to_unix(from_unix(1'795'532'400) + milliseconds{999}), 1'795'532'400);
}

TEST(SystemClock, IsNearTheRealTime) {
  const SystemClock clock;
  const auto before = system_clock::now();
  const auto now = clock.now();
  EXPECT_GE(now, before);
  EXPECT_LE(now - before, seconds{5});
}

class FileClockTest : public ::testing::Test {
 protected:
  FileClockTest()
      : file_(std::filesystem::temp_directory_path() / ("onshi-clock-" + random_token(9))) {}
  ~FileClockTest() override {
    std::error_code ignored;
    std::filesystem::remove(file_, ignored);
  }
  void write(const std::string& text) { std::ofstream(file_, std::ios::binary) << text; }

  std::filesystem::path file_;
};

TEST_F(FileClockTest, WithoutTheFileItIsTheSystemClock) {
  const FileClock clock(file_);
  EXPECT_LE(abs(clock.now() - system_clock::now()), seconds{5});
}

TEST_F(FileClockTest, SignedValuesAreOffsetsFromTheSystemClock) {
  const FileClock clock(file_);
  write("+864000\n");
  EXPECT_LE(abs(clock.now() - (system_clock::now() + days{10})), seconds{5});
  write("-3600");
  EXPECT_LE(abs(clock.now() - (system_clock::now() - hours{1})), seconds{5});
}

TEST_F(FileClockTest, AnUnsignedValueIsAUnixTimeThatRunsOn) {
  const FileClock clock(file_);
  write("1795532400");
  const auto first = clock.now();
  EXPECT_GE(first, from_unix(1'795'532'400));
  EXPECT_LE(first - from_unix(1'795'532'400), seconds{5});
  EXPECT_GE(clock.now(), first);
  // Rewritten: read again, although the clock object is the same.
  write("1895532400");
  EXPECT_LE(clock.now() - from_unix(1'895'532'400), seconds{5});
  EXPECT_GE(clock.now(), from_unix(1'895'532'400));
}

TEST_F(FileClockTest, AnEmptyFileKeepsThePreviousReadingAndGarbageThrows) {
  const FileClock clock(file_);
  write("+864000");
  (void)clock.now();
  write("");
  EXPECT_LE(abs(clock.now() - (system_clock::now() + days{10})), seconds{5});
  write("tomorrow");
  EXPECT_THROW((void)clock.now(), std::runtime_error);
}

class TemplatesTest : public ::testing::Test {
 protected:
  TemplatesTest()
      : dir_(std::filesystem::temp_directory_path() / ("onshi-tmpl-" + random_token(9))) {
    std::filesystem::create_directories(dir_ / "mail");
  }
  ~TemplatesTest() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  std::filesystem::path dir_;
};

TEST_F(TemplatesTest, DoubleBracesEscapeTripleBracesDoNot) {
  write("page.html", "<p>{{x}}</p><div>{{{x}}}</div>");
  const Templates t(dir_);
  TemplateData d;
  d.set("x", "<b>Tom & \"Jerry\"</b>");
  EXPECT_EQ(
      t.render("page.html", d),
      "<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;</p><div><b>Tom & \"Jerry\"</b></div>");
}

// The probe: a name like "A&B" arrived in mail as "A&amp;B".
TEST_F(TemplatesTest, PlainTextIsRenderedAsTyped) {
  write("mail/t.txt", "Subject: {{x}}\n{{x}} {{#list}}{{.}}{{/list}}");
  const Templates t(dir_);
  TemplateData d;
  d.set("x", "A&B <C> \"D\" 'E'");
  TemplateData list{TemplateData::type::list};
  list.push_back(TemplateData("<li>"));
  d.set("list", list);
  EXPECT_EQ(t.render_text("mail/t.txt", d), "Subject: A&B <C> \"D\" 'E'\nA&B <C> \"D\" 'E' <li>");
  // The same template for a page still escapes: the choice is per call, not per cached template.
  EXPECT_EQ(t.render("mail/t.txt", d).substr(0, 22), "Subject: A&amp;B &lt;C");
}

TEST_F(TemplatesTest, SectionsListsAndMissingValues) {
  write("list.html", "{{#items}}[{{name}}]{{/items}}{{^items}}none{{/items}}|{{absent}}|");
  const Templates t(dir_);
  TemplateData items{TemplateData::type::list};
  for (const char* n : {"一", "二"}) {
    TemplateData row;
    row.set("name", n);
    items.push_back(row);
  }
  TemplateData d;
  d.set("items", items);
  EXPECT_EQ(t.render("list.html", d), "[一][二]||");
  TemplateData empty;
  empty.set("items", TemplateData{TemplateData::type::list});
  EXPECT_EQ(t.render("list.html", empty), "none||");
}

// マイページ's rows are moved into their lists rather than copied: the page must read the same.
TEST_F(TemplatesTest, MovedInRowsRenderAsCopiedOnes) {
  write("list.html", "{{#items}}[{{name}}{{#tags}}:{{.}}{{/tags}}]{{/items}}{{x}}");
  const Templates t(dir_);
  const auto build = [](bool moved) {
    TemplateData items{TemplateData::type::list};
    for (const char* n : {"一", "二"}) {
      TemplateData row;
      row.set("name", n);
      TemplateData tags{TemplateData::type::list};
      tags.push_back(TemplateData("a"));
      moved ? set_moved(row, "tags", std::move(tags)) : row.set("tags", tags);
      moved ? push_back_moved(items, std::move(row)) : items.push_back(row);
    }
    TemplateData d;
    d.set("x", "old");
    moved ? set_moved(d, "items", std::move(items)) : d.set("items", items);
    moved ? set_moved(d, "x", TemplateData("new")) : d.set("x", "new");
    return d;
  };
  EXPECT_EQ(t.render("list.html", build(false)), "[一:a][二:a]new");
  EXPECT_EQ(t.render("list.html", build(true)), "[一:a][二:a]new");
  TemplateData not_a_list;
  push_back_moved(not_a_list, TemplateData("x"));  // as push_back: nothing on an object
  EXPECT_TRUE(not_a_list.is_empty_object());
}

TEST_F(TemplatesTest, SubfoldersWork) {
  write("mail/x.txt", "Subject: {{s}}\n");
  TemplateData d;
  d.set("s", "件名");
  EXPECT_EQ(Templates(dir_).render("mail/x.txt", d), "Subject: 件名\n");
}

TEST_F(TemplatesTest, MissingTemplateThrowsNamingIt) {
  const Templates t(dir_);
  try {
    t.render("nowhere.html", {});
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nowhere.html"), std::string::npos) << e.what();
  }
}

TEST_F(TemplatesTest, MalformedTemplateThrows) {
  write("broken.html", "{{#open}}never closed");
  const Templates t(dir_);
  EXPECT_THROW(t.render("broken.html", {}), std::runtime_error);
}

TEST_F(TemplatesTest, TemplatesAreReadOnce) {
  write("cached.html", "first");
  const Templates t(dir_);
  EXPECT_EQ(t.render("cached.html", {}), "first");
  write("cached.html", "second");
  EXPECT_EQ(t.render("cached.html", {}), "first");
  EXPECT_EQ(Templates(dir_).render("cached.html", {}), "second");
}

TEST_F(TemplatesTest, PartialsAreIncludedWithTheIncludersData) {
  std::filesystem::create_directories(dir_ / "partials");
  write("partials/field.html", "<input value=\"{{v}}\">{{> partials/help.html}}");
  write("partials/help.html", "{{#help}}<p>{{help}}</p>{{/help}}");
  write("form.html", "<form>{{> partials/field.html}}|{{>partials/field.html}}</form>");
  TemplateData d;
  d.set("v", "a&b");
  d.set("help", "ヘルプ");
  EXPECT_EQ(
      Templates(dir_).render("form.html", d),
      "<form><input value=\"a&amp;b\"><p>ヘルプ</p>|<input value=\"a&amp;b\"><p>ヘルプ</p></form>");
}

TEST_F(TemplatesTest, AMissingOrSelfIncludingPartialThrows) {
  write("missing.html", "{{> partials/none.html}}");
  write("loop.html", "x{{> loop.html}}");
  const Templates t(dir_);
  EXPECT_THROW(t.render("missing.html", {}), std::runtime_error);
  EXPECT_THROW(t.render("loop.html", {}), std::runtime_error);
}

}  // namespace
}  // namespace onshi::util
