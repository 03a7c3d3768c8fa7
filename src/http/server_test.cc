#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace orgd::http {
namespace {

using namespace std::chrono_literals;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct RawResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;

  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == Lower(name)) return v;
    }
    return std::nullopt;
  }
  std::vector<std::string> HeaderValues(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [k, v] : headers) {
      if (k == Lower(name)) values.push_back(v);
    }
    return values;
  }
};

// A blocking HTTP/1.1 client on one TCP connection to 127.0.0.1, just enough for these tests.
class TestClient {
 public:
  explicit TestClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect failed");
    }
  }
  ~TestClient() { ::close(fd_); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Sends everything; false when the server closed or reset the connection.
  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response framed by Content-Length (none: no body). nullopt on close or timeout.
  std::optional<RawResponse> Read(bool head_request = false,
                                  std::chrono::milliseconds timeout = 5s) {
    size_t header_end;
    while ((header_end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(timeout)) return std::nullopt;
    }
    std::string_view head(pending_.data(), header_end);
    RawResponse response;
    size_t line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    if (status_line.substr(0, 9) != "HTTP/1.1 ") return std::nullopt;
    response.status = std::stoi(std::string(status_line.substr(9, 3)));
    response.reason = std::string(status_line.substr(std::min<size_t>(13, status_line.size())));
    while (line_end != std::string_view::npos) {
      head.remove_prefix(line_end + 2);
      line_end = head.find("\r\n");
      std::string_view line = head.substr(0, line_end);
      size_t colon = line.find(':');
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers.emplace_back(Lower(line.substr(0, colon)), std::string(value));
    }
    pending_.erase(0, header_end + 4);
    size_t length = 0;
    if (auto cl = response.Header("Content-Length"); cl && !head_request) length = std::stoul(*cl);
    while (pending_.size() < length) {
      if (!Fill(timeout)) return std::nullopt;
    }
    response.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return response;
  }

  std::optional<RawResponse> Request(std::string_view raw) {
    if (!Send(raw)) return std::nullopt;
    return Read();
  }

  // Everything the server sends until it closes the connection; nullopt if it is still open after
  // `timeout`.
  std::optional<std::string> ReadUntilClosed(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string data = std::move(pending_);
    pending_.clear();
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return std::nullopt;
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return data;
      data.append(buf, static_cast<size_t>(n));
    }
  }

 private:
  bool Fill(std::chrono::milliseconds timeout) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char buf[8192];
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string pending_;
};

bool CanConnect(uint16_t port) {
  try {
    TestClient client(port);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

bool IsGeneratedId(std::string_view id) {
  return id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

ServerConfig TestConfig() {
  ServerConfig config;
  config.port = 0;
  config.threads = 2;
  config.log_requests = false;
  config.header_timeout = 5s;
  config.body_timeout = 5s;
  config.idle_timeout = 5s;
  return config;
}

// What a handler saw, copied out under a lock (handlers run on the server's threads).
struct Seen {
  std::mutex mu;
  Method method = Method::kOther;
  std::string method_text, target, path, raw_path, body, request_id, header_foo, query_a;
  size_t query_count = 0;
};

// Echoes "<METHOD> <path> <body>" and handles a few special paths.
Response Echo(Request& request, Seen* seen) {
  if (seen != nullptr) {
    std::lock_guard lock(seen->mu);
    seen->method = request.method;
    seen->method_text = std::string(request.method_text);
    seen->target = request.target;
    seen->path = request.path;
    seen->raw_path = request.raw_path;
    seen->body = request.body;
    seen->request_id = request.request_id;
    seen->header_foo = std::string(request.Header("x-foo").value_or(""));
    seen->query_a = std::string(request.query.Get("a").value_or(""));
    seen->query_count = request.query.entries().size();
  }
  if (request.raw_path == "/throw") throw std::runtime_error("boom");
  if (request.raw_path == "/empty") return Response::Empty(204);
  if (request.raw_path == "/created") return Response::Empty(201);
  if (request.raw_path == "/links") {
    return Response::Json(200, "[]")
        .WithHeader("Link", "<a>; rel=\"next\"")
        .WithHeader("Link", "<b>; rel=\"prev\"")
        .WithHeader("X-Total", "2");
  }
  return Response::Text(200,
                        std::string(request.method_text) + " " + request.path + " " + request.body);
}

ServerHooks EchoHooks(Seen* seen = nullptr) {
  ServerHooks hooks;
  hooks.handler = [seen](Request& request) { return Echo(request, seen); };
  return hooks;
}

// render_error in a recognisable JSON shape, as a dialect would.
Response JsonError(int status, const Request& request) {
  return Response::Json(
      status, "{\"error\":" + std::to_string(status) + ",\"path\":\"" + request.raw_path + "\"}");
}

class ServerTest : public testing::Test {
 protected:
  void StartServer(ServerConfig config, ServerHooks hooks) {
    server_ = std::make_unique<Server>(std::move(config), std::move(hooks));
    server_->Start();
    ASSERT_NE(server_->port(), 0);
  }
  void TearDown() override {
    if (server_) server_->Stop(1s);
  }
  uint16_t port() const { return server_->port(); }

  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, ServesTwoRequestsOnOneKeepAliveConnection) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  auto first = client.Request("GET /a%20b HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->reason, "OK");
  EXPECT_EQ(first->body, "GET /a b ");
  EXPECT_EQ(first->Header("Content-Length"), "9");
  EXPECT_EQ(first->Header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(first->Header("Connection"), std::nullopt);
  auto second = client.Request("POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "POST /b hello");
  EXPECT_EQ(second->Header("Content-Length"), "13");
  ASSERT_TRUE(first->Header("X-Request-Id") && second->Header("X-Request-Id"));
  EXPECT_TRUE(IsGeneratedId(*first->Header("X-Request-Id")));
  EXPECT_TRUE(IsGeneratedId(*second->Header("X-Request-Id")));
  EXPECT_NE(*first->Header("X-Request-Id"), *second->Header("X-Request-Id"));
}

// ServerHooks::admit: the handler runs only once `resume` is called (here later, from another
// thread) and sees what admit set on the request; meanwhile the one I/O thread serves other
// connections.
TEST_F(ServerTest, AdmitHoldsTheRequestAndNotTheThreadUntilResumed) {
  ServerConfig config = TestConfig();
  config.threads = 1;
  std::mutex mu;
  std::vector<std::function<void()>> held;
  ServerHooks hooks;
  hooks.handler = [](Request& request) {
    return Response::Text(200, request.raw_path + (request.admitted ? " admitted" : " not admitted"));
  };
  hooks.admit = [&](Request& request, std::function<void()> resume) {
    if (request.raw_path != "/wait") return resume();
    std::lock_guard lock(mu);
    held.push_back([&request, resume = std::move(resume)] {
      request.admitted = true;
      resume();
    });
  };
  StartServer(config, std::move(hooks));
  TestClient waiting(port());
  ASSERT_TRUE(waiting.Send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto held_count = [&] {
    std::lock_guard lock(mu);
    return held.size();
  };
  for (int i = 0; i < 2500 && held_count() == 0; ++i) std::this_thread::sleep_for(2ms);
  ASSERT_EQ(held_count(), 1u);

  TestClient other(port());
  auto now = other.Request("GET /now HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(now);
  EXPECT_EQ(now->body, "/now not admitted");
  EXPECT_FALSE(waiting.Read(/*head_request=*/false, 50ms)) << "answered before resume";

  std::function<void()> resume;
  {
    std::lock_guard lock(mu);
    resume = std::move(held[0]);
  }
  std::thread(resume).join();
  auto late = waiting.Read();
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 200);
  EXPECT_EQ(late->body, "/wait admitted");
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  ASSERT_TRUE(client.Send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = client.Read();
  auto second = client.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "GET /1 ");
  EXPECT_EQ(second->body, "GET /2 ");
}

TEST_F(ServerTest, AnswersManyPipelinedRequestsInOrder) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  std::string requests;
  for (int i = 0; i < 50; ++i)
    requests += "GET /" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(client.Send(requests));
  for (int i = 0; i < 50; ++i) {
    auto response = client.Read();
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->body, "GET /" + std::to_string(i) + " ");
  }
}

TEST_F(ServerTest, ReducesAnAbsoluteFormTargetToItsPath) {
  Seen seen;
  StartServer(TestConfig(), EchoHooks(&seen));
  TestClient client(port());
  auto response = client.Request("GET http://example.com/a%20b?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /a b ");
  std::lock_guard lock(seen.mu);
  EXPECT_EQ(seen.raw_path, "/a%20b");
  EXPECT_EQ(seen.query_count, 1u);
}

TEST_F(ServerTest, ConvertsTheRequestForTheHandler) {
  Seen seen;
  StartServer(TestConfig(), EchoHooks(&seen));
  TestClient client(port());
  auto response = client.Request(
      "PATCH /api/orgs/a%2Fb?a=1+2&b=%zz&a=3 HTTP/1.1\r\nHost: x\r\nX-Foo: bar\r\n"
      "Content-Length: 4\r\n\r\nbody");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  std::lock_guard lock(seen.mu);
  EXPECT_EQ(seen.method, Method::kPatch);
  EXPECT_EQ(seen.method_text, "PATCH");
  EXPECT_EQ(seen.target, "/api/orgs/a%2Fb?a=1+2&b=%zz&a=3");
  EXPECT_EQ(seen.raw_path, "/api/orgs/a%2Fb");
  EXPECT_EQ(seen.path, "/api/orgs/a/b");
  EXPECT_EQ(seen.query_a, "1 2");
  EXPECT_EQ(seen.query_count, 3u);
  EXPECT_EQ(seen.header_foo, "bar");
  EXPECT_EQ(seen.body, "body");
  EXPECT_EQ(seen.request_id, *response->Header("X-Request-Id"));
}

TEST_F(ServerTest, EchoesAValidIncomingRequestId) {
  Seen seen;
  StartServer(TestConfig(), EchoHooks(&seen));
  TestClient client(port());
  auto response = client.Request("GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc.DEF_1-2\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("X-Request-Id"), "abc.DEF_1-2");
  std::lock_guard lock(seen.mu);
  EXPECT_EQ(seen.request_id, "abc.DEF_1-2");
}

TEST_F(ServerTest, ReplacesAnInvalidIncomingRequestId) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  for (std::string id : {std::string("has space"), std::string("a/b"), std::string(129, 'a')}) {
    auto response = client.Request("GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + id + "\r\n\r\n");
    ASSERT_TRUE(response);
    ASSERT_TRUE(response->Header("X-Request-Id"));
    EXPECT_TRUE(IsGeneratedId(*response->Header("X-Request-Id"))) << id;
  }
  auto longest = client.Request(
      "GET / HTTP/1.1\r\nHost: x\r\nX-Request-Id: " + std::string(128, 'z') + "\r\n\r\n");
  ASSERT_TRUE(longest);
  EXPECT_EQ(longest->Header("X-Request-Id"), std::string(128, 'z'));
}

TEST_F(ServerTest, WritesExtraHeadersInOrderWithDuplicates) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  auto response = client.Request("GET /links HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->HeaderValues("Link"),
            (std::vector<std::string>{"<a>; rel=\"next\"", "<b>; rel=\"prev\""}));
  EXPECT_EQ(response->Header("X-Total"), "2");
  EXPECT_EQ(response->Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(response->body, "[]");
}

TEST_F(ServerTest, EmptyBodiesHaveZeroLengthAndNoContentType) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  auto created = client.Request("POST /created HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  EXPECT_EQ(created->Header("Content-Length"), "0");
  EXPECT_EQ(created->Header("Content-Type"), std::nullopt);
  EXPECT_EQ(created->body, "");

  // RFC 9110 forbids Content-Length on 204.
  auto no_content = client.Request("DELETE /empty HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(no_content);
  EXPECT_EQ(no_content->status, 204);
  EXPECT_EQ(no_content->reason, "No Content");
  EXPECT_EQ(no_content->Header("Content-Length"), std::nullopt);
  EXPECT_TRUE(no_content->Header("X-Request-Id"));

  auto after = client.Request("GET /still-open HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "GET /still-open ");
}

TEST_F(ServerTest, HeadResponsesHaveLengthButNoBody) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  ASSERT_TRUE(client.Send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = client.Read(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->Header("Content-Length"), "8");  // "HEAD /x "
  auto next = client.Request("GET /y HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "GET /y ");
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  auto response = client.Request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(client.ReadUntilClosed(2s), "");
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  StartServer(TestConfig(), EchoHooks());
  TestClient keep(port());
  auto kept = keep.Request("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->Header("Connection"), "keep-alive");
  auto again = keep.Request("GET /b HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "GET /b ");
  EXPECT_EQ(again->Header("Connection"), "close");
  EXPECT_EQ(keep.ReadUntilClosed(2s), "");
}

TEST_F(ServerTest, AnswersExpectContinue) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  ASSERT_TRUE(client.Send(
      "PUT /c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.Read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client.Send("abc"));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "PUT /c abc");
}

TEST_F(ServerTest, OversizedBodyGets413UnlessTheRouteAllowsMore) {
  ServerConfig config = TestConfig();
  config.max_body_bytes = 16;
  ServerHooks hooks = EchoHooks();
  hooks.render_error = JsonError;
  hooks.body_limit = [](Method method, std::string_view path) -> size_t {
    return method == Method::kPost && path == "/big" ? 64 : 0;
  };
  StartServer(config, std::move(hooks));
  const std::string body(32, 'x');
  const std::string request_tail = " HTTP/1.1\r\nHost: x\r\nContent-Length: 32\r\n\r\n" + body;

  TestClient allowed(port());
  auto ok = allowed.Request("POST /big?q=1" + request_tail);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "POST /big " + body);

  TestClient refused(port());
  auto too_large = refused.Request("POST /small" + request_tail);
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->status, 413);
  EXPECT_EQ(too_large->reason, "Payload Too Large");
  EXPECT_EQ(too_large->body, R"({"error":413,"path":"/small"})");
  EXPECT_EQ(too_large->Header("Connection"), "close");
  EXPECT_TRUE(too_large->Header("X-Request-Id"));
  EXPECT_EQ(refused.ReadUntilClosed(3s), "");
}

TEST_F(ServerTest, LargeRefusedBodyStillGetsTheResponse) {
  ServerConfig config = TestConfig();
  config.max_body_bytes = 1024;
  StartServer(config, EchoHooks());
  TestClient client(port());
  // The server answers after the header; it must keep reading so the client's send completes
  // and the response is not lost to a connection reset.
  const std::string body(4 << 20, 'x');
  ASSERT_TRUE(client.Send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body));
  auto response = client.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(response->body, "Payload Too Large");
  EXPECT_EQ(response->Header("Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(ServerTest, OversizedChunkedBodyGets413) {
  ServerConfig config = TestConfig();
  config.max_body_bytes = 16;
  StartServer(config, EchoHooks());
  TestClient client(port());
  auto response = client.Request(
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(ServerTest, ChunkedBodyWithinLimitIsDecoded) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  auto response = client.Request(
      "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
      "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "POST /x abcde");
}

TEST_F(ServerTest, EnormousHeaderGets431) {
  ServerConfig config = TestConfig();
  config.max_header_bytes = 1024;
  ServerHooks hooks = EchoHooks();
  hooks.render_error = JsonError;
  StartServer(config, std::move(hooks));
  TestClient client(port());
  auto response =
      client.Request("GET /h HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8192, 'a') + "\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 431);
  EXPECT_EQ(response->reason, "Request Header Fields Too Large");
  EXPECT_EQ(response->body, R"({"error":431,"path":"/h"})");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(client.ReadUntilClosed(3s), "");
}

TEST_F(ServerTest, MalformedRequestGets400) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  auto response = client.Request("GET /m HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->body, "Bad Request");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(response->Header("Content-Length"), "11");
  EXPECT_EQ(client.ReadUntilClosed(3s), "");
}

// Framing the server refuses rather than guess at (request smuggling), each answered in the
// dialect's error shape and followed by a close.
TEST_F(ServerTest, AmbiguousOrUnsupportedFramingIsRefused) {
  ServerHooks hooks = EchoHooks();
  hooks.render_error = JsonError;
  StartServer(TestConfig(), std::move(hooks));
  struct Case {
    std::string request;
    int status;
  };
  const Case cases[] = {
      {"POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3\r\nabc\r\n0\r\n\r\n",
       400},
      {"POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
      {"POST /f HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
      {"GET /f HTTP/1.1\nHost: x\n\n", 400},
      {"GET /f HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400},
      {"GET /f HTTP/1.1\r\nHost : x\r\n\r\n", 400},
      {"GET /f HTTP/2.0\r\nHost: x\r\n\r\n", 505},
  };
  for (const auto& c : cases) {
    TestClient client(port());
    auto response = client.Request(c.request);
    ASSERT_TRUE(response) << c.request;
    EXPECT_EQ(response->status, c.status) << c.request;
    EXPECT_EQ(response->body, "{\"error\":" + std::to_string(c.status) + ",\"path\":\"/f\"}")
        << c.request;
    EXPECT_EQ(response->Header("Connection"), "close") << c.request;
    EXPECT_EQ(client.ReadUntilClosed(3s), "") << c.request;
  }
}

TEST_F(ServerTest, EmptyLinesBeforeARequestAreSkipped) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  auto response = client.Request("\r\n\r\nGET /after-blank HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET /after-blank ");
}

// A body that arrives in pieces, with the next request right behind it in the last piece: the
// body is whole, the head's views survive the buffer growing, and the pipelined request is
// answered too. The handler echoes X-Foo in the answer itself: a record shared with the test
// would race with the pipelined request, which the server may be handling while the test reads.
TEST_F(ServerTest, ABodyInPiecesIsWholeAndThePipelinedRequestAfterItIsAnswered) {
  ServerHooks hooks;
  hooks.handler = [](Request& request) {
    return Response::Text(200, std::string(request.method_text) + " " + request.path + " [" +
                                   std::string(request.Header("x-foo").value_or("")) + "] " +
                                   request.body);
  };
  StartServer(TestConfig(), std::move(hooks));
  TestClient client(port());
  const std::string body(20000, 'b');
  ASSERT_TRUE(client.Send("PUT /big HTTP/1.1\r\nHost: x\r\nX-Foo: kept\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 100)));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(client.Send(body.substr(100, 9000)));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(client.Send(body.substr(9100) + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = client.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "PUT /big [kept] " + body);
  auto second = client.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "GET /next [] ");
}

TEST_F(ServerTest, AChunkedBodyInPiecesIsDecoded) {
  StartServer(TestConfig(), EchoHooks());
  TestClient client(port());
  ASSERT_TRUE(
      client.Send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(client.Send("cd\r\n3;ext=1\r\nefg\r"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(client.Send("\n0\r\nTrailer-Field: t\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = client.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, "POST /c abcdefg");
  auto second = client.Read();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, "GET /next ");
}

TEST_F(ServerTest, ThrowingHandlerYields500FromRenderError) {
  ServerHooks hooks = EchoHooks();
  hooks.render_error = JsonError;
  StartServer(TestConfig(), std::move(hooks));
  TestClient client(port());
  auto response = client.Request("GET /throw HTTP/1.1\r\nHost: x\r\nX-Request-Id: req-1\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->reason, "Internal Server Error");
  EXPECT_EQ(response->body, R"({"error":500,"path":"/throw"})");
  EXPECT_EQ(response->Header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(response->Header("X-Request-Id"), "req-1");
  // A handler failure does not poison the connection.
  auto next = client.Request("GET /fine HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, HeaderTimeoutClosesAPartialHeaderSilently) {
  ServerConfig config = TestConfig();
  config.header_timeout = 200ms;
  StartServer(config, EchoHooks());
  TestClient client(port());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_EQ(client.ReadUntilClosed(3s), "");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 180ms);
}

TEST_F(ServerTest, BodyTimeoutClosesAPartialBodySilently) {
  ServerConfig config = TestConfig();
  config.body_timeout = 200ms;
  StartServer(config, EchoHooks());
  TestClient client(port());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  EXPECT_EQ(client.ReadUntilClosed(3s), "");
}

TEST_F(ServerTest, IdleTimeoutClosesAKeepAliveConnection) {
  ServerConfig config = TestConfig();
  config.idle_timeout = 200ms;
  StartServer(config, EchoHooks());
  TestClient client(port());
  ASSERT_TRUE(client.Request("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client.ReadUntilClosed(3s), "");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST_F(ServerTest, ExtraConnectionsBeyondTheCapAreClosed) {
  ServerConfig config = TestConfig();
  config.max_connections = 1;
  StartServer(config, EchoHooks());
  TestClient first(port());
  ASSERT_TRUE(first.Request("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  TestClient second(port());
  second.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(second.ReadUntilClosed(3s), "");
  // The first connection is unaffected.
  auto again = first.Request("GET /again HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST_F(ServerTest, StopFinishesInFlightRequestsAndClosesIdleOnes) {
  std::mutex mu;
  std::condition_variable cv;
  bool slow_started = false;
  ServerHooks hooks;
  hooks.handler = [&](Request& request) {
    if (request.raw_path == "/slow") {
      {
        std::lock_guard lock(mu);
        slow_started = true;
      }
      cv.notify_all();
      std::this_thread::sleep_for(300ms);
      return Response::Text(200, "slow done");
    }
    return Response::Text(200, "fast");
  };
  StartServer(TestConfig(), std::move(hooks));

  TestClient idle(port());
  ASSERT_TRUE(idle.Request("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  TestClient busy(port());
  ASSERT_TRUE(busy.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return slow_started; }));
  }
  auto stop_start = std::chrono::steady_clock::now();
  std::thread stopper([&] { server_->Stop(5s); });

  auto response = busy.Read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "slow done");
  EXPECT_EQ(response->Header("Connection"), "close");
  EXPECT_EQ(busy.ReadUntilClosed(3s), "");
  EXPECT_EQ(idle.ReadUntilClosed(3s), "");
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_start, 3s);
  EXPECT_FALSE(CanConnect(port()));
}

TEST_F(ServerTest, StopIsIdempotentAndReleasesWait) {
  StartServer(TestConfig(), EchoHooks());
  auto waiter = std::async(std::launch::async, [&] { server_->Wait(); });
  EXPECT_EQ(waiter.wait_for(50ms), std::future_status::timeout);
  std::thread other([&] { server_->Stop(1s); });
  server_->Stop(1s);
  other.join();
  EXPECT_EQ(waiter.wait_for(2s), std::future_status::ready);
  server_->Stop(1s);
}

TEST(ServerStartTest, ThrowsWhenThePortIsTaken) {
  ServerConfig config = TestConfig();
  Server first(config, EchoHooks());
  first.Start();
  config.port = first.port();
  Server second(config, EchoHooks());
  EXPECT_THROW(second.Start(), std::runtime_error);
}

TEST(ServerLogTest, LogsOneLineWithoutQueryOrHeaders) {
  ServerConfig config = TestConfig();
  config.log_requests = true;
  config.threads = 1;
  testing::internal::CaptureStderr();
  {
    Server server(config, EchoHooks());
    server.Start();
    TestClient client(server.port());
    auto response = client.Request(
        "GET /logged/p%20q?secret=s3cr3t HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer tok\r\n"
        "X-Request-Id: log-1\r\n\r\n");
    ASSERT_TRUE(response);
    server.Stop(1s);
  }
  std::string log = testing::internal::GetCapturedStderr();
  size_t at = log.find("\"request_id\":\"log-1\"");
  ASSERT_NE(at, std::string::npos) << log;
  std::string line = log.substr(log.rfind('\n', at) + 1);
  line = line.substr(0, line.find('\n'));
  EXPECT_EQ(line.rfind("{\"ts\":\"", 0), 0u) << line;
  EXPECT_NE(line.find("\"level\":\"info\",\"msg\":\"request\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"method\":\"GET\",\"path\":\"/logged/p%20q\",\"status\":200,"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("\"duration_us\":"), std::string::npos) << line;
  EXPECT_NE(line.find("\"bytes_in\":"), std::string::npos) << line;
  EXPECT_NE(line.find("\"bytes_out\":"), std::string::npos) << line;
  EXPECT_NE(line.find("\"remote\":\"127.0.0.1:"), std::string::npos) << line;
  EXPECT_EQ(line.find("s3cr3t"), std::string::npos) << line;
  EXPECT_EQ(line.find("Bearer"), std::string::npos) << line;
  EXPECT_EQ(line.back(), '}');
}

std::vector<int> CpusOfThisThread() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::pthread_getaffinity_np(::pthread_self(), sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

// Answers "<cpu the handler runs on> <number of CPUs its thread may run on>".
ServerHooks WhereHooks() {
  ServerHooks hooks;
  hooks.handler = [](Request&) {
    return Response::Text(200, std::to_string(::sched_getcpu()) + " " +
                                   std::to_string(CpusOfThisThread().size()));
  };
  return hooks;
}

// Pins the calling thread to `cpu` (until the next call).
void PinThisThread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  ASSERT_EQ(::pthread_setaffinity_np(::pthread_self(), sizeof(set), &set), 0);
}

// One I/O thread per CPU the test may use, answering with WhereHooks.
ServerConfig OneThreadPerCpu(const std::vector<int>& cpus, bool cpu_affinity) {
  ServerConfig config = TestConfig();
  config.threads = static_cast<int>(cpus.size());
  config.cpu_affinity = cpu_affinity;
  return config;
}

TEST_F(ServerTest, WithCpuAffinityAConnectionIsServedOnTheCpuItsClientSendsFrom) {
  const std::vector<int> cpus = CpusOfThisThread();
  ASSERT_FALSE(cpus.empty());
  StartServer(OneThreadPerCpu(cpus, /*cpu_affinity=*/true), WhereHooks());

  // On loopback a segment is received on the CPU that sent it, so a client pinned to one CPU is
  // served there, from its first request on (the connection is placed when it is accepted).
  std::thread client_thread([&] {
    for (int cpu : cpus) {
      PinThisThread(cpu);
      TestClient client(port());
      for (int i = 0; i < 3; ++i) {
        auto response = client.Request("GET /where HTTP/1.1\r\nHost: x\r\n\r\n");
        ASSERT_TRUE(response);
        EXPECT_EQ(response->body, std::to_string(cpu) + " 1") << "request " << i;
      }
    }
  });
  client_thread.join();
}

TEST_F(ServerTest, WithCpuAffinityAConnectionFollowsItsClientToAnotherCpu) {
  const std::vector<int> cpus = CpusOfThisThread();
  if (cpus.size() < 2) GTEST_SKIP() << "needs two CPUs";
  StartServer(OneThreadPerCpu(cpus, /*cpu_affinity=*/true), WhereHooks());

  std::thread client_thread([&] {
    PinThisThread(cpus[0]);
    TestClient client(port());
    auto first = client.Request("GET /where HTTP/1.1\r\nHost: x\r\n\r\n");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body, std::to_string(cpus[0]) + " 1");
    // The same connection, now sending from another CPU: it is moved between two requests,
    // within the 16 requests after which the server looks again, and keeps being answered.
    PinThisThread(cpus[1]);
    std::vector<std::string> bodies;
    for (int i = 0; i < 40; ++i) {
      auto response = client.Request("GET /where HTTP/1.1\r\nHost: x\r\n\r\n");
      ASSERT_TRUE(response) << "request " << i;
      EXPECT_EQ(response->status, 200);
      bodies.push_back(response->body);
    }
    for (size_t i = 17; i < bodies.size(); ++i) {
      EXPECT_EQ(bodies[i], std::to_string(cpus[1]) + " 1") << "request " << i;
    }
  });
  client_thread.join();
}

TEST_F(ServerTest, WithoutCpuAffinityTheThreadsAreNotPinned) {
  const std::vector<int> cpus = CpusOfThisThread();
  if (cpus.size() < 2) GTEST_SKIP() << "needs two CPUs";
  StartServer(OneThreadPerCpu(cpus, /*cpu_affinity=*/false), WhereHooks());
  TestClient client(port());
  auto response = client.Request("GET /where HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(response);
  EXPECT_TRUE(response->body.ends_with(" " + std::to_string(cpus.size()))) << response->body;
}

}  // namespace
}  // namespace orgd::http
