// Plain option structs with documented defaults. Callers fill in what they
// need; every field has a sensible default so `{}` is always valid.
#pragma once

#include <cstddef>
#include <string>

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
  // Documents committed per SQLite transaction.
  size_t batch_size = 64;
};

// Pseudo-relevance feedback (query expansion from the top hits). Off by
// default: it lowered Hit@1 in every setting measured (docs/quality.md).
struct FeedbackOptions {
  size_t documents = 0;  // top hits to expand from; 0 = off
  size_t terms = 10;     // expansion terms added
  double weight = 0.3;   // their weight relative to the question's terms
};

struct SearchOptions {
  size_t limit = 10;
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
