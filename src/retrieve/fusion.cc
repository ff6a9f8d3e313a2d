#include "retrieve/fusion.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace askio::retrieve {
namespace {

struct Accumulator {
  FusedHit hit;
  int best_rank = std::numeric_limits<int>::max();
};

// Fused scores that are equal in exact arithmetic can differ in the last
// bits depending on the order the stages were summed in (RRF terms of ranks
// swapped between three stages, say); comparing them on a 1e-12 grid makes
// such ties ties, so the documented tie-break decides them.
long long TieKey(double score) {
  const double scaled = std::round(score * 1e12);
  if (!(std::abs(scaled) < 9e18))
    return score > 0 ? std::numeric_limits<long long>::max()
                     : std::numeric_limits<long long>::min();
  return static_cast<long long>(scaled);
}

// Each stage contributes `term(stage, rank, score)` for every id it ranks
// (an id repeated within one stage counts once, at its best rank).
template <typename Term>
std::vector<FusedHit> Fuse(const std::vector<StageRanking>& stages, Term term) {
  std::vector<Accumulator> acc;
  std::unordered_map<int64_t, size_t> slot;
  for (size_t s = 0; s < stages.size(); ++s) {
    const StageRanking& stage = stages[s];
    std::unordered_map<int64_t, bool> seen;
    for (size_t i = 0; i < stage.hits.size(); ++i) {
      const auto& [id, score] = stage.hits[i];
      if (!seen.emplace(id, true).second) continue;
      const int rank = static_cast<int>(i) + 1;
      auto [it, inserted] = slot.try_emplace(id, acc.size());
      if (inserted) {
        acc.emplace_back();
        acc.back().hit.id = id;
      }
      Accumulator& a = acc[it->second];
      a.hit.score += term(s, i, rank);
      a.hit.stages.push_back({stage.stage, score, rank});
      a.best_rank = std::min(a.best_rank, rank);
    }
  }
  std::sort(acc.begin(), acc.end(), [](const Accumulator& x, const Accumulator& y) {
    const long long kx = TieKey(x.hit.score), ky = TieKey(y.hit.score);
    if (kx != ky) return kx > ky;
    if (x.best_rank != y.best_rank) return x.best_rank < y.best_rank;
    return x.hit.id < y.hit.id;
  });
  std::vector<FusedHit> out;
  out.reserve(acc.size());
  for (auto& a : acc) out.push_back(std::move(a.hit));
  return out;
}

}  // namespace

std::vector<FusedHit> FuseRrf(const std::vector<StageRanking>& stages, double k) {
  return Fuse(stages, [&](size_t s, size_t, int rank) { return stages[s].weight / (k + rank); });
}

std::vector<FusedHit> FuseWeighted(const std::vector<StageRanking>& stages) {
  // Per stage, the range of its (finite) scores.
  std::vector<std::pair<double, double>> range(stages.size());
  for (size_t s = 0; s < stages.size(); ++s) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto& [id, score] : stages[s].hits) {
      if (!std::isfinite(score)) continue;
      lo = std::min(lo, score);
      hi = std::max(hi, score);
    }
    range[s] = {lo, hi};
  }
  return Fuse(stages, [&](size_t s, size_t i, int) {
    const double score = stages[s].hits[i].second;
    if (!std::isfinite(score)) return 0.0;  // a stage's garbage must not poison the sum
    const auto [lo, hi] = range[s];
    // All hits of the stage scored alike: each is as good as its best.
    const double norm = hi > lo ? (score - lo) / (hi - lo) : 1.0;
    return stages[s].weight * norm;
  });
}

std::vector<size_t> Mmr(const std::vector<double>& relevance,
                        const std::function<double(size_t, size_t)>& similarity, size_t k,
                        double lambda) {
  const size_t n = relevance.size();
  k = std::min(k, n);
  std::vector<size_t> picked;
  picked.reserve(k);
  std::vector<bool> taken(n, false);
  // The highest similarity of each candidate to anything picked so far,
  // updated as each pick is made: n * k similarity calls in all.
  std::vector<double> max_sim(n, 0.0);
  while (picked.size() < k) {
    size_t best = n;
    double best_value = -std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < n; ++i) {
      if (taken[i]) continue;
      const double value = lambda * relevance[i] - (1 - lambda) * max_sim[i];
      // Strictly greater: on equal value the earlier candidate wins.
      if (best == n || value > best_value) {
        best = i;
        best_value = value;
      }
    }
    taken[best] = true;
    picked.push_back(best);
    if (picked.size() == k) break;
    for (size_t i = 0; i < n; ++i)
      if (!taken[i]) max_sim[i] = std::max(max_sim[i], similarity(i, best));
  }
  return picked;
}

}  // namespace askio::retrieve
