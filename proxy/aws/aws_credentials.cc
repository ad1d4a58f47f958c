#include "proxy/aws/aws_credentials.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/stat.h>

namespace ssm {

namespace {

const char kAccessKeyVar[] = "AWS_ACCESS_KEY_ID";
const char kSecretKeyVar[] = "AWS_SECRET_ACCESS_KEY";
const char kSessionTokenVar[] = "AWS_SESSION_TOKEN";
const char kCredentialsFileVar[] = "AWS_SHARED_CREDENTIALS_FILE";
const char kProfileVar[] = "AWS_PROFILE";

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

// The variable's value, treating set-but-empty as unset (as the AWS CLI does).
std::string Get(const EnvLookup& env, const char* name) {
  std::optional<std::string> value = env(name);
  return value ? *value : std::string();
}

// The credentials of a profile's `keys`; both the key id and the secret must be there.
Result<AwsCredentials> ProfileCredentials(std::map<std::string, std::string>& keys, const std::string& profile,
                                          const std::string& path) {
  AwsCredentials credentials;
  credentials.access_key_id = keys["aws_access_key_id"];
  credentials.secret_access_key = keys["aws_secret_access_key"];
  credentials.session_token = keys["aws_session_token"];
  bool no_id = credentials.access_key_id.empty(), no_secret = credentials.secret_access_key.empty();
  if (no_id || no_secret) {
    std::string missing = std::string(no_id ? "aws_access_key_id" : "") + (no_id && no_secret ? ", " : "") +
                          (no_secret ? "aws_secret_access_key" : "");
    return Status::InvalidArgument("profile [" + profile + "] in shared credentials file " + path +
                                   " needs both aws_access_key_id and aws_secret_access_key (missing or empty: " +
                                   missing + ")");
  }
  credentials.source = "shared credentials file " + path + " (profile " + profile + ")";
  return credentials;
}

// Credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN); NotFound when
// neither is set, InvalidArgument when only one is.
Result<AwsCredentials> FromEnvironment(const EnvLookup& env) {
  const std::string access_key = Get(env, kAccessKeyVar);
  const std::string secret_key = Get(env, kSecretKeyVar);
  if (access_key.empty() && secret_key.empty()) return Status::NotFound("no credentials in the environment");
  if (access_key.empty() || secret_key.empty()) {
    return Status::InvalidArgument(std::string(access_key.empty() ? kSecretKeyVar : kAccessKeyVar) +
                                   " is set but " + (access_key.empty() ? kAccessKeyVar : kSecretKeyVar) +
                                   " is not: set both, or unset both to use the shared credentials file");
  }
  AwsCredentials credentials;
  credentials.access_key_id = access_key;
  credentials.secret_access_key = secret_key;
  credentials.session_token = Get(env, kSessionTokenVar);
  credentials.source = "environment";
  return credentials;
}

// Where the shared credentials file is and which profile to read, and what a user is told was tried.
struct SharedFileLookup {
  std::string path;  // empty when HOME is not set and no file was named
  std::string profile;
  std::string looked;  // "looked for ... in the environment, then for profile [p] ... in <path>"
};

SharedFileLookup LocateSharedFile(const EnvLookup& env) {
  SharedFileLookup lookup;
  const std::string home = Get(env, "HOME");
  lookup.path = Get(env, kCredentialsFileVar);
  const bool path_from_env = !lookup.path.empty();
  if (path_from_env && lookup.path.compare(0, 2, "~/") == 0 && !home.empty()) {
    lookup.path = home + lookup.path.substr(1);
  }
  if (!path_from_env && !home.empty()) lookup.path = home + "/.aws/credentials";
  lookup.profile = Get(env, kProfileVar);
  const bool profile_from_env = !lookup.profile.empty();
  if (!profile_from_env) lookup.profile = "default";
  const std::string& path = lookup.path;
  lookup.looked =
      std::string("looked for ") + kAccessKeyVar + "/" + kSecretKeyVar + " (and " + kSessionTokenVar +
      ") in the environment, then for profile [" + lookup.profile + "] " +
      (profile_from_env ? std::string("(from ") + kProfileVar + ")"
                        : std::string("(set ") + kProfileVar + " to choose another)") +
      " in the shared credentials file " +
      (path.empty() ? std::string("$HOME/.aws/credentials, but HOME is not set")
                    : path + (path_from_env ? std::string(" (from ") + kCredentialsFileVar + ")"
                                            : std::string(" (set ") + kCredentialsFileVar + " to use another file)"));
  return lookup;
}

// The profile's credentials from the shared credentials file `lookup` names.
Result<AwsCredentials> FromSharedFile(const SharedFileLookup& lookup) {
  const std::string& path = lookup.path;
  if (path.empty()) return Status::NotFound("no AWS credentials found: " + lookup.looked);
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
    return Status::NotFound("no AWS credentials found: " + lookup.looked + ", which does not exist");
  }
  std::ifstream file(path, std::ios::binary);
  if (!file || S_ISDIR(info.st_mode)) {
    const std::string why = S_ISDIR(info.st_mode) ? "it is a directory" : std::strerror(errno);
    return Status::IOError("cannot read shared credentials file " + path + ": " + why + " (" + lookup.looked + ")");
  }
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return Status::IOError("cannot read shared credentials file " + path);
  Result<AwsCredentials> parsed = ParseCredentialsFile(text.str(), lookup.profile, path);
  if (!parsed.ok() && parsed.status().IsNotFound()) {
    return Status::NotFound("no AWS credentials found: " + lookup.looked + ", which has no [" + lookup.profile +
                            "] section");
  }
  return parsed;
}

}  // namespace

std::string RedactedKeyId(const AwsCredentials& credentials) {
  return credentials.access_key_id.substr(0, 4) + "****";
}

EnvLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<AwsCredentials> ParseCredentialsFile(const std::string& text, const std::string& profile,
                                            const std::string& path) {
  std::map<std::string, std::string> keys;  // of `profile` only
  bool found = false;
  bool in_profile = false;
  bool in_section = false;
  std::istringstream lines(text);
  std::string line;
  int line_number = 0;
  // Messages name the file and line only: a malformed line may well hold a secret.
  auto malformed = [&](const std::string& what) {
    return Status::Corruption("shared credentials file " + path + " line " + std::to_string(line_number) +
                              ": " + what +
                              " (expected \"[profile-name]\", \"key = value\", a '#' or ';' comment or a "
                              "blank line)");
  };
  while (std::getline(lines, line)) {
    ++line_number;
    if (line_number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);  // UTF-8 BOM
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#' || trimmed[0] == ';') continue;
    if (trimmed[0] == '[') {
      if (trimmed.back() != ']') return malformed("section header without a closing ']'");
      const std::string name = Trim(trimmed.substr(1, trimmed.size() - 2));
      if (name.empty()) return malformed("empty section name");
      in_section = true;
      in_profile = name == profile;
      found = found || in_profile;
      continue;
    }
    const size_t delimiter = trimmed.find_first_of("=:");
    // An indented line without a delimiter continues the previous value (Python configparser, which the
    // AWS CLI uses, for nested settings such as "s3 =" blocks). None of our keys span lines.
    if (delimiter == std::string::npos && in_section && std::isspace(static_cast<unsigned char>(line[0]))) {
      continue;
    }
    if (delimiter == std::string::npos) return malformed("line is neither a section nor key = value");
    if (!in_section) return malformed("key = value before any [profile] section");
    const std::string key = Lower(Trim(trimmed.substr(0, delimiter)));
    if (key.empty()) return malformed("empty key");
    if (in_profile) keys[key] = Trim(trimmed.substr(delimiter + 1));
  }
  if (!found) {
    return Status::NotFound("shared credentials file " + path + " has no [" + profile + "] profile");
  }
  return ProfileCredentials(keys, profile, path);
}

Result<AwsCredentials> ResolveCredentials(const EnvLookup& env) {
  Result<AwsCredentials> from_environment = FromEnvironment(env);
  if (from_environment.ok() || !from_environment.status().IsNotFound()) return from_environment;
  return FromSharedFile(LocateSharedFile(env));
}

}  // namespace ssm
