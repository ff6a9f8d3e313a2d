// Pieces of the OpenAI-compatible client that are worth testing on their
// own: retry timing, the base64 embedding format and error excerpts.
// Private to src/model/ and the tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"

namespace askio::model::internal {

// The first retry waits up to this long; each further one twice as long.
inline constexpr double kBackoffBaseSeconds = 0.5;

// "Full jitter" backoff before retry number `retry` (1 for the first):
// uniform01 * base * 2^(retry-1), so that many clients throttled at once do
// not come back at once. `uniform01` is in [0, 1).
double BackoffSeconds(int retry, double uniform01);

// Retry-After as delta-seconds ("2", and "1.5" as some servers send);
// nullopt for anything else (HTTP dates included: the backoff applies then).
std::optional<double> ParseRetryAfter(std::string_view value);

// data[i].embedding when encoding_format is "base64": little-endian float32.
Result<std::vector<float>> DecodeBase64Floats(std::string_view base64);

// "host[:port]" of a URL, without scheme, credentials or path.
std::string HostOf(std::string_view url);

// A short, single-line excerpt of an error body: error.message (or
// message/detail) when it is JSON, else the text itself; at most `max_bytes`
// bytes, cut on a UTF-8 boundary.
std::string ErrorExcerpt(std::string_view body, size_t max_bytes = 200);

// `text` with every occurrence of `secret` replaced by "[redacted]".
std::string Redact(std::string text, std::string_view secret);

}  // namespace askio::model::internal
