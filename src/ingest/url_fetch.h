// Fetching one URL for ingestion, under a server-side request forgery policy.
//
// askio may run as a server that ingests URLs its users submit, so a URL is
// untrusted input: without a policy, "http://169.254.169.254/..." would read
// the cloud metadata service and "http://localhost:6379/" would poke at
// services that trust the local network. The policy is enforced on the
// address curl is about to connect to (after DNS, so a name that resolves to
// a private address — or re-resolves to one later — is caught), on every
// redirect hop, and with proxies from the environment disabled (a proxy
// would connect on our behalf, out of reach of the check).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"

namespace askio::ingest {

struct UrlPolicy {
  // Host names or IP literals (exactly as in a URL's host, compared
  // case-insensitively) whose addresses are never checked: an intranet wiki,
  // or 127.0.0.1 in tests. Matching is on the URL's host, not on what it
  // resolves to, so listing "10.0.0.5" does not open 10.0.0.5 to other names.
  std::vector<std::string> allow_hosts;
  // Host names or IP literals that are always refused, even if also allowed.
  // An IP literal here also refuses any name that resolves to it.
  std::vector<std::string> deny_hosts;
  // Allows private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) and
  // loopback addresses. Link-local (the cloud metadata service lives there),
  // unspecified, multicast and reserved addresses stay refused; name the
  // host in allow_hosts to reach one of those.
  bool allow_private = false;
  // Cap on the (decoded) body, enforced while downloading.
  uint64_t max_bytes = 256ull << 20;
  // For the whole fetch, redirects included.
  double timeout_seconds = 60;
  int max_redirects = 5;
};

struct FetchedResource {
  std::string url;           // the final URL, after redirects
  std::string content_type;  // lower-cased, without parameters; empty if none was sent
  std::string charset;       // lower-cased, from Content-Type; empty if none
  // A name safe to use as a file name (no '/', '\\', control characters,
  // leading dots or "..") from Content-Disposition or the URL path's last
  // segment, given an extension from the content type when it has none:
  // "report.pdf", "index.html".
  std::string file_name;
  std::string bytes;
};

// Fetches `url` (http or https only) under `policy`. Errors:
//  - InvalidArgument: refused by the policy (the message names the host or
//    address and why), or the body is larger than max_bytes;
//  - Unsupported: a scheme other than http/https, up front or in a redirect;
//  - NotFound: the host name does not resolve, or HTTP 404/410;
//  - IOError: other HTTP errors ("HTTP 500 from ..."), timeouts, connection
//    and TLS failures, too many redirects.
// Thread-safe; each call uses its own connection(s).
Result<FetchedResource> FetchUrl(const std::string& url, const UrlPolicy& policy);

// What kind of address an IP is, for the policy. kPrivate and kLoopback are
// what allow_private opens; everything but kPublic is refused by default.
enum class AddressKind {
  kPublic,
  kPrivate,      // RFC 1918, CGNAT 100.64/10, benchmarking 198.18/15, fc00::/7, fec0::/10
  kLoopback,     // 127/8, ::1
  kLinkLocal,    // 169.254/16 (cloud metadata), fe80::/10
  kUnspecified,  // 0.0.0.0/8, ::
  kMulticast,    // 224/4, ff00::/8
  kReserved,     // documentation, 240/4, broadcast, IETF-reserved blocks
};

// Classifies an IP literal ("10.0.0.1", "::ffff:127.0.0.1", "[fe80::1]");
// IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4)
// are classified by the embedded address. nullopt if `ip` is not an IP
// literal.
std::optional<AddressKind> ClassifyIpAddress(std::string_view ip);

// "a loopback address", "a link-local address", ...: for error messages.
std::string_view DescribeAddressKind(AddressKind kind);

}  // namespace askio::ingest
