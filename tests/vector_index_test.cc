#include "index/vector_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "index/vector_kernels.h"
#include "test_util.h"

namespace askio::index {
namespace {

using askio::testing::ReadFile;
using askio::testing::TempDir;
using askio::testing::WriteFile;

// n x dim vectors uniform on the unit sphere.
std::vector<float> RandomVectors(size_t n, size_t dim, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g;
  std::vector<float> v(n * dim);
  for (auto& x : v) x = g(rng);
  for (size_t i = 0; i < n; ++i) Normalize(v.data() + i * dim, dim);
  return v;
}

// n x dim vectors around `clusters` random centres (the harder case for HNSW:
// near-ties inside a cluster, long jumps between clusters). Noise of norm
// ~0.5: points of a cluster have cosine ~0.8, as bench/ann_bench.cc.
std::vector<float> ClusteredVectors(size_t n, size_t dim, size_t clusters, uint32_t seed) {
  const std::vector<float> centres = RandomVectors(clusters, dim, seed + 1);
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0, 0.5f / std::sqrt(static_cast<float>(dim)));
  std::uniform_int_distribution<size_t> pick(0, clusters - 1);
  std::vector<float> v(n * dim);
  for (size_t i = 0; i < n; ++i) {
    const size_t c = pick(rng);
    for (size_t j = 0; j < dim; ++j) v[i * dim + j] = centres[c * dim + j] + g(rng);
    Normalize(v.data() + i * dim, dim);
  }
  return v;
}

std::vector<int64_t> Iota(size_t n, int64_t first = 1000) {
  std::vector<int64_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = first + static_cast<int64_t>(i);
  return ids;
}

float Dot(const float* a, const float* b, size_t dim) {
  float s = 0;
  for (size_t i = 0; i < dim; ++i) s += a[i] * b[i];
  return s;
}

// Exact top k by brute force over the rows whose id passes `keep`.
std::vector<VectorHit> BruteForce(const std::vector<int64_t>& ids,
                                  const std::vector<float>& vectors, size_t dim, const float* q,
                                  size_t k, const std::function<bool(int64_t)>& keep = nullptr) {
  std::vector<VectorHit> all;
  for (size_t i = 0; i < ids.size(); ++i)
    if (!keep || keep(ids[i])) all.push_back({ids[i], Dot(vectors.data() + i * dim, q, dim)});
  std::sort(all.begin(), all.end(),
            [](const VectorHit& a, const VectorHit& b) { return a.score > b.score; });
  if (all.size() > k) all.resize(k);
  return all;
}

std::vector<int64_t> IdsOf(const std::vector<VectorHit>& hits) {
  std::vector<int64_t> out;
  for (const auto& h : hits) out.push_back(h.id);
  return out;
}

double Recall(const std::vector<VectorHit>& got, const std::vector<VectorHit>& truth) {
  std::set<int64_t> t;
  for (const auto& h : truth) t.insert(h.id);
  size_t hit = 0;
  for (const auto& h : got) hit += t.count(h.id);
  return truth.empty() ? 1.0 : static_cast<double>(hit) / static_cast<double>(truth.size());
}

VectorIndexOptions Options(size_t dim, size_t threshold = 20000, bool quantize = false) {
  VectorIndexOptions o;
  o.dim = dim;
  o.hnsw_threshold = threshold;
  o.quantize = quantize;
  return o;
}

std::unique_ptr<VectorIndex> MustBuild(const VectorIndexOptions& o, const std::vector<int64_t>& ids,
                                       const std::vector<float>& v) {
  auto built = VectorIndex::Build(o, ids, v);
  EXPECT_TRUE(built) << built.error().message();
  return built ? std::move(*built) : nullptr;
}

std::vector<VectorHit> MustSearch(const VectorIndex& ix, const float* q, size_t k,
                                  const std::function<bool(int64_t)>* keep = nullptr) {
  auto hits = ix.Search(q, k, keep);
  EXPECT_TRUE(hits) << hits.error().message();
  return hits ? *hits : std::vector<VectorHit>{};
}

double MeanRecall(const VectorIndex& ix, const std::vector<int64_t>& ids,
                  const std::vector<float>& v, size_t dim, const std::vector<float>& queries) {
  double sum = 0;
  const size_t nq = queries.size() / dim;
  for (size_t i = 0; i < nq; ++i) {
    const float* q = queries.data() + i * dim;
    sum += Recall(MustSearch(ix, q, 10), BruteForce(ids, v, dim, q, 10));
  }
  return sum / static_cast<double>(nq);
}

TEST(VectorIndex, ExactSearchEqualsBruteForce) {
  const size_t dim = 24;
  const auto ids = Iota(700);
  const auto v = RandomVectors(ids.size(), dim, 7);
  auto created = VectorIndex::Create(Options(dim));
  ASSERT_TRUE(created);
  auto& ix = **created;
  // Added in two batches, as ingestion would.
  ASSERT_TRUE(ix.Add({ids.begin(), ids.begin() + 300}, {v.begin(), v.begin() + 300 * dim}).ok());
  ASSERT_TRUE(ix.Add({ids.begin() + 300, ids.end()}, {v.begin() + 300 * dim, v.end()}).ok());
  EXPECT_EQ(ix.kind(), VectorIndex::Kind::kFlat);
  EXPECT_EQ(ix.size(), 700u);
  EXPECT_EQ(ix.dim(), dim);
  const auto queries = RandomVectors(25, dim, 8);
  for (size_t i = 0; i < 25; ++i) {
    const float* q = queries.data() + i * dim;
    const auto got = MustSearch(ix, q, 10);
    const auto want = BruteForce(ids, v, dim, q, 10);
    ASSERT_EQ(IdsOf(got), IdsOf(want));
    for (size_t j = 0; j < got.size(); ++j) EXPECT_NEAR(got[j].score, want[j].score, 1e-5);
  }
  // k beyond the size returns everything, best first.
  const auto all = MustSearch(ix, queries.data(), 5000);
  ASSERT_EQ(all.size(), 700u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const VectorHit& a, const VectorHit& b) {
    return a.score > b.score;
  }));
}

TEST(VectorIndex, BuildPicksKindBySize) {
  const size_t dim = 8;
  const auto v = RandomVectors(300, dim, 1);
  const auto ids = Iota(300);
  EXPECT_EQ(MustBuild(Options(dim, 301), ids, v)->kind(), VectorIndex::Kind::kFlat);
  EXPECT_EQ(MustBuild(Options(dim, 300), ids, v)->kind(), VectorIndex::Kind::kHnsw);
  EXPECT_EQ(MustBuild(Options(dim, 300, true), ids, v)->kind(), VectorIndex::Kind::kHnswSq8);
}

TEST(VectorIndex, HnswRecallOnRandomVectors) {
  const size_t dim = 48;
  const auto ids = Iota(4000);
  const auto v = RandomVectors(ids.size(), dim, 11);
  auto ix = MustBuild(Options(dim, 1000), ids, v);
  ASSERT_EQ(ix->kind(), VectorIndex::Kind::kHnsw);
  const double recall = MeanRecall(*ix, ids, v, dim, RandomVectors(100, dim, 12));
  EXPECT_GE(recall, 0.95);
  // HNSW scores are exact inner products of the stored vectors.
  const float* q = v.data() + 17 * dim;
  const auto hits = MustSearch(*ix, q, 3);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].id, ids[17]);
  EXPECT_NEAR(hits[0].score, 1.0f, 1e-5);
}

TEST(VectorIndex, HnswRecallOnClusteredVectors) {
  const size_t dim = 48;
  const auto ids = Iota(4000);
  const auto v = ClusteredVectors(ids.size(), dim, 40, 21);
  auto ix = MustBuild(Options(dim, 1000), ids, v);
  // Queries from the same distribution as the data, as real questions are.
  const double recall = MeanRecall(*ix, ids, v, dim, ClusteredVectors(100, dim, 40, 22));
  EXPECT_GE(recall, 0.95);
}

TEST(VectorIndex, HnswSq8RecallAndSize) {
  const size_t dim = 48;
  const auto ids = Iota(3000);
  const auto v = RandomVectors(ids.size(), dim, 31);
  auto flat = MustBuild(Options(dim, 1000), ids, v);
  auto sq = MustBuild(Options(dim, 1000, true), ids, v);
  ASSERT_EQ(sq->kind(), VectorIndex::Kind::kHnswSq8);
  // Quantisation costs a little recall against exact search.
  EXPECT_GE(MeanRecall(*sq, ids, v, dim, RandomVectors(100, dim, 32)), 0.90);
  EXPECT_LT(sq->MemoryBytes(), flat->MemoryBytes());
}

TEST(VectorIndex, RemoveFromExactIndex) {
  const size_t dim = 16;
  const auto ids = Iota(200);
  const auto v = RandomVectors(ids.size(), dim, 41);
  auto ix = MustBuild(Options(dim), ids, v);
  std::vector<int64_t> gone;
  for (size_t i = 0; i < ids.size(); i += 3) gone.push_back(ids[i]);
  gone.push_back(999999);  // unknown ids are ignored
  ASSERT_TRUE(ix->Remove(gone).ok());
  EXPECT_EQ(ix->size(), 200u - 67u);
  EXPECT_EQ(ix->tombstones(), 0u);
  EXPECT_FALSE(ix->NeedsRebuild());
  const std::set<int64_t> removed(gone.begin(), gone.end());
  const auto live = [&](int64_t id) { return removed.count(id) == 0; };
  const auto queries = RandomVectors(10, dim, 42);
  for (size_t i = 0; i < 10; ++i) {
    const float* q = queries.data() + i * dim;
    EXPECT_EQ(IdsOf(MustSearch(*ix, q, 10)), IdsOf(BruteForce(ids, v, dim, q, 10, live)));
  }
  // Removing again is a no-op.
  ASSERT_TRUE(ix->Remove(gone).ok());
  EXPECT_EQ(ix->size(), 133u);
}

TEST(VectorIndex, RemoveFromHnswLeavesTombstones) {
  const size_t dim = 16;
  const auto ids = Iota(2000);
  const auto v = RandomVectors(ids.size(), dim, 51);
  auto ix = MustBuild(Options(dim, 500), ids, v);
  std::vector<int64_t> first, second;
  for (size_t i = 0; i < 300; ++i) first.push_back(ids[i * 2]);
  for (size_t i = 300; i < 450; ++i) second.push_back(ids[i * 2]);
  ASSERT_TRUE(ix->Remove(first).ok());
  EXPECT_EQ(ix->size(), 1700u);
  EXPECT_EQ(ix->tombstones(), 300u);
  EXPECT_FALSE(ix->NeedsRebuild());  // 300 of 2000 slots
  ASSERT_TRUE(ix->Remove(second).ok());
  EXPECT_EQ(ix->tombstones(), 450u);
  EXPECT_TRUE(ix->NeedsRebuild());  // 450 > 2000 / 5
  std::set<int64_t> removed(first.begin(), first.end());
  removed.insert(second.begin(), second.end());
  // A removed vector as the query: itself never comes back, k others do.
  for (size_t i = 0; i < 20; ++i) {
    const auto hits = MustSearch(*ix, v.data() + i * 2 * dim, 10);
    EXPECT_EQ(hits.size(), 10u);
    for (const auto& h : hits) EXPECT_EQ(removed.count(h.id), 0u) << h.id;
  }
}

TEST(VectorIndex, AddAfterRemoveUsesTheNewVector) {
  const size_t dim = 16;
  const auto ids = Iota(1000);
  const auto v = RandomVectors(ids.size(), dim, 61);
  const auto fresh = RandomVectors(2, dim, 62);
  for (const size_t threshold : {size_t{100000}, size_t{100}}) {
    SCOPED_TRACE(threshold);
    auto ix = MustBuild(Options(dim, threshold), ids, v);
    const int64_t id = ids[5];
    const std::vector<float> old(v.begin() + 5 * dim, v.begin() + 6 * dim);
    ASSERT_TRUE(ix->Remove({id}).ok());
    ASSERT_TRUE(ix->Add({id}, {fresh.begin(), fresh.begin() + dim}).ok());
    EXPECT_EQ(ix->size(), 1000u);
    auto hits = MustSearch(*ix, fresh.data(), 1);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].id, id);
    EXPECT_NEAR(hits[0].score, 1.0f, 1e-5);
    // The stale vector is gone: searching for it finds the id only by its new vector.
    for (const auto& h : MustSearch(*ix, old.data(), 50)) {
      if (h.id != id) continue;
      EXPECT_NEAR(h.score, Dot(old.data(), fresh.data(), dim), 1e-5);
    }
    // Adding a present id replaces its vector.
    ASSERT_TRUE(ix->Add({id}, {fresh.begin() + dim, fresh.end()}).ok());
    EXPECT_EQ(ix->size(), 1000u);
    hits = MustSearch(*ix, fresh.data() + dim, 1);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].id, id);
    EXPECT_NEAR(hits[0].score, 1.0f, 1e-5);
    EXPECT_EQ(ix->tombstones(), threshold == 100 ? 2u : 0u);
  }
}

TEST(VectorIndex, RepeatedIdInOneBatchKeepsTheLast) {
  const size_t dim = 8;
  const auto v = RandomVectors(3, dim, 63);
  auto created = VectorIndex::Create(Options(dim));
  ASSERT_TRUE(created);
  ASSERT_TRUE((*created)->Add({1, 2, 1}, v).ok());
  EXPECT_EQ((*created)->size(), 2u);
  const auto hits = MustSearch(**created, v.data() + 2 * dim, 1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 1);
  EXPECT_NEAR(hits[0].score, 1.0f, 1e-5);
}

TEST(VectorIndex, FilterStillReturnsK) {
  const size_t dim = 24;
  const auto ids = Iota(3000, 0);
  const auto v = ClusteredVectors(ids.size(), dim, 30, 71);
  const auto queries = ClusteredVectors(20, dim, 30, 72);
  for (const size_t threshold : {size_t{100000}, size_t{1000}}) {
    SCOPED_TRACE(threshold);
    auto ix = MustBuild(Options(dim, threshold), ids, v);
    ASSERT_TRUE(ix->Remove({3, 13, 23}).ok());
    const std::set<int64_t> removed{3, 13, 23};
    // One id in ten passes.
    const std::function<bool(int64_t)> tenth = [](int64_t id) { return id % 10 == 3; };
    double recall = 0;
    for (size_t i = 0; i < 20; ++i) {
      const float* q = queries.data() + i * dim;
      const auto hits = MustSearch(*ix, q, 10, &tenth);
      ASSERT_EQ(hits.size(), 10u);
      for (const auto& h : hits) {
        EXPECT_TRUE(tenth(h.id));
        EXPECT_EQ(removed.count(h.id), 0u);
      }
      recall += Recall(hits, BruteForce(ids, v, dim, q, 10, [&](int64_t id) {
                         return tenth(id) && removed.count(id) == 0;
                       }));
    }
    EXPECT_GE(recall / 20, 0.95);
    // Five ids in 3000 pass: all five come back, exactly ranked.
    const std::set<int64_t> few{7, 777, 1500, 2222, 2999};
    const std::function<bool(int64_t)> rare = [&](int64_t id) { return few.count(id) > 0; };
    const auto hits = MustSearch(*ix, queries.data(), 10, &rare);
    EXPECT_EQ(IdsOf(hits), IdsOf(BruteForce(ids, v, dim, queries.data(), 10, rare)));
    EXPECT_EQ(hits.size(), 5u);
    // Nothing passes: nothing back.
    const std::function<bool(int64_t)> none = [](int64_t) { return false; };
    EXPECT_TRUE(MustSearch(*ix, queries.data(), 10, &none).empty());
  }
}

TEST(VectorIndex, SaveLoadRoundTripGivesIdenticalResults) {
  TempDir dir;
  const size_t dim = 32;
  const auto ids = Iota(1500);
  const auto v = RandomVectors(ids.size(), dim, 81);
  const auto queries = RandomVectors(20, dim, 82);
  struct Case {
    size_t threshold;
    bool quantize;
  };
  for (const Case c : {Case{100000, false}, Case{500, false}, Case{500, true}}) {
    SCOPED_TRACE(std::to_string(c.threshold) + (c.quantize ? " sq8" : ""));
    auto ix = MustBuild(Options(dim, c.threshold, c.quantize), ids, v);
    ASSERT_TRUE(ix->Remove({ids[0], ids[10], ids[20]}).ok());
    ix->SetEfSearch(64);
    const std::string path = dir / "vectors.idx";
    ASSERT_TRUE(ix->Save(path).ok());
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    auto loaded = VectorIndex::Load(path);
    ASSERT_TRUE(loaded) << loaded.error().message();
    auto& lx = **loaded;
    EXPECT_EQ(lx.kind(), ix->kind());
    EXPECT_EQ(lx.dim(), dim);
    EXPECT_EQ(lx.size(), ix->size());
    EXPECT_EQ(lx.tombstones(), ix->tombstones());
    for (size_t i = 0; i < 20; ++i) {
      const float* q = queries.data() + i * dim;
      const auto a = MustSearch(*ix, q, 10);
      const auto b = MustSearch(lx, q, 10);
      ASSERT_EQ(IdsOf(a), IdsOf(b));
      for (size_t j = 0; j < a.size(); ++j) EXPECT_EQ(a[j].score, b[j].score);
    }
    // The loaded index keeps working: a re-added id and a new one.
    ASSERT_TRUE(lx.Add({ids[10], 424242}, {queries.begin(), queries.begin() + 2 * dim}).ok());
    EXPECT_EQ(lx.size(), ix->size() + 2);
    EXPECT_EQ(MustSearch(lx, queries.data() + dim, 1).at(0).id, 424242);
    // Saving over an existing file replaces it.
    ASSERT_TRUE(lx.Save(path).ok());
    auto again = VectorIndex::Load(path);
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)->size(), lx.size());
  }
}

TEST(VectorIndex, DamagedFilesAreCorruption) {
  TempDir dir;
  const size_t dim = 16;
  const auto ids = Iota(600);
  const auto v = RandomVectors(ids.size(), dim, 91);
  for (const size_t threshold : {size_t{100000}, size_t{100}}) {
    SCOPED_TRACE(threshold);
    auto ix = MustBuild(Options(dim, threshold), ids, v);
    ASSERT_TRUE(ix->Remove({ids[1]}).ok());
    const std::string good = dir / "good.idx";
    ASSERT_TRUE(ix->Save(good).ok());
    const std::string bytes = ReadFile(good);
    const std::string bad = dir / "bad.idx";
    const auto expect_corrupt = [&](const std::string& content, const std::string& what) {
      WriteFile(bad, content);
      auto r = VectorIndex::Load(bad);
      ASSERT_FALSE(r) << what;
      EXPECT_EQ(r.error().code(), StatusCode::kCorruption) << what << ": " << r.error().message();
    };
    for (const size_t len : {size_t{0}, size_t{5}, size_t{12}, size_t{60}, bytes.size() / 2,
                             bytes.size() - 9, bytes.size() - 1})
      expect_corrupt(bytes.substr(0, len), "truncated to " + std::to_string(len));
    expect_corrupt(bytes + "x", "a byte appended");
    // One flipped bit anywhere: magic, version, header, slot table, FAISS
    // payload, checksum.
    std::mt19937 rng(92);
    std::vector<size_t> positions{
        0, 9, 20, 40, 70, bytes.size() / 2, bytes.size() - 20, bytes.size() - 1};
    for (int i = 0; i < 24; ++i) positions.push_back(rng() % bytes.size());
    for (const size_t pos : positions) {
      std::string flipped = bytes;
      flipped[pos] = static_cast<char>(flipped[pos] ^ (1 << (rng() % 8)));
      expect_corrupt(flipped, "bit flipped at " + std::to_string(pos));
    }
    std::string garbage(bytes.size(), '\0');
    for (auto& ch : garbage) ch = static_cast<char>(rng());
    expect_corrupt(garbage, "random bytes");
    expect_corrupt(bytes.substr(0, 8) + garbage, "magic then random bytes");
  }
  auto missing = VectorIndex::Load(dir / "nope.idx");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

TEST(VectorIndex, WrongShapesAreInvalidArgument) {
  const size_t dim = 8;
  auto zero = VectorIndex::Create(Options(0));
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code(), StatusCode::kInvalidArgument);
  const auto v = RandomVectors(4, dim, 3);
  auto bad_build = VectorIndex::Build(Options(dim), Iota(5), v);
  ASSERT_FALSE(bad_build);
  EXPECT_EQ(bad_build.error().code(), StatusCode::kInvalidArgument);
  auto ix = MustBuild(Options(dim), Iota(4), v);
  // Vectors of another model's dimension.
  const auto wide = RandomVectors(2, dim * 2, 4);
  const Status s = ix->Add(Iota(2, 50), wide);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ix->size(), 4u);
  EXPECT_EQ(ix->Search(nullptr, 3).error().code(), StatusCode::kInvalidArgument);
}

TEST(VectorIndex, EmptyIndexSearchIsEmpty) {
  const size_t dim = 8;
  const auto q = RandomVectors(1, dim, 5);
  auto created = VectorIndex::Create(Options(dim));
  ASSERT_TRUE(created);
  EXPECT_TRUE(MustSearch(**created, q.data(), 10).empty());
  auto built = MustBuild(Options(dim, 0), {}, {});
  EXPECT_EQ(built->size(), 0u);
  EXPECT_TRUE(MustSearch(*built, q.data(), 10).empty());
  // An HNSW index with everything removed.
  const auto ids = Iota(50);
  auto hnsw = MustBuild(Options(dim, 10), ids, RandomVectors(50, dim, 6));
  ASSERT_EQ(hnsw->kind(), VectorIndex::Kind::kHnsw);
  EXPECT_TRUE(MustSearch(*hnsw, q.data(), 0).empty());
  ASSERT_TRUE(hnsw->Remove(ids).ok());
  EXPECT_EQ(hnsw->size(), 0u);
  EXPECT_TRUE(MustSearch(*hnsw, q.data(), 10).empty());
}

TEST(VectorIndex, ExactIndexGrownPastThresholdNeedsRebuild) {
  const size_t dim = 8;
  auto created = VectorIndex::Create(Options(dim, 100));
  ASSERT_TRUE(created);
  auto& ix = **created;
  ASSERT_TRUE(ix.Add(Iota(99), RandomVectors(99, dim, 7)).ok());
  EXPECT_FALSE(ix.NeedsRebuild());
  ASSERT_TRUE(ix.Add({5000}, RandomVectors(1, dim, 8)).ok());
  EXPECT_EQ(ix.kind(), VectorIndex::Kind::kFlat);
  EXPECT_TRUE(ix.NeedsRebuild());
}

TEST(VectorIndex, ConcurrentSearchesAgree) {
  const size_t dim = 32;
  const auto ids = Iota(2000);
  const auto v = RandomVectors(ids.size(), dim, 101);
  auto ix = MustBuild(Options(dim, 500), ids, v);
  ASSERT_TRUE(ix->Remove({ids[3], ids[4]}).ok());
  const auto queries = RandomVectors(40, dim, 102);
  std::vector<std::vector<int64_t>> want(40);
  for (size_t i = 0; i < 40; ++i) want[i] = IdsOf(MustSearch(*ix, queries.data() + i * dim, 10));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round)
        for (size_t i = 0; i < 40; ++i) {
          auto got = ix->Search(queries.data() + i * dim, 10);
          if (!got || IdsOf(*got) != want[i]) ++mismatches[t];
        }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0);
}

TEST(VectorKernels, MatchPlainLoops) {
  std::mt19937 rng(111);
  std::uniform_real_distribution<float> u(-1, 1);
  for (size_t n = 0; n <= 70; ++n) {
    std::vector<float> a(n), b(n);
    std::vector<uint8_t> c(n);
    for (size_t i = 0; i < n; ++i) {
      a[i] = u(rng);
      b[i] = u(rng);
      c[i] = static_cast<uint8_t>(rng());
    }
    double dot = 0, dot8 = 0;
    for (size_t i = 0; i < n; ++i) {
      dot += static_cast<double>(a[i]) * b[i];
      dot8 += static_cast<double>(a[i]) * c[i];
    }
    EXPECT_NEAR(kernels::Dot(a.data(), b.data(), n), dot, 1e-4) << n;
    EXPECT_NEAR(kernels::DotU8(a.data(), c.data(), n), dot8, 1e-2) << n;
  }
  std::vector<float> scale{0.5f, 2, -1, 0.25f, 1, 1, 1, 1, 3},
      offset{1, 0, 2, -1, 0, 0, 0, 0, 0.5f};
  const std::vector<uint8_t> codes{0, 1, 2, 3, 4, 5, 6, 255, 10};
  std::vector<float> out(9);
  kernels::DecodeU8(codes.data(), scale.data(), offset.data(), out.data(), 9);
  for (size_t i = 0; i < 9; ++i) EXPECT_FLOAT_EQ(out[i], offset[i] + scale[i] * codes[i]) << i;
  EXPECT_NE(std::string(kernels::Isa()), "");
}

TEST(VectorIndex, Sq8ScoresApproximateTheCosine) {
  const size_t dim = 40;
  const auto ids = Iota(800);
  const auto v = RandomVectors(ids.size(), dim, 121);
  auto ix = MustBuild(Options(dim, 100, true), ids, v);
  const auto q = RandomVectors(5, dim, 122);
  for (size_t i = 0; i < 5; ++i)
    for (const auto& h : MustSearch(*ix, q.data() + i * dim, 20))
      EXPECT_NEAR(h.score, Dot(q.data() + i * dim, v.data() + (h.id - 1000) * dim, dim), 0.02);
}

TEST(VectorIndex, NormalizeMakesUnitLength) {
  std::vector<float> v{3, 4};
  Normalize(v);
  EXPECT_FLOAT_EQ(v[0], 0.6f);
  EXPECT_FLOAT_EQ(v[1], 0.8f);
  std::vector<float> zero{0, 0, 0};
  Normalize(zero);
  EXPECT_EQ(zero, (std::vector<float>{0, 0, 0}));
  float raw[3] = {1, 1, 1};
  Normalize(raw, 3);
  EXPECT_NEAR(raw[0] * raw[0] + raw[1] * raw[1] + raw[2] * raw[2], 1.0, 1e-6);
}

}  // namespace
}  // namespace askio::index
