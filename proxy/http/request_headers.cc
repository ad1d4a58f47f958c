#include "proxy/http/request_headers.h"

#include <cstdlib>
#include <string_view>

#include "proxy/ssm/request_parser.h"

namespace ssm {
namespace {

bool IsAddedByHttplib(std::string_view name) {
  using namespace std::string_view_literals;
  return name == "REMOTE_ADDR"sv || name == "REMOTE_PORT"sv || name == "LOCAL_ADDR"sv || name == "LOCAL_PORT"sv;
}

}  // namespace

HeaderFacts GatherHeaderFacts(const httplib::Request& req) {
  HeaderFacts facts;
  for (const auto& [name, value] : req.headers) {
    if (IsAddedByHttplib(name)) continue;
    facts.bytes += name.size() + value.size() + 4;  // ": " and CRLF
    if (HeaderNameIs(name, "Content-Length")) {
      facts.content_length = std::strtoull(value.c_str(), nullptr, 10);
    } else if (HeaderNameIs(name, "Transfer-Encoding")) {
      facts.chunked = true;
    }
  }
  return facts;
}

HeaderList HeadersForMode(const httplib::Request& req, bool all, bool session_from_access_key) {
  HeaderList headers;
  headers.reserve(all ? req.headers.size() : 2);
  for (const auto& [name, value] : req.headers) {
    if (!IsAddedByHttplib(name) && (all || ParserReadsHeader(name, session_from_access_key))) {
      headers.emplace_back(name, value);
    }
  }
  return headers;
}

}  // namespace ssm
