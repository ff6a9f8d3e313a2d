// Model providers over the OpenAI-compatible protocol: chat (streaming and
// not), embeddings (batched) and rerank. One implementation (libcurl) serves
// OpenAI, DashScope's compatible mode, DeepSeek, GLM, Moonshot, SiliconFlow,
// Ollama, llama.cpp's server and vLLM: they all speak this protocol.
//
// Every call is bounded: a per-request deadline, retries with exponential
// backoff and jitter on 429/5xx and connection failures (honouring
// Retry-After), and cancellation that stops the upstream transfer within a
// second. Failures are Status values with a clear message; API keys never
// appear in messages or logs.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"

namespace askio::model {

// One provider endpoint: [llm], [embed], [rerank], [stt] or [tts] in askio.toml.
struct ProviderConfig {
  std::string base_url;  // including /v1, as the OpenAI SDKs take it
  std::string model;
  std::string api_key;           // may be empty (local servers)
  double timeout_seconds = 60;   // per request, all retries included
  double connect_timeout_seconds = 10;
  int max_retries = 3;           // after the first attempt
  size_t concurrency = 4;        // requests in flight at once (embeddings)
  size_t batch_size = 32;        // texts per embeddings request
  // Free-form extra fields merged into each request body (JSON object text),
  // e.g. {"enable_thinking": false} for Qwen3.
  std::string extra_body;
  // [tts]: the voice the speech endpoint is asked for ("alloy" when empty).
  std::string voice;
  // [stt]: the language hint sent with each transcription (ISO-639-1,
  // e.g. "zh"); empty lets the server detect it.
  std::string language;

  bool configured() const { return !base_url.empty() && !model.empty(); }
  // "model @ host" without credentials, for messages and stored model ids.
  std::string Describe() const;
};

// What a caller can ask of one call.
struct CallOptions {
  // Set to true from another thread to stop the call (and its retries)
  // within a second; the call then fails with kCancelled semantics
  // (StatusCode::kIOError, message "cancelled").
  const std::atomic<bool>* cancelled = nullptr;
  // Overrides ProviderConfig::timeout_seconds when > 0.
  double deadline_seconds = 0;
};

struct ChatMessage {
  std::string role;  // "system" | "user" | "assistant"
  std::string content;
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  double temperature = 0.1;
  int max_tokens = 1024;
};

struct ChatResponse {
  std::string text;
  std::string finish_reason;  // "stop", "length", ...
  int64_t prompt_tokens = 0, completion_tokens = 0;  // 0 when the server does not say
  int attempts = 1;  // requests made, retries included
};

// Receives each piece of streamed text as it arrives; return false to stop
// (the upstream request is aborted).
using TokenFn = std::function<bool(std::string_view piece)>;

class ChatModel {
 public:
  virtual ~ChatModel() = default;
  virtual Result<ChatResponse> Complete(const ChatRequest& request,
                                        const CallOptions& options = {}) = 0;
  // Streams over SSE; the returned response holds the whole text. A retry
  // happens only before the first token arrived.
  virtual Result<ChatResponse> Stream(const ChatRequest& request, const TokenFn& on_token,
                                      const CallOptions& options = {}) = 0;
  virtual const ProviderConfig& config() const = 0;
};

class Embedder {
 public:
  virtual ~Embedder() = default;
  // One vector per text, in order, L2-normalised. Splits into batches of
  // batch_size and runs up to `concurrency` requests at once. Fails if the
  // server returns a different count or inconsistent dimensions.
  virtual Result<std::vector<std::vector<float>>> Embed(const std::vector<std::string>& texts,
                                                        const CallOptions& options = {}) = 0;
  virtual const ProviderConfig& config() const = 0;
};

class Reranker {
 public:
  virtual ~Reranker() = default;
  // A relevance score per document, in the documents' order (higher is more
  // relevant). POST {base_url}/rerank {model, query, documents, top_n} ->
  // {"results":[{"index","relevance_score"}]}: the shape of llama.cpp's
  // server, Jina, Xinference, TEI-style and SiliconFlow rerankers.
  virtual Result<std::vector<double>> Rerank(const std::string& query,
                                             const std::vector<std::string>& documents,
                                             const CallOptions& options = {}) = 0;
  virtual const ProviderConfig& config() const = 0;
};

// Speech-to-text: POST {base_url}/audio/transcriptions as multipart/form-data
// (file, model, language, prompt, response_format=json) -> {"text": ...}:
// OpenAI, whisper.cpp's server, faster-whisper servers, vLLM.
struct TranscriptionRequest {
  std::string audio;  // the encoded file's bytes
  std::string filename = "audio.wav";
  std::string mime_type = "audio/wav";
  std::string language;  // overrides ProviderConfig::language when set
  std::string prompt;
};

struct TranscriptionResponse {
  std::string text;
  std::string language;         // when the server says
  double duration_seconds = 0;  // when the server says
  int attempts = 1;
};

class Transcriber {
 public:
  virtual ~Transcriber() = default;
  virtual Result<TranscriptionResponse> Transcribe(const TranscriptionRequest& request,
                                                   const CallOptions& options = {}) = 0;
  virtual const ProviderConfig& config() const = 0;
};

// Text-to-speech: POST {base_url}/audio/speech {model, input, voice,
// response_format, speed}; the audio is streamed back as it is made.
struct SpeechRequest {
  std::string input;
  std::string voice;                    // overrides ProviderConfig::voice when set
  std::string response_format = "wav";  // wav, pcm, mp3, opus, flac, aac
  double speed = 1.0;
};

struct SpeechResponse {
  std::string content_type;
  size_t bytes = 0;
  int attempts = 1;
  bool stopped = false;  // the callback asked to stop
};

// Receives audio bytes as they arrive; return false to stop.
using AudioBytesFn = std::function<bool(std::string_view bytes)>;

class SpeechSynthesizer {
 public:
  virtual ~SpeechSynthesizer() = default;
  // A retry happens only before the first byte reached `on_bytes`.
  virtual Result<SpeechResponse> Synthesize(const SpeechRequest& request,
                                            const AudioBytesFn& on_bytes,
                                            const CallOptions& options = {}) = 0;
  virtual const ProviderConfig& config() const = 0;
};

std::unique_ptr<ChatModel> MakeOpenAiChat(const ProviderConfig& config);
std::unique_ptr<Embedder> MakeOpenAiEmbedder(const ProviderConfig& config);
std::unique_ptr<Reranker> MakeOpenAiReranker(const ProviderConfig& config);
std::unique_ptr<Transcriber> MakeOpenAiTranscriber(const ProviderConfig& config);
std::unique_ptr<SpeechSynthesizer> MakeOpenAiSpeechSynthesizer(const ProviderConfig& config);

}  // namespace askio::model
