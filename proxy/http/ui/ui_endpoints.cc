#include "proxy/http/ui/ui_endpoints.h"

#include <cstddef>
#include <string_view>
#include <utility>

#include "proxy/http/ui/ui_assets.h"
#include "proxy/ssm/aws_error.h"

namespace ssm {
namespace {

constexpr std::string_view kUiPath = "/__replay/ui";
constexpr std::string_view kApiTapesPath = "/__replay/api/tapes";

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

HttpResponse Error(int status, const char* type, std::string message) {
  return AwsError{status, type, std::move(message)}.ToResponse();
}

HttpResponse WrongMethod(const std::string& method, const std::string& path) {
  return Error(405, "MethodNotAllowedException", "Use " + method + " " + path);
}

const char* ContentType(std::string_view name) {
  if (EndsWith(name, ".js")) return "text/javascript; charset=utf-8";
  if (EndsWith(name, ".css")) return "text/css; charset=utf-8";
  return "text/html; charset=utf-8";
}

// GET /__replay/ui/NAME: an asset; the page itself for /__replay/ui and /__replay/ui/.
HttpResponse Asset(const httplib::Request& req) {
  if (req.method != "GET") return WrongMethod("GET", req.path.substr(0, 80));
  std::string_view name = std::string_view(req.path).substr(kUiPath.size());
  if (name.empty() || name == "/") name = "/index.html";
  size_t count = 0;
  const UiAsset* assets = UiAssets(&count);
  for (size_t i = 0; i < count; ++i) {
    if (name.substr(1) != assets[i].name) continue;
    HttpResponse response;
    response.headers = {{"Content-Type", ContentType(name)}};
    response.body = std::string(assets[i].bytes);
    return response;
  }
  return Error(404, "NotFoundException", "The tape browser is at /__replay/ui/");
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

// /__replay/api/tapes[/ID[/reset]].
HttpResponse Api(const httplib::Request& req, const TapeBrowserParts& parts) {
  TapeApi api(parts);
  std::string_view rest = std::string_view(req.path).substr(kApiTapesPath.size());
  if (rest.empty()) {
    if (req.method != "GET") return WrongMethod("GET", "/__replay/api/tapes");
    TapeListParams params{Param(req, "prefix"), std::nullopt, Param(req, "after"), Param(req, "limit")};
    if (!Param(req, "action").empty()) params.action = Param(req, "action");
    return api.ListTapes(params);
  }
  constexpr std::string_view kReset = "/reset";
  if (rest[0] == '/' && EndsWith(rest, kReset)) {
    if (req.method != "POST") return WrongMethod("POST", "/__replay/api/tapes/ID/reset");
    return api.ResetTape(std::string(rest.substr(1, rest.size() - 1 - kReset.size())), Param(req, "Session"));
  }
  if (rest[0] == '/') {
    if (req.method != "GET") return WrongMethod("GET", "/__replay/api/tapes/ID");
    return api.ShowTape(std::string(rest.substr(1)));
  }
  return Error(404, "NotFoundException", "No such endpoint: the API is /__replay/api/tapes[/ID[/reset]]");
}

}  // namespace

bool IsTapeBrowserPath(const std::string& path) {
  return path == kUiPath || StartsWith(path, std::string(kUiPath) + "/") || StartsWith(path, "/__replay/api/");
}

HttpResponse AnswerTapeBrowser(const httplib::Request& req, const TapeBrowserParts& parts) {
  HttpResponse response;
  if (StartsWith(req.path, kUiPath)) {
    response = Asset(req);
  } else if (StartsWith(req.path, kApiTapesPath)) {
    response = Api(req, parts);
  } else {
    response = Error(404, "NotFoundException", "No such endpoint: the API is /__replay/api/tapes[/ID[/reset]]");
  }
  response.headers.emplace_back("Content-Security-Policy", kTapeBrowserCsp);
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Cache-Control", "no-store");
  return response;
}

}  // namespace ssm
