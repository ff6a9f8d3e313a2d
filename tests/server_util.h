// What the HTTP server tests share: a real server on an ephemeral port of
// 127.0.0.1, run on its own thread for one test, and JSON from a response.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

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

}  // namespace askio::server::testing
