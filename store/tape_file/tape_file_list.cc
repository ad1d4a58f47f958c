#include "store/tape_file/tape_file_list.h"

#include <algorithm>
#include <filesystem>

namespace ssm {
namespace {

namespace fs = std::filesystem;

// What path::extension() == ".json" says of a file name: it ends in ".json" and that is not all of
// it (".json" alone is a hidden file's stem, with no extension).
bool HasJsonExtension(std::string_view name) {
  constexpr std::string_view kExt = ".json";
  return name.size() > kExt.size() && name.substr(name.size() - kExt.size()) == kExt;
}

}  // namespace

bool PathLess(std::string_view a, std::string_view b) {
  auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  if (ib == b.end()) return false;  // b is a prefix of a, or equal
  if (ia == a.end()) return true;
  auto rank = [](char c) { return c == '/' ? 0 : static_cast<int>(static_cast<unsigned char>(c)) + 1; };
  return rank(*ia) < rank(*ib);
}

Result<std::vector<std::string>> ListTapeFiles(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        const std::string& name = it->path().native();
        size_t slash = name.rfind('/');
        if (HasJsonExtension(slash == std::string::npos ? name : std::string_view(name).substr(slash + 1)) &&
            it->is_regular_file()) {
          found.push_back(name);
        }
      }
      if (ec) return Status::IOError("cannot read folder " + p + ": " + ec.message());
      std::sort(found.begin(), found.end(), PathLess);
      files.insert(files.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      return Status::NotFound(p + ": no such file or folder");
    }
  }
  return files;
}

}  // namespace ssm
