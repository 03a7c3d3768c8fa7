#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/request.h"
#include "http/response.h"

namespace orgd::http {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 3001;              // 0 picks a free port; see Server::port()
  int threads = 0;                   // 0: std::thread::hardware_concurrency()
  size_t max_body_bytes = 1 << 20;   // default request body limit; 413 beyond
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds header_timeout{10'000};  // to receive a complete header
  std::chrono::milliseconds body_timeout{30'000};    // to receive the body after the header
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait between requests
  size_t max_connections = 10'000;   // beyond: the connection is accepted and closed at once
  bool log_requests = true;          // one JSON line per request on stderr
};

// Decides the body limit of a request from its method and raw path (before the body is read);
// returns 0 to use ServerConfig::max_body_bytes.
using BodyLimitFn = std::function<size_t(Method, std::string_view path)>;

// HTTP/1.1 server on Boost.Beast: keep-alive, one io_context per thread, handlers run inline on
// the I/O thread. Every response gets X-Request-Id (the request's id, also in its log line), a
// Content-Length and a standard reason phrase. Malformed requests get 400, bodies over the limit
// 413, header overflows 431; exceptions escaping a handler become 500 and are logged.
class Server {
 public:
  Server(ServerConfig config, std::function<Response(Request&)> handler, BodyLimitFn body_limit = {});
  ~Server();

  // Binds and listens. Throws std::runtime_error when the address cannot be bound.
  void Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Blocks until Stop() is called (from any thread or a signal handler thread).
  void Wait();
  // Stops accepting, lets in-flight requests finish (up to `grace`), closes idle connections.
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10'000));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orgd::http
