#include "proxy/aws/sigv4_signer.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace ssm {

namespace {

const char kAlgorithm[] = "AWS4-HMAC-SHA256";
const char kHexDigits[] = "0123456789abcdef";
const char kUpperHexDigits[] = "0123456789ABCDEF";

std::string ToHex(const unsigned char* data, size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kHexDigits[data[i] >> 4]);
    out.push_back(kHexDigits[data[i] & 0xf]);
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool IsUnreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// SigV4's UriEncode: unreserved bytes as they are, '/' too when `keep_slash`, the rest as %XX.
std::string UriEncode(const std::string& in, bool keep_slash) {
  std::string out;
  out.reserve(in.size());
  for (unsigned char c : in) {
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kUpperHexDigits[c >> 4]);
      out.push_back(kUpperHexDigits[c & 0xf]);
    }
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX; a '%' not followed by two hex digits stays literal. '+' stays '+' (SigV4 is not form
// decoding).
std::string PercentDecode(const std::string& in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(in[i]);
  }
  return out;
}

// RFC 3986 remove_dot_segments plus dropping empty segments, keeping a trailing '/': what botocore and
// aws-c-auth do ("//a/./b/../" -> "/a/").
std::string NormalizePath(const std::string& path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(std::move(segment));
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string& segment : segments) out += "/" + segment;
  if (out.empty() || (path.back() == '/' && out.back() != '/')) out.push_back('/');
  return out;
}

// Trimall: strip leading/trailing whitespace, collapse inner runs (spaces, tabs, folded line breaks) to
// one space.
std::string TrimAll(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (unsigned char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(static_cast<char>(c));
  }
  return out;
}

bool IsTokenChar(unsigned char c) {
  static const std::string kExtra = "!#$%&'*+-.^_`|~";
  return std::isalnum(c) || kExtra.find(static_cast<char>(c)) != std::string::npos;
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

void RemoveHeader(HeaderList& headers, const std::string& name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const auto& h) { return EqualsIgnoreCase(h.first, name); }),
                headers.end());
}

bool HasHeader(const HeaderList& headers, const std::string& name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return EqualsIgnoreCase(h.first, name); });
}

// HMAC-SHA256 into `out` (32 bytes). False on an OpenSSL failure.
bool HmacSha256(const std::string& key, const std::string& data, unsigned char out[32]) {
  unsigned int length = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return result != nullptr && length == 32;
}

}  // namespace

std::string AmzDate(std::time_t now) {
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &tm);
  return buffer;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) return "";
  return ToHex(digest, length);
}

std::string CanonicalUri(const std::string& path, bool normalize) {
  if (path.empty()) return "/";
  return UriEncode(normalize ? NormalizePath(path) : path, /*keep_slash=*/true);
}

std::string CanonicalQueryString(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    std::string pair = query.substr(start, end - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string key = eq == std::string::npos ? pair : pair.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
      params.emplace_back(UriEncode(PercentDecode(key), false), UriEncode(PercentDecode(value), false));
    }
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [key, value] : params) {
    if (!out.empty()) out.push_back('&');
    out += key + "=" + value;
  }
  return out;
}

Result<CanonicalHeaders> CanonicalizeHeaders(const HeaderList& headers,
                                             const std::vector<std::string>& unsigned_headers) {
  std::map<std::string, std::string> merged;  // sorted by lower-case name; values in received order
  for (const auto& [raw_name, value] : headers) {
    if (raw_name.empty() ||
        !std::all_of(raw_name.begin(), raw_name.end(), [](char c) { return IsTokenChar(c); })) {
      // The name only, never the value: values may be secrets.
      return Status::InvalidArgument("cannot sign a request with a malformed header name \"" + raw_name +
                                     "\"; header names must be HTTP tokens");
    }
    std::string name = Lower(raw_name);
    if (std::find(unsigned_headers.begin(), unsigned_headers.end(), name) != unsigned_headers.end()) {
      continue;
    }
    auto [it, inserted] = merged.emplace(name, TrimAll(value));
    if (!inserted) it->second += "," + TrimAll(value);
  }
  CanonicalHeaders out;
  for (const auto& [name, value] : merged) {
    out.canonical += name + ":" + value + "\n";
    if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
    out.signed_headers += name;
  }
  return out;
}

namespace {

std::string AssembleCanonicalRequest(const SigningRequest& request, const CanonicalHeaders& headers,
                                     const std::string& payload_hash, const SigningOptions& options) {
  std::string out;
  out.reserve(256 + headers.canonical.size());
  out += request.method + "\n";
  out += CanonicalUri(request.path, options.normalize_path) + "\n";
  out += CanonicalQueryString(request.query) + "\n";
  out += headers.canonical + "\n";
  out += headers.signed_headers + "\n";
  out += payload_hash;
  return out;
}

}  // namespace

Result<std::string> CanonicalRequest(const SigningRequest& request, const std::string& payload_hash,
                                     const SigningOptions& options) {
  Result<CanonicalHeaders> headers = CanonicalizeHeaders(request.headers, options.unsigned_headers);
  if (!headers.ok()) return headers.status();
  return AssembleCanonicalRequest(request, *headers, payload_hash, options);
}

std::string CredentialScope(const std::string& amz_date, const std::string& region,
                            const std::string& service) {
  return amz_date.substr(0, 8) + "/" + region + "/" + service + "/aws4_request";
}

std::string StringToSign(const std::string& amz_date, const std::string& credential_scope,
                         const std::string& canonical_request) {
  return std::string(kAlgorithm) + "\n" + amz_date + "\n" + credential_scope + "\n" +
         Sha256Hex(canonical_request);
}

std::string Signature(const std::string& secret_access_key, const std::string& amz_date,
                      const std::string& region, const std::string& service,
                      const std::string& string_to_sign) {
  unsigned char key[32];
  unsigned char next[32];
  auto as_string = [](const unsigned char* k) { return std::string(reinterpret_cast<const char*>(k), 32); };
  if (!HmacSha256("AWS4" + secret_access_key, amz_date.substr(0, 8), key)) return "";
  for (const std::string* part : {&region, &service}) {
    if (!HmacSha256(as_string(key), *part, next)) return "";
    std::copy(next, next + 32, key);
  }
  if (!HmacSha256(as_string(key), "aws4_request", next)) return "";
  if (!HmacSha256(as_string(next), string_to_sign, key)) return "";
  return ToHex(key, 32);
}

Status SignRequest(SigningRequest& request, const AwsCredentials& credentials, const std::string& region,
                   const std::string& service, std::time_t now, const SigningOptions& options,
                   SigningDetails* details) {
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::InvalidArgument(
        "cannot sign: the AWS credentials have an empty access key id or secret access key");
  }
  if (region.empty() || service.empty()) {
    return Status::InvalidArgument("cannot sign: the region and the service must be set (got region \"" +
                                   region + "\", service \"" + service + "\")");
  }
  if (request.method.empty()) return Status::InvalidArgument("cannot sign: the request has no method");

  RemoveHeader(request.headers, "Authorization");
  RemoveHeader(request.headers, "X-Amz-Date");
  RemoveHeader(request.headers, "X-Amz-Security-Token");
  if (!HasHeader(request.headers, "Host")) {
    if (request.host.empty()) {
      return Status::InvalidArgument("cannot sign: the request has no Host header and no host was given");
    }
    request.headers.emplace_back("Host", request.host);
  }
  const std::string amz_date = AmzDate(now);
  request.headers.emplace_back("X-Amz-Date", amz_date);
  const bool has_token = !credentials.session_token.empty();
  if (has_token && options.sign_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  const std::string payload_hash = Sha256Hex(request.body);
  if (payload_hash.empty()) return Status::IOError("cannot sign: OpenSSL's SHA-256 failed");
  if (options.add_content_sha256) {
    RemoveHeader(request.headers, "X-Amz-Content-Sha256");
    request.headers.emplace_back("X-Amz-Content-Sha256", payload_hash);
  }

  Result<CanonicalHeaders> headers = CanonicalizeHeaders(request.headers, options.unsigned_headers);
  if (!headers.ok()) return headers.status();
  std::string canonical_request = AssembleCanonicalRequest(request, *headers, payload_hash, options);
  const std::string scope = CredentialScope(amz_date, region, service);
  std::string string_to_sign = StringToSign(amz_date, scope, canonical_request);
  std::string signature = Signature(credentials.secret_access_key, amz_date, region, service, string_to_sign);
  if (signature.empty()) return Status::IOError("cannot sign: OpenSSL's HMAC-SHA256 failed");

  if (has_token && !options.sign_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  request.headers.emplace_back(
      "Authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" + scope +
                           ", SignedHeaders=" + headers->signed_headers + ", Signature=" + signature);
  if (details != nullptr) {
    details->canonical_request = std::move(canonical_request);
    details->string_to_sign = std::move(string_to_sign);
    details->signed_headers = headers->signed_headers;
    details->signature = std::move(signature);
  }
  return Status::OK();
}

}  // namespace ssm
