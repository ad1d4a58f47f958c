// The shared config and credentials files (~/.aws/config, ~/.aws/credentials) read as botocore reads them
// (botocore/configloader.py): INI through Python's RawConfigParser rules, then profiles mapped by name.
// In the config file a profile is "[profile NAME]" (or "[default]"), an IAM Identity Center session is
// "[sso-session NAME]", and other sections are not profiles; in the credentials file every section is a
// profile. Values of the credentials file override the config file's for the same profile. The files hold
// secrets: no message here repeats a value or a line, only paths, line numbers, section and key names.
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_PROFILE_FILES_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_PROFILE_FILES_H_

#include <map>
#include <string>

#include "proxy/aws/aws_credentials.h"
#include "store/status.h"

namespace ssm {

// key (lower-case) -> value, for one section. Nested blocks ("s3 =" then indented lines) are kept as the
// raw text of the block; no key this code reads is nested.
using IniSection = std::map<std::string, std::string>;
// section name as written between the brackets (trimmed) -> its keys; a repeated section merges.
using IniFile = std::map<std::string, IniSection>;

// Parses INI text: "[section]", "key = value" or "key: value", full-line '#'/';' comments, blank lines,
// indented continuation lines, CRLF, a UTF-8 BOM. `path` is used in messages only (file and line).
Result<IniFile> ParseIni(const std::string& text, const std::string& path);

// Both files, resolved for one session.
struct ProfileFiles {
  std::string config_path;       // AWS_CONFIG_FILE, else $HOME/.aws/config ("" when neither is known)
  std::string credentials_path;  // AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials
  std::string home;              // $HOME, for ~/.aws/sso/cache

  std::map<std::string, IniSection> config_profiles;       // from the config file only
  std::map<std::string, IniSection> credentials_profiles;  // from the credentials file only
  std::map<std::string, IniSection> profiles;              // both, the credentials file winning per key
  std::map<std::string, IniSection> sso_sessions;          // "[sso-session NAME]" of the config file

  // The merged profile, or nullptr when neither file has it.
  const IniSection* Profile(const std::string& name) const;
};

// Reads both files (each may be absent: it then contributes nothing). A file that exists but cannot be
// read or parsed is an error naming it.
Result<ProfileFiles> LoadProfileFiles(const EnvLookup& env);

// A key's value in `section`, or "" when absent.
std::string ValueOf(const IniSection* section, const std::string& key);

// `path` with a leading "~/" replaced by `home`.
std::string ExpandHome(const std::string& path, const std::string& home);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_PROFILE_FILES_H_
