#include "proxy/synth/poll_timeline.h"

#include <algorithm>
#include <cstdio>

#include "proxy/synth/seeded_ids.h"

namespace ssm {
namespace {

std::string Seconds(int64_t ms) {
  char out[32];
  std::snprintf(out, sizeof out, "%.3f", static_cast<double>(ms) / 1000.0);
  return out;
}

// Each poll goes out a poll interval after the previous answer arrived; the first shortly after
// SendCommand was answered.
std::vector<PollTimeline::Poll> PlanPollTimes(const Scenario& s, size_t count, const std::string& name) {
  std::vector<PollTimeline::Poll> polls;
  int64_t sent = s.start_ms + SeededBetween(s.seed, name + "/first", 90, 400);
  for (size_t k = 0; k < count; ++k) {
    int64_t latency_us = SeededBetween(s.seed, name + "/latency/" + std::to_string(k), 20000, 80000);
    PollTimeline::Poll p{sent + latency_us / 2000, sent + latency_us / 1000, latency_us};
    polls.push_back(p);
    sent = p.recorded_ms + s.poll_interval_ms;
  }
  return polls;
}

}  // namespace

Result<PollTimeline> PlanPolls(const Scenario& s, const PluginOutcome& o, const std::string& name) {
  PollTimeline t;
  t.polls = PlanPollTimes(s, o.states.size(), name);
  if (!o.executed) return t;
  const auto& states = o.states;
  size_t n = states.size();
  bool finished = IsTerminal(states.back());
  // The first answer that shows the plugin started (running, or the terminal one if no poll saw it run).
  size_t first = 0;
  while (first < n && !IsRunning(states[first]) && !(finished && first == n - 1)) ++first;
  // It started after the last answer that still showed it waiting (or after SendCommand) and before
  // that first answer.
  int64_t start_low = first > 0 ? t.polls[first - 1].answered_ms : s.start_ms;
  int64_t start_high = t.polls[first].answered_ms;
  int64_t start = start_low + std::max<int64_t>(1, (start_high - start_low) * SeededBetween(s.seed, name + "/start", 30, 70) / 100);
  start = std::min(start, start_high);
  if (!finished) {
    t.started_ms = start;
    return t;
  }
  // It ended after the last answer that showed it running and no later than the terminal answer.
  int64_t end_high = t.polls[n - 1].answered_ms;
  int64_t end_low = first < n - 1 ? t.polls[n - 2].answered_ms + 1 : start;
  if (!o.duration_ms) {
    int64_t from = std::max(start, end_low);
    t.started_ms = start;
    t.ended_ms = from + (end_high - from) / 2;
    return t;
  }
  int64_t d = *o.duration_ms;
  // Keep the start where it is if the duration allows; else move it within its own window.
  int64_t want_start = std::clamp(start, end_low - d, end_high - d);
  int64_t start_min = first > 0 ? start_low + 1 : start_low;
  if (want_start < start_min || want_start > start_high || want_start + d < end_low || want_start + d > end_high) {
    int64_t longest = end_high - start_min;
    int64_t shortest = std::max<int64_t>(0, end_low - start_high);
    return Status::InvalidArgument(
        s.naming.Of(o.path, "duration") + ": " + Seconds(d) + " s does not fit these states polled every " +
        Seconds(s.poll_interval_ms) + " s: the plugin must run between " + Seconds(shortest) + " and " +
        Seconds(longest) + " s; give a duration in that range, or change the number of polls or the poll interval");
  }
  t.started_ms = want_start;
  t.ended_ms = want_start + d;
  return t;
}

}  // namespace ssm
