#include "proxy/modes/mode.h"

namespace ssm {

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kHit:
      return "hit";
    case Outcome::kMiss:
      return "miss";
    case Outcome::kError:
      return "error";
    case Outcome::kForwarded:
      return "forwarded";
    case Outcome::kRecorded:
      return "recorded";
    case Outcome::kFault:
      return "fault";
  }
  return "unknown";
}

}  // namespace ssm
