#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "tests/support/pg_schema.h"

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
  // Spawn, then WaitReady: a process that answers /healthz, or nullptr with `error` set (a child
  // that did not get ready is killed).
  static std::unique_ptr<OrgdProcess> Start(
      const OrgdProcessOptions& options, std::string* error,
      std::chrono::milliseconds timeout = std::chrono::seconds(30));
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

// One fresh, empty database for orgd child processes to share: a PostgreSQL schema of its own
// for "postgres", else a new SQLite file in the temporary directory. Destroy it only once no
// process uses it: the schema is dropped, and the file removed with its -wal, -shm and .kek files.
class ProcessDatabase {
 public:
  // nullptr with `skip_reason` set when PostgreSQL is not configured (see PgTestSchema).
  static Result<std::unique_ptr<ProcessDatabase>> Create(const std::string& backend,
                                                        std::string* skip_reason);
  ~ProcessDatabase();
  ProcessDatabase(const ProcessDatabase&) = delete;
  ProcessDatabase& operator=(const ProcessDatabase&) = delete;

  // What --database takes: the schema's postgresql:// URL or sqlite:///absolute/path.
  const std::string& url() const { return url_; }

 private:
  ProcessDatabase() = default;

  std::unique_ptr<PgTestSchema> schema_;
  std::string sqlite_path_;
  std::string url_;
};

// Polls `done` every `interval` until it holds or `timeout` passes; returns done(). The limits
// the suites pass are far above what they wait for, so the outcome is the condition, not timing.
template <typename Pred>
bool WaitUntil(Pred done, std::chrono::milliseconds timeout, std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
  return true;
}

}  // namespace orgd::testing
