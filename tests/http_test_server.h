// A small HTTP/1.1 server for tests: real sockets on 127.0.0.1 and an
// ephemeral port, so code under test goes through its real HTTP stack.
//
//   HttpTestServer server;
//   server.Route("GET", "/doc", [](const HttpRequest&) {
//     return HttpResponse{200, {{"Content-Type", "text/plain"}}, "hello"};
//   });
//   server.StreamRoute("POST", "/v1/chat/completions",
//                      [](const HttpRequest& req, HttpResponseStream& out) {
//     out.Begin(200, {{"Content-Type", "text/event-stream"}});
//     out.Write("data: {...}\n\n");  // one chunk, sent at once
//   });
//   ... FetchUrl(server.Url("/doc"), ...) ...
//   server.Requests()  // what arrived, for assertions
//
// Requests are parsed properly (Content-Length and chunked bodies, Expect:
// 100-continue, keep-alive); unknown routes get 404. Each connection is served
// on its own thread; the destructor wakes every thread through a self-pipe
// and joins them, so handlers must return (HttpResponseStream::
// WaitForClientClose returns when the server stops).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace askio::testing {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

namespace http_detail {

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

inline const std::string* FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [key, value] : headers)
    if (EqualsIgnoreCase(key, name)) return &value;
  return nullptr;
}

inline std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline const char* ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

// Sends all of `bytes`; false if the peer is gone. MSG_NOSIGNAL: a client
// that hangs up must not kill the test binary with SIGPIPE.
inline bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace http_detail

struct HttpRequest {
  std::string method;
  std::string target;   // as sent: path and query
  std::string path;     // target up to '?'
  std::string query;    // after '?', without it
  std::string version;  // "HTTP/1.1"
  HttpHeaders headers;  // in arrival order, names as sent
  std::string body;     // de-chunked

  // The first header called `name` (case-insensitive), or "" if none.
  std::string Header(std::string_view name) const {
    const std::string* v = http_detail::FindHeader(headers, name);
    return v ? *v : std::string();
  }
  bool HasHeader(std::string_view name) const {
    return http_detail::FindHeader(headers, name) != nullptr;
  }
};

struct HttpResponse {
  int status = 200;
  // Content-Length and Connection are added unless given here.
  HttpHeaders headers;
  std::string body;
};

// A response sent piece by piece: Begin() sends the head, each Write() one
// chunk of a chunked body (or raw bytes, when Begin's headers give a
// Content-Length), and the terminating chunk goes out when the handler
// returns.
class HttpResponseStream {
 public:
  HttpResponseStream(int fd, int stop_fd, bool head_only)
      : fd_(fd), stop_fd_(stop_fd), head_only_(head_only) {}

  bool Begin(int status = 200, HttpHeaders headers = {}) {
    if (begun_) return ok_;
    begun_ = true;
    chunked_ = !http_detail::FindHeader(headers, "Content-Length") &&
               !http_detail::FindHeader(headers, "Transfer-Encoding");
    if (chunked_) headers.emplace_back("Transfer-Encoding", "chunked");
    if (const std::string* c = http_detail::FindHeader(headers, "Connection"))
      keep_alive_ = !http_detail::EqualsIgnoreCase(*c, "close");
    else
      headers.emplace_back("Connection", "keep-alive");
    // A body framed by the handler's own Content-Length may be cut short
    // on purpose; only a close tells the client where it ends then.
    if (!chunked_) keep_alive_ = false;
    std::string head =
        "HTTP/1.1 " + std::to_string(status) + " " + http_detail::ReasonPhrase(status) + "\r\n";
    for (const auto& [k, v] : headers) head += k + ": " + v + "\r\n";
    head += "\r\n";
    ok_ = http_detail::SendAll(fd_, head);
    return ok_;
  }

  bool Write(std::string_view piece) {
    if (!begun_) Begin();
    if (!ok_ || head_only_ || piece.empty()) return ok_;
    if (chunked_) {
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
      ok_ = http_detail::SendAll(fd_, std::string(size) + std::string(piece) + "\r\n");
    } else {
      ok_ = http_detail::SendAll(fd_, piece);
    }
    return ok_;
  }

  // Blocks until the client closes the connection (e.g. after its own
  // timeout) or the server stops. For "accepts but never answers" tests.
  void WaitForClientClose() {
    keep_alive_ = false;
    char buf[4096];
    for (;;) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents) return;
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0 || (n < 0 && errno != EINTR)) return;
    }
  }

  // After the handler: ends the body; true if the connection can be reused.
  bool Finish() {
    if (!begun_) Begin();
    if (ok_ && chunked_ && !head_only_) ok_ = http_detail::SendAll(fd_, "0\r\n\r\n");
    return ok_ && keep_alive_;
  }

 private:
  int fd_, stop_fd_;
  bool head_only_;
  bool begun_ = false, ok_ = true, chunked_ = true, keep_alive_ = true;
};

class HttpTestServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  using StreamHandler = std::function<void(const HttpRequest&, HttpResponseStream&)>;

  HttpTestServer() {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) Fail("pipe2");
    stop_read_ = pipe_fds[0];
    stop_write_ = pipe_fds[1];
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) Fail("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Fail("bind");
    if (::listen(listen_fd_, 64) != 0) Fail("listen");
    if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      Fail("getsockname");
    port_ = ntohs(addr.sin_port);
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~HttpTestServer() {
    // The byte is never read, so the pipe stays readable and wakes every
    // poll, present and future.
    const char byte = 'x';
    while (::write(stop_write_, &byte, 1) < 0 && errno == EINTR) {
    }
    ::shutdown(listen_fd_, SHUT_RDWR);
    accept_thread_.join();
    std::vector<std::thread> connections;
    {
      std::lock_guard lock(mu_);
      connections.swap(connections_);
    }
    for (std::thread& t : connections) t.join();
    ::close(listen_fd_);
    ::close(stop_read_);
    ::close(stop_write_);
  }

  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  // `path` is matched exactly, without the query string.
  void Route(std::string method, std::string path, Handler handler) {
    std::lock_guard lock(mu_);
    routes_[{std::move(method), std::move(path)}] = Route_{std::move(handler), nullptr};
  }
  void StreamRoute(std::string method, std::string path, StreamHandler handler) {
    std::lock_guard lock(mu_);
    routes_[{std::move(method), std::move(path)}] = Route_{nullptr, std::move(handler)};
  }

  int port() const { return port_; }
  // "http://127.0.0.1:PORT" + path.
  std::string Url(std::string_view path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

  // Every request received so far, in arrival order (recorded before its
  // handler runs).
  std::vector<HttpRequest> Requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Requests for `path`, any method.
  size_t CountRequests(std::string_view path) const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const HttpRequest& r : requests_) n += r.path == path;
    return n;
  }
  // Waits until at least `n` requests have arrived, for code under test that
  // calls out asynchronously; false on timeout.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return arrived_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }

 private:
  struct Route_ {
    Handler handler;
    StreamHandler stream;
  };
  static constexpr size_t kMaxHead = 64 << 10;

  [[noreturn]] static void Fail(const char* what) {
    throw std::runtime_error(std::string("HttpTestServer: ") + what + ": " + std::strerror(errno));
  }

  void AcceptLoop() {
    for (;;) {
      pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_read_, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents) return;
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;
      }
      // Streamed chunks should reach the client as they are written.
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard lock(mu_);
      connections_.emplace_back([this, fd] {
        Serve(fd);
        ::close(fd);
      });
    }
  }

  // Appends what the socket has to `buf`; false on EOF, error or stop.
  bool ReadMore(int fd, std::string& buf) {
    char chunk[16384];
    for (;;) {
      pollfd fds[2] = {{fd, POLLIN, 0}, {stop_read_, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return false;
      }
      if (fds[1].revents) return false;
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      buf.append(chunk, static_cast<size_t>(n));
      return true;
    }
  }

  // Takes one CRLF-terminated line off the front of `buf`.
  bool ReadLine(int fd, std::string& buf, std::string& line) {
    size_t eol;
    while ((eol = buf.find("\r\n")) == std::string::npos) {
      if (buf.size() > kMaxHead || !ReadMore(fd, buf)) return false;
    }
    line = buf.substr(0, eol);
    buf.erase(0, eol + 2);
    return true;
  }

  bool ReadExactly(int fd, std::string& buf, size_t n, std::string& out) {
    while (buf.size() < n)
      if (!ReadMore(fd, buf)) return false;
    out.append(buf, 0, n);
    buf.erase(0, n);
    return true;
  }

  enum class ReadResult { kOk, kClosed, kBad };

  // One request off the connection. `buf` carries bytes of the next
  // (pipelined) request over to the next call.
  ReadResult ReadRequest(int fd, std::string& buf, HttpRequest& req) {
    size_t end;
    for (;;) {
      // RFC 9112 2.2: ignore empty lines before a request line.
      while (buf.starts_with("\r\n")) buf.erase(0, 2);
      if ((end = buf.find("\r\n\r\n")) != std::string::npos) break;
      if (buf.size() > kMaxHead) return ReadResult::kBad;
      if (!ReadMore(fd, buf)) return ReadResult::kClosed;
    }
    const std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);

    size_t line_end = head.find("\r\n");
    const std::string_view request_line = std::string_view(head).substr(0, line_end);
    const size_t sp1 = request_line.find(' ');
    const size_t sp2 = request_line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) return ReadResult::kBad;
    req.method = std::string(request_line.substr(0, sp1));
    req.target = std::string(request_line.substr(sp1 + 1, sp2 - sp1 - 1));
    req.version = std::string(request_line.substr(sp2 + 1));
    if (!req.version.starts_with("HTTP/1.")) return ReadResult::kBad;
    const size_t q = req.target.find('?');
    req.path = req.target.substr(0, q);
    req.query = q == std::string::npos ? "" : req.target.substr(q + 1);

    while (line_end != std::string::npos) {
      const size_t start = line_end + 2;
      line_end = head.find("\r\n", start);
      const std::string_view line = std::string_view(head).substr(
          start, line_end == std::string::npos ? std::string::npos : line_end - start);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) return ReadResult::kBad;
      req.headers.emplace_back(std::string(line.substr(0, colon)),
                               std::string(http_detail::Trim(line.substr(colon + 1))));
    }

    const std::string* te = http_detail::FindHeader(req.headers, "Transfer-Encoding");
    const std::string* cl = http_detail::FindHeader(req.headers, "Content-Length");
    const bool chunked = te && http_detail::EqualsIgnoreCase(*te, "chunked");
    if (te && !chunked) return ReadResult::kBad;
    size_t length = 0;
    if (cl && !chunked) {
      try {
        length = std::stoull(*cl);
      } catch (...) {
        return ReadResult::kBad;
      }
    }
    const std::string* expect = http_detail::FindHeader(req.headers, "Expect");
    if (expect && http_detail::EqualsIgnoreCase(*expect, "100-continue") && (chunked || length > 0))
      if (!http_detail::SendAll(fd, "HTTP/1.1 100 Continue\r\n\r\n")) return ReadResult::kClosed;

    if (chunked) {
      for (;;) {
        std::string line;
        if (!ReadLine(fd, buf, line)) return ReadResult::kClosed;
        size_t size = 0;
        try {
          size = std::stoull(line.substr(0, line.find(';')), nullptr, 16);
        } catch (...) {
          return ReadResult::kBad;
        }
        if (size == 0) break;
        std::string crlf;
        if (!ReadExactly(fd, buf, size, req.body) || !ReadExactly(fd, buf, 2, crlf))
          return ReadResult::kClosed;
        if (crlf != "\r\n") return ReadResult::kBad;
      }
      for (std::string trailer;;) {
        if (!ReadLine(fd, buf, trailer)) return ReadResult::kClosed;
        if (trailer.empty()) break;
      }
    } else if (length > 0) {
      if (!ReadExactly(fd, buf, length, req.body)) return ReadResult::kClosed;
    }
    return ReadResult::kOk;
  }

  void Serve(int fd) {
    std::string buf;
    for (;;) {
      HttpRequest req;
      const ReadResult r = ReadRequest(fd, buf, req);
      if (r == ReadResult::kBad)
        http_detail::SendAll(fd,
                             "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                             "Connection: close\r\n\r\n");
      if (r != ReadResult::kOk) return;

      std::optional<Route_> route;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
        if (auto it = routes_.find({req.method, req.path}); it != routes_.end()) route = it->second;
      }
      arrived_.notify_all();

      bool keep_alive = req.version != "HTTP/1.0";
      if (const std::string* c = http_detail::FindHeader(req.headers, "Connection"))
        keep_alive = !http_detail::EqualsIgnoreCase(*c, "close") &&
                     (keep_alive || http_detail::EqualsIgnoreCase(*c, "keep-alive"));
      const bool head_only = req.method == "HEAD";

      if (route && route->stream) {
        HttpResponseStream stream(fd, stop_read_, head_only);
        route->stream(req, stream);
        if (!stream.Finish()) return;
      } else {
        HttpResponse resp =
            route ? route->handler(req)
                  : HttpResponse{404, {{"Content-Type", "text/plain"}}, "no route for " + req.path};
        if (!SendResponse(fd, resp, head_only, keep_alive)) return;
      }
      if (!keep_alive) return;
    }
  }

  static bool SendResponse(int fd, HttpResponse& resp, bool head_only, bool& keep_alive) {
    const bool no_body = resp.status < 200 || resp.status == 204 || resp.status == 304;
    if (!no_body && !http_detail::FindHeader(resp.headers, "Content-Length") &&
        !http_detail::FindHeader(resp.headers, "Transfer-Encoding"))
      resp.headers.emplace_back("Content-Length", std::to_string(resp.body.size()));
    else if (http_detail::FindHeader(resp.headers, "Content-Length"))
      keep_alive = false;  // the handler frames the body itself, maybe wrongly on purpose
    if (const std::string* c = http_detail::FindHeader(resp.headers, "Connection"))
      keep_alive = keep_alive && !http_detail::EqualsIgnoreCase(*c, "close");
    else
      resp.headers.emplace_back("Connection", keep_alive ? "keep-alive" : "close");
    std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " " +
                      http_detail::ReasonPhrase(resp.status) + "\r\n";
    for (const auto& [k, v] : resp.headers) out += k + ": " + v + "\r\n";
    out += "\r\n";
    if (!head_only && !no_body) out += resp.body;
    return http_detail::SendAll(fd, out);
  }

  int listen_fd_ = -1, stop_read_ = -1, stop_write_ = -1;
  int port_ = 0;
  std::thread accept_thread_;
  mutable std::mutex mu_;
  mutable std::condition_variable arrived_;
  std::map<std::pair<std::string, std::string>, Route_> routes_;
  std::vector<HttpRequest> requests_;
  std::vector<std::thread> connections_;
};

}  // namespace askio::testing
