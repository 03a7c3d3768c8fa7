#include "http/server.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "common/id_generator.h"
#include "common/instance_id.h"
#include "common/log.h"
#include "common/time_format.h"
#include "http/request_parser.h"

namespace orgd::http {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

// The size of each read from a socket into a connection's buffer.
constexpr size_t kReadChunk = 8 << 10;
// A connection's buffer is shrunk back when a large request left it bigger than this.
constexpr size_t kMaxIdleBufferBytes = 64 << 10;
// How long a connection closed after an error keeps reading (and discarding) what the client
// still sends. Closing a socket with unread input makes the kernel send a reset, which can destroy
// the error response before the client reads it.
constexpr std::chrono::milliseconds kLingerTimeout{2'000};
constexpr SteadyClock::time_point kNoDeadline = SteadyClock::time_point::max();
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Pipelined requests answered from one read before yielding to other connections.
constexpr int kMaxPipelinedPerRead = 8;
// With CPU affinity, how many requests a connection is served between two looks at the CPU its
// packets arrive on (a getsockopt each).
constexpr int kRequestsBetweenSteering = 16;
// Request ids a thread takes from the shared counter at a time.
constexpr uint64_t kRequestIdBlock = 1024;
// Connections accepted per readiness of the listening socket before other work gets a turn.
constexpr int kMaxAcceptsPerWake = 64;

// The CPU that processed the socket's latest incoming packet (SO_INCOMING_CPU), or -1. On
// loopback that is the CPU the client sent from.
int IncomingCpu(int fd) {
  int cpu = -1;
  socklen_t length = sizeof(cpu);
  if (::getsockopt(fd, SOL_SOCKET, SO_INCOMING_CPU, &cpu, &length) != 0) return -1;
  return cpu;
}

// The CPUs this process may run on, in increasing order.
std::vector<int> AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

// The steady clock at tick resolution (CLOCK_MONOTONIC_COARSE, the same timeline as
// steady_clock's CLOCK_MONOTONIC): several times cheaper to read, and a request sets several
// deadlines. They are checked by a sweep every 5 ms or more against timeouts of seconds, so a
// deadline set up to one tick (a few milliseconds) early changes nothing.
SteadyClock::time_point CoarseNow() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return SteadyClock::time_point(
      std::chrono::duration_cast<SteadyClock::duration>(std::chrono::seconds(now.tv_sec) +
                                                        std::chrono::nanoseconds(now.tv_nsec)));
}

// now + timeout, saturating: a huge configured timeout means "never", not an overflow.
SteadyClock::time_point DeadlineAfter(std::chrono::milliseconds timeout) {
  auto now = CoarseNow();
  if (timeout.count() <= 0) return now;
  if (timeout.count() >= (kNoDeadline - now) / std::chrono::milliseconds(1)) return kNoDeadline;
  return now + timeout;
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

template <typename Int>
void AppendInt(std::string& out, Int value) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out.append(digits, result.ptr);
}

// Header text from handlers is copied with CR and LF replaced: a value built from client input
// must not be able to start a header or a response of its own.
void AppendHeaderText(std::string& out, std::string_view text) {
  size_t start = out.size();
  out.append(text);
  for (size_t i = start; i < out.size(); ++i) {
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
  }
}

// 1xx, 204 and 304 responses have no body; RFC 9110 forbids Content-Length on 1xx and 204, and
// on 304 it would have to be the length of the 200 response, which we do not know.
bool StatusHasBody(int status) { return status >= 200 && status != 204 && status != 304; }

class Connection;
class Worker;

// What every thread shares: configuration, hooks, counters and the shutdown rendezvous.
struct Shared {
  Shared(ServerConfig c, ServerHooks h) : config(std::move(c)), hooks(std::move(h)) {
    uint64_t prefix = 0;
    std::string hex = RandomHex(6);
    std::from_chars(hex.data(), hex.data() + hex.size(), prefix, 16);
    request_id_prefix = prefix << 40;
  }

  // 16 lowercase hex characters: a per-process random 24-bit prefix and a 40-bit counter. Unique
  // within a process and cheap; request ids are for correlating logs, not secrets. Each thread
  // takes the counter in blocks, so that the I/O threads do not write one shared cache line per
  // request.
  void NextRequestId(std::string& out) {
    static constexpr char kHex[] = "0123456789abcdef";
    struct Block {
      uint64_t owner = 0;  // the Shared's instance
      uint64_t next = 0;
      uint64_t end = 0;
    };
    thread_local Block block;
    if (block.owner != instance || block.next == block.end) {
      block.owner = instance;
      block.next = request_id_counter.fetch_add(kRequestIdBlock, std::memory_order_relaxed);
      block.end = block.next + kRequestIdBlock;
    }
    uint64_t n = block.next++;
    uint64_t value = request_id_prefix | (n & ((uint64_t{1} << 40) - 1));
    out.resize(16);
    for (int i = 15; i >= 0; --i, value >>= 4) out[static_cast<size_t>(i)] = kHex[value & 15];
  }

  void OnConnectionClosed() {
    if (live_connections.fetch_sub(1, std::memory_order_acq_rel) == 1 &&
        draining.load(std::memory_order_acquire)) {
      std::lock_guard lock(drain_mu);
      drain_cv.notify_all();
    }
  }

  // With CPU affinity: a worker pinned to `cpu` (taking turns among several), or null when none
  // is (no affinity, or a CPU outside the process's set).
  Worker* WorkerOnCpu(int cpu) {
    if (cpu < 0 || static_cast<size_t>(cpu) >= workers_on_cpu.size()) return nullptr;
    const auto& candidates = workers_on_cpu[static_cast<size_t>(cpu)];
    if (candidates.empty()) return nullptr;
    if (candidates.size() == 1) return candidates[0];
    return candidates[steer_turn.fetch_add(1, std::memory_order_relaxed) % candidates.size()];
  }
  bool steering() const { return !workers_on_cpu.empty(); }

  const ServerConfig config;
  const ServerHooks hooks;
  // Indexed by CPU number; set by Start before any thread runs, then read only.
  std::vector<std::vector<Worker*>> workers_on_cpu;
  std::atomic<size_t> steer_turn{0};
  std::atomic<bool> draining{false};
  std::atomic<size_t> live_connections{0};
  uint64_t request_id_prefix = 0;
  std::atomic<uint64_t> request_id_counter{0};
  // Tells this server's id blocks from those of one created later at the same address.
  const uint64_t instance = NextInstanceId();

  // Stop() waits on drain_cv for the acceptor to close and the connections to end.
  std::mutex drain_mu;
  std::condition_variable drain_cv;
  bool acceptor_closed = false;  // guarded by drain_mu
};

// One I/O thread: its io_context, the connections it serves, and the timeout sweeper.
//
// Timeouts are enforced by a periodic sweep over the thread's connections rather than by
// tcp_stream's per-operation timers: those arm and cancel a timer on every read and write, which
// costs two extra handler runs per operation, while a sweep costs nothing per request. A timeout
// fires up to one sweep period late.
class Worker {
 public:
  explicit Worker(Shared& shared)
      : shared_(shared),
        ioc_(1),
        sweep_timer_(ioc_),
        work_(net::make_work_guard(ioc_)),
        sweep_period_(SweepPeriod(shared.config)) {}

  net::io_context& ioc() { return ioc_; }
  Shared& shared() { return shared_; }
  // The CPU this worker's thread is pinned to, or -1.
  int cpu() const { return cpu_; }
  void set_cpu(int cpu) { cpu_ = cpu; }

  void Run() {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        log::Error("io thread caught an exception", {{"error", e.what()}});
      }
    }
  }

  // The intrusive list of live connections; touched only on this worker's thread.
  void Link(Connection* connection);
  void Unlink(Connection* connection);

  void StartSweeping() {
    sweep_timer_.expires_after(sweep_period_);
    sweep_timer_.async_wait([this](const error_code& ec) {
      if (ec) return;
      Sweep();
      StartSweeping();
    });
  }

  // Part of a graceful stop: closes connections that wait for a request. Others finish theirs.
  void CloseIdle();
  // The end of a stop: closes everything and stops the io_context.
  void CloseAllAndStop();

  // The current time for log lines, formatted once per millisecond.
  std::string_view Timestamp() {
    int64_t now = WallClockMillis();
    if (now != timestamp_ms_) {
      timestamp_ms_ = now;
      timestamp_ = FormatRfc3339Millis(now);
    }
    return timestamp_;
  }
  std::string& log_line() { return log_line_; }

 private:
  static std::chrono::milliseconds SweepPeriod(const ServerConfig& config) {
    auto shortest =
        std::min({config.header_timeout, config.body_timeout, config.idle_timeout, kLingerTimeout});
    return std::clamp(shortest / 8, std::chrono::milliseconds(5), std::chrono::milliseconds(500));
  }

  void Sweep();

  Shared& shared_;
  Connection* head_ = nullptr;  // declared before ioc_: connections unlink when it destroys them
  int64_t timestamp_ms_ = -1;
  std::string timestamp_;
  std::string log_line_;
  net::io_context ioc_;
  net::steady_timer sweep_timer_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  const std::chrono::milliseconds sweep_period_;
  int cpu_ = -1;
};

// One client connection: reads requests, runs the handler inline, writes responses. Lives on its
// worker's thread; kept alive by the shared_ptr in whichever completion handler is pending.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Worker& worker, tcp::socket socket, const tcp::endpoint& remote)
      : worker_(worker), shared_(worker.shared()), socket_(std::move(socket)), remote_(remote) {}

  ~Connection() {
    if (linked_) worker_.Unlink(this);
    shared_.OnConnectionClosed();
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs on the worker's thread.
  void Start() {
    worker_.Link(this);
    linked_ = true;
    // Synchronous writes on the fast path must fail with would_block, not block.
    error_code ec;
    socket_.non_blocking(true, ec);
    if (ec) return Close();
    WaitForRequest();
  }

  // Closes the socket; pending operations complete with an error and release the connection.
  void Close() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    deadline_ = kNoDeadline;
    error_code ec;
    socket_.close(ec);
  }

  // Idle: waiting for a request, or lingering after an error; closed at once when draining.
  bool idle() const { return phase_ == Phase::kIdle || phase_ == Phase::kLinger; }
  SteadyClock::time_point deadline() const { return deadline_; }

  Connection* prev = nullptr;  // the worker's intrusive list
  Connection* next = nullptr;

 private:
  enum class Phase { kIdle, kHeader, kBody, kHandler, kWrite, kLinger, kClosed };

  void SetPhase(Phase phase, std::chrono::milliseconds timeout) {
    phase_ = phase;
    deadline_ = DeadlineAfter(timeout);
  }

  // For speed, a request is parsed from what is already buffered (request_parser.h: one pass,
  // no copies; the handler's header views point into the buffer) and the response is written
  // with one non-blocking send, so that a request arriving in one segment costs one recv and one
  // send and no extra trip through the io_context. Only when data is missing or the socket buffer
  // is full does an async read or write take over. After a short read Asio skips the speculative
  // recv that would only return EAGAIN, so the wait for the next request costs no extra syscall.

  void WaitForRequest() {
    if (shared_.draining.load(std::memory_order_relaxed)) return Close();
    if (buffer_.size() > 0) {
      // Pipelined requests are answered at once, but only a few per read, so that one client
      // cannot hold the thread and the call stack stays shallow.
      if (++pipelined_since_read_ <= kMaxPipelinedPerRead) return StartRequest();
      SetPhase(Phase::kHeader, shared_.config.header_timeout);
      net::post(socket_.get_executor(), [self = shared_from_this()] {
        self->pipelined_since_read_ = 0;
        if (self->phase_ == Phase::kHeader) self->StartRequest();
      });
      return;
    }
    if (buffer_.capacity() > kMaxIdleBufferBytes) buffer_.shrink_to_fit();
    if (shared_.steering() && ++requests_since_steering_ >= kRequestsBetweenSteering) {
      requests_since_steering_ = 0;
      const int cpu = IncomingCpu(socket_.native_handle());
      if (cpu >= 0 && cpu != worker_.cpu()) {
        if (Worker* home = shared_.WorkerOnCpu(cpu)) return MoveTo(*home);
      }
    }
    // Waiting for the first byte separately is what lets idle connections be told apart from
    // ones in the middle of a header, for the idle timeout and for draining.
    SetPhase(Phase::kIdle, shared_.config.idle_timeout);
    socket_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](const error_code& ec, size_t bytes) {
                              if (ec || self->phase_ != Phase::kIdle) return self->Close();
                              self->buffer_.commit(bytes);
                              self->pipelined_since_read_ = 0;
                              self->StartRequest();
                            });
  }

  // Hands the connection, idle with nothing buffered, to another worker: the socket leaves this
  // worker's reactor and joins the other's, and a new Connection there serves it from now on.
  void MoveTo(Worker& home) {
    error_code ec;
    const auto protocol = remote_.protocol();
    const int fd = socket_.release(ec);
    phase_ = Phase::kClosed;
    deadline_ = kNoDeadline;
    if (ec) return;  // nothing was released, and the socket is gone with this connection
    tcp::socket socket(home.ioc());
    socket.assign(protocol, fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    shared_.live_connections.fetch_add(1, std::memory_order_relaxed);
    auto moved = std::make_shared<Connection>(home, std::move(socket), remote_);
    net::post(home.ioc(), [moved] { moved->Start(); });
  }

  std::string_view Buffered() const {
    auto data = buffer_.data();
    return {static_cast<const char*>(data.data()), data.size()};
  }

  // Reads more into the buffer, then calls `next` (a member function) if the connection is still
  // in the phase it was in; a read error or end of stream closes it: mid-request, nobody is left
  // to read an answer.
  void ReadMore(void (Connection::*next)(), size_t size_hint = kReadChunk) {
    socket_.async_read_some(
        buffer_.prepare(size_hint),
        [self = shared_from_this(), next, phase = phase_](const error_code& ec, size_t bytes) {
          if (ec || self->phase_ != phase) return self->Close();
          self->buffer_.commit(bytes);
          ((*self).*next)();
        });
  }

  void StartRequest() {
    if (shared_.config.log_requests) start_time_ = SteadyClock::now();  // for the duration
    bytes_in_ = 0;
    head_parsed_ = false;
    head_scanned_ = 0;
    request_bytes_buffered_ = 0;
    request_.body.clear();
    SetPhase(Phase::kHeader, shared_.config.header_timeout);
    ParseHead();
  }

  void ParseHead() {
    switch (ParseRequestHead(Buffered(), shared_.config.max_header_bytes, head_scanned_, head_)) {
      case HeadParse::kComplete:
        head_parsed_ = true;
        return OnHead();
      case HeadParse::kNeedMore:
        return ReadMore(&Connection::ParseHead);
      case HeadParse::kBadRequest:
        return Fail(400);
      case HeadParse::kHeaderTooLarge:
        return Fail(431);
      case HeadParse::kNotImplemented:
        return Fail(501);
      case HeadParse::kVersionNotSupported:
        return Fail(505);
    }
  }

  void OnHead() {
    request_bytes_buffered_ = head_.size;
    bytes_in_ = head_.size;
    if (head_.body == RequestHead::Body::kNone) return Dispatch();

    size_t limit = 0;
    if (shared_.hooks.body_limit) {
      limit = shared_.hooks.body_limit(ParseMethod(head_.method), TargetPath(head_.target));
    }
    if (limit == 0) limit = shared_.config.max_body_bytes;
    SetPhase(Phase::kBody, shared_.config.body_timeout);
    if (head_.body == RequestHead::Body::kContentLength) {
      // Answer an oversized Content-Length before reading (and buffering) any of the body.
      if (head_.content_length > limit) return Fail(413);
      const size_t length = static_cast<size_t>(head_.content_length);
      if (buffer_.size() - head_.size >= length) {  // all here: no copy of the head needed
        request_.body.assign(Buffered().substr(head_.size, length));
        request_bytes_buffered_ += length;
        bytes_in_ += length;
        return Dispatch();
      }
      body_left_ = length;
    } else {
      chunked_.emplace(limit, shared_.config.max_header_bytes);
    }
    DetachHead();
    if (head_.expect_continue && buffer_.size() == 0) {
      net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                       [self = shared_from_this()](const error_code& ec, size_t) {
                         if (ec || self->phase_ != Phase::kBody) return self->Close();
                         self->ReadBody();
                       });
      return;
    }
    ReadBody();
  }

  // Before a body that is not all buffered is read: moves the head out of the buffer (its views
  // follow it), so that the buffer holds only body bytes and can grow without moving the head.
  void DetachHead() {
    const std::string_view buffered = Buffered();
    head_bytes_.assign(buffered.substr(0, head_.size));
    const char* old_base = buffered.data();
    const char* new_base = head_bytes_.data();
    auto rebase = [&](std::string_view& view) {
      if (!view.empty()) view = {new_base + (view.data() - old_base), view.size()};
    };
    rebase(head_.method);
    rebase(head_.target);
    for (auto& [name, value] : head_.headers) {
      rebase(name);
      rebase(value);
    }
    buffer_.consume(head_.size);
    request_bytes_buffered_ = 0;
  }

  // Takes what the buffer holds of the body, then reads more until it is complete.
  void ReadBody() {
    if (head_.body == RequestHead::Body::kContentLength) {
      const size_t take = static_cast<size_t>(std::min<uint64_t>(body_left_, buffer_.size()));
      request_.body.append(Buffered().substr(0, take));
      buffer_.consume(take);
      bytes_in_ += take;
      body_left_ -= take;
      if (body_left_ == 0) return Dispatch();
      return ReadMore(&Connection::ReadBody,
                      static_cast<size_t>(std::clamp<uint64_t>(body_left_, kReadChunk, 64 << 10)));
    }
    size_t used = 0;
    const auto status = chunked_->Feed(Buffered(), request_.body, used);
    buffer_.consume(used);
    bytes_in_ += used;
    switch (status) {
      case ChunkedDecoder::Status::kDone:
        return Dispatch();
      case ChunkedDecoder::Status::kNeedMore:
        return ReadMore(&Connection::ReadBody);
      case ChunkedDecoder::Status::kBadRequest:
        return Fail(400);
      case ChunkedDecoder::Status::kTooLarge:
        return Fail(413);
    }
  }

  void Dispatch() {
    phase_ = Phase::kHandler;
    deadline_ = kNoDeadline;
    FillRequest();
    if (!shared_.hooks.admit) return RunHandler();
    // 0 while admit runs; 1 once resume was called before admit returned (the handler then runs
    // here, at once); 2 once admit returned without it (resume then posts the handler).
    auto resumed = std::make_shared<std::atomic<int>>(0);
    shared_.hooks.admit(request_, [self = shared_from_this(), resumed] {
      int expected = 0;
      if (resumed->compare_exchange_strong(expected, 1)) return;
      net::post(self->socket_.get_executor(), [self] {
        // A forced stop may have closed the connection while the request waited.
        if (self->phase_ == Phase::kHandler) self->RunHandler();
      });
    });
    int expected = 0;
    if (!resumed->compare_exchange_strong(expected, 2)) RunHandler();
  }

  void RunHandler() {
    Response response;
    try {
      response = shared_.hooks.handler(request_);
    } catch (const std::exception& e) {
      LogHandlerFailure(e.what());
      response = RenderError(500);
    } catch (...) {
      LogHandlerFailure("unknown exception");
      response = RenderError(500);
    }
    if (response.status < 200 || response.status > 999) {
      LogHandlerFailure("handler returned status " + std::to_string(response.status));
      response = RenderError(500);
    }
    bool keep_alive = head_.keep_alive && !shared_.draining.load(std::memory_order_relaxed);
    Send(std::move(response), keep_alive, /*http10_keep_alive=*/keep_alive && head_.version == 10);
  }

  // Answers a request the server cannot hand to the handler, then closes.
  void Fail(int status) {
    phase_ = Phase::kHandler;
    if (!head_parsed_) head_.headers.clear();
    FillRequest();
    linger_ = true;
    Send(RenderError(status), /*keep_alive=*/false, /*http10_keep_alive=*/false);
  }

  Response RenderError(int status) {
    if (shared_.hooks.render_error) {
      try {
        return shared_.hooks.render_error(status, request_);
      } catch (const std::exception& e) {
        LogHandlerFailure(std::string("render_error threw: ") + e.what());
      }
    }
    return Response::Text(status, std::string(ReasonPhrase(status)));
  }

  // Converts the parsed head into request_, reusing its buffers across requests; the body is
  // already in request_.body. Header views point into the buffer (or head_bytes_), which stay
  // untouched until the response is written.
  void FillRequest() {
    Request& r = request_;
    r.method = Method::kOther;
    r.method_text = {};
    r.target.clear();
    r.path_params.clear();
    r.admitted = false;
    if (head_parsed_) {
      r.method = ParseMethod(head_.method);
      r.method_text = head_.method;
      r.target.assign(head_.target);
    } else {
      ParseRequestLineFromBuffer();
    }
    r.headers.assign(head_.headers.begin(), head_.headers.end());
    SetTarget(r, r.target);

    const std::optional<std::string_view> incoming_id = r.Header("X-Request-Id");
    if (incoming_id && IsValidRequestId(*incoming_id)) {
      r.request_id.assign(*incoming_id);
    } else {
      shared_.NextRequestId(r.request_id);
    }
  }

  // When a request fails before its head is parsed (malformed, or too large), the method and
  // target are still worth logging and showing to render_error; they are read best-effort from
  // the raw bytes.
  void ParseRequestLineFromBuffer() {
    std::string_view raw = Buffered();
    raw = raw.substr(0, std::min(raw.find('\n'), size_t{8 << 10}));
    size_t method_end = raw.find(' ');
    if (method_end == std::string_view::npos || method_end == 0) return;
    std::string_view method = raw.substr(0, method_end);
    if (!std::all_of(method.begin(), method.end(), IsTokenChar)) return;
    std::string_view target = raw.substr(method_end + 1);
    target = target.substr(0, target.find(' '));
    if (target.empty() ||
        !std::all_of(target.begin(), target.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
      return;
    }
    method_text_.assign(method);
    request_.method = ParseMethod(method_text_);
    request_.method_text = method_text_;
    request_.target.assign(target);
  }

  void Send(Response response, bool keep_alive, bool http10_keep_alive) {
    response_ = std::move(response);
    keep_alive_ = keep_alive;
    bool has_body = StatusHasBody(response_.status);
    bool send_body = has_body && request_.method != Method::kHead && !response_.body.empty();

    std::string& out = response_head_;
    out.clear();
    out.append("HTTP/1.1 ");
    AppendInt(out, response_.status);
    out.push_back(' ');
    out.append(ReasonPhrase(response_.status));
    out.append("\r\n");
    if (!response_.content_type.empty()) {
      out.append("Content-Type: ");
      AppendHeaderText(out, response_.content_type);
      out.append("\r\n");
    }
    if (has_body) {
      out.append("Content-Length: ");
      AppendInt(out, response_.body.size());
      out.append("\r\n");
    }
    out.append("X-Request-Id: ");
    out.append(request_.request_id);
    out.append("\r\n");
    for (const auto& [name, value] : response_.headers) {
      AppendHeaderText(out, name);
      out.append(": ");
      AppendHeaderText(out, value);
      out.append("\r\n");
    }
    if (!keep_alive) {
      out.append("Connection: close\r\n");
    } else if (http10_keep_alive) {
      out.append("Connection: keep-alive\r\n");
    }
    out.append("\r\n");

    SetPhase(Phase::kWrite, shared_.config.body_timeout);
    std::array<net::const_buffer, 2> buffers = {
        net::buffer(out), send_body ? net::buffer(response_.body) : net::const_buffer()};
    error_code ec;
    size_t written = socket_.write_some(buffers, ec);
    if (ec == net::error::would_block) {
      ec = {};
      written = 0;
    }
    if (ec || written == beast::buffer_bytes(buffers)) return OnWritten(ec, written);
    // The socket buffer is full: let the reactor finish the rest.
    beast::buffers_suffix<std::array<net::const_buffer, 2>> rest(buffers);
    rest.consume(written);
    net::async_write(
        socket_, rest,
        [self = shared_from_this(), written](const error_code& ec, size_t bytes) {
          self->OnWritten(ec, written + bytes);
        });
  }

  void OnWritten(const error_code& ec, size_t bytes) {
    if (shared_.config.log_requests) LogRequest(bytes);
    if (ec || phase_ != Phase::kWrite) return Close();
    if (linger_) return Linger();
    if (!keep_alive_) return Close();
    buffer_.consume(request_bytes_buffered_);
    request_bytes_buffered_ = 0;
    WaitForRequest();
  }

  // After an error response the client may still be sending the request we refused; reading and
  // discarding it for a while lets the response arrive before the connection closes.
  void Linger() {
    if (phase_ != Phase::kLinger) {
      SetPhase(Phase::kLinger, kLingerTimeout);
      error_code ignored;
      socket_.shutdown(tcp::socket::shutdown_send, ignored);
    }
    buffer_.clear();
    socket_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](const error_code& ec, size_t) {
                              if (ec || self->phase_ != Phase::kLinger) return self->Close();
                              self->Linger();
                            });
  }

  void LogHandlerFailure(std::string_view what) {
    log::Error("handler failed", {{"request_id", request_.request_id},
                                  {"method", request_.method_text},
                                  {"path", request_.raw_path},
                                  {"error", what}});
  }

  // Never logs the query, headers or body: they may hold secrets.
  void LogRequest(size_t bytes_out) {
    auto duration =
        std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start_time_);
    if (remote_text_.empty()) {
      error_code ec;
      std::string address = remote_.address().to_string(ec);
      remote_text_ = remote_.address().is_v6() ? "[" + address + "]" : address;
      remote_text_.push_back(':');
      AppendInt(remote_text_, remote_.port());
    }
    std::string& line = worker_.log_line();
    line.clear();
    line.append("{\"ts\":\"");
    line.append(worker_.Timestamp());
    line.append("\",\"level\":\"info\",\"msg\":\"request\",\"request_id\":");
    log::AppendJsonString(line, request_.request_id);
    line.append(",\"method\":");
    log::AppendJsonString(line, request_.method_text);
    line.append(",\"path\":");
    log::AppendJsonString(line, request_.raw_path);
    line.append(",\"status\":");
    AppendInt(line, response_.status);
    line.append(",\"duration_us\":");
    AppendInt(line, duration.count());
    line.append(",\"bytes_in\":");
    AppendInt(line, bytes_in_);
    line.append(",\"bytes_out\":");
    AppendInt(line, bytes_out);
    line.append(",\"remote\":");
    log::AppendJsonString(line, remote_text_);
    line.push_back('}');
    log::WriteLine(line);
  }

  Worker& worker_;
  Shared& shared_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  const tcp::endpoint remote_;
  std::string remote_text_;  // "ip:port", formatted on first use
  bool linked_ = false;

  Phase phase_ = Phase::kIdle;
  SteadyClock::time_point deadline_ = kNoDeadline;
  int pipelined_since_read_ = 0;
  int requests_since_steering_ = 0;

  // Per request. head_'s views point into buffer_ (or into head_bytes_ once the head was moved
  // out of the way of a body still to come); request_bytes_buffered_ is what of this request
  // buffer_ still holds, dropped once the response is written.
  RequestHead head_;
  bool head_parsed_ = false;
  size_t head_scanned_ = 0;
  size_t request_bytes_buffered_ = 0;
  std::string head_bytes_;
  uint64_t body_left_ = 0;  // Content-Length bytes still to read
  std::optional<ChunkedDecoder> chunked_;
  Request request_;
  std::string method_text_;  // backs request_.method_text when the head did not parse
  Response response_;
  std::string response_head_;  // the serialized status line and headers
  SteadyClock::time_point start_time_;
  size_t bytes_in_ = 0;
  bool keep_alive_ = true;
  bool linger_ = false;
};

void Worker::Link(Connection* connection) {
  connection->next = head_;
  if (head_ != nullptr) head_->prev = connection;
  head_ = connection;
}

void Worker::Unlink(Connection* connection) {
  if (connection->prev != nullptr) {
    connection->prev->next = connection->next;
  } else {
    head_ = connection->next;
  }
  if (connection->next != nullptr) connection->next->prev = connection->prev;
  connection->prev = connection->next = nullptr;
}

// Closing only cancels operations; the connections leave the list later, from their completion
// handlers, so iterating here is safe.
void Worker::Sweep() {
  auto now = SteadyClock::now();
  for (Connection* c = head_; c != nullptr; c = c->next) {
    if (c->deadline() <= now) c->Close();
  }
}

void Worker::CloseIdle() {
  for (Connection* c = head_; c != nullptr; c = c->next) {
    if (c->idle()) c->Close();
  }
}

void Worker::CloseAllAndStop() {
  for (Connection* c = head_; c != nullptr; c = c->next) c->Close();
  sweep_timer_.cancel();
  work_.reset();
  ioc_.stop();
}

}  // namespace

struct Server::Impl {
  Impl(ServerConfig config, ServerHooks hooks) : shared(std::move(config), std::move(hooks)) {
    int threads = shared.config.threads > 0
                      ? shared.config.threads
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < threads; ++i) workers.push_back(std::make_unique<Worker>(shared));
  }

  // Waits until the listening socket has connections, then accepts them itself (accept4), so
  // that it can choose each one's worker before the socket joins a reactor: the worker on the
  // CPU its packets arrive on with CPU affinity, otherwise the next in turn.
  void Accept() {
    acceptor->async_wait(tcp::acceptor::wait_read, [this](const error_code& ec) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      if (ec) return RetryAcceptLater(ec.message());
      for (int i = 0; i < kMaxAcceptsPerWake; ++i) {
        sockaddr_storage address{};
        socklen_t length = sizeof(address);
        const int fd = ::accept4(acceptor->native_handle(), reinterpret_cast<sockaddr*>(&address),
                                 &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) break;
          // The client gave up before we accepted, or a signal interrupted the call.
          if (errno == ECONNABORTED || errno == EINTR || errno == EPROTO) continue;
          // Usually out of file descriptors; retrying at once would spin.
          return RetryAcceptLater(std::strerror(errno));
        }
        tcp::endpoint peer;
        if (length <= peer.capacity()) {
          std::memcpy(peer.data(), &address, length);
          peer.resize(length);
        }
        OnAccept(fd, peer);
      }
      Accept();
    });
  }

  void RetryAcceptLater(std::string_view why) {
    WarnAtMostOncePerSecond("accept failed", why);
    retry_timer->expires_after(std::chrono::milliseconds(50));
    retry_timer->async_wait([this](const error_code& wait_ec) {
      if (!wait_ec) Accept();
    });
  }

  void OnAccept(int fd, const tcp::endpoint& peer) {
    if (shared.live_connections.load(std::memory_order_relaxed) >= shared.config.max_connections) {
      WarnAtMostOncePerSecond("connection limit reached; closing new connection",
                              std::to_string(shared.config.max_connections));
      ::close(fd);
      return;
    }
    Worker* target = shared.steering() ? shared.WorkerOnCpu(IncomingCpu(fd)) : nullptr;
    if (target == nullptr) {
      target = workers[next_worker].get();
      next_worker = (next_worker + 1) % workers.size();
    }
    error_code ec;
    tcp::socket socket(target->ioc());
    socket.assign(peer.protocol(), fd, ec);
    if (ec) {
      ::close(fd);
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    shared.live_connections.fetch_add(1, std::memory_order_relaxed);
    auto connection = std::make_shared<Connection>(*target, std::move(socket), peer);
    net::post(target->ioc(), [connection] { connection->Start(); });
  }

  void WarnAtMostOncePerSecond(std::string_view msg, std::string_view detail) {
    auto now = SteadyClock::now();
    if (now - last_warning < std::chrono::seconds(1)) return;
    last_warning = now;
    log::Warn(msg, {{"detail", detail}});
  }

  // Members are destroyed in reverse order: threads are joined before the acceptor and the
  // io_contexts go, and the io_contexts (destroying any connection still queued) before `shared`.
  Shared shared;
  std::vector<std::unique_ptr<Worker>> workers;
  std::unique_ptr<tcp::acceptor> acceptor;         // on workers[0]
  std::unique_ptr<net::steady_timer> retry_timer;  // on workers[0]
  size_t next_worker = 0;                          // touched on workers[0]'s thread only
  SteadyClock::time_point last_warning{};          // idem
  uint16_t port = 0;
  std::vector<std::thread> threads;

  std::mutex stop_mu;  // serializes Start and Stop
  bool started = false;
  std::mutex wait_mu;
  std::condition_variable wait_cv;
  bool stopped = false;  // guarded by wait_mu
};

Server::Server(ServerConfig config, ServerHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(hooks))) {}

Server::~Server() { Stop(std::chrono::milliseconds(0)); }

void Server::Start() {
  std::lock_guard lock(impl_->stop_mu);
  if (impl_->started) throw std::logic_error("Server::Start called twice");
  const ServerConfig& config = impl_->shared.config;
  net::io_context& ioc = impl_->workers[0]->ioc();
  try {
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(config.host, std::to_string(config.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service);
    tcp::endpoint endpoint = results.begin()->endpoint();
    auto acceptor = std::make_unique<tcp::acceptor>(ioc);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(net::socket_base::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen(net::socket_base::max_listen_connections);
    acceptor->non_blocking(true);
    impl_->port = acceptor->local_endpoint().port();
    impl_->acceptor = std::move(acceptor);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + config.host + ":" + std::to_string(config.port) +
                             ": " + e.what());
  }
  impl_->retry_timer = std::make_unique<net::steady_timer>(ioc);
  impl_->started = true;
  // CPU affinity: worker i on the (i mod n)-th of the n allowed CPUs, when the workers divide
  // evenly among them.
  const std::vector<int> cpus = config.cpu_affinity ? AllowedCpus() : std::vector<int>();
  const bool pin = !cpus.empty() && impl_->workers.size() % cpus.size() == 0;
  if (pin) {
    impl_->shared.workers_on_cpu.resize(static_cast<size_t>(cpus.back()) + 1);
    for (size_t i = 0; i < impl_->workers.size(); ++i) {
      const int cpu = cpus[i % cpus.size()];
      impl_->workers[i]->set_cpu(cpu);
      impl_->shared.workers_on_cpu[static_cast<size_t>(cpu)].push_back(impl_->workers[i].get());
    }
  }
  impl_->Accept();
  for (auto& worker : impl_->workers) {
    worker->StartSweeping();
    impl_->threads.emplace_back([w = worker.get()] { w->Run(); });
    if (worker->cpu() >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(worker->cpu(), &set);
      // Best effort: a thread that cannot be pinned still serves; steering then only loses the
      // locality it was for.
      ::pthread_setaffinity_np(impl_->threads.back().native_handle(), sizeof(set), &set);
    }
  }
}

uint16_t Server::port() const { return impl_->port; }

void Server::Wait() {
  std::unique_lock lock(impl_->wait_mu);
  impl_->wait_cv.wait(lock, [this] { return impl_->stopped; });
}

void Server::Stop(std::chrono::milliseconds grace) {
  std::lock_guard stop_lock(impl_->stop_mu);
  {
    std::lock_guard lock(impl_->wait_mu);
    if (impl_->stopped) return;
  }
  if (impl_->started) {
    Shared& shared = impl_->shared;
    auto deadline = DeadlineAfter(grace);
    shared.draining.store(true, std::memory_order_release);
    net::post(impl_->workers[0]->ioc(), [impl = impl_.get()] {
      error_code ignored;
      impl->acceptor->close(ignored);
      impl->retry_timer->cancel();
      std::lock_guard lock(impl->shared.drain_mu);
      impl->shared.acceptor_closed = true;
      impl->shared.drain_cv.notify_all();
    });
    for (auto& worker : impl_->workers) {
      net::post(worker->ioc(), [w = worker.get()] { w->CloseIdle(); });
    }
    bool drained;
    {
      std::unique_lock lock(shared.drain_mu);
      drained = shared.drain_cv.wait_until(lock, deadline, [&shared] {
        return shared.acceptor_closed && shared.live_connections.load() == 0;
      });
    }
    if (!drained) {
      log::Warn("shutdown grace period over; closing remaining connections",
                {{"connections", std::to_string(shared.live_connections.load())}});
    }
    for (auto& worker : impl_->workers) {
      net::post(worker->ioc(), [w = worker.get()] { w->CloseAllAndStop(); });
    }
    for (auto& thread : impl_->threads) thread.join();
    impl_->threads.clear();
  }
  std::lock_guard lock(impl_->wait_mu);
  impl_->stopped = true;
  impl_->wait_cv.notify_all();
}

}  // namespace orgd::http
