// A fake OpenAI-compatible model server for tests, on real HTTP (127.0.0.1,
// an ephemeral port): chat completions (plain and SSE streaming, scripted),
// embeddings (deterministic) and rerank (word overlap), with switches for
// the failures a client must survive.
//
//   FakeOpenAi fake;
//   model::ProviderConfig config = fake.Config();   // base_url = .../v1
//   fake.ScriptChat({.text = "Paris."});            // the next chat answer
//   fake.FailNext(FakeOpenAi::kChat, 2, 429, "1");  // two 429s first
//   auto chat = model::MakeOpenAiChat(config);
//   ... fake.Requests(FakeOpenAi::kChat) ...        // what arrived, when
//
// Embeddings: FakeOpenAi::EmbedText(text, dim) is a hashed bag of words.
// The text is cut into tokens: runs of ASCII letters and digits,
// lower-cased, and each non-ASCII code point on its own (so Chinese counts
// characters). Each token adds 1 to component FNV-1a-64(token) % dim, and
// the vector is L2-normalised; a text without tokens gets (1, 0, ..., 0).
// Texts that share words are therefore similar (cosine grows with what they
// share), texts that share none are near-orthogonal, and the same text
// always gets the same vector, so retrieval tests can reason about ranks.
//
// Rerank: the score of a document is FakeOpenAi::WordOverlap(query, doc),
// the share of the query's distinct tokens that occur in the document.
//
// Chat: with nothing scripted, the answer is default_chat() (settable), or
// what SetChatResponder's function makes of the request.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_test_server.h"
#include "model/provider.h"

namespace askio::testing {

// One scripted chat answer, streamed or not as the request asks.
struct FakeChatReply {
  std::string text = "This is the fake model's answer.";
  std::string reasoning;  // sent first, as delta.reasoning_content / message.reasoning_content
  std::string finish_reason = "stop";
  int64_t prompt_tokens = 11, completion_tokens = 7;

  // How a streamed answer is sent.
  size_t piece_bytes = 5;  // text cut into deltas of about this size, never inside a code point
  // Byte offsets in the whole event stream at which it is cut into separate
  // writes (HTTP chunks); empty: one write per event.
  std::vector<size_t> split_at;
  bool keep_alive = false;      // ": keep-alive" comments before every event
  bool crlf = false;            // CRLF line ends instead of LF
  bool multiline_data = false;  // each event's JSON spread over two "data:" lines
  bool other_events = false;    // "event: ping" events in between, to be ignored
  bool send_finish = true;      // the event with finish_reason (and usage) after the text
  bool send_done = true;        // "data: [DONE]" at the end
  std::string stream_error;     // after the text: data: {"error":{"message": stream_error}}
  // After the events, keep the response open until the client hangs up
  // (counted by ClientCloses()).
  bool hold_open = false;

  // Failures (streamed or not).
  int status = 200;         // otherwise: this status and an OpenAI-style error body
  std::string retry_after;  // a Retry-After header with it
  std::string error_message = "the fake server failed on purpose";
  bool stall = false;      // send nothing until the client hangs up
  bool malformed = false;  // a 200 whose body (or event) is not JSON
};

struct FakeEmbeddingOptions {
  size_t dim = 64;
  bool base64 = false;     // base64 even when the request asks for floats
  bool reverse = false;    // data[] in reverse order (index still right)
  bool drop_last = false;  // one embedding fewer than inputs
  bool ragged = false;     // the last embedding of each answer one shorter
  int odd_request = -1;    // this request (0-based) answers with odd_dim
  size_t odd_dim = 0;
  // The first `hold_until_concurrent` requests wait (up to 5 s) until that
  // many are in flight at once: proves a client's concurrency.
  size_t hold_until_concurrent = 0;
  // Benchmarks only: answer after this long plus this much per text, as a
  // model server would (tests leave both at 0 and never wait on time).
  std::chrono::microseconds latency{0};
  std::chrono::microseconds latency_per_text{0};
};

struct FakeRerankOptions {
  bool score_key = false;  // "score" (llama.cpp's older servers) instead of "relevance_score"
  size_t max_results = 0;  // > 0: answer at most this many (best first)
};

// Audio endpoints: /v1/audio/transcriptions answers `transcript` (JSON
// {"text"}, or the plain text when the request asked response_format=text);
// /v1/audio/speech answers a streamed WAV (sizes 0xFFFFFFFF, as streaming
// servers send) of a 220 Hz tone lasting `seconds_per_char` per input
// character, in HTTP chunks of `chunk_bytes`.
struct FakeAudioOptions {
  std::string transcript = "the meeting room is on the third floor";
  int speech_rate = 24000;
  double seconds_per_char = 0.02;
  size_t chunk_bytes = 4096;
  bool pcm = false;  // raw 16-bit PCM (Content-Type audio/pcm) instead of WAV
};

// One multipart/form-data upload as the fake server parsed it.
struct FakeUpload {
  std::string content_type;  // the request's, with its boundary
  std::map<std::string, std::string> fields;
  std::string file_field, file_name, file_type, file_bytes;
  bool well_formed = false;  // boundary found, closing delimiter present
};

struct FakeRequest {
  std::string path;
  std::string body;
  nlohmann::json json;  // the body parsed; null when it is not JSON
  std::string authorization;
  std::chrono::steady_clock::time_point at;
};

class FakeOpenAi {
 public:
  static constexpr const char* kChat = "/v1/chat/completions";
  static constexpr const char* kEmbeddings = "/v1/embeddings";
  static constexpr const char* kRerank = "/v1/rerank";
  static constexpr const char* kTranscriptions = "/v1/audio/transcriptions";
  static constexpr const char* kSpeech = "/v1/audio/speech";

  FakeOpenAi() {
    server_.StreamRoute("POST", kChat, [this](const HttpRequest& r, HttpResponseStream& out) {
      HandleChat(r, out);
    });
    server_.StreamRoute("POST", kEmbeddings, [this](const HttpRequest& r, HttpResponseStream& out) {
      HandleEmbeddings(r, out);
    });
    server_.StreamRoute("POST", kRerank, [this](const HttpRequest& r, HttpResponseStream& out) {
      HandleRerank(r, out);
    });
    server_.StreamRoute(
        "POST", kTranscriptions,
        [this](const HttpRequest& r, HttpResponseStream& out) { HandleTranscription(r, out); });
    server_.StreamRoute("POST", kSpeech, [this](const HttpRequest& r, HttpResponseStream& out) {
      HandleSpeech(r, out);
    });
  }

  // "http://127.0.0.1:PORT/v1", as base_url.
  std::string BaseUrl() const { return server_.Url("/v1"); }

  // A provider config for this server: short timeouts, no key.
  model::ProviderConfig Config(std::string model = "fake-model") const {
    model::ProviderConfig c;
    c.base_url = BaseUrl();
    c.model = std::move(model);
    c.timeout_seconds = 10;
    c.connect_timeout_seconds = 2;
    return c;
  }

  // --- Behaviour -----------------------------------------------------------

  // Answers the next chat requests, in order, before the default applies.
  void ScriptChat(FakeChatReply reply) {
    std::lock_guard lock(mu_);
    chat_script_.push_back(std::move(reply));
  }
  void SetDefaultChat(FakeChatReply reply) {
    std::lock_guard lock(mu_);
    default_chat_ = std::move(reply);
  }
  // Makes the answer from the request (its JSON body) when nothing is
  // scripted.
  void SetChatResponder(std::function<FakeChatReply(const nlohmann::json&)> fn) {
    std::lock_guard lock(mu_);
    responder_ = std::move(fn);
  }
  // The next `n` requests to `path` get `status` (with Retry-After when
  // given) before anything else happens.
  void FailNext(std::string path, int n, int status, std::string retry_after = "") {
    std::lock_guard lock(mu_);
    for (int i = 0; i < n; ++i) {
      FakeChatReply f;
      f.status = status;
      f.retry_after = retry_after;
      faults_[path].push_back(f);
    }
  }
  // The next `n` requests to `path` get no answer until the client hangs up.
  void StallNext(std::string path, int n) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < n; ++i) faults_[path].push_back(FakeChatReply{.stall = true});
  }
  // The next `n` requests to `path` get a 200 whose body is not JSON.
  void MalformedNext(std::string path, int n) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < n; ++i) faults_[path].push_back(FakeChatReply{.malformed = true});
  }
  // Requests without "Authorization: Bearer KEY" get a 401 whose message
  // echoes the key they sent, as real servers partly do.
  void RequireApiKey(std::string key) {
    std::lock_guard lock(mu_);
    api_key_ = std::move(key);
  }
  void SetEmbeddingOptions(FakeEmbeddingOptions o) {
    std::lock_guard lock(mu_);
    embed_ = o;
  }
  void SetRerankOptions(FakeRerankOptions o) {
    std::lock_guard lock(mu_);
    rerank_ = o;
  }
  void SetAudioOptions(FakeAudioOptions o) {
    std::lock_guard lock(mu_);
    audio_ = std::move(o);
  }
  // The transcription uploads, in arrival order.
  std::vector<FakeUpload> Uploads() const {
    std::lock_guard lock(mu_);
    return uploads_;
  }
  // HTTP chunks written by the speech endpoint so far.
  size_t SpeechChunksSent() const {
    std::lock_guard lock(mu_);
    return speech_chunks_;
  }

  // Parses a multipart/form-data body (the parts this fake needs: fields
  // and one file).
  static FakeUpload ParseMultipart(const std::string& content_type, const std::string& body) {
    FakeUpload u;
    u.content_type = content_type;
    const size_t b = content_type.find("boundary=");
    if (b == std::string::npos) return u;
    std::string boundary = content_type.substr(b + 9);
    if (const size_t semi = boundary.find(';'); semi != std::string::npos) boundary.resize(semi);
    if (boundary.size() >= 2 && boundary.front() == '"')
      boundary = boundary.substr(1, boundary.size() - 2);
    const std::string delim = "--" + boundary;
    size_t at = body.find(delim);
    if (at == std::string::npos) return u;
    for (;;) {
      at += delim.size();
      if (body.compare(at, 2, "--") == 0) {
        u.well_formed = true;
        return u;
      }
      if (body.compare(at, 2, "\r\n") != 0) return u;
      at += 2;
      const size_t head_end = body.find("\r\n\r\n", at);
      if (head_end == std::string::npos) return u;
      const std::string head = body.substr(at, head_end - at);
      const size_t next = body.find("\r\n" + delim, head_end + 4);
      if (next == std::string::npos) return u;
      const std::string content = body.substr(head_end + 4, next - head_end - 4);
      auto param = [&](const std::string& key) -> std::string {
        const size_t k = head.find(key + "=\"");
        if (k == std::string::npos) return "";
        const size_t v = k + key.size() + 2;
        return head.substr(v, head.find('"', v) - v);
      };
      const std::string name = param("name"), filename = param("filename");
      if (head.find("filename=") != std::string::npos) {
        u.file_field = name;
        u.file_name = filename;
        u.file_bytes = content;
        const size_t ct = head.find("Content-Type: ");
        if (ct != std::string::npos)
          u.file_type = head.substr(ct + 14, head.find("\r\n", ct) - ct - 14);
      } else {
        u.fields[name] = content;
      }
      at = next + 2;
    }
  }

  // --- What happened -------------------------------------------------------

  // Requests to `path` ("" for all), in arrival order.
  std::vector<FakeRequest> Requests(std::string_view path = "") const {
    std::lock_guard lock(mu_);
    std::vector<FakeRequest> out;
    for (const FakeRequest& r : requests_)
      if (path.empty() || r.path == path) out.push_back(r);
    return out;
  }
  size_t Count(std::string_view path) const { return server_.CountRequests(path); }
  // The most embeddings requests that were in flight at once.
  size_t MaxConcurrentEmbeddings() const {
    std::lock_guard lock(mu_);
    return max_in_flight_;
  }
  // Waits until the client hung up on `n` held or stalled responses.
  bool WaitForClientCloses(size_t n, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return client_closes_ >= n; });
  }
  size_t ClientCloses() const {
    std::lock_guard lock(mu_);
    return client_closes_;
  }
  HttpTestServer& server() { return server_; }

  // --- The deterministic functions ----------------------------------------

  static std::vector<std::string> Tokens(std::string_view text) {
    std::vector<std::string> out;
    std::string word;
    for (size_t i = 0; i < text.size();) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (c < 0x80) {
        if (std::isalnum(c)) {
          word += static_cast<char>(std::tolower(c));
        } else if (!word.empty()) {
          out.push_back(std::move(word));
          word.clear();
        }
        ++i;
        continue;
      }
      if (!word.empty()) {
        out.push_back(std::move(word));
        word.clear();
      }
      size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      len = std::min(len, text.size() - i);
      out.emplace_back(text.substr(i, len));
      i += len;
    }
    if (!word.empty()) out.push_back(std::move(word));
    return out;
  }

  static uint64_t Fnv1a(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    return h;
  }

  static std::vector<float> EmbedText(std::string_view text, size_t dim) {
    std::vector<float> v(dim, 0.0f);
    if (dim == 0) return v;
    for (const std::string& t : Tokens(text)) v[Fnv1a(t) % dim] += 1.0f;
    double norm = 0;
    for (float x : v) norm += static_cast<double>(x) * x;
    if (norm == 0) {
      v[0] = 1.0f;
      return v;
    }
    for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
    return v;
  }

  static double WordOverlap(std::string_view query, std::string_view document) {
    const std::vector<std::string> q = Tokens(query), d = Tokens(document);
    const std::set<std::string> qs(q.begin(), q.end()), ds(d.begin(), d.end());
    if (qs.empty()) return 0;
    size_t shared = 0;
    for (const std::string& t : qs) shared += ds.count(t);
    return static_cast<double>(shared) / static_cast<double>(qs.size());
  }

  static std::string Base64Floats(const std::vector<float>& v) {
    static const char* kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes(v.size() * 4, '\0');
    for (size_t i = 0; i < v.size(); ++i) {
      uint32_t u;
      std::memcpy(&u, &v[i], 4);
      for (int b = 0; b < 4; ++b) bytes[4 * i + b] = static_cast<char>((u >> (8 * b)) & 0xFF);
    }
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
      const size_t n = std::min<size_t>(3, bytes.size() - i);
      uint32_t chunk = 0;
      for (size_t k = 0; k < 3; ++k)
        chunk = (chunk << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0);
      for (size_t k = 0; k < 4; ++k)
        out += k <= n ? kAlphabet[(chunk >> (18 - 6 * k)) & 0x3F] : '=';
    }
    return out;
  }

  // The event stream a streamed `reply` is sent as, whole (split_at cuts
  // it into writes). `include_usage` as the request's stream_options asked.
  static std::vector<std::string> SseEvents(const FakeChatReply& r, bool include_usage,
                                            const std::string& model = "fake-model") {
    using nlohmann::json;
    const std::string eol = r.crlf ? "\r\n" : "\n";
    std::vector<std::string> events;
    auto add = [&](const std::string& data) {
      std::string e;
      if (r.keep_alive) e += ": keep-alive" + eol + eol;
      if (r.other_events) e += "event: ping" + eol + "data: {\"type\":\"ping\"}" + eol + eol;
      // Cut after the opening brace: a line break there is JSON whitespace.
      if (r.multiline_data && data.starts_with('{'))
        e += "data: {" + eol + "data:" + data.substr(1) + eol;
      else
        e += "data: " + data + eol;
      events.push_back(e + eol);
    };
    auto chunk = [&](json delta, json finish) {
      return json{{"id", "chatcmpl-fake"},
                  {"object", "chat.completion.chunk"},
                  {"created", 0},
                  {"model", model},
                  {"choices", json::array({{{"index", 0},
                                            {"delta", std::move(delta)},
                                            {"finish_reason", std::move(finish)}}})}}
          .dump();
    };
    if (r.malformed) {
      add("{\"choices\": [");
      return events;
    }
    add(chunk({{"role", "assistant"}, {"content", ""}}, nullptr));
    for (const std::string& p : Pieces(r.reasoning, r.piece_bytes))
      add(chunk({{"reasoning_content", p}, {"content", nullptr}}, nullptr));
    for (const std::string& p : Pieces(r.text, r.piece_bytes))
      add(chunk({{"content", p}}, nullptr));
    if (!r.stream_error.empty()) {
      add(json{{"error", {{"message", r.stream_error}, {"type", "server_error"}}}}.dump());
      return events;
    }
    if (r.hold_open) return events;
    if (r.send_finish) add(chunk(json::object(), r.finish_reason));
    if (r.send_finish && include_usage)
      add(json{{"id", "chatcmpl-fake"},
               {"object", "chat.completion.chunk"},
               {"choices", json::array()},
               {"usage",
                {{"prompt_tokens", r.prompt_tokens},
                 {"completion_tokens", r.completion_tokens},
                 {"total_tokens", r.prompt_tokens + r.completion_tokens}}}}
              .dump());
    if (r.send_done) add("[DONE]");
    return events;
  }

  // `text` in pieces of about `size` bytes, never cut inside a code point.
  static std::vector<std::string> Pieces(std::string_view text, size_t size) {
    std::vector<std::string> out;
    size = std::max<size_t>(1, size);
    while (!text.empty()) {
      size_t n = std::min(size, text.size());
      while (n < text.size() && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) ++n;
      out.emplace_back(text.substr(0, n));
      text.remove_prefix(n);
    }
    return out;
  }

 private:
  using json = nlohmann::json;

  // Records the request; returns the fault to apply, if any.
  std::optional<FakeChatReply> Arrive(const HttpRequest& r, json& body) {
    body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) body = nullptr;
    std::lock_guard lock(mu_);
    requests_.push_back(
        {r.path, r.body, body, r.Header("Authorization"), std::chrono::steady_clock::now()});
    if (!api_key_.empty() && r.Header("Authorization") != "Bearer " + api_key_) {
      FakeChatReply f;
      f.status = 401;
      std::string sent = r.Header("Authorization");
      if (sent.starts_with("Bearer ")) sent.erase(0, 7);
      f.error_message = "Incorrect API key provided: " + sent +
                        ". You can find your API key at "
                        "https://example.invalid/keys.";
      return f;
    }
    auto it = faults_.find(r.path);
    if (it == faults_.end() || it->second.empty()) return std::nullopt;
    FakeChatReply f = std::move(it->second.front());
    it->second.pop_front();
    return f;
  }

  // Sends a failure, stall or malformed body; false if `f` is none of these.
  bool SendFault(const FakeChatReply& f, bool stream, HttpResponseStream& out) {
    if (f.stall) {
      out.WaitForClientClose();
      NoteClientClose();
      return true;
    }
    if (f.status != 200) {
      HttpHeaders headers = {{"Content-Type", "application/json"}};
      if (!f.retry_after.empty()) headers.emplace_back("Retry-After", f.retry_after);
      out.Begin(f.status, headers);
      out.Write(json{
          {"error", {{"message", f.error_message}, {"type", "fake_error"}, {"code", f.status}}}}
                    .dump());
      return true;
    }
    if (f.malformed) {
      if (stream) {
        out.Begin(200, {{"Content-Type", "text/event-stream"}});
        out.Write("data: {\"choices\": [\n\n");
      } else {
        out.Begin(200, {{"Content-Type", "application/json"}});
        out.Write("{\"choices\": [");
      }
      return true;
    }
    return false;
  }

  void NoteClientClose() {
    {
      std::lock_guard lock(mu_);
      ++client_closes_;
    }
    cv_.notify_all();
  }

  void HandleChat(const HttpRequest& r, HttpResponseStream& out) {
    json body;
    const std::optional<FakeChatReply> fault = Arrive(r, body);
    const bool stream = body.is_object() && body.value("stream", false);
    if (fault && SendFault(*fault, stream, out)) return;
    FakeChatReply reply;
    std::function<FakeChatReply(const nlohmann::json&)> responder;
    {
      std::lock_guard lock(mu_);
      if (!chat_script_.empty()) {
        reply = std::move(chat_script_.front());
        chat_script_.pop_front();
      } else if (responder_) {
        responder = responder_;  // called unlocked: it may use this object
      } else {
        reply = default_chat_;
      }
    }
    if (responder) reply = responder(body);
    if (SendFault(reply, stream, out)) return;
    const std::string model = body.is_object() ? body.value("model", "fake-model") : "fake-model";
    if (!stream) {
      json message = {{"role", "assistant"}, {"content", reply.text}};
      if (!reply.reasoning.empty()) message["reasoning_content"] = reply.reasoning;
      out.Begin(200, {{"Content-Type", "application/json"}});
      out.Write(json{{"id", "chatcmpl-fake"},
                     {"object", "chat.completion"},
                     {"created", 0},
                     {"model", model},
                     {"choices", json::array({{{"index", 0},
                                               {"message", std::move(message)},
                                               {"finish_reason", reply.finish_reason}}})},
                     {"usage",
                      {{"prompt_tokens", reply.prompt_tokens},
                       {"completion_tokens", reply.completion_tokens},
                       {"total_tokens", reply.prompt_tokens + reply.completion_tokens}}}}
                    .dump());
      return;
    }
    bool include_usage = false;
    if (auto so = body.find("stream_options"); so != body.end() && so->is_object())
      include_usage = so->value("include_usage", false);
    const std::vector<std::string> events = SseEvents(reply, include_usage, model);
    out.Begin(200, {{"Content-Type", "text/event-stream"}, {"Cache-Control", "no-cache"}});
    bool ok = true;
    if (reply.split_at.empty()) {
      for (const std::string& e : events) ok = ok && out.Write(e);
    } else {
      std::string all;
      for (const std::string& e : events) all += e;
      size_t from = 0;
      for (size_t cut : reply.split_at) {
        cut = std::min(cut, all.size());
        if (cut <= from) continue;
        ok = ok && out.Write(std::string_view(all).substr(from, cut - from));
        from = cut;
      }
      if (from < all.size()) ok = ok && out.Write(std::string_view(all).substr(from));
    }
    if (reply.hold_open) {
      out.WaitForClientClose();
      NoteClientClose();
    }
  }

  void HandleEmbeddings(const HttpRequest& r, HttpResponseStream& out) {
    json body;
    const std::optional<FakeChatReply> fault = Arrive(r, body);
    if (fault && SendFault(*fault, false, out)) return;
    FakeEmbeddingOptions o;
    int number;
    bool hold;
    {
      std::unique_lock lock(mu_);
      o = embed_;
      number = embed_requests_++;
      hold = static_cast<size_t>(number) < o.hold_until_concurrent;
      max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
      // A latch: once enough were in flight together, all held ones go,
      // even if one has finished by the time the others wake.
      if (in_flight_ >= o.hold_until_concurrent) gate_open_ = true;
      cv_.notify_all();
      if (hold) cv_.wait_for(lock, std::chrono::seconds(5), [&] { return gate_open_; });
    }
    std::vector<std::string> inputs;
    if (body.is_object() && body.contains("input")) {
      const json& input = body["input"];
      if (input.is_string()) inputs.push_back(input.get<std::string>());
      if (input.is_array())
        for (const json& x : input)
          if (x.is_string()) inputs.push_back(x.get<std::string>());
    }
    if (o.latency.count() > 0 || o.latency_per_text.count() > 0)
      std::this_thread::sleep_for(o.latency +
                                  o.latency_per_text * static_cast<int64_t>(inputs.size()));
    const bool base64 =
        o.base64 || (body.is_object() && body.value("encoding_format", "float") == "base64");
    json data = json::array();
    size_t n = inputs.size();
    if (o.drop_last && n > 0) --n;
    for (size_t i = 0; i < n; ++i) {
      size_t dim = number == o.odd_request ? o.odd_dim : o.dim;
      if (o.ragged && i + 1 == n && dim > 1) --dim;
      const std::vector<float> v = EmbedText(inputs[i], dim);
      json e = {{"object", "embedding"}, {"index", i}};
      e["embedding"] = base64 ? json(Base64Floats(v)) : json(v);
      data.push_back(std::move(e));
    }
    if (o.reverse) std::reverse(data.begin(), data.end());
    {
      std::lock_guard lock(mu_);
      --in_flight_;
    }
    out.Begin(200, {{"Content-Type", "application/json"}});
    out.Write(json{{"object", "list"},
                   {"data", std::move(data)},
                   {"model", body.is_object() ? body.value("model", "") : ""},
                   {"usage", {{"prompt_tokens", 0}, {"total_tokens", 0}}}}
                  .dump());
  }

  void HandleRerank(const HttpRequest& r, HttpResponseStream& out) {
    json body;
    const std::optional<FakeChatReply> fault = Arrive(r, body);
    if (fault && SendFault(*fault, false, out)) return;
    FakeRerankOptions o;
    {
      std::lock_guard lock(mu_);
      o = rerank_;
    }
    const std::string query = body.is_object() ? body.value("query", "") : "";
    std::vector<std::string> docs;
    if (body.is_object() && body.contains("documents") && body["documents"].is_array())
      for (const json& d : body["documents"])
        docs.push_back(d.is_string() ? d.get<std::string>() : d.value("text", ""));
    std::vector<std::pair<double, size_t>> scored;
    for (size_t i = 0; i < docs.size(); ++i) scored.emplace_back(WordOverlap(query, docs[i]), i);
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    size_t n = scored.size();
    if (body.is_object() && body.contains("top_n") && body["top_n"].is_number_integer())
      n = std::min(n, body["top_n"].get<size_t>());
    if (o.max_results > 0) n = std::min(n, o.max_results);
    json results = json::array();
    for (size_t i = 0; i < n; ++i)
      results.push_back({{"index", scored[i].second},
                         {o.score_key ? "score" : "relevance_score", scored[i].first}});
    out.Begin(200, {{"Content-Type", "application/json"}});
    out.Write(json{{"model", body.is_object() ? body.value("model", "") : ""},
                   {"results", std::move(results)}}
                  .dump());
  }

  void HandleTranscription(const HttpRequest& r, HttpResponseStream& out) {
    json body;
    const std::optional<FakeChatReply> fault = Arrive(r, body);
    if (fault && SendFault(*fault, false, out)) return;
    FakeUpload upload = ParseMultipart(r.Header("Content-Type"), r.body);
    std::string transcript;
    {
      std::lock_guard lock(mu_);
      uploads_.push_back(upload);
      transcript = audio_.transcript;
    }
    if (!upload.well_formed || upload.file_bytes.empty()) {
      out.Begin(400, {{"Content-Type", "application/json"}});
      out.Write(json{{"error", {{"message", "expected a multipart upload with a file"}}}}.dump());
      return;
    }
    if (upload.fields["response_format"] == "text") {
      out.Begin(200, {{"Content-Type", "text/plain"}});
      out.Write(transcript + "\n");
      return;
    }
    out.Begin(200, {{"Content-Type", "application/json"}});
    out.Write(json{{"text", transcript}}.dump());
  }

  void HandleSpeech(const HttpRequest& r, HttpResponseStream& out) {
    json body;
    const std::optional<FakeChatReply> fault = Arrive(r, body);
    if (fault && SendFault(*fault, false, out)) return;
    FakeAudioOptions o;
    {
      std::lock_guard lock(mu_);
      o = audio_;
    }
    const std::string input = body.is_object() ? body.value("input", "") : "";
    if (input.empty()) {
      out.Begin(400, {{"Content-Type", "application/json"}});
      out.Write(json{{"error", {{"message", "input is required"}}}}.dump());
      return;
    }
    const size_t samples =
        static_cast<size_t>(static_cast<double>(input.size()) * o.seconds_per_char * o.speech_rate);
    std::string audio;
    if (!o.pcm) {
      auto u32 = [&](uint32_t v) {
        for (int i = 0; i < 4; ++i) audio += static_cast<char>((v >> (8 * i)) & 0xFF);
      };
      audio += "RIFF";
      u32(0xFFFFFFFFu);
      audio += "WAVEfmt ";
      u32(16);
      audio += std::string("\x01\x00\x01\x00", 4);
      u32(static_cast<uint32_t>(o.speech_rate));
      u32(static_cast<uint32_t>(o.speech_rate) * 2);
      audio += std::string("\x02\x00\x10\x00", 4);
      audio += "data";
      u32(0xFFFFFFFFu);
    }
    for (size_t i = 0; i < samples; ++i) {
      const auto v = static_cast<int16_t>(
          8000 * std::sin(2 * 3.14159265358979 * 220 * static_cast<double>(i) / o.speech_rate));
      audio += static_cast<char>(v & 0xFF);
      audio += static_cast<char>((v >> 8) & 0xFF);
    }
    out.Begin(200, {{"Content-Type", o.pcm ? "audio/pcm" : "audio/wav"}});
    for (size_t at = 0; at < audio.size(); at += o.chunk_bytes) {
      if (!out.Write(std::string_view(audio).substr(at, o.chunk_bytes))) return;
      std::lock_guard lock(mu_);
      ++speech_chunks_;
    }
  }

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::deque<FakeChatReply> chat_script_;
  FakeChatReply default_chat_;
  std::function<FakeChatReply(const nlohmann::json&)> responder_;
  std::map<std::string, std::deque<FakeChatReply>, std::less<>> faults_;
  std::string api_key_;
  FakeEmbeddingOptions embed_;
  FakeRerankOptions rerank_;
  FakeAudioOptions audio_;
  std::vector<FakeUpload> uploads_;
  size_t speech_chunks_ = 0;
  std::vector<FakeRequest> requests_;
  size_t client_closes_ = 0;
  int embed_requests_ = 0;
  size_t in_flight_ = 0, max_in_flight_ = 0;
  bool gate_open_ = false;
  // Last: destroyed first, so no handler outlives the state above.
  HttpTestServer server_;
};

}  // namespace askio::testing
