// The OpenAI-compatible client on libcurl: one Transport does the HTTP,
// deadlines, retries and cancellation; the chat, embeddings and rerank
// classes build request bodies and read answers.
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "common/utf8.h"
#include "model/openai_internal.h"
#include "model/provider.h"
#include "model/sse_parser.h"

#ifndef ASKIO_VERSION
#define ASKIO_VERSION "dev"
#endif

namespace askio::model {

namespace internal {

double BackoffSeconds(int retry, double uniform01) {
  const double cap = kBackoffBaseSeconds * std::ldexp(1.0, std::clamp(retry, 1, 30) - 1);
  return std::clamp(uniform01, 0.0, 1.0) * cap;
}

std::optional<double> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
    value.remove_suffix(1);
  if (value.empty() || value.size() > 32) return std::nullopt;
  for (char c : value)
    if (!(c >= '0' && c <= '9') && c != '.') return std::nullopt;
  const std::string s(value);
  char* end = nullptr;
  const double seconds = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(seconds) || seconds < 0) return std::nullopt;
  return seconds;
}

Result<std::vector<float>> DecodeBase64Floats(std::string_view base64) {
  static constexpr auto kTable = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < 64; ++i)
      t[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
    // The URL-safe alphabet decodes too: nothing else uses '-' or '_'.
    t['-'] = 62;
    t['_'] = 63;
    return t;
  }();
  while (!base64.empty() && base64.back() == '=') base64.remove_suffix(1);
  std::string bytes;
  bytes.reserve(base64.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : base64) {
    const int v = kTable[c];
    if (v < 0) return Err(Status::IOError("embedding is not valid base64"));
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (bytes.size() % 4 != 0)
    return Err(Status::IOError("base64 embedding of " + std::to_string(bytes.size()) +
                               " bytes is not a whole number of float32 values"));
  std::vector<float> out(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t u;
    std::memcpy(&u, bytes.data() + 4 * i, 4);
    if constexpr (std::endian::native == std::endian::big) u = std::byteswap(u);
    std::memcpy(&out[i], &u, 4);
  }
  return out;
}

std::string HostOf(std::string_view url) {
  if (const size_t scheme = url.find("://"); scheme != std::string_view::npos)
    url.remove_prefix(scheme + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  // user:password@host: the credentials must not reach a message.
  if (const size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  return std::string(url);
}

namespace {

std::string OneLine(std::string_view s, size_t max_bytes) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
    if (out.size() > max_bytes + 4) break;
  }
  // Error bodies are whatever the server sent; a message must be UTF-8.
  const std::string_view cut = utf8::TruncateBytes(out, max_bytes);
  if (cut.size() == out.size()) return utf8::MakeValid(out);
  return utf8::MakeValid(cut) + "...";
}

}  // namespace

std::string ErrorExcerpt(std::string_view body, size_t max_bytes) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    const nlohmann::json* message = nullptr;
    if (auto e = j.find("error"); e != j.end()) {
      if (e->is_string()) message = &*e;
      if (e->is_object())
        if (auto m = e->find("message"); m != e->end() && m->is_string()) message = &*m;
    }
    for (const char* key : {"message", "detail", "msg"})
      if (!message)
        if (auto m = j.find(key); m != j.end() && !m->is_null()) message = &*m;
    if (message)
      return OneLine(message->is_string()
                         ? message->get_ref<const std::string&>()
                         : message->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                     max_bytes);
  }
  return OneLine(body, max_bytes);
}

std::string Redact(std::string text, std::string_view secret) {
  if (secret.empty()) return text;
  for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at))
    text.replace(at, secret.size(), "[redacted]"), at += 10;
  return text;
}

}  // namespace internal

std::string ProviderConfig::Describe() const {
  const std::string host = internal::HostOf(base_url);
  return (model.empty() ? std::string("(no model)") : model) + " @ " +
         (host.empty() ? std::string("(no base_url)") : host);
}

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Bounds what one answer may hold in memory; an embeddings batch of 32 x
// 3072 floats as JSON is about 2 MiB.
constexpr size_t kMaxBodyBytes = 256 << 20;
// Error bodies are only excerpted.
constexpr size_t kMaxErrorBodyBytes = 64 << 10;

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

// Invalid UTF-8 in a document must not make the request fail.
std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// What bounds one call: the caller's flag, the deadline, and (for the
// batches of one Embed) a flag raised when a sibling batch failed.
struct Call {
  const std::atomic<bool>* cancelled = nullptr;
  const std::atomic<bool>* stop = nullptr;
  Clock::time_point deadline;
  double seconds = 0;

  bool Stopped() const {
    return (cancelled && cancelled->load(std::memory_order_relaxed)) ||
           (stop && stop->load(std::memory_order_relaxed));
  }
  double Remaining() const {
    return std::chrono::duration<double>(deadline - Clock::now()).count();
  }
};

// Receives the body of a 2xx answer as it arrives (streaming).
class BodySink {
 public:
  virtual ~BodySink() = default;
  // Before each attempt: forget what an earlier, failed one delivered.
  virtual void Reset() = 0;
  virtual void Begin(std::string_view content_type) = 0;
  // False stops the transfer.
  virtual bool Write(std::string_view bytes) = 0;
  // Whether the caller has seen output, after which retrying would repeat it.
  virtual bool delivered() const = 0;
};

struct Reply {
  std::string body;
  int attempts = 0;
  bool sink_stopped = false;  // the sink ended the transfer
};

struct Transfer {
  CURL* handle = nullptr;
  const Call* call = nullptr;
  BodySink* sink = nullptr;
  std::string body;
  std::string retry_after;
  std::string content_type;
  bool sink_began = false;
  bool sink_stopped = false;
  bool stopped = false;  // cancelled or stopped by a sibling
  bool too_large = false;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {  // a new response (after 100 Continue, say)
    t->retry_after.clear();
    t->content_type.clear();
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  const std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  if (EqualsIgnoreCase(name, "Retry-After")) t->retry_after.assign(value);
  if (EqualsIgnoreCase(name, "Content-Type")) t->content_type.assign(value);
  return n;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  if (t->call->Stopped()) {
    t->stopped = true;
    return 0;
  }
  long status = 0;
  curl_easy_getinfo(t->handle, CURLINFO_RESPONSE_CODE, &status);
  if (t->sink && status >= 200 && status < 300) {
    if (!t->sink_began) {
      t->sink->Begin(t->content_type);
      t->sink_began = true;
    }
    if (!t->sink->Write({data, n})) {
      t->sink_stopped = true;
      return 0;
    }
    // on_token may have raised the flag itself: stop now, not a second later.
    if (t->call->Stopped()) {
      t->stopped = true;
      return 0;
    }
    return n;
  }
  const size_t limit = status >= 200 && status < 300 ? kMaxBodyBytes : kMaxErrorBodyBytes;
  if (t->body.size() + n > limit) {
    if (limit == kMaxErrorBodyBytes) return n;  // the excerpt needs only the start
    t->too_large = true;
    return 0;
  }
  t->body.append(data, n);
  return n;
}

// libcurl calls this at least once a second, also while waiting for bytes.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  if (t->call->Stopped()) {
    t->stopped = true;
    return 1;
  }
  return 0;
}

// Failures of an attempt that another attempt may not repeat.
bool TransientCurlError(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

bool RetryableHttpStatus(long status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

double Uniform01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

// Sleeps `seconds` unless the call is stopped first; false if it was.
bool SleepUnlessStopped(double seconds, const Call& call) {
  const Clock::time_point end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(seconds));
  for (;;) {
    if (call.Stopped()) return false;
    const Clock::time_point now = Clock::now();
    if (now >= end) return true;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(end - now, std::chrono::milliseconds(20)));
  }
}

struct CurlDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

// The HTTP side shared by the three clients: one POST with deadline,
// retries and cancellation. Handles are pooled so that connections (and TLS
// sessions) are reused from call to call.
class Transport {
 public:
  Transport(const ProviderConfig& config, const char* kind) : config_(config), kind_(kind) {
    InitCurlOnce();
    if (!config_.extra_body.empty()) {
      json extra = json::parse(config_.extra_body, nullptr, false);
      if (extra.is_discarded() || !extra.is_object())
        extra_error_ =
            Fail(StatusCode::kInvalidArgument, "extra_body is not a JSON object: " +
                                                   internal::ErrorExcerpt(config_.extra_body, 80));
      else
        extra_ = std::move(extra);
    }
  }

  const ProviderConfig& config() const { return config_; }

  // A failure naming the provider, with the API key removed wherever a
  // server or libcurl may have echoed it.
  Status Fail(StatusCode code, const std::string& what) const {
    return Status(code,
                  internal::Redact(std::string(kind_) + " " + config_.Describe() + ": " + what,
                                   config_.api_key));
  }

  Call MakeCall(const CallOptions& options) const {
    Call call;
    call.cancelled = options.cancelled;
    call.seconds = options.deadline_seconds > 0  ? options.deadline_seconds
                   : config_.timeout_seconds > 0 ? config_.timeout_seconds
                                                 : 60;
    call.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                       std::chrono::duration<double>(call.seconds));
    return call;
  }

  // `body` with extra_body's fields merged in, as request text.
  Result<std::string> Body(json body) const {
    if (!extra_error_.ok()) return Err(extra_error_);
    if (extra_.is_object())
      for (auto it = extra_.begin(); it != extra_.end(); ++it) body[it.key()] = it.value();
    return Dump(body);
  }

  Result<json> ParseJson(const std::string& body) const {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded())
      return Err(Fail(StatusCode::kIOError,
                      "answered with invalid JSON: " + internal::ErrorExcerpt(body, 120)));
    if (j.is_object())
      if (auto e = j.find("error"); e != j.end() && !e->is_null())
        return Err(
            Fail(StatusCode::kIOError, "answered with an error: " + internal::ErrorExcerpt(body)));
    return j;
  }

  Status Cancelled() const { return Fail(StatusCode::kIOError, "cancelled"); }

  Status Timeout(const Call& call, int attempts) const {
    std::string what = "no answer within " + Seconds(call.seconds) + " s";
    if (attempts > 1) what += " (" + std::to_string(attempts) + " attempts)";
    return Fail(StatusCode::kIOError, what);
  }

  // `content_type` is the body's; `accept` defaults to JSON, or to an event
  // stream when a sink receives the answer.
  Result<Reply> Post(const char* path, const std::string& body, const Call& call, BodySink* sink,
                     const std::string& content_type = "application/json",
                     const char* accept = nullptr) const {
    std::string url = config_.base_url;
    while (url.ends_with('/')) url.pop_back();
    url += path;

    std::unique_ptr<curl_slist, SlistDeleter> headers;
    auto add_header = [&](const std::string& h) {
      headers.reset(curl_slist_append(headers.release(), h.c_str()));
    };
    add_header("Content-Type: " + content_type);
    add_header(std::string("Accept: ") + (accept ? accept
                                          : sink ? "text/event-stream"
                                                 : "application/json"));
    // No "Expect: 100-continue" round trip for large embedding requests.
    add_header("Expect:");
    if (!config_.api_key.empty()) add_header("Authorization: Bearer " + config_.api_key);
    if (!headers) return Err(Fail(StatusCode::kInternal, "curl_slist_append failed"));

    CurlHandle handle = Acquire();
    if (!handle) return Err(Fail(StatusCode::kInternal, "curl_easy_init failed"));
    CURL* h = handle.get();
    const std::string no_proxy = NoProxy();
    static const std::string user_agent = std::string("askio/") + ASKIO_VERSION;
    char error_buffer[CURL_ERROR_SIZE];

    int attempts = 0;
    for (;;) {
      if (call.Stopped()) return Err(Cancelled());
      const double remaining = call.Remaining();
      if (remaining <= 0) return Err(Timeout(call, attempts));
      ++attempts;
      if (sink) sink->Reset();

      Transfer t;
      t.handle = h;
      t.call = &call;
      t.sink = sink;
      error_buffer[0] = '\0';
      const long timeout_ms = std::max(1L, static_cast<long>(std::ceil(remaining * 1000)));
      const long connect_ms =
          config_.connect_timeout_seconds > 0
              ? std::max(1L, std::min(timeout_ms, static_cast<long>(std::ceil(
                                                      config_.connect_timeout_seconds * 1000))))
              : timeout_ms;

      curl_easy_reset(h);
      curl_easy_setopt(h, CURLOPT_URL, url.c_str());
      curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
      curl_easy_setopt(h, CURLOPT_USERAGENT, user_agent.c_str());
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
      curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy.c_str());
      curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
      // Compression helps big embedding answers; event streams are left
      // alone, since a compressing proxy may hold back their chunks.
      if (!sink) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
      curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
      curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
      curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
      curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
      curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &OnProgress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);

      const CURLcode rc = curl_easy_perform(h);
      long status = 0;
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);

      if (t.stopped || rc == CURLE_ABORTED_BY_CALLBACK) {
        Release(std::move(handle));
        return Err(Cancelled());
      }
      if (t.sink_stopped) {
        Release(std::move(handle));
        return Reply{std::string(), attempts, true};
      }
      if (t.too_large) return Err(Fail(StatusCode::kIOError, "answer larger than 256 MiB"));

      // Past here the attempt failed in a way another attempt may mend.
      std::string failure;
      if (rc != CURLE_OK) {
        // curl's timer was the call's remaining time: it ran out, unless
        // this was the (shorter) connect timeout.
        if (rc == CURLE_OPERATION_TIMEDOUT && call.Remaining() < 0.05) {
          if (sink && sink->delivered())
            return Err(Fail(StatusCode::kIOError,
                            "answer unfinished within " + Seconds(call.seconds) + " s"));
          return Err(Timeout(call, attempts));
        }
        failure = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
        if (sink && sink->delivered())
          return Err(Fail(StatusCode::kIOError, "stream broke off: " + failure));
        if (!TransientCurlError(rc)) return Err(Fail(StatusCode::kIOError, failure));
      } else {
        if (status >= 200 && status < 300) {
          Release(std::move(handle));
          return Reply{std::move(t.body), attempts, false};
        }
        failure = "HTTP " + std::to_string(status);
        if (const std::string excerpt = internal::ErrorExcerpt(t.body); !excerpt.empty())
          failure += ": " + excerpt;
        if (!RetryableHttpStatus(status)) {
          Release(std::move(handle));
          return Err(HttpError(status, failure));
        }
      }

      if (attempts > config_.max_retries)
        return Err(Fail(StatusCode::kIOError,
                        "gave up after " + std::to_string(attempts) + " attempts: " + failure));
      const std::optional<double> retry_after = internal::ParseRetryAfter(t.retry_after);
      const double wait =
          retry_after ? *retry_after : internal::BackoffSeconds(attempts, Uniform01());
      if (wait >= call.Remaining())
        return Err(Fail(StatusCode::kIOError,
                        "gave up after " + std::to_string(attempts) + " attempts (" +
                            (retry_after ? "the server asked to wait " + Seconds(wait) + " s, "
                                         : std::string()) +
                            "the deadline of " + Seconds(call.seconds) +
                            " s is near): " + failure));
      if (!SleepUnlessStopped(wait, call)) return Err(Cancelled());
    }
  }

 private:
  Status HttpError(long status, const std::string& failure) const {
    if (status == 401 || status == 403)
      return Fail(StatusCode::kInvalidArgument,
                  "authentication failed (check api_key): " + failure);
    if (status == 404)
      return Fail(StatusCode::kNotFound, "not found (check base_url and model): " + failure);
    if (status >= 400 && status < 500)
      return Fail(StatusCode::kInvalidArgument, "rejected the request: " + failure);
    return Fail(StatusCode::kIOError, failure);
  }

  // The environment's proxy exceptions plus loopback: a local model server
  // is never reached through a proxy.
  static std::string NoProxy() {
    std::string list;
    for (const char* name : {"no_proxy", "NO_PROXY"})
      if (const char* v = std::getenv(name); v && *v) {
        list = v;
        break;
      }
    if (list == "*") return list;
    if (!list.empty()) list += ',';
    return list + "localhost,127.0.0.1,::1";
  }

  CurlHandle Acquire() const {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        CurlHandle h = std::move(idle_.back());
        idle_.pop_back();
        return h;
      }
    }
    return CurlHandle(curl_easy_init());
  }
  void Release(CurlHandle h) const {
    std::lock_guard lock(mu_);
    if (idle_.size() < 16) idle_.push_back(std::move(h));
  }

  ProviderConfig config_;
  const char* kind_;
  json extra_;
  Status extra_error_;
  mutable std::mutex mu_;
  mutable std::vector<CurlHandle> idle_;
};

const json* Find(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

int64_t Int(const json& j, const char* key) {
  const json* v = Find(j, key);
  return v && v->is_number() ? v->get<int64_t>() : 0;
}

void ReadUsage(const json& j, ChatResponse& response) {
  if (const json* usage = Find(j, "usage")) {
    response.prompt_tokens = Int(*usage, "prompt_tokens");
    response.completion_tokens = Int(*usage, "completion_tokens");
  }
}

json ChatBody(const ProviderConfig& config, const ChatRequest& request, bool stream) {
  json messages = json::array();
  for (const ChatMessage& m : request.messages)
    messages.push_back({{"role", m.role}, {"content", m.content}});
  json body = {{"model", config.model},
               {"messages", std::move(messages)},
               {"temperature", request.temperature},
               {"max_tokens", request.max_tokens},
               {"stream", stream}};
  if (stream) body["stream_options"] = {{"include_usage", true}};
  return body;
}

// Reads a non-streamed chat completion.
Status ReadCompletion(const Transport& t, const json& j, ChatResponse& response) {
  const json* choices = Find(j, "choices");
  if (!choices || !choices->is_array() || choices->empty() || !Find((*choices)[0], "message"))
    return t.Fail(StatusCode::kIOError, "answer has no choices[0].message");
  const json& choice = (*choices)[0];
  const json& message = choice["message"];
  if (const json* content = Find(message, "content")) {
    if (!content->is_string())
      return t.Fail(StatusCode::kIOError, "choices[0].message.content is not a string");
    response.text = content->get<std::string>();
  }
  if (const json* finish = Find(choice, "finish_reason"); finish && finish->is_string())
    response.finish_reason = finish->get<std::string>();
  ReadUsage(j, response);
  return Status::Ok();
}

// Turns the event stream into tokens for the caller.
class ChatStreamSink final : public BodySink {
 public:
  ChatStreamSink(const Transport& transport, const TokenFn& on_token)
      : t_(transport), on_token_(on_token) {}

  void Reset() override {
    parser_ = SseParser();
    response_ = ChatResponse();
    error_ = Status::Ok();
    done_ = json_mode_ = stopped_by_caller_ = false;
    json_body_.clear();
  }

  void Begin(std::string_view content_type) override {
    // A server that ignores "stream": a whole completion instead of events.
    json_mode_ = content_type.size() >= 16 &&
                 EqualsIgnoreCase(content_type.substr(0, 16), "application/json");
  }

  bool Write(std::string_view bytes) override {
    if (json_mode_) {
      if (json_body_.size() + bytes.size() > kMaxBodyBytes) {
        error_ = t_.Fail(StatusCode::kIOError, "answer larger than 256 MiB");
        return false;
      }
      json_body_.append(bytes);
      return true;
    }
    Status s = parser_.Feed(bytes, [this](const SseEvent& e) { return OnEvent(e); });
    if (!s.ok()) error_ = t_.Fail(StatusCode::kIOError, s.message());
    return error_.ok() && !stopped_by_caller_;
  }

  bool delivered() const override { return delivered_; }

  // After a transfer that ended normally.
  Result<ChatResponse> End() {
    if (json_mode_) {
      Result<json> j = t_.ParseJson(json_body_);
      if (!j) return Err(j.error());
      ASKIO_RETURN_IF_ERROR(ReadCompletion(t_, *j, response_));
      if (!response_.text.empty()) {
        delivered_ = true;
        if (!on_token_(response_.text) && response_.finish_reason.empty())
          response_.finish_reason = "stopped";
      }
      return response_;
    }
    parser_.Finish([this](const SseEvent& e) { return OnEvent(e); });
    if (!error_.ok()) return Err(error_);
    if (stopped_by_caller_) return Stopped();
    if (!done_ && response_.finish_reason.empty())
      return Err(t_.Fail(StatusCode::kIOError, "the event stream ended before [DONE]"));
    return response_;
  }

  // After the sink ended the transfer.
  Result<ChatResponse> Aborted() {
    if (!error_.ok()) return Err(error_);
    return Stopped();
  }

 private:
  // The caller's on_token said stop: what arrived so far is the answer.
  ChatResponse Stopped() {
    if (response_.finish_reason.empty()) response_.finish_reason = "stopped";
    return response_;
  }

  bool OnEvent(const SseEvent& e) {
    if (done_ || stopped_by_caller_ || !error_.ok()) return false;
    const bool error_event = e.event == "error";
    if (!e.event.empty() && e.event != "message" && !error_event) return true;
    if (e.data == "[DONE]") {
      done_ = true;
      return true;
    }
    const json j = json::parse(e.data, nullptr, false);
    if (j.is_discarded()) {
      error_ = t_.Fail(StatusCode::kIOError, "sent invalid JSON in the event stream: " +
                                                 internal::ErrorExcerpt(e.data, 120));
      return false;
    }
    if (error_event || Find(j, "error")) {
      error_ = t_.Fail(StatusCode::kIOError,
                       "sent an error in the event stream: " + internal::ErrorExcerpt(e.data));
      return false;
    }
    if (const json* choices = Find(j, "choices");
        choices && choices->is_array() && !choices->empty()) {
      const json& choice = (*choices)[0];
      if (const json* finish = Find(choice, "finish_reason"); finish && finish->is_string())
        response_.finish_reason = finish->get<std::string>();
      // delta.reasoning_content (DeepSeek-R1, Qwen3 thinking) is the model
      // thinking aloud, not the answer: it is skipped.
      if (const json* delta = Find(choice, "delta"))
        if (const json* content = Find(*delta, "content"); content && content->is_string()) {
          const std::string& piece = content->get_ref<const std::string&>();
          if (!piece.empty()) {
            response_.text += piece;
            delivered_ = true;
            if (!on_token_(piece)) {
              stopped_by_caller_ = true;
              return false;
            }
          }
        }
    }
    ReadUsage(j, response_);
    return true;
  }

  const Transport& t_;
  const TokenFn& on_token_;
  SseParser parser_;
  ChatResponse response_;
  Status error_;
  std::string json_body_;
  bool done_ = false, json_mode_ = false, stopped_by_caller_ = false, delivered_ = false;
};

class OpenAiChat final : public ChatModel {
 public:
  explicit OpenAiChat(const ProviderConfig& config) : t_(config, "chat") {}

  Result<ChatResponse> Complete(const ChatRequest& request, const CallOptions& options) override {
    Result<std::string> body = t_.Body(ChatBody(t_.config(), request, false));
    if (!body) return Err(body.error());
    const Call call = t_.MakeCall(options);
    Result<Reply> reply = t_.Post("/chat/completions", *body, call, nullptr);
    if (!reply) return Err(reply.error());
    Result<json> j = t_.ParseJson(reply->body);
    if (!j) return Err(j.error());
    ChatResponse response;
    ASKIO_RETURN_IF_ERROR(ReadCompletion(t_, *j, response));
    response.attempts = reply->attempts;
    return response;
  }

  Result<ChatResponse> Stream(const ChatRequest& request, const TokenFn& on_token,
                              const CallOptions& options) override {
    Result<std::string> body = t_.Body(ChatBody(t_.config(), request, true));
    if (!body) return Err(body.error());
    const Call call = t_.MakeCall(options);
    ChatStreamSink sink(t_, on_token);
    Result<Reply> reply = t_.Post("/chat/completions", *body, call, &sink);
    if (!reply) return Err(reply.error());
    Result<ChatResponse> response = reply->sink_stopped ? sink.Aborted() : sink.End();
    if (response) response->attempts = reply->attempts;
    return response;
  }

  const ProviderConfig& config() const override { return t_.config(); }

 private:
  Transport t_;
};

class OpenAiEmbedder final : public Embedder {
 public:
  explicit OpenAiEmbedder(const ProviderConfig& config) : t_(config, "embeddings") {}

  Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts,
                                                const CallOptions& options) override {
    std::vector<std::vector<float>> out(texts.size());
    if (texts.empty()) return out;
    const size_t batch = std::max<size_t>(1, t_.config().batch_size);
    const size_t batches = (texts.size() + batch - 1) / batch;
    Call call = t_.MakeCall(options);
    std::atomic<bool> stop{false};
    call.stop = &stop;

    std::atomic<size_t> next{0};
    std::mutex mu;
    std::optional<Status> failure;
    std::vector<size_t> dims(batches, 0);
    auto work = [&] {
      for (;;) {
        if (stop.load()) return;
        const size_t b = next.fetch_add(1);
        if (b >= batches) return;
        const size_t begin = b * batch, end = std::min(texts.size(), begin + batch);
        Status s = EmbedBatch(texts, begin, end, call, out, dims[b]);
        if (!s.ok()) {
          std::lock_guard lock(mu);
          // The first failure stops the rest; theirs ("cancelled") follow
          // from it and are not the story.
          if (!failure) failure = std::move(s);
          stop.store(true);
          return;
        }
      }
    };
    const size_t threads = std::min(std::max<size_t>(1, t_.config().concurrency), batches);
    if (threads == 1) {
      work();
    } else {
      std::vector<std::jthread> pool;
      pool.reserve(threads);
      for (size_t i = 0; i < threads; ++i) pool.emplace_back(work);
    }
    if (failure) return Err(*failure);
    for (size_t b = 1; b < batches; ++b)
      if (dims[b] != dims[0])
        return Err(t_.Fail(StatusCode::kIOError,
                           "inconsistent embedding dimensions between batches: " +
                               std::to_string(dims[0]) + " for text 0, " + std::to_string(dims[b]) +
                               " for text " + std::to_string(b * batch)));
    return out;
  }

  const ProviderConfig& config() const override { return t_.config(); }

 private:
  Status EmbedBatch(const std::vector<std::string>& texts, size_t begin, size_t end,
                    const Call& call, std::vector<std::vector<float>>& out, size_t& dim) {
    json input = json::array();
    for (size_t i = begin; i < end; ++i) input.push_back(texts[i]);
    Result<std::string> body = t_.Body(
        {{"model", t_.config().model}, {"input", std::move(input)}, {"encoding_format", "float"}});
    if (!body) return body.error();
    Result<Reply> reply = t_.Post("/embeddings", *body, call, nullptr);
    if (!reply) return reply.error();
    Result<json> j = t_.ParseJson(reply->body);
    if (!j) return j.error();
    const size_t count = end - begin;
    const json* data = Find(*j, "data");
    if (!data || !data->is_array())
      return t_.Fail(StatusCode::kIOError, "answer has no \"data\" array");
    if (data->size() != count)
      return t_.Fail(StatusCode::kIOError, "returned " + std::to_string(data->size()) +
                                               " embeddings for " + std::to_string(count) +
                                               " texts");
    std::vector<bool> seen(count, false);
    for (size_t i = 0; i < count; ++i) {
      const json& item = (*data)[i];
      size_t index = i;
      if (const json* idx = Find(item, "index")) {
        if (!idx->is_number_integer() || idx->get<int64_t>() < 0 ||
            static_cast<size_t>(idx->get<int64_t>()) >= count)
          return t_.Fail(StatusCode::kIOError,
                         "data[" + std::to_string(i) + "].index is not an input position");
        index = static_cast<size_t>(idx->get<int64_t>());
      }
      if (seen[index])
        return t_.Fail(StatusCode::kIOError,
                       "returned two embeddings for index " + std::to_string(index));
      seen[index] = true;
      std::vector<float> v;
      const json* e = Find(item, "embedding");
      if (e && e->is_string()) {
        Result<std::vector<float>> decoded =
            internal::DecodeBase64Floats(e->get_ref<const std::string&>());
        if (!decoded) return t_.Fail(StatusCode::kIOError, decoded.error().message());
        v = std::move(*decoded);
      } else if (e && e->is_array()) {
        v.reserve(e->size());
        for (const json& x : *e) {
          if (!x.is_number())
            return t_.Fail(StatusCode::kIOError,
                           "data[" + std::to_string(i) + "].embedding holds a non-number");
          v.push_back(x.get<float>());
        }
      } else {
        return t_.Fail(StatusCode::kIOError,
                       "data[" + std::to_string(i) + "].embedding is neither an array nor base64");
      }
      if (v.empty())
        return t_.Fail(StatusCode::kIOError, "data[" + std::to_string(i) + "].embedding is empty");
      if (dim == 0) dim = v.size();
      if (v.size() != dim)
        return t_.Fail(StatusCode::kIOError,
                       "inconsistent embedding dimensions in one answer: " + std::to_string(dim) +
                           " and " + std::to_string(v.size()));
      double norm = 0;
      for (float x : v) {
        if (!std::isfinite(x))
          return t_.Fail(StatusCode::kIOError,
                         "data[" + std::to_string(i) + "].embedding holds NaN or infinity");
        norm += static_cast<double>(x) * x;
      }
      // A zero vector stays zero: there is no direction to keep.
      if (norm > 0) {
        const double scale = 1.0 / std::sqrt(norm);
        for (float& x : v) x = static_cast<float>(x * scale);
      }
      out[begin + index] = std::move(v);
    }
    return Status::Ok();
  }

  Transport t_;
};

class OpenAiReranker final : public Reranker {
 public:
  explicit OpenAiReranker(const ProviderConfig& config) : t_(config, "rerank") {}

  Result<std::vector<double>> Rerank(const std::string& query,
                                     const std::vector<std::string>& documents,
                                     const CallOptions& options) override {
    std::vector<double> scores(documents.size(), -std::numeric_limits<double>::infinity());
    if (documents.empty()) return scores;
    Result<std::string> body = t_.Body({{"model", t_.config().model},
                                        {"query", query},
                                        {"documents", documents},
                                        {"top_n", documents.size()}});
    if (!body) return Err(body.error());
    const Call call = t_.MakeCall(options);
    Result<Reply> reply = t_.Post("/rerank", *body, call, nullptr);
    if (!reply) return Err(reply.error());
    Result<json> j = t_.ParseJson(reply->body);
    if (!j) return Err(j.error());
    // {"results":[...]} (Jina, Cohere, llama.cpp, SiliconFlow) or a bare
    // array (TEI).
    const json* results = j->is_array() ? &*j : Find(*j, "results");
    if (!results || !results->is_array())
      return Err(t_.Fail(StatusCode::kIOError, "answer has no \"results\" array"));
    for (const json& r : *results) {
      const json* index = Find(r, "index");
      if (!index || !index->is_number_integer() || index->get<int64_t>() < 0 ||
          static_cast<size_t>(index->get<int64_t>()) >= documents.size())
        return Err(t_.Fail(StatusCode::kIOError, "a result's index is not a document position"));
      const json* score = Find(r, "relevance_score");
      if (!score) score = Find(r, "score");
      if (!score || !score->is_number())
        return Err(t_.Fail(StatusCode::kIOError, "a result has no relevance_score"));
      scores[static_cast<size_t>(index->get<int64_t>())] = score->get<double>();
    }
    return scores;
  }

  const ProviderConfig& config() const override { return t_.config(); }

 private:
  Transport t_;
};

// A multipart/form-data body: text fields, then one file.
std::string MultipartBody(const std::string& boundary,
                          const std::vector<std::pair<std::string, std::string>>& fields,
                          const std::string& file_field, const std::string& filename,
                          const std::string& mime_type, const std::string& bytes) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (value.empty()) continue;
    out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" +
           value + "\r\n";
  }
  std::string safe_name = filename;
  for (char& c : safe_name)
    if (c == '"' || c == '\\' || c == '\r' || c == '\n') c = '_';
  out += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + file_field +
         "\"; filename=\"" + safe_name + "\"\r\nContent-Type: " + mime_type + "\r\n\r\n";
  out += bytes;
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

class OpenAiTranscriber final : public Transcriber {
 public:
  explicit OpenAiTranscriber(const ProviderConfig& config) : t_(config, "speech-to-text") {}

  Result<TranscriptionResponse> Transcribe(const TranscriptionRequest& request,
                                           const CallOptions& options) override {
    if (request.audio.empty())
      return Err(t_.Fail(StatusCode::kInvalidArgument, "no audio to transcribe"));
    // A boundary that cannot occur in the audio: random, and checked.
    std::string boundary;
    do {
      char buf[40];
      std::snprintf(buf, sizeof buf, "askio-%016llx",
                    static_cast<unsigned long long>(Uniform01() * 1.8e19));
      boundary = buf;
    } while (request.audio.find(boundary) != std::string::npos);
    const std::string language =
        !request.language.empty() ? request.language : t_.config().language;
    const std::string body = MultipartBody(
        boundary,
        {{"model", t_.config().model},
         {"response_format", "json"},
         {"language", language},
         {"prompt", request.prompt}},
        "file", request.filename.empty() ? "audio.wav" : request.filename,
        request.mime_type.empty() ? "application/octet-stream" : request.mime_type, request.audio);
    const Call call = t_.MakeCall(options);
    Result<Reply> reply = t_.Post("/audio/transcriptions", body, call, nullptr,
                                  "multipart/form-data; boundary=" + boundary);
    if (!reply) return Err(reply.error());
    TranscriptionResponse response;
    response.attempts = reply->attempts;
    // response_format=json is {"text": ...}; a server that ignores it and
    // answers plain text is taken at its word.
    const json j = json::parse(reply->body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      if (!reply->body.empty() && reply->body.front() != '{' && reply->body.front() != '[') {
        response.text = utf8::MakeValid(reply->body);
        while (!response.text.empty() &&
               (response.text.back() == '\n' || response.text.back() == ' '))
          response.text.pop_back();
        return response;
      }
      return Err(t_.Fail(StatusCode::kIOError, "answered with invalid JSON: " +
                                                   internal::ErrorExcerpt(reply->body, 120)));
    }
    Result<json> checked = t_.ParseJson(reply->body);
    if (!checked) return Err(checked.error());
    const json* text = Find(j, "text");
    if (!text || !text->is_string())
      return Err(t_.Fail(StatusCode::kIOError, "answer has no \"text\""));
    response.text = text->get<std::string>();
    if (const json* l = Find(j, "language"); l && l->is_string()) response.language = *l;
    if (const json* d = Find(j, "duration"); d && d->is_number())
      response.duration_seconds = d->get<double>();
    return response;
  }

  const ProviderConfig& config() const override { return t_.config(); }

 private:
  Transport t_;
};

// Hands audio bytes to the caller as they arrive; a JSON answer (an error a
// server sent with status 200) is collected instead.
class AudioSink final : public BodySink {
 public:
  explicit AudioSink(const AudioBytesFn& on_bytes) : on_bytes_(on_bytes) {}
  void Reset() override {
    json_mode_ = false;
    json_body_.clear();
    bytes_ = 0;
  }
  void Begin(std::string_view content_type) override {
    content_type_ = std::string(content_type);
    json_mode_ = content_type.size() >= 16 &&
                 EqualsIgnoreCase(content_type.substr(0, 16), "application/json");
  }
  bool Write(std::string_view bytes) override {
    if (json_mode_) {
      if (json_body_.size() < kMaxErrorBodyBytes) json_body_.append(bytes);
      return true;
    }
    if (bytes.empty()) return true;
    delivered_ = true;
    bytes_ += bytes.size();
    return on_bytes_(bytes);
  }
  bool delivered() const override { return delivered_; }

  bool json_mode() const { return json_mode_; }
  const std::string& json_body() const { return json_body_; }
  const std::string& content_type() const { return content_type_; }
  size_t bytes() const { return bytes_; }

 private:
  const AudioBytesFn& on_bytes_;
  std::string content_type_, json_body_;
  bool json_mode_ = false, delivered_ = false;
  size_t bytes_ = 0;
};

class OpenAiSpeechSynthesizer final : public SpeechSynthesizer {
 public:
  explicit OpenAiSpeechSynthesizer(const ProviderConfig& config) : t_(config, "text-to-speech") {}

  Result<SpeechResponse> Synthesize(const SpeechRequest& request, const AudioBytesFn& on_bytes,
                                    const CallOptions& options) override {
    if (request.input.empty())
      return Err(t_.Fail(StatusCode::kInvalidArgument, "no text to speak"));
    json j = {
        {"model", t_.config().model},
        {"input", request.input},
        {"voice", !request.voice.empty()       ? request.voice
                  : !t_.config().voice.empty() ? t_.config().voice
                                               : std::string("alloy")},
        {"response_format", request.response_format.empty() ? "wav" : request.response_format}};
    if (request.speed != 1.0) j["speed"] = request.speed;
    Result<std::string> body = t_.Body(std::move(j));
    if (!body) return Err(body.error());
    const Call call = t_.MakeCall(options);
    AudioSink sink(on_bytes);
    Result<Reply> reply = t_.Post("/audio/speech", *body, call, &sink, "application/json",
                                  "audio/*, application/octet-stream");
    if (!reply) return Err(reply.error());
    if (sink.json_mode())
      return Err(t_.Fail(StatusCode::kIOError, "answered with JSON instead of audio: " +
                                                   internal::ErrorExcerpt(sink.json_body())));
    if (!reply->sink_stopped && sink.bytes() == 0)
      return Err(t_.Fail(StatusCode::kIOError, "answered with no audio"));
    SpeechResponse response;
    response.content_type = sink.content_type();
    response.bytes = sink.bytes();
    response.attempts = reply->attempts;
    response.stopped = reply->sink_stopped;
    return response;
  }

  const ProviderConfig& config() const override { return t_.config(); }

 private:
  Transport t_;
};

}  // namespace

std::unique_ptr<Transcriber> MakeOpenAiTranscriber(const ProviderConfig& config) {
  return std::make_unique<OpenAiTranscriber>(config);
}
std::unique_ptr<SpeechSynthesizer> MakeOpenAiSpeechSynthesizer(const ProviderConfig& config) {
  return std::make_unique<OpenAiSpeechSynthesizer>(config);
}

std::unique_ptr<ChatModel> MakeOpenAiChat(const ProviderConfig& config) {
  return std::make_unique<OpenAiChat>(config);
}
std::unique_ptr<Embedder> MakeOpenAiEmbedder(const ProviderConfig& config) {
  return std::make_unique<OpenAiEmbedder>(config);
}
std::unique_ptr<Reranker> MakeOpenAiReranker(const ProviderConfig& config) {
  return std::make_unique<OpenAiReranker>(config);
}

}  // namespace askio::model
