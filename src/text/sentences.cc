#include "text/sentences.h"

#include "common/utf8.h"

namespace askio::text {
namespace {

bool IsTerminator(char32_t c) {
  switch (c) {
    case U'。':
    case U'！':
    case U'？':
    case U'；':
    case U'!':
    case U'?':
    case U'｡':
    case U'…':
      return true;
    default:
      return false;
  }
}

bool IsCloser(char32_t c) {
  switch (c) {
    case U'」':
    case U'』':
    case U'”':
    case U'’':
    case U'）':
    case U')':
    case U'"':
    case U'\'':
    case U'》':
    case U'】':
    case U']':
      return true;
    default:
      return false;
  }
}

bool IsSpace(char32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == 0x3000 || c == 0xA0; }

}  // namespace

std::vector<Span> SplitSentences(std::string_view text) {
  std::vector<Span> out;
  size_t i = 0;
  size_t start = std::string_view::npos;
  auto close = [&](size_t end) {
    while (end > start && start != std::string_view::npos &&
           (text[end - 1] == ' ' || text[end - 1] == '\n' || text[end - 1] == '\t'))
      --end;
    if (start != std::string_view::npos && end > start) out.push_back({start, end});
    start = std::string_view::npos;
  };
  while (i < text.size()) {
    const size_t pos = i;
    const char32_t c = utf8::Next(text, i);
    if (start == std::string_view::npos) {
      if (IsSpace(c)) continue;
      start = pos;
    }
    bool ends = IsTerminator(c);
    if (c == '.') {
      // "3.5", "e.g.x" and "www.example.com" are not sentence ends; a period
      // inside closing quotes or brackets ('said "Stop." Then') is.
      size_t j = i;
      while (j < text.size()) {
        size_t k = j;
        if (!IsCloser(utf8::Next(text, k))) break;
        j = k;
      }
      ends = j >= text.size() || IsSpace(utf8::Next(text, j));
    }
    if (!ends) {
      // A blank line always ends a sentence (headings, list items, lines of a
      // table rendered as text).
      if (c == '\n' && i < text.size() && text[i] == '\n') close(pos);
      continue;
    }
    // Keep repeated terminators and closing quotes with the sentence.
    while (i < text.size()) {
      size_t j = i;
      const char32_t d = utf8::Next(text, j);
      if (!IsTerminator(d) && !IsCloser(d) && d != '.') break;
      i = j;
    }
    close(i);
  }
  close(text.size());
  return out;
}

}  // namespace askio::text
