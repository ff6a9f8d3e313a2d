// The knowledge graph's public view: what KnowledgeBase::BuildGraph and the
// graph queries return (docs/graph.md). Entities and relations are extracted
// from chunks without a model; every edge keeps the sentences behind it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace askio {

struct GraphReport {
  int64_t chunks = 0;     // chunks in the KB
  int64_t extracted = 0;  // chunks extracted now
  int64_t cached = 0;     // chunks whose extraction was already stored
  double seconds = 0;
};

// How BuildGraph extracts. The rules need no model and run on every core;
// a chat model (KnowledgeBase::SetModels) reads each chunk with a JSON-schema
// prompt, its output validated against the chunk and repaired when broken.
// Ingestion keeps using the rules for new chunks either way.
struct GraphBuildOptions {
  bool use_model = false;
  size_t chunks_per_request = 4;
  // Prices per million tokens, for EstimateGraphBuild's cost (any currency).
  double input_price_per_million = 0, output_price_per_million = 0;
};

// What a model build would send: shown before running it on a whole KB.
struct GraphCostEstimate {
  std::string model;
  int64_t chunks = 0, requests = 0;
  int64_t input_tokens = 0, output_tokens = 0;  // output: estimated
  double cost = 0;
};

struct GraphStats {
  bool enabled = false;  // kept current by ingestion (BuildGraph turns it on)
  int64_t entities = 0, aliases = 0, mentions = 0, chunks = 0, documents = 0;
  int64_t relations = 0;      // stated: subject–predicate–object
  int64_t cooccurrences = 0;  // entities in one sentence
  int64_t edges = 0;          // distinct connected entity pairs
  std::vector<std::pair<std::string, int64_t>> by_type;
};

struct GraphEntity {
  int64_t id = 0;
  std::string name;
  std::string type;  // person, organization, place, work, other, concept
  std::vector<std::string> aliases;
  std::vector<std::string> merge_reasons;  // why each alias is this entity
  int64_t mentions = 0, chunks = 0;
};

// A sentence behind an edge, with where it is.
struct GraphEvidence {
  int64_t chunk_id = 0;
  std::string document_title, document_source;
  std::string sentence;
};

struct GraphEdgeLabel {
  std::string predicate;  // "" for co-occurrence
  bool outgoing = true;   // the entity asked about is the subject
  bool cooccurs = false;
  int64_t count = 0;
};

struct GraphNeighbour {
  GraphEntity entity;  // id, name and type
  int64_t weight = 0;  // supporting rows, stated and co-occurring
  std::vector<GraphEdgeLabel> labels;
  std::vector<GraphEvidence> evidence;  // up to 3, stated first
};

}  // namespace askio
