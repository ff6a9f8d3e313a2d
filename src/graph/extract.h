// Knowledge-graph extraction from one chunk of text: entities (with a type
// and the aliases the text states), where they are mentioned, relations as
// subject–predicate–object with the sentence they come from, and
// attributes (dates, numbers with units). Two extractors, one output:
//
//   - ExtractModelFree: rules over jieba's POS-tagged dictionary (lexicon.h),
//     《》 titles, capitalised Latin names, organisation/place suffixes, a
//     short surname list, copula and verb patterns ("A 是 B 的 C", "A was
//     founded by B"), plus co-occurrence edges between the entities of a
//     sentence. No model, about a millisecond per 600-character chunk.
//   - ExtractWithModel: a JSON-schema prompt per batch of chunks to a chat
//     model; its output is validated against the chunk text (names must
//     occur in it), repaired when the JSON is broken, and mapped to the
//     same structure.
//
// Offsets are bytes into the chunk's text (UTF-8). See docs/graph.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "askio/status.h"

namespace askio::model {
class ChatModel;
}

namespace askio::graph {

enum class EntityType : uint8_t {
  kPerson,
  kOrganization,
  kPlace,
  kWork,     // a titled work: book, film, law, standard (《》)
  kOther,    // a named thing of unknown kind
  kConcept,  // an unnamed noun phrase a relation needs ("公司" in 张三是公司的技术总监)
};

std::string_view EntityTypeName(EntityType t);  // "person", "organization", ...
// Unknown names map to kOther.
EntityType ParseEntityType(std::string_view name);

struct Entity {
  std::string name;  // as written in the text (first mention)
  EntityType type = EntityType::kOther;
  // Other names the text gives it (清华大学（Tsinghua University）, "(THU)",
  // 简称北大), each with the rule that found it.
  std::vector<std::string> aliases;
  std::vector<std::string> alias_reasons;  // parallel to aliases
};

struct Mention {
  uint32_t entity;      // index into Extraction::entities
  uint32_t begin, end;  // bytes in the chunk text
};

struct Relation {
  enum class Kind : uint8_t { kStated, kCooccurs };
  uint32_t subject, object;  // indexes into Extraction::entities
  std::string predicate;     // "技术总监", "founded", "位于"; "" for co-occurrence
  Kind kind = Kind::kStated;
  uint32_t sentence_begin, sentence_end;  // bytes in the chunk text
};

struct Attribute {
  uint32_t entity;      // index into Extraction::entities
  std::string key;      // "成立于", "founded in", or "date" / "quantity"
  std::string value;    // "1911年", "1999", "3.5 km"
  uint32_t begin, end;  // the value's bytes in the chunk text
};

struct Extraction {
  std::vector<Entity> entities;
  std::vector<Mention> mentions;
  std::vector<Relation> relations;
  std::vector<Attribute> attributes;
};

struct ModelFreeOptions {
  // Co-occurrence edges between at most this many entities of a sentence.
  size_t max_cooccurring = 8;
  bool cooccurrence = true;
};

// Model-free extraction for Chinese and English (and mixed) text.
Extraction ExtractModelFree(std::string_view text, const ModelFreeOptions& options = {});

// The name of the model-free extractor and its rules' version, stored with
// each chunk so that a rule change re-extracts (GraphStore::HasChunk).
inline constexpr std::string_view kModelFreeExtractor = "rules/1";

// --- JSON ------------------------------------------------------------------

// The extraction as JSON (names, not indexes, for relations and attributes),
// and back. FromJson validates: indexes in range, offsets within text_size.
std::string ExtractionToJson(const Extraction& x);
Result<Extraction> ExtractionFromJson(std::string_view json, size_t text_size);

// --- With a model -----------------------------------------------------------

struct ModelExtractOptions {
  size_t chunks_per_request = 4;  // chunks in one prompt
  int max_tokens = 2048;          // per request
  bool repair = true;             // on invalid JSON, ask the model once to fix its output
};

// The schema the model is asked to follow (JSON Schema text), for docs and tests.
std::string_view ModelExtractionSchema();

// One extraction per chunk, in order. Every name the model returns must
// occur in its chunk (after folding case, width and script); names that do
// not are dropped, as are relations whose ends were dropped. Invalid JSON
// is first repaired locally (code fences, prose around the object, trailing
// commas), then by one repair request; output that is still invalid fails
// the call with kCorruption naming the batch. Calls are sequential.
Result<std::vector<Extraction>> ExtractWithModel(model::ChatModel& chat,
                                                 const std::vector<std::string>& chunks,
                                                 const ModelExtractOptions& options = {});

// What ExtractWithModel would send for these chunks, before running it on a
// whole knowledge base. Tokens are estimated from text (a Han character ~ 1
// token, Latin ~ 4 characters per token); prices per million tokens.
struct CostEstimate {
  size_t chunks = 0, requests = 0;
  int64_t input_tokens = 0, output_tokens = 0;  // output: estimated
  double cost = 0;                              // in the currency of the prices
};
struct ModelPrices {
  double input_per_million = 0, output_per_million = 0;
};
CostEstimate EstimateModelCost(const std::vector<std::string>& chunks,
                               const ModelExtractOptions& options = {},
                               const ModelPrices& prices = {});
int64_t EstimateTokens(std::string_view text);

// Locates every occurrence of the entities' names and aliases in `text`
// (folded comparison, longest first, no overlaps) as mentions. Used by the
// model path and available to callers that have entities from elsewhere.
std::vector<Mention> FindMentions(std::string_view text, const std::vector<Entity>& entities);

}  // namespace askio::graph
