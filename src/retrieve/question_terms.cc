#include "retrieve/question_terms.h"

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

}  // namespace askio::retrieve
