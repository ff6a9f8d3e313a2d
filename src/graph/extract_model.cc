// The LLM extraction path, the JSON form of an Extraction, and mention
// finding. See extract.h.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/utf8.h"
#include "graph/extract.h"
#include "graph/resolve.h"
#include "model/provider.h"
#include "text/normalize.h"
#include "text/sentences.h"

namespace askio::graph {
namespace {

using nlohmann::json;

constexpr std::string_view kSchema = R"({
  "type": "object",
  "required": ["chunks"],
  "properties": {
    "chunks": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["id", "entities", "relations"],
        "properties": {
          "id": {"type": "integer"},
          "entities": {"type": "array", "items": {
            "type": "object", "required": ["name", "type"],
            "properties": {
              "name": {"type": "string"},
              "type": {"enum": ["person", "organization", "place", "work", "other"]},
              "aliases": {"type": "array", "items": {"type": "string"}}}}},
          "relations": {"type": "array", "items": {
            "type": "object", "required": ["subject", "predicate", "object"],
            "properties": {
              "subject": {"type": "string"},
              "predicate": {"type": "string"},
              "object": {"type": "string"}}}},
          "attributes": {"type": "array", "items": {
            "type": "object", "required": ["entity", "key", "value"],
            "properties": {
              "entity": {"type": "string"},
              "key": {"type": "string"},
              "value": {"type": "string"}}}}}}}}
})";

constexpr std::string_view kSystemPrompt =
    "You extract a knowledge graph from text. For each numbered chunk, list the named "
    "entities (people, organisations, places, titled works, other named things) exactly as "
    "they are written in the chunk, with any other names the chunk gives them (abbreviations, "
    "names in another language) as aliases; the relations the chunk states between them as "
    "subject, predicate, object (the predicate a short verb or role in the chunk's language, "
    "e.g. \"founded\", \"技术总监\"); and dates or quantities stated about an entity as "
    "attributes. Use only what the chunk says. Answer with one JSON object that follows this "
    "JSON Schema, and nothing else:\n";

// Folded text with a map from each folded byte back to the original byte,
// for case/width/script-insensitive search.
struct FoldedText {
  std::string folded;
  std::vector<uint32_t> origin;  // folded byte -> original byte offset
};

FoldedText Fold(std::string_view text) {
  FoldedText f;
  f.folded.reserve(text.size());
  f.origin.reserve(text.size() + 1);
  for (size_t i = 0; i < text.size();) {
    const size_t at = i;
    const char32_t c = utf8::Next(text, i);
    const size_t before = f.folded.size();
    text::AppendFolded(f.folded, c);
    f.origin.resize(f.folded.size(), static_cast<uint32_t>(at));
    if (f.folded.size() == before) continue;
  }
  f.origin.push_back(static_cast<uint32_t>(text.size()));
  return f;
}

// Original end offset for a folded end position.
uint32_t OriginEnd(const FoldedText& f, std::string_view text, size_t folded_end) {
  if (folded_end >= f.folded.size()) return static_cast<uint32_t>(text.size());
  return f.origin[folded_end];
}

std::string FoldString(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) text::AppendFolded(out, utf8::Next(s, i));
  return out;
}

// Cuts a JSON object out of a model's answer and fixes the usual damage:
// code fences, prose around it, trailing commas, smart quotes as delimiters.
std::string RepairJsonLocally(std::string_view s) {
  const size_t open = s.find('{');
  const size_t close = s.rfind('}');
  if (open == std::string_view::npos) return std::string(s);
  std::string body(s.substr(open, close == std::string_view::npos || close < open
                                      ? std::string_view::npos
                                      : close - open + 1));
  // Close what a truncated answer left open.
  std::string out;
  std::vector<char> stack;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      out.push_back(c);
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '{' || c == '[')
      stack.push_back(c == '{' ? '}' : ']');
    else if ((c == '}' || c == ']') && !stack.empty())
      stack.pop_back();
    if (c == '}' || c == ']') {
      // Trailing comma before a closer.
      size_t k = out.size();
      while (k > 0 && (out[k - 1] == ' ' || out[k - 1] == '\n' || out[k - 1] == '\t')) --k;
      if (k > 0 && out[k - 1] == ',') out.erase(k - 1, 1);
    }
    out.push_back(c);
  }
  if (in_string) out.push_back('"');
  while (!stack.empty()) {
    size_t k = out.size();
    while (k > 0 && (out[k - 1] == ' ' || out[k - 1] == '\n')) --k;
    if (k > 0 && out[k - 1] == ',') out.erase(k - 1, 1);
    out.push_back(stack.back());
    stack.pop_back();
  }
  return out;
}

std::string StringField(const json& o, const char* key) {
  if (!o.is_object()) return {};
  auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// Maps one chunk's JSON (the model's shape) onto an Extraction, keeping only
// names found in the text.
Extraction FromModelChunk(const json& c, std::string_view text) {
  Extraction x;
  const FoldedText folded = Fold(text);
  auto occurs = [&](const std::string& name) {
    const std::string f = FoldString(name);
    return !f.empty() && folded.folded.find(f) != std::string::npos;
  };
  std::unordered_map<std::string, uint32_t> by_key;
  auto entity_of = [&](const std::string& name) -> int64_t {
    auto it = by_key.find(NameKey(name));
    return it == by_key.end() ? int64_t{-1} : static_cast<int64_t>(it->second);
  };
  if (c.contains("entities") && c["entities"].is_array()) {
    for (const json& e : c["entities"]) {
      std::string name = e.is_string() ? e.get<std::string>() : StringField(e, "name");
      if (name.empty() || name.size() > 200 || !occurs(name)) continue;
      const std::string key = NameKey(name);
      if (key.empty()) continue;
      uint32_t id;
      if (auto it = by_key.find(key); it != by_key.end()) {
        id = it->second;
      } else {
        id = static_cast<uint32_t>(x.entities.size());
        x.entities.push_back({name, ParseEntityType(StringField(e, "type")), {}, {}});
        by_key.emplace(key, id);
      }
      if (e.is_object() && e.contains("aliases") && e["aliases"].is_array()) {
        for (const json& a : e["aliases"]) {
          if (!a.is_string()) continue;
          const std::string alias = a.get<std::string>();
          if (alias.empty() || !occurs(alias) || FoldedName(alias) == FoldedName(name)) continue;
          if (auto it = by_key.find(NameKey(alias)); it != by_key.end() && it->second != id)
            continue;
          x.entities[id].aliases.push_back(alias);
          x.entities[id].alias_reasons.push_back("alias given by the model: " + name + " / " +
                                                 alias);
          by_key.emplace(NameKey(alias), id);
        }
      }
    }
  }
  x.mentions = FindMentions(text, x.entities);
  const auto sentences = text::SplitSentences(text);
  // The sentence holding both names (or the first holding one).
  auto sentence_of = [&](const std::string& a,
                         const std::string& b) -> std::pair<uint32_t, uint32_t> {
    const std::string fa = FoldString(a), fb = FoldString(b);
    std::pair<uint32_t, uint32_t> fallback{0, static_cast<uint32_t>(text.size())};
    bool have_fallback = false;
    for (const auto& s : sentences) {
      const std::string fs = FoldString(text.substr(s.begin, s.end - s.begin));
      const bool ha = fs.find(fa) != std::string::npos, hb = fs.find(fb) != std::string::npos;
      if (ha && hb) return {static_cast<uint32_t>(s.begin), static_cast<uint32_t>(s.end)};
      if ((ha || hb) && !have_fallback) {
        fallback = {static_cast<uint32_t>(s.begin), static_cast<uint32_t>(s.end)};
        have_fallback = true;
      }
    }
    return fallback;
  };
  if (c.contains("relations") && c["relations"].is_array()) {
    for (const json& r : c["relations"]) {
      const std::string s = StringField(r, "subject"), p = StringField(r, "predicate"),
                        o = StringField(r, "object");
      const int64_t si = entity_of(s), oi = entity_of(o);
      if (si < 0 || oi < 0 || si == oi || p.empty() || p.size() > 200) continue;
      const auto [sb, se] = sentence_of(s, o);
      x.relations.push_back({static_cast<uint32_t>(si), static_cast<uint32_t>(oi), p,
                             Relation::Kind::kStated, sb, se});
    }
  }
  if (c.contains("attributes") && c["attributes"].is_array()) {
    for (const json& a : c["attributes"]) {
      const std::string e = StringField(a, "entity"), k = StringField(a, "key"),
                        v = StringField(a, "value");
      const int64_t ei = entity_of(e);
      if (ei < 0 || k.empty() || v.empty()) continue;
      const std::string fv = FoldString(v);
      const size_t at = folded.folded.find(fv);
      if (at == std::string::npos) continue;  // a value not in the text
      x.attributes.push_back({static_cast<uint32_t>(ei), k, v, folded.origin[at],
                              OriginEnd(folded, text, at + fv.size())});
    }
  }
  return x;
}

std::string BuildPrompt(const std::vector<std::string>& chunks, size_t from, size_t to) {
  std::string user = "Chunks:\n";
  for (size_t i = from; i < to; ++i) {
    user += "\n[chunk " + std::to_string(i - from) + "]\n";
    user += chunks[i];
    user += "\n";
  }
  user += "\nAnswer with {\"chunks\": [...]} holding one object per chunk, with its id.";
  return user;
}

}  // namespace

std::string_view ModelExtractionSchema() { return kSchema; }

std::vector<Mention> FindMentions(std::string_view text, const std::vector<Entity>& entities) {
  const FoldedText folded = Fold(text);
  struct Name {
    std::string folded;
    uint32_t entity;
  };
  std::vector<Name> names;
  for (size_t i = 0; i < entities.size(); ++i) {
    names.push_back({FoldString(entities[i].name), static_cast<uint32_t>(i)});
    for (const auto& a : entities[i].aliases)
      names.push_back({FoldString(a), static_cast<uint32_t>(i)});
  }
  std::sort(names.begin(), names.end(),
            [](const Name& a, const Name& b) { return a.folded.size() > b.folded.size(); });
  std::vector<bool> taken(folded.folded.size(), false);
  std::vector<Mention> out;
  for (const Name& n : names) {
    if (n.folded.empty()) continue;
    for (size_t at = folded.folded.find(n.folded); at != std::string::npos;
         at = folded.folded.find(n.folded, at + 1)) {
      const size_t end = at + n.folded.size();
      bool free = true;
      for (size_t q = at; q < end && free; ++q) free = !taken[q];
      if (!free) continue;
      // Latin names only at word boundaries.
      auto word_byte = [&](size_t q) {
        const unsigned char ch = static_cast<unsigned char>(folded.folded[q]);
        return std::isalnum(ch) != 0;
      };
      if (word_byte(at) && at > 0 && word_byte(at - 1)) continue;
      if (word_byte(end - 1) && end < folded.folded.size() && word_byte(end)) continue;
      for (size_t q = at; q < end; ++q) taken[q] = true;
      out.push_back({n.entity, folded.origin[at], OriginEnd(folded, text, end)});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Mention& a, const Mention& b) { return a.begin < b.begin; });
  return out;
}

std::string ExtractionToJson(const Extraction& x) {
  json j;
  j["entities"] = json::array();
  for (const Entity& e : x.entities) {
    json o{{"name", e.name}, {"type", EntityTypeName(e.type)}, {"aliases", e.aliases}};
    o["alias_reasons"] = e.alias_reasons;
    j["entities"].push_back(std::move(o));
  }
  j["mentions"] = json::array();
  for (const Mention& m : x.mentions) j["mentions"].push_back({m.entity, m.begin, m.end});
  j["relations"] = json::array();
  for (const Relation& r : x.relations)
    j["relations"].push_back({{"subject", r.subject},
                              {"predicate", r.predicate},
                              {"object", r.object},
                              {"cooccurs", r.kind == Relation::Kind::kCooccurs},
                              {"sentence", {r.sentence_begin, r.sentence_end}}});
  j["attributes"] = json::array();
  for (const Attribute& a : x.attributes)
    j["attributes"].push_back(
        {{"entity", a.entity}, {"key", a.key}, {"value", a.value}, {"span", {a.begin, a.end}}});
  return j.dump();
}

Result<Extraction> ExtractionFromJson(std::string_view text, size_t text_size) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Err(Status::Corruption("extraction: not JSON"));
  Extraction x;
  try {
    for (const json& e : j.at("entities")) {
      Entity en{e.at("name").get<std::string>(), ParseEntityType(e.at("type").get<std::string>()),
                e.value("aliases", std::vector<std::string>{}),
                e.value("alias_reasons", std::vector<std::string>{})};
      en.alias_reasons.resize(en.aliases.size());
      x.entities.push_back(std::move(en));
    }
    const size_t n = x.entities.size();
    auto check = [&](uint32_t entity, uint32_t b, uint32_t e) {
      return entity < n && b <= e && e <= text_size;
    };
    for (const json& m : j.at("mentions")) {
      Mention mm{m.at(0).get<uint32_t>(), m.at(1).get<uint32_t>(), m.at(2).get<uint32_t>()};
      if (!check(mm.entity, mm.begin, mm.end))
        return Err(Status::Corruption("extraction: mention out of range"));
      x.mentions.push_back(mm);
    }
    for (const json& r : j.at("relations")) {
      Relation rr{r.at("subject").get<uint32_t>(),
                  r.at("object").get<uint32_t>(),
                  r.at("predicate").get<std::string>(),
                  r.value("cooccurs", false) ? Relation::Kind::kCooccurs : Relation::Kind::kStated,
                  r.at("sentence").at(0).get<uint32_t>(),
                  r.at("sentence").at(1).get<uint32_t>()};
      if (!check(rr.subject, rr.sentence_begin, rr.sentence_end) || rr.object >= n)
        return Err(Status::Corruption("extraction: relation out of range"));
      x.relations.push_back(std::move(rr));
    }
    for (const json& a : j.at("attributes")) {
      Attribute aa{a.at("entity").get<uint32_t>(), a.at("key").get<std::string>(),
                   a.at("value").get<std::string>(), a.at("span").at(0).get<uint32_t>(),
                   a.at("span").at(1).get<uint32_t>()};
      if (!check(aa.entity, aa.begin, aa.end))
        return Err(Status::Corruption("extraction: attribute out of range"));
      x.attributes.push_back(std::move(aa));
    }
  } catch (const json::exception& e) {
    return Err(Status::Corruption(std::string("extraction: ") + e.what()));
  }
  return x;
}

int64_t EstimateTokens(std::string_view text) {
  int64_t han = 0, other = 0;
  for (size_t i = 0; i < text.size();) {
    const char32_t c = utf8::Next(text, i);
    if (c >= 0x2E80 && c <= 0x9FFF)
      ++han;
    else
      ++other;
  }
  return han + (other + 3) / 4;
}

CostEstimate EstimateModelCost(const std::vector<std::string>& chunks,
                               const ModelExtractOptions& options, const ModelPrices& prices) {
  CostEstimate c;
  c.chunks = chunks.size();
  const size_t per = std::max<size_t>(1, options.chunks_per_request);
  c.requests = (chunks.size() + per - 1) / per;
  const int64_t overhead = EstimateTokens(kSystemPrompt) + EstimateTokens(kSchema) + 40;
  int64_t text_tokens = 0;
  for (const auto& s : chunks) text_tokens += EstimateTokens(s) + 8;
  c.input_tokens = text_tokens + overhead * static_cast<int64_t>(c.requests);
  // Output: measured shape of such answers, about 40% of the chunk text,
  // capped by max_tokens per request.
  c.output_tokens =
      std::min<int64_t>(text_tokens * 2 / 5, static_cast<int64_t>(c.requests) * options.max_tokens);
  c.cost = static_cast<double>(c.input_tokens) * prices.input_per_million / 1e6 +
           static_cast<double>(c.output_tokens) * prices.output_per_million / 1e6;
  return c;
}

Result<std::vector<Extraction>> ExtractWithModel(model::ChatModel& chat,
                                                 const std::vector<std::string>& chunks,
                                                 const ModelExtractOptions& options) {
  std::vector<Extraction> out;
  out.reserve(chunks.size());
  const size_t per = std::max<size_t>(1, options.chunks_per_request);
  for (size_t from = 0; from < chunks.size(); from += per) {
    const size_t to = std::min(chunks.size(), from + per);
    model::ChatRequest req;
    req.temperature = 0;
    req.max_tokens = options.max_tokens;
    req.messages.push_back({"system", std::string(kSystemPrompt) + std::string(kSchema)});
    req.messages.push_back({"user", BuildPrompt(chunks, from, to)});
    auto resp = chat.Complete(req);
    if (!resp) return Err(resp.error());
    json parsed = json::parse(resp->text, nullptr, false);
    if (parsed.is_discarded()) parsed = json::parse(RepairJsonLocally(resp->text), nullptr, false);
    if ((parsed.is_discarded() || !parsed.is_object()) && options.repair) {
      model::ChatRequest fix = req;
      fix.messages.push_back({"assistant", resp->text});
      fix.messages.push_back({"user",
                              "That was not valid JSON following the schema. Answer again with "
                              "only the corrected JSON object."});
      auto again = chat.Complete(fix);
      if (!again) return Err(again.error());
      parsed = json::parse(again->text, nullptr, false);
      if (parsed.is_discarded())
        parsed = json::parse(RepairJsonLocally(again->text), nullptr, false);
    }
    if (parsed.is_discarded() || !parsed.is_object()) {
      char msg[160];
      std::snprintf(msg, sizeof msg,
                    "graph extraction: the model's answer for chunks %zu-%zu is not valid JSON",
                    from, to - 1);
      return Err(Status::Corruption(msg));
    }
    // {"chunks": [...]} or, for a single chunk, the chunk object itself.
    std::vector<const json*> by_id(to - from, nullptr);
    const json* list =
        parsed.contains("chunks") && parsed["chunks"].is_array() ? &parsed["chunks"] : nullptr;
    if (list) {
      size_t pos = 0;
      for (const json& c : *list) {
        size_t id = pos++;
        if (c.is_object() && c.contains("id") && c["id"].is_number_integer()) {
          const int64_t v = c["id"].get<int64_t>();
          if (v >= 0) id = static_cast<size_t>(v);
        }
        if (id < by_id.size() && !by_id[id] && c.is_object()) by_id[id] = &c;
      }
    } else if (to - from == 1 && parsed.contains("entities")) {
      by_id[0] = &parsed;
    }
    for (size_t i = from; i < to; ++i) {
      const json* c = by_id[i - from];
      out.push_back(c ? FromModelChunk(*c, chunks[i]) : Extraction{});
    }
  }
  return out;
}

}  // namespace askio::graph
