// Fuzz target: HTTP request to SSM call and tape key, ssm::ParseSsmRequest (proxy/ssm/request_parser.h).
//
// Input: a request written like HTTP/1.1 (so seeds are readable and real requests make good seeds):
//   METHOD SP PATH [SP MAX_BODY] LF      (MAX_BODY: digits, the body limit; else the default 1 MiB)
//   Name: value LF                       (any number of header lines; a CR before LF is dropped)
//   LF
//   body                                 (all remaining bytes)
//
// Checked: no crash or undefined behaviour; canonicalising any body is an error value or the canonical
// JSON, never a throw; the fast path for flat bodies (proxy/ssm/flat_json_object.h) reads exactly what the
// full parser reads; exactly one of request and error; an error has a status
// and type from the documented set, a message without control bytes (it reaches logs), and renders
// as AWS-shaped JSON; a parsed call names a known action, has an idempotent canonical body, and keeps
// its tape key when headers other than X-Amz-Target are dropped or reordered and when the body is
// re-spaced (matching uses the body alone, never signing headers or spacing).
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proxy/ssm/aws_error.h"
#include "proxy/ssm/flat_json_object.h"
#include "proxy/ssm/request_parser.h"
#include "proxy/ssm/session_name.h"
#include "proxy/ssm/ssm_actions.h"
#include "store/canonical_json.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

struct FuzzRequest {
  std::string method, path, body;
  size_t max_body = ssm::kDefaultMaxBody;
  ssm::HeaderList headers;
};

std::string_view NextLine(std::string_view& in, bool* had_newline) {
  size_t nl = in.find('\n');
  *had_newline = nl != std::string_view::npos;
  std::string_view line = in.substr(0, nl);
  in.remove_prefix(*had_newline ? nl + 1 : in.size());
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

FuzzRequest Split(std::string_view in) {
  FuzzRequest r;
  bool more = false;
  std::string_view first = NextLine(in, &more);
  size_t sp = first.find(' ');
  r.method = std::string(first.substr(0, sp));
  if (sp != std::string_view::npos) {
    std::string_view rest = first.substr(sp + 1);
    size_t sp2 = rest.find(' ');
    r.path = std::string(rest.substr(0, sp2));
    if (sp2 != std::string_view::npos) {
      std::string_view limit = rest.substr(sp2 + 1);
      if (!limit.empty() && limit.size() <= 7 && limit.find_first_not_of("0123456789") == std::string_view::npos) {
        r.max_body = std::stoul(std::string(limit));
      }
    }
  }
  while (more) {
    std::string_view line = NextLine(in, &more);
    if (line.empty()) break;
    size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon), value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    }
    r.headers.emplace_back(std::string(name), std::string(value));
  }
  r.body = std::string(in);
  return r;
}

void CheckError(const ssm::ParsedRequest& p, const FuzzRequest& r) {
  static const std::set<std::string> kTypes = {"NotFoundException", "MethodNotAllowedException",
                                               "RequestEntityTooLargeException", "UnknownOperationException",
                                               "SerializationException", "ValidationException"};
  const ssm::AwsError& e = *p.error;
  FUZZ_CHECK(kTypes.count(e.type) == 1, ("undocumented error type " + e.type).c_str());
  FUZZ_CHECK(e.http_status == 400 || e.http_status == 404 || e.http_status == 405 || e.http_status == 413,
             e.type.c_str());
  // The API answers on "/" and on session paths ("/session/NAME[/]", proxy/ssm/session_name.h).
  const bool api_path = r.path == "/" || ssm::SessionOfPath(r.path).has_value();
  FUZZ_CHECK((e.http_status == 404) == !api_path, "404 is for other paths, and only for them");
  FUZZ_CHECK(!e.message.empty(), e.type.c_str());
  for (unsigned char c : e.message) FUZZ_CHECK(c >= 0x20, ("control byte in error message: " + e.message).c_str());
  FUZZ_CHECK(p.action.empty() || ssm::SsmActionIndex(p.action) >= 0, p.action.c_str());

  ssm::HttpResponse response = e.ToResponse();
  FUZZ_CHECK(response.status == e.http_status, e.type.c_str());
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  FUZZ_CHECK(body.is_object() && body.value("__type", "") == e.type && body.contains("message"),
             ("error body is not AWS-shaped JSON: " + response.body).c_str());
}

void CheckRequest(const ssm::ParsedRequest& p, const FuzzRequest& r) {
  const ssm::SsmRequest& req = *p.request;
  FUZZ_CHECK(req.action == p.action && ssm::SsmActionIndex(req.action) >= 0, req.action.c_str());
  FUZZ_CHECK(req.body == r.body, "the request must keep the client's body bytes");
  FUZZ_CHECK(req.json().is_object(), req.canonical_body.c_str());
  bool blank = r.body.find_first_not_of(" \t\r\n") == std::string::npos;
  FUZZ_CHECK(req.json() == (blank ? nlohmann::json::object() : nlohmann::json::parse(r.body)),
             "the request's JSON is not the body's");
  ssm::Result<std::string> canonical_again = ssm::CanonicalJson(req.canonical_body);
  FUZZ_CHECK(canonical_again.ok() && *canonical_again == req.canonical_body, "canonical body is not canonical");
  FUZZ_CHECK(req.key.is_invocation() == (req.action == ssm::kGetCommandInvocation), req.action.c_str());
  if (req.key.is_invocation()) {
    auto id = [&](const char* name) {
      auto it = req.json().find(name);
      return it != req.json().end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    FUZZ_CHECK(req.key.command_id() == id("CommandId") && req.key.instance_id() == id("InstanceId"),
               req.key.Describe().c_str());
  } else {
    FUZZ_CHECK(req.key.canonical_body() == req.canonical_body, req.key.Describe().c_str());
  }

  // Only X-Amz-Target (the operation) may matter among the headers; its name is case-insensitive.
  const std::string* target = ssm::FindHeader(r.headers, "X-Amz-Target");
  FUZZ_CHECK(target != nullptr, "parsed without X-Amz-Target");
  ssm::HeaderList target_only = {{"x-amz-target", *target}};
  target_only.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261129/us-east-1/ssm");
  ssm::ParsedRequest bare = ssm::ParseSsmRequest(r.method, r.path, target_only, r.body, r.max_body);
  FUZZ_CHECK(bare.ok() && bare.request->key == req.key, "headers other than X-Amz-Target changed the key");

  // Spacing and member order do not matter.
  std::string spaced = req.json().dump(3, ' ', /*ensure_ascii=*/true);
  ssm::ParsedRequest respaced = ssm::ParseSsmRequest(r.method, r.path, r.headers, spaced, spaced.size());
  FUZZ_CHECK(respaced.ok() && respaced.request->key == req.key &&
                 respaced.request->canonical_body == req.canonical_body,
             ("re-spaced body changed the key: " + spaced).c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzRequest r = Split(std::string_view(reinterpret_cast<const char*>(data), size));
  // Canonicalisation (store/canonical_json.h) takes any client bytes: an error value, never a throw,
  // and it accepts exactly the JSON the parser accepts.
  ssm::Result<std::string> canonical = ssm::CanonicalJson(r.body);
  bool blank = r.body.find_first_not_of(" \t\r\n") == std::string::npos;
  FUZZ_CHECK(canonical.ok() == (blank || nlohmann::json::accept(r.body)), "CanonicalJson disagrees with the parser");
  FUZZ_CHECK(canonical.ok() || !canonical.status().message().empty(), "an error without a message");
  // The parser's fast path (flat objects of plain strings) must agree with the full parser on every
  // body it takes.
  if (std::optional<std::vector<ssm::FlatMember>> flat = ssm::ParseFlatJsonObject(r.body)) {
    FUZZ_CHECK(canonical.ok() && ssm::CanonicalFlatJson(*flat) == *canonical,
               ("fast path canonical form differs for: " + r.body).c_str());
    nlohmann::json dom = blank ? nlohmann::json::object() : nlohmann::json::parse(r.body);
    FUZZ_CHECK(dom.size() == flat->size(), "fast path found another number of members");
    for (const ssm::FlatMember& m : *flat) {
      auto it = dom.find(std::string(m.name));
      FUZZ_CHECK(it != dom.end() && it->is_string() && it->get<std::string>() == m.value,
                 ("fast path misread a member of: " + r.body).c_str());
    }
  }

  ssm::ParsedRequest p = ssm::ParseSsmRequest(r.method, r.path, r.headers, r.body, r.max_body);
  FUZZ_CHECK(p.request.has_value() != p.error.has_value(), "exactly one of request and error must be set");
  if (p.error) {
    CheckError(p, r);
  } else {
    CheckRequest(p, r);
  }
  return 0;
}
