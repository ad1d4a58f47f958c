// Times as GetCommandInvocation writes them: ISO 8601 UTC with milliseconds for instants, and
// durations the way java.time.Duration prints them (PT8.412S, PT1M5.2S, PT0S).
#ifndef SSM_REPLAY_PROXY_SYNTH_AWS_TIME_H_
#define SSM_REPLAY_PROXY_SYNTH_AWS_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "store/iso_time.h"  // FormatIsoMillis
#include "store/status.h"

namespace ssm {

// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (or "+00:00") into epoch milliseconds; InvalidArgument naming
// `option` and the expected form otherwise.
Result<int64_t> ParseIsoMillis(std::string_view text, const std::string& option);

// "PT8.412S" for 8412 ms (java.time.Duration.toString, milliseconds precision); `ms` >= 0.
std::string FormatAwsDuration(int64_t ms);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SYNTH_AWS_TIME_H_
