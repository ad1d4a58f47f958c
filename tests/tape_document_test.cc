#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "random_json.h"
#include "store/tape_file/tape_document.h"
#include "test_util.h"

using namespace ssm;
using ordered_json = nlohmann::ordered_json;

namespace {

std::string Dump(const ordered_json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict); }

// What ParseTapeDocument must give: the DOM, with each interactions[i].response.body dumped.
ordered_json Expected(const std::string& text) {
  ordered_json doc = ordered_json::parse(text);
  if (doc.is_object() && doc.contains("interactions") && doc["interactions"].is_array()) {
    for (auto& e : doc["interactions"]) {
      if (e.is_object() && e.contains("response") && e["response"].is_object() && e["response"].contains("body")) {
        e["response"]["body"] = Dump(e["response"]["body"]);
      }
    }
  }
  return doc;
}

void CheckSame(const std::string& text) {
  INFO(text);
  ordered_json got;
  REQUIRE(ParseTapeDocument(text, &got));
  ordered_json want = Expected(text);
  CHECK(got == want);
  CHECK(Dump(got) == Dump(want));  // the same member order too
}

std::string Tape(const std::string& body_text) {
  return R"({"ssmReplayTape": 1, "key": {"action": "X", "request": {}},
  "interactions": [{"request": {"b": 1, "a": [2]}, "response": {"status": 200, "body": )" +
         body_text + R"(, "after": [1, {"body": 2}]}}, 7]})";
}

}  // namespace

TEST_CASE("bundled fixtures parse as the DOM parser does, bodies dumped", "[tape_document]") {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SSM_FIXTURES_DIR)) {
    if (entry.path().extension() != ".json") continue;
    ++files;
    CheckSame(test::ReadWholeFile(entry.path()));
  }
  CHECK(files >= 10);
}

TEST_CASE("bodies of every JSON type and spelling dump as nlohmann dumps them", "[tape_document]") {
  for (const char* body : {"{}", "[]", "null", "true", "false", "0", "-0", "-12", "18446744073709551615",
                           "1.50", "1E2", "-0.0", "1e-7", "123456789012345678901234567890", "2.5e+300", "\"\"",
                           R"("\u0041\/\u00e9\ud83d\ude00\u0000\u001F\u007f")", R"(  { "a" : [ 1 , { } , [ ] ] }  )",
                           R"({"StandardOutputContent": "line 1\nline \"2\"\t\\ end\r\n", "ResponseCode": 0})",
                           R"([{"x": {"y": {"z": [[], [{}]]}}}, "s", 1.25, null])"}) {
    CheckSame(Tape(body));
  }
}

TEST_CASE("random bodies dump as nlohmann dumps them", "[tape_document]") {
  std::mt19937 rng(20261129);
  for (int round = 0; round < 2000; ++round) {
    ordered_json body = test::RandomJsonValue(rng);
    int indent = static_cast<int>(rng() % 3) - 1;  // compact, indented, or 1 space
    CheckSame(Tape(body.dump(indent, ' ', round % 2 == 0)));
  }
}

TEST_CASE("only interactions[i].response.body is dumped", "[tape_document]") {
  CheckSame(R"({"body": {"a": 1}, "interactions": [{"body": [1], "response": {"body": [2], "x": {"body": 3}}},
              [{"response": {"body": 4}}], {"response": [{"body": 5}]}], "response": {"body": 6}})");
  CheckSame(R"({"interactions": {"0": {"response": {"body": 1}}}})");
  CheckSame(R"([{"interactions": [{"response": {"body": 1}}]}])");
  CheckSame(R"({"x": {"interactions": [{"response": {"body": {"k": 1}}}]}})");
  CheckSame(R"("just a string")");
  // A repeated key outside bodies keeps the last value at the first one's place, as in the DOM.
  CheckSame(R"({"interactions": [{"response": {"body": {"a": 1}, "status": 1, "body": [2]}}], "interactions": 5})");
  CheckSame(Tape(R"({"a": {"b": 1, "c": 2}, "b": {"b": 3}})"));  // the same key in different objects
}

TEST_CASE("invalid JSON and repeated keys inside bodies are declined", "[tape_document]") {
  ordered_json doc;
  for (const std::string& text :
       {std::string("{"), std::string(""), std::string("{} x"), std::string("{\"a\": 1e999}"), Tape("{\"a\": }"),
        Tape("[1, 2"), Tape("\"\\ud800\""), Tape("\"\xff\""), Tape("{\"a\": 1, \"a\": 2}"),
        Tape("[{\"k\": {\"x\": 1, \"y\": 2, \"x\": 3}}]")}) {
    INFO(text);
    CHECK_FALSE(ParseTapeDocument(text, &doc));
  }
}

TEST_CASE("strings are escaped as nlohmann escapes them", "[tape_document]") {
  for (int c = 0; c < 0x80; ++c) {
    std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    std::string got;
    AppendJsonString(s, &got);
    CHECK(got == ordered_json(s).dump());
  }
  std::string got;
  std::string utf8 = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x7f";
  AppendJsonString(utf8, &got);
  CHECK(got == ordered_json(utf8).dump(-1, ' ', false));
}

TEST_CASE("a copied body does not hide errors around it", "[tape_document]") {
  ordered_json doc;
  for (const std::string& text : {Tape("1 2"), Tape("{} {}"), Tape("\"x\" \"y\""), Tape("[1]]"), Tape("null,"),
                                  Tape("{\"a\": 1}").substr(0, 120)}) {
    INFO(text);
    CHECK_FALSE(ParseTapeDocument(text, &doc));
  }
}

TEST_CASE("damaged tape files are declined or read as the DOM parser reads them", "[tape_document]") {
  std::vector<std::string> originals;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(SSM_FIXTURES_DIR)) {
    if (entry.path().extension() == ".json") originals.push_back(test::ReadWholeFile(entry.path()));
  }
  REQUIRE(!originals.empty());
  std::mt19937 rng(77);
  const std::string bytes = "{}[],:\" \\/-+.0123456789eEtrufalsnbody\x01\x7f\xc3\xa9\xff";
  int accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = originals[rng() % originals.size()];
    // Damage near a body most of the time: that is where the fast paths are.
    size_t body = text.find("\"body\"", rng() % text.size());
    for (int edits = 1 + static_cast<int>(rng() % 2); edits > 0; --edits) {
      size_t at = body != std::string::npos && rng() % 4 != 0 ? body + rng() % 40 : rng() % text.size();
      at = std::min(at, text.size() - 1);
      switch (rng() % 3) {
        case 0: text[at] = bytes[rng() % bytes.size()]; break;
        case 1: text.erase(at, 1 + rng() % 3); break;
        default: text.insert(at, 1, bytes[rng() % bytes.size()]);
      }
    }
    INFO(text);
    ordered_json got;
    if (!ParseTapeDocument(text, &got)) continue;
    ++accepted;
    ordered_json want;
    REQUIRE_NOTHROW(want = Expected(text));
    CHECK(Dump(got) == Dump(want));
  }
  CHECK(accepted > 100);  // some damage leaves valid JSON (inside strings, mostly)
}
