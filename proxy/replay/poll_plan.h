// PollPlan: which recorded entry of a tape answers the n-th call of a client polling it, under the
// --polls policy. A waiter polls GetCommandInvocation every few seconds until a terminal status; a
// tape of a long command holds many entries with the same outcome, and replaying each one makes the
// test wait as long as the command ran. `collapse` serves each run of equal outcomes once, `final`
// answers the terminal entry at once. The bodies served are recorded ones, unchanged: only which
// one answers a call differs.
//
// A plan is computed once per tape (collapse reads every entry's outcome; recorded and final need
// only the tape's length) and is then immutable and cheap to ask: EntryFor is a bounds check and at
// most one vector read, safe from any thread.
#ifndef SSM_REPLAY_PROXY_REPLAY_POLL_PLAN_H_
#define SSM_REPLAY_PROXY_REPLAY_POLL_PLAN_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "store/interaction.h"
#include "store/status.h"
#include "store/tape.h"
#include "store/tape_key.h"

namespace ssm {

enum class PollPolicy {
  kRecorded,  // the n-th call gets the n-th entry; past the end the last repeats
  kCollapse,  // the first entry of each run of equal outcomes, then the last entry repeats
  kFinal,     // every call gets the last (terminal) entry
};

// "recorded", "collapse" or "final"; InvalidArgument naming the valid values otherwise.
Result<PollPolicy> ParsePollPolicy(const std::string& text);
const char* PollPolicyName(PollPolicy policy);

// The policy that applies to the tape of `key`: `policy` for GetCommandInvocation tapes, kRecorded
// for every other action (only polls are collapsed).
PollPolicy PolicyForTape(PollPolicy policy, const TapeKey& key);

// What a recorded answer says, for telling runs of polls apart: the error's "__type" (e.g.
// "InvocationDoesNotExist") when the body has one, else its "Status" (e.g. "InProgress"), both
// members of the top-level object; else "HTTP <status>".
std::string AnswerOutcome(const Interaction& entry);

class PollPlan {
 public:
  // A plan that needs no outcomes: kRecorded or kFinal over a tape of `length` (> 0) entries. Given
  // kCollapse, it plans as if every outcome differed (i.e. as recorded).
  PollPlan(PollPolicy policy, size_t length);
  // A plan over a tape whose entries had `outcomes` (AnswerOutcome, in recorded order, not empty).
  PollPlan(PollPolicy policy, const std::vector<std::string>& outcomes);
  // Over `tape` (not empty), with PolicyForTape(policy, tape.key).
  static PollPlan ForTape(PollPolicy policy, const Tape& tape);

  // The entry that answers the call that had `call` calls before it (0: the first call).
  size_t EntryFor(uint64_t call) const {
    if (call < steps_.size()) return steps_[call];
    if (policy_ == PollPolicy::kRecorded && call < length_) return static_cast<size_t>(call);
    return length_ - 1;
  }

  PollPolicy policy() const { return policy_; }
  // Entries in the tape planned; a tape that grew since (auto mode) needs a new plan.
  size_t length() const { return length_; }
  // Distinct answers a poller sees before the last one repeats: for collapse, the runs of outcomes.
  size_t steps() const;

 private:
  PollPolicy policy_;
  size_t length_;
  std::vector<uint32_t> steps_;  // collapse only: the first entry of each run of equal outcomes
};

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_POLL_PLAN_H_
