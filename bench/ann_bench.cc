// ANN benchmark of askio's vector index (src/index/vector_index.h): recall@10
// of HNSW (and HNSW over SQ8 codes) against exact search, single-threaded
// queries/s over an ef_search sweep, build time, and memory per vector.
//
// usage: askio_bench_ann [--n N] [--dim D] [--data random|clustered]
//            [--queries Q] [--kinds hnsw,sq8] [--m M] [--efc EFC]
//            [--ef 16,32,...] [--passes P] [--target 0.95] [--seed S]
//            [--exact-queries E]
//
// Data: `random` is uniform on the unit sphere (the hardest case for a graph
// index: every vector is about equally far from every other); `clustered` is
// 1000 Gaussian clusters around random unit centres, noise of norm ~0.5
// (points of one cluster have cosine ~0.8 to each other, ~0 to others),
// normalised. Queries are fresh draws from the same distribution (seed+1).
// Ground truth: exact top 10 by FAISS IndexFlatIP over all queries at once
// (BLAS, all cores). Exact search's own speed: askio's exact index (its
// AVX2 kernels) and FAISS's IndexFlatIP one query at a time, both one thread,
// on the first E queries. Queries/s: each query searched alone on one thread
// (VectorIndex::Search, as the engine calls it), P timed passes over all Q
// queries after one warm-up pass; the median pass is reported (the machine is
// shared). "omp" compares one OpenMP thread per search (askio's default)
// with OpenMP's default team, alone and with two searching threads at once.
// Memory: VectorIndex::MemoryBytes, and the growth of RSS over the build
// (after malloc_trim), per vector. Prints one JSON object per index kind.
#include <faiss/IndexFlat.h>
#include <malloc.h>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "index/vector_index.h"
#include "index/vector_kernels.h"

namespace {

using askio::index::VectorIndex;
using askio::index::VectorIndexOptions;
using Clock = std::chrono::steady_clock;

struct Args {
  size_t n = 100000;
  size_t dim = 384;
  std::string data = "random";
  size_t queries = 1000;
  std::string kinds = "hnsw,sq8";
  int m = 32;
  int efc = 128;
  std::vector<int> ef{16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512};
  int passes = 5;
  double target = 0.95;
  uint32_t seed = 42;
  size_t exact_queries = 50;
};

double Seconds(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

size_t RssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

// Rows [0, n) of dim floats, generated in blocks seeded by (seed, block) on
// all cores: the same data whatever the thread count.
std::vector<float> Generate(const Args& a, size_t n, uint32_t seed) {
  std::vector<float> v(n * a.dim);
  const size_t kBlock = 4096;
  const size_t blocks = (n + kBlock - 1) / kBlock;
  const bool clustered = a.data == "clustered";
  const size_t nc = 1000;
  std::vector<float> centres;
  if (clustered) {
    std::mt19937 rng(a.seed * 7919u + 17);  // the same centres for data and queries
    std::normal_distribution<float> g;
    centres.resize(nc * a.dim);
    for (auto& x : centres) x = g(rng);
    for (size_t c = 0; c < nc; ++c) askio::index::Normalize(centres.data() + c * a.dim, a.dim);
  }
  const float noise = 0.5f / std::sqrt(static_cast<float>(a.dim));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t b; (b = next.fetch_add(1)) < blocks;) {
      std::mt19937 rng(static_cast<uint32_t>(seed * 1000003u + b));
      std::normal_distribution<float> g;
      std::uniform_int_distribution<size_t> pick(0, nc - 1);
      for (size_t i = b * kBlock; i < std::min(n, (b + 1) * kBlock); ++i) {
        float* row = v.data() + i * a.dim;
        if (clustered) {
          const float* c = centres.data() + pick(rng) * a.dim;
          for (size_t j = 0; j < a.dim; ++j) row[j] = c[j] + noise * g(rng);
        } else {
          for (size_t j = 0; j < a.dim; ++j) row[j] = g(rng);
        }
        askio::index::Normalize(row, a.dim);
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::max(1u, std::thread::hardware_concurrency()); ++t)
    threads.emplace_back(work);
  for (auto& t : threads) t.join();
  return v;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

struct PassResult {
  double qps = 0, p50_us = 0, p99_us = 0;
};

// Timed passes over the queries, one query at a time on `threads` threads
// each searching its share; the median pass by throughput.
PassResult TimeQueries(const VectorIndex& ix, const std::vector<float>& q, size_t dim, int passes,
                       int threads = 1, bool warm_up = true) {
  const size_t nq = q.size() / dim;
  std::vector<PassResult> results;
  for (int p = warm_up ? 0 : 1; p <= passes; ++p) {
    std::vector<std::vector<double>> lat(threads);
    const auto t0 = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (size_t i = t; i < nq; i += threads) {
          const auto s = Clock::now();
          auto hits = ix.Search(q.data() + i * dim, 10);
          if (!hits) std::abort();
          lat[t].push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
        }
      });
    for (auto& th : pool) th.join();
    const double secs = Seconds(t0);
    if (p == 0) continue;  // warm-up
    std::vector<double> all;
    for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
    results.push_back(
        {static_cast<double>(nq) / secs, Percentile(all, 0.5), Percentile(all, 0.99)});
  }
  std::sort(results.begin(), results.end(),
            [](const PassResult& a, const PassResult& b) { return a.qps < b.qps; });
  return results[results.size() / 2];
}

double RecallAt10(const VectorIndex& ix, const std::vector<float>& q, size_t dim,
                  const std::vector<int64_t>& truth) {
  const size_t nq = q.size() / dim;
  size_t found = 0;
  for (size_t i = 0; i < nq; ++i) {
    auto hits = ix.Search(q.data() + i * dim, 10);
    if (!hits) std::abort();
    std::set<int64_t> t(truth.begin() + i * 10, truth.begin() + (i + 1) * 10);
    for (const auto& h : *hits) found += t.count(h.id);
  }
  return static_cast<double>(found) / static_cast<double>(nq * 10);
}

std::vector<int> ParseInts(const std::string& s) {
  std::vector<int> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(std::stoi(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--n")
      a.n = std::stoull(v);
    else if (k == "--dim")
      a.dim = std::stoull(v);
    else if (k == "--data")
      a.data = v;
    else if (k == "--queries")
      a.queries = std::stoull(v);
    else if (k == "--kinds")
      a.kinds = v;
    else if (k == "--m")
      a.m = std::stoi(v);
    else if (k == "--efc")
      a.efc = std::stoi(v);
    else if (k == "--ef")
      a.ef = ParseInts(v);
    else if (k == "--passes")
      a.passes = std::stoi(v);
    else if (k == "--target")
      a.target = std::stod(v);
    else if (k == "--seed")
      a.seed = static_cast<uint32_t>(std::stoul(v));
    else if (k == "--exact-queries")
      a.exact_queries = std::stoull(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (a.data != "random" && a.data != "clustered") {
    std::fprintf(stderr, "--data random|clustered\n");
    return 2;
  }
  const size_t dim = a.dim;
  auto t0 = Clock::now();
  const std::vector<float> base = Generate(a, a.n, a.seed);
  const std::vector<float> queries = Generate(a, a.queries, a.seed + 1);
  std::vector<int64_t> ids(a.n);
  for (size_t i = 0; i < a.n; ++i) ids[i] = static_cast<int64_t>(i);
  std::fprintf(stderr, "[ann] %zu x %zu %s generated in %.1f s\n", a.n, dim, a.data.c_str(),
               Seconds(t0));

  // Ground truth (all cores, BLAS), and exact search's own single-query speed.
  std::vector<int64_t> truth(a.queries * 10);
  double truth_s = 0, exact_qps = 0, faiss_exact_qps = 0;
  {
    faiss::IndexFlatIP flat(static_cast<faiss::Index::idx_t>(dim));
    flat.add(static_cast<faiss::Index::idx_t>(a.n), base.data());
    std::vector<float> d(a.queries * 10);
    t0 = Clock::now();
    flat.search(static_cast<faiss::Index::idx_t>(a.queries), queries.data(), 10, d.data(),
                truth.data());
    truth_s = Seconds(t0);
    // FAISS's scan is slow (a scalar loop): ten queries, one pass.
    omp_set_num_threads(1);
    const size_t eq = std::min<size_t>(10, a.queries);
    std::vector<double> passes;
    for (int p = 0; p < 1; ++p) {
      t0 = Clock::now();
      for (size_t i = 0; i < eq; ++i)
        flat.search(1, queries.data() + i * dim, 10, d.data(), truth.data() + i * 10);
      passes.push_back(static_cast<double>(eq) / Seconds(t0));
    }
    faiss_exact_qps = Median(passes);
    omp_set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  }
  // askio's exact index (its own kernels) on the same queries.
  {
    VectorIndexOptions o;
    o.dim = dim;
    o.hnsw_threshold = a.n + 1;
    auto flat = VectorIndex::Build(o, ids, base);
    if (!flat) return 1;
    const size_t eq = std::min(a.exact_queries, a.queries);
    const std::vector<float> q(queries.begin(), queries.begin() + eq * dim);
    exact_qps = TimeQueries(**flat, q, dim, 3).qps;
  }
  std::fprintf(stderr,
               "[ann] ground truth in %.1f s; exact single-thread %.1f q/s (FAISS's own scan "
               "%.1f q/s); kernels %s\n",
               truth_s, exact_qps, faiss_exact_qps, askio::index::kernels::Isa());

  std::stringstream kinds(a.kinds);
  std::string kind;
  while (std::getline(kinds, kind, ',')) {
    VectorIndexOptions o;
    o.dim = dim;
    o.hnsw_threshold = 0;
    o.hnsw_m = a.m;
    o.ef_construction = a.efc;
    o.quantize = kind == "sq8";
    malloc_trim(0);
    const size_t rss0 = RssBytes();
    t0 = Clock::now();
    auto built = VectorIndex::Build(o, ids, base);
    if (!built) {
      std::fprintf(stderr, "build failed: %s\n", built.error().ToString().c_str());
      return 1;
    }
    const double build_s = Seconds(t0);
    malloc_trim(0);
    const size_t rss1 = RssBytes();
    VectorIndex& ix = **built;
    const double mem = static_cast<double>(ix.MemoryBytes());
    std::fprintf(stderr, "[ann] %s built in %.1f s, %.0f bytes/vector\n", kind.c_str(), build_s,
                 mem / static_cast<double>(a.n));

    std::ostringstream sweep;
    int chosen = -1;
    double chosen_recall = 0, chosen_qps = 0, chosen_p50 = 0, chosen_p99 = 0;
    for (size_t e = 0; e < a.ef.size(); ++e) {
      ix.SetEfSearch(a.ef[e]);
      const double recall = RecallAt10(ix, queries, dim, truth);
      // The recall pass has just warmed the caches.
      const PassResult r = TimeQueries(ix, queries, dim, a.passes, 1, false);
      std::fprintf(stderr, "[ann]   ef %d: recall@10 %.4f, %.0f q/s, p50 %.0f us, p99 %.0f us\n",
                   a.ef[e], recall, r.qps, r.p50_us, r.p99_us);
      sweep << (e ? "," : "") << "{\"ef\":" << a.ef[e] << ",\"recall\":" << recall
            << ",\"qps\":" << r.qps << ",\"p50_us\":" << r.p50_us << ",\"p99_us\":" << r.p99_us
            << "}";
      if (chosen < 0 && recall >= a.target) {
        chosen = a.ef[e];
        chosen_recall = recall;
        chosen_qps = r.qps;
        chosen_p50 = r.p50_us;
        chosen_p99 = r.p99_us;
      }
      if (recall >= 0.995) break;  // higher ef only costs time
    }

    // OpenMP: one thread per search against OpenMP's default team, at the
    // chosen ef (or 128 when none met the target), alone and with two
    // concurrent searchers.
    const int omp_ef = chosen > 0 ? chosen : 128;
    ix.SetEfSearch(omp_ef);
    std::ostringstream omp;
    {
      ix.SetSearchThreads(1);
      const PassResult one = TimeQueries(ix, queries, dim, a.passes);
      const PassResult one2 = TimeQueries(ix, queries, dim, a.passes, 2);
      ix.SetSearchThreads(0);
      const PassResult def = TimeQueries(ix, queries, dim, a.passes);
      const PassResult def2 = TimeQueries(ix, queries, dim, a.passes, 2);
      ix.SetSearchThreads(1);
      omp << "{\"ef\":" << omp_ef << ",\"qps_1_thread\":" << one.qps
          << ",\"qps_omp_default\":" << def.qps << ",\"qps_2_searchers_1_thread\":" << one2.qps
          << ",\"qps_2_searchers_omp_default\":" << def2.qps
          << ",\"omp_default_threads\":" << omp_get_max_threads() << "}";
      std::fprintf(stderr, "[ann]   omp: %s\n", omp.str().c_str());
    }

    std::printf(
        "{\"n\":%zu,\"dim\":%zu,\"data\":\"%s\",\"kind\":\"%s\",\"m\":%d,\"ef_construction\":%d,"
        "\"queries\":%zu,\"passes\":%d,\"target_recall\":%g,\"build_s\":%.2f,"
        "\"memory_bytes\":%.0f,\"bytes_per_vector\":%.1f,\"raw_bytes_per_vector\":%zu,"
        "\"memory_ratio\":%.3f,\"rss_delta_bytes_per_vector\":%.1f,\"exact_qps\":%.2f,"
        "\"faiss_exact_qps\":%.2f,\"kernels\":\"%s\",\"truth_s\":%.2f,\"chosen_ef\":%d,\"chosen_"
        "recall\":%.4f,\"chosen_qps\":%.1f,"
        "\"chosen_p50_us\":%.1f,\"chosen_p99_us\":%.1f,\"sweep\":[%s],\"omp\":%s}\n",
        a.n, dim, a.data.c_str(), kind == "sq8" ? "hnsw_sq8" : "hnsw", a.m, a.efc, a.queries,
        a.passes, a.target, build_s, mem, mem / static_cast<double>(a.n), dim * sizeof(float),
        mem / static_cast<double>(a.n * dim * sizeof(float)),
        (static_cast<double>(rss1) - static_cast<double>(rss0)) / static_cast<double>(a.n),
        exact_qps, faiss_exact_qps, askio::index::kernels::Isa(), truth_s, chosen, chosen_recall,
        chosen_qps, chosen_p50, chosen_p99, sweep.str().c_str(), omp.str().c_str());
    std::fflush(stdout);
  }
  return 0;
}
