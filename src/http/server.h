#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/request.h"
#include "http/response.h"

namespace orgd::http {

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 3001;             // 0 picks a free port; see Server::port()
  int threads = 0;                  // 0: std::thread::hardware_concurrency()
  size_t max_body_bytes = 1 << 20;  // default request body limit; 413 beyond
  size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds header_timeout{10'000};  // to receive a complete header
  std::chrono::milliseconds body_timeout{30'000};    // to receive the body; to write a response
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait between requests
  size_t max_connections = 10'000;  // beyond: the connection is accepted and closed at once
  bool log_requests = true;         // one JSON line per request on stderr
  // Pins I/O thread i to the (i mod n)-th of the n CPUs the process may run on, and serves each
  // connection on a thread of the CPU its packets arrive on (SO_INCOMING_CPU: on loopback the
  // client's CPU; on a network the CPU of the receive queue), looking again every 16 requests
  // and moving the connection between requests when that CPU changed. A request is then read,
  // answered and written on the CPU that received it, without waking a thread on another one.
  // Ignored unless `threads` is a multiple of n.
  bool cpu_affinity = false;
};

// Decides the body limit of a request from its method and raw path (before the body is read);
// returns 0 to use ServerConfig::max_body_bytes.
using BodyLimitFn = std::function<size_t(Method, std::string_view path)>;

// What the server calls. Each function runs inline on an I/O thread, concurrently with itself on
// other threads, so it must be thread-safe and should not block for long.
struct ServerHooks {
  // Answers every parsed request. May throw: the exception is logged with the request id and the
  // client gets render_error(500, request).
  std::function<Response(Request&)> handler;
  // Optional; empty means ServerConfig::max_body_bytes for every request.
  BodyLimitFn body_limit;
  // Renders the errors the server answers by itself: 400 (malformed request), 413 (body over the
  // limit), 431 (header over max_header_bytes) and 500 (a handler threw). `request` holds what was
  // parsed before the failure: at least method and raw_path once the request line was read, and
  // possibly nothing else. Empty means Response::Text(status, ReasonPhrase(status)). The server
  // still adds X-Request-Id, Content-Length and Connection: close.
  std::function<Response(int status, const Request& request)> render_error;
  // Optional: runs before `handler` for each complete request, on the I/O thread. The handler
  // runs (on that thread) once `resume` has been called, exactly once, at once or later from any
  // thread; meanwhile the I/O thread serves other connections. Called before admit returns,
  // resume lets the handler run right after admit, without a trip through the event loop. Lets a request wait for something,
  // such as a database round trip that many requests can share, without holding a thread. It may
  // set request.admitted for the handler. Must not throw.
  std::function<void(Request& request, std::function<void()> resume)> admit;
};

// HTTP/1.1 server on Boost.Asio with its own request parser (request_parser.h): keep-alive, one
// io_context per thread, handlers run inline on the I/O thread. Every response gets X-Request-Id
// (the request's id, also in its log line), a Content-Length (except 1xx, 204 and 304, which RFC
// 9110 forbids or makes misleading) and a standard reason phrase. Malformed or ambiguously framed
// requests get 400, bodies over the limit 413, header overflows 431, transfer codings other than
// chunked 501, HTTP versions other than 1.x 505; exceptions escaping a handler become 500 and are
// logged. Connections that stall longer than the configured timeouts are closed without a
// response.
class Server {
 public:
  Server(ServerConfig config, ServerHooks hooks);
  // Stops with no grace period if Stop() has not run.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the I/O threads. Throws std::runtime_error when the address cannot
  // be resolved or bound, std::logic_error when called a second time.
  void Start();
  // The bound port (after Start).
  uint16_t port() const;
  // Blocks until Stop() has finished (from any thread or a signal handler thread).
  void Wait();
  // Stops accepting, closes idle keep-alive connections at once, lets in-flight requests finish
  // (their responses carry Connection: close), then stops the I/O threads. Connections still
  // open after `grace` are closed. Returns once the threads are joined; a handler that is still
  // running keeps its thread, so Stop waits for it. Thread-safe and idempotent; concurrent
  // callers all return after the first one finishes.
  // Requires: not called from a handler (it joins the I/O threads).
  void Stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10'000));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orgd::http
