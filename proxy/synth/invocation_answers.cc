#include "proxy/synth/invocation_answers.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "proxy/synth/aws_time.h"

namespace ssm {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kContentType[] = "application/x-amz-json-1.1";

// Length of the UTF-8 sequence starting at text[i], or 0 when it is not valid UTF-8.
size_t SequenceLength(std::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

std::string CutToCharacters(std::string_view text, size_t max_chars) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars * 4));
  size_t chars = 0;
  for (size_t i = 0; i < text.size() && chars < max_chars; ++chars) {
    size_t n = SequenceLength(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::string S3OutputUrl(const std::string& region, const std::string& bucket, const std::string& prefix,
                        const std::string& command_id, const std::string& instance_id,
                        const std::string& plugin_name, size_t step, const char* stream) {
  if (bucket.empty()) return "";
  std::string plugin;
  for (char c : plugin_name) {
    if (std::isalnum(static_cast<unsigned char>(c))) plugin += c;
  }
  std::string url = "https://s3." + region + ".amazonaws.com/" + bucket + "/";
  if (!prefix.empty()) url += prefix + "/";
  return url + command_id + "/" + instance_id + "/" + plugin + "/" + std::to_string(step) + "." + plugin + "/" + stream;
}

void FillInvocationAnswer(const InvocationFacts& facts, const PollAnswer& poll, const std::string& request_id,
                          Interaction* out) {
  out->headers = {{"Content-Type", kContentType}, {"x-amzn-RequestId", request_id}};
  if (poll.state == InvocationState::kInvocationDoesNotExist) {
    // As AWS answers it: no Message member (the error shape has none).
    out->status = 400;
    out->response_body = R"({"__type":"InvocationDoesNotExist"})";
    return;
  }
  bool finished = poll.ended_ms.has_value();
  std::string start, elapsed, end;
  if (poll.started_ms) {
    start = FormatIsoMillis(*poll.started_ms);
    elapsed = FormatAwsDuration((finished ? *poll.ended_ms : poll.answered_ms) - *poll.started_ms);
    if (finished) end = FormatIsoMillis(*poll.ended_ms);
  }
  Json body = Json::object();
  body["CommandId"] = facts.command_id;
  body["InstanceId"] = facts.instance_id;
  body["Comment"] = facts.comment;
  body["DocumentName"] = facts.document_name;
  body["DocumentVersion"] = facts.document_version;
  body["PluginName"] = facts.plugin_name;
  body["ResponseCode"] = poll.response_code;
  body["ExecutionStartDateTime"] = start;
  body["ExecutionElapsedTime"] = elapsed;
  body["ExecutionEndDateTime"] = end;
  body["Status"] = StateName(poll.state);
  body["StatusDetails"] = poll.status_details;
  body["StandardOutputContent"] = finished ? CutToCharacters(poll.stdout_text, kStdoutLimit) : "";
  body["StandardOutputUrl"] = finished ? facts.stdout_url : "";
  body["StandardErrorContent"] = finished ? CutToCharacters(poll.stderr_text, kStderrLimit) : "";
  body["StandardErrorUrl"] = finished ? facts.stderr_url : "";
  body["CloudWatchOutputConfig"] = Json{{"CloudWatchLogGroupName", facts.cloudwatch_log_group},
                                        {"CloudWatchOutputEnabled", !facts.cloudwatch_log_group.empty()}};
  out->status = 200;
  out->response_body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace ssm
