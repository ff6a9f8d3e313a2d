// The lexical (BM25) index over chunks, kept in Xapian. Derived from the
// catalogue: the (combined) Xapian document id == chunk id, and the index
// records the last outbox sequence it applied under the metadata key
// "askio.applied_seq".
//
// The index is split into shards (sub-databases `shard0`, `shard1`, ...) so
// that a batch of chunks is indexed on several cores at once; Xapian searches
// the shards as one database with global BM25 statistics, so ranking does not
// depend on the shard count (docs/decisions/0003-index-shards.md). Chunk id c
// lives in shard (c-1) % n as local document (c-1) / n + 1, which is exactly
// how Xapian interleaves document ids when it combines the shards.
//
// Not thread-safe: the owner serialises access.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "askio/status.h"
#include "text/analyzer.h"

namespace askio::index {

// BM25 parameters, written as a scheme string ("bm25 k1=1.2 b=0.75") and
// stored with the knowledge base so that runs are reproducible.
struct Bm25Params {
  double k1 = 1.2;
  double b = 0.75;
  std::string ToString() const;
  static Result<Bm25Params> Parse(const std::string& scheme);
};

// The terms a chunk is indexed under: its text, and its document title and
// heading path counted twice (a field weight; docs/quality.md).
text::TermCounts ChunkTerms(const std::string& title, const std::vector<std::string>& heading_path,
                            const std::string& text);
// Adds the boolean term naming the chunk's document ("XD<id>": upper case,
// so no analysed term can collide), which filtered searches match on.
void AddDocumentTerm(text::TermCounts& terms, int64_t document_id);

// What an index holds, recorded with every commit. An index of an older
// layout (before document terms: 1) must be rebuilt to serve filters.
constexpr int kLexicalLayout = 2;

struct LexicalMatch {
  int64_t chunk_id;
  double score;
};

// Pseudo-relevance feedback: expand the query with the `terms` best
// expansion terms (Xapian's ESet) of the top `documents` hits, at `weight`
// relative to the original terms. documents == 0 disables it.
struct Feedback {
  size_t documents = 0;
  size_t terms = 10;
  double weight = 0.3;
};

class LexicalIndex {
 public:
  enum class Mode { kReadOnly, kWritable };
  // kWritable takes Xapian's single-writer lock; fails with kIOError
  // ("locked") while another process holds it. A missing index is created
  // (writable, with `shards_if_new` shards) or reported as kNotFound
  // (read-only). An index in an unknown layout is kCorruption.
  static Result<std::unique_ptr<LexicalIndex>> Open(const std::string& dir, Mode mode,
                                                    int shards_if_new = DefaultShardCount());
  // One shard per core, at most 4.
  static int DefaultShardCount();
  ~LexicalIndex();

  bool writable() const;
  // The lowest position any shard committed (shards commit one by one, so
  // after a crash some may be ahead; replaying from the lowest is idempotent).
  int64_t applied_seq() const;
  // Whether every shard shows the same commit (a reader that opened between
  // two shards' commits does not).
  bool shards_agree() const;
  uint64_t doc_count() const;
  // Documents containing `term`, for IDF.
  uint64_t term_freq(const std::string& term) const;

  int shard_count() const;

  Status Add(int64_t chunk_id, const text::TermCounts& terms);
  // Adds (or replaces) many chunks, each shard on its own thread.
  Status AddBatch(const std::vector<std::pair<int64_t, const text::TermCounts*>>& chunks);
  Status Remove(int64_t chunk_id);
  // Makes all changes durable together with the outbox position they reach.
  Status Commit(int64_t applied_seq);

  // Sees commits made by other handles since opening.
  Status Reopen();

  // Xapian's own consistency check of every shard under `dir` (each B-tree,
  // and postings against term lists and document lengths): reads the whole
  // index, so it costs time proportional to its size. kCorruption says what
  // is wrong; kNotFound when there is no index.
  static Status Check(const std::string& dir);
  // Bytes the index takes on disk (0 when absent).
  static uint64_t DiskBytes(const std::string& dir);

  // `only_documents`, when given, restricts hits to chunks of those
  // documents (a boolean filter: BM25 statistics stay those of the whole KB).
  Result<std::vector<LexicalMatch>> Search(
      const std::vector<text::QueryTerm>& terms, size_t limit, const Bm25Params& params,
      const Feedback& feedback = Feedback{},
      const std::vector<int64_t>* only_documents = nullptr) const;
  // The layout the index was last committed with (kLexicalLayout), 1 for an
  // index that predates layout records, -1 when unreadable.
  int layout() const;

  class Impl;

 private:
  explicit LexicalIndex(std::unique_ptr<Impl> impl);
  Result<std::vector<LexicalMatch>> SearchOnce(const std::vector<text::QueryTerm>& terms,
                                               size_t limit, const Bm25Params& params,
                                               const Feedback& feedback,
                                               const std::vector<int64_t>* only_documents) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace askio::index
