// Slow clients (issue #8 item 3) against a real orgd: 500 connections that trickle a request
// byte by byte, send a header and never finish it (slowloris), send a body slower than the body
// timeout, or send nothing at all. While they are held a normal client is still answered, and
// then the server's header, body and idle timeouts (given small values here) close every one of
// them without an answer. A second test checks the connection cap: beyond --max-connections a
// new connection is accepted and closed at once, and served again once a slot is free.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/multiprocess/api_calls.h"
#include "tests/multiprocess/orgd_process.h"
#include "tests/support/http_client.h"

namespace orgd::testing {
namespace {

using Json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kTick(100);  // how often each slow connection sends its next bytes

// Both processes hold one descriptor per connection; 1024, a common default soft limit, is too
// few for 500 connections plus the rest.
void RaiseFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  const rlim_t want = std::min<rlim_t>(limit.rlim_max, 4096);
  if (limit.rlim_cur < want) {
    limit.rlim_cur = want;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// A connected, non-blocking socket to 127.0.0.1:port; -1 on failure.
int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

enum class Kind { kTrickle, kSlowloris, kSlowBody, kSilent };

const char* KindName(Kind kind) {
  switch (kind) {
    case Kind::kTrickle:
      return "trickle (header byte by byte)";
    case Kind::kSlowloris:
      return "slowloris (header never finished)";
    case Kind::kSlowBody:
      return "slow body";
    case Kind::kSilent:
      return "silent";
  }
  return "?";
}

struct SlowConnection {
  Kind kind;
  int fd = -1;
  std::string script;  // what it sends, a little per tick
  size_t sent = 0;
  int ticks = 0;
  bool closed = false;
  std::string received;
  Clock::time_point opened;
  Clock::time_point closed_at;
};

// Holds slow connections on one thread: every tick each sends its next bytes, and every
// connection the server closes is noticed.
class SlowClients {
 public:
  explicit SlowClients(uint16_t port) : port_(port) {}
  ~SlowClients() {
    Stop();
    for (SlowConnection& c : connections_) {
      if (c.fd >= 0) ::close(c.fd);
    }
  }

  // Opens `n` connections of `kind` and sends their first bytes. False when a connect fails.
  bool Open(Kind kind, int n) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < n; ++i) {
      SlowConnection c{.kind = kind};
      c.fd = Connect(port_);
      if (c.fd < 0) return false;
      c.opened = Clock::now();
      switch (kind) {
        case Kind::kTrickle:
          // Far longer than a header timeout at one byte per tick.
          c.script = "GET /api/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " +
                     std::string(200, 'p') + "\r\n\r\n";
          break;
        case Kind::kSlowloris:
          c.script = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
          break;
        case Kind::kSlowBody:
          c.script =
              "POST /api/organizations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
          break;
        case Kind::kSilent:
          break;
      }
      // Trickle starts with one byte, the others with their whole header (so far).
      const size_t first = kind == Kind::kTrickle ? 1 : c.script.size();
      SendSome(c, first);
      connections_.push_back(std::move(c));
    }
    return true;
  }

  void Start() {
    thread_ = std::thread([this] {
      while (!stop_) {
        Tick();
        std::this_thread::sleep_for(kTick);
      }
    });
  }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  // One round of sends and reads.
  void Tick() {
    std::lock_guard lock(mu_);
    for (SlowConnection& c : connections_) {
      if (c.closed) continue;
      ++c.ticks;
      switch (c.kind) {
        case Kind::kTrickle:
          SendSome(c, 1);
          break;
        case Kind::kSlowloris:
          if (c.ticks % 5 == 0) {
            c.script += "X-Slow-" + std::to_string(c.ticks) + ": 1\r\n";
            SendSome(c, std::string::npos);
          }
          break;
        case Kind::kSlowBody:
          if (c.sent < c.script.size() + 1000) {
            c.script += 'b';
            SendSome(c, 1);
          }
          break;
        case Kind::kSilent:
          break;
      }
    }
    std::vector<pollfd> fds;
    std::vector<SlowConnection*> owners;
    for (SlowConnection& c : connections_) {
      if (c.closed) continue;
      fds.push_back({.fd = c.fd, .events = POLLIN, .revents = 0});
      owners.push_back(&c);
    }
    if (fds.empty() || ::poll(fds.data(), fds.size(), 0) <= 0) return;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents == 0) continue;
      char buf[4096];
      for (;;) {
        const ssize_t n = ::recv(owners[i]->fd, buf, sizeof buf, 0);
        if (n > 0) {
          owners[i]->received.append(buf, static_cast<size_t>(n));
          continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        MarkClosed(*owners[i]);  // end of stream or reset
        break;
      }
    }
  }

  // Counts per kind: {open, closed}.
  std::map<Kind, std::pair<int, int>> Counts() {
    std::lock_guard lock(mu_);
    std::map<Kind, std::pair<int, int>> counts;
    for (const SlowConnection& c : connections_) {
      auto& [open, closed] = counts[c.kind];
      (c.closed ? closed : open)++;
    }
    return counts;
  }
  int OpenCount() {
    int open = 0;
    for (const auto& [kind, counts] : Counts()) open += counts.first;
    return open;
  }

  // Checks run after Stop().
  const std::vector<SlowConnection>& connections() const { return connections_; }

 private:
  void SendSome(SlowConnection& c, size_t n) {
    if (c.sent >= c.script.size()) return;
    const size_t len = std::min(n, c.script.size() - c.sent);
    const ssize_t w = ::send(c.fd, c.script.data() + c.sent, len, MSG_NOSIGNAL);
    if (w > 0) {
      c.sent += static_cast<size_t>(w);
    } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      MarkClosed(c);
    }
  }
  void MarkClosed(SlowConnection& c) {
    if (c.closed) return;
    c.closed = true;
    c.closed_at = Clock::now();
  }

  const uint16_t port_;
  std::mutex mu_;
  std::vector<SlowConnection> connections_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(SlowClientsTest, FiveHundredSlowConnectionsDoNotStarveANormalClientAndAreClosedByTimeouts) {
  RaiseFileLimit();
  std::string error;
  // The default connection cap (10,000) is far above 500; the timeouts are small so that the
  // test sees them fire.
  auto process = OrgdProcess::Start(
      {.database_url = "sqlite://:memory:",
       .db_pool_size = 1,
       .extra_args = {"--header-timeout", "3s", "--body-timeout", "3s", "--idle-timeout", "3s"}},
      &error);
  ASSERT_NE(process, nullptr) << error;
  // Tokens first: the client-secret check is deliberately slow, and the point below is the
  // request path while the slow connections are held.
  HttpClient control(process->port());
  const std::string logto = FetchLogtoToken(control);
  const std::string kinde = FetchKindeToken(control, OrgdProcessOptions{}.public_url);
  ASSERT_FALSE(logto.empty() || kinde.empty());

  SlowClients slow(process->port());
  ASSERT_TRUE(slow.Open(Kind::kTrickle, 200));
  ASSERT_TRUE(slow.Open(Kind::kSlowloris, 150));
  ASSERT_TRUE(slow.Open(Kind::kSlowBody, 100));
  ASSERT_TRUE(slow.Open(Kind::kSilent, 50));
  slow.Tick();
  ASSERT_EQ(slow.OpenCount(), 500) << "the server closed slow connections before the check";
  slow.Start();

  // A normal client on a fresh connection, while all 500 are held.
  HttpClient normal(process->port());
  HttpResponse health = normal.Send("GET", "/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  HttpResponse logto_list = SendBearer(normal, logto, "GET", "/api/organizations");
  EXPECT_EQ(logto_list.status, 200) << logto_list.body;
  EXPECT_EQ(logto_list.json, Json::array());
  HttpResponse created = SendBearer(normal, kinde, "POST", "/api/v1/organization",
                                    Json{{"name", "served while slow clients wait"}}.dump());
  EXPECT_EQ(created.status, 200) << created.body;
  const int open_after_normal = slow.OpenCount();

  // The timeouts close every slow connection, with no answer.
  EXPECT_TRUE(WaitUntil([&] { return slow.OpenCount() == 0; }, seconds(60), milliseconds(20)))
      << slow.OpenCount() << " slow connections still open";
  slow.Stop();
  std::map<Kind, std::pair<double, double>> close_after;  // seconds after opening: min, max
  for (const SlowConnection& c : slow.connections()) {
    EXPECT_EQ(c.received, "") << KindName(c.kind) << " connection got an answer";
    if (!c.closed) continue;
    const double s = std::chrono::duration<double>(c.closed_at - c.opened).count();
    auto [it, fresh] = close_after.try_emplace(c.kind, s, s);
    it->second.first = std::min(it->second.first, s);
    it->second.second = std::max(it->second.second, s);
  }
  std::cout << "[ slow     ] 500 slow connections held; " << open_after_normal
            << " still open after the normal client was served\n";
  for (const auto& [kind, range] : close_after) {
    std::cout << "[ slow     ] " << KindName(kind) << ": closed by the server " << range.first
              << "-" << range.second << " s after opening\n";
  }

  // And the server still serves.
  HttpResponse again = normal.Send("GET", "/healthz");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(process->Terminate(seconds(10)), std::optional<int>(0)) << process->StderrTail();
}

// Reads from `fd` until `complete(data)` holds, the server closes the connection, or `timeout`
// passes; returns what arrived, and whether the server closed.
template <typename Complete>
std::pair<std::string, bool> ReadFrom(int fd, milliseconds timeout, Complete complete) {
  std::string data;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (complete(data)) return {data, false};
    const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return {data, false};
    pollfd pfd{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      data.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
      return {data, true};
    }
  }
}

// Reads until the server closes `fd` or `timeout`; returns what arrived, and whether it closed.
std::pair<std::string, bool> ReadUntilClosed(int fd, milliseconds timeout) {
  return ReadFrom(fd, timeout, [](const std::string&) { return false; });
}

// Reads one response with a Content-Length body from `fd`; whatever arrived when the server
// closes the connection or `timeout` passes.
std::string ReadResponse(int fd, milliseconds timeout) {
  return ReadFrom(fd, timeout, [](const std::string& data) {
           const size_t end = data.find("\r\n\r\n");
           if (end == std::string::npos) return false;
           const size_t at = data.find("Content-Length: ");
           const size_t length = at < end ? std::stoul(data.substr(at + 16)) : 0;
           return data.size() >= end + 4 + length;
         })
      .first;
}

TEST(SlowClientsTest, BeyondTheConnectionCapANewConnectionIsClosedAtOnceUntilASlotFrees) {
  RaiseFileLimit();
  constexpr int kCap = 40;
  std::string error;
  auto process = OrgdProcess::Start(
      {.database_url = "sqlite://:memory:",
       .db_pool_size = 1,
       .extra_args = {"--max-connections", std::to_string(kCap)}},
      &error);
  ASSERT_NE(process, nullptr) << error;
  // Fill the cap with connections that were each answered once and then stay idle (default idle
  // timeout: 60 s). A connection the server refused (WaitReady's probe connection may still
  // count for a moment) is replaced; once kCap answered ones are held, they are all that count,
  // so the next connection is the one beyond the cap.
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  std::vector<int> held;
  auto close_held = [&] {
    for (int fd : held) ::close(fd);
    held.clear();
  };
  for (int attempts = 0; static_cast<int>(held.size()) < kCap && attempts < 10 * kCap; ++attempts) {
    const int fd = Connect(process->port());
    ASSERT_GE(fd, 0);
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    if (ReadResponse(fd, seconds(20)).starts_with("HTTP/1.1 200 ")) {
      held.push_back(fd);
    } else {
      ::close(fd);
    }
  }
  ASSERT_EQ(static_cast<int>(held.size()), kCap);
  const int beyond = Connect(process->port());
  ASSERT_GE(beyond, 0);
  ::send(beyond, request.data(), request.size(), MSG_NOSIGNAL);
  auto [answer, closed] = ReadUntilClosed(beyond, seconds(20));
  ::close(beyond);
  EXPECT_TRUE(closed) << "a connection beyond the cap was kept open";
  EXPECT_EQ(answer, "") << "a connection beyond the cap was answered";

  // A slot frees when a held connection closes; then a new client is served again.
  ::close(held.back());
  held.pop_back();
  bool served = WaitUntil(
      [&] {
        try {
          HttpClient client(process->port());
          return client.Send("GET", "/healthz").status == 200;
        } catch (const std::exception&) {
          return false;  // closed at once: the server has not seen the freed slot yet
        }
      },
      seconds(20), milliseconds(20));
  EXPECT_TRUE(served) << "no client served after a slot was freed";
  close_held();
  EXPECT_EQ(process->Terminate(seconds(10)), std::optional<int>(0)) << process->StderrTail();
}

}  // namespace
}  // namespace orgd::testing
