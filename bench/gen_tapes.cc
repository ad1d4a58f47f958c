// ssm-bench-gen-tapes: writes N realistic tape files (the format of store/tape_file/tape_file.h) for the scale
// benchmark (issue 5).
//
//   ssm-bench-gen-tapes --out DIR --count N [--seed S] [--threads T] [--per-shard 1000]
//
// Tapes are grouped the way Run Command produces them: one SendCommand tape per command, and one
// GetCommandInvocation tape per (command, instance[, plugin]) it ran on, polled every ~5 s the way
// botocore's CommandExecuted waiter does (optional InvocationDoesNotExist, Pending / Delayed,
// InProgress..., then Success, Failed, TimedOut or Cancelling → Cancelled). Outputs are package-manager
// logs, systemctl and journal output, docker pulls, migrations, Python and Java stack traces,
// PowerShell tables and errors, patch-baseline logs, of long-tailed sizes capped as AWS caps them
// (24,000 characters of stdout, 8,000 of stderr).
//
// Layout: DIR/<shard:04d>/<TapeFileName(key)>, `per-shard` tapes a folder (1M tapes = 1000 folders of
// 1000, so no folder is huge), and DIR/<shard>/keys.tsv listing the shard's GetCommandInvocation keys
// (CommandId, InstanceId, PluginName or "-") for load generators. Shard s is a pure function of
// (seed, s), so output does not depend on --threads, and the first shard of any run with the same seed
// is the same 1,000 tapes (the scale benchmark's small store).
//
// The JSON is written directly (no DOM) in exactly the layout `json.dumps(doc, indent=2,
// ensure_ascii=False)` and `ssm-replay export` produce, so export(import(files)) == files.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cctype>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/canonical_json.h"
#include "store/json_escape.h"
#include "store/sha256.h"

namespace {

// ---------------------------------------------------------------------------------------------------
// Deterministic randomness: splitmix64 seeding xoshiro256**.

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& w : s_) w = SplitMix(seed);
  }
  uint64_t Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
  double Unit() { return static_cast<double>(Next() >> 11) * (1.0 / 9007199254740992.0); }
  bool Chance(double p) { return Unit() < p; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) { return items[Next() % N]; }
  // Long-tailed count: usually near `typical`, sometimes many times it.
  int LongTail(int typical, int max) {
    double u = Unit();
    double v = typical * (u < 0.75 ? 0.3 + u : u < 0.95 ? 1.5 + 6 * (u - 0.75) : 4 + 120 * (u - 0.95));
    int n = static_cast<int>(v);
    return n < 1 ? 1 : n > max ? max : n;
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

std::string Hex(uint64_t v, int digits) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[static_cast<size_t>(i)] = kHex[v & 15];
  return out;
}

std::string Uuid4(Rng& r) {
  uint64_t a = r.Next(), b = r.Next();
  return Hex(a >> 32, 8) + "-" + Hex((a >> 16) & 0xffff, 4) + "-4" + Hex(a & 0xfff, 3) + "-" +
         Hex(8 | (b >> 62), 1) + Hex((b >> 48) & 0xfff, 3) + "-" + Hex(b & 0xffffffffffffull, 12);
}

std::string Fmt(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Fmt(const char* format, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, format);
  int n = std::vsnprintf(buf, sizeof buf, format, ap);
  va_end(ap);
  return std::string(buf, static_cast<size_t>(n < 0 ? 0 : n >= static_cast<int>(sizeof buf) ? sizeof buf - 1 : n));
}

// ---------------------------------------------------------------------------------------------------
// Times, in the forms AWS and the tape files write them.

std::string Iso(int64_t ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return Fmt("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

std::string SyslogTime(int64_t ms) {  // "Oct 14 12:00:37"
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return Fmt("%s %02d %02d:%02d:%02d", kMonths[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// java.time.Duration.toString, as GetCommandInvocation's ExecutionElapsedTime: PT0.412S, PT1M5.2S, PT0S.
std::string Duration(int64_t ms) {
  int64_t hours = ms / 3600000, minutes = ms / 60000 % 60, secs = ms / 1000 % 60, milli = ms % 1000;
  std::string out = "PT";
  if (hours) out += std::to_string(hours) + "H";
  if (minutes) out += std::to_string(minutes) + "M";
  if (secs == 0 && milli == 0 && out.size() > 2) return out;
  out += std::to_string(secs);
  if (milli) {
    std::string frac = Fmt("%03d", static_cast<int>(milli));
    while (frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out + "S";
}

// Epoch seconds with milliseconds, printed as a shortest round-trip double printer does.
std::string EpochSeconds(int64_t ms) {
  std::string frac = Fmt("%03d", static_cast<int>(ms % 1000));
  while (frac.size() > 1 && frac.back() == '0') frac.pop_back();
  return std::to_string(ms / 1000) + "." + frac;
}

// ---------------------------------------------------------------------------------------------------
// A streaming JSON writer laid out like json.dumps(indent=2, ensure_ascii=False).

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view k) {
    Item();
    Quote(k);
    out_->append(": ");
    after_key_ = true;
  }
  void String(std::string_view s) {
    Item();
    Quote(s);
  }
  void Int(int64_t v) {
    Item();
    out_->append(std::to_string(v));
  }
  void Raw(std::string_view v) {  // a number already formatted
    Item();
    out_->append(v);
  }
  void Bool(bool v) {
    Item();
    out_->append(v ? "true" : "false");
  }
  void Field(std::string_view k, std::string_view v) { Key(k), String(v); }
  void Field(std::string_view k, int64_t v) { Key(k), Int(v); }
  void StringArray(std::string_view k, const std::vector<std::string>& items) {
    Key(k);
    BeginArray();
    for (const auto& s : items) String(s);
    EndArray();
  }

 private:
  void Open(char c) {
    Item();
    out_->push_back(c);
    empty_.push_back(true);
  }
  void Close(char c) {
    bool was_empty = empty_.back();
    empty_.pop_back();
    if (!was_empty) Newline();
    out_->push_back(c);
  }
  // Separator and indentation before a value or key (nothing right after a key).
  void Item() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (empty_.empty()) return;
    if (!empty_.back()) out_->push_back(',');
    empty_.back() = false;
    Newline();
  }
  void Newline() {
    out_->push_back('\n');
    out_->append(2 * empty_.size(), ' ');
  }
  void Quote(std::string_view s) { ssm::AppendJsonString(s, out_); }

  std::string* out_;
  std::vector<bool> empty_;
  bool after_key_ = false;
};

// ---------------------------------------------------------------------------------------------------
// Vocabulary.

const char* const kPackages[] = {
    "openssl", "libssl3", "curl", "libcurl4", "nginx", "nginx-common", "openssh-server", "openssh-client",
    "python3.11", "libpython3.11", "systemd", "libsystemd0", "linux-image-6.1.0-27-amd64", "tzdata", "git",
    "ca-certificates", "libc6", "libc-bin", "bash", "sudo", "vim-tiny", "rsyslog", "logrotate", "cron",
    "docker-ce", "containerd.io", "amazon-ssm-agent", "awscli", "postgresql-client-15", "redis-tools",
    "nodejs", "libxml2", "zlib1g", "libzstd1", "libgnutls30", "krb5-locales", "libkrb5-3", "gzip", "tar",
    "unzip", "jq", "htop", "chrony", "iptables", "nftables", "e2fsprogs", "util-linux", "mount"};
const char* const kServices[] = {"nginx", "app-api", "app-worker", "orders-consumer", "redis-server",
                                 "postgresql", "docker", "amazon-ssm-agent", "node-exporter", "fluent-bit",
                                 "cron", "chronyd", "search-indexer", "payments-gateway"};
const char* const kJavaClasses[] = {
    "com.acme.orders.OrderService", "com.acme.orders.PaymentClient", "com.acme.catalog.ProductRepository",
    "com.acme.common.http.RetryingClient", "org.springframework.web.servlet.FrameworkServlet",
    "org.apache.catalina.core.ApplicationFilterChain", "com.zaxxer.hikari.pool.HikariPool",
    "org.hibernate.engine.jdbc.spi.SqlExceptionHelper", "java.base/java.util.concurrent.ThreadPoolExecutor",
    "java.base/java.lang.Thread", "io.netty.channel.nio.NioEventLoop"};
const char* const kPythonFiles[] = {"/opt/app/venv/lib/python3.11/site-packages/sqlalchemy/engine/base.py",
                                    "/opt/app/venv/lib/python3.11/site-packages/alembic/runtime/migration.py",
                                    "/opt/app/app/tasks/reindex.py", "/opt/app/app/db.py",
                                    "/opt/app/venv/lib/python3.11/site-packages/redis/connection.py",
                                    "/opt/app/manage.py", "/usr/lib/python3.11/subprocess.py"};
const char* const kTeams[] = {"payments", "search", "platform", "checkout", "catalog", "identity", "data"};
const char* const kBuckets[] = {"acme-ssm-output-eu-west-1", "ops-runcommand-logs", "platform-ssm-output"};

constexpr size_t kStdoutLimit = 24000, kStderrLimit = 8000;

std::string Version(Rng& r) {
  return Fmt("%d.%d.%d-%d", static_cast<int>(r.Range(0, 9)), static_cast<int>(r.Range(0, 40)),
             static_cast<int>(r.Range(0, 30)), static_cast<int>(r.Range(1, 12)));
}

// ---------------------------------------------------------------------------------------------------
// Scenarios: what a command does, its parameters, and the outputs it leaves.

struct Outputs {
  std::string stdout_text, stderr_text;
};

enum class Platform { kLinux, kWindows };

struct Scenario {
  const char* comment;
  Platform platform;
  std::vector<std::string> commands;
  int64_t typical_ms;  // how long a run takes
  // Writes the outputs of one run: failed or not, cut short (timeout / cancel) or not.
  Outputs (*outputs)(Rng&, bool failed, bool killed, int64_t start_ms, const std::string& host);
};

Outputs AptUpgrade(Rng& r, bool failed, bool killed, int64_t, const std::string&) {
  Outputs o;
  std::string& s = o.stdout_text;
  s += "Hit:1 http://deb.debian.org/debian bookworm InRelease\nGet:2 http://deb.debian.org/debian bookworm-updates "
       "InRelease [55.4 kB]\nGet:3 http://security.debian.org/debian-security bookworm-security InRelease "
       "[48.0 kB]\n";
  s += Fmt("Fetched %d kB in %ds (%d kB/s)\nReading package lists...\n", static_cast<int>(r.Range(100, 9000)),
           static_cast<int>(r.Range(1, 6)), static_cast<int>(r.Range(200, 5000)));
  if (failed) {
    o.stderr_text = "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process " +
                    std::to_string(r.Range(900, 30000)) +
                    " (unattended-upgr)\nE: Unable to acquire the dpkg frontend lock "
                    "(/var/lib/dpkg/lock-frontend), is another process using it?\nfailed to run commands: exit "
                    "status 100";
    return o;
  }
  int n = r.LongTail(6, 120);
  s += "Reading package lists...\nBuilding dependency tree...\nReading state information...\nCalculating "
       "upgrade...\nThe following packages will be upgraded:\n ";
  std::vector<std::string> pkgs;
  for (int i = 0; i < n; ++i) pkgs.push_back(r.Pick(kPackages));
  for (const auto& p : pkgs) s += " " + p;
  s += Fmt("\n%d upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\nNeed to get %.1f MB of archives.\n",
           n, static_cast<double>(r.Range(1, 900)) / 10);
  for (size_t i = 0; i < pkgs.size(); ++i) {
    std::string v = Version(r);
    s += Fmt("Get:%zu http://deb.debian.org/debian bookworm/main amd64 %s amd64 %s [%d kB]\n", i + 4, pkgs[i].c_str(),
             v.c_str(), static_cast<int>(r.Range(20, 4000)));
  }
  for (const auto& p : pkgs) {
    std::string v = Version(r);
    s += "Preparing to unpack .../" + p + "_" + v + "_amd64.deb ...\nUnpacking " + p + " (" + v + ") over (" +
         Version(r) + ") ...\n";
    if (killed && r.Chance(0.2)) return o;
  }
  for (const auto& p : pkgs) s += "Setting up " + p + " (" + Version(r) + ") ...\n";
  s += "Processing triggers for man-db (2.11.2-2) ...\nProcessing triggers for libc-bin (2.36-9+deb12u9) ...\n";
  return o;
}

Outputs YumUpdate(Rng& r, bool failed, bool killed, int64_t, const std::string&) {
  Outputs o;
  std::string& s = o.stdout_text;
  s += "Loaded plugins: extras_suggestions, langpacks, priorities, update-motd\n";
  int n = r.LongTail(4, 80);
  s += Fmt("%d package(s) needed for security, out of %d available\nResolving Dependencies\n--> Running transaction "
           "check\n",
           n, n + static_cast<int>(r.Range(0, 40)));
  std::vector<std::string> pkgs;
  for (int i = 0; i < n; ++i) pkgs.push_back(r.Pick(kPackages));
  for (const auto& p : pkgs) s += "---> Package " + p + ".x86_64 0:" + Version(r) + ".amzn2 will be updated\n";
  s += "--> Finished Dependency Resolution\n\nDependencies Resolved\n\n";
  s += "================================================================================\n Package            "
       "Arch        Version                      Repository              Size\n"
       "================================================================================\nUpdating:\n";
  for (const auto& p : pkgs) {
    s += Fmt(" %-18s x86_64      %-28s amzn2-core          %4d k\n", p.c_str(), (Version(r) + ".amzn2").c_str(),
             static_cast<int>(r.Range(30, 990)));
  }
  s += Fmt("\nTransaction Summary\n================================================================================\n"
           "Upgrade  %d Packages\n\nDownloading packages:\nRunning transaction\n",
           n);
  if (failed) {
    o.stderr_text = "Error: Package: " + pkgs[0] + " requires libcrypto.so.3()(64bit)\n You could try using "
                    "--skip-broken to work around the problem\n You could try running: rpm -Va --nofiles "
                    "--nodigest\nfailed to run commands: exit status 1";
    return o;
  }
  for (size_t i = 0; i < pkgs.size(); ++i) {
    s += Fmt("  Updating   : %s.x86_64    %zu/%zu \n", pkgs[i].c_str(), i + 1, 2 * pkgs.size());
    if (killed && r.Chance(0.3)) return o;
  }
  for (size_t i = 0; i < pkgs.size(); ++i) {
    s += Fmt("  Cleanup    : %s.x86_64    %zu/%zu \n", pkgs[i].c_str(), pkgs.size() + i + 1, 2 * pkgs.size());
  }
  s += "\nUpdated:\n";
  for (const auto& p : pkgs) s += "  " + p + ".x86_64 0:" + Version(r) + ".amzn2\n";
  s += "\nComplete!\n";
  return o;
}

std::string JournalLines(Rng& r, int64_t t, const std::string& host, const std::string& svc, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    t += r.Range(50, 4000);
    int pid = static_cast<int>(r.Range(300, 60000));
    uint64_t id = r.Next();
    if (r.Chance(0.08)) {
      s += SyslogTime(t) + " " + host + " " + svc + Fmt("[%d]: WARN request id=%s upstream 503 from crm.internal, retrying in %dms\n",
                                                      pid, Hex(id, 8).c_str(), static_cast<int>(r.Range(100, 3000)));
    } else {
      s += SyslogTime(t) + " " + host + " " + svc +
           Fmt("[%d]: INFO %s /api/v1/orders/%" PRIu64 " status=200 took=%dms\n", pid, r.Chance(0.7) ? "GET" : "POST",
               id % 10000000, static_cast<int>(r.Range(2, 900)));
    }
  }
  return s;
}

Outputs SystemctlStatus(Rng& r, bool failed, bool, int64_t start_ms, const std::string& host) {
  Outputs o;
  std::string svc = r.Pick(kServices);
  int pid = static_cast<int>(r.Range(300, 60000));
  std::string& s = o.stdout_text;
  s += (failed ? "× " : "● ") + svc + ".service - " + svc + " service\n     Loaded: loaded (/etc/systemd/system/" + svc +
       ".service; enabled; preset: enabled)\n";
  if (failed) {
    s += "     Active: failed (Result: exit-code) since " + SyslogTime(start_ms - 60000) + " UTC; 1min ago\n";
    s += Fmt("    Process: %d ExecStart=/opt/%s/bin/%s (code=exited, status=1/FAILURE)\n   Main PID: %d (code=exited, "
             "status=1/FAILURE)\n        CPU: %dms\n\n",
             pid, svc.c_str(), svc.c_str(), pid, static_cast<int>(r.Range(20, 2000)));
    s += JournalLines(r, start_ms - 120000, host, svc, static_cast<int>(r.Range(3, 10)));
    s += SyslogTime(start_ms - 60000) + " " + host + " systemd[1]: " + svc +
         ".service: Main process exited, code=exited, status=1/FAILURE\n";
    o.stderr_text = "Job for " + svc + ".service failed because the control process exited with error code.\nSee \"systemctl "
                    "status " + svc + ".service\" and \"journalctl -xeu " + svc + ".service\" for details.\nfailed to run "
                    "commands: exit status 1";
    return o;
  }
  s += "     Active: active (running) since " + SyslogTime(start_ms - r.Range(60000, 90000000)) + " UTC\n";
  s += Fmt("   Main PID: %d (%s)\n      Tasks: %d (limit: 4557)\n     Memory: %.1fM\n        CPU: %dmin %d.%03ds\n     "
           "CGroup: /system.slice/%s.service\n             └─%d /opt/%s/bin/%s --config /etc/%s/config.yaml\n\n",
           pid, svc.c_str(), static_cast<int>(r.Range(2, 80)), static_cast<double>(r.Range(80, 20000)) / 10,
           static_cast<int>(r.Range(0, 500)), static_cast<int>(r.Range(0, 59)), static_cast<int>(r.Range(0, 999)),
           svc.c_str(), pid, svc.c_str(), svc.c_str(), svc.c_str());
  s += JournalLines(r, start_ms - 60000, host, svc, r.LongTail(10, 400));
  return o;
}

Outputs DiskReport(Rng& r, bool, bool, int64_t, const std::string&) {
  Outputs o;
  std::string& s = o.stdout_text;
  s += "Filesystem      Size  Used Avail Use% Mounted on\n";
  int root = static_cast<int>(r.Range(8, 200)), used = static_cast<int>(r.Range(1, root));
  s += Fmt("/dev/nvme0n1p1  %3dG  %3dG  %3dG  %2d%% /\n", root, used, root - used, 100 * used / root);
  s += "tmpfs           1.9G     0  1.9G   0% /dev/shm\ntmpfs           777M  872K  776M   1% /run\n";
  s += Fmt("/dev/nvme1n1    %3dG  %3dG  %3dG  %2d%% /var/lib/docker\n", root * 2, used, root * 2 - used, 50 * used / root);
  int n = r.LongTail(8, 200);
  for (int i = 0; i < n; ++i) {
    s += Fmt("%d%c\t/var/log/%s/%s.log.%d.gz\n", static_cast<int>(r.Range(1, 999)), "KMG"[r.Range(0, 2)],
             r.Pick(kServices), r.Pick(kServices), i);
  }
  return o;
}

Outputs DockerDeploy(Rng& r, bool failed, bool killed, int64_t, const std::string&) {
  Outputs o;
  std::string& s = o.stdout_text;
  std::string team = r.Pick(kTeams);
  std::string tag = Fmt("v%d.%d.%d", static_cast<int>(r.Range(1, 9)), static_cast<int>(r.Range(0, 60)),
                        static_cast<int>(r.Range(0, 20)));
  s += "Login Succeeded\n" + tag + ": Pulling from " + team + "/api\n";
  int layers = static_cast<int>(r.Range(3, 14));
  for (int i = 0; i < layers; ++i) s += Hex(r.Next(), 12) + ": Pulling fs layer\n";
  for (int i = 0; i < layers; ++i) s += Hex(r.Next(), 12) + (r.Chance(0.3) ? ": Already exists\n" : ": Pull complete\n");
  if (killed) return o;
  s += "Digest: sha256:" + Hex(r.Next(), 16) + Hex(r.Next(), 16) + Hex(r.Next(), 16) + Hex(r.Next(), 16) +
       "\nStatus: Downloaded newer image for 123456789012.dkr.ecr.eu-west-1.amazonaws.com/" + team + "/api:" + tag + "\n";
  if (failed) {
    o.stderr_text = "Error response from daemon: driver failed programming external connectivity on endpoint " + team +
                    "-api-1 (" + Hex(r.Next(), 16) + "): Bind for 0.0.0.0:8080 failed: port is already allocated\n"
                    "failed to run commands: exit status 1";
    return o;
  }
  s += " Container " + team + "-api-1  Recreate\n Container " + team + "-api-1  Recreated\n Container " + team +
       "-api-1  Starting\n Container " + team + "-api-1  Started\n";
  return o;
}

std::string PythonTraceback(Rng& r) {
  std::string s = "Traceback (most recent call last):\n";
  int frames = static_cast<int>(r.Range(3, 14));
  for (int i = 0; i < frames; ++i) {
    s += Fmt("  File \"%s\", line %d, in %s\n    %s\n", r.Pick(kPythonFiles), static_cast<int>(r.Range(10, 2400)),
             r.Chance(0.5) ? "_execute_context" : "run_migrations",
             r.Chance(0.5) ? "self.dialect.do_execute(cursor, statement, parameters, context)"
                           : "return fn(*args, **kwargs)");
  }
  s += "sqlalchemy.exc.OperationalError: (psycopg2.errors.LockNotAvailable) canceling statement due to lock "
       "timeout\n[SQL: ALTER TABLE orders ADD COLUMN fulfilment_state VARCHAR(32)]\n(Background on this error at: "
       "https://sqlalche.me/e/20/e3q8)\n";
  return s;
}

Outputs Migrations(Rng& r, bool failed, bool, int64_t, const std::string&) {
  Outputs o;
  std::string& s = o.stdout_text;
  s += "INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.\nINFO  [alembic.runtime.migration] Will assume "
       "transactional DDL.\n";
  int n = r.LongTail(3, 40);
  std::string prev = Hex(r.Next(), 12);
  for (int i = 0; i < n; ++i) {
    std::string next = Hex(r.Next(), 12);
    s += "INFO  [alembic.runtime.migration] Running upgrade " + prev + " -> " + next + ", " +
         (r.Chance(0.5) ? "add index on orders.created_at" : "backfill customer region") + "\n";
    prev = next;
  }
  if (failed) o.stderr_text = PythonTraceback(r) + "failed to run commands: exit status 1";
  return o;
}

std::string JavaTrace(Rng& r) {
  std::string s = Fmt("Exception in thread \"http-nio-8080-exec-%d\" java.lang.IllegalStateException: Connection "
                      "pool exhausted (active=%d, idle=0, waiting=%d)\n",
                      static_cast<int>(r.Range(1, 200)), static_cast<int>(r.Range(10, 50)),
                      static_cast<int>(r.Range(1, 300)));
  int frames = static_cast<int>(r.Range(8, 40));
  for (int i = 0; i < frames; ++i) {
    const char* cls = r.Pick(kJavaClasses);
    const char* simple = std::strrchr(cls, '.') + 1;
    s += Fmt("\tat %s.%s(%s.java:%d)\n", cls, r.Chance(0.5) ? "process" : "invoke", simple,
             static_cast<int>(r.Range(20, 900)));
  }
  s += "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request "
       "timed out after 30000ms.\n\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)\n"
       "\t... 42 more\n";
  return s;
}

Outputs ThreadDump(Rng& r, bool failed, bool, int64_t start_ms, const std::string& host) {
  Outputs o;
  std::string& s = o.stdout_text;
  s += JournalLines(r, start_ms - 300000, host, "app-api", r.LongTail(20, 300));
  int traces = static_cast<int>(r.Range(0, 3));
  for (int i = 0; i < traces; ++i) s += JavaTrace(r);
  if (failed) o.stderr_text = "jcmd: Unable to open socket file /proc/2217/root/tmp/.java_pid2217: target process "
                              "not responding or HotSpot VM not loaded\nfailed to run commands: exit status 1";
  return o;
}

Outputs RestartService(Rng& r, bool failed, bool, int64_t start_ms, const std::string& host) {
  if (failed) return SystemctlStatus(r, true, false, start_ms, host);
  Outputs o;
  o.stdout_text = r.Chance(0.5) ? "active\nok\n" : "active\n{\"status\":\"ok\",\"version\":\"" + Version(r) + "\"}\n";
  return o;
}

Outputs PowerShellServices(Rng& r, bool failed, bool, int64_t, const std::string&) {
  Outputs o;
  std::string& s = o.stdout_text;
  s += "\r\nStatus   Name               DisplayName\r\n------   ----               -----------\r\n";
  static const char* const kWin[] = {"AmazonSSMAgent", "W3SVC", "WinRM", "Spooler", "MSSQLSERVER", "wuauserv",
                                     "EventLog", "Dnscache", "LanmanServer", "CloudWatchAgent"};
  int n = r.LongTail(8, 100);
  for (int i = 0; i < n; ++i) {
    const char* name = r.Pick(kWin);
    s += Fmt("%-8s %-18s %s\r\n", r.Chance(0.85) ? "Running" : "Stopped", name, name);
  }
  if (failed) {
    o.stderr_text = "Get-Item : Cannot find path 'C:\\ProgramData\\Acme\\config.json' because it does not exist.\r\nAt "
                    "C:\\ProgramData\\Amazon\\SSM\\InstanceData\\i\\document\\orchestration\\" + Hex(r.Next(), 8) +
                    "\\awsrunPowerShellScript\\0.awsrunPowerShellScript\\_script.ps1:3 char:1\r\n+ Get-Item "
                    "C:\\ProgramData\\Acme\\config.json\r\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\r\n    + CategoryInfo    "
                    "      : ObjectNotFound: (C:\\ProgramData\\Acme\\config.json:String) [Get-Item], "
                    "ItemNotFoundException\r\n    + FullyQualifiedErrorId : "
                    "PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand\r\n \r\nfailed to run commands: exit status 1";
  }
  return o;
}

Outputs PatchScan(Rng& r, bool failed, bool, int64_t start_ms, const std::string& host) {
  Outputs o;
  std::string& s = o.stdout_text;
  int64_t t = start_ms;
  auto line = [&](const std::string& text) {
    t += r.Range(0, 2500);
    s += SyslogTime(t) + " root [INFO]: " + text + "\n";
  };
  s += "/usr/bin/python3\n/usr/bin/python3\n/usr/bin/python3\n";
  line("Downloading payload from https://s3.dualstack.eu-west-1.amazonaws.com/aws-ssm-eu-west-1/"
       "patchbaselineoperations/linux/payloads/patch-baseline-operations-1.155.tar.gz");
  line("Attempting to import entrance file os_selector");
  line("Running with snapshot id = and operation = Scan");
  line("Instance Id: " + host);
  line("Region: eu-west-1");
  line("Product: AmazonLinux2023");
  line("Operation type: Scan");
  line("Baseline Id: pb-" + Hex(r.Next(), 17));
  int missing = r.LongTail(3, 200);
  for (int i = 0; i < missing; ++i) line(std::string("Missing: ") + r.Pick(kPackages) + "-" + Version(r) + ".amzn2023.x86_64");
  line(Fmt("Installed count: %d, Installed other count: %d, Missing count: %d, Failed count: %d, Not applicable "
           "count: %d",
           static_cast<int>(r.Range(300, 900)), static_cast<int>(r.Range(0, 9)), missing, failed ? 1 : 0,
           static_cast<int>(r.Range(500, 1500))));
  if (failed) {
    o.stderr_text = "ERROR: Failed to upload the inventory report: An error occurred (AccessDenied) when calling the "
                    "PutInventory operation\nfailed to run commands: exit status 1";
    return o;
  }
  line("Report upload successful.");
  line("Patch baseline operation Scan completed.");
  return o;
}

const Scenario kScenarios[] = {
    {"Restart nginx and check health", Platform::kLinux,
     {"set -eu", "systemctl restart nginx", "sleep 5", "systemctl is-active nginx", "curl -fsS http://127.0.0.1/healthz"},
     6000, RestartService},
    {"Apply OS package updates", Platform::kLinux,
     {"export DEBIAN_FRONTEND=noninteractive", "apt-get update", "apt-get -y upgrade"}, 45000, AptUpgrade},
    {"Install security updates", Platform::kLinux, {"yum -y update --security"}, 30000, YumUpdate},
    {"Check service status", Platform::kLinux, {"systemctl status --no-pager -n 400 $SERVICE"}, 800, SystemctlStatus},
    {"Disk usage report", Platform::kLinux, {"df -h", "du -sh /var/log/*/* | sort -rh | head -200"}, 2000, DiskReport},
    {"Deploy release", Platform::kLinux,
     {"aws ecr get-login-password | docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com",
      "docker compose pull", "docker compose up -d"},
     20000, DockerDeploy},
    {"Apply schema migrations", Platform::kLinux, {"cd /opt/app", "./venv/bin/alembic upgrade head"}, 9000, Migrations},
    {"Collect diagnostics for incident", Platform::kLinux,
     {"journalctl -u app-api --since -5min --no-pager", "jcmd $(pgrep -f app-api.jar) Thread.print | head -400"}, 4000,
     ThreadDump},
    {"List Windows services", Platform::kWindows, {"Get-Service | Sort-Object Status", "Get-Item C:\\ProgramData\\Acme\\config.json"},
     3000, PowerShellServices},
};

// ---------------------------------------------------------------------------------------------------
// Tapes.

struct Command {
  std::string id, document, version, comment, plugin, bucket, prefix, log_group;
  std::vector<std::string> commands, instances;
  const Scenario* scenario = nullptr;
  bool patch = false;
  int64_t requested_ms = 0;
  int timeout_s = 3600, execution_timeout_s = 3600;
};

struct Answer {
  int64_t at_ms;
  int status;
  std::string body;  // written as-is: already laid out by a JsonWriter at the right depth
};

const char kContentType[] = "application/x-amz-json-1.1";

std::string InstanceId(uint64_t seed, uint64_t n) {
  uint64_t x = seed ^ (n * 0x9e3779b97f4a7c15ull);
  return "i-0" + Hex(SplitMix(x), 16);
}

// One GetCommandInvocation answer body, members in the service model's order.
void InvocationBody(JsonWriter& w, const Command& c, const std::string& instance, const std::string& plugin,
                    int response_code, int64_t start_ms, int64_t elapsed_end_ms, int64_t end_ms, const char* status,
                    const char* details, const Outputs* out) {
  w.BeginObject();
  w.Field("CommandId", c.id);
  w.Field("InstanceId", instance);
  w.Field("Comment", c.comment);
  w.Field("DocumentName", c.document);
  w.Field("DocumentVersion", c.version);
  w.Field("PluginName", plugin);
  w.Field("ResponseCode", response_code);
  w.Field("ExecutionStartDateTime", start_ms ? Iso(start_ms) : "");
  w.Field("ExecutionElapsedTime", start_ms ? Duration(elapsed_end_ms - start_ms) : "");
  w.Field("ExecutionEndDateTime", end_ms ? Iso(end_ms) : "");
  w.Field("Status", status);
  w.Field("StatusDetails", details);
  w.Field("StandardOutputContent", out ? out->stdout_text : "");
  std::string step;
  for (char ch : plugin) {
    if (std::isalnum(static_cast<unsigned char>(ch))) step.push_back(ch);
  }
  auto url = [&](const char* stream) -> std::string {
    if (!end_ms || c.bucket.empty()) return "";
    return "https://s3.eu-west-1.amazonaws.com/" + c.bucket + "/" + c.prefix + "/" + c.id + "/" + instance + "/" +
           step + "/0." + step + "/" + stream;
  };
  w.Field("StandardOutputUrl", url("stdout"));
  w.Field("StandardErrorContent", out ? out->stderr_text : "");
  w.Field("StandardErrorUrl", url("stderr"));
  w.Key("CloudWatchOutputConfig");
  w.BeginObject();
  w.Field("CloudWatchLogGroupName", c.log_group);
  w.Key("CloudWatchOutputEnabled");
  w.Bool(!c.log_group.empty());
  w.EndObject();
  w.EndObject();
}

std::string Cut(std::string s, size_t limit) {
  if (s.size() <= limit) return s;
  s.resize(limit);
  while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xc0) == 0x80) s.pop_back();  // whole UTF-8 chars
  if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xc0) s.pop_back();
  return s;
}

// The answers a waiter saw for one invocation, polling every ~5 s.
std::vector<Answer> PollInvocation(Rng& r, const Command& c, const std::string& instance, const std::string& plugin,
                                   bool skipped_step) {
  // What happened on the instance.
  const bool delayed = r.Chance(0.03);
  int64_t start_ms = c.requested_ms + (delayed ? r.Range(20000, 90000) : r.Range(200, 2500));
  int64_t run_ms = skipped_step ? 0 : std::max<int64_t>(50, static_cast<int64_t>(c.scenario->typical_ms * (0.2 + 1.6 * r.Unit())));
  if (r.Chance(0.02)) run_ms *= 8;  // the odd run far slower than usual: the waiter may give up
  double u = r.Unit();
  enum { kSuccess, kFailed, kTimedOut, kCancelled } fate =
      skipped_step ? kSuccess : u < 0.84 ? kSuccess : u < 0.95 ? kFailed : u < 0.975 ? kTimedOut : kCancelled;
  int64_t cancel_request_ms = 0;
  // With the default executionTimeout (3600 s) the waiter gives up long before: its tape ends InProgress.
  if (fate == kTimedOut) run_ms = c.execution_timeout_s * 1000ll + r.Range(5, 400);
  if (fate == kCancelled) {
    cancel_request_ms = start_ms + r.Range(1000, 20000);
    run_ms = cancel_request_ms - start_ms + r.Range(5000, 12000);
  }
  const int64_t end_ms = start_ms + run_ms;
  std::optional<Outputs> outputs;

  std::vector<Answer> answers;
  int64_t t = c.requested_ms + r.Range(150, 900);
  const bool not_yet = r.Chance(0.08);  // eventual consistency right after SendCommand
  for (int poll = 0; poll < 20; ++poll) {
    Answer a;
    a.at_ms = t;
    a.status = 200;
    JsonWriter body(&a.body);
    bool terminal = false;
    if (poll == 0 && not_yet) {
      a.status = 400;
      body.BeginObject();
      body.Field("__type", "InvocationDoesNotExist");
      body.EndObject();
    } else if (t < start_ms) {
      const char* s = delayed && t > c.requested_ms + 5000 ? "Delayed" : "Pending";
      InvocationBody(body, c, instance, plugin, -1, 0, 0, 0, s, s, nullptr);
    } else if (t < end_ms) {
      bool cancelling = fate == kCancelled && t >= cancel_request_ms;
      const char* s = cancelling ? "Cancelling" : "InProgress";
      InvocationBody(body, c, instance, plugin, -1, start_ms, t, 0, s, s, nullptr);
    } else {
      if (!outputs) {
        outputs = skipped_step ? Outputs{}
                               : c.scenario->outputs(r, fate == kFailed, fate == kTimedOut || fate == kCancelled,
                                                     start_ms, instance);
        if (skipped_step) {
          outputs->stdout_text = "Step execution skipped due to unsatisfied preconditions: '\"StringEquals\": "
                                 "[platformType, Windows]'. Step name: PatchWindows";
        }
        outputs->stdout_text = Cut(outputs->stdout_text, kStdoutLimit);
        outputs->stderr_text = Cut(outputs->stderr_text, kStderrLimit);
      }
      int64_t end = skipped_step ? start_ms : end_ms;
      switch (fate) {
        case kSuccess:
          InvocationBody(body, c, instance, plugin, 0, start_ms, end, end, "Success", "Success", &*outputs);
          break;
        case kFailed:
          InvocationBody(body, c, instance, plugin, r.Chance(0.8) ? 1 : 100, start_ms, end, end, "Failed", "Failed",
                         &*outputs);
          break;
        case kTimedOut:
          InvocationBody(body, c, instance, plugin, 137, start_ms, end, end, "TimedOut", "ExecutionTimedOut", &*outputs);
          break;
        case kCancelled:
          InvocationBody(body, c, instance, plugin, 137, start_ms, end, end, "Cancelled", "Cancelled", &*outputs);
          break;
      }
      terminal = true;
    }
    answers.push_back(std::move(a));
    if (terminal) break;
    t += 5000 + r.Range(20, 80);
  }
  return answers;
}

// Appends one tape file's text for an interaction list. `key` writes the "key" member's value;
// `request` writes an interaction's "request" value.
template <typename KeyFn, typename RequestFn>
void WriteTape(std::string* out, Rng& r, const std::vector<Answer>& answers, KeyFn key, RequestFn request) {
  JsonWriter w(out);
  w.BeginObject();
  w.Field("ssmReplayTape", 1);
  w.Key("key");
  key(w);
  w.Key("interactions");
  w.BeginArray();
  for (const Answer& a : answers) {
    w.BeginObject();
    w.Field("recordedAt", Iso(a.at_ms));
    w.Field("upstreamLatencyMicros", r.Range(18000, 95000));
    w.Field("source", "record https://ssm.eu-west-1.amazonaws.com");
    w.Key("request");
    request(w);
    w.Key("response");
    w.BeginObject();
    w.Field("status", a.status);
    w.Key("headers");
    w.BeginObject();
    w.Field("Content-Type", kContentType);
    w.Field("x-amzn-RequestId", Uuid4(r));
    w.EndObject();
    w.Key("body");
    w.Raw(a.body);
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  out->push_back('\n');
}

// The body text of `a`, re-indented for its place in the file (depth 4: tape > interactions > entry >
// response). Bodies are written at depth 0 and shifted here, which is cheaper than threading depth.
std::string Indent(const std::string& body, int depth) {
  std::string pad(static_cast<size_t>(2 * depth), ' '), out;
  out.reserve(body.size() + body.size() / 8);
  for (char c : body) {
    out.push_back(c);
    if (c == '\n') out.append(pad);
  }
  return out;
}

std::string SafeName(const std::string& s) {
  std::string out;
  for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_');
  return out;
}

struct ShardStats {
  uint64_t tapes = 0, interactions = 0, bytes = 0;
};

bool MakeDir(const std::string& path) { return mkdir(path.c_str(), 0755) == 0 || errno == EEXIST; }

bool WriteFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  return std::fclose(f) == 0 && ok;
}

// Writes shard `shard`: `count` tapes into out/<shard>/.
bool WriteShard(const std::string& out, uint64_t seed, uint64_t shard, uint64_t count, uint64_t instance_pool,
                ShardStats* stats, std::string* error) {
  uint64_t mix = seed * 0x100000001b3ull + shard;
  Rng r(SplitMix(mix));
  std::string dir = out + "/" + Fmt("%04" PRIu64, shard);
  if (!MakeDir(dir) || !MakeDir(dir + "/get-command-invocation") || !MakeDir(dir + "/send-command")) {
    *error = "cannot create " + dir + ": " + std::strerror(errno);
    return false;
  }
  std::string keys, text;
  // Commands of this shard were sent over about a month from 2026-10-01.
  const int64_t base_ms = 1790812800000ll;
  for (uint64_t commands = 0; stats->tapes < count; ++commands) {
    Command c;
    c.id = Uuid4(r);
    c.requested_ms = base_ms + r.Range(0, 30ll * 24 * 3600 * 1000);
    double kind = r.Unit();
    std::vector<std::string> plugins;  // GetCommandInvocation PluginName per tape; "" = omitted
    if (kind < 0.12) {
      c.patch = true;
      c.document = "AWS-RunPatchBaseline";
      c.comment = "Patch scan (maintenance window MW-" + std::to_string(100000 + shard * 1000 + commands) + ")";
      c.scenario = nullptr;
      c.commands = {};
      plugins = {"PatchLinux", "PatchWindows"};
    } else {
      c.scenario = &kScenarios[r.Next() % (sizeof kScenarios / sizeof kScenarios[0])];
      bool windows = c.scenario->platform == Platform::kWindows;
      c.document = windows ? "AWS-RunPowerShellScript" : "AWS-RunShellScript";
      c.plugin = windows ? "aws:runPowerShellScript" : "aws:runShellScript";
      c.comment = c.scenario->comment;
      // A change ticket, unique per command: two identical SendCommand requests would be one tape.
      c.comment += std::string(" (") + r.Pick(kTeams) + ", CHG-" + std::to_string(100000 + shard * 1000 + commands) + ")";
      c.commands = c.scenario->commands;
      plugins = {r.Chance(0.15) ? c.plugin : ""};
    }
    c.version = r.Chance(0.7) ? "" : "1";
    c.timeout_s = r.Chance(0.6) ? 600 : 3600;
    c.execution_timeout_s = r.Chance(0.5) ? 3600 : static_cast<int>(r.Range(30, 120));
    if (r.Chance(0.15)) {
      c.bucket = r.Pick(kBuckets);
      c.prefix = "run-command";
    }
    if (r.Chance(0.1)) c.log_group = "/aws/ssm/" + c.document;
    // Fleet size: most commands go to one instance, some to dozens.
    double f = r.Unit();
    int fanout = f < 0.6 ? 1 : f < 0.85 ? static_cast<int>(r.Range(2, 5)) : f < 0.97 ? static_cast<int>(r.Range(6, 20))
                                                                                  : static_cast<int>(r.Range(21, 60));
    uint64_t first = r.Next() % instance_pool;
    for (int i = 0; i < fanout; ++i) c.instances.push_back(InstanceId(seed, (first + static_cast<uint64_t>(i) * 7919) % instance_pool));

    // SendCommand tape: request (canonical: keys sorted) and the Command it returned.
    {
      std::string req;
      JsonWriter rw(&req);
      auto request = [&](JsonWriter& w) {
        w.BeginObject();
        if (!c.log_group.empty()) {
          w.Key("CloudWatchOutputConfig");
          w.BeginObject();
          w.Field("CloudWatchLogGroupName", c.log_group);
          w.Key("CloudWatchOutputEnabled");
          w.Bool(true);
          w.EndObject();
        }
        w.Field("Comment", c.comment);
        w.Field("DocumentName", c.document);
        w.StringArray("InstanceIds", c.instances);
        if (!c.bucket.empty()) {
          w.Field("OutputS3BucketName", c.bucket);
          w.Field("OutputS3KeyPrefix", c.prefix);
        }
        w.Key("Parameters");
        w.BeginObject();
        if (c.patch) {
          w.StringArray("Operation", {"Scan"});
        } else {
          w.StringArray("commands", c.commands);
          if (c.execution_timeout_s != 3600) w.StringArray("executionTimeout", {std::to_string(c.execution_timeout_s)});
        }
        w.EndObject();
        w.Field("TimeoutSeconds", c.timeout_s);
        w.EndObject();
      };
      request(rw);
      // The file name hashes the canonical (compact) request: let the store's own function say what that is.
      ssm::Result<std::string> canonical = ssm::CanonicalJson(req);
      if (!canonical.ok()) {
        *error = "generated a bad SendCommand request: " + canonical.status().message();
        return false;
      }
      std::vector<Answer> answers(1);
      answers[0].at_ms = c.requested_ms;
      answers[0].status = 200;
      std::string& b = answers[0].body;
      JsonWriter bw(&b);
      bw.BeginObject();
      bw.Key("Command");
      bw.BeginObject();
      bw.Field("CommandId", c.id);
      bw.Field("DocumentName", c.document);
      bw.Field("DocumentVersion", c.version);
      bw.Field("Comment", c.comment);
      bw.Key("ExpiresAfter");
      bw.Raw(EpochSeconds(c.requested_ms + (c.timeout_s + c.execution_timeout_s) * 1000ll));
      bw.Key("Parameters");
      bw.BeginObject();
      if (c.patch) {
        bw.StringArray("Operation", {"Scan"});
      } else {
        bw.StringArray("commands", c.commands);
        if (c.execution_timeout_s != 3600) bw.StringArray("executionTimeout", {std::to_string(c.execution_timeout_s)});
      }
      bw.EndObject();
      bw.StringArray("InstanceIds", c.instances);
      bw.StringArray("Targets", {});
      bw.Key("RequestedDateTime");
      bw.Raw(EpochSeconds(c.requested_ms));
      bw.Field("Status", "Pending");
      bw.Field("StatusDetails", "Pending");
      bw.Field("OutputS3Region", "eu-west-1");
      bw.Field("OutputS3BucketName", c.bucket);
      bw.Field("OutputS3KeyPrefix", c.prefix);
      bw.Field("MaxConcurrency", "50");
      bw.Field("MaxErrors", "0");
      bw.Field("TargetCount", static_cast<int64_t>(c.instances.size()));
      bw.Field("CompletedCount", 0);
      bw.Field("ErrorCount", 0);
      bw.Field("DeliveryTimedOutCount", 0);
      bw.Field("ServiceRole", "");
      bw.Key("NotificationConfig");
      bw.BeginObject();
      bw.Field("NotificationArn", "");
      bw.StringArray("NotificationEvents", {});
      bw.Field("NotificationType", "");
      bw.EndObject();
      bw.Key("CloudWatchOutputConfig");
      bw.BeginObject();
      bw.Field("CloudWatchLogGroupName", c.log_group);
      bw.Key("CloudWatchOutputEnabled");
      bw.Bool(!c.log_group.empty());
      bw.EndObject();
      bw.Field("TimeoutSeconds", c.timeout_s);
      bw.EndObject();
      bw.EndObject();
      b = Indent(b, 4);
      std::string req_in_key = Indent(req, 2), req_in_entry = Indent(req, 3);
      text.clear();
      WriteTape(
          &text, r, answers,
          [&](JsonWriter& w) {
            w.BeginObject();
            w.Field("action", "SendCommand");
            w.Key("request");
            w.Raw(req_in_key);
            w.EndObject();
          },
          [&](JsonWriter& w) { w.Raw(req_in_entry); });
      std::string path = dir + "/send-command/" + ssm::HexEncode(ssm::Sha256(*canonical)).substr(0, 16) + ".json";
      if (!WriteFile(path, text)) {
        *error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
      }
      ++stats->tapes;
      ++stats->interactions;
      stats->bytes += text.size();
    }

    // GetCommandInvocation tapes, one per instance and plugin, until the shard is full.
    for (const std::string& instance : c.instances) {
      for (const std::string& plugin : plugins) {
        if (stats->tapes >= count) break;
        bool skipped = c.patch && plugin == "PatchWindows";
        Command run = c;
        if (c.patch) {
          static const Scenario kPatch = {"", Platform::kLinux, {}, 40000, PatchScan};
          run.scenario = &kPatch;
        }
        std::string body_plugin = plugin.empty() ? c.plugin : plugin;
        std::vector<Answer> answers = PollInvocation(r, run, instance, body_plugin, skipped);
        for (Answer& a : answers) a.body = Indent(a.body, 4);
        auto request = [&](JsonWriter& w) {
          w.BeginObject();
          w.Field("CommandId", c.id);
          w.Field("InstanceId", instance);
          if (!plugin.empty()) w.Field("PluginName", plugin);
          w.EndObject();
        };
        text.clear();
        WriteTape(
            &text, r, answers,
            [&](JsonWriter& w) {
              w.BeginObject();
              w.Field("action", "GetCommandInvocation");
              w.Field("CommandId", c.id);
              w.Field("InstanceId", instance);
              if (!plugin.empty()) w.Field("PluginName", plugin);
              w.EndObject();
            },
            request);
        std::string name = SafeName(c.id) + "_" + SafeName(instance) + (plugin.empty() ? "" : "_" + SafeName(plugin));
        std::string path = dir + "/get-command-invocation/" + name + ".json";
        if (!WriteFile(path, text)) {
          *error = "cannot write " + path + ": " + std::strerror(errno);
          return false;
        }
        keys += c.id + "\t" + instance + "\t" + (plugin.empty() ? "-" : plugin) + "\n";
        ++stats->tapes;
        stats->interactions += answers.size();
        stats->bytes += text.size();
      }
    }
  }
  if (!WriteFile(dir + "/keys.tsv", keys)) {
    *error = "cannot write " + dir + "/keys.tsv";
    return false;
  }
  return true;
}

[[noreturn]] void Usage(const std::string& why) {
  std::fprintf(stderr,
               "ssm-bench-gen-tapes: %s\nusage: ssm-bench-gen-tapes --out DIR --count N [--seed S] [--threads T] "
               "[--per-shard 1000]\n",
               why.c_str());
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  uint64_t count = 0, seed = 1, per_shard = 1000;
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage("missing value after " + arg);
      return argv[++i];
    };
    auto number = [&]() -> uint64_t {
      std::string v = value();
      char* end = nullptr;
      uint64_t n = std::strtoull(v.c_str(), &end, 10);
      if (v.empty() || *end) Usage(arg + " wants a number, got '" + v + "'");
      return n;
    };
    if (arg == "--out") out = value();
    else if (arg == "--count") count = number();
    else if (arg == "--seed") seed = number();
    else if (arg == "--threads") threads = static_cast<unsigned>(std::max<uint64_t>(1, number()));
    else if (arg == "--per-shard") per_shard = std::max<uint64_t>(1, number());
    else Usage("unknown argument " + arg);
  }
  if (out.empty() || count == 0) Usage("--out and --count are required");
  if (!MakeDir(out)) Usage("cannot create " + out + ": " + std::strerror(errno));

  auto started = std::chrono::steady_clock::now();
  const uint64_t shards = (count + per_shard - 1) / per_shard;
  // About 20 tapes per instance over the month: a realistic fleet for the store's size.
  const uint64_t instance_pool = std::max<uint64_t>(50, count / 20);
  std::vector<ShardStats> stats(shards);
  std::atomic<uint64_t> next{0};
  std::atomic<bool> failed{false};
  std::string first_error;
  std::mutex error_mu;
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (uint64_t s; !failed && (s = next++) < shards;) {
        uint64_t n = std::min(per_shard, count - s * per_shard);
        std::string error;
        if (!WriteShard(out, seed, s, n, instance_pool, &stats[s], &error)) {
          std::lock_guard<std::mutex> lock(error_mu);
          if (!failed.exchange(true)) first_error = error;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  if (failed) {
    std::fprintf(stderr, "ssm-bench-gen-tapes: %s\n", first_error.c_str());
    return 1;
  }
  ShardStats total;
  for (const auto& s : stats) {
    total.tapes += s.tapes;
    total.interactions += s.interactions;
    total.bytes += s.bytes;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string summary = Fmt("tapes=%" PRIu64 " interactions=%" PRIu64 " bytes=%" PRIu64 " shards=%" PRIu64
                            " seed=%" PRIu64 " seconds=%.1f\n",
                            total.tapes, total.interactions, total.bytes, shards, seed, secs);
  WriteFile(out + "/generated.txt", summary);
  std::printf("%s", summary.c_str());
  return 0;
}
