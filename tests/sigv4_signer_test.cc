// SigV4 signer (proxy/aws/sigv4_signer.h): the official AWS vectors, botocore on SSM requests, the pieces.
#include "proxy/aws/sigv4_signer.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace fs = std::filesystem;

namespace ssm {
namespace {

const char kSuiteDir[] = SSM_TEST_DATA_DIR "/sigv4-test-suite";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// request.txt / header-signed-request.txt: "METHOD PATH HTTP/1.1", headers (a line starting with
// whitespace continues the previous header's value: obs-fold, kept with its line break), a blank line,
// the body. PATH may contain spaces (get-space-*), so the version is cut from the right.
SigningRequest ParseRawRequest(const std::string& text) {
  SigningRequest request;
  size_t pos = text.find('\n');
  REQUIRE(pos != std::string::npos);
  const std::string request_line = text.substr(0, pos);
  const size_t method_end = request_line.find(' ');
  const size_t version_start = request_line.rfind(" HTTP/");
  REQUIRE(method_end != std::string::npos);
  REQUIRE(version_start != std::string::npos);
  request.method = request_line.substr(0, method_end);
  const std::string target = request_line.substr(method_end + 1, version_start - method_end - 1);
  const size_t question = target.find('?');
  request.path = target.substr(0, question);
  request.query = question == std::string::npos ? "" : target.substr(question + 1);
  ++pos;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty()) {  // end of headers
      if (pos < text.size()) request.body = text.substr(pos);
      break;
    }
    if (line[0] == ' ' || line[0] == '\t') {
      REQUIRE(!request.headers.empty());
      request.headers.back().second += "\n" + line;
      continue;
    }
    const size_t colon = line.find(':');
    REQUIRE(colon != std::string::npos);
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  return request;
}

std::time_t ParseIsoTime(const std::string& iso) {  // "2015-08-30T12:36:00Z"
  std::tm tm{};
  REQUIRE(strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) != nullptr);
  return timegm(&tm);
}

std::string HeaderValue(const HeaderList& headers, const std::string& name) {
  for (const auto& [n, v] : headers) {
    if (Lower(n) == Lower(name)) return v;
  }
  return "";
}

std::vector<std::string> AllValues(const HeaderList& headers, const std::string& name) {
  std::vector<std::string> values;
  for (const auto& [n, v] : headers) {
    if (Lower(n) == Lower(name)) values.push_back(v);
  }
  return values;
}

size_t CountHeader(const HeaderList& headers, const std::string& name) {
  return std::count_if(headers.begin(), headers.end(),
                       [&](const auto& h) { return Lower(h.first) == Lower(name); });
}

std::vector<fs::path> SuiteCases() {
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(kSuiteDir)) {
    if (entry.is_directory()) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace

TEST_CASE("every header-signing case of the AWS SigV4 test suite", "[sigv4]") {
  const std::vector<fs::path> cases = SuiteCases();
  // The suite copied into tests/data has 38 cases; fewer means the copy is broken, not that we pass.
  REQUIRE(cases.size() == 38);
  for (const fs::path& dir : cases) {
    DYNAMIC_SECTION(dir.filename().string()) {
      const nlohmann::json context = nlohmann::json::parse(test::ReadWholeFile(dir / "context.json"));
      SigningRequest request = ParseRawRequest(test::ReadWholeFile(dir / "request.txt"));
      AwsCredentials credentials;
      credentials.access_key_id = context["credentials"]["access_key_id"];
      credentials.secret_access_key = context["credentials"]["secret_access_key"];
      credentials.session_token = context["credentials"].value("token", "");
      SigningOptions options;
      options.normalize_path = context.value("normalize", true);
      options.add_content_sha256 = context.value("sign_body", false);
      // aws-c-auth's omit_session_token: the token is sent but added after signing, unsigned.
      options.sign_session_token = !context.value("omit_session_token", false);

      SigningDetails details;
      Status status = SignRequest(request, credentials, context["region"], context["service"],
                                  ParseIsoTime(context["timestamp"]), options, &details);
      REQUIRE(status.ok());
      CHECK(details.canonical_request == test::ReadWholeFile(dir / "header-canonical-request.txt"));
      CHECK(details.string_to_sign == test::ReadWholeFile(dir / "header-string-to-sign.txt"));
      CHECK(details.signature == test::ReadWholeFile(dir / "header-signature.txt"));

      // The signed request: every expected header with its exact value, nothing more.
      const SigningRequest expected = ParseRawRequest(test::ReadWholeFile(dir / "header-signed-request.txt"));
      CHECK(HeaderValue(request.headers, "Authorization") == HeaderValue(expected.headers, "Authorization"));
      CHECK(request.headers.size() == expected.headers.size());
      for (const auto& [name, unused] : expected.headers) {
        INFO("header " << name);
        CHECK(AllValues(request.headers, name) == AllValues(expected.headers, name));
      }
      CHECK(request.body == expected.body);
    }
  }
}

TEST_CASE("SigV4 pieces", "[sigv4]") {
  SECTION("hashes and dates") {
    CHECK(Sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(AmzDate(1440938160) == "20150830T123600Z");
    CHECK(CredentialScope("20150830T123600Z", "eu-west-1", "ssm") == "20150830/eu-west-1/ssm/aws4_request");
  }
  SECTION("the path is encoded once more than on the wire, as every service but S3 expects") {
    CHECK(CanonicalUri("", true) == "/");
    CHECK(CanonicalUri("/", true) == "/");
    CHECK(CanonicalUri("/example%20space", false) == "/example%2520space");
    CHECK(CanonicalUri("/a//b/./c/../d/", true) == "/a/b/d/");
    CHECK(CanonicalUri("/a//b/./c/../d/", false) == "/a//b/./c/../d/");
    CHECK(CanonicalUri("/../..", true) == "/");
  }
  SECTION("query parameters are decoded, re-encoded and sorted") {
    CHECK(CanonicalQueryString("") == "");
    CHECK(CanonicalQueryString("b=2&a") == "a=&b=2");
    CHECK(CanonicalQueryString("k=2&k=1&&j=%7e") == "j=~&k=1&k=2");
    CHECK(CanonicalQueryString("x=a+b%20c%zz") == "x=a%2Bb%20c%25zz");
  }
  SECTION("headers: lower-cased, sorted, trimmed, repeats joined, unsigned ones skipped") {
    HeaderList headers = {{"X-B", "  two  words \t here "}, {"x-a", "1"}, {"User-Agent", "botocore"},
                          {"X-A", "2"}};
    Result<CanonicalHeaders> canonical = CanonicalizeHeaders(headers, SigningOptions().unsigned_headers);
    REQUIRE(canonical.ok());
    CHECK(canonical->canonical == "x-a:1,2\nx-b:two words here\n");
    CHECK(canonical->signed_headers == "x-a;x-b");
  }
  SECTION("a malformed header name is refused without echoing any value") {
    HeaderList headers = {{"Bad Name", "s3cr3t-value"}};
    Result<CanonicalHeaders> canonical = CanonicalizeHeaders(headers, {});
    REQUIRE_FALSE(canonical.ok());
    CHECK(canonical.status().IsInvalidArgument());
    CHECK(canonical.status().message().find("s3cr3t-value") == std::string::npos);
  }
}

TEST_CASE("SignRequest replaces the client's signing headers and never leaks credentials", "[sigv4]") {
  AwsCredentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", "test"};
  SigningRequest request;
  request.method = "POST";
  request.path = "/";
  request.host = "ssm.us-east-1.amazonaws.com";
  request.body = "{}";
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "AmazonSSM.GetCommandInvocation"},
                     {"authorization", "AWS4-HMAC-SHA256 Credential=CLIENTKEY/..."},
                     {"X-AMZ-DATE", "20200101T000000Z"},
                     {"X-Amz-Security-Token", "client-token"}};

  SECTION("client's Authorization, X-Amz-Date and token are dropped; Host is added") {
    SigningDetails details;
    REQUIRE(SignRequest(request, credentials, "us-east-1", "ssm", 1440938160, {}, &details).ok());
    CHECK(CountHeader(request.headers, "Authorization") == 1);
    CHECK(CountHeader(request.headers, "X-Amz-Date") == 1);
    CHECK(HeaderValue(request.headers, "X-Amz-Date") == "20150830T123600Z");
    CHECK(CountHeader(request.headers, "X-Amz-Security-Token") == 0);  // operator has no token
    CHECK(HeaderValue(request.headers, "Host") == "ssm.us-east-1.amazonaws.com");
    CHECK(details.signed_headers == "content-type;host;x-amz-date;x-amz-target");
    CHECK(HeaderValue(request.headers, "Authorization") ==
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/ssm/aws4_request, "
          "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + details.signature);
    // sha256("{}"): the body is always hashed for SSM.
    const std::string body_hash = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    CHECK(details.canonical_request.size() > body_hash.size());
    CHECK(details.canonical_request.substr(details.canonical_request.size() - body_hash.size()) == body_hash);
    CHECK(CountHeader(request.headers, "X-Amz-Content-Sha256") == 0);
  }
  SECTION("signing twice gives the same single set of headers (a retry re-signs)") {
    REQUIRE(SignRequest(request, credentials, "us-east-1", "ssm", 1440938160).ok());
    const HeaderList first = request.headers;
    REQUIRE(SignRequest(request, credentials, "us-east-1", "ssm", 1440938160).ok());
    CHECK(request.headers == first);
  }
  SECTION("the operator's session token replaces the client's and is signed") {
    credentials.session_token = "operator-token";
    SigningDetails details;
    REQUIRE(SignRequest(request, credentials, "us-east-1", "ssm", 1440938160, {}, &details).ok());
    CHECK(CountHeader(request.headers, "X-Amz-Security-Token") == 1);
    CHECK(HeaderValue(request.headers, "X-Amz-Security-Token") == "operator-token");
    CHECK(details.signed_headers == "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
  }
  SECTION("a different body, secret or time changes the signature") {
    SigningRequest other = request;
    SigningDetails a, b, c, d;
    REQUIRE(SignRequest(request, credentials, "us-east-1", "ssm", 1440938160, {}, &a).ok());
    other.body = "{ }";
    REQUIRE(SignRequest(other, credentials, "us-east-1", "ssm", 1440938160, {}, &b).ok());
    AwsCredentials wrong = credentials;
    wrong.secret_access_key += "x";
    REQUIRE(SignRequest(request, wrong, "us-east-1", "ssm", 1440938160, {}, &c).ok());
    REQUIRE(SignRequest(request, credentials, "us-east-1", "ssm", 1440938161, {}, &d).ok());
    CHECK(a.signature != b.signature);
    CHECK(a.signature != c.signature);
    CHECK(a.signature != d.signature);
  }
  SECTION("errors are clear and free of credentials") {
    std::vector<Status> errors;
    SigningRequest no_host = request;
    no_host.host.clear();
    errors.push_back(SignRequest(no_host, credentials, "us-east-1", "ssm", 0));
    AwsCredentials no_secret = credentials;
    no_secret.secret_access_key.clear();
    errors.push_back(SignRequest(request, no_secret, "us-east-1", "ssm", 0));
    errors.push_back(SignRequest(request, credentials, "", "ssm", 0));
    SigningRequest bad_header = request;
    bad_header.headers.emplace_back("X Bad", credentials.secret_access_key);
    errors.push_back(SignRequest(bad_header, credentials, "us-east-1", "ssm", 0));
    for (const Status& status : errors) {
      INFO(status.ToString());
      CHECK(status.IsInvalidArgument());
      CHECK(status.message().find("AKIDEXAMPLE") == std::string::npos);
      CHECK(status.message().find("wJalrXUtnFEMI") == std::string::npos);
    }
    CHECK(errors[0].message().find("Host") != std::string::npos);
  }
}

namespace {

struct BotocoreCase {
  std::string name;
  std::string url;
  std::string host;
  HeaderList headers;
  std::string body;
  std::string token;
  std::string region;
  std::time_t now;
};

std::string ToHex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

// Runs tests/e2e/sigv4_botocore.py on `input`; FAILs (never skips) when python3 or botocore is missing.
nlohmann::json RunBotocore(const nlohmann::json& input) {
  char in_path[] = "/tmp/ssm-sigv4-in-XXXXXX";
  char err_path[] = "/tmp/ssm-sigv4-err-XXXXXX";
  int in_fd = mkstemp(in_path);
  int err_fd = mkstemp(err_path);
  REQUIRE(in_fd >= 0);
  REQUIRE(err_fd >= 0);
  close(err_fd);
  const std::string text = input.dump();
  REQUIRE(write(in_fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(in_fd);
  const std::string helper = SSM_TEST_DATA_DIR "/../e2e/sigv4_botocore.py";
  const std::string command =
      "python3 '" + helper + "' < '" + in_path + "' 2> '" + err_path + "'";
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, n);
  const int status = pclose(pipe);
  std::ifstream err_in(err_path);
  const std::string errors((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
  unlink(in_path);
  unlink(err_path);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 127) FAIL("python3 is not installed: run tools/setup.sh --tests (this test needs python3 + botocore)");
  if (code == 2) FAIL("botocore is not installed: run tools/setup.sh --tests. " << errors);
  if (code != 0) FAIL("sigv4_botocore.py failed (exit " << code << "): " << errors);
  return nlohmann::json::parse(output);
}

}  // namespace

TEST_CASE("agrees with botocore's SigV4Auth on SSM requests", "[sigv4][botocore]") {
  const HeaderList json11 = {{"Content-Type", "application/x-amz-json-1.1"},
                             {"X-Amz-Target", "AmazonSSM.GetCommandInvocation"},
                             {"User-Agent", "aws-cli/1.33 Python/3.11 botocore/1.43"}};
  HeaderList send_command = json11;
  send_command[1].second = "AmazonSSM.SendCommand";
  const std::string get_body =
      R"({"CommandId": "5f2c1d6e-8f0a-4c3b-9e1a-0123456789ab", "InstanceId": "i-0123456789abcdef0"})";
  const std::string token =
      "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/token+with/slashes==";
  std::vector<BotocoreCase> cases = {
      {"GetCommandInvocation", "https://ssm.us-east-1.amazonaws.com/", "ssm.us-east-1.amazonaws.com", json11,
       get_body, "", "us-east-1", 1764405600},
      {"with session token", "https://ssm.us-east-1.amazonaws.com/", "ssm.us-east-1.amazonaws.com", json11,
       get_body, token, "us-east-1", 1764405600},
      {"unicode body", "https://ssm.eu-west-1.amazonaws.com/", "ssm.eu-west-1.amazonaws.com", send_command,
       u8R"({"DocumentName": "AWS-RunShellScript", "Comment": "héllo ✓ 日本語 \u00e9", )"
       u8R"("Parameters": {"commands": ["echo 'ünïcödé' && echo \"😀\""]}, "InstanceIds": ["i-1"]})",
       token, "eu-west-1", 1700000000},
      {"empty body, local upstream with a port", "http://127.0.0.1:5000/", "127.0.0.1:5000", json11, "", "",
       "us-west-2", 1800000001},
      {"padded header values", "https://ssm.ap-southeast-2.amazonaws.com/",
       "ssm.ap-southeast-2.amazonaws.com",
       {{"Content-Type", "  application/x-amz-json-1.1  "}, {"X-Amz-Target", "AmazonSSM.ListCommands"},
        {"X-Custom", "a   b\tc"}},
       "{}", "", "ap-southeast-2", 1764405600},
  };

  const AwsCredentials base{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", "test"};
  nlohmann::json input = {{"cases", nlohmann::json::array()}};
  for (const BotocoreCase& c : cases) {
    nlohmann::json headers = nlohmann::json::array();
    for (const auto& [n, v] : c.headers) headers.push_back({n, v});
    input["cases"].push_back({{"method", "POST"}, {"url", c.url}, {"headers", headers},
                              {"body_hex", ToHex(c.body)}, {"access_key", base.access_key_id},
                              {"secret_key", base.secret_access_key}, {"token", c.token},
                              {"region", c.region}, {"service", "ssm"}, {"amz_date", AmzDate(c.now)}});
  }
  const nlohmann::json output = RunBotocore(input);
  REQUIRE(output["results"].size() == cases.size());

  for (size_t i = 0; i < cases.size(); ++i) {
    const BotocoreCase& c = cases[i];
    INFO("case: " << c.name << " (botocore " << output.value("botocore_version", "?") << ")");
    AwsCredentials credentials = base;
    credentials.session_token = c.token;
    SigningRequest request{"POST", "/", "", c.host, c.headers, c.body};
    REQUIRE(SignRequest(request, credentials, c.region, "ssm", c.now).ok());
    HeaderList theirs;
    for (const auto& h : output["results"][i]["headers"]) theirs.emplace_back(h[0], h[1]);
    const std::string authorization = output["results"][i]["authorization"];
    REQUIRE(authorization.rfind("AWS4-HMAC-SHA256 Credential=", 0) == 0);
    CHECK(HeaderValue(request.headers, "Authorization") == authorization);
    CHECK(HeaderValue(request.headers, "X-Amz-Date") == HeaderValue(theirs, "X-Amz-Date"));
    CHECK(HeaderValue(request.headers, "X-Amz-Security-Token") ==
          HeaderValue(theirs, "X-Amz-Security-Token"));
  }
}

}  // namespace ssm
