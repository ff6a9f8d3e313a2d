#include "retrieve/question_terms.h"

#include <algorithm>
#include <unordered_map>

#include "text/analyzer.h"

namespace askio::retrieve {

using text::Analyzer;
using text::Token;

std::unordered_set<std::string> TermsOf(std::string_view text) {
  std::unordered_set<std::string> out;
  const std::vector<Token> tokens = Analyzer::Tokenize(text);
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (t.kind == Token::Kind::kWord) {
      out.insert(Analyzer::WordTerm(t.folded));
      continue;
    }
    out.insert(t.folded);
    if (t.joins_previous) out.insert(Analyzer::BigramTerm(tokens[k - 1], t));
  }
  return out;
}

double TotalWeight(const std::vector<WeightedTerm>& question) {
  double total = 0;
  for (const WeightedTerm& q : question) total += q.weight;
  return total;
}

double Coverage(const std::vector<WeightedTerm>& question,
                const std::unordered_set<std::string>& terms) {
  const double total = TotalWeight(question);
  if (total <= 0) return 0;
  double found = 0;
  for (const WeightedTerm& q : question)
    if (terms.count(q.term)) found += q.weight;
  return found / total;
}

std::vector<double> SpanCoverages(const std::vector<WeightedTerm>& question, std::string_view text,
                                  const std::vector<std::pair<size_t, size_t>>& spans) {
  std::vector<double> out(spans.size(), 0);
  const double total = TotalWeight(question);
  if (total <= 0 || spans.empty()) return out;
  std::unordered_map<std::string, size_t> index;  // term -> position in question
  for (size_t i = 0; i < question.size(); ++i) index.emplace(question[i].term, i);
  const std::vector<Token> tokens = Analyzer::Tokenize(text);
  std::vector<char> seen(question.size());
  std::string key;
  size_t span = 0, k = 0;
  while (span < spans.size()) {
    std::fill(seen.begin(), seen.end(), 0);
    double found = 0;
    auto hit = [&](const std::string& term) {
      auto it = index.find(term);
      if (it != index.end() && !seen[it->second]) {
        seen[it->second] = 1;
        found += question[it->second].weight;
      }
    };
    // Skip tokens before this span, then score those inside it.
    while (k < tokens.size() && tokens[k].begin < spans[span].first) ++k;
    for (size_t m = k; m < tokens.size() && tokens[m].end <= spans[span].second; ++m) {
      const Token& t = tokens[m];
      if (t.kind == Token::Kind::kWord) {
        hit(Analyzer::WordTerm(t.folded));
        continue;
      }
      hit(t.folded);
      if (t.joins_previous && m > k) {
        key.assign(tokens[m - 1].folded).append(t.folded);
        hit(key);
      }
    }
    out[span] = found / total;
    ++span;
  }
  return out;
}

}  // namespace askio::retrieve
