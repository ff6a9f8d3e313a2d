// The built-in "answer model": picks the sentence(s) of the retrieved chunks
// that best cover the question, or abstains when nothing covers it well
// enough. Needs no model weights; it is askio's default and its fallback.
#pragma once

#include <string>
#include <vector>

#include "askio/options.h"
#include "askio/types.h"
#include "retrieve/question_terms.h"

namespace askio::model {

using retrieve::WeightedTerm;

struct ReaderOptions {
  size_t candidate_chunks = 5;
  size_t max_citations = 3;
  // Below this confidence the reader abstains. Confidence = min(coverage of
  // the answer sentence + 0.2, coverage of its chunk), where coverage is the
  // share of the question's IDF-weighted terms present. Calibrated in
  // docs/quality.md.
  double min_confidence = 0.43;
};

// `question_text` (optional) lets the reader cut the answer span out of the
// best sentence (span_finder.h); without it the answer is the sentence.
Answer ReadAnswer(const std::vector<WeightedTerm>& question, const std::vector<SearchHit>& hits,
                  const ReaderOptions& options, std::string_view question_text = {});

}  // namespace askio::model
