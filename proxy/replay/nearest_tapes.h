// Nearest tapes: which recorded tapes a missed request most likely meant, for the miss message.
//
// A GetCommandInvocation miss is most often a mistyped or truncated CommandId or InstanceId. Its
// candidates come from bounded lookups only, never a walk of the store: the tapes of the same
// CommandId (a prefix scan), of every CommandId one edit away (one point lookup per variant: ~1,300
// for a UUID), and of CommandIds sharing all but the last few characters (a bounded prefix scan).
// They are ranked by edit distance on the CommandId, then InstanceId, then PluginName. A miss on
// another action is compared with the first 256 recorded requests of that action in key order (by
// request hash: all of them in a small store, an arbitrary sample in a big one), ranked by how many
// fields differ.
#ifndef SSM_REPLAY_PROXY_REPLAY_NEAREST_TAPES_H_
#define SSM_REPLAY_PROXY_REPLAY_NEAREST_TAPES_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/tape_key.h"
#include "store/tape_store.h"

namespace ssm {

// Levenshtein distance: insertions, deletions and substitutions of one byte cost 1 each.
size_t EditDistance(std::string_view a, std::string_view b);

// Every string one edit (insertion, deletion, substitution, swap of neighbours) from `s`, over the
// characters of CommandIds (lowercase hex digits and '-') and those of `s`; `s` itself excluded.
std::vector<std::string> OneEditVariants(std::string_view s);

// Orders `candidates` for a miss on `key`, nearest first, keeping at most `limit` and dropping `key`.
// For GetCommandInvocation: by edit distance of CommandId, then InstanceId, then PluginName; tapes
// whose CommandId is further than a quarter of its length (at least 3) are not near and dropped. For
// other actions: tapes of the same action, by the number of request fields that differ.
std::vector<TapeKey> RankNearest(const TapeKey& key, std::vector<TapeKey> candidates, size_t limit);

// The candidates for `key` in `store` (bounded lookups, as above), ranked by RankNearest.
std::vector<TapeKey> FindNearestTapes(const TapeStore& store, const TapeKey& key, size_t limit);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_NEAREST_TAPES_H_
