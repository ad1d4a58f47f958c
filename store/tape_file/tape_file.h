// Tape files: one tape as human-readable JSON, the format of fixtures/ and of `export`.
//
//   {
//     "ssmReplayTape": 1,
//     "key": {"action": "GetCommandInvocation", "CommandId": "...", "InstanceId": "...",
//             "PluginName": "..."},                 // PluginName omitted when absent
//     "interactions": [
//       {
//         "recordedAt": "2026-11-02T10:15:30.123Z",
//         "upstreamLatencyMicros": 41230,
//         "source": "fixture",
//         "request": {...},                          // canonical request JSON
//         "response": {
//           "status": 200,
//           "headers": {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "..."},
//           "body": {...}                            // when the bytes are JSON that prints back
//         }                                          // exactly; else "bodyText" or "bodyBase64"
//       }
//     ]
//   }
//
// Other actions key on {"action": "SendCommand", "request": {...}}. Field order is fixed and
// response bodies keep their member order, so export(import(file)) == file, byte for byte.
#ifndef SSM_REPLAY_STORE_TAPE_FILE_TAPE_FILE_H_
#define SSM_REPLAY_STORE_TAPE_FILE_TAPE_FILE_H_

#include <string>
#include <string_view>

#include "store/status.h"
#include "store/tape.h"

namespace ssm {

inline constexpr int kTapeFileVersion = 1;

// Parses a tape file's text. `origin` (a path) is only used in error messages.
Result<Tape> ParseTapeFile(std::string_view text, const std::string& origin);

// The file text for `tape`, ending in a newline.
std::string FormatTapeFile(const Tape& tape);

// Relative path the tape is exported to, e.g.
// "get-command-invocation/<CommandId>_<InstanceId>_<PluginName>.json" or
// "send-command/<first 16 hex of the request's sha256>.json".
std::string TapeFileName(const TapeKey& key);

}  // namespace ssm

#endif  // SSM_REPLAY_STORE_TAPE_FILE_TAPE_FILE_H_
