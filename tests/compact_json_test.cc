#include <catch2/catch.hpp>

#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "random_json.h"
#include "store/tape_file/compact_json.h"

using namespace ssm;
using ordered_json = nlohmann::ordered_json;

namespace {

std::string Dump(const ordered_json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict); }

// CompactJsonValue on `text` (one value, then `after`); nullopt when it declines.
std::optional<std::string> Compact(const std::string& text, const std::string& after = "") {
  std::string all = text + after;
  std::string out;
  const char* end = CompactJsonValue(all.data(), all.data() + all.size(), &out);
  if (end == nullptr) return std::nullopt;
  CHECK(end == all.data() + text.size());
  return out;
}

// How many inputs a loop compared with nlohmann, and how many CompactJsonValue declined: a loop's
// counts are checked, so that one whose inputs all go one way (or that checks nothing) fails.
struct Tally {
  int compared = 0;
  int declined = 0;
};

// The one property that matters: whenever it does not decline, nlohmann parses the same text and
// dumps exactly what it wrote.
void CheckAgainstNlohmann(const std::string& text, Tally* tally) {
  INFO(text);
  std::string out;
  const char* end = CompactJsonValue(text.data(), text.data() + text.size(), &out);
  if (end == nullptr) {
    ++tally->declined;
    return;
  }
  ordered_json parsed;
  REQUIRE_NOTHROW(parsed = ordered_json::parse(text.data(), end));  // the value it read, alone
  CHECK(out == Dump(parsed));
  ++tally->compared;
}

}  // namespace

TEST_CASE("canonical values are copied without their whitespace", "[compact_json]") {
  CHECK(Compact("{}") == "{}");
  CHECK(Compact("[ ]") == "[]");
  CHECK(Compact("{\n  \"a\": [\n    1,\n    -2,\n    true,\n    null\n  ],\n  \"b\": {\"c\": \"x\"}\n}") ==
        R"({"a":[1,-2,true,null],"b":{"c":"x"}})");
  CHECK(Compact(R"("tab\there \"q\" \\ \u0001\u001f \u007f caf\u00e9")") == std::nullopt);  // \u007f, \u00e9
  CHECK(Compact(R"("tab\there \"q\" \\ \u0001\u001f")") == R"("tab\there \"q\" \\ \u0001\u001f")");
  CHECK(Compact("\"caf\xc3\xa9 \xf0\x9f\x98\x80 \x7f\"") == "\"caf\xc3\xa9 \xf0\x9f\x98\x80 \x7f\"");
  CHECK(Compact("1790893946.01") == "1790893946.01");
  CHECK(Compact("-0.0") == "-0.0");
  CHECK(Compact("18446744073709551615") == "18446744073709551615");
  CHECK(Compact("-9223372036854775808") == "-9223372036854775808");
  CHECK(Compact("9999999999999999999") == "9999999999999999999");
  CHECK(Compact("{\"a\": 1}", ", \"b\": 2}") == "{\"a\":1}");  // stops at the end of the value
  CHECK(Compact("7", "]") == "7");
}

TEST_CASE("other spellings, invalid JSON and repeated keys are declined", "[compact_json]") {
  for (const char* text : {
           // valid, but nlohmann prints it otherwise
           R"("\/")", R"("\u0041")", R"("\u001F")", R"("\u000a")", R"("\ud83d\ude00")", "-0", "1.50", "1E2", "1e5",
           "0.10", "18446744073709551616", "-9223372036854775809", "123456789012345678901", R"({"a": 1, "a": 2})",
           R"([{"k": {"x": 1, "y": 2, "x": 3}}])",
           // invalid
           "", "{", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{,}", "{\"a\":1,}", "01", "-", "1.", ".5", "1e",
           "+1", "tru", "nul", "True", "'a'", "\"a", "\"\x01\"", "\"\xff\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"",
           "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"", "\"\\x\"", "\"\\u00\"", "{1: 2}", "[}", "{]", "/* c */ 1", "1e999",
           "NaN", "Infinity"}) {
    INFO(text);
    CHECK_FALSE(Compact(text));
  }
  // A value never ends where its caller's parser would read the next byte as part of its token: it
  // goes on to the end of the number, or declines.
  Tally whole;
  for (const char* after : {"x", "0", ".5", "e5", "\"", "{", "/", "-"}) {
    for (const char* value : {"1", "-7", "2.5", "true", "null", "\"s\"", "{}", "[1]"}) {
      std::string all = std::string(value) + after;
      INFO(all);
      std::string out;
      const char* end = CompactJsonValue(all.data(), all.data() + all.size(), &out);
      if (end == nullptr) {
        ++whole.declined;
      } else {
        CHECK(end == all.data() + all.size());
        ++whole.compared;
      }
    }
  }
  // Read whole: "10", "-70", "1.5", "-7.5"; every other pair is declined.
  CHECK(whole.compared == 4);
  CHECK(whole.declined == 60);
  std::string deep = std::string(300, '[') + std::string(300, ']');
  CHECK_FALSE(Compact(deep));
  std::string ok = std::string(200, '[') + std::string(200, ']');
  CHECK(Compact(ok) == ok);
}

TEST_CASE("random values nlohmann printed are copied exactly", "[compact_json]") {
  std::mt19937 rng(1129);
  int copied = 0;
  Tally escaped;
  for (int round = 0; round < 3000; ++round) {
    ordered_json v = test::RandomJsonValue(rng);
    for (int indent : {-1, 2}) {
      std::string text = v.dump(indent, ' ', /*ensure_ascii=*/false);
      INFO(text);
      auto got = Compact(text, "\n");
      REQUIRE(got);  // nlohmann's own spelling is always canonical
      CHECK(*got == Dump(v));
      ++copied;
    }
    CheckAgainstNlohmann(v.dump(2, ' ', /*ensure_ascii=*/true), &escaped);  // \u escapes: declined or exact
  }
  CHECK(copied == 6000);
  CHECK(escaped.compared + escaped.declined == 3000);
  CHECK(escaped.compared > 300);  // values without text needing \u escapes
  CHECK(escaped.declined > 300);  // values with text nlohmann prints unescaped
}

TEST_CASE("damaged values are declined or copied as nlohmann reads them", "[compact_json]") {
  std::mt19937 rng(2026);
  const std::string bytes = "{}[],:\" \\/-+.0123456789eEtrufalsn\x01\x7f\xc3\xa9\xf0\x9f\xff";
  Tally damaged;
  for (int round = 0; round < 20000; ++round) {
    std::string text = test::RandomJsonValue(rng).dump(static_cast<int>(rng() % 3) - 1);
    for (int edits = 1 + static_cast<int>(rng() % 3); edits > 0 && !text.empty(); --edits) {
      size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text[at] = bytes[rng() % bytes.size()]; break;
        case 1: text.erase(at, 1 + rng() % 3); break;
        default: text.insert(at, 1, bytes[rng() % bytes.size()]);
      }
    }
    CheckAgainstNlohmann(text, &damaged);
  }
  CHECK(damaged.compared + damaged.declined == 20000);
  CHECK(damaged.compared > 1000);  // damage that leaves a valid value (or a valid one before it)
  CHECK(damaged.declined > 1000);
}
