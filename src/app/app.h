#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/route_table.h"
#include "app/config.h"
#include "common/clock.h"
#include "common/result.h"
#include "http/request.h"
#include "http/response.h"

namespace orgd::app {

// The composition root: owns every long-lived object of a running orgd and builds them in
// dependency order (database → store → services → auth → API → HTTP server). The only place that
// names concrete classes (SqliteDatabase, SqlStore, ...).
class App {
 public:
  ~App();

  // Opens the database, applies migrations, loads or creates the signing keys, and makes sure
  // the bootstrap client exists: the one named by ORGD_BOOTSTRAP_CLIENT_*, or on an empty
  // database a new admin client whose credentials are written to `out` once.
  // `clock`, when given, replaces the system clock and must outlive the App (tests).
  static Result<std::unique_ptr<App>> Build(const Config& config, std::ostream& out,
                                            const Clock* clock = nullptr);

  // Binds and starts serving on the I/O threads; returns at once. Throws std::runtime_error
  // when the address cannot be bound.
  void Start();
  uint16_t port() const;
  // The public base URL tokens and links use ("http://127.0.0.1:3001").
  const std::string& public_url() const;
  // Stops accepting, finishes in-flight requests, returns when the threads are joined.
  void Stop();
  // Blocks until Stop() (for example from a signal).
  void Wait();
  // Answers one request exactly as the server would, without a socket (fuzzers, in-process
  // tools). Call after Start(). Thread-safe.
  http::Response HandleInProcess(http::Request& request);
  // Every route the API serves, with its dialect and required scope (empty before Start()).
  std::vector<api::RouteInfo> routes() const;
  // Creates a Management API client with `scopes` and returns its {id, secret}.
  Result<std::pair<std::string, std::string>> CreateClient(std::string name,
                                                           std::vector<std::string> scopes);
  // As `orgd client rotate-secret` and `orgd client delete`, in this process: the client's tokens
  // stop working at once. Rotation returns the new secret. kNotFound when absent.
  Result<std::string> RotateClientSecret(const std::string& id);
  Result<void> DeleteClient(const std::string& id);
  // A compact JWS of `payload_json` signed with the active signing key, for tests that forge
  // tokens the server must judge on their claims (times, issuer, audience, version).
  Result<std::string> SignWithActiveKey(std::string_view payload_json) const;

 private:
  App();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `orgd migrate`: applies pending migrations and prints what it did.
int RunMigrate(const Config& config, std::ostream& out, std::ostream& err);
// `orgd client create`: creates a client and prints its id and secret.
int RunClientCreate(const Config& config, std::ostream& out, std::ostream& err);
// `orgd import FILE`: imports an NDJSON file (docs/import.md), with a progress line on stderr
// (rewritten in place when stderr is a terminal) and a summary on stdout. Exit 1 on failure,
// naming the bad line.
int RunImport(const Config& config, std::ostream& out, std::ostream& err);
// `orgd client list|rotate-secret|delete`, `orgd keys rotate`, `orgd kek generate`: prints the
// outcome (a rotated secret once) and returns the exit code.
int RunSecretsCommand(const Config& config, std::ostream& out, std::ostream& err);
// `orgd serve`: runs until SIGINT or SIGTERM, then drains and exits 0.
int RunServe(const Config& config, std::ostream& out, std::ostream& err);

}  // namespace orgd::app
