// What the HTTP server tests share: a real server on an ephemeral port of
// 127.0.0.1, run on its own thread for one test, JSON from a response, and a
// raw exchange on a socket.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>

#include "server/http_server.h"

namespace askio::server::testing {

class RunningServer {
 public:
  explicit RunningServer(ServeOptions options) {
    auto s = HttpServer::Create(options);
    if (!s) throw std::runtime_error(s.error().message());
    server_ = std::move(*s);
    auto port = server_->Bind();
    if (!port) throw std::runtime_error(port.error().message());
    port_ = *port;
    thread_ = std::thread([this] { (void)server_->Run(); });
    // Ready once /api/ready answers 200: a condition, not a sleep.
    httplib::Client c("127.0.0.1", port_);
    for (int i = 0; i < 2000; ++i) {
      auto r = c.Get("/api/ready");
      if (r && r->status == 200) return;
      std::this_thread::yield();
    }
    throw std::runtime_error("server did not become ready");
  }
  ~RunningServer() {
    server_->Stop();
    thread_.join();
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  int port() const { return port_; }
  httplib::Client Client(const std::string& key = "", int read_timeout_seconds = 30) const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(read_timeout_seconds, 0);
    if (!key.empty()) c.set_bearer_token_auth(key);
    return c;
  }

 private:
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::thread thread_;
};

// The response body as JSON; a test failure when there is none or it is not JSON.
inline nlohmann::json Body(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no response";
  if (!r) return nlohmann::json();
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r->body;
  return j;
}

// A raw request on a socket, for what a well-behaved client library will
// not send. Returns what the server answered before closing or `limit`.
inline std::string RawExchange(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "";
  (void)!write(fd, request.data(), request.size());
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.find("\r\n\r\n") != std::string::npos) {
      // Enough: status line and headers (and a small body) arrived.
      const size_t cl = out.find("Content-Length: ");
      if (cl != std::string::npos) {
        const size_t len = std::stoul(out.substr(cl + 16));
        if (out.size() >= out.find("\r\n\r\n") + 4 + len) break;
      }
    }
  }
  close(fd);
  return out;
}

}  // namespace askio::server::testing
