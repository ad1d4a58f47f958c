#include "proxy/replay/json_scan.h"

#include <algorithm>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/random_json.h"

namespace ssm {
namespace {

std::vector<JsonMember> Members(std::string_view text, bool* valid = nullptr) {
  std::vector<JsonMember> members;
  bool ok = ScanJsonMembers(text, [&](const JsonMember& m) { members.push_back(m); });
  if (valid != nullptr) *valid = ok;
  return members;
}

TEST_CASE("json scan reports scalar members with their name, text, offset, kind and depth", "[json_scan]") {
  std::string text = R"( {"a": "x\"y", "b" :[1, {"c": -1.5e3}], "d": {"e": null, "f": true}, "g": 0} )";
  bool valid = false;
  std::vector<JsonMember> m = Members(text, &valid);
  REQUIRE(valid);
  REQUIRE(m.size() == 5);
  CHECK(m[0].name == "a");
  CHECK(m[0].value == R"("x\"y")");
  CHECK(m[0].kind == JsonKind::kString);
  CHECK(m[0].depth == 1);
  CHECK(text.substr(m[0].offset, m[0].value.size()) == m[0].value);
  CHECK(m[1].name == "c");
  CHECK(m[1].value == "-1.5e3");
  CHECK(m[1].kind == JsonKind::kNumber);
  CHECK(m[1].depth == 3);
  CHECK(m[2].name == "e");
  CHECK(m[2].kind == JsonKind::kLiteral);
  CHECK(m[2].depth == 2);
  CHECK(m[3].value == "true");
  CHECK(m[4].name == "g");
  CHECK(m[4].value == "0");
  CHECK(text.substr(m[4].offset, 1) == "0");
}

TEST_CASE("json scan refuses what is not JSON", "[json_scan]") {
  for (const char* bad : {"", " ", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "01", "-", "1.", "1e", "+1",
                          "\"a", "\"\\x\"", "\"\\u12G4\"", "\"a\nb\"", "tru", "nul", "{} {}", "{'a':1}",
                          "[1 2]", "{\"a\" 1}", "\"\\u12\"", "{\"a\":1 \"b\":2}", "NaN", "[.5]"}) {
    INFO(bad);
    CHECK_FALSE(ScanJsonMembers(bad, [](const JsonMember&) {}));
  }
  for (const char* good : {"0", "-0.0e-0", "\"\"", "[]", "{}", " [ {} , [ ] ] ", "\"\\u00e9\\/\"", "1E+2"}) {
    INFO(good);
    CHECK(ScanJsonMembers(good, [](const JsonMember&) {}));
  }
}

TEST_CASE("json scan bounds its nesting instead of its stack", "[json_scan]") {
  std::string deep(100000, '[');
  CHECK_FALSE(ScanJsonMembers(deep + std::string(100000, ']'), [](const JsonMember&) {}));
  std::string ok_depth = std::string(kMaxJsonScanDepth, '[') + std::string(kMaxJsonScanDepth, ']');
  CHECK(ScanJsonMembers(ok_depth, [](const JsonMember&) {}));
}

// Whether nlohmann parses `text`; nullopt for a number beyond a double, which JSON's grammar allows
// and nlohmann refuses.
std::optional<bool> NlohmannAccepts(const std::string& text) {
  try {
    return !nlohmann::json::parse(text).is_discarded();
  } catch (const nlohmann::json::out_of_range&) {
    return std::nullopt;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

TEST_CASE("json scan agrees with nlohmann on random documents and their mutations", "[json_scan]") {
  std::mt19937 rng(13);
  const std::string alphabet = "{}[]\":,.-+eE0123456789 \\tnul";
  int compared = 0, invalid = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = test::RandomJsonValue(rng).dump(rng() % 2 ? -1 : 1);
    for (int edits = static_cast<int>(rng() % 3); edits > 0 && !text.empty(); --edits) {
      size_t at = rng() % text.size();
      if (rng() % 2) text[at] = alphabet[rng() % alphabet.size()];
      else text.erase(at, 1);
    }
    bool scanned = ScanJsonMembers(text, [](const JsonMember&) {});
    std::optional<bool> parsed = NlohmannAccepts(text);
    if (parsed == true) CHECK(scanned);
    // nlohmann also checks UTF-8, which the scan leaves to whoever reads the strings.
    bool ascii = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii && parsed) {
      INFO(text);
      CHECK(scanned == *parsed);
      ++compared;
      invalid += scanned ? 0 : 1;
    }
  }
  CHECK(compared > 1000);
  CHECK(invalid > 200);
}

}  // namespace
}  // namespace ssm
