// Text analysis: turns text into index terms, the same way for documents and
// questions. The scheme is named (Analyzer::kScheme) and recorded in each
// knowledge base so that an index is never searched with different analysis
// than it was built with.
//
// Scheme "cjk-bigram+t2s+en-stem/2":
//   - Han, kana and hangul characters: each character is a unigram term and
//     each pair of adjacent characters a bigram term, after folding
//     Traditional characters to Simplified (script_fold.h). Bigrams carry most of
//     the precision in Chinese, unigrams keep single-character words findable.
//   - Runs of letters and digits (any script): NFKC-casefolded words;
//     Latin words are reduced with the Snowball English stemmer.
//   - Everything else separates tokens; bigrams never span a separator.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace askio::text {

struct Token {
  enum class Kind : uint8_t { kWord, kCjk };
  Kind kind;
  uint32_t begin;  // byte span in the analysed text
  uint32_t end;
  // For kCjk: true when the previous token is a CJK character immediately
  // before this one, i.e. the pair forms a bigram.
  bool joins_previous = false;
  std::string folded;  // NFKC-casefolded surface form
};

struct QueryTerm {
  std::string term;
  double weight = 1;  // relative weight in the query
  bool is_bigram = false;
};

using TermCounts = std::unordered_map<std::string, uint32_t>;

class Analyzer {
 public:
  static constexpr std::string_view kScheme = "cjk-bigram+t2s+en-stem/3";

  // Query-side weight of CJK unigrams relative to bigrams (and words).
  // Tuned with `askio eval` (docs/quality.md).
  double unigram_weight = 1.0;

  static std::vector<Token> Tokenize(std::string_view text);

  // Adds the index terms of `text` to `out` (term -> within-document count),
  // each occurrence counted `times` times (a field weight).
  static void AddIndexTerms(std::string_view text, TermCounts& out, uint32_t times = 1);

  // The terms of a question: interrogative words ("什么", "哪些", "how") and
  // English function words are dropped, since they are about the question,
  // not the answer. Duplicates are merged, their weights added.
  std::vector<QueryTerm> QueryTerms(std::string_view question) const;

  // The index term of a word token (stemmed when Latin).
  static std::string WordTerm(const std::string& folded);
  static std::string BigramTerm(const Token& first, const Token& second);
};

}  // namespace askio::text
