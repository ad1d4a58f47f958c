// RequestDiff: how two request bodies differ, member by member, so a miss on SendCommand or
// ListCommands can say which fields of the request no recorded one has, rather than a hash.
#ifndef SSM_REPLAY_PROXY_REPLAY_REQUEST_DIFF_H_
#define SSM_REPLAY_PROXY_REPLAY_REQUEST_DIFF_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ssm {

// One member that differs. A value is compact JSON; nullopt when the member is absent on that side.
struct FieldDifference {
  std::string path;  // "DocumentName", "Parameters.commands[1]"; "(body)" when a body is not a JSON object
  std::optional<std::string> requested;
  std::optional<std::string> recorded;
};

// The members of `requested` and `recorded` (JSON texts) that differ, in path order. Objects are
// compared member by member at every depth, arrays of the same length element by element; other
// values (and arrays of different lengths) as a whole. A text that is not JSON counts as a string.
std::vector<FieldDifference> DiffRequestBodies(std::string_view requested, std::string_view recorded);

// The same in two steps, for a caller comparing one request with many: a body as DiffRequestBodies reads
// it (empty as {}, not JSON as a string), and the diff of two so read.
nlohmann::json ParseRequestBody(std::string_view text);
std::vector<FieldDifference> DiffRequests(const nlohmann::json& requested, const nlohmann::json& recorded);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_REPLAY_REQUEST_DIFF_H_
