// The JSON shapes of the tape browser's API (tape_api.h): a tape in a listing, an interaction with
// its request and response, and what a recorded answer says (its Status, or its error type).
#ifndef SSM_REPLAY_PROXY_HTTP_UI_TAPE_JSON_H_
#define SSM_REPLAY_PROXY_HTTP_UI_TAPE_JSON_H_

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "store/interaction.h"
#include "store/tape.h"

namespace ssm {

// What a recorded answer says in one word, for people: AnswerOutcome's (proxy/replay/poll_plan.h: the
// error's __type, else the top-level Status) with the type's namespace left out; when that is only
// "HTTP <status>", the Status one level down (SendCommand's Command.Status).
std::string ShownOutcome(const Interaction& in);

// {"id", "action", "commandId", "instanceId", "plugin" (null when the request had none),
//  "interactions", "firstRecorded", "lastRecorded"} of a listed tape; the caller adds "finalStatus".
nlohmann::json TapeSummaryJson(const TapeInfo& info);

// {"index", "recordedAt", "recordedAtMs", "latencyUs", "httpStatus", "outcome", "source",
//  "request": {"action", "body"}, "response": {"headers": [[name, value]...], "body"},
//  "stdout", "stderr"} (the last two only when the body carries StandardOutputContent /
//  StandardErrorContent). Headers a store must never hold are left out even if a record has them.
nlohmann::json InteractionJson(size_t index, const Interaction& in);

// `body` as an HTTP 200 JSON answer; invalid UTF-8 in recorded strings becomes U+FFFD.
std::string DumpJson(const nlohmann::json& body);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_UI_TAPE_JSON_H_
