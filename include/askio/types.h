// Plain data returned by the engine. All text is UTF-8; offsets are in Unicode
// code points into the document's normalised text (Document::text).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace askio {

struct DocumentInfo {
  int64_t id = 0;
  std::string source;  // path or URI the document was read from
  std::string title;
  std::string type;  // "text", "markdown", "pdf", "docx", ... (docs/formats.md)
  std::string content_hash;
  int64_t version = 0;  // increments each time the document is replaced
  int64_t chunk_count = 0;
  std::string created_at;  // ISO 8601 UTC
  std::string updated_at;
  std::vector<std::string> tags;  // sorted
};

// Where a stretch of a chunk sits in its source: from `offset` (code points
// from the chunk's start) to the next place's offset.
struct Place {
  int64_t offset = 0;
  std::string location;  // "page 3", "sheet Sales, row 12", "slide 4"
};

struct Chunk {
  int64_t id = 0;
  int64_t document_id = 0;
  int64_t ordinal = 0;
  std::string text;
  std::vector<std::string> heading_path;
  int64_t char_start = 0;  // [char_start, char_end) in the document text
  int64_t char_end = 0;
  int64_t page = 0;  // page (PDF) or slide (PPTX) of its first sentence, 1-based; 0 when none
  // Where it sits in the source: "page 3", or "page 3 – page 4" when it
  // spans places; empty for formats without places.
  std::string location;
  std::vector<Place> places;  // in order; empty for formats without places
};

// The location of the chunk text [begin, end) (code points from the chunk's
// start): one place, or "first – last" when the range spans several.
std::string LocationOf(const Chunk& chunk, int64_t begin, int64_t end);

// A span of a snippet that matched the query.
struct Highlight {
  size_t begin = 0;  // byte offsets into SearchHit::snippet
  size_t end = 0;
};

// One ranking stage's view of a hit, for debugging (`search --explain`).
struct StageScore {
  std::string stage;  // "bm25", "proximity", "final" (later: "dense", "fusion", "rerank")
  double score = 0;
  int rank = 0;  // 1-based rank in that stage; 0 when the stage does not rank
};

struct SearchHit {
  Chunk chunk;
  std::string document_title;
  std::string document_source;
  // Relevance: BM25 relative to the best BM25 hit, plus the share of the
  // question's IDF-weighted terms found in the chunk's best sentence.
  double score = 0;
  std::string snippet;
  std::vector<Highlight> highlights;
  std::vector<StageScore> stages;  // in the order the stages ran
};

struct Citation {
  int number = 0;  // the [n] used in the answer text
  int64_t chunk_id = 0;
  std::string document_title;
  std::string document_source;
  std::vector<std::string> heading_path;
  std::string location;    // of the cited chunk: "page 3", "sheet S, row R", "slide K"
  int64_t char_start = 0;  // of the quoted passage in the document
  int64_t char_end = 0;
  std::string quote;
};

struct Answer {
  bool found = false;    // false: the knowledge base does not contain the answer
  std::string text;      // the short answer, with [n] markers when found
  std::string span;      // the short answer alone (no markers): a span of `evidence`
  std::string evidence;  // the sentence the answer comes from (quoted by citation [1])
  std::vector<Citation> citations;
  // 0..1: min(coverage of the answer sentence + 0.2, coverage of its chunk),
  // coverage being the share of the question's IDF-weighted terms present.
  double confidence = 0;
  std::string reason;  // why the answer was withheld, when !found

  // Who wrote it: "extractive" (the built-in reader) or "llm:<model @ host>".
  std::string generated_by = "extractive";
  // LLM answers: every claim cites a source that supports it (checked after
  // generation), and the claims that failed the check.
  bool grounded = true;
  std::vector<std::string> unsupported_claims;
  // Set when a configured model failed and the built-in reader answered.
  std::string fallback_reason;
};

// Source recall: a hit chunk widened with its neighbours in the same section,
// up to a size budget; hits whose passages overlap in one document are merged.
struct RecalledPassage {
  int64_t document_id = 0;
  std::string document_title;
  std::string document_source;
  std::vector<std::string> heading_path;
  int64_t char_start = 0;  // [char_start, char_end) in the document text
  int64_t char_end = 0;
  std::string text;
  std::vector<int64_t> chunk_ids;  // the hits merged into this passage, best first
  double score = 0;                // the best hit's retrieval score
};

// A sentence kept by context compression, with where it comes from.
struct ContextSentence {
  int passage = 0;         // index into Context::passages; cite it as [passage + 1]
  int64_t char_start = 0;  // in the document text
  int64_t char_end = 0;
  std::string text;
  double relevance = 0;  // share of the question's weighted terms it holds
};

// What a reader (the extractive reader, or later an LLM) is given to answer
// from: recalled passages, and the sentences of them that matter to the
// question within a token budget, in reading order.
struct Context {
  std::vector<RecalledPassage> passages;
  std::vector<ContextSentence> sentences;
  size_t tokens = 0;  // estimated: CJK characters + other words
};

struct KbStats {
  std::string name;
  int64_t documents = 0;
  int64_t chunks = 0;
  int64_t text_bytes = 0;
  int64_t index_applied_seq = 0;  // outbox position the lexical index reached
  int64_t outbox_seq = 0;         // latest outbox position in the catalogue
  std::string analyzer;           // the analysis scheme the index was built with
  std::string weighting;          // e.g. "bm25 k1=1.2 b=0.75"
  std::string created_at;
};

// One file's outcome in an ingest run.
// One file's outcome in an ingest run (an archive gives one per member, with
// path "bundle.zip!/member/path").
struct IngestFileResult {
  std::string path;
  enum class Outcome { kAdded, kReplaced, kUnchanged, kFailed } outcome = Outcome::kAdded;
  std::string error;  // why, when kFailed
  std::string type;   // detected format: "pdf", "docx", ... ("unknown" when undetectable)
  int64_t chunks = 0;
  int64_t bytes = 0;
  int64_t pages = 0;   // pages / slides / sheets / chapters, where the format has them
  double seconds = 0;  // detecting and parsing
};

// Per-format totals of an ingest run.
struct IngestTypeSummary {
  int64_t files = 0, failed = 0, pages = 0, chunks = 0;
  double seconds = 0;  // parse time, summed over threads
};

struct IngestReport {
  std::vector<IngestFileResult> files;
  int64_t added = 0, replaced = 0, unchanged = 0, failed = 0, pruned = 0;
  int64_t chunks = 0;
  int64_t bytes = 0;
  int64_t pages = 0;
  std::map<std::string, IngestTypeSummary> by_type;
  // Wall time per stage, seconds (stages overlap across threads).
  double read_seconds = 0, parse_seconds = 0, store_seconds = 0, index_seconds = 0;
  double total_seconds = 0;
  // With an embedding model: chunks embedded by this run (cached texts cost
  // nothing), and why embedding stopped if it failed (the chunks stay
  // searchable lexically; `askio kb embed` resumes).
  int64_t embedded = 0;
  std::string embed_error;
};

// Reported while ingesting so a caller can draw a progress bar.
struct IngestProgress {
  size_t files_done = 0, files_total = 0;
  uint64_t bytes_done = 0, bytes_total = 0;
  uint64_t pages_done = 0;
  std::string current;
  // Sources of the documents whose batch has just been committed (durably:
  // the catalogue's transaction is synced); empty on other updates.
  std::vector<std::string> committed;
};

}  // namespace askio
