#include "tests/support/http_client.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

namespace orgd::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

std::string HttpResponse::Header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

bool HttpResponse::HasHeader(const std::string& name) const {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return h.first == name; });
}

std::vector<std::string> HttpResponse::Headers(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (k == name) out.push_back(v);
  }
  return out;
}

struct HttpClient::Impl {
  uint16_t port;
  asio::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void Connect() {
    stream = std::make_unique<beast::tcp_stream>(ioc);
    stream->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    buffer.clear();
  }
};

HttpClient::HttpClient(uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
HttpClient::~HttpClient() = default;

HttpResponse HttpClient::Send(const std::string& method, const std::string& target,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->stream) impl_->Connect();
    bhttp::request<bhttp::string_body> req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    req.set(bhttp::field::host, "127.0.0.1:" + std::to_string(impl_->port));
    bool has_type = false;
    for (const auto& [k, v] : headers) {
      req.insert(k, v);
      std::string lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower == "content-type") has_type = true;
    }
    if (!body.empty() && !has_type) req.set(bhttp::field::content_type, "application/json");
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") req.prepare_payload();
    beast::error_code ec;
    impl_->stream->expires_after(std::chrono::seconds(30));
    bhttp::write(*impl_->stream, req, ec);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    if (!ec) bhttp::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      // A keep-alive connection the server closed meanwhile: retry once on a fresh one.
      impl_->stream.reset();
      if (attempt == 0) continue;
      throw std::runtime_error("HTTP request failed: " + ec.message());
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    out.reason = std::string(res.reason());
    for (const auto& field : res) {
      std::string name(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    out.body = std::move(res.body());
    out.json = nlohmann::json::parse(out.body, nullptr, /*allow_exceptions=*/false);
    if (!res.keep_alive()) impl_->stream.reset();
    return out;
  }
  throw std::runtime_error("unreachable");
}

std::string HttpClient::SendRaw(const std::string& bytes, int timeout_ms) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port));
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  beast::error_code ec;
  asio::write(stream, asio::buffer(bytes), ec);
  std::string out;
  char buf[4096];
  while (!ec) {
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    size_t n = stream.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
  }
  return out;
}

}  // namespace orgd::testing
