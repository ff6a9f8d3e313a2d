// What the route files share: the server's state, the per-request call
// (who is asking, about which KB), the one mapping from Status to HTTP, and
// JSON for the engine's types. Internal to src/server/.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "askio/engine.h"
#include "server/http_server.h"
#include "server/jobs.h"
#include "server/metrics.h"
#include "server/server_store.h"

namespace askio::server {

using nlohmann::json;

// Who is asking. In open mode (no keys) everyone may do everything.
struct Principal {
  bool open = true;
  ApiKey key;

  bool CanSee(const std::string& kb) const { return open || key.kb == "*" || key.kb == kb; }
  bool Has(Role r) const { return open || key.role >= r; }
  bool GlobalAdmin() const { return open || (key.kb == "*" && key.role == Role::kAdmin); }
  int64_t id() const { return open ? 0 : key.id; }
};

// An HTTP failure: status, a stable code, a message for people, and for 429
// when to come back.
struct HttpError {
  int status = 500;
  std::string code;
  std::string message;
  int retry_after = 0;
};

// The one place a Status becomes an HTTP status and error code.
HttpError HttpErrorFor(const Status& s);
// {"error":{"code","message"}}, or OpenAI's {"error":{"message","type","param","code"}}.
void WriteError(httplib::Response& res, const HttpError& e, bool openai_shape);

// Knowledge bases open in this server, one engine object each (the engine is
// thread-safe: reads on a reader pool, writes under its writer lock).
class KbRegistry {
 public:
  KbRegistry(std::string data_dir, std::string config_path)
      : data_dir_(std::move(data_dir)), config_path_(std::move(config_path)) {}
  Result<std::shared_ptr<KnowledgeBase>> Get(const std::string& name);
  Result<std::shared_ptr<KnowledgeBase>> Create(const std::string& name);
  Status Delete(const std::string& name);
  Result<std::vector<std::string>> Names() const;
  const std::string& data_dir() const { return data_dir_; }

 private:
  // Opened KBs get the models configured for them.
  std::shared_ptr<KnowledgeBase> WithModels(std::unique_ptr<KnowledgeBase> kb,
                                            const std::string& name);
  std::string data_dir_, config_path_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<KnowledgeBase>> open_;
};

// Searches and answers run on a fixed pool of workers (cores-many by
// default), not on the connection threads: a bounded number run at once, a
// bounded number wait, the rest are refused at once (429) instead of
// queueing without bound. Per-thread state that queries build up (readers,
// the stemmer and its cache) thereby exists once per worker, not once per
// connection.
class QueryGate {
 public:
  QueryGate(size_t workers, size_t max_waiting, Metrics& metrics);
  ~QueryGate();
  // Runs `fn` on a worker and returns when it is done; false (and `fn` not
  // run) when the queue is full.
  bool Run(const std::function<void()>& fn);

 private:
  struct Task {
    const std::function<void()>* fn;
    std::promise<void> done;
  };
  void WorkerLoop();
  void Publish();  // under mu_
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task*> queue_;
  size_t active_ = 0;
  const size_t max_waiting_;
  bool stopping_ = false;
  Metrics& metrics_;
  std::vector<std::thread> workers_;
};

// Token buckets per caller (a key, or a client address without keys).
class RateLimiter {
 public:
  // Seconds to wait before the next request is allowed; 0 = allowed now.
  double Take(const std::string& who, double rate_per_second);

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// Which callers a route admits and what it needs.
struct RouteSpec {
  std::string name;           // the route's label in metrics, e.g. "/api/kbs/{kb}/search"
  Role role = Role::kReader;  // the least role needed
  bool global_admin = false;  // needs an admin key for every KB ("*")
  bool kb_scoped = true;      // req.matches[1] is a KB name that must exist and be visible
  bool heavy = false;         // passes the QueryGate
  bool openai = false;        // errors in OpenAI's shape
  bool needs_auth = true;     // false: health, readiness, the UI's files
};

// One request as a handler sees it.
struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  Principal who;
  std::string kb_name;
  std::shared_ptr<KnowledgeBase> kb;  // set for kb_scoped routes
  const RouteSpec* spec = nullptr;
};

using Handler = std::function<Status(Call&)>;
using UploadHandler = std::function<Status(Call&, const httplib::ContentReader&)>;

struct ServerContext {
  ServeOptions options;
  std::unique_ptr<ServerStore> store;
  Metrics metrics;
  std::unique_ptr<KbRegistry> kbs;
  std::unique_ptr<QueryGate> gate;
  RateLimiter limiter;
  std::unique_ptr<JobManager> jobs;
  std::atomic<bool> ready{false};
  std::atomic<bool> stopping{false};
  // Keys are required when any exists, and always on a non-loopback address
  // (unless --allow-no-auth).
  bool keys_always_required = false;

  std::function<void(const std::string& method, const std::string& pattern, RouteSpec, Handler)>
      route;
  std::function<void(const std::string& pattern, RouteSpec, UploadHandler)> upload_route;
};

void RegisterApiRoutes(ServerContext& ctx);
// Uploads acknowledged (202) but not ingested when the server last stopped
// are ingested again, as jobs; half-received ones are removed.
void RecoverUploads(ServerContext& ctx);
void RegisterOpenAiRoutes(ServerContext& ctx);
// Voice: /api/kbs/{kb}/voice/ask, /api/voice, /v1/audio/transcriptions and
// /v1/audio/speech (src/server/voice_routes.cc).
void RegisterVoiceRoutes(ServerContext& ctx);

// Request helpers.
Result<json> ParseJsonBody(const httplib::Request& req);
Result<int64_t> ParseId(const std::string& text, const char* what);
void WriteJson(httplib::Response& res, const json& body, int status = 200);
// The documents a search or answer may draw on: `"filter": {"tags": [...],
// "types": [...], "source_prefix": "...", "document_ids": [...]}` in a JSON
// body, or the query parameters tag, type, source_prefix, document_id
// (repeatable) on a GET.
Result<SearchFilter> FilterFrom(const json& body, const httplib::Request& req);

// JSON for the engine's types (docs/api.md).
json KbJson(const KbStats& s);
json DocumentJson(const DocumentInfo& d);
json ChunkJson(const Chunk& c);
json HitJson(const SearchHit& h, bool explain);
json CitationJson(const Citation& c, int64_t document_id);
json AnswerJson(const Answer& a, const std::vector<SearchHit>& retrieved);
json JobJson(const Job& j);

// The pieces an answer is streamed in: words with their trailing space, one
// CJK character at a time, a citation marker whole.
std::vector<std::string> StreamPieces(const std::string& text);

// Writes a stream while something slow (a model) produces it: every write is
// serialised, and a heartbeat thread sends an SSE comment when nothing else
// was written for a while, which is how a client that hung up is noticed
// even while the model is silent. A failed write sets cancelled().
class StreamWriter {
 public:
  StreamWriter(httplib::DataSink& sink, std::chrono::milliseconds heartbeat);
  ~StreamWriter();  // stops the heartbeat
  bool Write(const std::string& data);
  const std::atomic<bool>* cancelled() const { return &cancelled_; }
  bool is_cancelled() const { return cancelled_; }

 private:
  httplib::DataSink& sink_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<bool> cancelled_{false};
  std::thread heartbeat_;
};

// Server-sent events: "event: NAME\ndata: JSON\n\n".
std::string SseEvent(const std::string& event, const json& data);

}  // namespace askio::server
