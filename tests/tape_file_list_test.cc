#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "tests/test_util.h"
#include "store/tape_file/tape_file_list.h"

using namespace ssm;
namespace fs = std::filesystem;

TEST_CASE("PathLess orders paths as std::filesystem::path does", "[tape_file_list]") {
  std::mt19937 rng(5);
  const std::string alphabet = "ab.-_ 0/\x7f\xc3\xa9";
  auto component = [&] {
    std::string c;
    for (int n = 1 + static_cast<int>(rng() % 4); n > 0; --n) {
      char ch = alphabet[rng() % alphabet.size()];
      c.push_back(ch == '/' ? 'z' : ch);
    }
    return c;
  };
  std::vector<std::string> paths;
  for (int i = 0; i < 3000; ++i) {
    std::string p = "root";  // every path below one folder, as ListTapeFiles sorts them
    for (int n = 1 + static_cast<int>(rng() % 4); n > 0; --n) p += "/" + component();
    paths.push_back(p);
  }
  for (int i = 0; i < 20000; ++i) {
    const std::string& a = paths[rng() % paths.size()];
    const std::string& b = paths[rng() % paths.size()];
    INFO(a << " vs " << b);
    CHECK(PathLess(a, b) == (fs::path(a) < fs::path(b)));
  }
  std::vector<std::string> by_text = paths, by_path = paths;
  std::sort(by_text.begin(), by_text.end(), PathLess);
  std::sort(by_path.begin(), by_path.end(), [](const auto& a, const auto& b) { return fs::path(a) < fs::path(b); });
  CHECK(by_text == by_path);
}

TEST_CASE("ListTapeFiles finds the .json files below folders, in order", "[tape_file_list]") {
  test::TempDir tmp;
  fs::path root = tmp.Sub("tapes");
  for (const char* dir : {"a", "a.b", "a-c", "a/x", "b"}) fs::create_directories(root / dir);
  for (const char* file : {"a/2.json", "a/10.json", "a.b/1.json", "a-c/1.json", "a/x/1.json", "b/.json",
                           "b/..json", "b/t.JSON", "b/t.json.bak", "b/n.txt", "top.json"}) {
    std::ofstream(root / file) << "{}";
  }
  fs::create_directories(root / "b" / "dir.json");  // a folder, not a file

  auto listed = ListTapeFiles({root.string(), (root / "top.json").string()});
  REQUIRE(listed.ok());
  std::vector<std::string> want;
  for (const char* file : {"a/10.json", "a/2.json", "a/x/1.json", "a-c/1.json", "a.b/1.json", "b/..json",
                           "top.json"}) {
    want.push_back((root / file).string());
  }
  want.push_back((root / "top.json").string());  // named on its own as well
  CHECK(*listed == want);

  auto missing = ListTapeFiles({(root / "nope").string()});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().IsNotFound());
  CHECK_THAT(missing.status().message(), Catch::Contains("nope"));
}
