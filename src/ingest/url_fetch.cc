#include "ingest/url_fetch.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <concepts>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include "common/utf8.h"

// The build may pass the project version; this fallback keeps a standalone
// compile of this file working.
#ifndef ASKIO_VERSION
#define ASKIO_VERSION "0.1.0"
#endif

namespace askio::ingest {
namespace {

constexpr size_t kMaxFileNameBytes = 200;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// A stand-in for std::format, which GCC 12's library lacks: each "{}" takes
// the next argument.
std::string ToText(std::string_view s) { return std::string(s); }
template <std::integral T>
std::string ToText(T v) {
  return std::to_string(v);
}
std::string ToText(double v) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}
template <typename... Args>
std::string Fmt(std::string_view pattern, const Args&... args) {
  const std::string parts[] = {ToText(args)...};
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern.substr(i, 2) == "{}" && next < sizeof...(args)) {
      out += parts[next++];
      ++i;
    } else {
      out += pattern[i];
    }
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// ---- address classification ----

AddressKind ClassifyV4(uint32_t a) {
  auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  if (in(0x00000000, 8)) return AddressKind::kUnspecified;  // 0/8 "this network"
  if (in(0x0A000000, 8)) return AddressKind::kPrivate;
  if (in(0x64400000, 10)) return AddressKind::kPrivate;  // CGNAT shared space
  if (in(0x7F000000, 8)) return AddressKind::kLoopback;
  if (in(0xA9FE0000, 16)) return AddressKind::kLinkLocal;
  if (in(0xAC100000, 12)) return AddressKind::kPrivate;
  if (in(0xC0000000, 24)) return AddressKind::kReserved;  // IETF protocol assignments
  if (in(0xC0000200, 24)) return AddressKind::kReserved;  // TEST-NET-1
  if (in(0xC0586300, 24)) return AddressKind::kReserved;  // 6to4 relay anycast
  if (in(0xC0A80000, 16)) return AddressKind::kPrivate;
  if (in(0xC6120000, 15)) return AddressKind::kPrivate;   // benchmarking, used as lab networks
  if (in(0xC6336400, 24)) return AddressKind::kReserved;  // TEST-NET-2
  if (in(0xCB007100, 24)) return AddressKind::kReserved;  // TEST-NET-3
  if (in(0xE0000000, 4)) return AddressKind::kMulticast;
  if (in(0xF0000000, 4)) return AddressKind::kReserved;  // includes 255.255.255.255
  return AddressKind::kPublic;
}

uint32_t V4At(const uint8_t* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

AddressKind ClassifyV6(const uint8_t* b) {
  auto zeros = [b](int from, int to) {
    for (int i = from; i < to; ++i)
      if (b[i] != 0) return false;
    return true;
  };
  if (zeros(0, 16)) return AddressKind::kUnspecified;
  if (zeros(0, 15) && b[15] == 1) return AddressKind::kLoopback;
  // Forms that carry an IPv4 address are judged by it: otherwise
  // ::ffff:127.0.0.1 (which the kernel delivers to 127.0.0.1) or a NAT64
  // gateway would walk around the IPv4 rules.
  if (zeros(0, 10) && b[10] == 0xff && b[11] == 0xff) return ClassifyV4(V4At(b + 12));  // mapped
  if (zeros(0, 12)) return ClassifyV4(V4At(b + 12));  // deprecated IPv4-compatible
  if (zeros(0, 8) && b[8] == 0xff && b[9] == 0xff && b[10] == 0 && b[11] == 0)
    return ClassifyV4(V4At(b + 12));  // SIIT translated
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) {
    if (zeros(4, 12)) return ClassifyV4(V4At(b + 12));               // NAT64 well-known prefix
    if (b[4] == 0x00 && b[5] == 0x01) return AddressKind::kPrivate;  // local-use NAT64
  }
  if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(V4At(b + 2));  // 6to4
  if ((b[0] & 0xfe) == 0xfc) return AddressKind::kPrivate;           // unique local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressKind::kLinkLocal;
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressKind::kPrivate;  // site-local
  if (b[0] == 0xff) return AddressKind::kMulticast;
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
    return AddressKind::kReserved;  // documentation
  // 2001::/23 holds IETF protocol assignments, among them Teredo, whose
  // embedded IPv4 address is obfuscated.
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] < 0x02) return AddressKind::kReserved;
  // Only 2000::/3 is allocated for global unicast.
  if ((b[0] & 0xe0) != 0x20) return AddressKind::kReserved;
  return AddressKind::kPublic;
}

// An IP literal in canonical text form, with its kind.
struct IpAddress {
  std::string text;
  AddressKind kind;
};

std::optional<IpAddress> ParseIp(std::string_view literal) {
  std::string s(literal);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (const size_t zone = s.find('%'); zone != std::string::npos) s.resize(zone);
  char text[INET6_ADDRSTRLEN] = {};
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    inet_ntop(AF_INET, &v4, text, sizeof text);
    return IpAddress{text, ClassifyV4(ntohl(v4.s_addr))};
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    inet_ntop(AF_INET6, &v6, text, sizeof text);
    return IpAddress{text, ClassifyV6(v6.s6_addr)};
  }
  return std::nullopt;
}

std::optional<IpAddress> FromSockaddr(const sockaddr* sa) {
  char text[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return IpAddress{text, ClassifyV4(ntohl(in->sin_addr.s_addr))};
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    return IpAddress{text, ClassifyV6(in6->sin6_addr.s6_addr)};
  }
  return std::nullopt;
}

// Lower-case, no brackets or trailing dot, IP literals in canonical form: so
// "LOCALHOST.", "[::0001]" and "::1" compare as the policy author meant.
std::string NormalizeHost(std::string_view host) {
  std::string h = Lower(Trim(host));
  if (std::optional<IpAddress> ip = ParseIp(h)) return ip->text;
  while (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

// ---- the policy, prepared for lookups ----

struct PreparedPolicy {
  std::set<std::string> allow, deny;
  std::set<std::string> deny_addresses;  // the IP literals among deny
  bool allow_private = false;
};

PreparedPolicy Prepare(const UrlPolicy& policy) {
  PreparedPolicy p;
  p.allow_private = policy.allow_private;
  for (const std::string& h : policy.allow_hosts) p.allow.insert(NormalizeHost(h));
  for (const std::string& h : policy.deny_hosts) {
    p.deny.insert(NormalizeHost(h));
    if (std::optional<IpAddress> ip = ParseIp(Lower(Trim(h)))) p.deny_addresses.insert(ip->text);
  }
  return p;
}

// Empty if `ip`, reached through `host`, may be connected to; else why not.
std::string CheckAddress(const PreparedPolicy& p, const std::string& host, bool host_allowed,
                         const IpAddress& ip) {
  const std::string subject =
      host == ip.text ? ip.text : Fmt("{} resolves to {}, which", host, ip.text);
  if (p.deny_addresses.contains(ip.text))
    return Fmt("refused: {} is listed in deny_hosts", subject);
  if (host_allowed || ip.kind == AddressKind::kPublic) return {};
  const bool private_kind = ip.kind == AddressKind::kPrivate || ip.kind == AddressKind::kLoopback;
  if (private_kind && p.allow_private) return {};
  return Fmt("refused: {} is {} ({} to fetch it)", subject, DescribeAddressKind(ip.kind),
             private_kind ? "set allow_private or allow_hosts" : "list the host in allow_hosts");
}

// ---- one transfer ----

struct Transfer {
  const PreparedPolicy* policy = nullptr;
  uint64_t max_bytes = 0;
  // The hop being fetched.
  std::string host;
  bool host_allowed = false;
  std::string refusal;  // the first address the socket callback refused
  // The response being received (reset on every status line, so 1xx interim
  // responses and earlier hops leave nothing behind).
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool http_error = false;
  bool too_large = false;
  uint64_t declared_length = 0;  // set when Content-Length alone exceeded the cap

  void StartHop(std::string hop_host, bool allowed) {
    host = std::move(hop_host);
    host_allowed = allowed;
    refusal.clear();
    status = 0;
    headers.clear();
    body.clear();
    http_error = too_large = false;
    declared_length = 0;
  }

  const std::string* Header(std::string_view name) const {
    for (auto it = headers.rbegin(); it != headers.rend(); ++it)
      if (it->first == name) return &it->second;
    return nullptr;
  }
};

curl_socket_t OpenSocket(void* clientp, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(clientp);
  std::string refusal;
  if (purpose != CURLSOCKTYPE_IPCXN) {
    refusal = "refused: unexpected socket purpose";
  } else if (std::optional<IpAddress> ip = FromSockaddr(&address->addr)) {
    refusal = CheckAddress(*t->policy, t->host, t->host_allowed, *ip);
  } else {
    refusal = Fmt("refused: {} resolves to a non-IP address", t->host);
  }
  if (!refusal.empty()) {
    if (t->refusal.empty()) t->refusal = std::move(refusal);
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

size_t OnHeader(char* data, size_t size, size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t len = size * count;
  std::string_view line(data, len);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    t->status = 0;
    t->headers.clear();
    const size_t sp = line.find(' ');
    if (sp != std::string_view::npos) {
      std::string_view code = line.substr(sp + 1, 3);
      std::from_chars(code.data(), code.data() + code.size(), t->status);
    }
    return len;
  }
  if (line.empty()) {
    // End of a header block: decide before any body is read.
    if (t->status >= 400) {
      t->http_error = true;
      return 0;
    }
    if (t->status >= 200 && t->status < 300) {
      const std::string* encoding = t->Header("content-encoding");
      const std::string* length = t->Header("content-length");
      // A compressed length says nothing certain about the decoded size,
      // which the write callback caps anyway.
      if (length && (!encoding || Lower(*encoding) == "identity")) {
        uint64_t n = 0;
        const auto [end, ec] = std::from_chars(length->data(), length->data() + length->size(), n);
        if (ec == std::errc() && n > t->max_bytes) {
          t->too_large = true;
          t->declared_length = n;
          return 0;
        }
      }
    }
    return len;
  }
  if ((line.front() == ' ' || line.front() == '\t') && !t->headers.empty()) {
    t->headers.back().second += " " + std::string(Trim(line));  // obsolete line folding
    return len;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos)
    t->headers.emplace_back(Lower(Trim(line.substr(0, colon))),
                            std::string(Trim(line.substr(colon + 1))));
  return len;
}

size_t OnBody(char* data, size_t size, size_t count, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  const size_t len = size * count;
  // The bytes here are already decoded, so the cap holds against gzip bombs.
  if (t->body.size() + len > t->max_bytes) {
    t->too_large = true;
    return 0;
  }
  t->body.append(data, len);
  return len;
}

// ---- URLs ----

struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct CurlFree {
  void operator()(char* p) const { curl_free(p); }
};

struct ParsedUrl {
  std::string url;      // normalised by curl
  std::string display;  // `url` without user name and password, for messages and logs
  std::string scheme;   // lower-case
  std::string host;     // NormalizeHost form
  std::string path;     // still percent-encoded
};

std::string UrlPart(CURLU* u, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(u, part, &raw, 0) != CURLUE_OK || raw == nullptr) return {};
  std::unique_ptr<char, CurlFree> owned(raw);
  return raw;
}

Result<ParsedUrl> ParseUrl(const std::string& url) {
  std::unique_ptr<CURLU, CurlUrlDeleter> u(curl_url());
  if (!u) return Err(Status::Internal("curl_url() failed"));
  // Parse any scheme, so that "ftp://..." gets a policy message rather than a
  // parser one.
  const CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    const std::string why = url.find("://") == std::string::npos
                                ? "it needs http:// or https:// in front"
                                : curl_url_strerror(rc);
    return Err(Status::InvalidArgument(Fmt("not a valid URL: \"{}\" ({})", url, why)));
  }
  ParsedUrl p;
  p.url = UrlPart(u.get(), CURLUPART_URL);
  curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
  curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
  p.display = UrlPart(u.get(), CURLUPART_URL);
  p.scheme = Lower(UrlPart(u.get(), CURLUPART_SCHEME));
  p.host = NormalizeHost(UrlPart(u.get(), CURLUPART_HOST));
  p.path = UrlPart(u.get(), CURLUPART_PATH);
  return p;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// ---- Content-Type and Content-Disposition ----

// `value` = token *( ";" name "=" (token | quoted-string) ). Names lower-cased.
std::vector<std::pair<std::string, std::string>> HeaderParams(std::string_view value,
                                                              std::string* first) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t i = value.find(';');
  if (first) *first = Lower(Trim(value.substr(0, i)));
  while (i != std::string_view::npos && i < value.size()) {
    ++i;  // past ';'
    const size_t eq = value.find_first_of("=;", i);
    if (eq == std::string_view::npos || value[eq] == ';') {
      i = eq;
      continue;
    }
    std::string name = Lower(Trim(value.substr(i, eq - i)));
    size_t j = eq + 1;
    while (j < value.size() && (value[j] == ' ' || value[j] == '\t')) ++j;
    std::string v;
    if (j < value.size() && value[j] == '"') {
      for (++j; j < value.size() && value[j] != '"'; ++j) {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        v += value[j];
      }
      i = value.find(';', j);
    } else {
      i = value.find(';', j);
      v = std::string(Trim(value.substr(j, i == std::string_view::npos ? i : i - j)));
    }
    params.emplace_back(std::move(name), std::move(v));
  }
  return params;
}

// RFC 8187 ext-value: charset'language'percent-encoded.
std::string DecodeExtValue(std::string_view v) {
  const size_t q1 = v.find('\'');
  const size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return PercentDecode(v);
  const std::string charset = Lower(v.substr(0, q1));
  std::string bytes = PercentDecode(v.substr(q2 + 1));
  if (charset == "iso-8859-1" || charset == "latin1") {
    std::string utf8;
    for (unsigned char c : bytes) utf8::Append(utf8, c);
    return utf8;
  }
  return bytes;
}

std::string ExtensionFor(std::string_view content_type) {
  static constexpr std::pair<std::string_view, std::string_view> kTable[] = {
      {"text/html", "html"},
      {"application/xhtml+xml", "html"},
      {"text/plain", "txt"},
      {"text/markdown", "md"},
      {"text/x-markdown", "md"},
      {"application/json", "json"},
      {"application/x-ndjson", "jsonl"},
      {"application/jsonl", "jsonl"},
      {"text/csv", "csv"},
      {"application/xml", "xml"},
      {"text/xml", "xml"},
      {"application/pdf", "pdf"},
      {"application/zip", "zip"},
      {"application/epub+zip", "epub"},
      {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"},
      {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"},
      {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"},
  };
  for (const auto& [type, ext] : kTable)
    if (type == content_type) return std::string(ext);
  return {};
}

// A name that cannot climb out of, or hide in, the directory it is put in.
std::string SanitizeFileName(std::string_view raw) {
  const size_t slash = raw.find_last_of("/\\");
  if (slash != std::string_view::npos) raw.remove_prefix(slash + 1);
  std::string name;
  size_t i = 0;
  while (i < raw.size()) {
    const size_t start = i;
    const char32_t c = utf8::Next(raw, i);
    const bool bad = c == utf8::kReplacement || c < 0x20 || c == 0x7f ||
                     std::u32string_view(U"<>:\"|?*").find(c) != std::u32string_view::npos;
    if (bad) {
      name += '_';
    } else if (c == '.' && !name.empty() && name.back() == '.') {
      // collapse runs, so no ".." survives
    } else {
      name.append(raw.substr(start, i - start));
    }
  }
  size_t b = 0;
  while (b < name.size() && (name[b] == '.' || name[b] == ' ')) ++b;
  name.erase(0, b);
  while (!name.empty() && (name.back() == '.' || name.back() == ' ')) name.pop_back();
  if (name.size() > kMaxFileNameBytes) {
    const size_t dot = name.rfind('.');
    std::string ext = dot != std::string::npos && name.size() - dot <= 16 ? name.substr(dot) : "";
    name = std::string(utf8::TruncateBytes(name, kMaxFileNameBytes - ext.size())) + ext;
  }
  return name;
}

std::string SuggestFileName(const Transfer& t, const ParsedUrl& url,
                            const std::string& content_type) {
  std::string name;
  if (const std::string* cd = t.Header("content-disposition")) {
    std::string plain, extended;
    for (const auto& [key, value] : HeaderParams(*cd, nullptr)) {
      if (key == "filename*") extended = DecodeExtValue(value);
      if (key == "filename") plain = value;
    }
    name = SanitizeFileName(!extended.empty() ? extended : plain);
  }
  if (name.empty()) {
    std::string_view path = url.path;
    const size_t slash = path.rfind('/');
    if (slash != std::string_view::npos) path.remove_prefix(slash + 1);
    name = SanitizeFileName(PercentDecode(path));
  }
  if (name.empty()) name = "index";
  if (name.find('.') == std::string::npos) {
    const std::string ext = ExtensionFor(content_type);
    if (!ext.empty()) name += "." + ext;
  }
  return name;
}

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::optional<AddressKind> ClassifyIpAddress(std::string_view ip) {
  std::optional<IpAddress> parsed = ParseIp(Trim(ip));
  if (!parsed) return std::nullopt;
  return parsed->kind;
}

std::string_view DescribeAddressKind(AddressKind kind) {
  switch (kind) {
    case AddressKind::kPublic:
      return "a public address";
    case AddressKind::kPrivate:
      return "a private address";
    case AddressKind::kLoopback:
      return "a loopback address";
    case AddressKind::kLinkLocal:
      return "a link-local address, where cloud metadata services live";
    case AddressKind::kUnspecified:
      return "an unspecified address";
    case AddressKind::kMulticast:
      return "a multicast address";
    case AddressKind::kReserved:
      return "a reserved address";
  }
  return "an unknown kind of address";
}

Result<FetchedResource> FetchUrl(const std::string& url, const UrlPolicy& policy) {
  InitCurlOnce();
  const PreparedPolicy prepared = Prepare(policy);
  const double timeout_ms = std::clamp(policy.timeout_seconds * 1000, 0.0, 1e12);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(std::ceil(timeout_ms)));

  std::unique_ptr<CURL, CurlEasyDeleter> handle(curl_easy_init());
  if (!handle) return Err(Status::Internal("curl_easy_init() failed"));
  CURL* h = handle.get();
  Transfer t;
  t.policy = &prepared;
  t.max_bytes = policy.max_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {};
  static const std::string kUserAgent = std::string("askio/") + ASKIO_VERSION;

  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_USERAGENT, kUserAgent.c_str());
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  // Redirects are followed here, one hop at a time, so each hop's scheme and
  // host go through the policy before anything is sent to it.
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // An empty proxy overrides http_proxy & co. from the environment.
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);

  std::string current = url;
  std::string first;     // the display form of `url`
  std::string previous;  // the display form of the hop that redirected to `current`
  for (int redirects = 0;; ++redirects) {
    const std::string via = previous.empty() ? "" : ", reached by a redirect from " + previous;
    Result<ParsedUrl> parsed = ParseUrl(current);
    if (!parsed) return Err(Status(parsed.error().code(), parsed.error().message() + via));
    const ParsedUrl& hop = *parsed;
    if (first.empty()) first = hop.display;
    if (hop.scheme != "http" && hop.scheme != "https")
      return Err(Status::Unsupported(
          Fmt("refused: {}: {}:// URLs are not fetched, only http:// and https://{}", hop.display,
              hop.scheme, via)));
    if (prepared.deny.contains(hop.host))
      return Err(
          Status::InvalidArgument(Fmt("refused: {} is listed in deny_hosts{}", hop.host, via)));
    const bool host_allowed = prepared.allow.contains(hop.host);
    // IP literals are judged here too, so the message does not depend on
    // whether this machine could even open a socket of that family.
    if (std::optional<IpAddress> ip = ParseIp(hop.host)) {
      const std::string refusal = CheckAddress(prepared, hop.host, host_allowed, *ip);
      if (!refusal.empty()) return Err(Status::InvalidArgument(refusal + via));
    }

    const auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0)
      return Err(Status::IOError(
          Fmt("timed out after {} s fetching {}", policy.timeout_seconds, hop.display)));
    t.StartHop(hop.host, host_allowed);
    error_buffer[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, hop.url.c_str());
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(remaining.count()));
    const CURLcode rc = curl_easy_perform(h);

    if (t.too_large) {
      if (t.declared_length > 0)
        return Err(Status::InvalidArgument(
            Fmt("too large: {} declares {} bytes (Content-Length), more than max_bytes = {}",
                hop.display, t.declared_length, policy.max_bytes)));
      return Err(Status::InvalidArgument(
          Fmt("too large: the body of {} exceeds max_bytes = {} bytes; download stopped",
              hop.display, policy.max_bytes)));
    }
    if (t.http_error) {
      const std::string message = Fmt("HTTP {} from {}{}", t.status, hop.display, via);
      if (t.status == 404 || t.status == 410) return Err(Status::NotFound(message));
      return Err(Status::IOError(message));
    }
    if (rc != CURLE_OK) {
      if (!t.refusal.empty() && rc != CURLE_OPERATION_TIMEDOUT)
        return Err(Status::InvalidArgument(t.refusal + via));
      const std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
      if (rc == CURLE_OPERATION_TIMEDOUT)
        return Err(Status::IOError(Fmt("timed out after {} s fetching {} ({})",
                                       policy.timeout_seconds, hop.display, detail)));
      if (rc == CURLE_COULDNT_RESOLVE_HOST)
        return Err(Status::NotFound(Fmt("cannot resolve host {}{} ({})", hop.host, via, detail)));
      return Err(Status::IOError(Fmt("fetching {} failed{}: {}", hop.display, via, detail)));
    }

    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    if (code >= 300 && code < 400 && code != 304) {
      char* location = nullptr;
      curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location);
      if (location == nullptr)
        return Err(
            Status::IOError(Fmt("HTTP {} from {} without a Location{}", code, hop.display, via)));
      if (redirects >= policy.max_redirects)
        return Err(Status::IOError(
            Fmt("too many redirects: more than {} starting from {}", policy.max_redirects, first)));
      previous = hop.display;
      current = location;
      continue;
    }
    if (code < 200 || code >= 300)
      return Err(Status::IOError(Fmt("HTTP {} from {}{}", code, hop.display, via)));

    FetchedResource out;
    out.url = hop.url;
    if (const std::string* type = t.Header("content-type")) {
      for (const auto& [key, value] : HeaderParams(*type, &out.content_type))
        if (key == "charset") out.charset = Lower(value);
    }
    out.file_name = SuggestFileName(t, hop, out.content_type);
    out.bytes = std::move(t.body);
    return out;
  }
}

}  // namespace askio::ingest
