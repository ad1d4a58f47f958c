// The zstd dictionary (id 1) that fuzz_record_codec's store knows, shared with make_seeds.cc so that
// seeds made with it decode.
#ifndef SSM_REPLAY_TESTS_FUZZ_RECORD_DICTIONARY_H_
#define SSM_REPLAY_TESTS_FUZZ_RECORD_DICTIONARY_H_

#include <cstdint>
#include <string>

namespace ssm::fuzz {

inline constexpr uint32_t kRecordDictionaryId = 1;

// Raw-content dictionary: text the records of SSM answers share.
inline const std::string& RecordDictionary() {
  static const std::string dict =
      "{\"CommandId\":\"\",\"InstanceId\":\"i-\",\"PluginName\":\"aws:runShellScript\",\"Status\":\"Success\","
      "\"StatusDetails\":\"InProgress\",\"ResponseCode\":0,\"StandardOutputContent\":\"\","
      "\"StandardErrorContent\":\"\",\"DocumentName\":\"AWS-RunShellScript\",\"Content-Type\":"
      "\"application/x-amz-json-1.1\",\"x-amzn-RequestId\":\"GetCommandInvocation\",\"fixture\"";
  return dict;
}

}  // namespace ssm::fuzz

#endif  // SSM_REPLAY_TESTS_FUZZ_RECORD_DICTIONARY_H_
