// EM and F1 exactly as the official CMRC 2018 evaluation script
// (cmrc2018_evaluate.py) computes them:
//   mixed_segmentation(s, rm_punc=True): s.lower().strip(); drop the script's
//     sp_char list; every character in U+4E00-U+9FA5 is one token; the runs in
//     between are split by nltk.word_tokenize.
//   F1 = 2PR/(P+R) with P = lcs/|prediction tokens|, R = lcs/|gold tokens|,
//     lcs = the longest common *contiguous* run of tokens (find_lcs).
//   EM = remove_punctuation(gold) == remove_punctuation(prediction).
//   Both take the maximum over the gold answers.
// Every expected value below is worked out by hand in the comment above it.
#include "eval/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace askio::eval {
namespace {

using Strings = std::vector<std::string>;

double F1(const std::string& gold, const std::string& prediction) {
  return F1Score({gold}, prediction);
}
double EM(const std::string& gold, const std::string& prediction) {
  return ExactMatch({gold}, prediction);
}

TEST(Metrics, IdenticalAnswers) {
  // tokens 北 京 大 学 on both sides: lcs 4, P = R = 4/4 -> F1 1; strings equal -> EM 1.
  EXPECT_DOUBLE_EQ(F1("北京大学", "北京大学"), 1.0);
  EXPECT_DOUBLE_EQ(EM("北京大学", "北京大学"), 1.0);
}

TEST(Metrics, PunctuationIsIgnored) {
  // remove_punctuation: "《红楼梦》" -> "红楼梦", "红楼梦。" -> "红楼梦" -> EM 1.
  // Tokens 红 楼 梦 on both sides -> F1 1.
  EXPECT_DOUBLE_EQ(EM("《红楼梦》", "红楼梦。"), 1.0);
  EXPECT_DOUBLE_EQ(F1("《红楼梦》", "红楼梦。"), 1.0);
  // '-' is in sp_char and is dropped inside a word: "T-92" -> "t92" (lower-cased).
  EXPECT_DOUBLE_EQ(EM("T-92", "t92"), 1.0);
  EXPECT_DOUBLE_EQ(F1("T-92", "t92"), 1.0);
}

TEST(Metrics, PredictionLongerThanGold) {
  // gold 北 京 大 学 (4 tokens); prediction 在 北 京 大 学 学 习 (7 tokens).
  // lcs = 4 (北京大学). P = 4/7, R = 4/4 = 1.
  // F1 = 2 * (4/7) * 1 / (4/7 + 1) = (8/7) / (11/7) = 8/11.
  EXPECT_DOUBLE_EQ(F1("北京大学", "在北京大学学习"), 8.0 / 11.0);
  EXPECT_DOUBLE_EQ(EM("北京大学", "在北京大学学习"), 0.0);
}

TEST(Metrics, CommonRunMustBeContiguous) {
  // gold 甲 乙 丙 丁, prediction 甲 丙 乙 丁. No two adjacent tokens of the
  // gold (甲乙, 乙丙, 丙丁) are adjacent in the prediction (甲丙, 丙乙, 乙丁),
  // so lcs = 1 (a subsequence LCS would be 3). P = 1/4, R = 1/4 -> F1 = 1/4.
  EXPECT_DOUBLE_EQ(F1("甲乙丙丁", "甲丙乙丁"), 0.25);
}

TEST(Metrics, MaximumOverGoldAnswers) {
  // gold "上海": no common token -> 0.
  // gold "北京": prediction 北 京 市 (3), gold 北 京 (2), lcs 2.
  //   P = 2/3, R = 1 -> F1 = 2 * (2/3) / (5/3) = 4/5.
  // max(0, 0.8) = 0.8. EM: neither "上海" nor "北京" equals "北京市" -> 0.
  EXPECT_DOUBLE_EQ(F1Score({"上海", "北京"}, "北京市"), 0.8);
  EXPECT_DOUBLE_EQ(ExactMatch({"上海", "北京"}, "北京市"), 0.0);
  // EM is 1 as soon as one gold matches.
  EXPECT_DOUBLE_EQ(ExactMatch({"上海", "北京市"}, "北京市。"), 1.0);
}

TEST(Metrics, MixedChineseAndEnglish) {
  // prediction "python 3 语言" -> word_tokenize("python 3 ") + 语 + 言
  //   = [python, 3, 语, 言] (4); gold [python, 3] (2); lcs 2.
  // P = 2/4, R = 2/2 -> F1 = 2 * 0.5 * 1 / 1.5 = 2/3.
  EXPECT_DOUBLE_EQ(F1("Python 3", "Python 3 语言"), 2.0 / 3.0);
}

TEST(Metrics, NumbersAreOneTokenBeforeAChineseCharacter) {
  // gold [1990, 年], prediction [2000, 年]: lcs 1 (年).
  // P = 1/2, R = 1/2 -> F1 = 1/2.
  EXPECT_DOUBLE_EQ(F1("1990年", "2000年"), 0.5);
  EXPECT_DOUBLE_EQ(EM("1990年", "2000年"), 0.0);
}

TEST(Metrics, EnglishWords) {
  // gold [the, eiffel, tower] (3), prediction [eiffel, tower, in, paris] (4).
  // lcs 2 (eiffel tower). P = 2/4, R = 2/3.
  // F1 = 2 * (1/2) * (2/3) / (1/2 + 2/3) = (2/3) / (7/6) = 4/7.
  EXPECT_DOUBLE_EQ(F1("the Eiffel Tower", "Eiffel Tower in Paris"), 4.0 / 7.0);
}

TEST(Metrics, DecimalNumbersStayWhole) {
  // nltk.word_tokenize("3.5") == ["3.5"], so
  // prediction [约, 3.5, 公, 里] (4), gold [3.5, 公, 里] (3), lcs 3.
  // P = 3/4, R = 1 -> F1 = 2 * (3/4) / (7/4) = 6/7.
  // (Splitting "3.5" into 3 . 5 would give 10/11 instead.)
  EXPECT_DOUBLE_EQ(F1("3.5公里", "约3.5公里"), 6.0 / 7.0);
}

TEST(Metrics, ThousandsSeparatorsStayWhole) {
  // nltk keeps "2,790,060" as one token (a comma before a digit does not split).
  // gold [2,790,060] (1), prediction [2,790,060, 人] (2), lcs 1.
  // P = 1/2, R = 1 -> F1 = 2 * (1/2) / (3/2) = 2/3.
  // (Splitting at the commas would give 5 vs 6 tokens and F1 10/11.)
  EXPECT_DOUBLE_EQ(F1("2,790,060", "2,790,060人"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(EM("2,790,060", "2,790,060人"), 0.0);
}

TEST(Metrics, SpacesCountForEmButNotForF1) {
  // remove_punctuation keeps inner spaces: "北 京" != "北京" -> EM 0.
  // Both segment to [北, 京] (the space run tokenises to nothing) -> F1 1.
  EXPECT_DOUBLE_EQ(EM("北 京", "北京"), 0.0);
  EXPECT_DOUBLE_EQ(F1("北 京", "北京"), 1.0);
}

TEST(Metrics, CaseAndSurroundingWhitespaceAreIgnored) {
  // lower() + strip(): "  NBA \n" -> "nba".
  EXPECT_DOUBLE_EQ(EM("NBA", "  nba \n"), 1.0);
  EXPECT_DOUBLE_EQ(F1("NBA", "nba"), 1.0);
  // Python's lower() folds every script: "ＮＢＡ".lower() == "ｎｂａ".
  EXPECT_DOUBLE_EQ(EM("ＮＢＡ", "ｎｂａ"), 1.0);
  EXPECT_DOUBLE_EQ(EM("École", "école"), 1.0);
  // Python's strip() removes Unicode spaces such as U+3000 too; then tokens
  // [北, 京] on both sides -> F1 1 (keeping U+3000 as a token would give
  // P = 2/4, R = 1, F1 = 2/3).
  EXPECT_DOUBLE_EQ(EM("北京", "\u3000北京\u3000"), 1.0);
  EXPECT_DOUBLE_EQ(F1("北京", "\u3000北京\u3000"), 1.0);
}

TEST(Metrics, EmptyPredictions) {
  // No tokens -> lcs 0 -> F1 0.
  EXPECT_DOUBLE_EQ(F1("北京", ""), 0.0);
  EXPECT_DOUBLE_EQ(EM("北京", ""), 0.0);
  // As in the script: a gold that is all punctuation equals an empty
  // prediction for EM ("" == ""), while F1 stays 0 (lcs 0).
  EXPECT_DOUBLE_EQ(EM("。", ""), 1.0);
  EXPECT_DOUBLE_EQ(F1("。", ""), 0.0);
}

TEST(Metrics, NoGoldsScoreZero) {
  EXPECT_DOUBLE_EQ(F1Score({}, "anything"), 0.0);
  EXPECT_DOUBLE_EQ(ExactMatch({}, "anything"), 0.0);
}

TEST(MixedSegmentation, TokenisesLikeTheScript) {
  // CJK characters one by one; the runs in between word-tokenised.
  EXPECT_EQ(MixedSegmentation("Hello, 世界! Version 3.5%", false),
            (Strings{"hello", ",", "世", "界", "!", "version", "3.5", "%"}));
  // Special characters are tokens of their own unless removed; removing one
  // does not split the run around it ("10:30" -> "1030").
  EXPECT_EQ(MixedSegmentation("时间10:30，地点", false),
            (Strings{"时", "间", "10", ":", "30", "，", "地", "点"}));
  EXPECT_EQ(MixedSegmentation("时间10:30，地点", true), (Strings{"时", "间", "1030", "地", "点"}));
  // Characters outside U+4E00-U+9FA5 (here kana) stay inside the run.
  EXPECT_EQ(MixedSegmentation("東京タワー", true), (Strings{"東", "京", "タワー"}));
  EXPECT_EQ(RemovePunctuation(" 《Ａ·Ｂ》：c-d "), "ａｂcd");
}

}  // namespace
}  // namespace askio::eval
