// Fusing ranked lists from several retrieval stages (lexical, dense, graph),
// and diversifying the result.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "askio/types.h"

namespace askio::retrieve {

// One stage's ranking, best first: (id, the stage's own score).
struct StageRanking {
  std::string stage;  // "bm25", "dense", ...
  std::vector<std::pair<int64_t, double>> hits;
  double weight = 1.0;  // for weighted fusion (and RRF, as a multiplier)
};

struct FusedHit {
  int64_t id = 0;
  double score = 0;
  std::vector<StageScore> stages;  // the id's score and rank in each stage it appears in
};

// Reciprocal rank fusion: score = sum over stages of weight / (k + rank),
// rank 1-based. Ties (scores equal to 1e-12) broken by the better best rank,
// then by the smaller id. An id listed twice in one stage counts once, at its
// better rank. Best first.
std::vector<FusedHit> FuseRrf(const std::vector<StageRanking>& stages, double k = 60);

// Weighted sum of min-max-normalised scores per stage (a stage where the id
// does not appear contributes 0; a stage whose hits all score the same
// contributes its weight x 1.0 to each; a non-finite score contributes 0).
// Ties broken as in FuseRrf. Best first.
std::vector<FusedHit> FuseWeighted(const std::vector<StageRanking>& stages);

// Maximal marginal relevance: picks `k` of the candidates (indexes into
// `relevance`), each maximising lambda * relevance - (1 - lambda) * the
// highest similarity to one already picked. `similarity(i, j)` in [0, 1],
// called with i a remaining candidate and j a picked one. Returns the picks
// in the order made (min(k, candidates) of them); on equal value the earlier
// candidate wins.
std::vector<size_t> Mmr(const std::vector<double>& relevance,
                        const std::function<double(size_t, size_t)>& similarity, size_t k,
                        double lambda = 0.7);

}  // namespace askio::retrieve
