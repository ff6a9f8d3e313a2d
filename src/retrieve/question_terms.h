// A question's terms weighted by informativeness, and how much of them a
// piece of text covers. Shared by context compression and the reader.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace askio::retrieve {

// A question term with its informativeness (query weight x IDF).
struct WeightedTerm {
  std::string term;
  bool is_bigram = false;
  double weight = 0;
};

// The distinct index terms of `text`, analysed as documents are.
std::unordered_set<std::string> TermsOf(std::string_view text);

double TotalWeight(const std::vector<WeightedTerm>& question);

// Share (0..1) of the question's term weight present in `terms`.
double Coverage(const std::vector<WeightedTerm>& question,
                const std::unordered_set<std::string>& terms);
inline double Coverage(const std::vector<WeightedTerm>& question, std::string_view text) {
  return Coverage(question, TermsOf(text));
}

// Coverage of each span (byte ranges of `text`, in order, not overlapping),
// computed with one tokenisation of `text`: the hot path of the proximity
// rerank, which scores every sentence of every candidate chunk.
std::vector<double> SpanCoverages(const std::vector<WeightedTerm>& question, std::string_view text,
                                  const std::vector<std::pair<size_t, size_t>>& spans);

}  // namespace askio::retrieve
