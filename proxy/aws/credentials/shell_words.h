// ShellSplit: a line split into words as Python's shlex.split does (POSIX mode), which botocore uses for
// both `credential_process` commands and config section names ("profile 'my name'").
#ifndef SSM_REPLAY_PROXY_AWS_CREDENTIALS_SHELL_WORDS_H_
#define SSM_REPLAY_PROXY_AWS_CREDENTIALS_SHELL_WORDS_H_

#include <string>
#include <vector>

#include "store/status.h"

namespace ssm {

// Whitespace separates words; '...' quotes literally; "..." quotes with \\ \" \$ \` and \newline
// escaped; a backslash outside quotes escapes the next character. InvalidArgument on an unterminated
// quote; no words for a blank line.
Result<std::vector<std::string>> ShellSplit(const std::string& line);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_CREDENTIALS_SHELL_WORDS_H_
