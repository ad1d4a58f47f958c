#include "proxy/aws/credentials/profile_files.h"

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <vector>

#include "proxy/aws/credentials/shell_words.h"

namespace ssm {

namespace {

std::string Trim(const std::string& s) {
  size_t begin = 0;
  size_t end = s.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(s[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(s[end - 1]))) --end;
  return s.substr(begin, end - begin);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "profile NAME" or "sso-session NAME" -> NAME when `section` has that prefix and exactly two words.
bool NamedSection(const std::string& section, const std::string& prefix, std::string* name) {
  if (section.compare(0, prefix.size(), prefix) != 0) return false;
  Result<std::vector<std::string>> words = ShellSplit(section);
  if (!words.ok() || words->size() != 2) return false;
  *name = (*words)[1];
  return true;
}

// The file's text; NotFound when it does not exist.
Result<std::string> ReadFile(const std::string& path, const std::string& what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::NotFound(what + " " + path + " does not exist");
    return Status::IOError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(info.st_mode)) return Status::IOError("cannot read " + what + " " + path + ": it is a directory");
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::IOError("cannot read " + what + " " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return Status::IOError("cannot read " + what + " " + path);
  return text.str();
}

// Parses the file at `path` if it exists; an absent file is an empty one.
Result<IniFile> LoadIni(const std::string& path, const std::string& what) {
  if (path.empty()) return IniFile();
  Result<std::string> text = ReadFile(path, what);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return IniFile();
    return text.status();
  }
  return ParseIni(text.value(), what + " " + path);
}

std::string Get(const EnvLookup& env, const char* name) {
  std::optional<std::string> value = env(name);
  return value ? *value : std::string();
}

}  // namespace

std::string ExpandHome(const std::string& path, const std::string& home) {
  if (path.compare(0, 2, "~/") == 0 && !home.empty()) return home + path.substr(1);
  return path;
}

std::string ValueOf(const IniSection* section, const std::string& key) {
  if (section == nullptr) return "";
  auto it = section->find(key);
  return it == section->end() ? "" : it->second;
}

Result<IniFile> ParseIni(const std::string& text, const std::string& path) {
  IniFile file;
  IniSection* section = nullptr;
  std::string* value = nullptr;  // the last key's value, for continuation lines
  std::istringstream lines(text);
  std::string line;
  int line_number = 0;
  // Messages name the file and line only: a malformed line may well hold a secret.
  auto malformed = [&](const std::string& what) {
    return Status::Corruption(path + " line " + std::to_string(line_number) + ": " + what +
                              " (expected \"[section]\", \"key = value\", a '#' or ';' comment or a blank line)");
  };
  while (std::getline(lines, line)) {
    ++line_number;
    if (line_number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 BOM
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == ';') continue;
    const bool indented = std::isspace(static_cast<unsigned char>(line[0]));
    if (indented && value != nullptr) {  // continues the value above (a nested "s3 =" block)
      *value += "\n" + trimmed;
      continue;
    }
    if (trimmed[0] == '[') {
      if (trimmed.back() != ']') return malformed("section header without a closing ']'");
      const std::string name = trimmed.substr(1, trimmed.size() - 2);
      if (Trim(name).empty()) return malformed("empty section name");
      section = &file[name];
      value = nullptr;
      continue;
    }
    const size_t delimiter = trimmed.find_first_of("=:");
    if (delimiter == std::string::npos) return malformed("line is neither a section nor key = value");
    if (section == nullptr) return malformed("key = value before any [section]");
    const std::string key = Lower(Trim(trimmed.substr(0, delimiter)));
    if (key.empty()) return malformed("empty key");
    value = &(*section)[key];
    *value = Trim(trimmed.substr(delimiter + 1));
  }
  return file;
}

const IniSection* ProfileFiles::Profile(const std::string& name) const {
  auto it = profiles.find(name);
  return it == profiles.end() ? nullptr : &it->second;
}

Result<ProfileFiles> LoadProfileFiles(const EnvLookup& env) {
  ProfileFiles files;
  files.home = Get(env, "HOME");
  files.config_path = ExpandHome(Get(env, "AWS_CONFIG_FILE"), files.home);
  if (files.config_path.empty() && !files.home.empty()) files.config_path = files.home + "/.aws/config";
  files.credentials_path = ExpandHome(Get(env, "AWS_SHARED_CREDENTIALS_FILE"), files.home);
  if (files.credentials_path.empty() && !files.home.empty()) {
    files.credentials_path = files.home + "/.aws/credentials";
  }

  Result<IniFile> config = LoadIni(files.config_path, "config file");
  if (!config.ok()) return config.status();
  for (auto& [section, keys] : config.value()) {
    std::string name;
    if (section == "default") {
      files.config_profiles["default"] = keys;
    } else if (NamedSection(section, "profile", &name)) {
      for (auto& [key, value] : keys) files.config_profiles[name][key] = value;
    } else if (NamedSection(section, "sso-session", &name)) {
      files.sso_sessions[name] = keys;
    }
  }
  Result<IniFile> credentials = LoadIni(files.credentials_path, "shared credentials file");
  if (!credentials.ok()) return credentials.status();
  for (auto& [section, keys] : credentials.value()) files.credentials_profiles[section] = keys;

  files.profiles = files.config_profiles;
  for (auto& [name, keys] : files.credentials_profiles) {
    for (auto& [key, value] : keys) files.profiles[name][key] = value;
  }
  return files;
}

}  // namespace ssm
