// What GetCommandInvocation answers for each state, byte for byte as AWS does (the members and their
// order are botocore's output shape and the recorded fixtures'): the 200 answer with all 17 members,
// and the 400 InvocationDoesNotExist error AWS gives right after SendCommand.
#ifndef SSM_REPLAY_PROXY_SYNTH_INVOCATION_ANSWERS_H_
#define SSM_REPLAY_PROXY_SYNTH_INVOCATION_ANSWERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/synth/invocation_state.h"
#include "store/interaction.h"

namespace ssm {

// GetCommandInvocation returns at most this many characters of a plugin's output (API reference).
inline constexpr size_t kStdoutLimit = 24000;
inline constexpr size_t kStderrLimit = 8000;

// What every answer of one plugin's tape repeats.
struct InvocationFacts {
  std::string command_id, instance_id, comment, document_name, document_version, plugin_name;
  std::string stdout_url, stderr_url;  // where the full output is in S3 (empty: no OutputS3BucketName)
  std::string cloudwatch_log_group;    // empty: CloudWatch output disabled
};

// One poll's answer: its state, and the times the service knew when it answered.
struct PollAnswer {
  InvocationState state = InvocationState::kPending;
  std::string status_details;
  int response_code = -1;
  int64_t answered_ms = 0;                // the service's clock, for a running plugin's elapsed time
  std::optional<int64_t> started_ms;      // ExecutionStartDateTime, once the plugin started
  std::optional<int64_t> ended_ms;        // ExecutionEndDateTime, in the terminal answer of a plugin that ran
  std::string_view stdout_text, stderr_text;  // whole output; cut here
};

// The response (status, headers, body) for `poll`; x-amzn-RequestId is `request_id`.
void FillInvocationAnswer(const InvocationFacts& facts, const PollAnswer& poll, const std::string& request_id,
                          Interaction* out);

// The first `max_chars` characters (Unicode code points) of `text`; bytes that are not UTF-8 become
// U+FFFD, as AWS's JSON answers cannot carry them.
std::string CutToCharacters(std::string_view text, size_t max_chars);

// S3 URL of one output stream ("stdout" or "stderr") of plugin number `step`, as Run Command uploads
// it: https://s3.REGION.amazonaws.com/BUCKET/PREFIX/COMMAND/INSTANCE/PLUGIN/STEP.PLUGIN/STREAM, the
// plugin name without punctuation.
std::string S3OutputUrl(const std::string& region, const std::string& bucket, const std::string& prefix,
                        const std::string& command_id, const std::string& instance_id,
                        const std::string& plugin_name, size_t step, const char* stream);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_SYNTH_INVOCATION_ANSWERS_H_
