// `ssm-replay serve`: the proxy. Builds the mode asked for (replay, record, auto, passthrough), with
// fault injection around it when asked, and serves it over HTTP.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "proxy/http/json_log.h"
#include "proxy/http/metrics.h"
#include "proxy/http/server.h"
#include "proxy/log/buffered_stderr_sink.h"
#include "proxy/modes/fault_mode.h"
#include "proxy/modes/forwarding_modes.h"
#include "proxy/modes/mode.h"
#include "proxy/modes/replay_mode.h"
#include "proxy/replay/cursor_table.h"
#include "proxy/replay/session_registry.h"
#include "proxy/replay/tape_player.h"
#include "proxy/ssm/request_parser.h"
#include "store/tape_store.h"
#include "tools/cli_util.h"
#include "tools/command.h"
#include "tools/serve_options.h"

namespace ssm {
namespace {

struct ServeArgs {
  std::string store;
  std::string mode = "replay";
  std::string order = "sequence";
  std::string latency = "none";
  std::string listen = "127.0.0.1:4580";
  size_t max_body = kDefaultMaxBody;
  std::string admin_token;
  std::string log_level = "info";
  bool print_example = false;
  size_t max_threads = 1024;
  size_t cache_mb = 24;
  SessionArgs sessions;       // --polls, --shift-times, --session-ttl, ... (tools/serve_options.h)
  ForwardingArgs forwarding;  // record / auto / passthrough (proxy/modes/forwarding_modes.h)
  FaultArgs faults;           // --fault, --seed (tools/serve_options.h)
};

// A value safe to paste into a POSIX shell.
std::string ShellQuote(const std::string& s) {
  if (!s.empty() &&
      s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/") ==
          std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A GetCommandInvocation tape to show in the example, preferring one that ends in Success.
std::optional<TapeKey> ExampleKey(const TapeStore& store) {
  TapeFilter filter;
  filter.action = kGetCommandInvocation;
  filter.limit = 50;
  Result<std::vector<TapeInfo>> tapes = store.ListTapes(filter);
  if (!tapes.ok() || tapes->empty()) return std::nullopt;
  for (const TapeInfo& info : tapes.value()) {
    if (!info.key.is_invocation()) continue;
    Result<Tape> tape = store.ReadTape(info.key);
    if (!tape.ok() || tape->interactions.empty()) continue;
    auto body = nlohmann::json::parse(tape->interactions.back().response_body, nullptr, false);
    if (body.is_object() && body.value("Status", "") == "Success") return info.key;
  }
  for (const TapeInfo& info : tapes.value()) {
    if (info.key.is_invocation()) return info.key;
  }
  return std::nullopt;
}

void PrintExample(const TapeStore& store, const std::string& host, int port) {
  std::string url_host = IsLoopbackHost(host) ? host : "127.0.0.1";
  if (url_host.find(':') != std::string::npos) url_host = "[" + url_host + "]";
  std::string endpoint = "http://" + url_host + ":" + std::to_string(port);
  std::optional<TapeKey> key = ExampleKey(store);
  if (!key) {
    std::printf(
        "No GetCommandInvocation tape in %s: import some with `ssm-replay import --store %s fixtures/`\n",
        store.dir().c_str(), store.dir().c_str());
    std::fflush(stdout);
    return;
  }
  std::printf(
      "\nTry it (any credentials work: replay needs none). Each call plays the tape's next answer:\n\n");
  std::printf(
      "  AWS_ACCESS_KEY_ID=dummy AWS_SECRET_ACCESS_KEY=dummy aws ssm get-command-invocation "
      "--endpoint-url %s --region us-east-1 --command-id %s --instance-id %s%s\n\n",
      endpoint.c_str(), ShellQuote(key->command_id()).c_str(), ShellQuote(key->instance_id()).c_str(),
      key->plugin_name() ? (" --plugin-name " + ShellQuote(*key->plugin_name())).c_str() : "");
  std::printf("Rewind every tape:  curl -X POST %s/__replay/reset\n", endpoint.c_str());
  std::printf("Metrics:            curl %s/__replay/metrics\n\n", endpoint.c_str());
  std::fflush(stdout);
}

// Every stderr line of serve is one JSON object (proxy/http/json_log.h), its failures included.
void SetUpLogging(const std::string& level) {
  InstallJsonLoggers(std::make_shared<BufferedStderrSink>(), spdlog::level::from_str(level));
}

// Logs `message` as an error (a JSON line, as every other; even under --log-level off, since serve
// ends) and ends serve with `exit_code`.
[[noreturn]] void FailServe(const std::string& message, int exit_code = 1) {
  std::shared_ptr<spdlog::logger> logger = spdlog::default_logger();
  if (!logger->should_log(spdlog::level::err)) logger->set_level(spdlog::level::err);
  logger->error("ssm-replay serve: {}", message);
  logger->flush();
  throw CLI::RuntimeError(exit_code);
}

template <typename T>
T OrFail(Result<T> result, int exit_code = 1) {
  if (!result.ok()) FailServe(result.status().message(), exit_code);
  return std::move(result).value();
}

// The options checked and parsed, before anything is opened or created.
struct ServeSettings {
  ReplayOptions replay;
  ListenAddress listen;
  std::optional<FaultSpec> faults;
  std::optional<ForwardingPlan> forwarding;  // record, auto and passthrough
  SessionLimits session_limits;
  SessionSettings session_defaults;
};

ServeSettings CheckSettings(const ServeArgs& args) {
  ServeSettings settings;
  if (args.mode != "replay" && !IsForwardingMode(args.mode)) FailServe("unknown --mode '" + args.mode + "'");
  settings.replay.order = OrFail(ParseReplayOrder(args.order));
  settings.replay.latency = OrFail(LatencyPolicy::Parse(args.latency));
  settings.listen = OrFail(ListenAddress::Parse(args.listen));
  settings.faults = OrFail(ParseFaultArgs(args.faults, args.mode));
  settings.session_limits = SessionLimitsOf(args.sessions);
  settings.session_defaults = OrFail(SessionDefaultsOf(args.sessions));
  settings.replay.polls = settings.session_defaults.polls;
  settings.replay.shift_times = settings.session_defaults.shift_times;
  // Credentials, region and upstream are checked here, so serve fails without creating a store; exit 2:
  // the set-up (credentials, region, an option) needs fixing before serve can start.
  if (IsForwardingMode(args.mode)) {
    settings.forwarding = OrFail(PlanForwarding(args.mode, args.forwarding, ProcessEnvironment()), 2);
  }
  return settings;
}

std::unique_ptr<TapeStore> OpenServeStore(const ServeArgs& args) {
  StoreOptions options;
  options.create_if_missing = false;
  options.read_only = true;  // replay never writes; other processes may serve or record the same store
  if (IsForwardingMode(args.mode)) {  // record and auto write (durably: StoreOptions::sync)
    options.create_if_missing = true;
    options.read_only = false;
    options.sync = !args.forwarding.no_fsync;
  }
  Result<std::unique_ptr<TapeStore>> store = TapeStore::Open(args.store, options);
  if (!store.ok()) {
    FailServe("cannot open store " + args.store + ": " + store.status().ToString() +
              " (create one with `ssm-replay import --store " + args.store + " fixtures/`)");
  }
  return std::move(store).value();
}

// The store, the caches over it and the mode serving them, built in dependency order and destroyed in
// reverse (the fault decorator before the mode it wraps, the mode before the player).
struct ServeStack {
  std::unique_ptr<TapeStore> store;
  Metrics metrics;
  CursorTable cursors;  // the default session's
  std::unique_ptr<SessionRegistry> sessions;  // the named ones
  std::unique_ptr<StoreTapePlayer> player;
  std::unique_ptr<Mode> mode;
  std::unique_ptr<Mode> faulty;  // wraps `mode` when faults are injected

  Mode* top() const { return faulty ? faulty.get() : mode.get(); }
};

// Takes the forwarding plan out of `settings`.
void BuildStack(const ServeArgs& args, ServeSettings& settings, ServeStack* stack) {
  stack->store = OpenServeStore(args);
  // An eighth for decoded entries (the hot tapes), the rest for stored records, ~7 times smaller: over
  // a big store that reaches ~6 times more tapes than decoded entries alone (bench/README.md). Never
  // more records than the store holds: a small store's server stays small (the record cache's memory
  // is in huge pages, each resident as a whole once used).
  size_t cache_bytes = args.cache_mb << 20;
  size_t record_bytes = std::min<uint64_t>(cache_bytes - cache_bytes / 8, stack->store->DataBytes());
  stack->player = std::make_unique<StoreTapePlayer>(stack->store.get(), cache_bytes / 8, record_bytes);
  stack->sessions = std::make_unique<SessionRegistry>(settings.session_limits, settings.session_defaults);
  if (settings.forwarding) {
    stack->mode = BuildForwardingMode(*std::move(settings.forwarding), stack->store.get(), stack->player.get(),
                                      &stack->cursors, settings.replay, stack->sessions.get());
  } else {
    stack->mode = std::make_unique<ReplayMode>(stack->player.get(), &stack->cursors, settings.replay,
                                               stack->sessions.get());
  }
  if (settings.faults) {
    stack->faulty = std::make_unique<FaultMode>(stack->mode.get(), &stack->cursors, &stack->metrics,
                                                *settings.faults, args.faults.seed, stack->sessions.get());
    spdlog::info("injecting faults {} (seed {})", settings.faults->ToString(), args.faults.seed);
  }
}

ServerOptions MakeServerOptions(const ServeArgs& args, const ListenAddress& listen) {
  ServerOptions options;
  options.listen = listen;
  options.http.max_body = args.max_body;
  options.admin_token = args.admin_token;
  options.http.max_threads = args.max_threads;
  options.store_dir = args.store;
  options.session_from_access_key = args.sessions.from_access_key;
  return options;
}

void RunServe(const ServeArgs& args) {
  // Before any thread starts (the log writer included), so SIGINT/SIGTERM reach the server's waiter.
  BlockStopSignals();
  SetUpLogging(args.log_level);
  ServeSettings settings = CheckSettings(args);
  ServeStack stack;
  BuildStack(args, settings, &stack);

  ServerParts parts{stack.top(), &stack.metrics, &stack.cursors, stack.player.get(), stack.sessions.get()};
  if (args.mode == "record" || args.mode == "auto") parts.recording_store = stack.store.get();
  parts.store = stack.store.get();
  Server server(parts, MakeServerOptions(args, settings.listen));
  if (Status bound = server.Bind(); !bound.ok()) FailServe(bound.message());
  ListenAddress actual = settings.listen;
  actual.port = server.port();
  // Tests and scripts read the port from this line (with --listen HOST:0).
  std::printf("listening on %s\n", actual.ToString().c_str());
  std::fflush(stdout);
  spdlog::info("serving {} in {} mode (order {}, latency {}, polls {}{}) on {}", args.store, stack.mode->name(),
               ReplayOrderName(settings.replay.order), settings.replay.latency.ToString(),
               PollPolicyName(settings.replay.polls), settings.replay.shift_times ? ", dates shifted" : "",
               actual.ToString());
  if (args.print_example) PrintExample(*stack.store, actual.host, actual.port);

  Status run = server.Run();
  spdlog::info("stopped");
  if (!run.ok()) FailServe(run.message());
  spdlog::shutdown();
}

void SetUpServe(CLI::App& app) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "Answer SSM API calls (AWS JSON 1.1) from a tape store");
  cmd->add_option("--store", args->store, "Store directory (record and auto modes create it, 0700, when new)")
      ->required();
  cmd->add_option("--mode", args->mode,
                  "replay: answer from tapes only, offline; record: forward to AWS and record every "
                  "answer; auto: replay recorded keys, forward and record the others; passthrough: "
                  "forward only")
      ->check(CLI::IsMember({"replay", "record", "auto", "passthrough"}))
      ->capture_default_str();
  cmd->add_option("--order", args->order,
                  "sequence: the n-th identical call gets the n-th recorded answer (the last repeats); "
                  "last: always the terminal answer")
      ->check(CLI::IsMember({"sequence", "last"}))
      ->capture_default_str();
  cmd->add_option("--latency", args->latency, "none, recorded (upstream time as recorded) or fixed:MS")
      ->capture_default_str();
  cmd->add_option("--listen", args->listen, "HOST:PORT to listen on; port 0 picks a free one")
      ->capture_default_str();
  cmd->add_option("--max-body", args->max_body, "Largest request body accepted, bytes (larger: 413)")
      ->check(CLI::Range(size_t{1}, size_t{1} << 30))
      ->capture_default_str();
  cmd->add_option("--admin-token", args->admin_token,
                  "Token the /__replay/ admin endpoints require (header X-Replay-Admin-Token); needed "
                  "to use them on a non-loopback address");
  cmd->add_option("--log-level", args->log_level,
                  "trace, debug, info (one access-log line per request), "
                  "warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  cmd->add_option("--max-connections", args->max_threads,
                  "Connections served at once (one worker thread each, started on demand)")
      ->check(CLI::Range(size_t{8}, size_t{16384}))
      ->capture_default_str();
  cmd->add_option("--cache-mb", args->cache_mb,
                  "Memory for cached tapes, MiB: an eighth holds decoded entries, the rest entries as "
                  "stored (compressed), which reach ~7 times more tapes")
      ->check(CLI::Range(size_t{1}, size_t{4096}))
      ->capture_default_str();
  cmd->add_flag("--print-example", args->print_example,
                "Print a ready-to-paste `aws ssm get-command-invocation` command for a tape in the store");
  AddSessionOptions(cmd, &args->sessions);
  AddForwardingOptions(cmd, &args->forwarding);
  AddFaultOptions(cmd, &args->faults);
  cmd->callback([args] { RunServe(*args); });
}

CommandRegistration registration(30, SetUpServe);

}  // namespace
}  // namespace ssm
