// Plain option structs with documented defaults. Callers fill in what they
// need; every field has a sensible default so `{}` is always valid.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace askio {

// How documents are cut into chunks. Sizes are in Unicode code points.
struct ChunkOptions {
  // Chunks grow sentence by sentence up to this size. Chosen by eval
  // (docs/decisions/0002-chunk-size.md).
  size_t target_chars = 600;
  // Trailing sentences of a chunk repeated at the start of the next one, so a
  // fact that straddles a boundary is whole in at least one chunk.
  size_t overlap_chars = 100;
  // A single sentence longer than this is cut (at a comma or space if one is
  // near); otherwise sentences are never split.
  size_t max_chars = 1000;
};

struct IngestOptions {
  ChunkOptions chunking;
  // Remove documents whose source file is no longer among the given paths.
  bool prune = false;
  // Parse files again even when their content is unchanged (re-ingest after
  // an upgrade or with other OCR settings).
  bool force = false;
  // Documents committed per SQLite transaction.
  size_t batch_size = 64;
  // Which files of the folders given are read: shell globs matched against
  // the file name, or against the path below the folder when the pattern has
  // a '/'. Excludes win; an excluded folder is not entered. Files named
  // directly are always read.
  std::vector<std::string> include, exclude;
  // Parser threads; 0 = one per core (at most 8).
  size_t jobs = 0;
  // Tags given to every document ingested (replacing any it had); empty
  // leaves a re-ingested document's tags as they were. Search filters on them.
  std::vector<std::string> tags;
  // OCR (tesseract) for images and PDF pages without a text layer.
  bool ocr = true;
  std::string ocr_languages = "chi_sim+eng";
  // Per-file limits: bigger files are refused; a file whose parse runs past
  // the budget is failed (the batch goes on).
  uint64_t max_file_bytes = 256ull << 20;
  double file_time_budget_seconds = 120;
  // Archives: total uncompressed bytes, members, and nesting depth.
  uint64_t max_archive_bytes = 1ull << 30;
  size_t max_archive_members = 20000;
  int max_archive_depth = 2;
};

// What `ingest --url` may fetch. By default only public http(s) addresses:
// loopback, private, link-local (cloud metadata) and other special ranges
// are refused, on every redirect hop (server-side request forgery).
struct UrlOptions {
  std::vector<std::string> allow_hosts;  // always allowed (e.g. an intranet wiki)
  std::vector<std::string> deny_hosts;   // always refused
  bool allow_private = false;            // private and loopback ranges
  uint64_t max_bytes = 256ull << 20;
  double timeout_seconds = 60;
};

// Pseudo-relevance feedback (query expansion from the top hits). Off by
// default: it lowered Hit@1 in every setting measured (docs/quality.md).
struct FeedbackOptions {
  size_t documents = 0;  // top hits to expand from; 0 = off
  size_t terms = 10;     // expansion terms added
  double weight = 0.3;   // their weight relative to the question's terms
};

// The retrieval stages beside BM25 and how they are fused: dense retrieval
// (when an embedding model is configured, KnowledgeBase::SetModels) and the
// knowledge graph.
struct HybridOptions {
  bool dense = true;  // false: lexical only even with an embedder
  enum class Fusion { kRrf, kWeighted } fusion = Fusion::kRrf;
  double rrf_k = 60;         // reciprocal rank fusion constant
  double dense_weight = 1;   // the dense stage's weight in either fusion
  bool rerank = true;        // when a reranker is configured
  size_t rerank_depth = 20;  // candidates sent to the reranker
  double mmr_lambda = 0;     // > 0: maximal marginal relevance for diversity
  // The knowledge-graph stage, when the KB's graph is on (entities named in
  // the question; model-free). It adds the chunks about them that no other
  // stage found. See docs/graph.md.
  bool graph = true;
};

// Restricts retrieval to some documents. Every non-empty field must match
// (tags: any one of them); an empty filter keeps everything. Applied inside
// each stage (a Xapian boolean filter, a FAISS id selector), so a selective
// filter still returns its best `limit` hits, not the survivors of a global
// top list.
struct SearchFilter {
  std::vector<int64_t> document_ids;
  std::vector<std::string> tags;
  std::vector<std::string> types;  // "pdf", "markdown", ... (docs/formats.md)
  std::string source_prefix;       // e.g. a folder: "handbook/"

  bool empty() const {
    return document_ids.empty() && tags.empty() && types.empty() && source_prefix.empty();
  }
};

struct SearchOptions {
  size_t limit = 10;
  SearchFilter filter;
  HybridOptions hybrid;
  FeedbackOptions feedback;
  // Characters of context in each highlighted snippet.
  size_t snippet_chars = 160;
};

struct AskOptions {
  // Chunks retrieved (and returned to callers that ask for them).
  size_t retrieve_chunks = 10;
  // Of those, the chunks the extractive reader reads.
  size_t candidate_chunks = 5;
  // The reader abstains below this confidence (0..1; see Answer::confidence
  // and docs/quality.md, where it is calibrated).
  double min_confidence = 0.43;
  // Maximum citations attached to an answer.
  size_t max_citations = 3;
  FeedbackOptions feedback;
  HybridOptions hybrid;
  SearchFilter filter;  // the documents answers may come from

  // With a language model configured (KnowledgeBase::SetModels):
  bool use_llm = true;  // false: the extractive reader even with a model
  // Earlier turns of the conversation, oldest first: a follow-up is made
  // standalone before retrieval, and recent turns go into the prompt.
  std::vector<std::pair<std::string, std::string>> history;  // (question, answer)
  size_t history_tokens = 800;
  size_t context_tokens = 3000;  // sources in the prompt
  // Receives the answer as the model writes it; return false to stop.
  std::function<bool(std::string_view)> on_token;
  // Set from another thread to abandon the model call.
  const std::atomic<bool>* cancelled = nullptr;
};

struct ContextOptions {
  // Hits recalled around.
  size_t hits = 5;
  // Each hit grows to at most this many characters of its section.
  size_t recall_chars = 1200;
  // Compression keeps the most relevant sentences up to this many tokens
  // (CJK characters + other words).
  size_t token_budget = 600;
};

}  // namespace askio
