#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace orgd::testing {

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;
  nlohmann::json json;  // parsed body when it is JSON, else discarded

  // The first header `name` (lower-case), or "" when absent.
  std::string Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const;
  std::vector<std::string> Headers(const std::string& name) const;
};

// A blocking HTTP/1.1 client on one keep-alive connection to 127.0.0.1:port; reconnects when the
// server closed it. For tests only.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port);
  ~HttpClient();

  HttpResponse Send(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Writes raw bytes on a fresh connection and returns everything read until the server closes it
  // or `timeout_ms` passes.
  std::string SendRaw(const std::string& bytes, int timeout_ms = 2000);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace orgd::testing
