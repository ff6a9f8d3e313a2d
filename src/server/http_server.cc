// The server's machinery: the route wrapper every request passes through
// (authentication, scope, rate limit, admission, metrics, error mapping),
// limits, static files, health and metrics. The routes themselves are in
// api_routes.cc and openai_routes.cc.
#include "server/http_server.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>
#include <variant>

#include "common/clock.h"
#include "common/utf8.h"
#include "model/models.h"
#include "server/http_context.h"
#include "server/web_assets.h"

namespace askio::server {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxHeaderBytes = 16 << 10;

// Strict by default: the UI loads nothing from anywhere else, and model
// output can never pull in a remote image or script.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'";

std::string BearerToken(const httplib::Request& req) {
  std::string auth = req.get_header_value("Authorization");
  if (auth.size() > 7 && (auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0))
    return auth.substr(7);
  return req.get_header_value("X-API-Key");
}

size_t HeaderBytes(const httplib::Request& req) {
  size_t n = req.method.size() + req.target.size();
  for (const auto& [k, v] : req.headers) n += k.size() + v.size() + 4;
  return n;
}

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  in_addr a4{};
  if (inet_pton(AF_INET, host.c_str(), &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  return false;
}

// ---- errors ----

HttpError HttpErrorFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return {200, "ok", ""};
    case StatusCode::kInvalidArgument:
      return {400, "invalid_argument", s.message()};
    case StatusCode::kNotFound:
      return {404, "not_found", s.message()};
    case StatusCode::kAlreadyExists:
      return {409, "already_exists", s.message()};
    case StatusCode::kUnsupported:
      return {415, "unsupported", s.message()};
    case StatusCode::kIOError:
      return {500, "io_error", s.message()};
    case StatusCode::kCorruption:
      return {500, "corruption", s.message()};
    case StatusCode::kInternal:
      return {500, "internal", s.message()};
  }
  return {500, "internal", s.message()};
}

void WriteError(httplib::Response& res, const HttpError& e, bool openai_shape) {
  json body;
  if (openai_shape) {
    // OpenAI's error types and codes, so SDKs raise their usual exceptions.
    std::string type = "invalid_request_error", code = e.code;
    if (e.status == 401) type = "authentication_error", code = "invalid_api_key";
    if (e.status == 403) type = "permission_error";
    if (e.status == 404 && code == "not_found") code = "model_not_found";
    if (e.status == 429) type = "rate_limit_error", code = "rate_limit_exceeded";
    if (e.status >= 500) type = "server_error";
    body = {
        {"error", {{"message", e.message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
  } else {
    body = {{"error", {{"code", e.code}, {"message", e.message}}}};
  }
  if (e.retry_after > 0) res.set_header("Retry-After", std::to_string(e.retry_after));
  WriteJson(res, body, e.status);
}

void WriteJson(httplib::Response& res, const json& body, int status) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

Result<json> ParseJsonBody(const httplib::Request& req) {
  if (req.body.empty()) return json::object();
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded())
    return Err(Status::InvalidArgument("the request body is not valid JSON"));
  if (!body.is_object())
    return Err(Status::InvalidArgument("the request body must be a JSON object"));
  return body;
}

Result<int64_t> ParseId(const std::string& text, const char* what) {
  int64_t v = 0;
  if (text.empty() || text.size() > 18 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Err(Status::InvalidArgument(std::string("bad ") + what + " id '" + text + "'"));
  for (char c : text) v = v * 10 + (c - '0');
  return v;
}

// ---- knowledge bases, admission, rate limits ----

Result<std::shared_ptr<KnowledgeBase>> KbRegistry::Get(const std::string& name) {
  ASKIO_RETURN_IF_ERROR(ValidateKbName(name));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = open_.find(name);
  if (it != open_.end()) return it->second;
  auto kb = KnowledgeBase::Open(data_dir_, name, KnowledgeBase::OpenMode::kMustExist);
  if (!kb) {
    if (kb.error().code() == StatusCode::kNotFound)
      return Err(Status::NotFound("knowledge base '" + name + "' does not exist"));
    return Err(kb.error());
  }
  std::shared_ptr<KnowledgeBase> shared = WithModels(std::move(*kb), name);
  open_[name] = shared;
  return shared;
}

std::shared_ptr<KnowledgeBase> KbRegistry::WithModels(std::unique_ptr<KnowledgeBase> kb,
                                                      const std::string& name) {
  // A model that cannot be reached is logged, not fatal: the KB serves
  // lexically and with the built-in reader until it can.
  auto models = model::LoadModels(config_path_, name);
  if (!models) {
    std::fprintf(stderr, "askio: models for '%s': %s\n", name.c_str(),
                 models.error().message().c_str());
  } else if (model::Any(*models)) {
    if (Status s = kb->SetModels(std::move(*models)); !s.ok())
      std::fprintf(stderr, "askio: models for '%s': %s\n", name.c_str(), s.message().c_str());
  }
  return std::shared_ptr<KnowledgeBase>(std::move(kb));
}

Result<std::shared_ptr<KnowledgeBase>> KbRegistry::Create(const std::string& name) {
  ASKIO_RETURN_IF_ERROR(ValidateKbName(name));
  std::lock_guard<std::mutex> lock(mu_);
  auto existing = KnowledgeBase::Open(data_dir_, name, KnowledgeBase::OpenMode::kMustExist);
  if (existing) return Err(Status::AlreadyExists("knowledge base '" + name + "' already exists"));
  auto kb = KnowledgeBase::Open(data_dir_, name, KnowledgeBase::OpenMode::kCreateIfMissing);
  if (!kb) return Err(kb.error());
  std::shared_ptr<KnowledgeBase> shared = WithModels(std::move(*kb), name);
  open_[name] = shared;
  return shared;
}

Status KbRegistry::Delete(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  // Requests already holding it finish on the open files; new ones get 404.
  open_.erase(name);
  return DeleteKnowledgeBase(data_dir_, name);
}

Result<std::vector<std::string>> KbRegistry::Names() const { return ListKnowledgeBases(data_dir_); }

QueryGate::QueryGate(size_t workers, size_t max_waiting, Metrics& metrics)
    : max_waiting_(max_waiting), metrics_(metrics) {
  for (size_t i = 0; i < std::max<size_t>(workers, 1); ++i)
    workers_.emplace_back([this] { WorkerLoop(); });
}

QueryGate::~QueryGate() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

bool QueryGate::Run(const std::function<void()>& fn) {
  Task task{&fn, {}};
  std::future<void> done = task.done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Waiting = queued beyond the workers that are free to take them.
    const size_t idle = workers_.size() - active_;
    if (stopping_ || (queue_.size() >= idle && queue_.size() - idle >= max_waiting_)) return false;
    queue_.push_back(&task);
    Publish();
  }
  cv_.notify_one();
  done.get();
  return true;
}

void QueryGate::WorkerLoop() {
  for (;;) {
    Task* task = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      task = queue_.front();
      queue_.pop_front();
      ++active_;
      Publish();
    }
    (*task->fn)();
    {
      std::lock_guard<std::mutex> lock(mu_);
      --active_;
      Publish();
    }
    task->done.set_value();
  }
}

void QueryGate::Publish() {
  metrics_.Set("askio_query_inflight", "", static_cast<double>(active_));
  metrics_.Set("askio_query_queue_depth", "", static_cast<double>(queue_.size()));
}

double RateLimiter::Take(const std::string& who, double rate) {
  if (rate <= 0) return 0;
  const auto now = std::chrono::steady_clock::now();
  const double burst = std::max(1.0, rate * 2);
  std::lock_guard<std::mutex> lock(mu_);
  // Forget idle callers now and then, so the table stays bounded.
  if (buckets_.size() > 10000) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = now - it->second.last > std::chrono::minutes(1) ? buckets_.erase(it) : std::next(it);
  }
  auto [it, inserted] = buckets_.try_emplace(who, Bucket{burst, now});
  Bucket& b = it->second;
  const double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst, b.tokens + elapsed * rate);
  b.last = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return (1 - b.tokens) / rate;
}

// ---- the server ----

class HttpServer::Impl {
 public:
  ServerContext ctx;
  httplib::Server http;
  int bound_port = -1;
  int listen_fd = -1;  // to raise the library's listen backlog after bind

  // Who is asking, or the error to answer with.
  std::variant<Principal, HttpError> Authenticate(const httplib::Request& req,
                                                  const RouteSpec& spec);
  void Dispatch(Call& call, const RouteSpec& spec, const std::function<Status(Call&)>& handler);
  void InstallRoutes();
  void ServeStatic(const httplib::Request& req, httplib::Response& res);

  // Cached "does any key exist": keys created by `askio keys create` while
  // the server runs take effect within a second.
  std::mutex keys_mu;
  bool any_keys = false;
  std::chrono::steady_clock::time_point any_keys_checked;
  bool KeysRequired();
};

bool HttpServer::Impl::KeysRequired() {
  if (ctx.keys_always_required) return true;
  std::lock_guard<std::mutex> lock(keys_mu);
  const auto now = std::chrono::steady_clock::now();
  if (now - any_keys_checked > std::chrono::seconds(1)) {
    auto any = ctx.store->AnyKeys();
    any_keys = any ? *any : true;  // fail closed
    any_keys_checked = now;
  }
  return any_keys;
}

std::variant<Principal, HttpError> HttpServer::Impl::Authenticate(const httplib::Request& req,
                                                                  const RouteSpec& spec) {
  Principal who;
  if (!spec.needs_auth || !KeysRequired()) return who;
  const std::string token = BearerToken(req);
  if (token.empty())
    return HttpError{401, "unauthenticated",
                     "this server needs an API key: send Authorization: Bearer KEY"};
  auto key = ctx.store->FindKey(token);
  if (!key) return HttpErrorFor(key.error());
  if (!*key) return HttpError{401, "unauthenticated", "unknown or revoked API key"};
  who.open = false;
  who.key = std::move(**key);
  return who;
}

void HttpServer::Impl::Dispatch(Call& call, const RouteSpec& spec,
                                const std::function<Status(Call&)>& handler) {
  const Stopwatch sw;
  auto fail = [&](const HttpError& e) { WriteError(call.res, e, spec.openai); };
  auto finish = [&] {
    ctx.metrics.ObserveRequest(spec.name, call.req.method, call.res.status, sw.Seconds());
  };
  auto auth = Authenticate(call.req, spec);
  if (auto* e = std::get_if<HttpError>(&auth)) {
    fail(*e);
    return finish();
  }
  call.who = std::get<Principal>(auth);
  const std::string caller =
      call.who.open ? "addr:" + call.req.remote_addr : "key:" + std::to_string(call.who.key.id);
  const double rate = !call.who.open && call.who.key.rate_limit > 0 ? call.who.key.rate_limit
                                                                    : ctx.options.rate_limit;
  // Health and readiness probes are never limited: an orchestrator must be
  // able to tell "busy" from "dead".
  if (const double wait = spec.needs_auth ? ctx.limiter.Take(caller, rate) : 0; wait > 0) {
    ctx.metrics.Add("askio_rejected_total", "reason=\"rate_limit\"");
    fail({429, "rate_limited", "rate limit exceeded; retry later",
          static_cast<int>(std::ceil(wait))});
    return finish();
  }
  if (spec.kb_scoped) {
    call.kb_name = call.req.matches.size() > 1 ? call.req.matches[1].str() : "";
    // Outside the key's scope looks exactly like absent: a key for one KB
    // learns nothing about the others.
    if (!call.who.CanSee(call.kb_name)) {
      fail({404, "not_found", "knowledge base '" + call.kb_name + "' does not exist"});
      return finish();
    }
    auto kb = ctx.kbs->Get(call.kb_name);
    if (!kb) {
      fail(HttpErrorFor(kb.error()));
      return finish();
    }
    call.kb = std::move(*kb);
  }
  if (!call.who.Has(spec.role) || (spec.global_admin && !call.who.GlobalAdmin())) {
    fail({403, "permission_denied",
          std::string("this needs ") +
              (spec.global_admin ? "an admin key for all knowledge bases"
                                 : std::string("the ") + RoleName(spec.role) + " role")});
    return finish();
  }
  Status s;
  auto run = [&] {
    try {
      s = handler(call);
    } catch (const nlohmann::json::exception& e) {
      // A field of the wrong JSON type reached a typed read.
      s = Status::InvalidArgument(std::string("bad request body: ") + e.what());
    } catch (const std::exception& e) {
      // A bug, not an input: report it, keep serving.
      s = Status::Internal(std::string("unexpected error: ") + e.what());
    }
  };
  if (!spec.heavy) {
    run();
  } else if (!ctx.gate->Run(run)) {
    ctx.metrics.Add("askio_rejected_total", "reason=\"overloaded\"");
    fail({429, "overloaded", "too many queries in progress; retry shortly", 1});
    return finish();
  }
  if (!s.ok()) fail(HttpErrorFor(s));
  finish();
}

void HttpServer::Impl::ServeStatic(const httplib::Request& req, httplib::Response& res) {
  std::string path = req.path;
  if (path == "/" || path.empty()) path = "/index.html";
  if (!ctx.options.web_dir.empty()) {
    // Development: files from disk, confined to the folder.
    const fs::path root = fs::weakly_canonical(ctx.options.web_dir);
    const fs::path file = fs::weakly_canonical(root / path.substr(1));
    if (file.string().rfind(root.string() + "/", 0) == 0 && fs::is_regular_file(file)) {
      std::ifstream in(file, std::ios::binary);
      std::string body((std::istreambuf_iterator<char>(in)), {});
      res.set_content(body, ContentTypeFor(file.string()));
      res.set_header("Cache-Control", "no-cache");
      return;
    }
  } else if (const WebAsset* asset = FindWebAsset(path)) {
    res.set_content(std::string(asset->body), std::string(asset->content_type));
    res.set_header("Cache-Control", "no-cache");
    return;
  }
  WriteError(res, {404, "not_found", "no such page: " + req.path}, false);
}

void HttpServer::Impl::InstallRoutes() {
  ctx.route = [this](const std::string& method, const std::string& pattern, RouteSpec spec,
                     Handler handler) {
    auto shared_spec = std::make_shared<RouteSpec>(std::move(spec));
    auto fn = [this, shared_spec, handler](const httplib::Request& req, httplib::Response& res) {
      Call call{req, res, {}, {}, nullptr, shared_spec.get()};
      Dispatch(call, *shared_spec, handler);
    };
    if (method == "GET")
      http.Get(pattern, fn);
    else if (method == "POST")
      http.Post(pattern, fn);
    else if (method == "PATCH")
      http.Patch(pattern, fn);
    else if (method == "DELETE")
      http.Delete(pattern, fn);
    else if (method == "PUT")
      http.Put(pattern, fn);
  };
  ctx.upload_route = [this](const std::string& pattern, RouteSpec spec, UploadHandler handler) {
    auto shared_spec = std::make_shared<RouteSpec>(std::move(spec));
    http.Post(pattern,
              [this, shared_spec, handler](const httplib::Request& req, httplib::Response& res,
                                           const httplib::ContentReader& reader) {
                Call call{req, res, {}, {}, nullptr, shared_spec.get()};
                // Authentication and scope are checked before a byte of the body is read.
                Dispatch(call, *shared_spec, [&](Call& c) -> Status { return handler(c, reader); });
              });
  };

  RouteSpec open{.name = "/api/health", .kb_scoped = false, .needs_auth = false};
  ctx.route("GET", "/api/health", open, [](Call& c) -> Status {
    WriteJson(c.res, {{"status", "ok"}, {"version", ASKIO_VERSION}});
    return Status::Ok();
  });
  open.name = "/api/ready";
  ctx.route("GET", "/api/ready", open, [this](Call& c) -> Status {
    const bool ready = ctx.ready && !ctx.stopping;
    WriteJson(c.res, {{"ready", ready}}, ready ? 200 : 503);
    return Status::Ok();
  });
  RouteSpec metrics{
      .name = "/metrics", .role = Role::kAdmin, .global_admin = true, .kb_scoped = false};
  ctx.route("GET", "/metrics", metrics, [this](Call& c) -> Status {
    c.res.set_content(ctx.metrics.Render(), "text/plain; version=0.0.4");
    return Status::Ok();
  });

  RegisterApiRoutes(ctx);
  RegisterOpenAiRoutes(ctx);
  RegisterVoiceRoutes(ctx);

  // Everything else under /api or /v1 is an unknown route, in the right shape.
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;  // a handler already wrote its error
    const bool openai = req.path.rfind("/v1/", 0) == 0;
    if (res.status == 404 &&
        (openai || req.path.rfind("/api/", 0) == 0 || req.path == "/metrics")) {
      WriteError(res, {404, "not_found", "no such route: " + req.method + " " + req.path}, openai);
    } else if (res.status == 413) {
      WriteError(res, {413, "payload_too_large", "the request body is too large"}, openai);
    } else if (res.status == 400) {
      WriteError(res, {400, "invalid_argument", "malformed request"}, openai);
    }
  });
  http.Get(R"(/(?!api/|v1/)[^?]*)", [this](const httplib::Request& req, httplib::Response& res) {
    const Stopwatch sw;
    ServeStatic(req, res);
    ctx.metrics.ObserveRequest("/ (web)", req.method, res.status, sw.Seconds());
  });
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() {
  Stop();
  if (impl_->ctx.jobs) impl_->ctx.jobs->Stop();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const ServeOptions& options) {
  auto impl = std::make_unique<Impl>();
  ServerContext& ctx = impl->ctx;
  ctx.options = options;
  if (options.port < 0 || options.port > 65535)
    return Err(Status::InvalidArgument("port must be 0-65535"));
  auto store = ServerStore::Open(options.data_dir);
  if (!store) return Err(store.error());
  ctx.store = std::move(*store);
  if (!IsLoopbackHost(options.host)) {
    auto any = ctx.store->AnyKeys();
    if (!any) return Err(any.error());
    if (!*any && !options.allow_no_auth)
      return Err(Status::InvalidArgument(
          "refusing to serve " + options.host +
          " without API keys: anyone who can reach it could read and change every knowledge "
          "base. Create a key first (askio keys create --kb '*' --role admin), or pass "
          "--allow-no-auth if this network is trusted."));
    ctx.keys_always_required = !options.allow_no_auth;
  }
  // A broken askio.toml is refused at start, not discovered per request.
  if (auto config = model::LoadModelsConfig(options.config_path, "", model::AskioEnvironment());
      !config)
    return Err(config.error());
  ctx.kbs = std::make_unique<KbRegistry>(options.data_dir, options.config_path);
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  ctx.gate =
      std::make_unique<QueryGate>(options.query_concurrency > 0 ? options.query_concurrency : cores,
                                  options.query_queue, ctx.metrics);
  ctx.jobs = std::make_unique<JobManager>(options.ingest_workers, ctx.metrics);
  ctx.metrics.Set("askio_sse_streams_active", "", 0);
  ctx.metrics.Add("askio_streams_cancelled_total", "", 0);

  httplib::Server& http = impl->http;
  const size_t threads = std::max<size_t>(options.threads, 4);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(options.max_body_bytes);
  const auto timeout = std::chrono::duration<double>(options.timeout_seconds);
  const time_t secs = static_cast<time_t>(timeout.count());
  const time_t usecs = static_cast<time_t>((timeout.count() - secs) * 1e6);
  http.set_read_timeout(secs, usecs);
  http.set_write_timeout(secs, usecs);
  http.set_keep_alive_timeout(5);
  // The library's defaults close a keep-alive connection after 5 requests
  // and listen with a backlog of 5: under load, clients reconnect all the
  // time and SYNs overflow the queue, which costs seconds of retransmission.
  http.set_keep_alive_max_count(1000);
  Impl* listen_owner = impl.get();
  http.set_socket_options([listen_owner](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_owner->listen_fd = sock;
  });
  // Responses go out as headers then body: without this, Nagle's algorithm
  // and the client's delayed ACK add up to 40 ms to a small response.
  http.set_tcp_nodelay(true);
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                            {"Referrer-Policy", "no-referrer"},
                            {"Content-Security-Policy", kContentSecurityPolicy}});
  const uint64_t max_body = options.max_body_bytes;
  // A client that announces a too-large body with Expect: 100-continue is
  // told so before it sends a byte of it.
  http.set_expect_100_continue_handler(
      [max_body](const httplib::Request& req, httplib::Response& res) {
        const std::string len = req.get_header_value("Content-Length");
        if (!len.empty() && std::strtoull(len.c_str(), nullptr, 10) > max_body) {
          WriteError(res, {413, "payload_too_large", "the request body is too large"}, false);
          res.set_header("Connection", "close");
          return 413;
        }
        return 100;
      });
  Impl* raw = impl.get();
  http.set_pre_routing_handler(
      [raw, max_body](const httplib::Request& req, httplib::Response& res) {
        const bool openai = req.path.rfind("/v1/", 0) == 0;
        if (openai) {
          // Browser chat front-ends call /v1 from their own origin with a key.
          res.set_header("Access-Control-Allow-Origin", "*");
          res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
          res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
          if (req.method == "OPTIONS") {
            res.status = 204;
            return httplib::Server::HandlerResponse::Handled;
          }
        }
        if (HeaderBytes(req) > kMaxHeaderBytes) {
          WriteError(res, {431, "headers_too_large", "request headers are over 16 KiB"}, openai);
          res.set_header("Connection", "close");
          return httplib::Server::HandlerResponse::Handled;
        }
        // Refused from the headers: the body is never buffered.
        const std::string len = req.get_header_value("Content-Length");
        if (!len.empty() && std::strtoull(len.c_str(), nullptr, 10) > max_body) {
          raw->ctx.metrics.Add("askio_rejected_total", "reason=\"body_too_large\"");
          WriteError(res,
                     {413, "payload_too_large",
                      "the request body is larger than the server accepts (" +
                          std::to_string(max_body >> 20) + " MiB; askio serve --max-body-mb)"},
                     openai);
          res.set_header("Connection", "close");
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  impl->InstallRoutes();
  RecoverUploads(ctx);
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

Result<int> HttpServer::Bind() {
  auto& i = *impl_;
  if (i.ctx.options.port == 0) {
    i.bound_port = i.http.bind_to_any_port(i.ctx.options.host);
  } else {
    i.bound_port =
        i.http.bind_to_port(i.ctx.options.host, i.ctx.options.port) ? i.ctx.options.port : -1;
  }
  // Linux lets listen() be called again to raise the backlog.
  if (i.bound_port >= 0 && i.listen_fd >= 0) ::listen(i.listen_fd, SOMAXCONN);
  if (i.bound_port < 0)
    return Err(Status::IOError("cannot listen on " + i.ctx.options.host + ":" +
                               std::to_string(i.ctx.options.port) +
                               " (in use, or not an address of this machine)"));
  return i.bound_port;
}

Status HttpServer::Run() {
  auto& i = *impl_;
  if (i.bound_port < 0) {
    auto port = Bind();
    if (!port) return port.error();
  }
  i.ctx.ready = true;
  const bool ok = i.http.listen_after_bind();
  i.ctx.ready = false;
  if (!ok && !i.ctx.stopping) return Status::IOError("the server stopped unexpectedly");
  return Status::Ok();
}

void HttpServer::Stop() {
  impl_->ctx.stopping = true;
  impl_->ctx.ready = false;
  impl_->http.stop();
}

}  // namespace askio::server
