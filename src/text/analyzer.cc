#include "text/analyzer.h"

#include <libstemmer.h>
#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <memory>

#include "common/utf8.h"
#include "text/normalize.h"

namespace askio::text {
namespace {

// Xapian rejects terms over 245 bytes; words that long are not words anyway.
constexpr size_t kMaxTermBytes = 120;

bool IsCjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x2FA1F) ||
         (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF);
}

bool IsWordChar(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (u_isalnum(static_cast<UChar32>(c))) return true;
  const int8_t type = u_charType(static_cast<UChar32>(c));
  return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK;
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

std::string Stem(const std::string& word) {
  // sb_stemmer instances are not thread-safe; one per thread is cheap.
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  // Word frequencies are Zipfian, so a small cache answers most lookups:
  // libstemmer fell from 9% to 1.3% of ingest CPU samples (perf), of which
  // the cache's own hashing gives back about half.
  thread_local std::unordered_map<std::string, std::string> cache;
  if (auto it = cache.find(word); it != cache.end()) return it->second;
  if (!stemmer) return word;
  const sb_symbol* out =
      sb_stemmer_stem(stemmer.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                      static_cast<int>(word.size()));
  if (!out) return word;
  std::string stem(reinterpret_cast<const char*>(out),
                   static_cast<size_t>(sb_stemmer_length(stemmer.get())));
  if (cache.size() >= 100000) cache.clear();
  cache.emplace(word, stem);
  return stem;
}

bool HasAsciiLetter(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z'); });
}

// Words that ask rather than tell. Listed in both scripts because questions
// come in either.
// Longer words come first so that "为什么" wins over "什么".
constexpr std::array<std::string_view, 41> kCjkInterrogatives = {
    "为什么", "為什麼", "什么", "什麼", "甚麼", "哪些", "哪里", "哪裡", "哪儿", "哪兒", "哪个",
    "哪個",   "哪一",   "哪",   "谁",   "誰",   "怎么", "怎麼", "怎样", "怎樣", "如何", "多少",
    "几",     "幾",     "吗",   "嗎",   "呢",   "是否", "何时", "何時", "何处", "何處", "请问",
    "請問",   "呀",     "啥",   "吧",   "多久", "多长", "多長", "为何"};

constexpr std::array<std::string_view, 48> kEnglishQueryStopwords = {
    "what", "which", "who",    "whom", "whose", "when",   "where", "why",  "how", "is",
    "are",  "was",   "were",   "be",   "do",    "does",   "did",   "the",  "a",   "an",
    "of",   "to",    "in",     "on",   "for",   "and",    "or",    "at",   "by",  "with",
    "from", "it",    "its",    "this", "that",  "there",  "can",   "i",    "you", "we",
    "my",   "me",    "please", "tell", "about", "should", "could", "would"};

}  // namespace

std::vector<Token> Analyzer::Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t i = 0;
  bool prev_cjk = false;
  while (i < text.size()) {
    const size_t start = i;
    const char32_t c = utf8::Next(text, i);
    if (IsCjk(c)) {
      Token t{
          Token::Kind::kCjk, static_cast<uint32_t>(start), static_cast<uint32_t>(i), prev_cjk, {}};
      AppendFolded(t.folded, c);
      tokens.push_back(std::move(t));
      prev_cjk = true;
      continue;
    }
    prev_cjk = false;
    if (!IsWordChar(c)) continue;
    // A word: letters, digits and combining marks of any non-CJK script.
    size_t end = i;
    bool ascii = c < 0x80;
    while (end < text.size()) {
      size_t next = end;
      const char32_t d = utf8::Next(text, next);
      if (IsCjk(d) || !IsWordChar(d)) break;
      ascii = ascii && d < 0x80;
      end = next;
    }
    Token t{
        Token::Kind::kWord, static_cast<uint32_t>(start), static_cast<uint32_t>(end), false, {}};
    const std::string_view surface = text.substr(start, end - start);
    if (ascii) {
      t.folded.assign(surface);
      for (char& ch : t.folded) ch = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
    } else {
      t.folded = FoldForIndex(surface);
    }
    tokens.push_back(std::move(t));
    i = end;
  }
  return tokens;
}

std::string Analyzer::WordTerm(const std::string& folded) {
  std::string term = HasAsciiLetter(folded) ? Stem(folded) : folded;
  if (term.size() > kMaxTermBytes) term = std::string(utf8::TruncateBytes(term, kMaxTermBytes));
  return term;
}

std::string Analyzer::BigramTerm(const Token& first, const Token& second) {
  return first.folded + second.folded;
}

void Analyzer::AddIndexTerms(std::string_view text, TermCounts& out, uint32_t times) {
  const std::vector<Token> tokens = Tokenize(text);
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (t.kind == Token::Kind::kWord) {
      out[WordTerm(t.folded)] += times;
      continue;
    }
    out[t.folded] += times;
    if (t.joins_previous) out[BigramTerm(tokens[k - 1], t)] += times;
  }
}

std::vector<QueryTerm> Analyzer::QueryTerms(std::string_view question) const {
  std::vector<Token> tokens = Tokenize(question);

  // Mark CJK characters that belong to an interrogative word.
  std::vector<bool> dropped(tokens.size(), false);
  for (size_t k = 0; k < tokens.size(); ++k) {
    if (tokens[k].kind != Token::Kind::kCjk) continue;
    for (std::string_view word : kCjkInterrogatives) {
      std::string joined;
      for (size_t m = k; m < tokens.size() && joined.size() < word.size(); ++m) {
        if (tokens[m].kind != Token::Kind::kCjk || (m > k && !tokens[m].joins_previous)) break;
        joined += tokens[m].folded;
      }
      if (joined.size() >= word.size() && joined.compare(0, word.size(), word) == 0) {
        // Count the tokens that make up `word` exactly.
        std::string acc;
        for (size_t m = k; acc.size() < word.size(); ++m) {
          acc += tokens[m].folded;
          dropped[m] = true;
        }
        break;
      }
    }
  }

  std::vector<QueryTerm> terms;
  auto add = [&terms](std::string term, double weight, bool bigram) {
    for (QueryTerm& q : terms) {
      if (q.term == term) {
        q.weight += weight;
        return;
      }
    }
    terms.push_back({std::move(term), weight, bigram});
  };
  for (size_t k = 0; k < tokens.size(); ++k) {
    const Token& t = tokens[k];
    if (t.kind == Token::Kind::kWord) {
      if (std::find(kEnglishQueryStopwords.begin(), kEnglishQueryStopwords.end(), t.folded) !=
          kEnglishQueryStopwords.end())
        continue;
      add(WordTerm(t.folded), 1.0, false);
      continue;
    }
    if (dropped[k]) continue;
    add(t.folded, unigram_weight, false);
    if (t.joins_previous && !dropped[k - 1]) add(BigramTerm(tokens[k - 1], t), 1.0, true);
  }
  return terms;
}

}  // namespace askio::text
