#include "proxy/modes/fault_spec.h"

#include <catch2/catch.hpp>

namespace ssm {
namespace {

FaultSpec Parsed(const std::string& text) {
  Result<FaultSpec> spec = FaultSpec::Parse(text);
  INFO(text << ": " << spec.status().ToString());
  REQUIRE(spec.ok());
  return spec.value();
}

std::string Error(const std::vector<std::string>& texts) {
  Result<FaultSpec> spec = FaultSpec::Parse(texts);
  REQUIRE_FALSE(spec.ok());
  CHECK(spec.status().IsInvalidArgument());
  return spec.status().message();
}
std::string Error(const std::string& text) { return Error(std::vector<std::string>{text}); }

TEST_CASE("fault spec parses every kind", "[fault_spec]") {
  FaultSpec s = Parsed("throttle=0.2,error500=0.05,reset=0.01,delay=5-20,notfound-first=2");
  CHECK(s.throttle == Approx(0.2));
  CHECK(s.error500 == Approx(0.05));
  CHECK(s.reset == Approx(0.01));
  CHECK(s.delay_min_ms == 5);
  CHECK(s.delay_max_ms == 20);
  CHECK(s.notfound_first == 2);
  CHECK_FALSE(s.empty());
  CHECK(s.ToString() == "throttle=0.2,error500=0.05,reset=0.01,delay=5-20,notfound-first=2");
}

TEST_CASE("fault spec: a fixed delay, percentages, spaces, and round trips", "[fault_spec]") {
  FaultSpec s = Parsed(" delay=50 , throttle=25% ");
  CHECK(s.delay_min_ms == 50);
  CHECK(s.delay_max_ms == 50);
  CHECK(s.throttle == Approx(0.25));
  CHECK(s.ToString() == "throttle=0.25,delay=50");
  CHECK(Parsed(s.ToString()).ToString() == s.ToString());
  CHECK(Parsed("throttle=1").throttle == 1);
  CHECK(Parsed("reset=.5").reset == Approx(0.5));
  CHECK(Parsed("throttle=0").empty());
  CHECK(Parsed("throttle=0").ToString() == "none");
}

TEST_CASE("fault spec: repeated --fault values merge", "[fault_spec]") {
  Result<FaultSpec> s =
      FaultSpec::Parse(std::vector<std::string>{"throttle=0.3", "delay=1-2,notfound-first=3"});
  REQUIRE(s.ok());
  CHECK(s->throttle == Approx(0.3));
  CHECK(s->delay_max_ms == 2);
  CHECK(s->notfound_first == 3);
}

TEST_CASE("fault spec errors name the bad part", "[fault_spec]") {
  std::string e = Error("throttle=0.2,bogus=1");
  CHECK_THAT(e, Catch::Contains("'bogus=1'"));
  CHECK_THAT(e, Catch::Contains("unknown fault 'bogus'"));
  CHECK_THAT(e, Catch::Contains("throttle=P"));  // says what is valid

  e = Error("throttle=abc");
  CHECK_THAT(e, Catch::Contains("'throttle=abc'"));
  CHECK_THAT(e, Catch::Contains("probability from 0 to 1"));
  CHECK_THAT(Error("throttle=1.5"), Catch::Contains("'throttle=1.5'"));
  CHECK_THAT(Error("error500=-0.1"), Catch::Contains("'error500=-0.1'"));
  CHECK_THAT(Error("reset=150%"), Catch::Contains("'reset=150%'"));
  CHECK_THAT(Error("throttle=nan"), Catch::Contains("'throttle=nan'"));
  CHECK_THAT(Error("throttle=0.5%%"), Catch::Contains("'throttle=0.5%%'"));

  CHECK_THAT(Error("throttle"), Catch::Contains("'throttle': expected KIND=VALUE"));
  CHECK_THAT(Error("delay=20-5"), Catch::Contains("minimum is above its maximum"));
  CHECK_THAT(Error("delay=5-"), Catch::Contains("'delay=5-'"));
  CHECK_THAT(Error("delay=-5"), Catch::Contains("'delay=-5'"));
  CHECK_THAT(Error("delay=fast"), Catch::Contains("delay takes milliseconds"));
  CHECK_THAT(Error("delay=600001"), Catch::Contains("'delay=600001'"));
  CHECK_THAT(Error("notfound-first=two"), Catch::Contains("'notfound-first=two'"));
  CHECK_THAT(Error("notfound-first=-1"), Catch::Contains("'notfound-first=-1'"));
  CHECK_THAT(Error("notfound-first=1001"), Catch::Contains("from 0 to 1000"));
  CHECK_THAT(Error("throttle=0.1,,delay=5"), Catch::Contains("empty part"));
  CHECK_THAT(Error("throttle=0.1,"), Catch::Contains("empty part"));
  CHECK_THAT(Error(""), Catch::Contains("empty"));
  CHECK_THAT(Error("throttle=0.1,throttle=0.2"), Catch::Contains("given more than once"));
  CHECK_THAT(Error(std::vector<std::string>{"delay=1", "delay=2"}), Catch::Contains("'delay=2'"));
}

TEST_CASE("fault spec: the exclusive probabilities cannot exceed 1 together", "[fault_spec]") {
  std::string e = Error("throttle=0.6,error500=0.3,reset=0.2");
  CHECK_THAT(e, Catch::Contains("throttle + error500 + reset is 1.1"));
  CHECK(Parsed("throttle=0.5,error500=0.3,reset=0.2").reset == Approx(0.2));
}

}  // namespace
}  // namespace ssm
