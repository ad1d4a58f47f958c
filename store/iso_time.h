// Instants as the tapes and AWS write them: ISO 8601 UTC with milliseconds.
#ifndef SSM_REPLAY_STORE_ISO_TIME_H_
#define SSM_REPLAY_STORE_ISO_TIME_H_

#include <cstdint>
#include <string>

namespace ssm {

// "2026-10-14T09:12:03.578Z" for Unix epoch milliseconds.
std::string FormatIsoMillis(int64_t epoch_ms);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_ISO_TIME_H_
