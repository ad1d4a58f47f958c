#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include <cereal/archives/portable_binary.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include <zstd.h>

#include "store/record_codec.h"

using ssm::DecodeInteraction;
using ssm::EncodeInteraction;
using ssm::Interaction;

namespace {
Interaction Sample() {
  Interaction i;
  i.action = "GetCommandInvocation";
  i.request_body = R"({"CommandId":"c","InstanceId":"i-1"})";
  i.status = 200;
  i.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", "7b1f"}};
  i.response_body = std::string(R"({"Status":"Success","StandardOutputContent":")") + std::string(3000, 'x') + "\"}";
  i.response_body.push_back('\0');  // bodies are bytes, not C strings
  i.recorded_at_ms = 1791969123415;
  i.upstream_latency_us = 41230;
  i.source = "fixture";
  return i;
}
}  // namespace

TEST_CASE("an interaction survives encode and decode exactly", "[record_codec]") {
  Interaction in = Sample();
  size_t raw = 0;
  std::string value = EncodeInteraction(in, 0, nullptr, &raw);
  CHECK(raw == ssm::SerializeInteraction(in).size());
  CHECK(value.size() < raw);  // compressed
  auto out = DecodeInteraction(value);
  REQUIRE(out.ok());
  CHECK(*out == in);
}

TEST_CASE("a flipped byte is detected, never misread", "[record_codec]") {
  std::string value = EncodeInteraction(Sample());
  int detected = 0;
  for (size_t pos = 5; pos < value.size(); ++pos) {  // after the header: the zstd frame
    std::string damaged = value;
    damaged[pos] = static_cast<char>(damaged[pos] ^ 0x5a);
    auto out = DecodeInteraction(damaged);
    INFO("byte " << pos);
    // A few bits of a zstd frame do not affect its content (unused table bits); flipping those
    // must still decode to exactly the original. Anything else must be an error.
    if (out.ok()) {
      CHECK(*out == Sample());
    } else {
      ++detected;
      CHECK(out.status().IsCorruption());
    }
  }
  CHECK(detected > static_cast<int>(value.size()) * 9 / 10);
}

TEST_CASE("truncated and random values are errors, not crashes", "[record_codec]") {
  std::string value = EncodeInteraction(Sample());
  for (size_t len = 0; len < value.size(); len += 7) {
    CHECK_FALSE(DecodeInteraction(value.substr(0, len)).ok());
  }
  std::mt19937 rng(42);
  for (int n = 0; n < 2000; ++n) {
    std::string junk(rng() % 200, '\0');
    for (auto& c : junk) c = static_cast<char>(rng());
    if (!junk.empty()) junk[0] = 1;
    CHECK_FALSE(DecodeInteraction(junk).ok());
  }
}

TEST_CASE("a record from a newer version is refused as such", "[record_codec]") {
  std::string value = EncodeInteraction(Sample());
  value[0] = static_cast<char>(ssm::kRecordVersion + 1);
  auto out = DecodeInteraction(value);
  REQUIRE_FALSE(out.ok());
  CHECK(out.status().IsNotSupported());
  CHECK_THAT(out.status().message(), Catch::Contains("upgrade"));
}

TEST_CASE("dictionary-compressed records need their dictionary", "[record_codec]") {
  std::string dict(4096, '\0');
  for (size_t k = 0; k < dict.size(); ++k) dict[k] = "StandardOutputContent Success InProgress "[k % 41];
  std::string value = EncodeInteraction(Sample(), 77, &dict);
  auto without = DecodeInteraction(value);
  REQUIRE_FALSE(without.ok());
  CHECK_THAT(without.status().message(), Catch::Contains("dictionary 77"));
  auto with = DecodeInteraction(value, [&](uint32_t id) { return id == 77 ? &dict : nullptr; });
  REQUIRE(with.ok());
  CHECK(*with == Sample());
}

TEST_CASE("records are serialised as cereal's portable binary archive writes them", "[record_codec]") {
  // The reference: cereal writing the archive's endianness flag, Interaction's class version and the
  // fields in store/FORMAT.md's order, as the store's first records were written.
  auto cereal_bytes = [](const Interaction& i) {
    std::ostringstream out(std::ios::binary);
    {
      cereal::PortableBinaryOutputArchive ar(out);
      ar(std::uint32_t{1}, i.action, i.request_body, static_cast<int32_t>(i.status), i.headers, i.response_body,
         static_cast<int64_t>(i.recorded_at_ms), static_cast<int64_t>(i.upstream_latency_us), i.source);
    }
    return std::move(out).str();
  };
  std::mt19937_64 rng(7);
  auto text = [&](size_t max) {
    std::string s(rng() % max, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
  };
  for (int n = 0; n < 300; ++n) {
    Interaction i;
    i.action = text(30);
    i.request_body = text(100);
    i.status = static_cast<int>(rng() % 1000) - 100;
    for (size_t h = rng() % 4; h > 0; --h) i.headers.emplace_back(text(20), text(40));
    i.response_body = text(n % 10 == 0 ? 100000 : 3000);
    i.recorded_at_ms = static_cast<int64_t>(rng());
    i.upstream_latency_us = -static_cast<int64_t>(rng() % 1000);
    i.source = text(12);
    std::string bytes = ssm::SerializeInteraction(i);
    REQUIRE(bytes == cereal_bytes(i));
    size_t raw = 0;
    auto back = DecodeInteraction(EncodeInteraction(i, 0, nullptr, &raw));
    REQUIRE(back.ok());
    CHECK(*back == i);
    CHECK(raw == bytes.size());
  }
  CHECK(ssm::SerializeInteraction(Sample()) == cereal_bytes(Sample()));
}

namespace {
// A record value around serialised bytes of our choosing (no dictionary).
std::string ValueAround(const std::string& serialised) {
  std::string frame(ZSTD_compressBound(serialised.size()), '\0');
  size_t n = ZSTD_compress(frame.data(), frame.size(), serialised.data(), serialised.size(), 1);
  REQUIRE_FALSE(ZSTD_isError(n));
  frame.resize(n);
  return std::string("\x01\0\0\0\0", 5) + frame;
}
}  // namespace

TEST_CASE("damaged serialised contents are corruption: every truncation, lengths, flags, trailing bytes",
          "[record_codec]") {
  const std::string good = ssm::SerializeInteraction(Sample());
  REQUIRE(DecodeInteraction(ValueAround(good)).ok());
  for (size_t len = 0; len < good.size(); ++len) {
    auto out = DecodeInteraction(ValueAround(good.substr(0, len)));
    INFO("first " << len << " bytes");
    REQUIRE_FALSE(out.ok());
    REQUIRE(out.status().IsCorruption());
  }
  auto corruption_saying = [](const std::string& serialised, const std::string& words) {
    auto out = DecodeInteraction(ValueAround(serialised));
    REQUIRE_FALSE(out.ok());
    CHECK(out.status().IsCorruption());
    CHECK_THAT(out.status().message(), Catch::Contains(words));
  };
  std::string big_endian = good;
  big_endian[0] = 0;
  corruption_saying(big_endian, "byte-order flag 0");
  std::string version_2 = good;
  version_2[1] = 2;
  corruption_saying(version_2, "unknown Interaction version 2");
  corruption_saying(good + "x", "trailing bytes");
  // The action's length (after the flag and the class version) claims far more than there is.
  std::string huge_string = good;
  huge_string[5 + 7] = 0x7f;
  corruption_saying(huge_string, "runs past the end");
  // The header count (after action, request, status) claims more headers than bytes could hold.
  Interaction i = Sample();
  size_t count_at = 1 + 4 + 8 + i.action.size() + 8 + i.request_body.size() + 4;
  std::string many_headers = good;
  many_headers[count_at + 4] = 0x01;  // 2^32 headers
  corruption_saying(many_headers, "header count");
}
