// Helpers for unit tests: private temporary directories that clean up after themselves, reading a
// whole file, and waiting (bounded) for a condition instead of sleeping.
#ifndef SSM_REPLAY_TESTS_TEST_UTIL_H_
#define SSM_REPLAY_TESTS_TEST_UTIL_H_

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

namespace ssm::test {

// A fresh directory under the system temp dir, removed (with its contents) on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "ssm-replay-test-XXXXXX").string();
  path_ = mkdtemp(tmpl.data()) ? tmpl : std::string();
}

inline TempDir::~TempDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

// The bytes of the file at `path`; fails the test when it cannot be opened.
inline std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  INFO("reading " << path);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Polls `condition` until it holds (true) or `timeout` passes (false). Callers REQUIRE the result, so
// a condition that never comes fails the test instead of hanging it or passing by luck.
template <typename Condition>
bool WaitUntil(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace ssm::test

#endif  // SSM_REPLAY_TESTS_TEST_UTIL_H_
