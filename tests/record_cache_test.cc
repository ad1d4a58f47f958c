#include "proxy/replay/record_cache.h"

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

// Per shard: 16 shards of 4 KiB, the smallest ring that caches anything.
constexpr size_t kSmallCache = 16 * 4096;
constexpr size_t kSmallRing = 4096;

std::string TapeName(int n) { return "tape-" + std::to_string(n); }

// A record whose bytes say which tape and entry it is, `size` bytes long.
std::string RecordFor(const std::string& tape, size_t index, size_t size = 100) {
  std::string seed = tape + "#" + std::to_string(index) + ";";
  std::string out;
  while (out.size() < size) out += seed;
  out.resize(size);
  return out;
}

struct Found {
  RecordCache::Lookup lookup;
  size_t length = 0, index = 0;
  std::string record;
  int picks = 0;
};

Found FindEntry(const RecordCache& cache, const std::string& tape, size_t want) {
  Found f;
  f.lookup = cache.Find(
      tape,
      [&](size_t length) {
        ++f.picks;
        f.length = length;  // (no CHECK here: threads call this, and Catch2's assertions are not thread-safe)
        return want;
      },
      &f.length, &f.index, &f.record);
  return f;
}

TEST_CASE("a tape not cached is not found and pick is not called", "[record_cache]") {
  RecordCache cache(1 << 20);
  Found f = FindEntry(cache, "nothing", 0);
  CHECK(f.lookup == RecordCache::Lookup::kNoTape);
  CHECK(f.picks == 0);
  CHECK(cache.tapes() == 0);
}

TEST_CASE("a cached entry comes back byte for byte, picked once with the tape's length", "[record_cache]") {
  RecordCache cache(1 << 20);
  std::string record = RecordFor("a", 2);
  record[10] = '\0';  // records are binary
  REQUIRE(cache.Insert("a", 3, 2, record));
  Found f = FindEntry(cache, "a", 2);
  CHECK(f.lookup == RecordCache::Lookup::kHit);
  CHECK(f.picks == 1);
  CHECK(f.length == 3);  // also what pick was given
  CHECK(f.index == 2);
  CHECK(f.record == record);
  CHECK(cache.tapes() == 1);

  SECTION("an index past the end is clamped to the last entry") {
    Found past = FindEntry(cache, "a", 99);
    CHECK(past.lookup == RecordCache::Lookup::kHit);
    CHECK(past.index == 2);
  }
  SECTION("another entry of the tape is missing, with the tape's length known") {
    Found other = FindEntry(cache, "a", 0);
    CHECK(other.lookup == RecordCache::Lookup::kNoEntry);
    CHECK(other.length == 3);
    CHECK(other.index == 0);
    CHECK(other.picks == 1);
  }
  SECTION("a key that only shares a prefix is another tape") {
    CHECK(FindEntry(cache, "ab", 2).lookup == RecordCache::Lookup::kNoTape);
    CHECK(FindEntry(cache, "", 2).lookup == RecordCache::Lookup::kNoTape);
  }
}

TEST_CASE("every entry of a tape is found once cached; caching one twice is refused", "[record_cache]") {
  RecordCache cache(1 << 20);
  for (size_t i : {0, 3, 1, 4, 2}) REQUIRE(cache.Insert("polls", 5, i, RecordFor("polls", i)));
  CHECK_FALSE(cache.Insert("polls", 5, 3, RecordFor("polls", 3)));
  for (size_t i = 0; i < 5; ++i) {
    Found f = FindEntry(cache, "polls", i);
    CHECK(f.lookup == RecordCache::Lookup::kHit);
    CHECK(f.record == RecordFor("polls", i));
  }
  CHECK(cache.tapes() == 1);
}

TEST_CASE("an entry of another length starts the tape over", "[record_cache]") {
  RecordCache cache(1 << 20);
  REQUIRE(cache.Insert("t", 2, 0, RecordFor("t", 0)));
  REQUIRE(cache.Insert("t", 2, 1, RecordFor("t", 1)));
  REQUIRE(cache.Insert("t", 3, 2, RecordFor("t", 2, 50)));  // recorded again, one entry longer
  Found first = FindEntry(cache, "t", 0);
  CHECK(first.lookup == RecordCache::Lookup::kNoEntry);
  CHECK(first.length == 3);
  Found last = FindEntry(cache, "t", 2);
  CHECK(last.lookup == RecordCache::Lookup::kHit);
  CHECK(last.record == RecordFor("t", 2, 50));
}

TEST_CASE("invalid inserts and records too big for a shard are not cached", "[record_cache]") {
  RecordCache cache(kSmallCache);
  CHECK_FALSE(cache.Insert("t", 0, 0, "x"));
  CHECK_FALSE(cache.Insert("t", 2, 2, "x"));
  CHECK_FALSE(cache.Insert("t", 1, 0, std::string(kSmallRing / 8, 'x')));  // over an eighth of the ring
  CHECK(cache.Insert("t", 1, 0, std::string(kSmallRing / 8 - 48, 'x')));  // with its key and header: just in
  CHECK(FindEntry(cache, "t", 0).lookup == RecordCache::Lookup::kHit);
}

TEST_CASE("a cache too small for a ring caches nothing", "[record_cache]") {
  for (size_t capacity : {size_t{0}, size_t{1000}, kSmallCache - 1}) {
    RecordCache cache(capacity);
    CHECK_FALSE(cache.Insert("t", 1, 0, "x"));
    CHECK(FindEntry(cache, "t", 0).lookup == RecordCache::Lookup::kNoTape);
  }
}

TEST_CASE("Erase forgets one tape, Clear every tape", "[record_cache]") {
  RecordCache cache(1 << 20);
  for (int n = 0; n < 10; ++n) REQUIRE(cache.Insert(TapeName(n), 1, 0, RecordFor(TapeName(n), 0)));
  cache.Erase(TapeName(3));
  cache.Erase("never cached");
  CHECK(FindEntry(cache, TapeName(3), 0).lookup == RecordCache::Lookup::kNoTape);
  CHECK(FindEntry(cache, TapeName(4), 0).lookup == RecordCache::Lookup::kHit);
  CHECK(cache.tapes() == 9);
  cache.Clear();
  CHECK(cache.tapes() == 0);
  for (int n = 0; n < 10; ++n) CHECK(FindEntry(cache, TapeName(n), 0).lookup == RecordCache::Lookup::kNoTape);
  // And it fills again after.
  REQUIRE(cache.Insert(TapeName(3), 1, 0, RecordFor(TapeName(3), 0)));
  CHECK(FindEntry(cache, TapeName(3), 0).record == RecordFor(TapeName(3), 0));
}

TEST_CASE("a full ring overwrites its oldest tapes first, and what it holds stays intact", "[record_cache]") {
  RecordCache cache(kSmallCache);
  // Sizes that do not divide the ring, so items meet its end and go round after a padding marker.
  std::mt19937 rng(7);
  std::vector<size_t> sizes;
  constexpr int kTapes = 3000;
  for (int n = 0; n < kTapes; ++n) {
    sizes.push_back(20 + rng() % 400);
    REQUIRE(cache.Insert(TapeName(n), 1, 0, RecordFor(TapeName(n), 0, sizes.back())));
  }
  size_t found = 0;
  int oldest_found = kTapes;
  for (int n = 0; n < kTapes; ++n) {
    Found f = FindEntry(cache, TapeName(n), 0);
    if (f.lookup != RecordCache::Lookup::kHit) continue;
    ++found;
    oldest_found = std::min(oldest_found, n);
    CHECK(f.record == RecordFor(TapeName(n), 0, sizes[n]));
  }
  // 64 KiB holds ~230 such items: far fewer than were put in, and the index holds exactly those.
  CHECK(found > 100);
  CHECK(found < 400);
  CHECK(cache.tapes() == found);
  // First in, first out: the newest tapes are all there (each shard keeps its last ~2 KiB at least).
  for (int n = kTapes - 16; n < kTapes; ++n) {
    CHECK(FindEntry(cache, TapeName(n), 0).lookup == RecordCache::Lookup::kHit);
  }
  CHECK(oldest_found > kTapes / 2);
}

TEST_CASE("items smaller than the index plans for: a full bucket forgets its oldest tape", "[record_cache]") {
  RecordCache cache(kSmallCache);  // per shard: 4 KiB of ring, 32 slots (4 buckets of 8)
  constexpr int kTapes = 3000;
  for (int n = 0; n < kTapes; ++n) REQUIRE(cache.Insert(TapeName(n), 1, 0, RecordFor(TapeName(n), 0, 8)));
  // Items of ~64 bytes: a ring holds ~64, twice its slots. What the index has left answers right.
  size_t found = 0;
  for (int n = 0; n < kTapes; ++n) {
    Found f = FindEntry(cache, TapeName(n), 0);
    if (f.lookup != RecordCache::Lookup::kHit) continue;
    ++found;
    CHECK(f.record == RecordFor(TapeName(n), 0, 8));
  }
  CHECK(cache.tapes() == found);
  CHECK(found <= 16 * 32);
  CHECK(found > 16 * 32 / 2);
  // Each insert into a full bucket takes the slot of its oldest tape, so the newest tapes all keep
  // theirs: the last 64 went into 64 buckets, none more than 8 into one.
  for (int n = kTapes - 64; n < kTapes; ++n) {
    CHECK(FindEntry(cache, TapeName(n), 0).lookup == RecordCache::Lookup::kHit);
  }
}

TEST_CASE("a tape whose older entries were overwritten still answers the newer ones", "[record_cache]") {
  RecordCache cache(kSmallCache);
  REQUIRE(cache.Insert("long", 2, 0, RecordFor("long", 0)));
  for (int n = 0; n < 2000; ++n) cache.Insert(TapeName(n), 1, 0, RecordFor(TapeName(n), 0));
  // Whatever shard "long" is in, its first entry is gone by now; the second one is new.
  REQUIRE(cache.Insert("long", 2, 1, RecordFor("long", 1)));
  CHECK(FindEntry(cache, "long", 1).lookup == RecordCache::Lookup::kHit);
  Found first = FindEntry(cache, "long", 0);
  CHECK(first.lookup == RecordCache::Lookup::kNoEntry);
  CHECK(first.length == 2);
}

TEST_CASE("concurrent lookups and inserts never see a torn or foreign record", "[record_cache]") {
  RecordCache cache(kSmallCache * 4);
  std::atomic<bool> bad{false};
  std::atomic<uint64_t> hits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 30000; ++i) {
        int n = static_cast<int>(rng() % 800);
        size_t index = rng() % 3;
        std::string tape = TapeName(n);
        size_t size = 30 + static_cast<size_t>(n) % 300;
        Found f = FindEntry(cache, tape, index);
        if (f.lookup == RecordCache::Lookup::kHit) {
          hits.fetch_add(1, std::memory_order_relaxed);
          if (f.record != RecordFor(tape, index, size) || f.length != 3) bad = true;
        } else {
          cache.Insert(tape, 3, index, RecordFor(tape, index, size));
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK_FALSE(bad.load());
  CHECK(hits.load() > 0);
}

}  // namespace
}  // namespace ssm
