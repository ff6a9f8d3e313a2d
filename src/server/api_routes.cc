// The REST API under /api (docs/api.md): knowledge bases, documents and
// uploads, jobs and their event streams, search, ask (plain and streamed),
// conversations, feedback and keys.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "common/clock.h"
#include "common/utf8.h"
#include "server/http_context.h"

namespace askio::server {
namespace fs = std::filesystem;

namespace {

constexpr const char* kKb = R"(/api/kbs/([^/]+))";
constexpr const char* kNotFoundText =
    "The knowledge base does not contain an answer to this question.";

std::string Pattern(const std::string& suffix) { return std::string(kKb) + suffix; }

// An uploaded file's name as a label: its last path component, valid UTF-8,
// without control characters; never used as a path.
Result<std::string> UploadName(const std::string& raw) {
  std::string name = raw;
  const size_t slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name = name.substr(slash + 1);
  name = utf8::MakeValid(name);
  name.erase(
      std::remove_if(name.begin(), name.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }),
      name.end());
  while (!name.empty() && name.back() == ' ') name.pop_back();
  while (!name.empty() && name.front() == ' ') name.erase(0, 1);
  if (name.empty() || name == "." || name == "..")
    return Err(Status::InvalidArgument("an uploaded file has no usable name"));
  if (name.size() > 255)
    return Err(Status::InvalidArgument("an uploaded file name is over 255 bytes"));
  return name;
}

// Where an upload named `source` is kept: a hash of the name under the KB's
// uploads/ folder, so that no name can point anywhere else.
std::string UploadPath(const KnowledgeBase& kb, const std::string& source) {
  return kb.path() + "/uploads/" + Sha256Hex(source).substr(0, 40);
}

json ReportJson(const IngestReport& r) {
  json files = json::array();
  for (const IngestFileResult& f : r.files) {
    static constexpr const char* kOutcomes[] = {"added", "replaced", "unchanged", "failed"};
    files.push_back({{"path", f.path},
                     {"outcome", kOutcomes[static_cast<int>(f.outcome)]},
                     {"error", f.error},
                     {"type", f.type},
                     {"chunks", f.chunks},
                     {"pages", f.pages}});
  }
  return {{"added", r.added},   {"replaced", r.replaced},     {"unchanged", r.unchanged},
          {"failed", r.failed}, {"pruned", r.pruned},         {"chunks", r.chunks},
          {"bytes", r.bytes},   {"seconds", r.total_seconds}, {"files", files}};
}

int64_t DocumentIdOf(const std::vector<SearchHit>& hits, int64_t chunk_id) {
  for (const SearchHit& h : hits)
    if (h.chunk.id == chunk_id) return h.chunk.document_id;
  return 0;
}

// Parses limit-like numbers from JSON or the query string, within bounds.
Result<size_t> Bounded(const json& body, const httplib::Request& req, const char* key,
                       size_t fallback, size_t max) {
  if (body.contains(key)) {
    if (!body[key].is_number_integer() || body[key].get<int64_t>() < 1 ||
        body[key].get<int64_t>() > static_cast<int64_t>(max))
      return Err(Status::InvalidArgument(std::string(key) + " must be an integer from 1 to " +
                                         std::to_string(max)));
    return body[key].get<size_t>();
  }
  if (req.has_param(key)) {
    auto v = ParseId(req.get_param_value(key), key);
    if (!v || *v < 1 || *v > static_cast<int64_t>(max))
      return Err(Status::InvalidArgument(std::string(key) + " must be an integer from 1 to " +
                                         std::to_string(max)));
    return static_cast<size_t>(*v);
  }
  return fallback;
}

}  // namespace

Result<SearchFilter> FilterFrom(const json& body, const httplib::Request& req) {
  SearchFilter f;
  auto strings = [](const json& v, const char* key, std::vector<std::string>& out) -> Status {
    if (!v.is_array())
      return Status::InvalidArgument(std::string("filter.") + key + " must be a list");
    for (const json& x : v) {
      if (!x.is_string() || x.get<std::string>().empty())
        return Status::InvalidArgument(std::string("filter.") + key +
                                       " must hold non-empty strings");
      out.push_back(x.get<std::string>());
    }
    return Status::Ok();
  };
  if (body.contains("filter") && !body["filter"].is_null()) {
    const json& j = body["filter"];
    if (!j.is_object()) return Err(Status::InvalidArgument("\"filter\" must be an object"));
    for (const auto& [key, v] : j.items()) {
      if (key == "tags") {
        ASKIO_RETURN_IF_ERROR(strings(v, "tags", f.tags));
      } else if (key == "types") {
        ASKIO_RETURN_IF_ERROR(strings(v, "types", f.types));
      } else if (key == "source_prefix") {
        if (!v.is_string())
          return Err(Status::InvalidArgument("filter.source_prefix must be a string"));
        f.source_prefix = v.get<std::string>();
      } else if (key == "document_ids") {
        if (!v.is_array())
          return Err(Status::InvalidArgument("filter.document_ids must be a list"));
        for (const json& x : v) {
          if (!x.is_number_integer())
            return Err(Status::InvalidArgument("filter.document_ids must hold integers"));
          f.document_ids.push_back(x.get<int64_t>());
        }
      } else {
        return Err(Status::InvalidArgument("unknown filter field \"" + key +
                                           "\" (tags, types, source_prefix, document_ids)"));
      }
    }
  }
  for (size_t i = 0; i < req.get_param_value_count("tag"); ++i)
    f.tags.push_back(req.get_param_value("tag", i));
  for (size_t i = 0; i < req.get_param_value_count("type"); ++i)
    f.types.push_back(req.get_param_value("type", i));
  if (req.has_param("source_prefix")) f.source_prefix = req.get_param_value("source_prefix");
  for (size_t i = 0; i < req.get_param_value_count("document_id"); ++i) {
    auto id = ParseId(req.get_param_value("document_id", i), "document_id");
    if (!id) return Err(id.error());
    f.document_ids.push_back(*id);
  }
  return f;
}

namespace {

Result<std::string> RequiredString(const json& body, const char* key) {
  if (!body.contains(key) || !body[key].is_string() || body[key].get<std::string>().empty())
    return Err(Status::InvalidArgument(std::string("\"") + key + "\" is required (a string)"));
  return body[key].get<std::string>();
}

bool WantsStream(const httplib::Request& req, const json& body) {
  if (body.contains("stream") && body["stream"].is_boolean()) return body["stream"].get<bool>();
  return req.get_header_value("Accept").find("text/event-stream") != std::string::npos;
}

// Marks an SSE stream open in the metrics for as long as it lives.
struct StreamGauge {
  Metrics& metrics;
  explicit StreamGauge(Metrics& m) : metrics(m) { metrics.Add("askio_sse_streams_active", "", 1); }
  ~StreamGauge() { metrics.Add("askio_sse_streams_active", "", -1); }
};

void SetSseHeaders(httplib::Response& res) {
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");  // proxies: do not buffer the stream
}

}  // namespace

// ---- JSON for the engine's types ----

namespace {

// When there is no answer, the passages that came closest, so a person can
// judge for themselves (as `askio ask` lists them).
json ClosestJson(const std::vector<SearchHit>& retrieved) {
  json out = json::array();
  for (size_t i = 0; i < retrieved.size() && i < 3; ++i) {
    const SearchHit& h = retrieved[i];
    out.push_back({{"chunk_id", h.chunk.id},
                   {"document_id", h.chunk.document_id},
                   {"title", h.document_title},
                   {"source", h.document_source},
                   {"heading_path", h.chunk.heading_path},
                   {"location", h.chunk.location},
                   {"snippet", h.snippet},
                   {"score", h.score}});
  }
  return out;
}

}  // namespace

json KbJson(const KbStats& s) {
  return {{"name", s.name},
          {"documents", s.documents},
          {"chunks", s.chunks},
          {"text_bytes", s.text_bytes},
          {"weighting", s.weighting},
          {"analyzer", s.analyzer},
          {"created_at", s.created_at}};
}

json DocumentJson(const DocumentInfo& d) {
  return {{"id", d.id},
          {"source", d.source},
          {"title", d.title},
          {"type", d.type},
          {"version", d.version},
          {"chunks", d.chunk_count},
          {"created_at", d.created_at},
          {"updated_at", d.updated_at},
          {"tags", d.tags},
          {"status", "indexed"}};
}

json ChunkJson(const Chunk& c) {
  return {{"id", c.id},     {"document_id", c.document_id},   {"ordinal", c.ordinal},
          {"text", c.text}, {"heading_path", c.heading_path}, {"location", c.location},
          {"page", c.page}, {"char_start", c.char_start},     {"char_end", c.char_end}};
}

json HitJson(const SearchHit& h, bool explain) {
  json highlights = json::array();
  for (const Highlight& hl : h.highlights) highlights.push_back({hl.begin, hl.end});
  json out = {{"chunk_id", h.chunk.id},
              {"document_id", h.chunk.document_id},
              {"title", h.document_title},
              {"source", h.document_source},
              {"heading_path", h.chunk.heading_path},
              {"location", h.chunk.location},
              {"page", h.chunk.page},
              {"score", h.score},
              {"snippet", h.snippet},
              {"highlights", highlights},
              {"text", h.chunk.text},
              {"char_start", h.chunk.char_start},
              {"char_end", h.chunk.char_end}};
  if (explain) {
    json stages = json::array();
    for (const StageScore& s : h.stages) {
      json st = {{"stage", s.stage}, {"score", s.score}};
      if (s.rank > 0) st["rank"] = s.rank;
      stages.push_back(std::move(st));
    }
    out["stages"] = std::move(stages);
  }
  return out;
}

json CitationJson(const Citation& c, int64_t document_id) {
  return {{"number", c.number},          {"chunk_id", c.chunk_id},
          {"document_id", document_id},  {"title", c.document_title},
          {"source", c.document_source}, {"heading_path", c.heading_path},
          {"location", c.location},      {"char_start", c.char_start},
          {"char_end", c.char_end},      {"quote", c.quote}};
}

json AnswerJson(const Answer& a, const std::vector<SearchHit>& retrieved) {
  json citations = json::array();
  for (const Citation& c : a.citations)
    citations.push_back(CitationJson(c, DocumentIdOf(retrieved, c.chunk_id)));
  json out = {{"found", a.found},
              {"text", a.text},
              {"span", a.span},
              {"evidence", a.evidence},
              {"confidence", a.confidence},
              {"reason", a.reason},
              {"citations", citations}};
  if (!a.found) out["closest"] = ClosestJson(retrieved);
  out["generated_by"] = a.generated_by;
  out["grounded"] = a.grounded;
  out["unsupported_claims"] = a.unsupported_claims;
  if (!a.fallback_reason.empty()) out["fallback_reason"] = a.fallback_reason;
  return out;
}

json JobJson(const Job& j) {
  json out = {{"id", j.id},
              {"kb", j.kb},
              {"kind", j.kind},
              {"status", j.status},
              {"names", j.names},
              {"progress",
               {{"files_done", j.progress.files_done},
                {"files_total", j.progress.files_total},
                {"bytes_done", j.progress.bytes_done},
                {"bytes_total", j.progress.bytes_total},
                {"pages_done", j.progress.pages_done},
                {"current", j.progress.current}}},
              {"report", j.report ? ReportJson(*j.report) : json(nullptr)},
              {"error", j.error},
              {"created_at", j.created_at},
              {"started_at", j.started_at},
              {"finished_at", j.finished_at}};
  return out;
}

std::string SseEvent(const std::string& event, const json& data) {
  return "event: " + event +
         "\ndata: " + data.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

std::vector<std::string> StreamPieces(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  size_t i = 0;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(std::move(cur));
    cur.clear();
  };
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    const std::string cp = text.substr(i, len);
    i += len;
    if (cp == "[") {  // a citation marker goes out whole
      flush();
      const size_t close = text.find(']', i);
      if (close != std::string::npos && close - i <= 4) {
        out.push_back("[" + text.substr(i, close - i + 1));
        i = close + 1;
        continue;
      }
      cur = cp;
      continue;
    }
    if (len >= 3) {  // CJK and other wide scripts: a character at a time
      flush();
      out.push_back(cp);
      continue;
    }
    cur += cp;
    if (cp == " " || cp == "\n") flush();
  }
  flush();
  return out;
}

// ---- recovery ----

void RecoverUploads(ServerContext& ctx) {
  auto names = ctx.kbs->Names();
  if (!names) return;
  for (const std::string& name : *names) {
    auto kb = ctx.kbs->Get(name);
    if (!kb) continue;
    const fs::path dir = fs::path((*kb)->path()) / "uploads";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    auto docs = (*kb)->ListDocuments();
    if (!docs) continue;
    std::set<std::string> present;
    for (const DocumentInfo& d : *docs) present.insert(d.source.substr(0, d.source.find("!/")));
    std::vector<FileInput> missing;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string file = entry.path().filename().string();
      if (file.starts_with(".incoming-")) {  // cut off mid-upload: never acknowledged
        fs::remove(entry.path(), ec);
        continue;
      }
      if (!file.ends_with(".name")) continue;
      const std::string data = entry.path().string().substr(0, entry.path().string().size() - 5);
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string source((std::istreambuf_iterator<char>(in)), {});
      if (source.empty() || present.count(source) || !fs::exists(data, ec)) continue;
      missing.push_back({data, source});
    }
    if (missing.empty()) continue;
    std::vector<std::string> labels;
    for (const FileInput& f : missing) labels.push_back(f.source);
    std::shared_ptr<KnowledgeBase> shared = *kb;
    const IngestOptions options = ctx.options.ingest;
    ctx.jobs->Submit(name, "upload", labels,
                     [shared, missing, options](const KnowledgeBase::ProgressFn& progress) {
                       return shared->IngestFiles(missing, options, progress);
                     });
  }
}

// ---- streamed answers from a language model ----

StreamWriter::StreamWriter(httplib::DataSink& sink, std::chrono::milliseconds heartbeat)
    : sink_(sink) {
  heartbeat_ = std::thread([this, heartbeat] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_ && !cancelled_) {
      if (wake_.wait_for(lock, heartbeat, [&] { return stop_; })) break;
      if (!sink_.write(": keep-alive\n\n", 15)) cancelled_ = true;
    }
  });
}

StreamWriter::~StreamWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  heartbeat_.join();
}

bool StreamWriter::Write(const std::string& data) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  if (!sink_.write(data.data(), data.size())) cancelled_ = true;
  return !cancelled_;
}

namespace {

// The answer is generated inside the stream: each token goes to the client as
// the model writes it, and a client that hangs up cancels the model call (the
// next write fails, which sets the flag the provider checks).
Status StreamModelAnswer(ServerContext* c, Call& call, const std::string& question,
                         std::optional<Conversation> conversation, AskOptions options) {
  struct Live {
    bool finished = false;
  };
  auto live = std::make_shared<Live>();
  const auto heartbeat =
      std::chrono::milliseconds(static_cast<int64_t>(c->options.sse_heartbeat_seconds * 1000));
  std::shared_ptr<KnowledgeBase> kb = call.kb;
  const std::string message_id = conversation ? "m_" + RandomHex(8) : "";
  const std::string conversation_id = conversation ? conversation->id : "";
  SetSseHeaders(call.res);
  auto gauge = std::make_shared<StreamGauge>(c->metrics);
  call.res.set_chunked_content_provider(
      "text/event-stream",
      [c, kb, live, question, conversation, options, message_id, conversation_id, gauge, heartbeat](
          size_t, httplib::DataSink& sink) mutable {
        if (live->finished) {
          sink.done();
          return true;
        }
        live->finished = true;
        const Stopwatch sw;
        StreamWriter writer(sink, heartbeat);
        auto send = [&](const std::string& event, const json& data) {
          return writer.Write(SseEvent(event, data));
        };
        if (!send("meta", {{"conversation_id", conversation_id}, {"message_id", message_id}}))
          return false;
        bool streamed = false;
        options.cancelled = writer.cancelled();
        options.on_token = [&](std::string_view piece) {
          streamed = true;
          return send("token", {{"text", std::string(piece)}});
        };
        std::vector<SearchHit> retrieved;
        auto answer = kb->Ask(question, options, &retrieved);
        if (writer.is_cancelled()) return false;  // the client left; nothing more to say
        if (!answer) {
          const HttpError e = HttpErrorFor(answer.error());
          send("error", {{"code", e.code}, {"message", e.message}});
          sink.done();
          return true;
        }
        const std::string shown = answer->found ? answer->text : kNotFoundText;
        // The built-in reader answered (nothing relevant, or the model
        // failed): its text goes out the same way.
        if (!streamed)
          for (const std::string& piece : StreamPieces(shown))
            if (!send("token", {{"text", piece}})) return false;
        json answer_json = AnswerJson(*answer, retrieved);
        json cited = {{"found", answer->found},
                      {"confidence", answer->confidence},
                      {"citations", answer_json["citations"]},
                      {"generated_by", answer->generated_by},
                      {"grounded", answer->grounded},
                      {"unsupported_claims", answer->unsupported_claims}};
        if (!answer->fallback_reason.empty()) cited["fallback_reason"] = answer->fallback_reason;
        if (!answer->found) {
          cited["reason"] = answer->reason;
          cited["closest"] = answer_json["closest"];
        }
        if (conversation) {
          (void)c->store->AddMessage(conversation->id, "user", question, "[]", false);
          (void)c->store->AddMessage(conversation->id, "assistant", shown,
                                     answer_json["citations"].dump(), answer->found, message_id);
        }
        if (!send("citations", cited)) return false;
        if (!send("done", {{"message_id", message_id}, {"took_ms", sw.Seconds() * 1000}}))
          return false;
        sink.done();
        return true;
      },
      [c, gauge](bool success) {
        if (!success) c->metrics.Add("askio_streams_cancelled_total", "");
      });
  return Status::Ok();
}

}  // namespace

// ---- routes ----

void RegisterApiRoutes(ServerContext& ctx) {
  ServerContext* const c = &ctx;
  const RouteSpec reader{.name = "", .role = Role::kReader};
  auto spec = [](std::string name, Role role, bool heavy = false) {
    return RouteSpec{.name = std::move(name), .role = role, .heavy = heavy};
  };
  auto global = [](std::string name, Role role, bool admin = false) {
    return RouteSpec{
        .name = std::move(name), .role = role, .global_admin = admin, .kb_scoped = false};
  };
  (void)reader;

  // -- knowledge bases --
  ctx.route("GET", "/api/kbs", global("/api/kbs", Role::kReader), [c](Call& call) -> Status {
    auto names = c->kbs->Names();
    if (!names) return names.error();
    json list = json::array();
    for (const std::string& name : *names) {
      if (!call.who.CanSee(name)) continue;
      auto kb = c->kbs->Get(name);
      if (!kb) continue;  // deleted meanwhile
      auto stats = (*kb)->Stats();
      if (stats) list.push_back(KbJson(*stats));
    }
    WriteJson(call.res, {{"knowledge_bases", list}});
    return Status::Ok();
  });
  ctx.route("POST", "/api/kbs", global("/api/kbs", Role::kAdmin, true), [c](Call& call) -> Status {
    auto body = ParseJsonBody(call.req);
    if (!body) return body.error();
    auto name = RequiredString(*body, "name");
    if (!name) return name.error();
    auto kb = c->kbs->Create(*name);
    if (!kb) return kb.error();
    if (body->contains("weighting")) {
      if (!(*body)["weighting"].is_string())
        return Status::InvalidArgument("\"weighting\" must be a string");
      ASKIO_RETURN_IF_ERROR((*kb)->SetWeighting((*body)["weighting"].get<std::string>()));
    }
    auto stats = (*kb)->Stats();
    if (!stats) return stats.error();
    WriteJson(call.res, KbJson(*stats), 201);
    return Status::Ok();
  });
  ctx.route("GET", Pattern(""), spec("/api/kbs/{kb}", Role::kReader), [](Call& call) -> Status {
    auto stats = call.kb->Stats();
    if (!stats) return stats.error();
    WriteJson(call.res, KbJson(*stats));
    return Status::Ok();
  });
  ctx.route("PATCH", Pattern(""), spec("/api/kbs/{kb}", Role::kAdmin), [](Call& call) -> Status {
    auto body = ParseJsonBody(call.req);
    if (!body) return body.error();
    for (const auto& [key, value] : body->items())
      if (key != "weighting")
        return Status::InvalidArgument("unknown setting \"" + key + "\" (settable: weighting)");
    if (body->contains("weighting")) {
      if (!(*body)["weighting"].is_string())
        return Status::InvalidArgument("\"weighting\" must be a string");
      ASKIO_RETURN_IF_ERROR(call.kb->SetWeighting((*body)["weighting"].get<std::string>()));
    }
    auto stats = call.kb->Stats();
    if (!stats) return stats.error();
    WriteJson(call.res, KbJson(*stats));
    return Status::Ok();
  });
  ctx.route("DELETE", Pattern(""), spec("/api/kbs/{kb}", Role::kAdmin), [c](Call& call) -> Status {
    call.kb.reset();
    ASKIO_RETURN_IF_ERROR(c->kbs->Delete(call.kb_name));
    ASKIO_RETURN_IF_ERROR(c->store->DeleteKbData(call.kb_name));
    call.res.status = 204;
    return Status::Ok();
  });

  // -- documents --
  ctx.upload_route(
      Pattern("/documents"), spec("/api/kbs/{kb}/documents (upload)", Role::kEditor),
      [c](Call& call, const httplib::ContentReader& read) -> Status {
        if (!call.req.is_multipart_form_data())
          return Status::InvalidArgument(
              "upload files as multipart/form-data (curl -F files=@FILE ...)");
        const std::string dir = call.kb->path() + "/uploads";
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) return Status::IOError("cannot create " + dir + ": " + ec.message());
        // Each part is streamed to a temporary file, then renamed into place
        // once complete; nothing is held in memory.
        struct Part {
          std::string name, temp;
          uint64_t bytes = 0;
        };
        std::vector<Part> parts;
        std::ofstream out;
        Status failure;
        // "tags": comma-separated tags for every file of the upload.
        constexpr size_t kMaxTagsField = 8192;
        std::string tags_field;
        bool in_tags_field = false;
        auto close_current = [&] {
          if (out.is_open()) {
            out.close();
            if (!out && failure.ok())
              failure = Status::IOError("cannot write upload " + parts.back().name);
          }
        };
        const bool ok = read(
            [&](const httplib::MultipartFormData& part) {
              close_current();
              if (!failure.ok()) return false;
              in_tags_field = part.filename.empty() && part.name == "tags";
              if (part.filename.empty()) {  // a plain form field: only "tags" is read
                parts.push_back({"", "", 0});
                return true;
              }
              auto name = UploadName(part.filename);
              if (!name) {
                failure = name.error();
                return false;
              }
              Part p{*name, dir + "/.incoming-" + RandomHex(12), 0};
              out.open(p.temp, std::ios::binary | std::ios::trunc);
              if (!out) {
                failure = Status::IOError("cannot write " + p.temp);
                return false;
              }
              parts.push_back(std::move(p));
              return true;
            },
            [&](const char* data, size_t len) {
              if (in_tags_field) {
                tags_field.append(data, std::min<size_t>(len, kMaxTagsField - tags_field.size()));
                return true;
              }
              if (parts.empty() || parts.back().temp.empty()) return true;
              out.write(data, static_cast<std::streamsize>(len));
              parts.back().bytes += len;
              if (!out) {
                failure = Status::IOError("cannot write upload (disk full?)");
                return false;
              }
              return true;
            });
        close_current();
        auto discard = [&] {
          for (const Part& p : parts)
            if (!p.temp.empty()) fs::remove(p.temp, ec);
        };
        if (!failure.ok() || !ok) {
          discard();
          return failure.ok() ? Status::InvalidArgument("the upload was cut short or malformed")
                              : failure;
        }
        parts.erase(std::remove_if(parts.begin(), parts.end(),
                                   [](const Part& p) { return p.temp.empty(); }),
                    parts.end());
        if (parts.empty())
          return Status::InvalidArgument("no files in the upload (send parts named \"files\")");
        IngestOptions options = c->options.ingest;
        for (size_t begin = 0; begin <= tags_field.size();) {
          size_t end = tags_field.find(',', begin);
          if (end == std::string::npos) end = tags_field.size();
          std::string tag = tags_field.substr(begin, end - begin);
          tag.erase(0, tag.find_first_not_of(" \t\r\n"));
          tag.erase(tag.find_last_not_of(" \t\r\n") + 1);
          if (!tag.empty()) options.tags.push_back(std::move(tag));
          begin = end + 1;
        }
        if (Status s = ValidateTags(options.tags); !s.ok()) {
          discard();
          return s;
        }
        std::vector<FileInput> inputs;
        json files = json::array();
        std::vector<std::string> names;
        for (const Part& p : parts) {
          const std::string path = UploadPath(*call.kb, p.name);
          // The name beside the bytes, so that a restart can finish an
          // upload that was accepted but not yet ingested (RecoverUploads).
          std::ofstream label(path + ".name", std::ios::binary | std::ios::trunc);
          label << p.name;
          label.close();
          if (label) fs::rename(p.temp, path, ec);
          if (!label || ec) {
            discard();
            return Status::IOError("cannot store upload " + p.name +
                                   (ec ? ": " + ec.message() : std::string(" (disk full?)")));
          }
          inputs.push_back({path, p.name});
          names.push_back(p.name);
          files.push_back({{"name", p.name}, {"bytes", p.bytes}});
        }
        std::shared_ptr<KnowledgeBase> kb = call.kb;
        const Job job =
            c->jobs->Submit(call.kb_name, "upload", names,
                            [kb, inputs, options](const KnowledgeBase::ProgressFn& progress) {
                              return kb->IngestFiles(inputs, options, progress);
                            });
        WriteJson(call.res, {{"job", JobJson(job)}, {"files", files}}, 202);
        return Status::Ok();
      });

  ctx.route("POST", Pattern("/documents/url"), spec("/api/kbs/{kb}/documents/url", Role::kEditor),
            [c](Call& call) -> Status {
              auto body = ParseJsonBody(call.req);
              if (!body) return body.error();
              auto url = RequiredString(*body, "url");
              if (!url) return url.error();
              if (url->rfind("http://", 0) != 0 && url->rfind("https://", 0) != 0)
                return Status::InvalidArgument("only http:// and https:// URLs can be ingested");
              std::shared_ptr<KnowledgeBase> kb = call.kb;
              const IngestOptions options = c->options.ingest;
              const UrlOptions url_options = c->options.url;
              const std::string u = *url;
              const Job job =
                  c->jobs->Submit(call.kb_name, "url", {u},
                                  [kb, u, options, url_options](const KnowledgeBase::ProgressFn&) {
                                    return kb->IngestUrl(u, url_options, options);
                                  });
              WriteJson(call.res, {{"job", JobJson(job)}}, 202);
              return Status::Ok();
            });

  ctx.route(
      "GET", Pattern("/documents"), spec("/api/kbs/{kb}/documents", Role::kReader),
      [c](Call& call) -> Status {
        auto docs = call.kb->ListDocuments();
        if (!docs) return docs.error();
        json list = json::array();
        for (const DocumentInfo& d : *docs) list.push_back(DocumentJson(d));
        // Files still on their way in, and the ones that did not make it.
        json pending = json::array();
        for (const Job& j : c->jobs->List(call.kb_name)) {
          if (!j.finished()) {
            for (const std::string& n : j.names)
              pending.push_back({{"name", n},
                                 {"status", j.status == "queued" ? "queued" : "processing"},
                                 {"job_id", j.id},
                                 {"error", ""}});
          } else if (j.report) {
            for (const IngestFileResult& f : j.report->files)
              if (f.outcome == IngestFileResult::Outcome::kFailed)
                pending.push_back(
                    {{"name", f.path}, {"status", "failed"}, {"job_id", j.id}, {"error", f.error}});
          } else if (j.status == "failed") {
            for (const std::string& n : j.names)
              pending.push_back(
                  {{"name", n}, {"status", "failed"}, {"job_id", j.id}, {"error", j.error}});
          }
        }
        WriteJson(call.res, {{"documents", list}, {"pending", pending}});
        return Status::Ok();
      });

  ctx.route("GET", Pattern(R"(/documents/(\d+))"),
            spec("/api/kbs/{kb}/documents/{id}", Role::kReader), [](Call& call) -> Status {
              auto id = ParseId(call.req.matches[2].str(), "document");
              if (!id) return id.error();
              auto doc = call.kb->GetDocument(*id);
              if (!doc) return doc.error();
              auto chunks = call.kb->DocumentChunks(*id);
              if (!chunks) return chunks.error();
              json list = json::array();
              for (const Chunk& ch : *chunks) list.push_back(ChunkJson(ch));
              WriteJson(call.res, {{"document", DocumentJson(*doc)}, {"chunks", list}});
              return Status::Ok();
            });

  ctx.route("DELETE", Pattern(R"(/documents/(\d+))"),
            spec("/api/kbs/{kb}/documents/{id}", Role::kEditor), [](Call& call) -> Status {
              auto id = ParseId(call.req.matches[2].str(), "document");
              if (!id) return id.error();
              auto doc = call.kb->GetDocument(*id);
              if (!doc) return doc.error();
              ASKIO_RETURN_IF_ERROR(call.kb->DeleteDocument(*id));
              // Its stored upload goes with it (archives keep theirs: other
              // members may still be in the KB).
              std::error_code ec;
              fs::remove(UploadPath(*call.kb, doc->source), ec);
              fs::remove(UploadPath(*call.kb, doc->source) + ".name", ec);
              WriteJson(call.res, {{"deleted", *id}});
              return Status::Ok();
            });

  ctx.route("PATCH", Pattern(R"(/documents/(\d+))"),
            spec("/api/kbs/{kb}/documents/{id}", Role::kEditor), [](Call& call) -> Status {
              auto id = ParseId(call.req.matches[2].str(), "document");
              if (!id) return id.error();
              auto body = ParseJsonBody(call.req);
              if (!body) return body.error();
              if (!body->contains("tags") || !(*body)["tags"].is_array())
                return Status::InvalidArgument("\"tags\" (a list of strings) is required");
              std::vector<std::string> tags;
              for (const json& t : (*body)["tags"]) {
                if (!t.is_string()) return Status::InvalidArgument("tags must be strings");
                tags.push_back(t.get<std::string>());
              }
              ASKIO_RETURN_IF_ERROR(call.kb->SetDocumentTags(*id, tags));
              auto doc = call.kb->GetDocument(*id);
              if (!doc) return doc.error();
              WriteJson(call.res, {{"document", DocumentJson(*doc)}});
              return Status::Ok();
            });

  ctx.route("POST", Pattern(R"(/documents/(\d+)/reingest)"),
            spec("/api/kbs/{kb}/documents/{id}/reingest", Role::kEditor),
            [c](Call& call) -> Status {
              auto id = ParseId(call.req.matches[2].str(), "document");
              if (!id) return id.error();
              auto doc = call.kb->GetDocument(*id);
              if (!doc) return doc.error();
              IngestOptions options = c->options.ingest;
              options.force = true;
              std::shared_ptr<KnowledgeBase> kb = call.kb;
              // An archive member is read again from its archive.
              const std::string source = doc->source.substr(0, doc->source.find("!/"));
              JobManager::Work work;
              std::error_code ec;
              if (const std::string upload = UploadPath(*kb, source); fs::exists(upload, ec)) {
                work = [kb, upload, source, options](const KnowledgeBase::ProgressFn& p) {
                  return kb->IngestFiles({{upload, source}}, options, p);
                };
              } else if (source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0) {
                const UrlOptions url_options = c->options.url;
                work = [kb, source, options, url_options](const KnowledgeBase::ProgressFn&) {
                  return kb->IngestUrl(source, url_options, options);
                };
              } else if (!source.empty() && source[0] == '/' && fs::is_regular_file(source, ec)) {
                work = [kb, source, options](const KnowledgeBase::ProgressFn& p) {
                  return kb->IngestFiles({{source, source}}, options, p);
                };
              } else {
                return Status::NotFound("the source of document " + std::to_string(*id) + " (" +
                                        doc->source + ") is no longer available to read again");
              }
              const Job job = c->jobs->Submit(call.kb_name, "reingest", {doc->source}, work);
              WriteJson(call.res, {{"job", JobJson(job)}}, 202);
              return Status::Ok();
            });

  ctx.route("GET", Pattern(R"(/chunks/(\d+))"), spec("/api/kbs/{kb}/chunks/{id}", Role::kReader),
            [](Call& call) -> Status {
              auto id = ParseId(call.req.matches[2].str(), "chunk");
              if (!id) return id.error();
              auto hit = call.kb->GetChunk(*id);
              if (!hit) return hit.error();
              json out = ChunkJson(hit->chunk);
              out["document"] = {{"id", hit->chunk.document_id},
                                 {"title", hit->document_title},
                                 {"source", hit->document_source}};
              WriteJson(call.res, out);
              return Status::Ok();
            });

  // -- jobs --
  ctx.route("GET", Pattern("/jobs"), spec("/api/kbs/{kb}/jobs", Role::kEditor),
            [c](Call& call) -> Status {
              json list = json::array();
              for (const Job& j : c->jobs->List(call.kb_name)) list.push_back(JobJson(j));
              WriteJson(call.res, {{"jobs", list}});
              return Status::Ok();
            });
  ctx.route("GET", Pattern(R"(/jobs/(\d+))"), spec("/api/kbs/{kb}/jobs/{id}", Role::kEditor),
            [c](Call& call) -> Status {
              auto id = ParseId(call.req.matches[2].str(), "job");
              if (!id) return id.error();
              auto job = c->jobs->Get(call.kb_name, *id);
              if (!job) return Status::NotFound("no job " + std::to_string(*id));
              WriteJson(call.res, JobJson(*job));
              return Status::Ok();
            });
  ctx.route("DELETE", Pattern(R"(/jobs/(\d+))"), spec("/api/kbs/{kb}/jobs/{id}", Role::kEditor),
            [c](Call& call) -> Status {
              auto id = ParseId(call.req.matches[2].str(), "job");
              if (!id) return id.error();
              ASKIO_RETURN_IF_ERROR(c->jobs->Forget(call.kb_name, *id));
              call.res.status = 204;
              return Status::Ok();
            });
  ctx.route("GET", Pattern(R"(/jobs/(\d+)/events)"),
            spec("/api/kbs/{kb}/jobs/{id}/events", Role::kEditor), [c](Call& call) -> Status {
              auto id = ParseId(call.req.matches[2].str(), "job");
              if (!id) return id.error();
              auto job = c->jobs->Get(call.kb_name, *id);
              if (!job) return Status::NotFound("no job " + std::to_string(*id));
              SetSseHeaders(call.res);
              auto gauge = std::make_shared<StreamGauge>(c->metrics);
              auto seen = std::make_shared<uint64_t>(0);
              const std::string kb = call.kb_name;
              const int64_t job_id = *id;
              const auto heartbeat = std::chrono::milliseconds(
                  static_cast<int64_t>(c->options.sse_heartbeat_seconds * 1000));
              call.res.set_chunked_content_provider(
                  "text/event-stream",
                  [c, gauge, seen, kb, job_id, heartbeat](size_t, httplib::DataSink& sink) {
                    auto j = c->jobs->WaitForChange(kb, job_id, *seen, heartbeat);
                    if (!j || c->stopping) {
                      sink.done();
                      return true;
                    }
                    if (j->version == *seen) {
                      // Idle: a comment keeps proxies from timing out and tells us
                      // whether the client is still there.
                      return sink.write(": keep-alive\n\n", 15);
                    }
                    *seen = j->version;
                    const std::string ev =
                        SseEvent(j->finished() ? "done" : "progress", JobJson(*j));
                    if (!sink.write(ev.data(), ev.size())) return false;
                    if (j->finished()) sink.done();
                    return true;
                  },
                  [c, gauge](bool success) {
                    if (!success) c->metrics.Add("askio_streams_cancelled_total", "");
                  });
              return Status::Ok();
            });

  // -- knowledge graph --
  ctx.route("GET", Pattern("/graph"), spec("/api/kbs/{kb}/graph", Role::kReader),
            [](Call& call) -> Status {
              auto st = call.kb->GraphStatistics();
              if (!st) return st.error();
              json types = json::object();
              for (const auto& [type, n] : st->by_type) types[type] = n;
              WriteJson(call.res, {{"enabled", st->enabled},
                                   {"entities", st->entities},
                                   {"aliases", st->aliases},
                                   {"mentions", st->mentions},
                                   {"relations", st->relations},
                                   {"cooccurrences", st->cooccurrences},
                                   {"edges", st->edges},
                                   {"chunks", st->chunks},
                                   {"documents", st->documents},
                                   {"by_type", types}});
              return Status::Ok();
            });
  // Building reads every chunk: a job, with progress, like an upload.
  ctx.route("POST", Pattern("/graph/build"), spec("/api/kbs/{kb}/graph/build", Role::kEditor),
            [c](Call& call) -> Status {
              // {"use_model": true} extracts with the KB's chat model (see
              // GET .../graph/estimate first); the rules otherwise.
              GraphBuildOptions options;
              if (!call.req.body.empty()) {
                auto body = ParseJsonBody(call.req);
                if (!body) return body.error();
                if (body->contains("use_model")) {
                  if (!(*body)["use_model"].is_boolean())
                    return Status::InvalidArgument("use_model must be true or false");
                  options.use_model = (*body)["use_model"].get<bool>();
                }
              }
              if (options.use_model && !call.kb->models().llm)
                return Status::InvalidArgument(
                    "no chat model is configured for this knowledge base ([llm] in askio.toml)");
              std::shared_ptr<KnowledgeBase> kb = call.kb;
              const Job job = c->jobs->Submit(
                  call.kb_name, "graph", {"knowledge graph"},
                  [kb, options](const KnowledgeBase::ProgressFn& progress) -> Result<IngestReport> {
                    auto r = kb->BuildGraph(options, [&](int64_t done, int64_t total) {
                      IngestProgress p;
                      p.files_done = static_cast<size_t>(done);
                      p.files_total = static_cast<size_t>(total);
                      p.current = "extracting entities and relations";
                      if (progress) progress(p);
                    });
                    if (!r) return Err(r.error());
                    IngestReport report;
                    report.chunks = r->extracted;
                    report.unchanged = r->cached;
                    report.total_seconds = r->seconds;
                    return report;
                  });
              WriteJson(call.res, {{"job", JobJson(job)}}, 202);
              return Status::Ok();
            });
  ctx.route("GET", Pattern("/graph/estimate"), spec("/api/kbs/{kb}/graph/estimate", Role::kEditor),
            [](Call& call) -> Status {
              GraphBuildOptions options;
              options.use_model = true;
              auto e = call.kb->EstimateGraphBuild(options);
              if (!e) return e.error();
              WriteJson(call.res, {{"model", e->model},
                                   {"chunks", e->chunks},
                                   {"requests", e->requests},
                                   {"input_tokens", e->input_tokens},
                                   {"output_tokens", e->output_tokens}});
              return Status::Ok();
            });
  ctx.route("DELETE", Pattern("/graph"), spec("/api/kbs/{kb}/graph", Role::kAdmin),
            [](Call& call) -> Status {
              ASKIO_RETURN_IF_ERROR(call.kb->ClearGraph());
              call.res.status = 204;
              return Status::Ok();
            });
  ctx.route("GET", Pattern("/graph/entity"), spec("/api/kbs/{kb}/graph/entity", Role::kReader),
            [](Call& call) -> Status {
              const std::string name = call.req.get_param_value("name");
              if (name.empty()) return Status::InvalidArgument("?name= is required");
              auto limit = Bounded(json::object(), call.req, "limit", 20, 200);
              if (!limit) return limit.error();
              // A lookup by name: no such entity is an empty answer, not an
              // error (the UI asks as people type names).
              auto e = call.kb->FindEntity(name);
              if (!e && e.error().code() == StatusCode::kNotFound) {
                WriteJson(call.res, {{"entity", nullptr}, {"neighbours", json::array()}});
                return Status::Ok();
              }
              if (!e) return e.error();
              auto neighbours = call.kb->EntityNeighbours(e->id, *limit);
              if (!neighbours) return neighbours.error();
              auto entity_json = [](const GraphEntity& x) {
                return json{{"id", x.id},
                            {"name", x.name},
                            {"type", x.type},
                            {"aliases", x.aliases},
                            {"merge_reasons", x.merge_reasons},
                            {"mentions", x.mentions},
                            {"chunks", x.chunks}};
              };
              json list = json::array();
              for (const GraphNeighbour& n : *neighbours) {
                json labels = json::array(), evidence = json::array();
                for (const GraphEdgeLabel& l : n.labels)
                  labels.push_back({{"predicate", l.predicate},
                                    {"outgoing", l.outgoing},
                                    {"cooccurs", l.cooccurs},
                                    {"count", l.count}});
                for (const GraphEvidence& ev : n.evidence)
                  evidence.push_back({{"chunk_id", ev.chunk_id},
                                      {"title", ev.document_title},
                                      {"source", ev.document_source},
                                      {"sentence", ev.sentence}});
                list.push_back({{"entity", entity_json(n.entity)},
                                {"weight", n.weight},
                                {"labels", labels},
                                {"evidence", evidence}});
              }
              WriteJson(call.res, {{"entity", entity_json(*e)}, {"neighbours", list}});
              return Status::Ok();
            });
  ctx.route("GET", Pattern("/graph/export"), spec("/api/kbs/{kb}/graph/export", Role::kReader),
            [](Call& call) -> Status {
              const std::string format =
                  call.req.has_param("format") ? call.req.get_param_value("format") : "json";
              auto text = call.kb->ExportGraph(format);
              if (!text) return text.error();
              call.res.set_header("Content-Disposition",
                                  "attachment; filename=\"" + call.kb_name + "-graph." +
                                      (format == "graphml" ? "graphml" : "json") + "\"");
              call.res.set_content(
                  *text, format == "graphml" ? "application/graphml+xml" : "application/json");
              return Status::Ok();
            });

  // -- search and ask --
  auto search = [](Call& call) -> Status {
    json body = json::object();
    if (call.req.method == "POST") {
      auto parsed = ParseJsonBody(call.req);
      if (!parsed) return parsed.error();
      body = std::move(*parsed);
    }
    std::string query;
    if (body.contains("query") && body["query"].is_string())
      query = body["query"];
    else if (call.req.has_param("q"))
      query = call.req.get_param_value("q");
    if (query.empty()) return Status::InvalidArgument("\"query\" is required (or ?q=)");
    auto limit = Bounded(body, call.req, "limit", 10, 100);
    if (!limit) return limit.error();
    const bool explain =
        (body.contains("explain") && body["explain"].is_boolean() && body["explain"].get<bool>()) ||
        call.req.get_param_value("explain") == "1";
    SearchOptions o;
    o.limit = *limit;
    auto filter = FilterFrom(body, call.req);
    if (!filter) return filter.error();
    o.filter = std::move(*filter);
    const Stopwatch sw;
    auto hits = call.kb->Search(query, o);
    if (!hits) return hits.error();
    json list = json::array();
    for (const SearchHit& h : *hits) list.push_back(HitJson(h, explain));
    WriteJson(call.res, {{"hits", list}, {"took_ms", sw.Seconds() * 1000}});
    return Status::Ok();
  };
  ctx.route("POST", Pattern("/search"), spec("/api/kbs/{kb}/search", Role::kReader, true), search);
  ctx.route("GET", Pattern("/search"), spec("/api/kbs/{kb}/search", Role::kReader, true), search);

  auto ask = [c](Call& call) -> Status {
    json body = json::object();
    if (call.req.method == "POST") {
      auto parsed = ParseJsonBody(call.req);
      if (!parsed) return parsed.error();
      body = std::move(*parsed);
    }
    std::string question;
    if (body.contains("question") && body["question"].is_string())
      question = body["question"];
    else if (call.req.has_param("q"))
      question = call.req.get_param_value("q");
    if (question.empty()) return Status::InvalidArgument("\"question\" is required (or ?q=)");
    auto filter = FilterFrom(body, call.req);
    if (!filter) return filter.error();
    const Stopwatch sw;
    // Conversations are recorded for POST (the UI and API clients); a GET
    // is a stateless lookup.
    std::optional<Conversation> conversation;
    if (call.req.method == "POST") {
      if (body.contains("conversation_id") && body["conversation_id"].is_string() &&
          !body["conversation_id"].get<std::string>().empty()) {
        auto found = c->store->GetConversation(call.kb_name, call.who.id(),
                                               body["conversation_id"].get<std::string>());
        if (!found) return found.error();
        if (!*found)
          return Status::NotFound("no conversation " + body["conversation_id"].get<std::string>());
        conversation = std::move(**found);
      } else {
        auto started =
            c->store->StartConversation(call.kb_name, call.who.id(), question.substr(0, 200));
        if (!started) return started.error();
        conversation = std::move(*started);
      }
    }
    // Earlier turns make follow-ups answerable ("who leads it?").
    AskOptions ask_options;
    ask_options.filter = std::move(*filter);
    if (conversation) {
      auto earlier = c->store->Messages(conversation->id);
      if (!earlier) return earlier.error();
      for (size_t i = 0; i + 1 < earlier->size(); ++i)
        if ((*earlier)[i].role == "user" && (*earlier)[i + 1].role == "assistant")
          ask_options.history.emplace_back((*earlier)[i].content, (*earlier)[i + 1].content);
    }
    if (WantsStream(call.req, body) && call.kb->models().llm) {
      return StreamModelAnswer(c, call, question, conversation, std::move(ask_options));
    }
    std::vector<SearchHit> retrieved;
    auto answer = call.kb->Ask(question, ask_options, &retrieved);
    if (!answer) return answer.error();
    json answer_json = AnswerJson(*answer, retrieved);
    std::string message_id;
    // What a person reads: the answer, or the same plain sentence the CLI
    // prints when there is none (the reason and closest passages go with it).
    const std::string shown = answer->found ? answer->text : kNotFoundText;
    if (conversation) {
      auto q = c->store->AddMessage(conversation->id, "user", question, "[]", false);
      if (!q) return q.error();
      auto a = c->store->AddMessage(conversation->id, "assistant", shown,
                                    answer_json["citations"].dump(), answer->found);
      if (!a) return a.error();
      message_id = a->id;
    }
    const std::string conversation_id = conversation ? conversation->id : "";
    if (!WantsStream(call.req, body)) {
      WriteJson(call.res, {{"answer", answer_json},
                           {"conversation_id", conversation_id},
                           {"message_id", message_id},
                           {"took_ms", sw.Seconds() * 1000}});
      return Status::Ok();
    }
    // Streamed: the answer goes out piece by piece, then its citations. The
    // extractive reader has the whole answer at once; an LLM (later) will
    // produce the pieces as it generates, through this same stream.
    SetSseHeaders(call.res);
    struct StreamState {
      std::vector<std::string> events;
      size_t next = 0;
    };
    auto state = std::make_shared<StreamState>();
    state->events.push_back(
        SseEvent("meta", {{"conversation_id", conversation_id}, {"message_id", message_id}}));
    for (const std::string& piece : StreamPieces(shown))
      state->events.push_back(SseEvent("token", {{"text", piece}}));
    json cited = {{"found", answer->found},
                  {"confidence", answer->confidence},
                  {"citations", answer_json["citations"]}};
    if (!answer->found) {
      cited["reason"] = answer->reason;
      cited["closest"] = answer_json["closest"];
    }
    state->events.push_back(SseEvent("citations", cited));
    state->events.push_back(
        SseEvent("done", {{"message_id", message_id}, {"took_ms", sw.Seconds() * 1000}}));
    auto gauge = std::make_shared<StreamGauge>(c->metrics);
    call.res.set_chunked_content_provider(
        "text/event-stream",
        [state, gauge](size_t, httplib::DataSink& sink) {
          if (state->next >= state->events.size()) {
            sink.done();
            return true;
          }
          const std::string& ev = state->events[state->next++];
          return sink.write(ev.data(), ev.size());  // false: the client left; stop
        },
        [c, gauge](bool success) {
          if (!success) c->metrics.Add("askio_streams_cancelled_total", "");
        });
    return Status::Ok();
  };
  ctx.route("POST", Pattern("/ask"), spec("/api/kbs/{kb}/ask", Role::kReader, true), ask);
  ctx.route("GET", Pattern("/ask"), spec("/api/kbs/{kb}/ask", Role::kReader, true), ask);

  // -- conversations and feedback --
  ctx.route("GET", Pattern("/conversations"), spec("/api/kbs/{kb}/conversations", Role::kReader),
            [c](Call& call) -> Status {
              auto list = c->store->ListConversations(call.kb_name, call.who.id());
              if (!list) return list.error();
              json out = json::array();
              for (const Conversation& conv : *list)
                out.push_back({{"id", conv.id},
                               {"title", conv.title},
                               {"messages", conv.messages},
                               {"created_at", conv.created_at},
                               {"updated_at", conv.updated_at}});
              WriteJson(call.res, {{"conversations", out}});
              return Status::Ok();
            });
  ctx.route("GET", Pattern(R"(/conversations/([A-Za-z0-9_]+))"),
            spec("/api/kbs/{kb}/conversations/{id}", Role::kReader), [c](Call& call) -> Status {
              const std::string id = call.req.matches[2].str();
              auto conv = c->store->GetConversation(call.kb_name, call.who.id(), id);
              if (!conv) return conv.error();
              if (!*conv) return Status::NotFound("no conversation " + id);
              auto messages = c->store->Messages(id);
              if (!messages) return messages.error();
              json list = json::array();
              for (const Message& m : *messages) {
                json citations = json::parse(m.citations_json, nullptr, false);
                list.push_back({{"id", m.id},
                                {"role", m.role},
                                {"content", m.content},
                                {"citations", citations.is_discarded() ? json::array() : citations},
                                {"found", m.found},
                                {"feedback", m.feedback},
                                {"created_at", m.created_at}});
              }
              WriteJson(call.res, {{"id", (*conv)->id},
                                   {"title", (*conv)->title},
                                   {"created_at", (*conv)->created_at},
                                   {"messages", list}});
              return Status::Ok();
            });
  ctx.route("DELETE", Pattern(R"(/conversations/([A-Za-z0-9_]+))"),
            spec("/api/kbs/{kb}/conversations/{id}", Role::kReader), [c](Call& call) -> Status {
              ASKIO_RETURN_IF_ERROR(c->store->DeleteConversation(call.kb_name, call.who.id(),
                                                                 call.req.matches[2].str()));
              call.res.status = 204;
              return Status::Ok();
            });
  ctx.route("POST", Pattern("/feedback"), spec("/api/kbs/{kb}/feedback", Role::kReader),
            [c](Call& call) -> Status {
              auto body = ParseJsonBody(call.req);
              if (!body) return body.error();
              auto message = RequiredString(*body, "message_id");
              if (!message) return message.error();
              auto rating = RequiredString(*body, "rating");
              if (!rating) return rating.error();
              std::string comment;
              if (body->contains("comment") && (*body)["comment"].is_string())
                comment = (*body)["comment"].get<std::string>().substr(0, 4000);
              auto id =
                  c->store->AddFeedback(call.kb_name, call.who.id(), *message, *rating, comment);
              if (!id) return id.error();
              WriteJson(call.res, {{"id", *id}}, 201);
              return Status::Ok();
            });
  ctx.route("GET", Pattern("/feedback"), spec("/api/kbs/{kb}/feedback", Role::kEditor),
            [c](Call& call) -> Status {
              auto list = c->store->ListFeedback(call.kb_name);
              if (!list) return list.error();
              json out = json::array();
              for (const Feedback& f : *list)
                out.push_back({{"id", f.id},
                               {"message_id", f.message_id},
                               {"rating", f.rating},
                               {"comment", f.comment},
                               {"question", f.question},
                               {"answer", f.answer},
                               {"created_at", f.created_at}});
              WriteJson(call.res, {{"feedback", out}});
              return Status::Ok();
            });

  // -- keys --
  ctx.route("GET", "/api/keys", global("/api/keys", Role::kAdmin, true), [c](Call& call) -> Status {
    auto keys = c->store->ListKeys();
    if (!keys) return keys.error();
    json list = json::array();
    for (const ApiKey& k : *keys) list.push_back(ApiKeyJson(k));
    WriteJson(call.res, {{"keys", list}});
    return Status::Ok();
  });
  ctx.route("POST", "/api/keys", global("/api/keys", Role::kAdmin, true),
            [c](Call& call) -> Status {
              auto body = ParseJsonBody(call.req);
              if (!body) return body.error();
              auto kb = RequiredString(*body, "kb");
              if (!kb) return kb.error();
              if (*kb != "*") ASKIO_RETURN_IF_ERROR(ValidateKbName(*kb));
              auto role = ParseRole(body->value("role", std::string("reader")));
              if (!role) return role.error();
              const std::string name = body->value("name", std::string());
              auto created = c->store->CreateKey(*kb, *role, name);
              if (!created) return created.error();
              json out = ApiKeyJson(created->key);
              out["key"] = created->secret;
              WriteJson(call.res, out, 201);
              return Status::Ok();
            });
  ctx.route("DELETE", R"(/api/keys/(\d+))", global("/api/keys/{id}", Role::kAdmin, true),
            [c](Call& call) -> Status {
              auto id = ParseId(call.req.matches[1].str(), "key");
              if (!id) return id.error();
              ASKIO_RETURN_IF_ERROR(c->store->RevokeKey(*id));
              call.res.status = 204;
              return Status::Ok();
            });
}

}  // namespace askio::server
