#include "store/canonical_json.h"

#include <nlohmann/json.hpp>

namespace ssm {

Result<std::string> CanonicalJson(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::string("{}");
  // nlohmann::json keeps objects in a std::map, so dump() writes keys sorted, without spaces.
  nlohmann::json parsed = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    try {
      nlohmann::json unused = nlohmann::json::parse(body.begin(), body.end());
      (void)unused;
    } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
      return Status::InvalidArgument(std::string("request body is not valid JSON: ") + e.what());
    }
    return Status::InvalidArgument("request body is not valid JSON");
  }
  return CanonicalJsonOf(parsed);
}

Result<std::string> CanonicalJsonOf(const nlohmann::json& parsed) {
  try {
    return parsed.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::type_error& e) {
    return Status::InvalidArgument(std::string("request body is not valid UTF-8 JSON: ") + e.what());
  }
}

}  // namespace ssm
