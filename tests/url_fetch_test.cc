// Fetching URLs under the SSRF policy, over real HTTP on 127.0.0.1; and the
// test HTTP server itself.
#include "ingest/url_fetch.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/time.h>

#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "http_test_server.h"

namespace askio::ingest {
namespace {

using askio::testing::HttpRequest;
using askio::testing::HttpResponse;
using askio::testing::HttpResponseStream;
using askio::testing::HttpTestServer;

::testing::AssertionResult Contains(std::string_view haystack, std::string_view needle) {
  if (haystack.find(needle) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "\"" << haystack << "\" does not contain \"" << needle << "\"";
}

UrlPolicy AllowLoopback() {
  UrlPolicy p;
  p.allow_hosts = {"127.0.0.1"};
  return p;
}

HttpResponse Redirect(const std::string& location, int status = 302) {
  return HttpResponse{status, {{"Location", location}}, ""};
}

// ---- the address classifier ----

TEST(UrlAddressClassifier, Ipv4Ranges) {
  const std::vector<std::pair<std::string, AddressKind>> cases = {
      {"8.8.8.8", AddressKind::kPublic},
      {"1.1.1.1", AddressKind::kPublic},
      {"172.32.0.1", AddressKind::kPublic},
      {"172.15.255.255", AddressKind::kPublic},
      {"100.128.0.1", AddressKind::kPublic},
      {"10.0.0.1", AddressKind::kPrivate},
      {"172.16.5.4", AddressKind::kPrivate},
      {"172.31.255.255", AddressKind::kPrivate},
      {"192.168.1.1", AddressKind::kPrivate},
      {"100.64.0.1", AddressKind::kPrivate},
      {"127.0.0.1", AddressKind::kLoopback},
      {"127.255.0.9", AddressKind::kLoopback},
      {"169.254.169.254", AddressKind::kLinkLocal},
      {"0.0.0.0", AddressKind::kUnspecified},
      {"224.0.0.1", AddressKind::kMulticast},
      {"255.255.255.255", AddressKind::kReserved},
      {"192.0.2.10", AddressKind::kReserved},
  };
  for (const auto& [ip, kind] : cases) {
    SCOPED_TRACE(ip);
    ASSERT_TRUE(ClassifyIpAddress(ip).has_value());
    EXPECT_EQ(*ClassifyIpAddress(ip), kind);
  }
}

TEST(UrlAddressClassifier, Ipv6RangesAndEmbeddedIpv4) {
  const std::vector<std::pair<std::string, AddressKind>> cases = {
      {"2001:4860::8888", AddressKind::kPublic},
      {"2606:4700:4700::1111", AddressKind::kPublic},
      {"::1", AddressKind::kLoopback},
      {"[::1]", AddressKind::kLoopback},
      {"0:0:0:0:0:0:0:1", AddressKind::kLoopback},
      {"::", AddressKind::kUnspecified},
      {"fe80::1", AddressKind::kLinkLocal},
      {"fe80::1%eth0", AddressKind::kLinkLocal},
      {"fc00::1", AddressKind::kPrivate},
      {"fd12:3456::1", AddressKind::kPrivate},
      {"ff02::1", AddressKind::kMulticast},
      {"2001:db8::1", AddressKind::kReserved},
      {"::ffff:127.0.0.1", AddressKind::kLoopback},
      {"::ffff:7f00:1", AddressKind::kLoopback},
      {"::ffff:169.254.169.254", AddressKind::kLinkLocal},
      {"::ffff:10.1.2.3", AddressKind::kPrivate},
      {"::ffff:8.8.8.8", AddressKind::kPublic},
      {"64:ff9b::a9fe:a9fe", AddressKind::kLinkLocal},  // NAT64 of 169.254.169.254
      {"2002:7f00:1::", AddressKind::kLoopback},        // 6to4 of 127.0.0.1
  };
  for (const auto& [ip, kind] : cases) {
    SCOPED_TRACE(ip);
    ASSERT_TRUE(ClassifyIpAddress(ip).has_value());
    EXPECT_EQ(*ClassifyIpAddress(ip), kind);
  }
}

TEST(UrlAddressClassifier, HostNamesAreNotLiterals) {
  EXPECT_FALSE(ClassifyIpAddress("example.com").has_value());
  EXPECT_FALSE(ClassifyIpAddress("localhost").has_value());
  EXPECT_FALSE(ClassifyIpAddress("").has_value());
  EXPECT_FALSE(ClassifyIpAddress("1.2.3").has_value());
}

// ---- fetching ----

TEST(UrlFetch, ReturnsBodyTypeCharsetAndNameFromThePath) {
  HttpTestServer server;
  server.Route("GET", "/docs/report.txt", [](const HttpRequest&) {
    return HttpResponse{200, {{"Content-Type", "Text/Plain; Charset=\"UTF-8\""}}, "报销制度"};
  });
  Result<FetchedResource> r = FetchUrl(server.Url("/docs/report.txt?v=2"), AllowLoopback());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->bytes, "报销制度");
  EXPECT_EQ(r->content_type, "text/plain");
  EXPECT_EQ(r->charset, "utf-8");
  EXPECT_EQ(r->file_name, "report.txt");
  EXPECT_EQ(r->url, server.Url("/docs/report.txt?v=2"));

  const std::vector<HttpRequest> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].query, "v=2");
  EXPECT_TRUE(requests[0].Header("User-Agent").starts_with("askio/"))
      << requests[0].Header("User-Agent");
  EXPECT_TRUE(requests[0].HasHeader("Accept-Encoding")) << "curl is asked to decode compression";
}

TEST(UrlFetch, FileNameFromContentDispositionIsSanitised) {
  HttpTestServer server;
  server.Route("GET", "/download", [](const HttpRequest&) {
    return HttpResponse{200,
                        {{"Content-Type", "application/pdf"},
                         {"Content-Disposition", "attachment; filename=\"../../etc/evil..pdf\""}},
                        "%PDF-1.4"};
  });
  server.Route("GET", "/download2", [](const HttpRequest&) {
    return HttpResponse{200,
                        {{"Content-Type", "application/pdf"},
                         {"Content-Disposition",
                          "attachment; filename=\"fallback.pdf\"; "
                          "filename*=UTF-8''%E6%8A%A5%E5%91%8A%202026.pdf"}},
                        "%PDF-1.4"};
  });
  Result<FetchedResource> r = FetchUrl(server.Url("/download"), AllowLoopback());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->file_name, "evil.pdf");
  EXPECT_EQ(r->content_type, "application/pdf");
  EXPECT_EQ(r->charset, "");

  r = FetchUrl(server.Url("/download2"), AllowLoopback());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->file_name, "报告 2026.pdf") << "filename* wins over filename";
}

TEST(UrlFetch, FileNameGetsAnExtensionFromTheContentType) {
  HttpTestServer server;
  for (const char* path : {"/", "/wiki/Main_Page"})
    server.Route("GET", path, [](const HttpRequest&) {
      return HttpResponse{200, {{"Content-Type", "text/html; charset=gb2312"}}, "<p>x</p>"};
    });
  server.Route("GET", "/..%2F..%2Fsecret", [](const HttpRequest&) {
    return HttpResponse{200, {{"Content-Type", "text/plain"}}, "x"};
  });
  Result<FetchedResource> r = FetchUrl(server.Url("/"), AllowLoopback());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->file_name, "index.html");
  EXPECT_EQ(r->charset, "gb2312");
  r = FetchUrl(server.Url("/wiki/Main_Page"), AllowLoopback());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->file_name, "Main_Page.html");
  r = FetchUrl(server.Url("/..%2F..%2Fsecret"), AllowLoopback());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->file_name, "secret.txt");
}

TEST(UrlFetch, DefaultPolicyRefusesLoopbackWithoutSendingARequest) {
  HttpTestServer server;
  server.Route("GET", "/", [](const HttpRequest&) { return HttpResponse{200, {}, "secret"}; });

  Result<FetchedResource> r = FetchUrl(server.Url("/"), UrlPolicy{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.error().message(), "refused: 127.0.0.1 is a loopback address"));
  EXPECT_TRUE(Contains(r.error().message(), "allow_private or allow_hosts"));

  // A name goes through DNS; the check is on the address connected to.
  r = FetchUrl("http://localhost:" + std::to_string(server.port()) + "/", UrlPolicy{});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(r.error().message(), "refused: localhost resolves to"));
  EXPECT_TRUE(Contains(r.error().message(), "a loopback address"));

  // Other spellings of loopback.
  for (const std::string& host :
       std::vector<std::string>{"[::ffff:127.0.0.1]", "127.1", "2130706433", "0.0.0.0"}) {
    SCOPED_TRACE(host);
    r = FetchUrl("http://" + host + ":" + std::to_string(server.port()) + "/", UrlPolicy{});
    ASSERT_FALSE(r.has_value());
    EXPECT_TRUE(Contains(r.error().message(), "refused:"));
  }
  EXPECT_TRUE(server.Requests().empty());
}

TEST(UrlFetch, AllowPrivateOpensLoopback) {
  HttpTestServer server;
  server.Route("GET", "/", [](const HttpRequest&) { return HttpResponse{200, {}, "ok"}; });
  UrlPolicy policy;
  policy.allow_private = true;
  Result<FetchedResource> r = FetchUrl(server.Url("/"), policy);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->bytes, "ok");
}

TEST(UrlFetch, FollowsRelativeRedirects) {
  HttpTestServer server;
  server.Route("GET", "/old", [](const HttpRequest&) { return Redirect("/new/page.md", 301); });
  server.Route("GET", "/new/page.md", [](const HttpRequest&) {
    return HttpResponse{200, {{"Content-Type", "text/markdown"}}, "# moved"};
  });
  Result<FetchedResource> r = FetchUrl(server.Url("/old"), AllowLoopback());
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->bytes, "# moved");
  EXPECT_EQ(r->url, server.Url("/new/page.md"));
  EXPECT_EQ(r->file_name, "page.md");
}

TEST(UrlFetch, RedirectsToInternalAddressesAreRefused) {
  HttpTestServer server;
  const std::string port = std::to_string(server.port());
  const std::vector<std::pair<std::string, std::string>> targets = {
      {"http://127.0.0.2:" + port + "/secret", "refused: 127.0.0.2 is a loopback address"},
      {"http://[::1]:" + port + "/secret", "refused: ::1 is a loopback address"},
      {"http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 is a link-local"},
      {"http://[::ffff:169.254.169.254]/", "is a link-local"},
      {"http://10.0.0.1/", "refused: 10.0.0.1 is a private address"},
  };
  for (const auto& [target, message] : targets) {
    SCOPED_TRACE(target);
    server.Route("GET", "/r", [target](const HttpRequest&) { return Redirect(target); });
    Result<FetchedResource> r = FetchUrl(server.Url("/r"), AllowLoopback());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(r.error().message(), message));
    EXPECT_TRUE(Contains(r.error().message(), "redirect from " + server.Url("/r")));
  }
  EXPECT_EQ(server.CountRequests("/secret"), 0u);
}

TEST(UrlFetch, RedirectToANameIsCheckedAtConnectTime) {
  // "localhost" is not an IP literal, so only the check on the resolved
  // address, inside curl's connect, can stop this.
  HttpTestServer server;
  server.Route("GET", "/r", [&](const HttpRequest&) {
    return Redirect("http://localhost:" + std::to_string(server.port()) + "/secret");
  });
  server.Route("GET", "/secret", [](const HttpRequest&) { return HttpResponse{200, {}, "s"}; });
  Result<FetchedResource> r = FetchUrl(server.Url("/r"), AllowLoopback());
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Contains(r.error().message(), "refused: localhost resolves to"));
  EXPECT_EQ(server.CountRequests("/secret"), 0u);
}

TEST(UrlFetch, RedirectsToOtherSchemesAreRefused) {
  HttpTestServer server;
  const std::string port = std::to_string(server.port());
  for (const std::string& target :
       std::vector<std::string>{"file:///etc/passwd", "gopher://127.0.0.1:" + port + "/_x",
                                "ftp://127.0.0.1:" + port + "/", "dict://127.0.0.1:" + port}) {
    SCOPED_TRACE(target);
    server.Route("GET", "/r", [target](const HttpRequest&) { return Redirect(target); });
    Result<FetchedResource> r = FetchUrl(server.Url("/r"), AllowLoopback());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), StatusCode::kUnsupported);
    EXPECT_TRUE(Contains(r.error().message(), "only http:// and https://"));
  }
  EXPECT_EQ(server.Requests().size(), 4u) << "only the redirecting requests arrived";
}

TEST(UrlFetch, NonHttpUrlsAreRefusedUpFront) {
  UrlPolicy everything;
  everything.allow_private = true;
  everything.allow_hosts = {"example.com", "localhost"};
  for (const char* url : {"ftp://example.com/file.txt", "file:///etc/passwd", "gopher://localhost/",
                          "FILE:///etc/passwd"}) {
    SCOPED_TRACE(url);
    Result<FetchedResource> r = FetchUrl(url, everything);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), StatusCode::kUnsupported);
    EXPECT_TRUE(Contains(r.error().message(), "only http:// and https://"));
  }
  Result<FetchedResource> r = FetchUrl("not a url", everything);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
}

TEST(UrlFetch, DenyHostsBeatAllowHosts) {
  HttpTestServer server;
  server.Route("GET", "/", [](const HttpRequest&) { return HttpResponse{200, {}, "x"}; });
  UrlPolicy policy;
  policy.allow_private = true;
  policy.allow_hosts = {"127.0.0.1", "localhost"};
  policy.deny_hosts = {"127.0.0.1", "LOCALHOST"};
  Result<FetchedResource> r = FetchUrl(server.Url("/"), policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Contains(r.error().message(), "refused: 127.0.0.1 is listed in deny_hosts"));
  r = FetchUrl("http://localhost:" + std::to_string(server.port()) + "/", policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Contains(r.error().message(), "refused: localhost is listed in deny_hosts"));

  // A denied address stays denied under any name that resolves to it.
  policy.deny_hosts = {"127.0.0.1", "::1"};
  r = FetchUrl("http://localhost:" + std::to_string(server.port()) + "/", policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Contains(r.error().message(), "listed in deny_hosts"));
  EXPECT_TRUE(server.Requests().empty());
}

TEST(UrlFetch, OversizeBodyWithContentLengthIsRefusedEarly) {
  HttpTestServer server;
  server.Route("GET", "/big", [](const HttpRequest&) {
    return HttpResponse{200, {}, std::string(1000, 'x')};
  });
  UrlPolicy policy = AllowLoopback();
  policy.max_bytes = 999;
  Result<FetchedResource> r = FetchUrl(server.Url("/big"), policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Contains(r.error().message(), "too large"));
  EXPECT_TRUE(Contains(r.error().message(), "1000 bytes (Content-Length)"));
  EXPECT_TRUE(Contains(r.error().message(), "max_bytes = 999"));

  policy.max_bytes = 1000;
  r = FetchUrl(server.Url("/big"), policy);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->bytes.size(), 1000u);
}

TEST(UrlFetch, OversizeChunkedBodyIsStoppedWhileDownloading) {
  HttpTestServer server;
  server.StreamRoute("GET", "/stream", [](const HttpRequest&, HttpResponseStream& out) {
    out.Begin(200, {{"Content-Type", "text/plain"}});
    for (int i = 0; i < 100; ++i)
      if (!out.Write(std::string(100, 'y'))) return;  // the client hung up
  });
  UrlPolicy policy = AllowLoopback();
  policy.max_bytes = 250;
  Result<FetchedResource> r = FetchUrl(server.Url("/stream"), policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Contains(r.error().message(), "exceeds max_bytes = 250"));

  policy.max_bytes = 10000;
  r = FetchUrl(server.Url("/stream"), policy);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->bytes, std::string(10000, 'y'));
}

TEST(UrlFetch, SizeCapAppliesToDecompressedBytes) {
  using namespace std::literals;
  // gzip of 100000 'a's: 133 bytes on the wire.
  static constexpr std::string_view kGzip =
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xed\xc1\x31\x01\x00\x00\x00\xc2\xa0\xac"
      "\xeb\x5f\xc2\x1a\x1e\x40\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\xaf\x06\x87\xfa\xe2\x1b\xa0\x86\x01\x00"sv;
  ASSERT_EQ(kGzip.size(), 133u);
  HttpTestServer server;
  server.Route("GET", "/z", [](const HttpRequest&) {
    return HttpResponse{
        200, {{"Content-Type", "text/plain"}, {"Content-Encoding", "gzip"}}, std::string(kGzip)};
  });
  UrlPolicy policy = AllowLoopback();
  policy.max_bytes = 1000;
  Result<FetchedResource> r = FetchUrl(server.Url("/z"), policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Contains(r.error().message(), "exceeds max_bytes = 1000"));

  policy.max_bytes = 100000;
  r = FetchUrl(server.Url("/z"), policy);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->bytes, std::string(100000, 'a'));
}

TEST(UrlFetch, HttpErrorsNameTheStatus) {
  HttpTestServer server;
  server.Route("GET", "/boom", [](const HttpRequest&) {
    return HttpResponse{500, {}, std::string(100000, 'e')};
  });
  UrlPolicy policy = AllowLoopback();
  policy.max_bytes = 10;  // an error page is not downloaded, so its size does not matter
  Result<FetchedResource> r = FetchUrl(server.Url("/missing"), policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(r.error().message(), "HTTP 404 from " + server.Url("/missing")));
  r = FetchUrl(server.Url("/boom"), policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(r.error().message(), "HTTP 500 from " + server.Url("/boom")));

  // Credentials in the URL are sent, but kept out of messages (they end up in logs).
  r = FetchUrl("http://reader:s3cret@127.0.0.1:" + std::to_string(server.port()) + "/private",
               policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Contains(r.error().message(), "HTTP 404 from " + server.Url("/private")));
  EXPECT_FALSE(Contains(r.error().message(), "s3cret"));
  EXPECT_EQ(server.Requests().back().Header("Authorization"), "Basic cmVhZGVyOnMzY3JldA==");
}

TEST(UrlFetch, TooManyRedirects) {
  HttpTestServer server;
  server.Route("GET", "/loop", [](const HttpRequest&) { return Redirect("/loop"); });
  server.Route("GET", "/a", [](const HttpRequest&) { return Redirect("/b", 307); });
  server.Route("GET", "/b", [](const HttpRequest&) { return Redirect("/c", 308); });
  server.Route("GET", "/c", [](const HttpRequest&) { return HttpResponse{200, {}, "end"}; });
  UrlPolicy policy = AllowLoopback();
  policy.max_redirects = 3;
  Result<FetchedResource> r = FetchUrl(server.Url("/loop"), policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(Contains(r.error().message(), "too many redirects: more than 3"));
  EXPECT_EQ(server.CountRequests("/loop"), 4u);

  policy.max_redirects = 2;
  r = FetchUrl(server.Url("/a"), policy);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->bytes, "end");
  policy.max_redirects = 1;
  EXPECT_FALSE(FetchUrl(server.Url("/a"), policy).has_value());
}

TEST(UrlFetch, ProxiesFromTheEnvironmentAreIgnored) {
  // A proxy would connect on our behalf, past the address check; here it
  // points at a closed port, so using it would fail the fetch.
  HttpTestServer server;
  server.Route("GET", "/", [](const HttpRequest&) { return HttpResponse{200, {}, "direct"}; });
  const char* vars[] = {"http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"};
  for (const char* v : vars) setenv(v, "http://127.0.0.1:9", 1);
  Result<FetchedResource> r = FetchUrl(server.Url("/"), AllowLoopback());
  for (const char* v : vars) unsetenv(v);
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->bytes, "direct");
}

TEST(UrlFetch, TimesOutWhenTheServerNeverAnswers) {
  HttpTestServer server;
  server.StreamRoute("GET", "/hang",
                     [](const HttpRequest&, HttpResponseStream& out) { out.WaitForClientClose(); });
  UrlPolicy policy = AllowLoopback();
  policy.timeout_seconds = 1;
  Result<FetchedResource> r = FetchUrl(server.Url("/hang"), policy);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kIOError);
  EXPECT_TRUE(Contains(r.error().message(), "timed out after 1 s"));
}

// ---- the test server ----

// A plain socket client, to see the server's bytes exactly as sent.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect failed");
    // A safety net so a broken server fails the test instead of hanging it.
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawClient() { ::close(fd_); }

  void Send(std::string_view bytes) {
    ASSERT_TRUE(askio::testing::http_detail::SendAll(fd_, bytes));
  }
  // Reads until `marker` has arrived (or EOF); returns everything read so far.
  std::string ReadUntil(std::string_view marker) {
    while (received_.find(marker) == std::string::npos && ReadSome()) {
    }
    return received_;
  }
  std::string ReadToClose() {
    while (ReadSome()) {
    }
    return received_;
  }

 private:
  bool ReadSome() {
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    received_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string received_;
};

TEST(HttpTestServer, ServesRoutesAndRecordsRequests) {
  HttpTestServer server;
  server.Route("POST", "/v1/echo", [](const HttpRequest& req) {
    return HttpResponse{201, {{"Content-Type", "application/json"}}, "{\"got\":" + req.body + "}"};
  });
  RawClient client(server.port());
  client.Send(
      "POST /v1/echo?stream=false HTTP/1.1\r\nHost: x\r\nX-Token:  abc \r\n"
      "Content-Type: application/json\r\nContent-Length: 7\r\nConnection: close\r\n\r\n[1,2,3]");
  const std::string response = client.ReadToClose();
  EXPECT_TRUE(response.starts_with("HTTP/1.1 201 Created\r\n")) << response;
  EXPECT_TRUE(Contains(response, "Content-Length: 15\r\n"));
  EXPECT_TRUE(response.ends_with("\r\n\r\n{\"got\":[1,2,3]}")) << response;

  const std::vector<HttpRequest> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/v1/echo");
  EXPECT_EQ(requests[0].query, "stream=false");
  EXPECT_EQ(requests[0].Header("x-token"), "abc");
  EXPECT_EQ(requests[0].body, "[1,2,3]");
}

TEST(HttpTestServer, DecodesChunkedRequestsAndAnswers404ForUnknownRoutes) {
  HttpTestServer server;
  server.Route("PUT", "/doc", [](const HttpRequest& req) {
    return HttpResponse{200, {}, req.body};
  });
  RawClient client(server.port());
  client.Send(
      "PUT /doc HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string response = client.ReadToClose();
  EXPECT_TRUE(Contains(response, "HTTP/1.1 200 OK\r\n"));
  EXPECT_TRUE(Contains(response, "\r\n\r\nhello worldHTTP/1.1 404 Not Found\r\n"))
      << "pipelined requests are answered in order on one connection";
  const std::vector<HttpRequest> requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].body, "hello world");
  EXPECT_EQ(requests[1].path, "/nope");
}

TEST(HttpTestServer, AnswersExpect100ContinueBeforeTheBody) {
  HttpTestServer server;
  server.Route("POST", "/up", [](const HttpRequest& req) {
    return HttpResponse{200, {}, std::to_string(req.body.size())};
  });
  RawClient client(server.port());
  client.Send(
      "POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n"
      "Connection: close\r\n\r\n");
  EXPECT_TRUE(Contains(client.ReadUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n"));
  client.Send("abcd");
  EXPECT_TRUE(client.ReadToClose().ends_with("\r\n\r\n4"));
}

TEST(HttpTestServer, StreamsChunksAsTheyAreWritten) {
  // Declared before the server, which joins the handler that waits on them.
  std::promise<void> first_seen;
  std::shared_future<void> first_seen_future = first_seen.get_future().share();
  HttpTestServer server;
  server.StreamRoute("POST", "/sse", [&](const HttpRequest&, HttpResponseStream& out) {
    out.Begin(200, {{"Content-Type", "text/event-stream"}});
    out.Write("data: one\n\n");
    // The second piece waits for the client to have received the first, so
    // a server that buffered the response would never get here.
    first_seen_future.wait();
    out.Write("data: two\n\n");
  });
  RawClient client(server.port());
  client.Send("POST /sse HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  const std::string head = client.ReadUntil("data: one\n\n\r\n");
  EXPECT_TRUE(Contains(head, "data: one"));
  EXPECT_TRUE(Contains(head, "Transfer-Encoding: chunked\r\n"));
  EXPECT_TRUE(Contains(head, "\r\n\r\nb\r\ndata: one\n\n\r\n"));
  EXPECT_FALSE(Contains(head, "two"));
  first_seen.set_value();
  EXPECT_TRUE(Contains(client.ReadUntil("0\r\n\r\n"), "b\r\ndata: two\n\n\r\n0\r\n\r\n"));
}

TEST(HttpTestServer, StopsWithIdleAndWaitingConnectionsOpen) {
  auto server = std::make_unique<HttpTestServer>();
  server->StreamRoute("GET", "/hang", [](const HttpRequest&, HttpResponseStream& out) {
    out.WaitForClientClose();
  });
  RawClient idle(server->port());
  RawClient waiting(server->port());
  waiting.Send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(server->WaitForRequests(1, std::chrono::seconds(30)));
  server.reset();  // must return: both connection threads are woken and joined
  EXPECT_EQ(idle.ReadToClose(), "");
}

}  // namespace
}  // namespace askio::ingest
