#include "proxy/ssm/ssm_request.h"

namespace ssm {

const nlohmann::json& SsmRequest::json() const {
  if (!parsed_json) {
    // The canonical body is always a JSON object (the parser checked): parsing it is the same DOM as
    // parsing the client's bytes.
    nlohmann::json parsed = nlohmann::json::parse(canonical_body, nullptr, /*allow_exceptions=*/false);
    parsed_json = parsed.is_object() ? std::move(parsed) : nlohmann::json::object();
  }
  return *parsed_json;
}

}  // namespace ssm
