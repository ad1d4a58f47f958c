// Writes the binary seed corpora of fuzz_record_codec and fuzz_tape_info_codec (tests/fuzz/corpus/),
// from the interactions of the fixtures: valid records (with and without the dictionary), their
// serialised form, and a few damaged ones; tape summaries for each key the target decodes for.
// The text corpora (requests, tape files) are written by hand. Usage (README.md):
//   fuzz_make_seeds FIXTURES_DIR CORPUS_DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <zstd.h>

#include "store/record_codec.h"
#include "store/tape_info_codec.h"
#include "store/tape_key.h"
#include "tests/fuzz/record_dictionary.h"
#include "tests/fuzz/summary_keys.h"
#include "store/tape_file/tape_file.h"

namespace fs = std::filesystem;

namespace {

// Input modes of the two decoder targets (see their headers): bit 0 set = serialised payload.
constexpr char kValue = 0, kSerialised = 1;

bool Write(const fs::path& path, char mode, const std::string& payload) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.put(mode);
  out << payload;
  return static_cast<bool>(out);
}

ssm::Result<ssm::Tape> ReadTape(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ssm::ParseTapeFile(text, path.string());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s FIXTURES_DIR CORPUS_DIR\n", argv[0]);
    return 2;
  }
  fs::path fixtures(argv[1]), corpus(argv[2]);
  fs::path records = corpus / "record_codec", infos = corpus / "tape_info_codec";
  bool ok = true;

  // A few varied interactions: an error answer, a progression step, a plugin tape, a SendCommand.
  const char* picks[] = {
      "get-command-invocation/16ea0bfb-5cdb-4254-873d-021a57c8ab3a_i-06abcb62579f94ac0.json",
      "get-command-invocation/469a0bdb-7bff-40fd-8698-2e22e4f0e7e8_i-0e854fd6a57f2b03b_aws_runPowerShellScript.json",
      "get-command-invocation/8f03f58b-4641-4dab-92b2-d82e3c091f90_i-00331bb206d9edf5d_PatchWindows.json",
      "send-command/84989bbfb317faac.json",
  };
  std::vector<ssm::Interaction> samples;
  for (const char* pick : picks) {
    auto tape = ReadTape(fixtures / pick);
    if (!tape.ok() || tape->interactions.empty()) {
      std::fprintf(stderr, "%s\n", tape.ok() ? "a picked fixture has no interactions" : tape.status().ToString().c_str());
      return 1;
    }
    samples.push_back(tape->interactions.front());
  }
  // And one the fixtures lack: a binary body, odd headers, extreme numbers.
  ssm::Interaction odd;
  odd.action = "ListCommands";
  odd.request_body = "{}";
  odd.status = 599;
  odd.headers = {{"Content-Type", "application/octet-stream"}, {"x-empty", ""}, {"X-Dup", "1"}, {"X-Dup", "2"}};
  odd.response_body = std::string("\x00\xff\x1f\x8b binary", 12);
  odd.recorded_at_ms = -1;
  odd.upstream_latency_us = INT64_MAX;
  odd.source = "record https://ssm.us-east-1.amazonaws.com";
  samples.push_back(odd);

  const std::string& dict = ssm::fuzz::RecordDictionary();
  for (size_t i = 0; i < samples.size(); ++i) {
    std::string n = std::to_string(i);
    std::string value = ssm::EncodeInteraction(samples[i]);
    ok &= Write(records / ("record-" + n), kValue, value);
    ok &= Write(records / ("record-dict-" + n), kValue,
                ssm::EncodeInteraction(samples[i], ssm::fuzz::kRecordDictionaryId, &dict));
    ok &= Write(records / ("serialised-" + n), kSerialised, ssm::SerializeInteraction(samples[i]));
    if (i == 0) {
      ok &= Write(records / "damaged-truncated", kValue, value.substr(0, value.size() / 2));
      std::string flipped = value;
      flipped[flipped.size() / 2] ^= 0x20;
      ok &= Write(records / "damaged-flipped", kValue, flipped);
      std::string newer = value;
      newer[0] = 2;
      ok &= Write(records / "damaged-newer-version", kValue, newer);
      std::string unknown_dict = value;
      unknown_dict[1] = 9;
      ok &= Write(records / "damaged-unknown-dictionary", kValue, unknown_dict);
    }
  }

  // Summaries, for the key each mode selects (tests/fuzz/summary_keys.h, same order).
  std::vector<ssm::TapeKey> keys = ssm::fuzz::SummaryKeys();
  for (size_t k = 0; k < keys.size(); ++k) {
    ssm::TapeInfo info{keys[k], static_cast<uint32_t>(k + 3), 4100 * (k + 1), 900 * (k + 1), 1791969123415,
                       1791969143415 + static_cast<int64_t>(k)};
    std::string value = ssm::EncodeTapeInfo(info);
    char key_bits = static_cast<char>(k << 1);
    ok &= Write(infos / ("summary-key" + std::to_string(k)), key_bits | kValue, value);
    // The serialised summary is what the value's zstd frame holds.
    std::string frame = value.substr(1);
    std::string raw(ZSTD_getFrameContentSize(frame.data(), frame.size()), '\0');
    size_t n = ZSTD_decompress(raw.data(), raw.size(), frame.data(), frame.size());
    if (ZSTD_isError(n) || n != raw.size()) {
      std::fprintf(stderr, "EncodeTapeInfo wrote a value that does not decompress\n");
      return 1;
    }
    ok &= Write(infos / ("serialised-key" + std::to_string(k)), key_bits | kSerialised, raw);
  }
  std::fprintf(stderr, "%s seeds under %s\n", ok ? "wrote" : "FAILED to write", corpus.c_str());
  return ok ? 0 : 1;
}
