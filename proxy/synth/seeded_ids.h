// Deterministic stand-ins for what AWS hands out (CommandIds, request ids, instance ids, latencies),
// derived from a seed and a name, so the same scenario and seed synthesize the same bytes every run.
#ifndef SSM_REPLAY_PROXY_SYNTH_SEEDED_IDS_H_
#define SSM_REPLAY_PROXY_SYNTH_SEEDED_IDS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace ssm {

// A version-4-shaped UUID ("16ea0bfb-5cdb-4254-873d-021a57c8ab3a"), as CommandIds and x-amzn-RequestId.
std::string SeededUuid(uint64_t seed, std::string_view name);

// An EC2 instance id: "i-0" and 16 hex digits.
std::string SeededInstanceId(uint64_t seed, std::string_view name);

// A number in [low, high], uniform enough for latencies and jitter.
int64_t SeededBetween(uint64_t seed, std::string_view name, int64_t low, int64_t high);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SYNTH_SEEDED_IDS_H_
