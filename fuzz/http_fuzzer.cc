// The HTTP request surface: the input is the raw bytes a client sends on one
// connection (a request line, headers, a body, maybe more requests after it).
// They go over a real TCP connection to a real `askio serve` (HttpServer on
// 127.0.0.1, in this process, so its code is instrumented and a sanitizer
// report in any of its threads stops the run) with one knowledge base,
// "demo", of a few short documents. Parsing is cpp-httplib's; everything
// after it is askio's: routing, auth, JSON and multipart bodies, filters,
// uploads, jobs, search, ask, the OpenAI and voice routes, static files.
//
// Checked on every input, besides memory errors and UB:
//   - the server finishes its answer within 8 s (or closes without a word,
//     as it does when the bytes end before a request does, and as it must
//     when the harness half-closed the connection: see Exchange);
//   - every answer starts with an HTTP/1.1 status line;
//   - no handler let an exception escape ("unexpected error" is the 500 the
//     router turns one into: a bug, whatever the input).
//
// The server is started on the first input, not before main(): AFL++ forks
// its fork server after start-up, and threads do not survive a fork.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "askio/engine.h"
#include "fuzz_common.h"
#include "server/http_server.h"

namespace {

using namespace askio;
namespace fs = std::filesystem;

constexpr int kAnswerTimeoutMs = 8'000;
// How long a request the client judges whole may go unanswered before the
// connection is half-closed anyway (the server may judge it otherwise, or
// its handler may be slow: then the answer goes unchecked, nothing worse).
constexpr int kGraceMs = 100;

// The headers of `m` (an HTTP message) in lower case, up to and including
// the CRLF of the last header line, and its body; false when the headers
// have not ended.
bool SplitMessage(std::string_view m, std::string& headers, std::string_view& body) {
  const size_t end = m.find("\r\n\r\n");
  if (end == std::string_view::npos) return false;
  headers.assign(m.substr(0, end + 2));
  for (char& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  body = m.substr(end + 4);
  return true;
}

// How a message's body is delimited, read strictly: a header written in any
// other way than the plain one (no space after the colon, a second
// Content-Length, "chunked" among other codings) is kUnknown, where the
// harness and the server might disagree.
enum class Framing { kNone, kLength, kChunked, kUnknown };

size_t Count(const std::string& s, std::string_view what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

Framing FramingOf(const std::string& headers, uint64_t* length) {
  const size_t codings = Count(headers, "transfer-encoding"),
               lengths = Count(headers, "content-length");
  if (codings == 0 && lengths == 0) return Framing::kNone;
  if (codings == 1 && lengths == 0 &&
      headers.find("\r\ntransfer-encoding: chunked\r\n") != std::string::npos)
    return Framing::kChunked;
  const size_t at = headers.find("\r\ncontent-length: ");
  if (codings == 0 && lengths == 1 && at != std::string::npos) {
    const size_t begin = at + 18, end = headers.find("\r\n", begin);
    if (end > begin && end - begin <= 15 && headers.find_first_not_of("0123456789", begin) == end) {
      *length = std::strtoull(headers.c_str() + begin, nullptr, 10);
      return Framing::kLength;
    }
  }
  return Framing::kUnknown;
}

// Whether `body` holds all of a chunked body (sizes, data, a zero size, no
// trailers).
bool ChunkedComplete(std::string_view body) {
  for (;;) {
    const size_t line_end = body.find("\r\n");
    if (line_end == std::string_view::npos) return false;
    const unsigned long size =
        std::strtoul(std::string(body.substr(0, line_end)).c_str(), nullptr, 16);
    if (size == 0) return body.size() >= line_end + 4;
    if (body.size() < line_end + 2 + size + 2) return false;
    body.remove_prefix(line_end + 2 + size + 2);
  }
}

// Whether the input's first request is whole as far as this strict reading
// goes; one that is not (or is framed in an unusual way) gets the
// connection half-closed at once, so the server stops waiting for the rest
// (it then answers 400 or closes).
bool RequestComplete(std::string_view request) {
  std::string headers;
  std::string_view body;
  if (!SplitMessage(request, headers, body)) return false;
  uint64_t length = 0;
  switch (FramingOf(headers, &length)) {
    case Framing::kNone: {
      // cpp-httplib 0.11 reads the body of these until the connection
      // closes when no length is given (docs/api.md, "Notes for curl").
      const std::string_view method = request.substr(0, request.find(' '));
      return method != "POST" && method != "PUT" && method != "PATCH";
    }
    case Framing::kLength:
      return body.size() >= length;
    case Framing::kChunked:
      return ChunkedComplete(body);
    case Framing::kUnknown:
      return false;
  }
  return false;
}

// Whether `r` holds a whole response (interim 1xx responses skipped). One
// framed by the connection's close is whole only at end-of-file, which the
// caller sees.
bool ResponseComplete(std::string_view r, bool head_request) {
  for (;;) {
    std::string headers;
    std::string_view body;
    if (r.size() < 12 || !SplitMessage(r, headers, body)) return false;
    const int status = std::atoi(std::string(r.substr(9, 3)).c_str());
    if (status >= 100 && status < 200) {
      r = body;
      continue;
    }
    if (head_request || status == 204 || status == 304) return true;
    uint64_t length = 0;
    switch (FramingOf(headers, &length)) {
      case Framing::kLength:
        return body.size() >= length;
      case Framing::kChunked:
        return ChunkedComplete(body);
      default:
        return false;  // until the server closes
    }
  }
}

class FuzzServer {
 public:
  FuzzServer() {
    char tmpl[] = "/tmp/askio-fuzz-http-XXXXXX";
    if (!mkdtemp(tmpl)) Fail("mkdtemp failed");
    dir_ = tmpl;
    SeedKnowledgeBase();
    server::ServeOptions o;
    o.data_dir = dir_.string();
    o.port = 0;
    o.threads = 8;
    o.query_queue = 8;
    o.ingest_workers = 1;
    o.timeout_seconds = 5;
    o.sse_heartbeat_seconds = 0.05;
    o.max_body_bytes = 2u << 20;  // AFL++ inputs are at most 1 MiB
    auto s = server::HttpServer::Create(o);
    if (!s) Fail(("server: " + s.error().message()).c_str());
    server_ = std::move(*s);
    auto port = server_->Bind();
    if (!port) Fail(("bind: " + port.error().message()).c_str());
    port_ = *port;
    thread_ = std::thread([this] { (void)server_->Run(); });
    // Ready once /api/ready answers 200: a condition, not a sleep.
    for (int attempt = 0;; ++attempt) {
      const std::string r = Exchange("GET /api/ready HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      if (r.rfind("HTTP/1.1 200 ", 0) == 0) break;
      if (attempt == 100000) Fail("the server did not become ready");
      std::this_thread::yield();
    }
  }

  ~FuzzServer() {
    server_->Stop();
    thread_.join();
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Sends the bytes and returns the server's first response (empty when it
  // closed without one). A whole request's connection is not half-closed:
  // the server (cpp-httplib) checks that its peer is alive before writing,
  // and a pending end-of-file counts as gone, so the answer would be
  // dropped. An incomplete one is half-closed at once, and any other when
  // nothing comes back for kGraceMs.
  std::string Exchange(std::string_view request) const {
    const int fd = Connect();
    size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;  // the server may close early (413, 400): not an error
      sent += static_cast<size_t>(n);
    }
    const bool head = request.rfind("HEAD ", 0) == 0;
    std::string response;
    char buf[16384];
    const auto start = std::chrono::steady_clock::now();
    bool half_closed = false;
    if (!RequestComplete(request)) {
      shutdown(fd, SHUT_WR);
      half_closed = true;
    }
    while (!ResponseComplete(response, head)) {
      const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start)
                              .count();
      if (waited >= kAnswerTimeoutMs) {
        std::fprintf(stderr, "askio fuzz: the server did not finish answering in %d ms\n",
                     kAnswerTimeoutMs);
        std::abort();
      }
      const long wait = half_closed ? kAnswerTimeoutMs - waited : kGraceMs;
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(wait)) == 0) {
        if (!half_closed && response.empty()) {
          shutdown(fd, SHUT_WR);
          half_closed = true;
        }
        continue;
      }
      const ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      response.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return response;
  }

 private:
  [[noreturn]] static void Fail(const char* what) {
    std::fprintf(stderr, "askio fuzz: %s\n", what);
    std::abort();
  }

  void SeedKnowledgeBase() {
    auto kb = KnowledgeBase::Open(dir_.string(), "demo", KnowledgeBase::OpenMode::kCreateIfMissing);
    if (!kb) Fail(("open: " + kb.error().message()).c_str());
    std::vector<DocumentInput> docs(3);
    docs[0].source = "notes/vacation.md";
    docs[0].type = "markdown";
    docs[0].content =
        "# Vacation policy\n\nEmployees get 25 days of paid vacation a year. Unused days carry "
        "over until March.";
    docs[1].source = "notes/制度.md";
    docs[1].type = "markdown";
    docs[1].content = "# 报销制度\n\n差旅费用在出差结束后三十天内报销。清华大学位于北京。";
    docs[2].source = "notes/servers.txt";
    docs[2].content = "The build server runs Debian 12. Backups run nightly at 02:00.";
    auto report = (*kb)->IngestDocuments(docs, IngestOptions{});
    if (!report) Fail(("ingest: " + report.error().message()).c_str());
  }

  int Connect() const {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) Fail("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      Fail("cannot connect to the server");
    return fd;
  }

  fs::path dir_;
  std::unique_ptr<server::HttpServer> server_;
  int port_ = 0;
  std::thread thread_;
};

FuzzServer* g_server = nullptr;

void StopServer() {
  delete g_server;
  g_server = nullptr;
}

void CheckResponse(std::string_view response) {
  if (response.empty()) return;
  if (response.size() < 12 || response.substr(0, 9) != "HTTP/1.1 " ||
      !std::isdigit(static_cast<unsigned char>(response[9])) ||
      !std::isdigit(static_cast<unsigned char>(response[10])) ||
      !std::isdigit(static_cast<unsigned char>(response[11]))) {
    std::fprintf(stderr, "askio fuzz: the answer does not start with a status line: %.*s\n",
                 static_cast<int>(std::min<size_t>(response.size(), 200)), response.data());
    std::abort();
  }
  if (response.find("unexpected error") != std::string_view::npos) {
    std::fprintf(stderr, "askio fuzz: a handler let an exception escape:\n%.*s\n",
                 static_cast<int>(std::min<size_t>(response.size(), 2000)), response.data());
    std::abort();
  }
}

// ASKIO_FUZZ_SHOW=1: prints each response's status lines (to see what the
// seeds reach: a seed that only ever gets 400 fuzzes the parser, not a route).
void ShowStatusLines(std::string_view response) {
  static const bool show = [] {
    const char* v = std::getenv("ASKIO_FUZZ_SHOW");
    return v && *v && *v != '0';
  }();
  if (!show) return;
  for (size_t at = response.find("HTTP/1.1 "); at != std::string_view::npos;
       at = response.find("HTTP/1.1 ", at + 1)) {
    const size_t end = response.find("\r\n", at);
    std::fprintf(stderr, "  %.*s\n", static_cast<int>(std::min<size_t>(end - at, 80)),
                 response.data() + at);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (!g_server) {
    g_server = new FuzzServer();
    std::atexit(StopServer);
  }
  const std::string response = g_server->Exchange(fuzz::AsBytes(data, size));
  ShowStatusLines(response);
  CheckResponse(response);
  return 0;
}
