// TapePage: one page of a tape listing, for a browser paging through a store of millions of tapes.
// A page costs one B-tree seek plus the page's own entries, wherever it starts: it resumes after
// the last key of the page before (a start-after cursor), never by counting an offset.
#ifndef SSM_REPLAY_STORE_TAPE_PAGE_H_
#define SSM_REPLAY_STORE_TAPE_PAGE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "store/tape.h"

namespace ssm {

struct TapePageQuery {
  // GetCommandInvocation tapes whose CommandId starts with this (any prefix, not only whole ids);
  // empty: no CommandId condition.
  std::string command_id_prefix;
  // Only tapes of this action; unset: every action. An action other than GetCommandInvocation
  // together with a CommandId prefix matches nothing (only invocation tapes are keyed by CommandId).
  std::optional<std::string> action;
  // The encoded key of the last tape of the previous page (TapeKey::encoded()); empty: first page.
  std::string after;
  size_t limit = 50;  // at least 1
};

struct TapePage {
  std::vector<TapeInfo> tapes;  // in key order
  bool more = false;            // whether tapes follow the last one (ask again with after = its key)
};

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_PAGE_H_
