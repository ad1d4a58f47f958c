#include "proxy/synth/send_command_answer.h"

#include <cstdlib>

namespace ssm {
namespace {

using Json = nlohmann::ordered_json;

Status Invalid(const Scenario& s, const std::string& why) {
  return Status::InvalidArgument(s.naming.Of("", "sendCommand") + ": " + why);
}

std::vector<std::string> InstanceIds(const Scenario& s) {
  std::vector<std::string> ids;
  for (const auto& inv : s.invocations) ids.push_back(inv.instance_id);
  return ids;
}

// Seconds after which undelivered invocations are DeliveryTimedOut: the delivery timeout plus the
// document's executionTimeout parameter (3600 s when not given).
int64_t ExpirySeconds(const Json& request) {
  int64_t timeout = request.value("TimeoutSeconds", 3600);
  int64_t execution = 3600;
  if (request.contains("Parameters") && request["Parameters"].is_object() &&
      request["Parameters"].contains("executionTimeout")) {
    const Json& v = request["Parameters"]["executionTimeout"];
    const Json& first = v.is_array() && !v.empty() ? v[0] : v;
    if (first.is_string()) execution = std::atoll(first.get<std::string>().c_str());
  }
  return timeout + execution;
}

Json Member(const Json& request, const char* key, Json fallback) {
  return request.contains(key) ? request[key] : fallback;
}

}  // namespace

Result<Json> CompleteSendCommandRequest(const Scenario& s) {
  Json request = *s.send_command_request;
  if (!request.contains("DocumentName")) request["DocumentName"] = s.document_name;
  if (request["DocumentName"] != s.document_name) {
    return Invalid(s, "the request's DocumentName " + request["DocumentName"].dump() + " is not the scenario's " +
                   s.document_name);
  }
  std::vector<std::string> ids = InstanceIds(s);
  if (!request.contains("InstanceIds")) request["InstanceIds"] = ids;
  if (request["InstanceIds"] != Json(ids)) {
    return Invalid(s, "the request's InstanceIds must be the scenario's instances, in order: " + Json(ids).dump());
  }
  if (!s.comment.empty() && !request.contains("Comment")) request["Comment"] = s.comment;
  if (request.value("Comment", s.comment) != s.comment) {
    return Invalid(s, "the request's Comment differs from the scenario's comment");
  }
  if (request.contains("TimeoutSeconds") && !request["TimeoutSeconds"].is_number_integer()) {
    return Invalid(s, "TimeoutSeconds must be a whole number");
  }
  return request;
}

Json SendCommandResult(const Scenario& s, const Json& request) {
  double requested = static_cast<double>(s.start_ms) / 1000.0;
  double expires = static_cast<double>(s.start_ms + ExpirySeconds(request) * 1000) / 1000.0;
  Json cloudwatch = {{"CloudWatchLogGroupName", s.cloudwatch_log_group},
                     {"CloudWatchOutputEnabled", !s.cloudwatch_log_group.empty()}};
  Json command = Json::object();
  command["CommandId"] = s.command_id;
  command["DocumentName"] = s.document_name;
  command["DocumentVersion"] = s.document_version;
  command["Comment"] = s.comment;
  command["ExpiresAfter"] = expires;
  command["Parameters"] = Member(request, "Parameters", Json::object());
  command["InstanceIds"] = Member(request, "InstanceIds", Json::array());
  command["Targets"] = Member(request, "Targets", Json::array());
  command["RequestedDateTime"] = requested;
  command["Status"] = "Pending";
  command["StatusDetails"] = "Pending";
  command["OutputS3Region"] = Member(request, "OutputS3Region", s.region);
  command["OutputS3BucketName"] = Member(request, "OutputS3BucketName", s.output_s3_bucket);
  command["OutputS3KeyPrefix"] = Member(request, "OutputS3KeyPrefix", s.output_s3_prefix);
  command["MaxConcurrency"] = Member(request, "MaxConcurrency", "50");
  command["MaxErrors"] = Member(request, "MaxErrors", "0");
  command["TargetCount"] = s.invocations.size();
  command["CompletedCount"] = 0;
  command["ErrorCount"] = 0;
  command["DeliveryTimedOutCount"] = 0;
  command["ServiceRole"] = Member(request, "ServiceRoleArn", "");
  command["NotificationConfig"] = {{"NotificationArn", ""}, {"NotificationEvents", Json::array()},
                                   {"NotificationType", ""}};
  command["CloudWatchOutputConfig"] = cloudwatch;
  command["TimeoutSeconds"] = request.value("TimeoutSeconds", 3600);
  // AlarmConfiguration and TriggeredAlarms are only sent for commands with an alarm configured.
  return Json{{"Command", command}};
}

}  // namespace ssm
