#include "retrieve/compress.h"

#include <algorithm>
#include <unordered_set>

#include "common/utf8.h"
#include "text/analyzer.h"
#include "text/sentences.h"

namespace askio::retrieve {
namespace {

// A sentence whose terms are mostly present in what is already picked adds
// little; this share marks it redundant.
constexpr double kRedundantOverlap = 0.8;

struct Scored {
  ContextSentence sentence;
  std::unordered_set<std::string> terms;
  size_t tokens;
};

}  // namespace

size_t EstimateTokens(std::string_view text) { return text::Analyzer::Tokenize(text).size(); }

std::vector<ContextSentence> CompressContext(const std::vector<WeightedTerm>& question,
                                             const std::vector<RecalledPassage>& passages,
                                             size_t token_budget, size_t* tokens_used) {
  std::vector<Scored> all;
  for (size_t p = 0; p < passages.size(); ++p) {
    const std::string_view text = passages[p].text;
    for (const text::Span& s : text::SplitSentences(text)) {
      const std::string_view sentence = text.substr(s.begin, s.end - s.begin);
      Scored sc;
      sc.terms = TermsOf(sentence);
      sc.sentence.relevance = Coverage(question, sc.terms);
      if (sc.sentence.relevance <= 0) continue;
      sc.sentence.passage = static_cast<int>(p);
      sc.sentence.char_start = passages[p].char_start +
                               static_cast<int64_t>(utf8::CodePointCount(text.substr(0, s.begin)));
      sc.sentence.char_end =
          sc.sentence.char_start + static_cast<int64_t>(utf8::CodePointCount(sentence));
      sc.sentence.text = std::string(sentence);
      sc.tokens = EstimateTokens(sentence);
      all.push_back(std::move(sc));
    }
  }
  // Best first; among equals, earlier passages (better hits) first.
  std::stable_sort(all.begin(), all.end(), [](const Scored& a, const Scored& b) {
    return a.sentence.relevance > b.sentence.relevance;
  });
  std::vector<const Scored*> picked;
  std::unordered_set<std::string> covered;
  size_t used = 0;
  for (const Scored& sc : all) {
    if (used + sc.tokens > token_budget) continue;
    size_t seen = 0;
    for (const std::string& t : sc.terms) seen += covered.count(t);
    if (!picked.empty() && !sc.terms.empty() &&
        static_cast<double>(seen) >= kRedundantOverlap * static_cast<double>(sc.terms.size()))
      continue;
    picked.push_back(&sc);
    covered.insert(sc.terms.begin(), sc.terms.end());
    used += sc.tokens;
  }
  std::sort(picked.begin(), picked.end(), [](const Scored* a, const Scored* b) {
    return a->sentence.passage != b->sentence.passage
               ? a->sentence.passage < b->sentence.passage
               : a->sentence.char_start < b->sentence.char_start;
  });
  std::vector<ContextSentence> out;
  for (const Scored* sc : picked) out.push_back(sc->sentence);
  if (tokens_used) *tokens_used = used;
  return out;
}

}  // namespace askio::retrieve
