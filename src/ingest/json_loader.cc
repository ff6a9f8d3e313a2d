#include "ingest/json_loader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <string>

namespace askio::ingest {
namespace {

using nlohmann::json;

// Field names FAQ exports use, in both languages.
constexpr std::array<const char*, 8> kQuestionKeys = {"question", "q",     "问题", "問題",
                                                      "title",    "query", "问",   "Question"};
constexpr std::array<const char*, 8> kAnswerKeys = {"answer",  "a",           "答案", "回答",
                                                    "content", "answer_text", "答",   "Answer"};

// Nested values deeper than this are flattened as their JSON text.
constexpr int kMaxDepth = 32;
// Deeper documents are refused before parsing: nlohmann's serializer and
// destructor recurse, so hostile nesting would overflow the stack (found by
// the ASan build).
constexpr int kMaxNesting = 256;

// The deepest bracket nesting of `text`, ignoring brackets inside strings.
int Nesting(std::string_view text) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

Status CheckNesting(std::string_view text) {
  if (Nesting(text) <= kMaxNesting) return Status::Ok();
  return Status::InvalidArgument("JSON nested deeper than " + std::to_string(kMaxNesting) +
                                 " levels");
}

const json* Field(const json& object, const auto& keys) {
  for (const char* k : keys) {
    auto it = object.find(k);
    if (it != object.end() && (it->is_string() || it->is_number())) return &*it;
  }
  return nullptr;
}

std::string Scalar(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool IsFaq(const json& v) {
  return v.is_object() && Field(v, kQuestionKeys) && Field(v, kAnswerKeys);
}

void AddFaq(const json& v, ParsedDocument& doc) {
  doc.blocks.push_back({Block::Kind::kHeading, 1, Scalar(*Field(v, kQuestionKeys))});
  doc.blocks.push_back({Block::Kind::kParagraph, 0, Scalar(*Field(v, kAnswerKeys))});
}

void Flatten(const json& v, const std::string& path, int depth, std::string& out) {
  if (depth > kMaxDepth || !(v.is_object() || v.is_array())) {
    if (v.is_null()) return;
    out += (path.empty() ? "" : path + ": ") + (depth > kMaxDepth ? v.dump() : Scalar(v)) + "\n";
    return;
  }
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      Flatten(it.value(), path.empty() ? it.key() : path + "." + it.key(), depth + 1, out);
  } else {
    for (size_t i = 0; i < v.size(); ++i)
      Flatten(v[i], path + "[" + std::to_string(i) + "]", depth + 1, out);
  }
}

// FAQ records found at the top level or one level down ({"faqs": [...]}).
const json* FaqList(const json& v) {
  if (v.is_array() && !v.empty() && IsFaq(v.front())) return &v;
  if (v.is_object())
    for (auto it = v.begin(); it != v.end(); ++it)
      if (it->is_array() && !it->empty() && IsFaq(it->front())) return &*it;
  return nullptr;
}

void AddValue(const json& v, ParsedDocument& doc) {
  if (IsFaq(v)) {
    AddFaq(v, doc);
    return;
  }
  if (const json* list = FaqList(v)) {
    for (const json& item : *list) {
      if (IsFaq(item)) {
        AddFaq(item, doc);
      } else {
        std::string flat;
        Flatten(item, "", 0, flat);
        if (!flat.empty()) doc.blocks.push_back({Block::Kind::kParagraph, 0, flat});
      }
    }
    return;
  }
  std::string flat;
  Flatten(v, "", 0, flat);
  // One line per value: a blank line between them lets each be its own
  // sentence for the chunker.
  size_t pos = 0;
  while (pos < flat.size()) {
    const size_t nl = flat.find('\n', pos);
    const std::string line = flat.substr(pos, nl - pos);
    if (!line.empty()) doc.blocks.push_back({Block::Kind::kParagraph, 0, line});
    pos = nl == std::string::npos ? flat.size() : nl + 1;
  }
}

}  // namespace

Result<ParsedDocument> ParseJson(std::string_view text, bool lines) {
  ParsedDocument doc;
  doc.type = lines ? "jsonl" : "json";
  try {
    if (!lines) {
      ASKIO_RETURN_IF_ERROR(CheckNesting(text));
      AddValue(json::parse(text), doc);
      return doc;
    }
    size_t pos = 0, line_no = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      ++line_no;
      const std::string_view line = text.substr(pos, nl - pos);
      pos = nl + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      if (Status s = CheckNesting(line); !s.ok())
        return Err(Status::InvalidArgument("line " + std::to_string(line_no) + ": " + s.message()));
      try {
        AddValue(json::parse(line), doc);
      } catch (const json::exception& e) {
        return Err(Status::InvalidArgument("invalid JSON on line " + std::to_string(line_no) +
                                           ": " + e.what()));
      }
    }
  } catch (const json::exception& e) {
    return Err(Status::InvalidArgument(std::string("invalid JSON: ") + e.what()));
  }
  return doc;
}

}  // namespace askio::ingest
