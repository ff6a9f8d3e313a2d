// Query-aware snippets: the window of a chunk that best matches the query,
// with matched phrases highlighted. Adjacent matches (consecutive CJK bigrams,
// consecutive words) merge into one highlight, so a matched phrase reads as a
// phrase.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "askio/types.h"
#include "text/analyzer.h"

namespace askio::retrieve {

struct QueryTermSet {
  explicit QueryTermSet(const std::vector<text::QueryTerm>& terms);
  std::unordered_set<std::string> terms;
  bool has_bigrams = false;
};

// Byte spans of `text` that match the query, merged into phrases.
std::vector<Highlight> FindHighlights(std::string_view text, const QueryTermSet& query);

struct Snippet {
  std::string text;
  std::vector<Highlight> highlights;  // byte spans in text
};

Snippet MakeSnippet(std::string_view text, const QueryTermSet& query, size_t max_chars);

}  // namespace askio::retrieve
