#include "tests/multiprocess/orgd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support/http_client.h"

#ifndef ORGD_BINARY
#error "ORGD_BINARY must name the orgd executable (set by tests/multiprocess/CMakeLists.txt)"
#endif

extern char** environ;

namespace orgd::testing {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kListening = "orgd listening on ";
constexpr std::string_view kLoopbackUrl = "http://127.0.0.1:";

// The TCP port `pid` listens on, from the kernel's socket table. orgd prints its public URL, which
// is the bound address only when no --public-url is given. 0 when none is found.
uint16_t ListeningPort(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::vector<std::string> inodes;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(proc + "/fd", ec)) {
    std::error_code link_ec;
    const std::string target = std::filesystem::read_symlink(entry.path(), link_ec).string();
    if (!link_ec && target.starts_with("socket:[") && target.ends_with("]")) {
      inodes.push_back(target.substr(8, target.size() - 9));
    }
  }
  // Lines: "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout
  // inode ..."; addresses are hex "0100007F:1F90", state 0A is LISTEN.
  std::ifstream table(proc + "/net/tcp");
  std::string line;
  std::getline(table, line);
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    std::string sl, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    fields >> sl >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >>
        inode;
    if (state != "0A" || std::find(inodes.begin(), inodes.end(), inode) == inodes.end()) continue;
    const size_t colon = local.find(':');
    unsigned port = 0;
    if (colon == std::string::npos) continue;
    std::from_chars(local.data() + colon + 1, local.data() + local.size(), port, 16);
    if (port > 0 && port < 65536) return static_cast<uint16_t>(port);
  }
  return 0;
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::unique_ptr<OrgdProcess> OrgdProcess::Spawn(const OrgdProcessOptions& options,
                                                std::string* error) {
  std::unique_ptr<OrgdProcess> process(new OrgdProcess());

  std::string stderr_template =
      (std::filesystem::temp_directory_path() / "orgd-mp-stderr-XXXXXX").string();
  const int stderr_fd = ::mkostemp(stderr_template.data(), O_CLOEXEC);
  if (stderr_fd < 0) {
    *error = std::string("mkostemp: ") + std::strerror(errno);
    return nullptr;
  }
  process->stderr_path_ = stderr_template;
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int out_pipe[2];
  if (null_fd < 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) {
    *error = std::string("pipe: ") + std::strerror(errno);
    ::close(stderr_fd);
    if (null_fd >= 0) ::close(null_fd);
    return nullptr;
  }

  // Everything the child needs is built before fork: between fork and exec only
  // async-signal-safe calls are allowed (the test process has threads).
  std::vector<std::string> args = {ORGD_BINARY,       "serve",
                                   "--listen",        "127.0.0.1:0",
                                   "--database",      options.database_url,
                                   "--threads",       std::to_string(options.threads),
                                   "--db-pool-size",  std::to_string(options.db_pool_size),
                                   "--no-request-log"};
  if (!options.public_url.empty()) {
    args.push_back("--public-url");
    args.push_back(options.public_url);
  }
  args.insert(args.end(), options.extra_args.begin(), options.extra_args.end());
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("ORGD_")) env.emplace_back(*e);
  }
  env.push_back(std::string("ORGD_BOOTSTRAP_CLIENT_ID=") + kProcessAdminId);
  env.push_back(std::string("ORGD_BOOTSTRAP_CLIENT_SECRET=") + kProcessAdminSecret);
  env.push_back(std::string("ORGD_KEK=") + kProcessKek);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    ::close(stderr_fd);
    ::close(null_fd);
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return nullptr;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the parent died before prctl took effect
    // dup2 clears O_CLOEXEC on the copies; every other descriptor closes at exec.
    if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(out_pipe[1], STDOUT_FILENO) < 0 ||
        ::dup2(stderr_fd, STDERR_FILENO) < 0) {
      ::_exit(126);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(stderr_fd);
  ::close(null_fd);
  ::close(out_pipe[1]);
  ::fcntl(out_pipe[0], F_SETFL, ::fcntl(out_pipe[0], F_GETFL) | O_NONBLOCK);
  process->pid_ = pid;
  process->has_public_url_ = !options.public_url.empty();
  process->stdout_fd_ = out_pipe[0];
  return process;
}

OrgdProcess::~OrgdProcess() {
  Kill();
  if (stdout_fd_ >= 0) ::close(stdout_fd_);
  if (!stderr_path_.empty()) {
    std::error_code ec;
    std::filesystem::remove(stderr_path_, ec);
  }
}

bool OrgdProcess::Reaped(int* status) {
  if (pid_ <= 0) return true;
  const pid_t r = ::waitpid(pid_, status, WNOHANG);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    exit_code_ = r == pid_ ? ExitCode(*status) : -1;
    pid_ = -1;
    return true;
  }
  return false;
}

std::unique_ptr<OrgdProcess> OrgdProcess::Start(const OrgdProcessOptions& options,
                                                std::string* error,
                                                std::chrono::milliseconds timeout) {
  auto process = Spawn(options, error);
  if (process != nullptr && !process->WaitReady(timeout, error)) return nullptr;
  return process;
}

bool OrgdProcess::WaitReady(std::chrono::milliseconds timeout, std::string* error) {
  const auto deadline = Clock::now() + timeout;
  auto fail = [&](const std::string& why) {
    *error =
        why + "\n--- orgd stdout ---\n" + stdout_text_ + "--- orgd stderr ---\n" + StderrTail();
    return false;
  };
  // The listening line: "orgd listening on <public URL> (database: …)".
  while (port_ == 0) {
    if (const size_t at = stdout_text_.find(kListening);
        at != std::string::npos && stdout_text_.find('\n', at) != std::string::npos) {
      const std::string_view url = std::string_view(stdout_text_).substr(at + kListening.size());
      unsigned value = 0;
      if (!has_public_url_ && url.starts_with(kLoopbackUrl)) {
        std::from_chars(url.data() + kLoopbackUrl.size(), url.data() + url.size(), value);
      } else {
        value = ListeningPort(pid_);
      }
      if (value == 0 || value > 65535) return fail("cannot tell the port orgd listens on");
      port_ = static_cast<uint16_t>(value);
      break;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return fail("orgd did not print its address in time");
    pollfd pfd{.fd = stdout_fd_, .events = POLLIN, .revents = 0};
    const int rc = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left.count(), 100)));
    if (rc < 0 && errno != EINTR) return fail(std::string("poll: ") + std::strerror(errno));
    char buf[4096];
    const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n > 0) {
      stdout_text_.append(buf, static_cast<size_t>(n));
      continue;
    }
    int status = 0;
    if (n == 0 || Reaped(&status)) {
      // End of output: the child is gone, or about to be.
      const auto give_up = Clock::now() + std::chrono::seconds(5);
      while (!Reaped(&status) && Clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return fail("orgd exited before listening (exit code " +
                  (exit_code_ ? std::to_string(*exit_code_) : std::string("unknown")) + ")");
    }
  }
  // The server is bound and started before it prints the line, so this normally answers at once.
  HttpClient client(port_);
  for (;;) {
    try {
      if (client.Send("GET", "/healthz").status == 200) return true;
    } catch (const std::exception&) {
      // Not accepting yet; retried below.
    }
    if (Clock::now() >= deadline) return fail("orgd did not answer /healthz in time");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<int> OrgdProcess::Terminate(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_code_;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + timeout;
  int status = 0;
  while (!Reaped(&status)) {
    if (Clock::now() >= deadline) {
      Kill();
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

void OrgdProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  if (::waitpid(pid_, &status, 0) == pid_) exit_code_ = ExitCode(status);
  pid_ = -1;
}

std::string OrgdProcess::StderrTail(size_t bytes) const {
  std::ifstream in(stderr_path_, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

Result<std::unique_ptr<ProcessDatabase>> ProcessDatabase::Create(const std::string& backend,
                                                                 std::string* skip_reason) {
  std::unique_ptr<ProcessDatabase> database(new ProcessDatabase());
  if (backend == "postgres") {
    auto schema = PgTestSchema::Create(skip_reason);
    if (!schema) return std::move(schema).error();
    if (*schema == nullptr) return std::unique_ptr<ProcessDatabase>();
    database->schema_ = std::move(*schema);
    database->url_ = database->schema_->url();
    return database;
  }
  static std::atomic<int> counter{0};
  database->sqlite_path_ =
      (std::filesystem::temp_directory_path() /
       ("orgd-mp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db"))
          .string();
  database->url_ = "sqlite://" + database->sqlite_path_;  // an absolute path: sqlite:///tmp/...
  return database;
}

ProcessDatabase::~ProcessDatabase() {
  schema_.reset();
  if (sqlite_path_.empty()) return;
  for (const char* suffix : {"", "-wal", "-shm", ".kek"}) {
    std::error_code ec;
    std::filesystem::remove(sqlite_path_ + suffix, ec);
  }
}

}  // namespace orgd::testing
