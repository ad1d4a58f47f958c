// Short hashes: how `list` and miss messages name a tape of an action other than
// GetCommandInvocation (its key holds the SHA-256 of the request body, not the request), and how
// `show` and `delete` find the tape again from one.
#ifndef SSM_REPLAY_TOOLS_TAPE_HASH_H_
#define SSM_REPLAY_TOOLS_TAPE_HASH_H_

#include <string>
#include <string_view>

#include "store/status.h"
#include "store/tape_key.h"
#include "store/tape_store.h"

namespace ssm {

// The first 16 hex digits of the request's SHA-256, as TapeKey::Describe prints them after
// "sha256:"; empty for GetCommandInvocation keys (they are named by their fields).
std::string ShortHash(const TapeKey& key);

// The one action tape whose request hash starts with `hash`: hex digits (at least 4, any case),
// "sha256:" in front allowed. InvalidArgument when `hash` is not such, or more than one tape matches
// (the message lists them); NotFound when none does.
Result<TapeKey> ResolveShortHash(const TapeStore& store, std::string_view hash);

}  // namespace ssm

#endif  // SSM_REPLAY_TOOLS_TAPE_HASH_H_
