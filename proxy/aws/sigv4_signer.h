// AWS Signature Version 4 (Authorization-header form) on OpenSSL's SHA-256 and HMAC.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
//
// The record path re-signs every forwarded request with the operator's credentials. Everything here is a
// pure function of its arguments (the time is passed in), so it is thread-safe and testable against the
// official vectors (tests/data/sigv4-test-suite) and botocore. Nothing here logs; the signature, the
// Authorization header and the credentials must not be logged or stored by callers either.
#ifndef SSM_REPLAY_PROXY_AWS_SIGV4_SIGNER_H_
#define SSM_REPLAY_PROXY_AWS_SIGV4_SIGNER_H_

#include <ctime>
#include <string>
#include <vector>

#include "proxy/aws/aws_credentials.h"
#include "store/interaction.h"
#include "store/status.h"

namespace ssm {

// A request about to be sent upstream. Plain value owned by the caller; SignRequest edits `headers`.
struct SigningRequest {
  std::string method;  // "POST"
  std::string path;    // as sent on the wire, percent-encoding kept, without the query: "/"
  std::string query;   // as sent, after the '?' (excluded); "" when none
  // Authority ("ssm.us-east-1.amazonaws.com", "127.0.0.1:5000") for the Host header, used only when
  // `headers` has no Host. The Host signed must be the one sent: pass these headers to the HTTP client.
  std::string host;
  HeaderList headers;  // any case, any order; repeated names allowed
  std::string body;
};

struct SigningOptions {
  // Remove "." and ".." segments and empty segments ("//") from the path before encoding, as every
  // service but S3 expects. SSM's path is "/", which this leaves alone.
  bool normalize_path = true;
  // Add X-Amz-Content-Sha256 (the body's hash) and sign it. SSM does not need it; S3 does.
  bool add_content_sha256 = false;
  // false: X-Amz-Security-Token is added after signing, outside SignedHeaders (a few old services want
  // that, and one official vector tests it). true (default, what botocore does): it is signed.
  bool sign_session_token = true;
  // Lower-case names sent but never signed, because proxies on the way may change them. Same list as
  // botocore's SIGNED_HEADERS_BLACKLIST.
  std::vector<std::string> unsigned_headers = {
      "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
      "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id"};
};

// The intermediate values of one signing, for tests and debugging in a test. Holds the signature: never
// log it.
struct SigningDetails {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-date"
  std::string signature;       // 64 lower-case hex digits
};

// Signs `request` in place for `region`/`service` at `now` (Unix seconds, UTC). First removes any
// Authorization, X-Amz-Date and X-Amz-Security-Token it carries (and X-Amz-Content-Sha256 when
// options.add_content_sha256), then adds Host (if missing, from request.host), X-Amz-Date,
// X-Amz-Security-Token (when credentials carry a session token), X-Amz-Content-Sha256 (when asked) and
// Authorization. Every header not in options.unsigned_headers is signed. On error `request` may be
// partly modified; messages never contain credentials or header values. `details` may be null.
Status SignRequest(SigningRequest& request, const AwsCredentials& credentials, const std::string& region,
                   const std::string& service, std::time_t now, const SigningOptions& options = {},
                   SigningDetails* details = nullptr);

// ---- The pieces, exposed for tests. ----

// "20150830T123600Z" for `now`.
std::string AmzDate(std::time_t now);

// SHA-256 of `data` as 64 lower-case hex digits.
std::string Sha256Hex(const std::string& data);

// UriEncode(path) per SigV4, after optional normalisation: bytes outside A-Za-z0-9-._~ and '/' become
// %XX (upper-case). The wire path is thus encoded a second time ("%20" -> "%2520"), as AWS expects for
// every service but S3. Empty path -> "/".
std::string CanonicalUri(const std::string& path, bool normalize);

// Parameters split on '&' and the first '=', percent-decoded then re-encoded (unreserved bytes kept),
// sorted by key then value, joined back: "b=2&a" -> "a=&b=2".
std::string CanonicalQueryString(const std::string& query);

// Canonical header block (with its trailing "\n" per header) and the SignedHeaders list: names
// lower-cased and sorted, values trimmed with inner runs of whitespace (incl. folded lines) collapsed to
// one space, repeated names joined with ',' in the order received. Headers in `unsigned_headers` are
// skipped. InvalidArgument for an empty or malformed header name.
struct CanonicalHeaders {
  std::string canonical;  // "host:example.com\nx-amz-date:...\n"
  std::string signed_headers;
};
Result<CanonicalHeaders> CanonicalizeHeaders(const HeaderList& headers,
                                             const std::vector<std::string>& unsigned_headers);

// METHOD \n CanonicalUri \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n payload_hash,
// for the request exactly as given (no headers are added).
Result<std::string> CanonicalRequest(const SigningRequest& request, const std::string& payload_hash,
                                     const SigningOptions& options = {});

// "20150830/us-east-1/service/aws4_request"
std::string CredentialScope(const std::string& amz_date, const std::string& region,
                            const std::string& service);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical_request>"
std::string StringToSign(const std::string& amz_date, const std::string& credential_scope,
                         const std::string& canonical_request);

// HMAC chain from "AWS4"+secret over date, region, service, "aws4_request", then over string_to_sign;
// lower-case hex. Empty on an OpenSSL failure.
std::string Signature(const std::string& secret_access_key, const std::string& amz_date,
                      const std::string& region, const std::string& service,
                      const std::string& string_to_sign);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_AWS_SIGV4_SIGNER_H_
