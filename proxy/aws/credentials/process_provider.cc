#include "proxy/aws/credentials/process_provider.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "proxy/aws/credentials/shell_words.h"

extern char** environ;

namespace ssm {

namespace {

struct ProcessOutput {
  int exit_status = 0;  // the exit code, or 128 + signal
  std::string out;
  std::string err;
};

// Reads both pipes until they close (poll, so a chatty stderr cannot block stdout).
void Drain(int out_fd, int err_fd, ProcessOutput* output) {
  struct pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&output->out, &output->err};
  int open = 2;
  char buffer[4096];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        if (sinks[i]->size() < (1u << 20)) sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
}

Result<ProcessOutput> Run(const std::vector<std::string>& argv) {
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return Status::IOError(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return Status::IOError("could not run " + argv[0] + ": " + std::strerror(spawned));
  }
  ProcessOutput output;
  Drain(out_pipe[0], err_pipe[0], &output);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  output.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return output;
}

std::string Trimmed(std::string text, size_t limit) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(const std::string& command) {
  Result<std::vector<std::string>> words = ShellSplit(command);
  if (!words.ok()) return Status::InvalidArgument("credential_process has an unterminated quote");
  if (words->empty()) return Status::InvalidArgument("credential_process is empty");
  return words;
}

Result<AwsCredentials> ParseProcessOutput(const std::string& output, const std::string& what) {
  nlohmann::json json = nlohmann::json::parse(output, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::Corruption(what + " did not print a JSON object on stdout");
  auto text = [&](const char* key) {
    auto it = json.find(key);
    return it != json.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto version = json.find("Version");
  if (version == json.end() || !version->is_number_integer() || version->get<int>() != 1) {
    return Status::Corruption(what + " printed JSON without \"Version\": 1 (the only version defined)");
  }
  AwsCredentials credentials;
  credentials.access_key_id = text("AccessKeyId");
  credentials.secret_access_key = text("SecretAccessKey");
  credentials.session_token = text("SessionToken");
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::Corruption(what + " printed JSON without AccessKeyId and SecretAccessKey");
  }
  const std::string expiration = text("Expiration");
  if (!expiration.empty()) {
    credentials.expiration = ParseIso8601(expiration);
    if (credentials.expiration <= 0) return Status::Corruption(what + " printed an Expiration that is not ISO 8601");
  }
  return credentials;
}

Result<AwsCredentials> ProcessProvider::Load() {
  const std::string command = ValueOf(context_.files.Profile(profile_), "credential_process");
  if (command.empty()) return Status::NotFound("profile [" + profile_ + "] has no credential_process");
  const std::string what = "credential_process of profile [" + profile_ + "]";
  Result<std::vector<std::string>> argv = SplitCommandLine(command);
  if (!argv.ok()) return Status::InvalidArgument(what + ": " + argv.status().message());
  Result<ProcessOutput> output = Run(argv.value());
  if (!output.ok()) return Status::IOError(what + ": " + output.status().message());
  if (output->exit_status != 0) {
    const std::string err = Trimmed(output->err, 2000);
    return Status::IOError(what + " (" + argv.value()[0] + ") exited with status " +
                           std::to_string(output->exit_status) +
                           (err.empty() ? std::string(" and printed nothing on stderr") : "; its stderr: " + err));
  }
  Result<AwsCredentials> credentials = ParseProcessOutput(output->out, what);
  if (!credentials.ok()) return credentials;
  credentials->source = what;
  return credentials;
}

}  // namespace ssm
