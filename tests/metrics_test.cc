#include "proxy/http/metrics.h"

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

namespace ssm {
namespace {

TEST_CASE("metrics count by action and outcome and render Prometheus text", "[metrics]") {
  Metrics m;
  m.RecordRequest("GetCommandInvocation", Outcome::kHit, 120);
  m.RecordRequest("GetCommandInvocation", Outcome::kHit, 80);
  m.RecordRequest("GetCommandInvocation", Outcome::kMiss, 3000);
  m.RecordRequest("NotAnAction", Outcome::kError, 10);
  m.RecordRequest("", Outcome::kError, 10);
  m.RecordFault("throttle");
  CHECK(m.requests("GetCommandInvocation", Outcome::kHit) == 2);
  CHECK(m.requests("-", Outcome::kError) == 2);
  CHECK(m.total_requests() == 5);
  MetricsGauges g;
  g.tapes_cached = 3;
  std::string text = m.Render(g);
  CHECK(text.find("ssm_replay_requests_total{action=\"GetCommandInvocation\",outcome=\"hit\"} 2\n") !=
        std::string::npos);
  CHECK(text.find("ssm_replay_requests_total{action=\"GetCommandInvocation\",outcome=\"miss\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("ssm_replay_requests_total{action=\"-\",outcome=\"error\"} 2\n") != std::string::npos);
  CHECK(text.find("NotAnAction") == std::string::npos);  // labels stay bounded
  CHECK(text.find("ssm_replay_request_duration_seconds_bucket{le=\"0.0001\"} 3\n") != std::string::npos);
  CHECK(text.find("ssm_replay_request_duration_seconds_bucket{le=\"+Inf\"} 5\n") != std::string::npos);
  CHECK(text.find("ssm_replay_request_duration_seconds_count 5\n") != std::string::npos);
  CHECK(text.find("ssm_replay_tapes_loaded 3\n") != std::string::npos);
  CHECK(text.find("ssm_replay_decoded_cache_bypassed 0\n") != std::string::npos);
  g.decoded_cache_bypassed = true;
  CHECK(m.Render(g).find("ssm_replay_decoded_cache_bypassed 1\n") != std::string::npos);
  CHECK(text.find("ssm_replay_faults_injected_total{fault=\"throttle\"} 1\n") != std::string::npos);
}

TEST_CASE("metrics are safe under concurrent updates", "[metrics][concurrency]") {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) m.RecordRequest("GetCommandInvocation", Outcome::kHit, i % 500);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(m.requests("GetCommandInvocation", Outcome::kHit) == 80000);
  CHECK(m.Render({}).find("ssm_replay_request_duration_seconds_count 80000\n") != std::string::npos);
}

}  // namespace
}  // namespace ssm
