// The tape keys the tape-summary fuzz target decodes against (the input's first byte picks one), shared
// with make_seeds.cc so the committed seeds line up with them.
#ifndef SSM_REPLAY_TESTS_FUZZ_SUMMARY_KEYS_H_
#define SSM_REPLAY_TESTS_FUZZ_SUMMARY_KEYS_H_

#include <optional>
#include <vector>

#include "store/tape_key.h"

namespace ssm::fuzz {

inline std::vector<TapeKey> SummaryKeys() {
  return {
      TapeKey::ForInvocation("8f03f58b-4641-4dab-92b2-d82e3c091f90", "i-00331bb206d9edf5d", "PatchLinux").value(),
      TapeKey::ForInvocation("0a762b73-d2f3-4e94-943e-7e08ad5cbd11", "i-02ddaa52936e74235", std::nullopt).value(),
      TapeKey::ForAction("SendCommand",
                         "{\"DocumentName\":\"AWS-RunShellScript\",\"InstanceIds\":[\"i-02ddaa52936e74235\"],"
                         "\"Parameters\":{\"commands\":[\"uptime\"]}}")
          .value(),
      TapeKey::ForAction("ListCommands", "{}").value(),
  };
}

}  // namespace ssm::fuzz

#endif  // SSM_REPLAY_TESTS_FUZZ_SUMMARY_KEYS_H_
