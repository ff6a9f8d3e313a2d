// Context compression: from recalled passages, keep the sentences that matter
// to the question within a token budget, with their sources.
#pragma once

#include <string_view>
#include <vector>

#include "askio/types.h"
#include "retrieve/question_terms.h"

namespace askio::retrieve {

// A model-neutral size estimate: CJK characters count one each (as in most
// Chinese tokenisers), other words one each.
size_t EstimateTokens(std::string_view text);

// Scores every sentence by how much of the question it covers, picks the best
// greedily while they fit in `token_budget`, skips sentences that repeat what
// is already picked (most of their terms already covered), and returns the
// picks in reading order. Sentences covering nothing are never picked.
std::vector<ContextSentence> CompressContext(const std::vector<WeightedTerm>& question,
                                             const std::vector<RecalledPassage>& passages,
                                             size_t token_budget, size_t* tokens_used);

}  // namespace askio::retrieve
