#include "proxy/http/request_headers.h"

#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

// A request as cpp-httplib hands it over: the client's headers plus the four it adds.
httplib::Request Received(const HeaderList& sent) {
  httplib::Request req;
  for (const auto& [name, value] : sent) req.headers.emplace(name, value);
  for (const char* added : {"REMOTE_ADDR", "REMOTE_PORT", "LOCAL_ADDR", "LOCAL_PORT"}) req.headers.emplace(added, "1");
  return req;
}

const HeaderList kSdkCall = {{"Content-Type", "application/x-amz-json-1.1"},
                             {"X-Amz-Target", "AmazonSSM.GetCommandInvocation"},
                             {"X-Ssm-Replay-Session", "suite-7"},
                             {"Authorization", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/x"},
                             {"User-Agent", "aws-cli/1.36.0"},
                             {"Content-Length", "80"}};

TEST_CASE("header facts count the client's header section, not cpp-httplib's additions", "[request_headers]") {
  HeaderFacts facts = GatherHeaderFacts(Received(kSdkCall));
  size_t sent = 0;
  for (const auto& [name, value] : kSdkCall) sent += name.size() + value.size() + 4;
  CHECK(facts.bytes == sent);
  CHECK(facts.content_length == 80);
  CHECK_FALSE(facts.chunked);
  CHECK(GatherHeaderFacts(Received({{"transfer-encoding", "chunked"}})).chunked);
}

TEST_CASE("a mode that reads headers gets the client's; one that reads none only the parser's", "[request_headers]") {
  httplib::Request req = Received(kSdkCall);
  HeaderList all = HeadersForMode(req, true, false);
  CHECK(all.size() == kSdkCall.size());
  for (const auto& header : kSdkCall) CHECK(std::count(all.begin(), all.end(), header) == 1);

  HeaderList few = HeadersForMode(req, false, false);
  CHECK(few == HeaderList{{"X-Amz-Target", "AmazonSSM.GetCommandInvocation"}, {"X-Ssm-Replay-Session", "suite-7"}});
  HeaderList with_key = HeadersForMode(req, false, true);  // serve --session-from-access-key
  CHECK(with_key.size() == 3);
  CHECK(std::count(with_key.begin(), with_key.end(), kSdkCall[3]) == 1);
}

}  // namespace
}  // namespace ssm
