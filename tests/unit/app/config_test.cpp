// Configuration: reading the TOML file and the ONSHI_* environment, and what is refused.
#include "config_fixture.hpp"

namespace onshi::app {
namespace {

TEST_F(ConfigTest, DefaultsWithoutAFile) {
  const Config c = load_config(dir_.path(), {});
  EXPECT_EQ(c.listen, "127.0.0.1:8080");
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.mail_from, "portal@fask.or.jp");
  EXPECT_EQ(c.session_idle_minutes, 30);
  EXPECT_EQ(c.login_lock_base_seconds, 60);
  EXPECT_EQ(c.data_dir, dir_.path());
  EXPECT_FALSE(c.cookie_secure.has_value());
  EXPECT_EQ(c.metrics_allow, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c.metrics_token, "");
}

TEST_F(ConfigTest, FileValuesAreApplied) {
  const auto file = write("custom.toml", R"([server]
listen = "0.0.0.0:9000"
threads = 8
cookie_secure = false
max_body_bytes = 2048
metrics_allow = "10.0.0.5, 10.0.0.6,::1"

[mail]
from = "Portal <noreply@example.jp>"
retry_base_ms = 500

[security]
session_idle_minutes = 5
reset_token_minutes = 15
)");
  const Config c = load_config(dir_.path(), file);
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.threads, 8);
  ASSERT_TRUE(c.cookie_secure.has_value());
  EXPECT_FALSE(*c.cookie_secure);
  EXPECT_EQ(c.max_body_bytes, 2048u);
  EXPECT_EQ(c.metrics_allow, (std::vector<std::string>{"10.0.0.5", "10.0.0.6", "::1"}));
  EXPECT_EQ(c.mail_from, "Portal <noreply@example.jp>");
  EXPECT_EQ(c.mail_retry_base_ms, 500);
  EXPECT_EQ(c.session_idle_minutes, 5);
  EXPECT_EQ(c.reset_token_minutes, 15);
  EXPECT_EQ(c.session_absolute_hours, 12);  // untouched
}

TEST_F(ConfigTest, OnshiTomlInTheDataDirIsReadWhenNoFileIsGiven) {
  write("onshi.toml", "[server]\nthreads = 3\n");
  EXPECT_EQ(load_config(dir_.path(), {}).threads, 3);
}

// Regression: negative or oversized numbers were wrapped (-1 bytes became "no limit").
TEST_F(ConfigTest, OutOfRangeNumbersAreRefusedWithTheKey) {
  EXPECT_NE(load_error(write("a.toml", "[server]\nmax_body_bytes = -1\n")).find("max_body_bytes"),
            std::string::npos);
  EXPECT_NE(load_error(write("b.toml", "[server]\nthreads = 4294967297\n")).find("threads"),
            std::string::npos);
  EXPECT_NE(load_error(write("c.toml", "[server]\nthreads = 0\n")).find("threads"),
            std::string::npos);
  EXPECT_NE(load_error(write("d.toml", "[security]\nsession_idle_minutes = -5\n"))
                .find("session_idle_minutes"),
            std::string::npos);
  EXPECT_NE(load_error(write("e.toml", "[security]\nlogin_lock_base_seconds = 0\n"))
                .find("login_lock_base_seconds"),
            std::string::npos);
  EXPECT_EQ(load_error(write("f.toml", "[server]\nthreads = 8\nmax_body_bytes = 2048\n")), "");
  // 0 would close every connection before its request could arrive.
  EXPECT_NE(load_error(write("g.toml", "[server]\nread_timeout = 0\n")).find("read_timeout"),
            std::string::npos);
  EXPECT_EQ(load_config(dir_.path(), write("h.toml", "[server]\nread_timeout = 5\n")).read_timeout,
            5);
}

TEST_F(ConfigTest, MissingExplicitFileThrows) {
  const auto message = load_error(dir_.path() / "absent.toml");
  EXPECT_NE(message.find("absent.toml"), std::string::npos) << message;
}

TEST_F(ConfigTest, UnknownKeyIsNamedInTheError) {
  const auto message = load_error(write("c.toml", "[server]\nlisten = \"x:1\"\nlisen = \"y\"\n"));
  EXPECT_NE(message.find("server.lisen"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown key"), std::string::npos) << message;
  EXPECT_NE(load_error(write("d.toml", "[serverx]\nlisten = \"x:1\"\n")).find("serverx.listen"),
            std::string::npos);
}

TEST_F(ConfigTest, KeyOutsideASectionIsRefused) {
  const auto message = load_error(write("c.toml", "listen = \"x:1\"\n"));
  EXPECT_NE(message.find("listen"), std::string::npos) << message;
}

TEST_F(ConfigTest, MalformedTomlGivesTheFileAndLine) {
  const auto message = load_error(write("bad.toml", "[server]\nthreads = 2\nlisten = \n"));
  EXPECT_NE(message.find("bad.toml:3:"), std::string::npos) << message;
}

// toml++ 3.3 only asserts this (a sanitizer build aborted on "[!'r", found by config_fuzz).
TEST_F(ConfigTest, ASectionNameThatIsNoKeyIsRefusedWithItsLine) {
  for (const auto* text : {"[server]\nthreads = 2\n[!'r\n", "[server]\n\n  [[ {x\n",
                           "[server]\n\n[\n\n", "a=1\n\n[", "[server]\n\n[[[server]\n"}) {
    const auto message = load_error(write("h.toml", text));
    EXPECT_NE(message.find("h.toml:3: a [section] name"), std::string::npos) << message;
  }
  // Quoted names, nested arrays and array tables still reach the TOML parser.
  EXPECT_NE(load_error(write("q.toml", "[\"server\"]\nthreads = [\n[1]\n]\n")).find("threads"),
            std::string::npos);
  EXPECT_NE(load_error(write("t.toml", "[[ server ]]\nthreads = 2\n")).find("section"),
            std::string::npos);
}

// A quote after a value is no string to toml++, which reads on past it as code and reaches
// TOML_UNREACHABLE on a kana there (config_fuzz).
TEST_F(ConfigTest, AQuoteThatStartsNoKeyOrValueIsRefusedWithItsLine) {
  for (const auto* text : {"[contact]\n\nname = 17:0\"\u533b\u7642\"\n",
                           "[contact]\n\nname = 'a''\u533b'\n", "[contact]\n\nname = [1]\"x\"\n"}) {
    const auto message = load_error(write("q.toml", text));
    EXPECT_NE(message.find("q.toml:3: a quote may only start a key or a value"), std::string::npos)
        << message;
  }
  // Quotes where TOML has them: keys, dotted keys, headers, arrays, inline tables, and a
  // multi-line string whose content ends in quotes.
  const auto file = write("ok.toml",
                          "[\"contact\"]\nname = [ \"a\",\n  '\u533b' ]\n"
                          "phone = { \"x\" = \"\"\"y\"\"\"\"\" }\n");
  const auto message = load_error(file);
  EXPECT_EQ(message.find("quote"), std::string::npos) << message;
  EXPECT_EQ(message.find("ASCII"), std::string::npos) << message;
}

// toml++ 3.3 asserts on a value that starts with a terminator (config_fuzz: `a=[}`); with
// assertions kept that is a throwing TOML_ASSERT, without them toml++'s own refusal.
TEST_F(ConfigTest, AnArrayClosedByABraceIsRefusedWithTheFileName) {
  for (const auto* text : {"a=[}", "[server]\nthreads = [}yIc\n", "[server]\nthreads = [1,}\n"}) {
    const auto message = load_error(write("b.toml", text));
    EXPECT_NE(message.find("b.toml"), std::string::npos) << message;
  }
}

// toml++ 3.3 reaches TOML_UNREACHABLE on most kana where it looks for whitespace (config_fuzz).
TEST_F(ConfigTest, JapaneseOutsideQuotesIsRefusedWithItsLineAndInsideThemRead) {
  for (const auto* text :
       {"[server]\n\n[co00\u301c17:00]\n", "[mail]\nfrom = x\nname = ポータル\n"}) {
    const auto message = load_error(write("k.toml", text));
    EXPECT_NE(message.find("k.toml:3: characters other than ASCII"), std::string::npos) << message;
  }
  // A byte order mark, Japanese in comments, in each kind of string, and quotes inside them.
  const auto file = write("ja.toml", R"(# 設定 [メール] "の
[contact]
name = "医療機関等向け\"総合\"ポータル"  # 窓口 'の名前
phone = '''0120-000-000'''
hours = """
平日 9:00〜17:00 \
[土日を除く]"""
email = 'toiawase@example.jp'
)");
  const auto literal = write("lit.toml", R"([contact]
name = '窓口 "C:\u30A2" \'
hours = '''平日 "9:00"\〜17:00''''
)");
  const auto bommed = write("bom.toml", "\xEF\xBB\xBF[contact]\nname = \"窓口\"\n");
  const Config c = load_config(dir_.path(), file);
  EXPECT_EQ(c.contact.name, "医療機関等向け\"総合\"ポータル");
  EXPECT_EQ(c.contact.hours, "平日 9:00〜17:00 [土日を除く]");
  EXPECT_EQ(load_config(dir_.path(), bommed).contact.name, "窓口");
  // Literal strings keep their backslashes and quotes as they are when they become basic ones.
  const Config l = load_config(dir_.path(), literal);
  EXPECT_EQ(l.contact.name, R"(窓口 "C:\u30A2" \)");
  EXPECT_EQ(l.contact.hours, "平日 \"9:00\"\\〜17:00'");
}

// Bytes that are not UTF-8 are refused with their line, in strings and comments too.
TEST_F(ConfigTest, BytesThatAreNotUtf8AreRefusedWithTheirLine) {
  for (const auto* text :
       {"[contact]\n\nname = \"\xE3\x81\"\n", "[contact]\n\n# \xC0\xAF\n",
        "[contact]\n\nname = '\xED\xA0\x80'\n", "[contact]\n\nname = \"\\\xE3\x81\x82\"\n"}) {
    const auto message = load_error(write("u.toml", text));
    EXPECT_NE(message.find("u.toml:3: "), std::string::npos) << message;
  }
}

TEST_F(ConfigTest, WrongValueTypesAreRefused) {
  EXPECT_NE(load_error(write("a.toml", "[server]\nthreads = \"many\"\n")).find("not an integer"),
            std::string::npos);
  EXPECT_NE(load_error(write("b.toml", "[server]\nthreads = 1.5\n")).find("server.threads"),
            std::string::npos);
  EXPECT_NE(load_error(write("c.toml", "[server]\ncookie_secure = \"maybe\"\n")).find("maybe"),
            std::string::npos);
  EXPECT_FALSE(load_error(write("d.toml", "[server]\nlisten = [1, 2]\n")).empty());
}

TEST_F(ConfigTest, EnvironmentBeatsTheFile) {
  const auto file = write("c.toml", "[server]\nlisten = \"0.0.0.0:9000\"\nthreads = 8\n");
  setenv("ONSHI_LISTEN", "127.0.0.1:7777", 1);
  setenv("ONSHI_COOKIE_SECURE", "yes", 1);
  const Config c = load_config(dir_.path(), file);
  EXPECT_EQ(c.listen, "127.0.0.1:7777");
  EXPECT_EQ(c.threads, 8);  // not overridden
  EXPECT_EQ(c.cookie_secure, std::optional<bool>(true));
}

TEST_F(ConfigTest, BadEnvironmentValueNamesTheVariable) {
  setenv("ONSHI_THREADS", "4x", 1);
  const auto message = load_error({});
  EXPECT_NE(message.find("ONSHI_THREADS"), std::string::npos) << message;
}

}  // namespace
}  // namespace onshi::app
