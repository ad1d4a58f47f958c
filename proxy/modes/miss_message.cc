#include "proxy/modes/miss_message.h"

#include <optional>
#include <utility>

#include "proxy/replay/nearest_tapes.h"
#include "proxy/replay/request_diff.h"
#include "proxy/ssm/aws_error.h"
#include "proxy/ssm/ssm_validation.h"

namespace ssm {
namespace {

constexpr size_t kMaxValueChars = 80;       // a recorded value longer than this is cut in the message
constexpr size_t kMaxDifferencesShown = 8;  // fields listed for the closest request

std::string Cut(const std::string& text) {
  return text.size() <= kMaxValueChars ? text : text.substr(0, kMaxValueChars - 3) + "...";
}

// "CommandId 1 character off, other PluginName": how a recorded invocation key differs from `key`.
std::string InvocationDifference(const TapeKey& key, const TapeKey& near) {
  std::string out;
  auto add = [&](const std::string& part) { out += (out.empty() ? "" : ", ") + part; };
  if (size_t d = EditDistance(key.command_id(), near.command_id())) {
    add("CommandId " + std::to_string(d) + (d == 1 ? " character" : " characters") + " off");
  }
  if (size_t d = EditDistance(key.instance_id(), near.instance_id())) {
    add(d <= 2 ? "InstanceId " + std::to_string(d) + (d == 1 ? " character" : " characters") + " off"
               : "other InstanceId");
  }
  if (key.plugin_name() != near.plugin_name()) add(near.plugin_name() ? "other PluginName" : "no PluginName");
  return out;
}

std::string InvocationNearest(const TapeKey& key, const std::vector<TapeKey>& nearest) {
  if (nearest.empty()) {
    return " No tape is recorded for CommandId " + key.command_id() + " or a CommandId close to it.";
  }
  std::string out = " Nearest recorded tapes: ";
  for (size_t i = 0; i < nearest.size(); ++i) {
    if (i > 0) out += "; ";
    out += nearest[i].Describe() + " (" + InvocationDifference(key, nearest[i]) + ")";
  }
  return out + ".";
}

std::string DescribeDifference(const FieldDifference& d) {
  if (!d.recorded) return d.path + " only in this request (" + Cut(*d.requested) + ")";
  if (!d.requested) return d.path + " only in the recorded one (" + Cut(*d.recorded) + ")";
  return d.path + " is " + Cut(*d.requested) + " here, " + Cut(*d.recorded) + " recorded";
}

std::string ActionNearest(const SsmRequest& request, const std::vector<TapeKey>& nearest) {
  const std::string& action = request.action;
  if (nearest.empty()) {
    return " Request: " + request.canonical_body.substr(0, 512) + ". No tape is recorded for " + action + ".";
  }
  const TapeKey& closest = nearest.front();
  std::vector<FieldDifference> differences = DiffRequestBodies(request.canonical_body, closest.canonical_body());
  std::string out = " The closest recorded " + action + " request (" + closest.Describe() + ") differs in " +
                    std::to_string(differences.size()) + (differences.size() == 1 ? " field: " : " fields: ");
  for (size_t i = 0; i < differences.size() && i < kMaxDifferencesShown; ++i) {
    out += (i > 0 ? "; " : "") + DescribeDifference(differences[i]);
  }
  if (differences.size() > kMaxDifferencesShown) {
    out += "; and " + std::to_string(differences.size() - kMaxDifferencesShown) + " more";
  }
  out += ".";
  if (nearest.size() > 1) {
    out += " Next closest: ";
    for (size_t i = 1; i < nearest.size(); ++i) {
      size_t n = DiffRequestBodies(request.canonical_body, nearest[i].canonical_body()).size();
      out += (i > 1 ? "; " : "") + nearest[i].Describe() + " (" + std::to_string(n) +
             (n == 1 ? " field differs)" : " fields differ)");
    }
    out += ".";
  }
  return out;
}

}  // namespace

std::string MissMessage(const SsmRequest& request, const std::vector<TapeKey>& nearest) {
  std::string message = "No recorded tape for " + request.key.Describe() + ".";
  message += request.key.is_invocation() ? InvocationNearest(request.key, nearest) : ActionNearest(request, nearest);
  message += " Record it with `ssm-replay serve --mode record` or import a tape file for this key.";
  return message;
}

ModeAnswer ReplayMissAnswer(const SsmRequest& request, TapePlayer* player, size_t nearest_limit) {
  ModeAnswer answer;
  answer.outcome = Outcome::kMiss;
  if (std::optional<AwsError> invalid = ValidateSsmRequest(request.action, request.json())) {
    answer.response = invalid->ToResponse();
    return answer;
  }
  std::vector<TapeKey> nearest = player->Nearest(request.key, nearest_limit);
  answer.response = AwsError{404, "ReplayMissException", MissMessage(request, nearest)}.ToResponse();
  return answer;
}

}  // namespace ssm
