#include "proxy/aws/upstream.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

namespace ssm {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string HeaderValue(const HeaderList& headers, const std::string& lower_name) {
  for (const auto& [name, value] : headers) {
    if (Lower(name) == lower_name) return value;
  }
  return "";
}

// True when an Accept-Encoding value lists `coding` without q=0.
bool Accepts(const std::string& accept_encoding, const std::string& coding) {
  std::string v = Lower(accept_encoding);
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    std::string item = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t semi = item.find(';');
    std::string name = item.substr(0, semi);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (name == coding) {
      if (semi == std::string::npos) return true;
      std::string params = item.substr(semi + 1);
      params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
      return !(params == "q=0" || params == "q=0.0" || params == "q=0.00" || params == "q=0.000");
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

HttpResponse ClientResponse(const SsmRequest& request, const UpstreamResponse& upstream) {
  HttpResponse out;
  out.status = upstream.status;
  for (const auto& h : upstream.headers) {
    std::string n = Lower(h.first);
    if (n == "date" || n == "content-length" || n == "content-encoding" || n == "transfer-encoding" ||
        n == "connection" || n == "keep-alive") {
      continue;  // the server writes its own
    }
    out.headers.push_back(h);
  }
  if (!upstream.content_encoding.empty() &&
      Accepts(HeaderValue(request.headers, "accept-encoding"), upstream.content_encoding)) {
    out.headers.emplace_back("Content-Encoding", upstream.content_encoding);
    out.body = upstream.encoded_body;
  } else {
    out.body = upstream.body;
  }
  return out;
}

std::string AwsErrorType(const UpstreamResponse& upstream) {
  auto j = nlohmann::json::parse(upstream.body, nullptr, /*allow_exceptions=*/false);
  std::string type;
  if (j.is_object()) {
    for (const char* field : {"__type", "code", "Code"}) {
      auto it = j.find(field);
      if (it != j.end() && it->is_string()) {
        type = it->get<std::string>();
        break;
      }
    }
  }
  if (type.empty()) {
    type = HeaderValue(upstream.headers, "x-amzn-errortype");
    type = type.substr(0, type.find(':'));
  }
  size_t hash = type.rfind('#');
  if (hash != std::string::npos) type = type.substr(hash + 1);
  return type;
}

bool IsAuthenticationFailure(const UpstreamResponse& upstream) {
  if (upstream.status < 400 || upstream.status >= 500) return false;
  static const char* const kAuthErrors[] = {
      "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException",
      "IncompleteSignature",         "ExpiredTokenException",     "ExpiredToken",
      "InvalidClientTokenId",        "MissingAuthenticationTokenException",
      "MissingAuthenticationToken",  "SignatureDoesNotMatch",     "RequestExpired",
      "InvalidAccessKeyId",          "AuthFailure",               "InvalidToken",
  };
  std::string type = AwsErrorType(upstream);
  for (const char* e : kAuthErrors) {
    if (type == e) return true;
  }
  // A 403 without a recognisable body (a proxy or load balancer refusing) is not the system either.
  return upstream.status == 403 && type.empty();
}

}  // namespace ssm
