#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace orgd::testing {

// The bootstrap admin client every child process gets through ORGD_BOOTSTRAP_CLIENT_ID/SECRET.
inline constexpr const char* kProcessAdminId = "mp-admin";
inline constexpr const char* kProcessAdminSecret = "mp-admin-secret-0123456789";
// The KEK (ORGD_KEK) every child process gets: processes on one database must share it.
inline constexpr const char* kProcessKek = "6d702d6b656b2d6d702d6b656b2d6d702d6b656b2d6d702d6b656b2d6d702d6b";

struct OrgdProcessOptions {
  // --database: a postgresql:// URL or sqlite:///absolute/path.
  std::string database_url;
  // --public-url: the one base URL of all processes behind a load balancer. Tokens carry it as
  // their issuer, so processes that are to accept each other's tokens must share it. Empty: no
  // flag (each process's own http://127.0.0.1:PORT).
  std::string public_url = "http://orgd.test";
  int threads = 2;
  int db_pool_size = 4;
  // Appended to the command line after the flags above (e.g. {"--header-timeout", "2s"}).
  std::vector<std::string> extra_args;
};

// A real `orgd serve` (the binary of ORGD_BINARY) in a child process, listening on
// 127.0.0.1:<free port>. Its environment is the test's without any ORGD_* variable, plus the
// bootstrap client above. Its stdout is read for the "orgd listening on <URL>" line; the port
// comes from that URL when no public URL is given, else from /proc (the URL is then the public
// one). Its stderr (the JSON log) goes to a temporary file for failure messages. The child is
// killed (SIGKILL) when this object is destroyed while it still runs, and also when the thread
// that spawned it exits (PR_SET_PDEATHSIG), so a crashed test leaves no orgd behind. Not
// thread-safe.
class OrgdProcess {
 public:
  // Starts the child and returns at once (no waiting for it to listen); nullptr with `error` set
  // when fork or the temporary files fail.
  static std::unique_ptr<OrgdProcess> Spawn(const OrgdProcessOptions& options, std::string* error);
  ~OrgdProcess();
  OrgdProcess(const OrgdProcess&) = delete;
  OrgdProcess& operator=(const OrgdProcess&) = delete;

  // Waits until the child printed its address and answers GET /healthz with 200. False, with
  // `error` (holding the child's stderr) set, when it exits first or `timeout` passes.
  bool WaitReady(std::chrono::milliseconds timeout, std::string* error);
  // The port parsed from the listening line; 0 before WaitReady succeeded.
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // Sends SIGTERM and waits up to `timeout` for the child to exit. Returns its exit code (128 +
  // signal number when a signal ended it), or nullopt when it did not exit in time; it is then
  // killed.
  std::optional<int> Terminate(std::chrono::milliseconds timeout);
  // SIGKILL and reap; does nothing when the child is gone.
  void Kill();

  // The last `bytes` of the child's stderr.
  std::string StderrTail(size_t bytes = 4000) const;

 private:
  OrgdProcess() = default;
  // Reaps the child if it has exited; returns whether it has.
  bool Reaped(int* status);

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string stderr_path_;
  std::string stdout_text_;
  bool has_public_url_ = false;
  uint16_t port_ = 0;
  std::optional<int> exit_code_;
};

}  // namespace orgd::testing
