#include "store/dictionary_cache.h"

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

TEST_CASE("a dictionary cache finds what was added, and keeps the first of two adds", "[dictionary_cache]") {
  DictionaryCache cache;
  CHECK(cache.Find(7) == nullptr);
  const std::string* seven = cache.Add(7, "seven");
  REQUIRE(seven != nullptr);
  CHECK(*seven == "seven");
  CHECK(cache.Add(7, "other bytes") == seven);  // the same id again: the one already there
  const std::string* eight = cache.Add(8, "eight");
  CHECK(cache.Find(7) == seven);
  CHECK(cache.Find(8) == eight);
  CHECK(*seven == "seven");  // pointers stay valid as the cache grows
}

TEST_CASE("threads adding and finding at once all get the one kept copy", "[dictionary_cache][concurrency]") {
  DictionaryCache cache;
  constexpr int kThreads = 8, kIds = 50;
  std::vector<std::vector<const std::string*>> seen(kThreads, std::vector<const std::string*>(kIds));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int id = 0; id < kIds; ++id) {
        const std::string* found = cache.Find(static_cast<uint32_t>(id));
        seen[t][id] = found ? found : cache.Add(static_cast<uint32_t>(id), "dict " + std::to_string(id));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int id = 0; id < kIds; ++id) {
    const std::string* kept = cache.Find(static_cast<uint32_t>(id));
    REQUIRE(kept != nullptr);
    CHECK(*kept == "dict " + std::to_string(id));
    for (int t = 0; t < kThreads; ++t) CHECK(seen[t][id] == kept);
  }
}

}  // namespace
}  // namespace ssm
