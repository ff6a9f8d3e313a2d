#include "retrieve/fusion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <utility>
#include <vector>

namespace askio::retrieve {
namespace {

StageRanking Stage(std::string name, std::vector<std::pair<int64_t, double>> hits,
                   double weight = 1.0) {
  StageRanking s;
  s.stage = std::move(name);
  s.hits = std::move(hits);
  s.weight = weight;
  return s;
}

// Ranked ids, each with a score decreasing with rank.
StageRanking Ranked(std::string name, const std::vector<int64_t>& ids, double weight = 1.0) {
  std::vector<std::pair<int64_t, double>> hits;
  for (size_t i = 0; i < ids.size(); ++i) hits.emplace_back(ids[i], 10.0 - static_cast<double>(i));
  return Stage(std::move(name), std::move(hits), weight);
}

std::vector<int64_t> Ids(const std::vector<FusedHit>& hits) {
  std::vector<int64_t> out;
  for (const auto& h : hits) out.push_back(h.id);
  return out;
}

TEST(FuseRrf, SumsReciprocalRanks) {
  const auto fused = FuseRrf(
      {Stage("bm25", {{1, 12.5}, {2, 7.0}, {3, 1.5}}), Stage("dense", {{3, 0.9}, {1, 0.8}})});
  ASSERT_EQ(Ids(fused), (std::vector<int64_t>{1, 3, 2}));
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 61 + 1.0 / 62);
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 63 + 1.0 / 61);
  EXPECT_DOUBLE_EQ(fused[2].score, 1.0 / 62);
  // Each id carries its own score and rank from every stage it appears in.
  ASSERT_EQ(fused[0].stages.size(), 2u);
  EXPECT_EQ(fused[0].stages[0].stage, "bm25");
  EXPECT_DOUBLE_EQ(fused[0].stages[0].score, 12.5);
  EXPECT_EQ(fused[0].stages[0].rank, 1);
  EXPECT_EQ(fused[0].stages[1].stage, "dense");
  EXPECT_DOUBLE_EQ(fused[0].stages[1].score, 0.8);
  EXPECT_EQ(fused[0].stages[1].rank, 2);
  ASSERT_EQ(fused[2].stages.size(), 1u);
  EXPECT_EQ(fused[2].stages[0].rank, 2);
}

TEST(FuseRrf, ConstantKAndWeights) {
  // k = 1: rank 1 is worth 1/2, rank 2 is worth 1/3.
  auto fused = FuseRrf({Ranked("a", {5, 6})}, 1);
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_DOUBLE_EQ(fused[0].score, 0.5);
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0 / 3);
  // Weight 2 at rank 2 (2/62) beats weight 1 at rank 1 (1/61).
  fused = FuseRrf({Ranked("a", {1, 2}, 2.0), Ranked("b", {3}, 1.0)});
  EXPECT_EQ(Ids(fused), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_DOUBLE_EQ(fused[1].score, 2.0 / 62);
  // Weight 0 silences a stage but its hits are still listed.
  fused = FuseRrf({Ranked("a", {1}), Ranked("b", {2}, 0.0)});
  EXPECT_EQ(Ids(fused), (std::vector<int64_t>{1, 2}));
  EXPECT_DOUBLE_EQ(fused[1].score, 0.0);
}

TEST(FuseRrf, TiesGoToBetterBestRankThenSmallerId) {
  // k = 0: rank 1 alone (1/1) ties with rank 2 twice (1/2 + 1/2).
  auto fused = FuseRrf({Ranked("a", {20, 5}), Ranked("b", {10, 5})}, 0);
  ASSERT_EQ(fused.size(), 3u);
  for (const auto& h : fused) EXPECT_DOUBLE_EQ(h.score, 1.0);
  EXPECT_EQ(Ids(fused), (std::vector<int64_t>{10, 20, 5}));
  // Same ranks swapped between stages: equal scores, same best rank -> id.
  fused = FuseRrf({Ranked("a", {9, 4}), Ranked("b", {4, 9})});
  EXPECT_EQ(Ids(fused), (std::vector<int64_t>{4, 9}));
  // Three stages, ranks permuted: the sums differ in the last bits
  // depending on the order of addition, yet they are a tie.
  fused = FuseRrf({Ranked("a", {100, 7, 200, 300}), Ranked("b", {400, 100, 7, 500}),
                   Ranked("c", {7, 600, 100, 700})});
  ASSERT_GE(fused.size(), 2u);
  EXPECT_EQ(Ids(fused)[0], 7);
  EXPECT_EQ(Ids(fused)[1], 100);
}

TEST(FuseRrf, RepeatedIdInOneStageCountsOnce) {
  const auto fused = FuseRrf({Ranked("a", {1, 2, 1})});
  ASSERT_EQ(Ids(fused), (std::vector<int64_t>{1, 2}));
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0 / 61);
  EXPECT_EQ(fused[0].stages.size(), 1u);
}

TEST(FuseRrf, EmptyInputs) {
  EXPECT_TRUE(FuseRrf({}).empty());
  EXPECT_EQ(Ids(FuseRrf({Ranked("a", {}), Ranked("b", {3})})), (std::vector<int64_t>{3}));
}

TEST(FuseWeighted, MinMaxNormalisesEachStage) {
  const auto fused = FuseWeighted({Stage("bm25", {{1, 20.0}, {2, 15.0}, {3, 10.0}}, 1.0),
                                   Stage("dense", {{3, 0.9}, {4, 0.7}, {1, 0.5}}, 0.5)});
  // bm25: 1 -> 1, 2 -> 0.5, 3 -> 0; dense: 3 -> 1, 4 -> 0.5, 1 -> 0.
  // 3 (0 + 0.5) ties with 2 (0.5 + 0) and wins on its best rank (1 in dense).
  ASSERT_EQ(Ids(fused), (std::vector<int64_t>{1, 3, 2, 4}));
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0);
  EXPECT_DOUBLE_EQ(fused[1].score, 0.5);
  EXPECT_DOUBLE_EQ(fused[2].score, 0.5);
  EXPECT_DOUBLE_EQ(fused[3].score, 0.25);
  ASSERT_EQ(fused[0].stages.size(), 2u);
  EXPECT_DOUBLE_EQ(fused[0].stages[1].score, 0.5);  // the stage's own score
  EXPECT_EQ(fused[0].stages[1].rank, 3);
}

TEST(FuseWeighted, AllEqualScoresContributeOne) {
  auto fused = FuseWeighted({Stage("graph", {{7, 3.0}, {8, 3.0}}, 0.4)});
  ASSERT_EQ(fused.size(), 2u);
  EXPECT_DOUBLE_EQ(fused[0].score, 0.4);
  EXPECT_DOUBLE_EQ(fused[1].score, 0.4);
  EXPECT_EQ(Ids(fused), (std::vector<int64_t>{7, 8}));  // tie: better rank first
  // A single hit is its stage's best.
  fused = FuseWeighted({Stage("a", {{1, 5.0}, {2, 1.0}}), Stage("b", {{2, -3.0}})});
  ASSERT_EQ(Ids(fused), (std::vector<int64_t>{1, 2}));  // 1 + 0 ties 0 + 1: both best rank 1
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0);
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0);
}

TEST(FuseWeighted, MissingStagesContributeZero) {
  const auto fused = FuseWeighted({Stage("a", {{1, 4.0}, {2, 2.0}, {3, 0.0}}), Stage("b", {}),
                                   Stage("c", {{3, 1.0}, {9, 0.0}})});
  // 1: 1 + 0; 2: 0.5; 3: 0 + 1; 9: 0.
  ASSERT_EQ(fused.size(), 4u);
  EXPECT_EQ(Ids(fused), (std::vector<int64_t>{1, 3, 2, 9}));
  EXPECT_DOUBLE_EQ(fused[1].score, 1.0);
  EXPECT_DOUBLE_EQ(fused[3].score, 0.0);
  EXPECT_EQ(fused[1].stages.size(), 2u);
}

TEST(FuseWeighted, NonFiniteScoresContributeZero) {
  const auto fused = FuseWeighted(
      {Stage("a", {{1, 2.0}, {2, std::numeric_limits<double>::quiet_NaN()}, {3, 0.0}})});
  ASSERT_EQ(fused.size(), 3u);
  EXPECT_EQ(fused[0].id, 1);
  EXPECT_DOUBLE_EQ(fused[0].score, 1.0);
  for (const auto& h : fused) EXPECT_FALSE(std::isnan(h.score));
}

TEST(Mmr, PrefersADiverseItemOverANearDuplicate) {
  // 0 and 1 are near-duplicates; 2 is less relevant but different.
  const std::vector<double> relevance{1.0, 0.95, 0.8};
  const auto sim = [](size_t i, size_t j) {
    return (i == 0 && j == 1) || (i == 1 && j == 0) ? 0.98 : 0.1;
  };
  // 0.7 * 0.95 - 0.3 * 0.98 = 0.371 < 0.7 * 0.8 - 0.3 * 0.1 = 0.53.
  EXPECT_EQ(Mmr(relevance, sim, 2), (std::vector<size_t>{0, 2}));
  EXPECT_EQ(Mmr(relevance, sim, 3), (std::vector<size_t>{0, 2, 1}));
  // lambda 1: relevance alone.
  EXPECT_EQ(Mmr(relevance, sim, 2, 1.0), (std::vector<size_t>{0, 1}));
}

TEST(Mmr, KLargerThanCandidates) {
  const std::vector<double> relevance{0.2, 0.9, 0.5};
  const auto none = [](size_t, size_t) { return 0.0; };
  const auto picked = Mmr(relevance, none, 10);
  EXPECT_EQ(picked, (std::vector<size_t>{1, 2, 0}));
  EXPECT_TRUE(Mmr(relevance, none, 0).empty());
  EXPECT_TRUE(Mmr({}, none, 5).empty());
}

TEST(Mmr, SimilarityIsAskedOfRemainingAgainstPicked) {
  const std::vector<double> relevance{0.9, 0.8, 0.7, 0.6};
  std::set<size_t> picked_so_far;
  std::vector<size_t> order;
  bool ok = true;
  const auto sim = [&](size_t i, size_t j) {
    if (picked_so_far.count(i) || !picked_so_far.count(j)) ok = false;
    return 0.5;
  };
  // Track picks through the similarity calls: j is always the latest pick.
  const auto tracking = [&](size_t i, size_t j) {
    picked_so_far.insert(j);
    return sim(i, j);
  };
  const auto picked = Mmr(relevance, tracking, 4);
  EXPECT_TRUE(ok);
  EXPECT_EQ(picked, (std::vector<size_t>{0, 1, 2, 3}));  // equal similarity: relevance order
}

}  // namespace
}  // namespace askio::retrieve
