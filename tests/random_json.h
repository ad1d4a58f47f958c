// Random JSON for the tests that compare a fast path with nlohmann's parser and printer: text weighted
// towards what needs escaping, numbers of every spelling, nesting a few levels deep.
#ifndef SSM_REPLAY_TESTS_RANDOM_JSON_H_
#define SSM_REPLAY_TESTS_RANDOM_JSON_H_

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

namespace ssm::test {

// Random UTF-8 text, with quotes, backslashes, control characters, multi-byte characters and NULs.
inline std::string RandomJsonText(std::mt19937& rng) {
  static const char* kPieces[] = {"a",      "Z",       " ",  "\"",   "\\",   "/",   "\n",  "\t",
                                  "\r",     "\b",      "\f", "\x01", "\x1f", "\x7f", "\xc3\xa9",
                                  "\xe2\x82\xac", "\xf0\x9f\x98\x80", "u0041", "{}", "[,]", ":"};
  std::string s;
  for (int n = static_cast<int>(rng() % 12); n > 0; --n) s += kPieces[rng() % (sizeof kPieces / sizeof *kPieces)];
  if (rng() % 8 == 0) s.push_back('\0');
  return s;
}

inline nlohmann::ordered_json RandomJsonValue(std::mt19937& rng, int depth = 0) {
  switch (rng() % (depth > 3 ? 6 : 8)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<int64_t>(rng()) - static_cast<int64_t>(rng()) * 65536;
    case 3: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng) * std::pow(10.0, (int)(rng() % 60) - 30);
    case 4: return RandomJsonText(rng);
    case 5: return (static_cast<uint64_t>(rng()) << 32) | rng();
    case 6: {
      nlohmann::ordered_json a = nlohmann::ordered_json::array();
      for (int i = static_cast<int>(rng() % 4); i > 0; --i) a.push_back(RandomJsonValue(rng, depth + 1));
      return a;
    }
    default: {
      nlohmann::ordered_json o = nlohmann::ordered_json::object();
      for (int i = static_cast<int>(rng() % 5); i > 0; --i) o[RandomJsonText(rng)] = RandomJsonValue(rng, depth + 1);
      return o;
    }
  }
}

}  // namespace ssm::test

#endif  // SSM_REPLAY_TESTS_RANDOM_JSON_H_
