#include "store/tape_file/tape_file.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/canonical_json.h"
#include "store/sha256.h"
#include "store/iso_time.h"
#include "store/tape_file/tape_document.h"

namespace ssm {
namespace {

using ordered_json = nlohmann::ordered_json;

// Days from 1970-01-01 to the given date of the proleptic Gregorian calendar (what timegm counts).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The common case of ParseTimestamp without sscanf, timegm and printing it back: exactly
// "YYYY-MM-DDTHH:MM:SS.mmmZ" with a real date from 1970 on. False sends the string to the general
// path, which decides.
bool ParseCanonicalTimestamp(const std::string& s, int64_t* ms) {
  static constexpr char kShape[] = "0000-00-00T00:00:00.000Z";
  if (s.size() != sizeof kShape - 1) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool digit = s[i] >= '0' && s[i] <= '9';
    if (kShape[i] == '0' ? !digit : s[i] != kShape[i]) return false;
  }
  auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  int year = num(0, 4), month = num(5, 2), day = num(8, 2), hour = num(11, 2), minute = num(14, 2),
      second = num(17, 2), millis = num(20, 3);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1] + (month == 2 && leap) ||
      hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  *ms = ((DaysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000 + second * 1000 + millis;
  return true;
}

bool ParseTimestamp(const std::string& s, int64_t* ms) {
  if (ParseCanonicalTimestamp(s, ms)) return true;
  std::tm tm{};
  int millis = 0, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &millis, &consumed) != 7 ||
      static_cast<size_t>(consumed) != s.size()) {
    return false;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  *ms = static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
  return FormatIsoMillis(*ms) == s;  // rejects 2026-02-31 and the like
}

std::string Base64Encode(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool Base64Decode(const std::string& in, std::string* out) {
  if (in.size() % 4 != 0) return false;
  out->assign(3 * in.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return false;
  size_t padding = (!in.empty() && in.back() == '=') + (in.size() > 1 && in[in.size() - 2] == '=');
  out->resize(static_cast<size_t>(n) - padding);
  return true;
}

// The body as the file shows it: JSON when its bytes are exactly what printing the JSON gives back
// (so import reproduces them), else text, else base64.
void PutBody(ordered_json& response, const std::string& body) {
  ordered_json parsed = ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded()) {
    try {
      if (parsed.dump() == body) {
        response["body"] = std::move(parsed);
        return;
      }
    } catch (const nlohmann::json::exception&) {
    }
  }
  try {
    (void)ordered_json(body).dump();  // throws on invalid UTF-8
    response["bodyText"] = body;
  } catch (const nlohmann::json::exception&) {
    response["bodyBase64"] = Base64Encode(body);
  }
}

// IsUnstorableHeader, remembering the answer for the few names tape files use over and over.
bool IsUnstorableHeaderCached(const std::string& name) {
  thread_local std::vector<std::pair<std::string, bool>> known;
  for (const auto& [n, unstorable] : known) {
    if (n == name) return unstorable;
  }
  bool unstorable = IsUnstorableHeader(name);
  if (known.size() < 32) known.emplace_back(name, unstorable);
  return unstorable;
}

// CanonicalJsonOf(nlohmann::json(request)) without building the sorted copy, for the usual request:
// an object of strings, numbers, booleans and nulls (nlohmann::json's map orders keys as std::string
// compares them). Anything else goes the general way.
Result<std::string> CanonicalRequest(const ordered_json& request) {
  const auto* members = request.get_ptr<const ordered_json::object_t*>();
  bool flat = members != nullptr && members->size() <= 16;
  for (size_t i = 0; flat && i < members->size(); ++i) flat = !members->begin()[i].second.is_structured();
  if (!flat) return CanonicalJsonOf(nlohmann::json(request));
  const ordered_json::object_t::value_type* sorted[16];
  size_t n = 0;
  for (const auto& member : *members) sorted[n++] = &member;
  std::sort(sorted, sorted + n, [](const auto* a, const auto* b) { return a->first < b->first; });
  std::string out = "{";
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(sorted[i]->first, &out);
    out.push_back(':');
    const ordered_json& value = sorted[i]->second;
    if (value.is_string()) {
      AppendJsonString(value.get_ref<const std::string&>(), &out);
    } else {
      out += value.dump();
    }
  }
  out.push_back('}');
  return out;
}

// Reads the fields of a parsed tape file, with error context: "<origin>: interactions[2].response.status:
// expected an integer".
class Reader {
 public:
  explicit Reader(const std::string& origin) : origin_(origin) {}
  Status Error(const std::string& where, const std::string& what) const {
    return Status::InvalidArgument(origin_ + ": " + where + ": " + what);
  }
  // obj[name] as a string, or an error naming `where`.`name`.
  Status String(const ordered_json& obj, const std::string& where, const char* name, std::string* out) const {
    auto it = obj.find(name);
    if (it == obj.end()) return Error(where + "." + name, "missing");
    if (!it->is_string()) return Error(where + "." + name, "expected a string");
    *out = it->get<std::string>();
    return Status::OK();
  }

 private:
  const std::string& origin_;
};

// The document, through the streaming parse (response bodies come already dumped: `*bodies_dumped`)
// or, for the documents it declines, the DOM parser, which also says what is wrong with invalid ones.
Result<ordered_json> ParseDocument(std::string_view text, const std::string& origin, bool* bodies_dumped) {
  ordered_json doc;
  *bodies_dumped = ParseTapeDocument(text, &doc);
  if (*bodies_dumped) return doc;
  try {
    return ordered_json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for numbers like 1e999
    return Status::InvalidArgument(origin + ": not valid JSON: " + e.what());
  }
}

Status CheckVersion(const ordered_json& doc, const Reader& r, const std::string& origin) {
  if (!doc.is_object() || !doc.contains("ssmReplayTape")) {
    return r.Error("ssmReplayTape", "missing: this is not an ssm-replay tape file");
  }
  if (!doc["ssmReplayTape"].is_number_integer()) return r.Error("ssmReplayTape", "expected an integer");
  int version = doc["ssmReplayTape"].get<int>();
  if (version > kTapeFileVersion) {
    return Status::NotSupported(origin + ": tape file version " + std::to_string(version) +
                                " is newer than this ssm-replay reads (" + std::to_string(kTapeFileVersion) +
                                "): upgrade ssm-replay");
  }
  if (version < 1) return r.Error("ssmReplayTape", "must be 1");
  return Status::OK();
}

Result<TapeKey> ReadInvocationKey(const ordered_json& k, const Reader& r) {
  std::string command_id, instance_id;
  if (Status s = r.String(k, "key", "CommandId", &command_id); !s.ok()) return s;
  if (Status s = r.String(k, "key", "InstanceId", &instance_id); !s.ok()) return s;
  std::optional<std::string> plugin_name;
  if (k.contains("PluginName")) {
    std::string plugin;
    if (Status s = r.String(k, "key", "PluginName", &plugin); !s.ok()) return s;
    plugin_name = std::move(plugin);
  }
  auto made = TapeKey::ForInvocation(command_id, instance_id, plugin_name);
  if (!made.ok()) return r.Error("key", made.status().message());
  return made;
}

Result<TapeKey> ReadKey(const ordered_json& doc, const Reader& r) {
  if (!doc.contains("key") || !doc["key"].is_object()) return r.Error("key", "missing or not an object");
  const ordered_json& k = doc["key"];
  std::string action;
  if (Status s = r.String(k, "key", "action", &action); !s.ok()) return s;
  if (action == kGetCommandInvocation) return ReadInvocationKey(k, r);
  if (!k.contains("request")) {
    return r.Error("key.request", "missing (every action but GetCommandInvocation is keyed by its request)");
  }
  auto canonical = CanonicalJsonOf(nlohmann::json(k["request"]));  // keys sorted
  if (!canonical.ok()) return r.Error("key.request", canonical.status().message());
  auto made = TapeKey::ForAction(action, *canonical);
  if (!made.ok()) return r.Error("key", made.status().message());
  return made;
}

// recordedAt, upstreamLatencyMicros and source.
Status ReadProvenance(const ordered_json& e, const std::string& where, const Reader& r, Interaction* i) {
  std::string recorded_at;
  if (Status s = r.String(e, where, "recordedAt", &recorded_at); !s.ok()) return s;
  if (!ParseTimestamp(recorded_at, &i->recorded_at_ms)) {
    return r.Error(where + ".recordedAt",
                   "expected a UTC time like 2026-11-02T10:15:30.123Z, got '" + recorded_at + "'");
  }
  if (!e.contains("upstreamLatencyMicros") || !e["upstreamLatencyMicros"].is_number_integer()) {
    return r.Error(where + ".upstreamLatencyMicros", "missing or not an integer");
  }
  i->upstream_latency_us = e["upstreamLatencyMicros"].get<int64_t>();
  return r.String(e, where, "source", &i->source);
}

// The request, canonical, and checked against the tape's key: an entry must answer the tape's call.
Status ReadRequest(const ordered_json& e, const TapeKey& key, const std::string& where, const Reader& r,
                   Interaction* i) {
  if (!e.contains("request") || !e["request"].is_object()) {
    return r.Error(where + ".request", "missing or not an object");
  }
  const ordered_json& req = e["request"];
  auto canonical = CanonicalRequest(req);
  if (!canonical.ok()) return r.Error(where + ".request", canonical.status().message());
  i->request_body = std::move(canonical).value();
  if (!key.is_invocation()) {
    if (i->request_body == key.canonical_body()) return Status::OK();
    return r.Error(where + ".request", "does not match the tape's key.request");
  }
  auto field_is = [&](const char* name, const std::string& want) {
    auto it = req.find(name);
    return it != req.end() && it->is_string() && it->get_ref<const std::string&>() == want;
  };
  if (!field_is("CommandId", key.command_id()) || !field_is("InstanceId", key.instance_id()) ||
      (key.plugin_name() ? !field_is("PluginName", *key.plugin_name()) : req.contains("PluginName"))) {
    return r.Error(where + ".request", "does not match the tape's key (CommandId, InstanceId, PluginName)");
  }
  return Status::OK();
}

Status ReadHeaders(const ordered_json& resp, const std::string& where, const Reader& r, Interaction* i) {
  if (!resp.contains("headers")) return Status::OK();
  if (!resp["headers"].is_object()) return r.Error(where + ".response.headers", "expected an object");
  for (const auto& [name, value] : resp["headers"].items()) {
    if (!value.is_string()) return r.Error(where + ".response.headers." + name, "expected a string");
    if (IsUnstorableHeaderCached(name)) {
      return r.Error(where + ".response.headers." + name,
                     "this header is never stored (credential-like, hop-by-hop or per-response): remove it");
    }
    i->headers.emplace_back(name, value.get<std::string>());
  }
  return Status::OK();
}

// One of body (JSON; a string already dumped when `bodies_dumped`, taken from `resp`), bodyText,
// bodyBase64, or none.
Status ReadBody(ordered_json& resp, const std::string& where, bool bodies_dumped, const Reader& r,
                Interaction* i) {
  int bodies = resp.contains("body") + resp.contains("bodyText") + resp.contains("bodyBase64");
  if (bodies > 1) return r.Error(where + ".response", "give one of body, bodyText, bodyBase64");
  if (resp.contains("body") && bodies_dumped) {
    i->response_body = std::move(resp["body"].get_ref<std::string&>());
  } else if (resp.contains("body")) {
    i->response_body = resp["body"].dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } else if (resp.contains("bodyText")) {
    if (!resp["bodyText"].is_string()) return r.Error(where + ".response.bodyText", "expected a string");
    i->response_body = resp["bodyText"].get<std::string>();
  } else if (resp.contains("bodyBase64")) {
    const ordered_json& b64 = resp["bodyBase64"];
    if (!b64.is_string() || !Base64Decode(b64.get<std::string>(), &i->response_body)) {
      return r.Error(where + ".response.bodyBase64", "expected base64 text");
    }
  }
  return Status::OK();
}

Status ReadResponse(ordered_json& e, const std::string& where, bool bodies_dumped, const Reader& r,
                    Interaction* i) {
  if (!e.contains("response") || !e["response"].is_object()) {
    return r.Error(where + ".response", "missing or not an object");
  }
  ordered_json& resp = e["response"];
  const ordered_json* status = resp.contains("status") ? &resp["status"] : nullptr;
  if (status == nullptr || !status->is_number_integer() || status->get<int>() < 100 || status->get<int>() > 599) {
    return r.Error(where + ".response.status", "missing or not an HTTP status code");
  }
  i->status = status->get<int>();
  if (Status s = ReadHeaders(resp, where, r, i); !s.ok()) return s;
  return ReadBody(resp, where, bodies_dumped, r, i);
}

// Entry `where` of the tape for `key`. Moves an already dumped body out of `e`.
Result<Interaction> ReadInteraction(ordered_json& e, const TapeKey& key, const std::string& where,
                                    bool bodies_dumped, const Reader& r) {
  if (!e.is_object()) return r.Error(where, "expected an object");
  Interaction i;
  i.action = key.action();
  if (Status s = ReadProvenance(e, where, r, &i); !s.ok()) return s;
  if (Status s = ReadRequest(e, key, where, r, &i); !s.ok()) return s;
  if (Status s = ReadResponse(e, where, bodies_dumped, r, &i); !s.ok()) return s;
  return i;
}

}  // namespace

std::string TapeFileName(const TapeKey& key) {
  std::string dir;
  for (char c : key.action()) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isupper(u) && !dir.empty()) dir.push_back('-');
    // An imported tape file may name any action: '/' or ".." must not lead export out of --out.
    dir.push_back(std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_');
  }
  auto safe = [](const std::string& s) {
    std::string out;
    for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_');
    return out;
  };
  if (key.is_invocation()) {
    std::string name = safe(key.command_id()) + "_" + safe(key.instance_id());
    if (key.plugin_name()) name += "_" + safe(*key.plugin_name());
    return dir + "/" + name + ".json";
  }
  return dir + "/" + HexEncode(Sha256(key.canonical_body())).substr(0, 16) + ".json";
}

std::string FormatTapeFile(const Tape& tape) {
  ordered_json doc;
  doc["ssmReplayTape"] = kTapeFileVersion;
  ordered_json key;
  key["action"] = tape.key.action();
  if (tape.key.is_invocation()) {
    key["CommandId"] = tape.key.command_id();
    key["InstanceId"] = tape.key.instance_id();
    if (tape.key.plugin_name()) key["PluginName"] = *tape.key.plugin_name();
  } else {
    key["request"] = ordered_json::parse(tape.key.canonical_body());
  }
  doc["key"] = std::move(key);
  ordered_json interactions = ordered_json::array();
  for (const auto& i : tape.interactions) {
    ordered_json entry;
    entry["recordedAt"] = FormatIsoMillis(i.recorded_at_ms);
    entry["upstreamLatencyMicros"] = i.upstream_latency_us;
    entry["source"] = i.source;
    entry["request"] = ordered_json::parse(i.request_body, nullptr, false);
    if (entry["request"].is_discarded()) entry["request"] = i.request_body;
    ordered_json response;
    response["status"] = i.status;
    ordered_json headers = ordered_json::object();
    for (const auto& [name, value] : i.headers) headers[name] = value;
    response["headers"] = std::move(headers);
    PutBody(response, i.response_body);
    entry["response"] = std::move(response);
    interactions.push_back(std::move(entry));
  }
  doc["interactions"] = std::move(interactions);
  return doc.dump(2, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace) + "\n";
}

Result<Tape> ParseTapeFile(std::string_view text, const std::string& origin) {
  Reader r(origin);
  bool bodies_dumped = false;
  Result<ordered_json> doc = ParseDocument(text, origin, &bodies_dumped);
  if (!doc.ok()) return doc.status();
  if (Status s = CheckVersion(*doc, r, origin); !s.ok()) return s;
  Result<TapeKey> key = ReadKey(*doc, r);
  if (!key.ok()) return key.status();
  auto interactions = doc->find("interactions");
  if (interactions == doc->end() || !interactions->is_array()) {
    return r.Error("interactions", "missing or not an array");
  }
  Tape tape{std::move(key).value(), {}};
  tape.interactions.reserve(interactions->size());
  for (size_t index = 0; index < interactions->size(); ++index) {
    std::string where = "interactions[" + std::to_string(index) + "]";
    Result<Interaction> entry = ReadInteraction((*interactions)[index], tape.key, where, bodies_dumped, r);
    if (!entry.ok()) return entry.status();
    tape.interactions.push_back(std::move(entry).value());
  }
  return tape;
}

}  // namespace ssm
