#include "proxy/aws/credentials/http_fetch.h"

#include <cctype>
#include <cstdio>

#include <httplib.h>

namespace ssm {

Result<SplitUrl> SplitHttpUrl(const std::string& url) {
  SplitUrl split;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    split.https = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return Status::InvalidArgument("\"" + url + "\" is not an http:// or https:// URL");
  }
  const size_t slash = rest.find_first_of("/?");
  const std::string authority = rest.substr(0, slash);
  if (authority.empty()) return Status::InvalidArgument("\"" + url + "\" has no host");
  split.origin = (split.https ? "https://" : "http://") + authority;
  split.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (split.target[0] == '?') split.target = "/" + split.target;
  if (authority[0] == '[') {
    split.host = authority.substr(1, authority.find(']') - 1);
  } else {
    split.host = authority.substr(0, authority.find(':'));
  }
  return split;
}

std::string FormEncode(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof(hex), "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

Result<HttpAnswer> Fetch(const HttpCall& call) {
  Result<SplitUrl> url = SplitHttpUrl(call.url);
  if (!url.ok()) return url.status();
  const std::string where = url->origin + url->target.substr(0, url->target.find('?'));
  httplib::Client client(url->origin);
  const auto secs = static_cast<time_t>(call.timeout_s);
  const auto usecs = static_cast<time_t>((call.timeout_s - static_cast<double>(secs)) * 1e6);
  client.set_connection_timeout(secs, usecs);
  client.set_read_timeout(secs, usecs);
  client.set_write_timeout(secs, usecs);
  client.set_follow_location(false);
  if (url->https) client.enable_server_certificate_verification(true);
  httplib::Headers headers;
  for (const auto& [name, value] : call.headers) headers.emplace(name, value);

  httplib::Result answer(nullptr, httplib::Error::Unknown);
  if (call.method == "GET") {
    answer = client.Get(url->target, headers);
  } else if (call.method == "PUT") {
    answer = client.Put(url->target, headers, call.body, call.content_type);
  } else if (call.method == "POST") {
    answer = client.Post(url->target, headers, call.body, call.content_type);
  } else {
    return Status::InvalidArgument("unsupported HTTP method " + call.method);
  }
  if (!answer) {
    const httplib::Error error = answer.error();
    std::string why = httplib::to_string(error);
    if (error == httplib::Error::ConnectionTimeout || error == httplib::Error::Read) {
      why = "no answer within " + std::to_string(call.timeout_s).substr(0, 4) + " s";
    } else if (error == httplib::Error::Connection) {
      why = "could not connect";
    }
    return Status::IOError(call.method + " " + where + " failed: " + why);
  }
  HttpAnswer out;
  out.status = answer->status;
  out.body = std::move(answer->body);
  return out;
}

}  // namespace ssm
