// The dense (vector) index over chunk embeddings, in FAISS. Derived, like
// the lexical index: the catalogue stores every embedding, and this index
// can be rebuilt from it at any time.
//
// Vectors are L2-normalised, so inner product = cosine similarity. Small
// indexes use exact search (IndexFlatIP); above `hnsw_threshold` vectors an
// HNSW graph (optionally over 8-bit scalar-quantised vectors) is built.
// External ids are chunk ids (IndexIDMap2). Deletions: exact indexes remove
// in place; HNSW cannot, so removed ids become tombstones filtered out of
// results, and NeedsRebuild() says when they are worth a rebuild.
//
// Thread safety: Search is const and may run concurrently with other
// Searches; Add/Remove/Save/SetEfSearch/SetSearchThreads need exclusive
// access (the owner's lock).
//
// Saved files carry a checksum that Load verifies before FAISS parses
// anything, so a damaged file is kCorruption rather than a crash.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "askio/status.h"

namespace askio::index {

struct VectorHit {
  int64_t id;
  float score;  // cosine similarity
};

struct VectorIndexOptions {
  size_t dim = 0;
  // Defaults from bench/ann.sh (docs/benchmarks.md, "Vectors"): below 20k
  // vectors an exact scan takes under ~2 ms (384 dimensions) and needs no
  // build; M=16/efC=100 builds 1M x 384 in ~11 min on 2 cores at 1.2x the
  // raw size; ef_search 192 is the smallest swept value giving recall@10
  // >= 0.95 at 1M clustered vectors (~1,100 queries/s on one thread).
  size_t hnsw_threshold = 20000;  // vectors; at or above it Build() makes HNSW
  int hnsw_m = 16;
  int ef_construction = 100;
  int ef_search = 192;
  bool quantize = false;  // HNSW over SQ8 codes (4x smaller, slightly lower recall)
};

class VectorIndex {
 public:
  enum class Kind { kFlat, kHnsw, kHnswSq8 };

  // An empty exact index of `options.dim` dimensions.
  static Result<std::unique_ptr<VectorIndex>> Create(const VectorIndexOptions& options);
  // Builds the kind `options` calls for at this size, from all vectors at once
  // (`vectors` is ids.size() x dim, row-major, normalised).
  static Result<std::unique_ptr<VectorIndex>> Build(const VectorIndexOptions& options,
                                                    const std::vector<int64_t>& ids,
                                                    const std::vector<float>& vectors);
  // Reads a saved index; kCorruption if the file is damaged.
  static Result<std::unique_ptr<VectorIndex>> Load(const std::string& path);
  ~VectorIndex();

  // Writes to path.tmp, fsyncs, renames: a crash leaves the old file or the new.
  Status Save(const std::string& path) const;

  // Adds vectors (ids.size() x dim, normalised); an id already present is
  // replaced (its old vector becomes a tombstone in HNSW), and an id repeated
  // in `ids` keeps its last vector. An exact index stays exact: Build again
  // once NeedsRebuild() says so.
  Status Add(const std::vector<int64_t>& ids, const std::vector<float>& vectors);
  // Ids not in the index are ignored.
  Status Remove(const std::vector<int64_t>& ids);

  // The k most similar vectors, best first; `keep`, when given, filters ids
  // (document or tag filters) inside the search, so k results still come back
  // when k ids pass it (for a very selective filter, by an exact scan). `keep`
  // is called from FAISS and must not throw.
  Result<std::vector<VectorHit>> Search(const float* query, size_t k,
                                        const std::function<bool(int64_t)>* keep = nullptr) const;

  size_t dim() const;
  size_t size() const;              // live vectors
  size_t tombstones() const;        // removed but still in the graph
  bool Contains(int64_t id) const;  // a live vector with this id
  Kind kind() const;
  // Tombstones above a fifth of the index, or an exact index grown by Add to
  // hnsw_threshold vectors or more (Build would make HNSW).
  bool NeedsRebuild() const;
  size_t MemoryBytes() const;  // approximate, for benchmarks
  void SetEfSearch(int ef);
  // OpenMP threads one Search uses (default 1; 0 = OpenMP's default). FAISS
  // would otherwise start a thread team per single-vector query, which on a
  // server's concurrent searches oversubscribes the cores (bench/ann_bench.cc
  // measures both). Build uses all threads regardless.
  void SetSearchThreads(int threads);

  class Impl;

 private:
  explicit VectorIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Scales `v` to unit length in place (a zero vector stays zero).
void Normalize(std::vector<float>& v);
void Normalize(float* v, size_t dim);

}  // namespace askio::index
