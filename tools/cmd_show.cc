// ssm-replay show: one tape as a timeline, the way a waiter would see it.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "tools/cli_util.h"
#include "tools/command.h"

namespace ssm {
namespace {

struct ShowOptions {
  std::string store;
  TapeKeyOptions key;
};

// "Success", "InvocationDoesNotExist (error)", ... : what the answer means to a client.
std::string Summary(const Interaction& i) {
  auto body = nlohmann::json::parse(i.response_body, nullptr, false);
  if (body.is_object()) {
    if (body.contains("__type") && body["__type"].is_string()) {
      std::string type = body["__type"].get<std::string>();
      auto hash = type.find('#');  // some services send "namespace#Type"
      return "error " + (hash == std::string::npos ? type : type.substr(hash + 1));
    }
    if (body.contains("Status") && body["Status"].is_string()) return body["Status"].get<std::string>();
    if (body.contains("Command") && body["Command"].is_object() && body["Command"].contains("Status")) {
      return "Command " + body["Command"]["Status"].get<std::string>();
    }
  }
  return std::to_string(i.response_body.size()) + " bytes";
}

void RunShow(const ShowOptions& o) {
  auto store = OpenStoreOrFail("show", o.store, StoreAccess::kRead);
  auto key = o.key.Key(*store);
  if (!key.ok()) Fail("show", key.status().message());
  auto tape = store->ReadTape(*key);
  if (!tape.ok()) Fail("show", tape.status().message());
  std::cout << key->Describe() << "\n";
  if (!key->is_invocation() && !tape->interactions.empty()) {
    std::cout << "request " << tape->interactions.front().request_body << "\n";
  }
  std::printf("%-5s %-24s %8s %11s  %s\n", "STEP", "RECORDED", "+SECONDS", "LATENCY", "HTTP  STATUS OR ERROR");
  int64_t first = tape->interactions.empty() ? 0 : tape->interactions.front().recorded_at_ms;
  int step = 0;
  for (const auto& i : tape->interactions) {
    std::time_t secs = static_cast<std::time_t>(i.recorded_at_ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    std::printf("%-5d %s.%03dZ %8.1f %8.1f ms  %d   %s\n", ++step, when, static_cast<int>(i.recorded_at_ms % 1000),
                static_cast<double>(i.recorded_at_ms - first) / 1000.0,
                static_cast<double>(i.upstream_latency_us) / 1000.0, i.status, Summary(i).c_str());
  }
}

CommandRegistration registration(13, [](CLI::App& app) {
  auto o = std::make_shared<ShowOptions>();
  auto* cmd = app.add_subcommand("show", "Show one tape as a timeline: step, status or error, latency");
  AddStoreOption(cmd, &o->store, StoreAccess::kRead);
  o->key.AddTo(cmd);
  cmd->callback([o] { RunShow(*o); });
});

}  // namespace
}  // namespace ssm
