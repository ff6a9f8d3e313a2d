#include "text/analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "text/normalize.h"

namespace askio::text {
namespace {

TermCounts IndexTerms(std::string_view text) {
  TermCounts terms;
  Analyzer::AddIndexTerms(text, terms);
  return terms;
}

std::set<std::string> TermSet(const TermCounts& counts) {
  std::set<std::string> out;
  for (const auto& [term, count] : counts) out.insert(term);
  return out;
}

std::set<std::string> QueryTermSet(std::string_view question) {
  std::set<std::string> out;
  for (const QueryTerm& t : Analyzer().QueryTerms(question)) out.insert(t.term);
  return out;
}

const QueryTerm* FindTerm(const std::vector<QueryTerm>& terms, const std::string& term) {
  for (const QueryTerm& t : terms)
    if (t.term == term) return &t;
  return nullptr;
}

TEST(Analyzer, CjkTextYieldsUnigramsAndBigrams) {
  const TermCounts terms = IndexTerms("北京大学");
  EXPECT_EQ(TermSet(terms),
            (std::set<std::string>{"北", "京", "大", "学", "北京", "京大", "大学"}));
  for (const auto& [term, count] : terms) EXPECT_EQ(count, 1u) << term;
}

TEST(Analyzer, CountsRepeatedTerms) {
  const TermCounts terms = IndexTerms("大学，大学");
  EXPECT_EQ(terms.at("大学"), 2u);
  EXPECT_EQ(terms.at("大"), 2u);
  EXPECT_EQ(terms.count("学大"), 0u);  // the comma separates
}

TEST(Analyzer, TokenizeMarksWhichCjkCharactersFormBigrams) {
  const std::vector<Token> tokens = Analyzer::Tokenize("北京 大学");
  ASSERT_EQ(tokens.size(), 4u);
  for (const Token& t : tokens) EXPECT_EQ(t.kind, Token::Kind::kCjk);
  EXPECT_FALSE(tokens[0].joins_previous);
  EXPECT_TRUE(tokens[1].joins_previous);
  EXPECT_FALSE(tokens[2].joins_previous);  // a space separates
  EXPECT_TRUE(tokens[3].joins_previous);
  // Byte spans point at the surface characters.
  EXPECT_EQ(tokens[2].begin, 7u);
  EXPECT_EQ(tokens[2].end, 10u);
}

TEST(Analyzer, NoBigramAcrossPunctuationSpacesOrLatinWords) {
  for (const char* text : {"北京，大学", "北京。大学", "北京 大学", "北京ABC大学", "北京-大学",
                           "北京\n\n大学", "北京3大学"}) {
    SCOPED_TRACE(text);
    const TermCounts terms = IndexTerms(text);
    EXPECT_EQ(terms.count("京大"), 0u);
    EXPECT_EQ(terms.count("北京"), 1u);
    EXPECT_EQ(terms.count("大学"), 1u);
    for (const auto& [term, count] : terms) {
      // No term mixes a CJK character with a Latin letter or digit.
      const bool has_ascii = std::any_of(
          term.begin(), term.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
      const bool has_cjk = std::any_of(
          term.begin(), term.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
      EXPECT_FALSE(has_ascii && has_cjk) << term;
    }
  }
  EXPECT_EQ(IndexTerms("北京ABC大学").count("abc"), 1u);
}

TEST(Analyzer, EnglishWordsAreStemmed) {
  EXPECT_EQ(Analyzer::WordTerm("running"), Analyzer::WordTerm("runs"));
  EXPECT_EQ(Analyzer::WordTerm("running"), Analyzer::WordTerm("run"));
  EXPECT_EQ(Analyzer::WordTerm("libraries"), Analyzer::WordTerm("library"));
  EXPECT_NE(Analyzer::WordTerm("running"), Analyzer::WordTerm("ruin"));
  const TermCounts terms = IndexTerms("Running runs");
  EXPECT_EQ(terms.size(), 1u);
  EXPECT_EQ(terms.at(Analyzer::WordTerm("run")), 2u);
}

TEST(Analyzer, CaseFoldingAndNfkc) {
  EXPECT_EQ(TermSet(IndexTerms("ABC")), TermSet(IndexTerms("abc")));
  EXPECT_EQ(TermSet(IndexTerms("Apple")), TermSet(IndexTerms("APPLE")));
  // Full-width Latin letters and digits fold to ASCII.
  EXPECT_EQ(TermSet(IndexTerms("ＡＢＣ")), TermSet(IndexTerms("abc")));
  EXPECT_EQ(TermSet(IndexTerms("ＡＢＣ")), std::set<std::string>{"abc"});
  EXPECT_EQ(TermSet(IndexTerms("２０２４")), std::set<std::string>{"2024"});
  // Ligatures and accented capitals fold too.
  EXPECT_EQ(TermSet(IndexTerms("ﬁle")), TermSet(IndexTerms("file")));
  EXPECT_EQ(TermSet(IndexTerms("ÉCOLE")), TermSet(IndexTerms("école")));
  EXPECT_EQ(FoldForIndex("ＡＢＣ"), "abc");
}

TEST(Analyzer, VeryLongWordsStayUnderXapiansTermLimit) {
  const std::string word(1000, 'x');
  for (const auto& [term, count] : IndexTerms(word)) EXPECT_LE(term.size(), 245u);
  const std::string cyrillic = [] {
    std::string s;
    for (int i = 0; i < 400; ++i) s += "ж";
    return s;
  }();
  for (const auto& [term, count] : IndexTerms(cyrillic)) {
    EXPECT_LE(term.size(), 245u);
    EXPECT_EQ(term.size() % 2, 0u);  // not cut inside a two-byte character
  }
}

TEST(Analyzer, InterrogativeWordsAreDroppedFromQueries) {
  {
    const std::set<std::string> terms = QueryTermSet("大学是什么");
    for (const char* gone : {"什", "么", "什么", "是什", "么"})
      EXPECT_EQ(terms.count(gone), 0u) << gone;
    EXPECT_EQ(terms.count("大学"), 1u);
  }
  {
    const std::set<std::string> terms = QueryTermSet("哪些城市有大学？");
    for (const char* gone : {"哪", "些", "哪些", "些城"}) EXPECT_EQ(terms.count(gone), 0u) << gone;
    EXPECT_EQ(terms.count("城市"), 1u);
    EXPECT_EQ(terms.count("大学"), 1u);
  }
  {
    // "为什么" is dropped whole, not just its "什么".
    const std::set<std::string> terms = QueryTermSet("天空为什么是蓝色的");
    for (const char* gone : {"为", "什", "么", "为什", "什么", "空为"})
      EXPECT_EQ(terms.count(gone), 0u) << gone;
    EXPECT_EQ(terms.count("天空"), 1u);
    EXPECT_EQ(terms.count("蓝色"), 1u);
  }
  {
    // Traditional script too; its terms are folded to Simplified.
    const std::set<std::string> terms = QueryTermSet("網球是什麼運動");
    for (const char* gone : {"什", "麼", "么", "什麼", "什么"})
      EXPECT_EQ(terms.count(gone), 0u) << gone;
    EXPECT_EQ(terms.count("网球"), 1u);
  }
}

TEST(Analyzer, EnglishQuestionWordsAreDropped) {
  const std::set<std::string> terms = QueryTermSet("What is the capital of France?");
  for (const char* gone : {"what", "is", "the", "of"}) EXPECT_EQ(terms.count(gone), 0u) << gone;
  EXPECT_EQ(terms.count(Analyzer::WordTerm("capital")), 1u);
  EXPECT_EQ(terms.count(Analyzer::WordTerm("france")), 1u);
}

TEST(Analyzer, DocumentsAreNotFilteredLikeQueries) {
  // Index terms keep every word: only questions drop interrogatives.
  const TermCounts terms = IndexTerms("什么 what");
  EXPECT_EQ(terms.count("什么"), 1u);
  EXPECT_EQ(terms.count("what"), 1u);
}

TEST(Analyzer, QueryWeightsFollowUnigramWeightAndMergeDuplicates) {
  Analyzer analyzer;
  {
    const std::vector<QueryTerm> terms = analyzer.QueryTerms("大学");
    ASSERT_EQ(terms.size(), 3u);
    const QueryTerm* uni = FindTerm(terms, "大");
    const QueryTerm* bi = FindTerm(terms, "大学");
    ASSERT_NE(uni, nullptr);
    ASSERT_NE(bi, nullptr);
    EXPECT_DOUBLE_EQ(uni->weight, analyzer.unigram_weight);
    EXPECT_FALSE(uni->is_bigram);
    EXPECT_DOUBLE_EQ(bi->weight, 1.0);
    EXPECT_TRUE(bi->is_bigram);
  }
  {
    // 大学大学: bigrams 大学, 学大, 大学 -> 大学 counted twice.
    const std::vector<QueryTerm> terms = analyzer.QueryTerms("大学大学");
    ASSERT_EQ(terms.size(), 4u);
    EXPECT_DOUBLE_EQ(FindTerm(terms, "大学")->weight, 2.0);
    EXPECT_DOUBLE_EQ(FindTerm(terms, "学大")->weight, 1.0);
    EXPECT_DOUBLE_EQ(FindTerm(terms, "大")->weight, 2 * analyzer.unigram_weight);
    EXPECT_DOUBLE_EQ(FindTerm(terms, "学")->weight, 2 * analyzer.unigram_weight);
  }
  {
    Analyzer tuned;
    tuned.unigram_weight = 0.5;
    EXPECT_DOUBLE_EQ(FindTerm(tuned.QueryTerms("大学"), "学")->weight, 0.5);
  }
  {
    const std::vector<QueryTerm> terms = analyzer.QueryTerms("Running runs");
    ASSERT_EQ(terms.size(), 1u);
    EXPECT_DOUBLE_EQ(terms[0].weight, 2.0);
  }
}

TEST(Analyzer, QueryTermsMatchIndexTerms) {
  // Whatever a question is analysed into must exist in the index of a text
  // that contains the same words in another form.
  const TermCounts doc = IndexTerms("The RUNNERS were running in ＴＯＫＹＯ at 北京大学.");
  for (const QueryTerm& t : Analyzer().QueryTerms("Which runner runs in Tokyo at 北京大学?"))
    EXPECT_EQ(doc.count(t.term), 1u) << t.term;
}

TEST(Analyzer, QuestionOfOnlyInterrogativesHasNoTerms) {
  EXPECT_TRUE(Analyzer().QueryTerms("什么？").empty());
  EXPECT_TRUE(Analyzer().QueryTerms("what is it?").empty());
  EXPECT_TRUE(Analyzer().QueryTerms("，。！").empty());
}

}  // namespace
}  // namespace askio::text
