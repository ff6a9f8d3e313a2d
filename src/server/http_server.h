// `askio serve`: the REST API, the OpenAI-compatible surface and the web UI
// on one port (docs/api.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "askio/options.h"
#include "askio/status.h"

namespace askio::server {

struct ServeOptions {
  std::string data_dir;
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 = any free port (Port() tells which)
  // Serving a non-loopback address without any API key is refused unless set.
  bool allow_no_auth = false;
  size_t threads = 128;          // connections served at once
  size_t query_concurrency = 0;  // searches/answers computed at once; 0 = cores
  size_t query_queue = 64;       // waiting beyond the running ones; more get 429
  uint64_t max_body_bytes = 256ull << 20;
  double rate_limit = 0;  // requests/s per key (or client address); 0 = off
  size_t ingest_workers = 2;
  double timeout_seconds = 30;  // socket read/write
  // Server-sent-event streams send a comment this often while idle, which is
  // also how a stream notices that its client went away.
  double sse_heartbeat_seconds = 15;
  std::string web_dir;  // serve the UI from this folder instead of the built-in copy
  // askio.toml with [llm], [embed], [rerank] (and per-KB overrides); the
  // ASKIO_* environment variables apply on top. Empty: environment only.
  std::string config_path;
  IngestOptions ingest;
  UrlOptions url;
};

class HttpServer {
 public:
  // Checks the options and opens server.db; does not listen yet.
  static Result<std::unique_ptr<HttpServer>> Create(const ServeOptions& options);
  ~HttpServer();

  // Binds the address; returns the port (useful with port 0).
  Result<int> Bind();
  // Serves until Stop() (from another thread or a signal handler's thread).
  Status Run();
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(const std::string& host);

}  // namespace askio::server
