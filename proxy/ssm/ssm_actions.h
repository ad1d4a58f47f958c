// The SSM API's operation names, so an unknown X-Amz-Target is refused like AWS refuses it and
// metrics labels stay bounded (a client cannot mint new label values).
#ifndef SSM_REPLAY_PROXY_SSM_SSM_ACTIONS_H_
#define SSM_REPLAY_PROXY_SSM_SSM_ACTIONS_H_

#include <cstddef>
#include <string_view>

namespace ssm {

inline constexpr char kSsmTargetPrefix[] = "AmazonSSM.";

// The action an X-Amz-Target header names ("AmazonSSM.GetCommandInvocation" -> "GetCommandInvocation"),
// or empty when it lacks the prefix. Not checked against the known operations.
std::string_view ActionFromTarget(std::string_view target);

// Position of `action` among the known operations (0 .. SsmActionCount()-1), or -1 when unknown.
int SsmActionIndex(std::string_view action);
size_t SsmActionCount();
// The name at `index`; empty when out of range.
std::string_view SsmActionName(int index);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SSM_SSM_ACTIONS_H_
