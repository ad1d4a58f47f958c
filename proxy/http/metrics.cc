#include "proxy/http/metrics.h"

#include <cstdio>

#include "proxy/ssm/ssm_actions.h"

namespace ssm {

Metrics::Metrics() : rows_(SsmActionCount() + 1), counts_(new std::atomic<uint64_t>[rows_ * kOutcomeCount]) {
  for (size_t i = 0; i < rows_ * kOutcomeCount; ++i) counts_[i].store(0, std::memory_order_relaxed);
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
}

size_t Metrics::Row(std::string_view action) const {
  int index = SsmActionIndex(action);
  return index < 0 ? rows_ - 1 : static_cast<size_t>(index);
}

void Metrics::RecordRequest(std::string_view action, Outcome outcome, int64_t micros) {
  if (micros < 0) micros = 0;
  counts_[Row(action) * kOutcomeCount + static_cast<size_t>(outcome)].fetch_add(1, std::memory_order_relaxed);
  double seconds = static_cast<double>(micros) / 1e6;
  size_t bucket = kBuckets.size();
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      bucket = i;
      break;
    }
  }
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(micros), std::memory_order_relaxed);
  total_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::RecordFault(const std::string& fault) {
  MutexLock lock(&faults_mu_);
  ++faults_[fault];
}

uint64_t Metrics::requests(std::string_view action, Outcome outcome) const {
  return counts_[Row(action) * kOutcomeCount + static_cast<size_t>(outcome)].load(std::memory_order_relaxed);
}

namespace {

// "# HELP" and "# TYPE" lines of a metric.
void AppendHeader(std::string* out, const char* name, const char* type, const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

// A metric without labels: its header and its one sample.
void AppendSingle(std::string* out, const char* name, const char* type, const char* help, uint64_t value) {
  AppendHeader(out, name, type, help);
  *out += std::string(name) + " " + std::to_string(value) + "\n";
}

}  // namespace

std::string Metrics::Render(const MetricsGauges& gauges) const {
  std::string out;
  AppendRequests(&out);
  AppendDurations(&out);
  AppendSingle(&out, "ssm_replay_tapes_loaded", "gauge", "Tapes decoded and held in memory.", gauges.tapes_cached);
  AppendSingle(&out, "ssm_replay_records_cached", "gauge",
               "Tapes with entries held in memory as stored (compressed records).", gauges.records_cached);
  AppendSingle(&out, "ssm_replay_decoded_cache_bypassed", "gauge",
               "1 while calls go past the cache of decoded entries: over the tapes asked for lately it hit too "
               "rarely to pay for its lookups.",
               gauges.decoded_cache_bypassed ? 1 : 0);
  AppendSingle(&out, "ssm_replay_tape_loads_total", "counter", "Tapes read from the store.", gauges.tape_loads);
  AppendSingle(&out, "ssm_replay_cursors", "gauge", "Tapes with a replay cursor (called since the last reset).",
               gauges.cursors);
  AppendSingle(&out, "ssm_replay_sessions_live", "gauge", "Named replay sessions live now.", gauges.sessions_live);
  AppendSingle(&out, "ssm_replay_sessions_started_total", "counter", "Named replay sessions started.",
               gauges.sessions_started);
  AppendSingle(&out, "ssm_replay_sessions_expired_total", "counter",
               "Named replay sessions dropped after --session-ttl without use.", gauges.sessions_expired);
  AppendFaults(&out);
  return out;
}

void Metrics::AppendRequests(std::string* out) const {
  AppendHeader(out, "ssm_replay_requests_total", "counter", "SSM requests answered, by action and outcome.");
  char line[256];
  for (size_t row = 0; row < rows_; ++row) {
    std::string action = row + 1 == rows_ ? "-" : std::string(SsmActionName(static_cast<int>(row)));
    for (int o = 0; o < kOutcomeCount; ++o) {
      uint64_t n = counts_[row * kOutcomeCount + static_cast<size_t>(o)].load(std::memory_order_relaxed);
      if (n == 0) continue;  // only series that happened: 146 actions x 6 outcomes is mostly zeros
      std::snprintf(line, sizeof(line), "ssm_replay_requests_total{action=\"%s\",outcome=\"%s\"} %llu\n",
                    action.c_str(), OutcomeName(static_cast<Outcome>(o)), static_cast<unsigned long long>(n));
      *out += line;
    }
  }
}

void Metrics::AppendDurations(std::string* out) const {
  AppendHeader(out, "ssm_replay_request_duration_seconds", "histogram", "Time from request parsed to answer ready.");
  char line[256];
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= kBuckets.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    if (i < kBuckets.size()) {
      std::snprintf(line, sizeof(line), "ssm_replay_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                    kBuckets[i], static_cast<unsigned long long>(cumulative));
    } else {
      std::snprintf(line, sizeof(line), "ssm_replay_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                    static_cast<unsigned long long>(cumulative));
    }
    *out += line;
  }
  std::snprintf(line, sizeof(line), "ssm_replay_request_duration_seconds_sum %.6f\n",
                static_cast<double>(sum_us_.load(std::memory_order_relaxed)) / 1e6);
  *out += line;
  std::snprintf(line, sizeof(line), "ssm_replay_request_duration_seconds_count %llu\n",
                static_cast<unsigned long long>(cumulative));
  *out += line;
}

void Metrics::AppendFaults(std::string* out) const {
  AppendHeader(out, "ssm_replay_faults_injected_total", "counter", "Faults injected, by kind.");
  MutexLock lock(&faults_mu_);
  for (const auto& [fault, n] : faults_) {
    *out += "ssm_replay_faults_injected_total{fault=\"" + fault + "\"} " + std::to_string(n) + "\n";
  }
}

}  // namespace ssm
