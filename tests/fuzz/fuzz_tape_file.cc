// Fuzz target: the tape-file (fixture JSON) importer, ssm::ParseTapeFile (store/tape_file/tape_file.h).
//
// Input: the text of a tape file.
//
// Checked: no crash, no undefined behaviour; a refusal is InvalidArgument or NotSupported and names the
// file; an accepted tape formats (FormatTapeFile) to text that parses back to the same tape and then
// formats to the same bytes (what makes `import` then `export` byte-identical), and its export file
// name (TapeFileName) stays inside the export directory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "store/tape.h"
#include "store/tape_file/tape_file.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr char kOrigin[] = "fuzz/tape.json";

bool SameTape(const ssm::Tape& a, const ssm::Tape& b) {
  return a.key == b.key && a.key.canonical_body() == b.key.canonical_body() &&
         a.key.plugin_name() == b.key.plugin_name() && a.interactions == b.interactions;
}

// "<dir>/<name>.json" with no way out of the export directory: no absolute path, no "..", no
// further separators, nothing a shell or file system treats specially.
void CheckFileName(const std::string& name) {
  size_t slash = name.find('/');
  FUZZ_CHECK(slash != std::string::npos && slash > 0, name.c_str());
  FUZZ_CHECK(name.find('/', slash + 1) == std::string::npos, name.c_str());
  FUZZ_CHECK(name.find('\\') == std::string::npos, name.c_str());
  std::string dir = name.substr(0, slash), file = name.substr(slash + 1);
  FUZZ_CHECK(dir != "." && dir != "..", name.c_str());
  FUZZ_CHECK(file.size() > 5 && file.compare(file.size() - 5, 5, ".json") == 0, name.c_str());
  for (unsigned char c : name) FUZZ_CHECK(c >= 0x20 && c != 0x7f, name.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ssm::Result<ssm::Tape> tape = ssm::ParseTapeFile(text, kOrigin);
  if (!tape.ok()) {
    const ssm::Status& s = tape.status();
    FUZZ_CHECK(s.IsInvalidArgument() || s.IsNotSupported(), s.ToString().c_str());
    FUZZ_CHECK(s.message().rfind(kOrigin, 0) == 0, ("error does not name the file: " + s.message()).c_str());
    return 0;
  }
  CheckFileName(ssm::TapeFileName(tape->key));

  std::string formatted = ssm::FormatTapeFile(*tape);
  ssm::Result<ssm::Tape> again = ssm::ParseTapeFile(formatted, kOrigin);
  FUZZ_CHECK(again.ok(), ("formatted tape does not parse: " + again.status().ToString()).c_str());
  FUZZ_CHECK(SameTape(*tape, *again), "formatted tape parses to a different tape");
  FUZZ_CHECK(ssm::FormatTapeFile(*again) == formatted, "formatting is not stable (export would not be byte-identical)");
  return 0;
}
