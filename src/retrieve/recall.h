// Source recall: widen each hit to the context a reader needs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "askio/types.h"

namespace askio::retrieve {

// One document as recall needs it: its text and its chunks in order.
struct DocumentView {
  int64_t id = 0;
  std::string title, source;
  std::string text;
  std::vector<Chunk> chunks;
};

// Looks up a document (nullptr if it vanished); called once per document.
using DocumentLookup = std::function<const DocumentView*(int64_t document_id)>;

// For each hit, in rank order: the hit chunk plus neighbouring chunks of the
// same section (same heading path), alternately after and before, while the
// passage stays within `budget_chars`. Passages of one document that overlap
// or touch are merged. Returned in order of their best hit.
std::vector<RecalledPassage> RecallPassages(const std::vector<SearchHit>& hits,
                                            const DocumentLookup& lookup, size_t budget_chars);

}  // namespace askio::retrieve
