// TapeInfo to and from the value stored for it in the "tapes" table (store/FORMAT.md).
#ifndef SSM_REPLAY_STORE_TAPE_INFO_CODEC_H_
#define SSM_REPLAY_STORE_TAPE_INFO_CODEC_H_

#include <string>
#include <string_view>

#include "store/status.h"
#include "store/tape.h"

namespace ssm {

inline constexpr uint8_t kTapeInfoVersion = 1;

std::string EncodeTapeInfo(const TapeInfo& info);

// `key` is the decoded table key; action keys get their canonical body back from the value.
Result<TapeInfo> DecodeTapeInfo(const TapeKey& key, std::string_view value);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_INFO_CODEC_H_
