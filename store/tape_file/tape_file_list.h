// The tape files `import` reads: the files named, and every *.json below the folders named.
#ifndef SSM_REPLAY_STORE_TAPE_FILE_TAPE_FILE_LIST_H_
#define SSM_REPLAY_STORE_TAPE_FILE_TAPE_FILE_LIST_H_

#include <string>
#include <string_view>
#include <vector>

#include "store/status.h"

namespace ssm {

// Each path in turn: a file as given, a folder as the regular files ending in ".json" anywhere below
// it (extension as std::filesystem::path::extension() sees it), sorted by PathLess so that imports
// are reproducible. NotFound names a path that is neither; IOError a folder that cannot be read.
Result<std::vector<std::string>> ListTapeFiles(const std::vector<std::string>& paths);

// std::filesystem::path's order (component by component) for paths below one folder, on their text:
// '/' sorts before every other byte (std::filesystem::path compares component by component, which
// over a million paths costs seconds).
bool PathLess(std::string_view a, std::string_view b);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_FILE_TAPE_FILE_LIST_H_
