// The OpenAI-compatible surface: each KB is a model "kb:NAME", so any OpenAI
// SDK or chat front-end can ask askio. Shapes follow OpenAI's chat
// completions API exactly (chat.completion, chat.completion.chunk, [DONE],
// error objects); the citations travel as [n] in the text, a "Sources" list
// after it, and an extra `sources` field.
#include <atomic>
#include <ctime>
#include <memory>

#include "common/clock.h"
#include "server/http_context.h"

namespace askio::server {
namespace {

constexpr const char* kModelPrefix = "kb:";

// The question: the last user message. Content may be a string or a list of
// parts ({"type":"text","text":...}) as newer clients send.
Result<std::string> LastUserMessage(const json& body) {
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
    return Err(Status::InvalidArgument("'messages' must be a non-empty array"));
  for (auto it = body["messages"].rbegin(); it != body["messages"].rend(); ++it) {
    if (!it->is_object() || it->value("role", "") != "user") continue;
    // (find, not operator[]: on a const json a missing key is undefined
    // behaviour, which the HTTP fuzz target hit with "contenu")
    const auto content = it->find("content");
    if (content != it->end() && content->is_string()) return content->get<std::string>();
    if (content != it->end() && content->is_array()) {
      std::string text;
      for (const json& part : *content) {
        if (!part.is_object() || part.value("type", "") != "text") continue;
        const auto part_text = part.find("text");
        if (part_text != part.end() && part_text->is_string())
          text += (text.empty() ? "" : "\n") + part_text->get<std::string>();
      }
      if (!text.empty()) return text;
    }
    return Err(Status::InvalidArgument("the last user message has no text content"));
  }
  return Err(Status::InvalidArgument("'messages' has no user message"));
}

json SourcesJson(const Answer& a) {
  json out = json::array();
  for (const Citation& c : a.citations)
    out.push_back({{"number", c.number},
                   {"title", c.document_title},
                   {"source", c.document_source},
                   {"location", c.location},
                   {"quote", c.quote},
                   {"chunk_id", c.chunk_id}});
  return out;
}

// The answer as chat text: the sentence with its [n] markers, then the
// sources, so that front-ends which ignore extra fields still show them.
std::string ChatText(const Answer& a) {
  if (!a.found)
    return "The knowledge base does not say." + (a.reason.empty() ? "" : " (" + a.reason + ")");
  std::string text = a.text;
  if (!a.citations.empty()) {
    text += "\n\nSources:";
    for (const Citation& c : a.citations) {
      text += "\n[" + std::to_string(c.number) + "] " + c.document_title;
      if (!c.location.empty()) text += ", " + c.location;
    }
  }
  return text;
}

// OpenAI counts tokens; we estimate (CJK characters + words), as the context
// budget does. Clients use it for display only.
int64_t EstimateTokens(const std::string& s) {
  int64_t n = 0;
  bool in_word = false;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (len >= 3) {
      ++n;
      in_word = false;
    } else if (std::isspace(c) || std::ispunct(c)) {
      in_word = false;
    } else if (!in_word) {
      ++n;
      in_word = true;
    }
    i += len;
  }
  return n;
}

// (user, assistant) pairs before the last user message: the conversation
// a chat front-end sends with every request.
std::vector<std::pair<std::string, std::string>> EarlierTurns(const json& body) {
  std::vector<std::pair<std::string, std::string>> turns;
  const json& messages = body["messages"];
  std::string pending_user;
  for (size_t i = 0; i + 1 < messages.size(); ++i) {
    const json& m = messages[i];
    if (!m.is_object() || !m.contains("content") || !m["content"].is_string()) continue;
    const std::string role = m.value("role", "");
    if (role == "user") pending_user = m["content"].get<std::string>();
    if (role == "assistant" && !pending_user.empty()) {
      turns.emplace_back(pending_user, m["content"].get<std::string>());
      pending_user.clear();
    }
  }
  return turns;
}

// One chat.completion.chunk, as OpenAI streams them.
json CompletionChunk(const std::string& id, int64_t created, const std::string& model,
                     const json& delta, const json& finish) {
  return {{"id", id},
          {"object", "chat.completion.chunk"},
          {"created", created},
          {"model", model},
          {"choices",
           {{{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish}}}}};
}

std::string SseData(const json& j) {
  return "data: " + j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
}

std::string ChunkData(const std::string& id, int64_t created, const std::string& model,
                      const json& delta, const json& finish) {
  return SseData(CompletionChunk(id, created, model, delta, finish));
}

// With a language model the answer is generated inside the stream, each
// token a chunk as it comes; a client that hangs up cancels the model call.
Status StreamLive(ServerContext* c, Call& call, std::shared_ptr<KnowledgeBase> kb,
                  const std::string& question, AskOptions options, const std::string& id,
                  int64_t created, const std::string& model) {
  auto finished = std::make_shared<bool>(false);
  const auto heartbeat =
      std::chrono::milliseconds(static_cast<int64_t>(c->options.sse_heartbeat_seconds * 1000));
  call.res.set_header("Cache-Control", "no-cache");
  call.res.set_chunked_content_provider(
      "text/event-stream",
      [kb, finished, question, options, id, created, model, heartbeat](
          size_t, httplib::DataSink& sink) mutable {
        if (*finished) {
          sink.done();
          return true;
        }
        *finished = true;
        StreamWriter writer(sink, heartbeat);
        auto send = [&](const std::string& data) { return writer.Write(data); };
        if (!send(ChunkData(id, created, model, {{"role", "assistant"}, {"content", ""}}, nullptr)))
          return false;
        bool streamed = false;
        options.cancelled = writer.cancelled();
        options.on_token = [&](std::string_view piece) {
          streamed = true;
          return send(ChunkData(id, created, model, {{"content", std::string(piece)}}, nullptr));
        };
        std::vector<SearchHit> retrieved;
        auto answer = kb->Ask(question, options, &retrieved);
        if (writer.is_cancelled()) return false;
        if (!answer) {
          const HttpError e = HttpErrorFor(answer.error());
          send("data: " +
               json{{"error", {{"message", e.message}, {"type", "server_error"}, {"code", e.code}}}}
                   .dump() +
               "\n\n");
          sink.done();
          return true;
        }
        // The sources follow the text either way; the reader's answer (no
        // model call needed, or the model failed) is streamed whole here.
        // After streamed tokens only the sources list is left to send.
        const std::string full = ChatText(*answer);
        const std::string rest =
            !streamed ? full
                      : (full.rfind(answer->text, 0) == 0 ? full.substr(answer->text.size()) : "");
        for (const std::string& piece : StreamPieces(rest))
          if (!send(ChunkData(id, created, model, {{"content", piece}}, nullptr))) return false;
        json last = CompletionChunk(id, created, model, json::object(), "stop");
        last["sources"] = SourcesJson(*answer);
        if (!send(SseData(last)) || !send("data: [DONE]\n\n")) return false;
        sink.done();
        return true;
      },
      [c](bool success) {
        if (!success) c->metrics.Add("askio_streams_cancelled_total", "");
      });
  return Status::Ok();
}

}  // namespace

void RegisterOpenAiRoutes(ServerContext& ctx) {
  ServerContext* const c = &ctx;
  RouteSpec models{.name = "/v1/models", .role = Role::kReader, .kb_scoped = false, .openai = true};
  ctx.route("GET", "/v1/models", models, [c](Call& call) -> Status {
    auto names = c->kbs->Names();
    if (!names) return names.error();
    json data = json::array();
    for (const std::string& name : *names) {
      if (!call.who.CanSee(name)) continue;
      data.push_back({{"id", kModelPrefix + name},
                      {"object", "model"},
                      {"created", static_cast<int64_t>(std::time(nullptr))},
                      {"owned_by", "askio"}});
    }
    WriteJson(call.res, {{"object", "list"}, {"data", data}});
    return Status::Ok();
  });

  RouteSpec chat{.name = "/v1/chat/completions",
                 .role = Role::kReader,
                 .kb_scoped = false,
                 .heavy = true,
                 .openai = true};
  ctx.route("POST", "/v1/chat/completions", chat, [c](Call& call) -> Status {
    auto body = ParseJsonBody(call.req);
    if (!body) return body.error();
    if (!body->contains("model") || !(*body)["model"].is_string())
      return Status::InvalidArgument("'model' is required: kb:NAME (GET /v1/models lists them)");
    std::string model = (*body)["model"];
    const std::string kb_name =
        model.rfind(kModelPrefix, 0) == 0 ? model.substr(3) : model;  // "kb:" is optional
    // Scope first: a KB the key may not see does not exist for it.
    if (!call.who.CanSee(kb_name) || !ValidateKbName(kb_name).ok())
      return Status::NotFound("the model '" + model + "' does not exist");
    auto kb = c->kbs->Get(kb_name);
    if (!kb) {
      if (kb.error().code() == StatusCode::kNotFound)
        return Status::NotFound("the model '" + model + "' does not exist");
      return kb.error();
    }
    auto question = LastUserMessage(*body);
    if (!question) return question.error();
    AskOptions ask_options;
    ask_options.history = EarlierTurns(*body);
    // An extension: `filter` (extra_body in the SDKs) as on /api/.../ask.
    auto filter = FilterFrom(*body, httplib::Request{});
    if (!filter) return filter.error();
    ask_options.filter = std::move(*filter);
    const std::string id = "chatcmpl-" + RandomHex(12);
    const int64_t created = static_cast<int64_t>(std::time(nullptr));
    if (body->value("stream", false) && (*kb)->models().llm)
      return StreamLive(c, call, *kb, *question, std::move(ask_options), id, created, model);
    std::vector<SearchHit> retrieved;
    auto answer = (*kb)->Ask(*question, ask_options, &retrieved);
    if (!answer) return answer.error();

    const std::string text = ChatText(*answer);
    const json sources = SourcesJson(*answer);
    const json usage = {{"prompt_tokens", EstimateTokens(*question)},
                        {"completion_tokens", EstimateTokens(text)},
                        {"total_tokens", EstimateTokens(*question) + EstimateTokens(text)}};
    const bool stream = body->value("stream", false);
    if (!stream) {
      WriteJson(call.res, {{"id", id},
                           {"object", "chat.completion"},
                           {"created", created},
                           {"model", model},
                           {"choices",
                            {{{"index", 0},
                              {"message", {{"role", "assistant"}, {"content", text}}},
                              {"logprobs", nullptr},
                              {"finish_reason", "stop"}}}},
                           {"usage", usage},
                           {"sources", sources}});
      return Status::Ok();
    }
    bool include_usage = false;
    if (body->contains("stream_options") && (*body)["stream_options"].is_object())
      include_usage = (*body)["stream_options"].value("include_usage", false);
    auto chunk = [&](const json& delta, const json& finish) {
      return CompletionChunk(id, created, model, delta, finish);
    };
    auto events = std::make_shared<std::vector<std::string>>();
    const auto data = SseData;
    events->push_back(data(chunk({{"role", "assistant"}, {"content", ""}}, nullptr)));
    for (const std::string& piece : StreamPieces(text))
      events->push_back(data(chunk({{"content", piece}}, nullptr)));
    json last = chunk(json::object(), "stop");
    last["sources"] = sources;
    events->push_back(data(last));
    if (include_usage) {
      json u = {{"id", id},       {"object", "chat.completion.chunk"}, {"created", created},
                {"model", model}, {"choices", json::array()},          {"usage", usage}};
      events->push_back(data(u));
    }
    events->push_back("data: [DONE]\n\n");
    call.res.set_header("Cache-Control", "no-cache");
    auto next = std::make_shared<size_t>(0);
    call.res.set_chunked_content_provider(
        "text/event-stream",
        [events, next](size_t, httplib::DataSink& sink) {
          if (*next >= events->size()) {
            sink.done();
            return true;
          }
          const std::string& ev = (*events)[(*next)++];
          return sink.write(ev.data(), ev.size());
        },
        [c](bool success) {
          if (!success) c->metrics.Add("askio_streams_cancelled_total", "");
        });
    return Status::Ok();
  });
}

}  // namespace askio::server
