#include "proxy/replay/poll_plan.h"

#include <optional>
#include <string_view>

#include "proxy/replay/json_scan.h"

namespace ssm {

Result<PollPolicy> ParsePollPolicy(const std::string& text) {
  if (text == "recorded") return PollPolicy::kRecorded;
  if (text == "collapse") return PollPolicy::kCollapse;
  if (text == "final") return PollPolicy::kFinal;
  return Status::InvalidArgument("unknown polls '" + text + "': use recorded, collapse or final");
}

const char* PollPolicyName(PollPolicy policy) {
  switch (policy) {
    case PollPolicy::kCollapse: return "collapse";
    case PollPolicy::kFinal: return "final";
    case PollPolicy::kRecorded: break;
  }
  return "recorded";
}

PollPolicy PolicyForTape(PollPolicy policy, const TapeKey& key) {
  return key.is_invocation() ? policy : PollPolicy::kRecorded;
}

std::string AnswerOutcome(const Interaction& entry) {
  std::optional<std::string_view> type, status;
  auto visit = [&](const JsonMember& m) {
    if (m.depth != 1 || m.kind != JsonKind::kString) return;
    std::string_view text = m.value.substr(1, m.value.size() - 2);  // escapes kept: only compared
    if (m.name == "__type" && !type) type = text;
    if (m.name == "Status" && !status) status = text;
  };
  ScanJsonMembers(entry.response_body, visit);  // members before a fault still count
  if (type) return std::string(*type);
  if (status) return std::string(*status);
  return "HTTP " + std::to_string(entry.status);
}

PollPlan::PollPlan(PollPolicy policy, size_t length) : policy_(policy), length_(length == 0 ? 1 : length) {
  if (policy_ == PollPolicy::kCollapse) policy_ = PollPolicy::kRecorded;
}

PollPlan::PollPlan(PollPolicy policy, const std::vector<std::string>& outcomes)
    : policy_(policy), length_(outcomes.empty() ? 1 : outcomes.size()) {
  if (policy_ != PollPolicy::kCollapse) return;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (i == 0 || outcomes[i] != outcomes[i - 1]) steps_.push_back(static_cast<uint32_t>(i));
  }
  if (steps_.empty()) steps_.push_back(0);
}

PollPlan PollPlan::ForTape(PollPolicy policy, const Tape& tape) {
  PollPolicy applies = PolicyForTape(policy, tape.key);
  if (applies != PollPolicy::kCollapse) return PollPlan(applies, tape.interactions.size());
  std::vector<std::string> outcomes;
  outcomes.reserve(tape.interactions.size());
  for (const Interaction& entry : tape.interactions) outcomes.push_back(AnswerOutcome(entry));
  return PollPlan(applies, outcomes);
}

size_t PollPlan::steps() const {
  switch (policy_) {
    case PollPolicy::kFinal: return 1;
    case PollPolicy::kCollapse: return steps_.size() + (steps_.back() == length_ - 1 ? 0 : 1);
    case PollPolicy::kRecorded: break;
  }
  return length_;
}

}  // namespace ssm
