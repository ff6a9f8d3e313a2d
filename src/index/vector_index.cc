#include "index/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/impl/DistanceComputer.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/HNSW.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <fcntl.h>
#include <omp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <new>
#include <unordered_map>
#include <unordered_set>

#include "index/vector_kernels.h"

namespace askio::index {

// The FAISS index's labels are slots (0..ntotal-1, in insertion order), not
// chunk ids: the slot table maps them to ids. We keep that table ourselves
// rather than using IndexIDMap2 because FAISS 1.7.3's IndexIDMap rejects
// SearchParameters outright ("search params not supported for this index"),
// so neither tombstones nor the caller's filter could be applied inside the
// search; and with ids instead of slots, an id removed and added again would
// be indistinguishable from its stale copy still in the HNSW graph.
class VectorIndex::Impl {
 public:
  VectorIndexOptions options;
  Kind kind = Kind::kFlat;
  std::unique_ptr<faiss::Index> index;           // IndexFlatIP, IndexHNSWFlat or IndexHNSWSQ
  std::vector<int64_t> slot_ids;                 // slot -> chunk id
  std::vector<uint8_t> dead;                     // HNSW only: 1 where the slot is a tombstone
  std::unordered_map<int64_t, int64_t> slot_of;  // live chunk id -> its slot
  size_t tombstones = 0;
  int search_threads = 1;

  bool is_hnsw() const { return kind != Kind::kFlat; }
  Status Add(const std::vector<int64_t>& ids, const std::vector<float>& vectors);
  Status RemoveFlatSlots(const std::vector<int64_t>& slots);
  Result<std::vector<VectorHit>> Search(const float* query, size_t k,
                                        const std::function<bool(int64_t)>* keep) const;
  size_t MemoryBytes() const;
};

namespace {

using idx_t = faiss::Index::idx_t;

// ---- Storage with fast distances -------------------------------------------
//
// HNSW computes every distance, in construction and in search, through its
// storage's DistanceComputer; Debian's FAISS computes them with a scalar loop
// (vector_kernels.h). These storages are FAISS's own (same fields, same file
// format: write_index sees an IndexFlat / IndexScalarQuantizer) with
// distance computers on our kernels: 5-10x faster builds and searches.

class FlatIpDistance : public faiss::FlatCodesDistanceComputer {
 public:
  FlatIpDistance(const uint8_t* codes, size_t dim)
      : FlatCodesDistanceComputer(codes, dim * sizeof(float)), dim_(dim) {}
  void set_query(const float* x) override { query_ = x; }
  float distance_to_code(const uint8_t* code) override {
    return kernels::Dot(query_, reinterpret_cast<const float*>(code), dim_);
  }
  float symmetric_dis(idx_t i, idx_t j) override { return kernels::Dot(Row(i), Row(j), dim_); }

 private:
  const float* Row(idx_t i) const { return reinterpret_cast<const float*>(codes + i * code_size); }
  size_t dim_;
  const float* query_ = nullptr;
};

class FastFlatIP : public faiss::IndexFlatIP {
 public:
  explicit FastFlatIP(idx_t dim) : faiss::IndexFlatIP(dim) {}
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override {
    return new FlatIpDistance(codes.data(), static_cast<size_t>(d));
  }
};

// FAISS's 8-bit quantiser (QT_8bit, min-max per dimension) decodes component
// j of code c as vmin[j] + (c[j] + 0.5) / 255 * vdiff[j] (trained = vmin,
// then vdiff). The inner product with query x is then
//   sum x[j] * (vmin[j] + 0.5 * vdiff[j] / 255)  +  sum (x[j] * vdiff[j] / 255) * c[j],
// a per-query constant plus one weighted sum over the raw bytes.
class Sq8IpDistance : public faiss::FlatCodesDistanceComputer {
 public:
  Sq8IpDistance(const uint8_t* codes, size_t dim, const float* trained)
      : FlatCodesDistanceComputer(codes, dim),
        dim_(dim),
        vmin_(trained),
        vdiff_(trained + dim),
        weight_(dim),
        scale_(dim),
        offset_(dim),
        a_(dim),
        b_(dim) {
    for (size_t j = 0; j < dim; ++j) {
      scale_[j] = vdiff_[j] / 255.0f;
      offset_[j] = vmin_[j] + 0.5f * vdiff_[j] / 255.0f;
    }
  }
  void set_query(const float* x) override {
    double bias = 0;
    for (size_t j = 0; j < dim_; ++j) {
      weight_[j] = x[j] * scale_[j];
      bias += static_cast<double>(x[j]) * offset_[j];
    }
    bias_ = static_cast<float>(bias);
  }
  float distance_to_code(const uint8_t* code) override {
    return bias_ + kernels::DotU8(weight_.data(), code, dim_);
  }
  // HNSW asks for one node against many (linking, pruning): the last decoded
  // vector on each side is kept.
  float symmetric_dis(idx_t i, idx_t j) override {
    if (i != a_id_) {
      Decode(codes + i * code_size, a_.data());
      a_id_ = i;
    }
    if (j != b_id_) {
      Decode(codes + j * code_size, b_.data());
      b_id_ = j;
    }
    return kernels::Dot(a_.data(), b_.data(), dim_);
  }

 private:
  void Decode(const uint8_t* c, float* out) const {
    kernels::DecodeU8(c, scale_.data(), offset_.data(), out, dim_);
  }
  size_t dim_;
  const float* vmin_;
  const float* vdiff_;
  std::vector<float> weight_, scale_, offset_, a_, b_;
  idx_t a_id_ = -1, b_id_ = -1;
  float bias_ = 0;
};

class FastSq8 : public faiss::IndexScalarQuantizer {
 public:
  explicit FastSq8(idx_t dim)
      : faiss::IndexScalarQuantizer(dim, faiss::ScalarQuantizer::QT_8bit,
                                    faiss::METRIC_INNER_PRODUCT) {}
  faiss::FlatCodesDistanceComputer* get_FlatCodesDistanceComputer() const override {
    return new Sq8IpDistance(codes.data(), static_cast<size_t>(d), sq.trained.data());
  }
};

// Replaces a flat or SQ8 storage read from a file by the fast one, moving the
// codes; false if it is not what our files contain.
bool AdoptFastStorage(faiss::Index*& storage) {
  const size_t d = static_cast<size_t>(storage->d);
  const size_t n = static_cast<size_t>(storage->ntotal);
  if (auto* flat = dynamic_cast<faiss::IndexFlat*>(storage)) {
    if (flat->codes.size() != n * d * sizeof(float)) return false;
    auto fast = std::make_unique<FastFlatIP>(storage->d);
    fast->codes = std::move(flat->codes);
    fast->ntotal = storage->ntotal;
    delete storage;
    storage = fast.release();
    return true;
  }
  if (auto* sq = dynamic_cast<faiss::IndexScalarQuantizer*>(storage)) {
    if (sq->sq.qtype != faiss::ScalarQuantizer::QT_8bit || sq->sq.trained.size() != 2 * d ||
        sq->code_size != d || sq->codes.size() != n * d || !sq->is_trained)
      return false;
    auto fast = std::make_unique<FastSq8>(storage->d);
    fast->sq = sq->sq;
    fast->codes = std::move(sq->codes);
    fast->ntotal = storage->ntotal;
    fast->is_trained = true;
    delete storage;
    storage = fast.release();
    return true;
  }
  return false;
}

// The k best slots passing `sel` by a scan of every stored vector, best first.
void ExactScan(const faiss::Index& storage, const float* query, size_t k,
               const faiss::IDSelector* sel, std::vector<std::pair<float, idx_t>>& out) {
  out.clear();
  std::unique_ptr<faiss::DistanceComputer> dc(storage.get_distance_computer());
  dc->set_query(query);
  // A min-heap of the best k so far: its top is the one to beat.
  const auto worse = [](const std::pair<float, idx_t>& a, const std::pair<float, idx_t>& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  for (idx_t i = 0; i < storage.ntotal; ++i) {
    if (sel != nullptr && !sel->is_member(i)) continue;
    const float s = (*dc)(i);
    if (out.size() < k) {
      out.emplace_back(s, i);
      std::push_heap(out.begin(), out.end(), worse);
    } else if (s > out.front().first) {
      std::pop_heap(out.begin(), out.end(), worse);
      out.back() = {s, i};
      std::push_heap(out.begin(), out.end(), worse);
    }
  }
  std::sort_heap(out.begin(), out.end(), worse);
}

constexpr char kMagic[8] = {'A', 'S', 'K', 'I', 'O', 'V', 'E', 'C'};
constexpr uint32_t kFormatVersion = 1;

Status FromException(const std::exception& e, const std::string& context) {
  if (dynamic_cast<const std::bad_alloc*>(&e) != nullptr)
    return Status::IOError(context + ": out of memory");
  return Status::Internal(context + ": " + e.what());
}

// OpenMP's thread count for parallel regions started by this thread, set for
// one scope. The setting is per thread (an OpenMP ICV), so concurrent
// searches on other threads are unaffected.
class OmpThreads {
 public:
  explicit OmpThreads(int n) : prev_(omp_get_max_threads()), set_(n > 0) {
    if (set_) omp_set_num_threads(n);
  }
  ~OmpThreads() {
    if (set_) omp_set_num_threads(prev_);
  }
  OmpThreads(const OmpThreads&) = delete;
  OmpThreads& operator=(const OmpThreads&) = delete;

 private:
  int prev_;
  bool set_;
};

// Accepts a slot when it is live and the caller's filter keeps its id. FAISS
// calls it for every candidate it would return.
class SlotSelector : public faiss::IDSelector {
 public:
  SlotSelector(const VectorIndex::Impl& impl, const std::function<bool(int64_t)>* keep)
      : impl_(impl), keep_(keep) {}
  bool is_member(idx_t slot) const override {
    if (slot < 0 || static_cast<size_t>(slot) >= impl_.slot_ids.size()) return false;
    if (!impl_.dead.empty() && impl_.dead[slot]) return false;
    return keep_ == nullptr || (*keep_)(impl_.slot_ids[slot]);
  }

 private:
  const VectorIndex::Impl& impl_;
  const std::function<bool(int64_t)>* keep_;
};

Status CheckOptions(const VectorIndexOptions& o) {
  if (o.dim == 0 || o.dim > 65536)
    return Status::InvalidArgument("vector index: dimension must be in 1..65536");
  if (o.hnsw_m < 2 || o.hnsw_m > 256)
    return Status::InvalidArgument("vector index: hnsw_m must be in 2..256");
  if (o.ef_construction < 1 || o.ef_search < 1)
    return Status::InvalidArgument("vector index: ef_construction and ef_search must be >= 1");
  return Status::Ok();
}

Status CheckShape(size_t dim, const std::vector<int64_t>& ids, const std::vector<float>& vectors) {
  if (vectors.size() != ids.size() * dim)
    return Status::InvalidArgument("vector index: " + std::to_string(vectors.size()) +
                                   " floats for " + std::to_string(ids.size()) +
                                   " ids of dimension " + std::to_string(dim));
  return Status::Ok();
}

// ---- Persistence --------------------------------------------------------
//
// File layout (host byte order; askio runs on little-endian machines):
//   "ASKIOVEC", u32 version, u32 kind, u64 dim, u64 hnsw_threshold,
//   i32 hnsw_m, i32 ef_construction, i32 ef_search, u32 quantize,
//   u64 slots, i64 slot_ids[slots], u8 dead[slots], u64 tombstones,
//   the FAISS index (faiss::write_index), u64 XXH3-64 of everything before it.
// Later versions must keep the magic, the version field and the trailing
// checksum where they are: Load checks the checksum before the version.
// The checksum is verified in a first pass before FAISS parses anything: a
// damaged length field must not make FAISS allocate gigabytes or read a
// graph with out-of-range neighbours.

class HashingWriter : public faiss::IOWriter {
 public:
  explicit HashingWriter(FILE* f) : f_(f), state_(XXH3_createState()) { XXH3_64bits_reset(state_); }
  ~HashingWriter() noexcept(false) override { XXH3_freeState(state_); }
  size_t operator()(const void* ptr, size_t size, size_t nitems) override {
    if (size == 0 || nitems == 0) return nitems;
    const size_t done = std::fwrite(ptr, size, nitems, f_);
    XXH3_64bits_update(state_, ptr, done * size);
    if (done != nitems) failed_ = true;
    return done;
  }
  template <typename T>
  void Put(const T& v) {
    if ((*this)(&v, sizeof v, 1) != 1) failed_ = true;
  }
  uint64_t digest() const { return XXH3_64bits_digest(state_); }
  bool failed() const { return failed_; }

 private:
  FILE* f_;
  XXH3_state_t* state_;
  bool failed_ = false;
};

// Reads at most `limit` bytes: FAISS cannot run past the payload into the
// checksum (or past the end of a truncated file).
class BoundedReader : public faiss::IOReader {
 public:
  BoundedReader(FILE* f, uint64_t limit) : f_(f), left_(limit) {}
  size_t operator()(void* ptr, size_t size, size_t nitems) override {
    if (size == 0 || nitems == 0) return nitems;
    const size_t n = std::min<uint64_t>(nitems, left_ / size);
    const size_t done = std::fread(ptr, size, n, f_);
    left_ -= done * size;
    return done;
  }
  template <typename T>
  bool Get(T& v) {
    return (*this)(&v, sizeof v, 1) == 1;
  }
  uint64_t left() const { return left_; }

 private:
  FILE* f_;
  uint64_t left_;
};

struct FileCloser {
  void operator()(FILE* f) const {
    if (f != nullptr) std::fclose(f);
  }
};
using File = std::unique_ptr<FILE, FileCloser>;

std::string ErrnoText() { return std::strerror(errno); }

// The graph's invariants that HNSW search relies on to stay in bounds.
bool HnswGraphIsSane(const faiss::HNSW& h, size_t ntotal) {
  if (h.levels.size() != ntotal || h.offsets.size() != ntotal + 1) return false;
  if (h.offsets.empty() || h.offsets[0] != 0 || h.offsets.back() != h.neighbors.size())
    return false;
  const size_t nlevels = h.cum_nneighbor_per_level.size();
  if (nlevels < 2) return false;
  for (size_t i = 0; i < ntotal; ++i) {
    const int level = h.levels[i];
    if (level < 1 || static_cast<size_t>(level) >= nlevels) return false;
    if (h.offsets[i + 1] < h.offsets[i] ||
        h.offsets[i + 1] - h.offsets[i] != static_cast<size_t>(h.cum_nneighbor_per_level[level]))
      return false;
  }
  for (const auto n : h.neighbors)
    if (n < -1 || static_cast<int64_t>(n) >= static_cast<int64_t>(ntotal)) return false;
  if (ntotal == 0) return true;
  if (h.entry_point < 0 || static_cast<size_t>(h.entry_point) >= ntotal) return false;
  return h.max_level == h.levels[h.entry_point] - 1;
}

}  // namespace

// ---- Impl -----------------------------------------------------------------

Status VectorIndex::Impl::Add(const std::vector<int64_t>& ids_in,
                              const std::vector<float>& vectors_in) {
  ASKIO_RETURN_IF_ERROR(CheckShape(options.dim, ids_in, vectors_in));
  if (ids_in.empty()) return Status::Ok();
  const size_t dim = options.dim;

  // A repeated id within the batch: the last vector wins, as if added in turn.
  const std::vector<int64_t>* ids = &ids_in;
  const std::vector<float>* vectors = &vectors_in;
  std::vector<int64_t> dedup_ids;
  std::vector<float> dedup_vectors;
  {
    std::unordered_map<int64_t, size_t> last;
    last.reserve(ids_in.size());
    for (size_t i = 0; i < ids_in.size(); ++i) last[ids_in[i]] = i;
    if (last.size() != ids_in.size()) {
      for (size_t i = 0; i < ids_in.size(); ++i) {
        if (last[ids_in[i]] != i) continue;
        dedup_ids.push_back(ids_in[i]);
        dedup_vectors.insert(dedup_vectors.end(), vectors_in.begin() + i * dim,
                             vectors_in.begin() + (i + 1) * dim);
      }
      ids = &dedup_ids;
      vectors = &dedup_vectors;
    }
  }
  const size_t n = ids->size();
  const size_t old_n = static_cast<size_t>(index->ntotal);
  // HNSW stores neighbours as 32-bit ints.
  if (old_n + n > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    return Status::InvalidArgument("vector index: more than 2^31 vectors");

  // New vectors go in first, so a failure leaves the previous ones in place.
  try {
    index->add(static_cast<idx_t>(n), vectors->data());
  } catch (const std::exception& e) {
    // Keep the slot table in step with whatever FAISS added before failing.
    const size_t now = static_cast<size_t>(index->ntotal);
    if (now > old_n) {
      if (is_hnsw()) {
        slot_ids.resize(now, -1);
        dead.resize(now, 1);
        tombstones += now - old_n;
      } else {
        try {
          faiss::IDSelectorRange partial(static_cast<idx_t>(old_n), static_cast<idx_t>(now));
          index->remove_ids(partial);
        } catch (...) {
        }
      }
    }
    return FromException(e, "vector index add");
  }

  std::vector<int64_t> replaced;  // flat: slots of older vectors of these ids
  slot_ids.reserve(old_n + n);
  if (is_hnsw()) dead.reserve(old_n + n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t slot = static_cast<int64_t>(old_n + i);
    auto [it, inserted] = slot_of.try_emplace((*ids)[i], slot);
    if (!inserted) {
      if (is_hnsw()) {
        dead[it->second] = 1;
        ++tombstones;
      } else {
        replaced.push_back(it->second);
      }
      it->second = slot;
    }
    slot_ids.push_back((*ids)[i]);
    if (is_hnsw()) dead.push_back(0);
  }
  if (!replaced.empty()) return RemoveFlatSlots(replaced);
  return Status::Ok();
}

// IndexFlat::remove_ids compacts the remaining vectors in order; the slot
// table follows the same compaction.
Status VectorIndex::Impl::RemoveFlatSlots(const std::vector<int64_t>& slots) {
  std::vector<uint8_t> gone(slot_ids.size(), 0);
  for (const int64_t s : slots) gone[s] = 1;
  try {
    std::vector<uint8_t> bits((slot_ids.size() + 7) / 8, 0);
    for (const int64_t s : slots) bits[s >> 3] |= static_cast<uint8_t>(1u << (s & 7));
    faiss::IDSelectorBitmap bitmap(bits.size(), bits.data());
    index->remove_ids(bitmap);
  } catch (const std::exception& e) {
    return FromException(e, "vector index remove");
  }
  size_t out = 0;
  for (size_t s = 0; s < slot_ids.size(); ++s) {
    if (gone[s]) continue;
    slot_ids[out++] = slot_ids[s];
  }
  slot_ids.resize(out);
  slot_of.clear();
  for (size_t s = 0; s < slot_ids.size(); ++s) slot_of[slot_ids[s]] = static_cast<int64_t>(s);
  return Status::Ok();
}

Result<std::vector<VectorHit>> VectorIndex::Impl::Search(
    const float* query, size_t k, const std::function<bool(int64_t)>* keep) const {
  std::vector<VectorHit> hits;
  if (k == 0 || slot_of.empty()) return hits;
  k = std::min(k, slot_of.size());
  std::vector<std::pair<float, idx_t>> best;  // (score, slot), best first
  try {
    SlotSelector selector(*this, keep);
    if (!is_hnsw()) {
      // Exact: one pass over the vectors with the filter applied as it goes.
      ExactScan(*index, query, k, keep != nullptr ? &selector : nullptr, best);
    } else {
      const auto& hnsw = static_cast<const faiss::IndexHNSW&>(*index);
      const bool filtered = keep != nullptr || tombstones > 0;
      std::vector<float> scores(k);
      std::vector<idx_t> slots(k);
      faiss::SearchParametersHNSW params;
      params.sel = filtered ? &selector : nullptr;
      params.efSearch = std::max(options.ef_search, static_cast<int>(k));
      const auto run = [&] {
        OmpThreads threads(search_threads);
        std::fill(slots.begin(), slots.end(), -1);
        index->search(1, query, static_cast<idx_t>(k), scores.data(), slots.data(), &params);
        best.clear();
        for (size_t i = 0; i < k; ++i)
          if (slots[i] >= 0) best.emplace_back(scores[i], slots[i]);
      };
      run();
      // HNSW visits about efSearch candidates and returns those the selector
      // accepts; a selective filter (or clustered tombstones) can leave fewer
      // than k. Widen the beam once, then scan all vectors exactly: by then
      // the filter is so selective that a linear scan is the right plan.
      if (filtered && best.size() < k) {
        params.efSearch = static_cast<int>(
            std::min<size_t>(static_cast<size_t>(params.efSearch) * 8, slot_ids.size()));
        run();
        if (best.size() < k) ExactScan(*hnsw.storage, query, k, &selector, best);
      }
    }
  } catch (const std::exception& e) {
    return Err(FromException(e, "vector search"));
  }
  hits.reserve(best.size());
  for (const auto& [score, slot] : best) {
    if (slot < 0 || static_cast<size_t>(slot) >= slot_ids.size()) continue;
    hits.push_back({slot_ids[slot], score});
  }
  return hits;
}

size_t VectorIndex::Impl::MemoryBytes() const {
  size_t bytes = sizeof(*this);
  const auto codes_of = [](const faiss::Index* ix) -> size_t {
    if (const auto* fc = dynamic_cast<const faiss::IndexFlatCodes*>(ix)) {
      size_t b = fc->codes.capacity();
      if (const auto* sq = dynamic_cast<const faiss::IndexScalarQuantizer*>(ix))
        b += sq->sq.trained.capacity() * sizeof(float);
      return b;
    }
    return 0;
  };
  if (const auto* h = dynamic_cast<const faiss::IndexHNSW*>(index.get())) {
    bytes += codes_of(h->storage);
    bytes += h->hnsw.neighbors.capacity() * sizeof(faiss::HNSW::storage_idx_t);
    bytes += h->hnsw.offsets.capacity() * sizeof(size_t);
    bytes += h->hnsw.levels.capacity() * sizeof(int);
  } else {
    bytes += codes_of(index.get());
  }
  bytes += slot_ids.capacity() * sizeof(int64_t) + dead.capacity();
  // libstdc++ hash map: a bucket pointer each, and a node of (next, key,
  // value) per entry (24 bytes, 32 from malloc).
  bytes += slot_of.bucket_count() * sizeof(void*) + slot_of.size() * 32;
  return bytes;
}

// ---- VectorIndex ------------------------------------------------------------

VectorIndex::VectorIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VectorIndex::~VectorIndex() = default;

Result<std::unique_ptr<VectorIndex>> VectorIndex::Create(const VectorIndexOptions& options) {
  ASKIO_RETURN_IF_ERROR(CheckOptions(options));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->kind = Kind::kFlat;
  try {
    impl->index = std::make_unique<FastFlatIP>(static_cast<idx_t>(options.dim));
  } catch (const std::exception& e) {
    return Err(FromException(e, "vector index create"));
  }
  return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Build(const VectorIndexOptions& options,
                                                        const std::vector<int64_t>& ids,
                                                        const std::vector<float>& vectors) {
  ASKIO_RETURN_IF_ERROR(CheckOptions(options));
  ASKIO_RETURN_IF_ERROR(CheckShape(options.dim, ids, vectors));
  const size_t distinct = std::unordered_set<int64_t>(ids.begin(), ids.end()).size();
  if (distinct < options.hnsw_threshold || distinct == 0) {
    auto created = Create(options);
    if (!created) return created;
    ASKIO_RETURN_IF_ERROR((*created)->Add(ids, vectors));
    return created;
  }

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const idx_t d = static_cast<idx_t>(options.dim);
  try {
    std::unique_ptr<faiss::IndexHNSW> hnsw;
    // FAISS's constructors make plain storages; ours replace them before
    // anything is stored (the HNSW owns its storage either way).
    if (options.quantize) {
      impl->kind = Kind::kHnswSq8;
      hnsw = std::make_unique<faiss::IndexHNSWSQ>(d, faiss::ScalarQuantizer::QT_8bit,
                                                  options.hnsw_m, faiss::METRIC_INNER_PRODUCT);
      delete hnsw->storage;
      hnsw->storage = new FastSq8(d);
      // SQ8 learns each dimension's range; every vector is a fine sample.
      hnsw->train(static_cast<idx_t>(ids.size()), vectors.data());
    } else {
      impl->kind = Kind::kHnsw;
      hnsw = std::make_unique<faiss::IndexHNSWFlat>(d, options.hnsw_m, faiss::METRIC_INNER_PRODUCT);
      delete hnsw->storage;
      hnsw->storage = new FastFlatIP(d);
    }
    hnsw->hnsw.efConstruction = options.ef_construction;
    hnsw->hnsw.efSearch = options.ef_search;
    impl->index = std::move(hnsw);
  } catch (const std::exception& e) {
    return Err(FromException(e, "vector index build"));
  }
  // Construction uses all OpenMP threads (FAISS inserts in parallel).
  ASKIO_RETURN_IF_ERROR(impl->Add(ids, vectors));
  return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
}

Status VectorIndex::Save(const std::string& path) const {
  const Impl& m = *impl_;
  const std::string tmp = path + ".tmp";
  File f(std::fopen(tmp.c_str(), "wb"));
  if (!f) return Status::IOError("cannot write " + tmp + ": " + ErrnoText());
  bool ok = true;
  try {
    HashingWriter w(f.get());
    w(kMagic, 1, sizeof kMagic);
    w.Put(kFormatVersion);
    w.Put(static_cast<uint32_t>(m.kind));
    w.Put(static_cast<uint64_t>(m.options.dim));
    w.Put(static_cast<uint64_t>(m.options.hnsw_threshold));
    w.Put(static_cast<int32_t>(m.options.hnsw_m));
    w.Put(static_cast<int32_t>(m.options.ef_construction));
    w.Put(static_cast<int32_t>(m.options.ef_search));
    w.Put(static_cast<uint32_t>(m.options.quantize ? 1 : 0));
    const uint64_t slots = m.slot_ids.size();
    w.Put(slots);
    w(m.slot_ids.data(), sizeof(int64_t), slots);
    std::vector<uint8_t> dead = m.dead;
    dead.resize(slots, 0);
    w(dead.data(), 1, slots);
    w.Put(static_cast<uint64_t>(m.tombstones));
    faiss::write_index(m.index.get(), &w);
    const uint64_t digest = w.digest();
    if (std::fwrite(&digest, sizeof digest, 1, f.get()) != 1) ok = false;
    ok = ok && !w.failed();
  } catch (const std::exception& e) {
    f.reset();
    std::remove(tmp.c_str());
    return Status::IOError("cannot write " + tmp + ": " + e.what());
  }
  if (!ok || std::fflush(f.get()) != 0 || ::fsync(fileno(f.get())) != 0) {
    const std::string why = ErrnoText();
    f.reset();
    std::remove(tmp.c_str());
    return Status::IOError("cannot write " + tmp + ": " + why);
  }
  if (std::fclose(f.release()) != 0) {
    std::remove(tmp.c_str());
    return Status::IOError("cannot write " + tmp + ": " + ErrnoText());
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = ErrnoText();
    std::remove(tmp.c_str());
    return Status::IOError("cannot rename " + tmp + " to " + path + ": " + why);
  }
  // The rename itself is durable only once the directory is synced.
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Load(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    if (errno == ENOENT) return Err(Status::NotFound("no vector index at " + path));
    return Err(Status::IOError("cannot read " + path + ": " + ErrnoText()));
  }
  struct stat st {};
  if (::fstat(fileno(f.get()), &st) != 0)
    return Err(Status::IOError("cannot read " + path + ": " + ErrnoText()));
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const auto corrupt = [&](const std::string& why) {
    return Err(Status::Corruption("vector index " + path + ": " + why));
  };
  constexpr uint64_t kMinSize = sizeof kMagic + 4 + 4 + 8 + 8 + 4 * 4 + 8 + 8 + 8;
  if (size < kMinSize) return corrupt("truncated");

  char magic[sizeof kMagic];
  uint32_t version = 0;
  if (std::fread(magic, 1, sizeof magic, f.get()) != sizeof magic ||
      std::fread(&version, sizeof version, 1, f.get()) != 1)
    return Err(Status::IOError("cannot read " + path + ": " + ErrnoText()));
  if (std::memcmp(magic, kMagic, sizeof kMagic) != 0) return corrupt("not an askio vector index");

  // Pass 1: the checksum, before anything is trusted.
  const uint64_t body = size - sizeof(uint64_t);
  {
    if (std::fseek(f.get(), 0, SEEK_SET) != 0)
      return Err(Status::IOError("cannot read " + path + ": " + ErrnoText()));
    XXH3_state_t* state = XXH3_createState();
    XXH3_64bits_reset(state);
    std::vector<char> buf(1 << 20);
    uint64_t left = body;
    while (left > 0) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
      if (std::fread(buf.data(), 1, want, f.get()) != want) {
        XXH3_freeState(state);
        return corrupt("truncated");
      }
      XXH3_64bits_update(state, buf.data(), want);
      left -= want;
    }
    const uint64_t digest = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    uint64_t stored = 0;
    if (std::fread(&stored, sizeof stored, 1, f.get()) != 1) return corrupt("truncated");
    if (stored != digest) return corrupt("checksum mismatch (damaged or truncated file)");
  }
  // After the checksum, so a flipped bit in the version reads as damage.
  if (version != kFormatVersion)
    return Err(Status::Unsupported("vector index " + path + ": format version " +
                                   std::to_string(version) + " (this askio reads " +
                                   std::to_string(kFormatVersion) + ")"));

  // Pass 2: parse.
  if (std::fseek(f.get(), 0, SEEK_SET) != 0)
    return Err(Status::IOError("cannot read " + path + ": " + ErrnoText()));
  BoundedReader r(f.get(), body);
  auto impl = std::make_unique<Impl>();
  uint32_t kind = 0, quantize = 0;
  uint64_t dim = 0, threshold = 0, slots = 0, tombstones = 0;
  int32_t m = 0, efc = 0, efs = 0;
  if (r(magic, 1, sizeof magic) != sizeof magic || !r.Get(version) || !r.Get(kind) || !r.Get(dim) ||
      !r.Get(threshold) || !r.Get(m) || !r.Get(efc) || !r.Get(efs) || !r.Get(quantize) ||
      !r.Get(slots))
    return corrupt("truncated header");
  if (kind > static_cast<uint32_t>(Kind::kHnswSq8)) return corrupt("unknown index kind");
  impl->kind = static_cast<Kind>(kind);
  impl->options.dim = dim;
  impl->options.hnsw_threshold = threshold;
  impl->options.hnsw_m = m;
  impl->options.ef_construction = efc;
  impl->options.ef_search = efs;
  impl->options.quantize = quantize != 0;
  if (!CheckOptions(impl->options).ok()) return corrupt("bad parameters in header");
  if (slots > r.left() / (sizeof(int64_t) + 1)) return corrupt("slot table larger than the file");
  try {
    impl->slot_ids.resize(slots);
    std::vector<uint8_t> dead(slots);
    if (r(impl->slot_ids.data(), sizeof(int64_t), slots) != slots ||
        r(dead.data(), 1, slots) != slots || !r.Get(tombstones))
      return corrupt("truncated slot table");
    if (impl->is_hnsw())
      impl->dead = std::move(dead);
    else if (std::any_of(dead.begin(), dead.end(), [](uint8_t b) { return b != 0; }))
      return corrupt("tombstones in an exact index");

    std::unique_ptr<faiss::Index> ix(faiss::read_index(&r));
    if (r.left() != 0) return corrupt("trailing bytes after the index");
    if (!ix || ix->d != static_cast<idx_t>(dim) || ix->metric_type != faiss::METRIC_INNER_PRODUCT ||
        ix->ntotal != static_cast<idx_t>(slots))
      return corrupt("index does not match its header");
    bool type_ok = false;
    switch (impl->kind) {
      case Kind::kFlat: {
        type_ok = dynamic_cast<faiss::IndexFlat*>(ix.get()) != nullptr;
        faiss::Index* flat = ix.release();
        type_ok = type_ok && AdoptFastStorage(flat);
        ix.reset(flat);
        break;
      }
      case Kind::kHnsw:
      case Kind::kHnswSq8: {
        auto* h =
            impl->kind == Kind::kHnsw
                ? static_cast<faiss::IndexHNSW*>(dynamic_cast<faiss::IndexHNSWFlat*>(ix.get()))
                : static_cast<faiss::IndexHNSW*>(dynamic_cast<faiss::IndexHNSWSQ*>(ix.get()));
        const bool storage_ok =
            h != nullptr && h->storage != nullptr &&
            (impl->kind == Kind::kHnsw
                 ? dynamic_cast<faiss::IndexFlat*>(h->storage) != nullptr
                 : dynamic_cast<faiss::IndexScalarQuantizer*>(h->storage) != nullptr);
        type_ok = storage_ok && h->storage->ntotal == ix->ntotal && h->storage->d == ix->d &&
                  h->storage->metric_type == faiss::METRIC_INNER_PRODUCT &&
                  HnswGraphIsSane(h->hnsw, slots) && h->own_fields && AdoptFastStorage(h->storage);
        break;
      }
    }
    if (!type_ok) return corrupt("index structure does not match its header");
    impl->index = std::move(ix);

    size_t dead_count = 0;
    impl->slot_of.reserve(slots);
    for (size_t s = 0; s < slots; ++s) {
      if (!impl->dead.empty() && impl->dead[s]) {
        ++dead_count;
        continue;
      }
      if (!impl->slot_of.emplace(impl->slot_ids[s], static_cast<int64_t>(s)).second)
        return corrupt("an id is live in two slots");
    }
    if (dead_count != tombstones) return corrupt("tombstone count does not match");
    impl->tombstones = dead_count;
  } catch (const faiss::FaissException& e) {
    return corrupt(std::string("FAISS could not read it: ") + e.what());
  } catch (const std::bad_alloc&) {
    return Err(Status::IOError("vector index " + path + ": out of memory reading it"));
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
  return std::unique_ptr<VectorIndex>(new VectorIndex(std::move(impl)));
}

Status VectorIndex::Add(const std::vector<int64_t>& ids, const std::vector<float>& vectors) {
  return impl_->Add(ids, vectors);
}

Status VectorIndex::Remove(const std::vector<int64_t>& ids) {
  Impl& m = *impl_;
  std::vector<int64_t> flat_slots;
  for (const int64_t id : ids) {
    const auto it = m.slot_of.find(id);
    if (it == m.slot_of.end()) continue;  // unknown or already removed: nothing to do
    if (m.is_hnsw()) {
      m.dead[it->second] = 1;
      ++m.tombstones;
    } else {
      flat_slots.push_back(it->second);
    }
    m.slot_of.erase(it);
  }
  if (!flat_slots.empty()) return m.RemoveFlatSlots(flat_slots);
  return Status::Ok();
}

Result<std::vector<VectorHit>> VectorIndex::Search(const float* query, size_t k,
                                                   const std::function<bool(int64_t)>* keep) const {
  if (query == nullptr) return Err(Status::InvalidArgument("vector search: no query vector"));
  return impl_->Search(query, k, keep);
}

size_t VectorIndex::dim() const { return impl_->options.dim; }
size_t VectorIndex::size() const { return impl_->slot_of.size(); }
size_t VectorIndex::tombstones() const { return impl_->tombstones; }
bool VectorIndex::Contains(int64_t id) const { return impl_->slot_of.count(id) > 0; }
VectorIndex::Kind VectorIndex::kind() const { return impl_->kind; }

bool VectorIndex::NeedsRebuild() const {
  const Impl& m = *impl_;
  if (m.tombstones * 5 > m.slot_ids.size()) return true;
  // An exact index that grew past the threshold by Add: Build would make HNSW.
  return m.kind == Kind::kFlat && m.slot_of.size() >= m.options.hnsw_threshold &&
         m.options.hnsw_threshold > 0;
}

size_t VectorIndex::MemoryBytes() const { return impl_->MemoryBytes(); }

void VectorIndex::SetEfSearch(int ef) {
  impl_->options.ef_search = std::max(ef, 1);
  if (auto* h = dynamic_cast<faiss::IndexHNSW*>(impl_->index.get()))
    h->hnsw.efSearch = impl_->options.ef_search;
}

void VectorIndex::SetSearchThreads(int threads) { impl_->search_threads = std::max(threads, 0); }

void Normalize(float* v, size_t dim) {
  double sum = 0;
  for (size_t i = 0; i < dim; ++i) sum += static_cast<double>(v[i]) * v[i];
  if (sum <= 0 || !std::isfinite(sum)) return;
  const float inv = static_cast<float>(1.0 / std::sqrt(sum));
  for (size_t i = 0; i < dim; ++i) v[i] *= inv;
}

void Normalize(std::vector<float>& v) { Normalize(v.data(), v.size()); }

}  // namespace askio::index
