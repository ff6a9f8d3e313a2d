// Sentence boundaries for Chinese and Latin text.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace askio::text {

struct Span {
  size_t begin;  // bytes
  size_t end;
};

// Splits text into sentences. A sentence ends after 。！？；!? (full or half
// width), or after '.' followed by whitespace or the end, plus any closing
// quotes/brackets that follow. Leading whitespace is not part of a sentence;
// the spans cover every non-space character of the text exactly once.
std::vector<Span> SplitSentences(std::string_view text);

}  // namespace askio::text
