#include "store/json_escape.h"

#include <random>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace ssm {
namespace {

std::string NlohmannDump(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST_CASE("json escape writes the short escapes, \\u00xx and valid UTF-8 as nlohmann does", "[json_escape]") {
  CHECK(JsonString("") == "\"\"");
  CHECK(JsonString("plain text") == "\"plain text\"");
  CHECK(JsonString("q\"b\\s/") == "\"q\\\"b\\\\s/\"");
  CHECK(JsonString("\b\t\n\f\r") == "\"\\b\\t\\n\\f\\r\"");
  CHECK(JsonString(std::string("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
  CHECK(JsonString("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

TEST_CASE("json escape replaces each invalid UTF-8 sequence by U+FFFD as nlohmann does", "[json_escape]") {
  const std::string r = "\xef\xbf\xbd";
  CHECK(JsonString("a\xff" "b") == "\"a" + r + "b\"");           // a byte that starts nothing
  CHECK(JsonString("\xc0\xaf") == "\"" + r + r + "\"");          // overlong: two bad bytes
  CHECK(JsonString("\xe2\x82" "x") == "\"" + r + "x\"");         // truncated: one, then the x
  CHECK(JsonString("\xed\xa0\x80") == "\"" + r + r + r + "\"");  // a surrogate
  CHECK(JsonString("end\xf0\x9f\x98") == "\"end" + r + "\"");    // cut short by the end
  std::string in = "a\xff" "b\xc0\xaf\xe2\x82x\xed\xa0\x80\xf4\x90\x80\x80" "end\xf0\x9f\x98";
  CHECK(JsonString(in) == NlohmannDump(in));
}

TEST_CASE("json escape agrees with nlohmann on random bytes", "[json_escape]") {
  // Bytes drawn mostly from the interesting ranges: ASCII controls, quotes, UTF-8 leads and
  // continuation bytes, so that valid and broken sequences of every length come up.
  const unsigned char kAlphabet[] = {'a', '"', '\\', 0x00, 0x1f, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
                                     0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff};
  std::mt19937 rng(12);
  std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 1), length(0, 12);
  int checked = 0, with_replacement = 0;
  for (int i = 0; i < 100000; ++i) {
    std::string s;
    for (size_t n = length(rng); n > 0; --n) s.push_back(static_cast<char>(kAlphabet[pick(rng)]));
    std::string want = NlohmannDump(s);
    REQUIRE(JsonString(s) == want);
    ++checked;
    if (want.find("\xef\xbf\xbd") != std::string::npos) ++with_replacement;
  }
  CHECK(checked == 100000);
  CHECK(with_replacement > 10000);  // the broken sequences were really exercised
}

TEST_CASE("json escape finds every byte value at every place of a long plain run", "[json_escape]") {
  // Runs of plain ASCII are scanned eight bytes at a time: a byte that needs care must stop the scan
  // wherever it sits in the word, and plain bytes on either side of 0x20 and 0x80 must not.
  int checked = 0;
  for (int value = 0; value < 256; ++value) {
    for (size_t at = 0; at < 24; ++at) {
      std::string s(24, 'x');
      s[at] = static_cast<char>(value);
      REQUIRE(JsonString(s) == NlohmannDump(s));
      ++checked;
    }
  }
  CHECK(checked == 256 * 24);
  CHECK(JsonString(std::string(19, ' ') + "~") == "\"" + std::string(19, ' ') + "~\"");
}

}  // namespace
}  // namespace ssm
