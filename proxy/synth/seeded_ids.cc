#include "proxy/synth/seeded_ids.h"

#include "store/sha256.h"

namespace ssm {
namespace {

std::string Digest(uint64_t seed, std::string_view name) {
  return Sha256("ssm-replay synth/" + std::to_string(seed) + "/" + std::string(name));
}

}  // namespace

std::string SeededUuid(uint64_t seed, std::string_view name) {
  std::string bytes = Digest(seed, name).substr(0, 16);
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = HexEncode(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

std::string SeededInstanceId(uint64_t seed, std::string_view name) {
  return "i-0" + HexEncode(Digest(seed, name)).substr(0, 16);
}

int64_t SeededBetween(uint64_t seed, std::string_view name, int64_t low, int64_t high) {
  std::string d = Digest(seed, name);
  uint64_t x = 0;
  for (int i = 0; i < 8; ++i) x = (x << 8) | static_cast<unsigned char>(d[i]);
  return low + static_cast<int64_t>(x % static_cast<uint64_t>(high - low + 1));
}

}  // namespace ssm
