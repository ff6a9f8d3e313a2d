#include "eval/metrics.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <cctype>

#include "common/utf8.h"

namespace askio::eval {
namespace {

// The script's sp_char list. Its "……" entry is two characters and never
// equals a single character, so a lone "…" is (as in the script) kept.
bool IsSpecial(char32_t c) {
  static constexpr std::u32string_view kSpecial =
      U"-:_*^/\\~`+=，。：？！“”；’《》·、「」（）－～『』";
  return kSpecial.find(c) != std::u32string_view::npos;
}

bool IsScriptCjk(char32_t c) { return c >= 0x4E00 && c <= 0x9FA5; }

// Python's str.isspace(): Unicode white space (U+3000 and U+00A0 included).
bool IsSpace(char32_t c) {
  if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1C && c <= 0x1F);
  return u_isUWhiteSpace(static_cast<UChar32>(c));
}

// Python's str.lower() + strip(). Python lower-cases every script, so
// "ＮＢＡ" and "École" fold too.
std::u32string LowerStrip(std::string_view text) {
  std::u32string s = utf8::ToCodePoints(text);
  for (char32_t& c : s) {
    if (c < 0x80) {
      c = static_cast<char32_t>(std::tolower(static_cast<int>(c)));
    } else {
      c = static_cast<char32_t>(u_tolower(static_cast<UChar32>(c)));
    }
  }
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

bool IsWordChar(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

bool IsDigit(char32_t c) { return c >= '0' && c <= '9'; }

// Approximates nltk.word_tokenize for the non-CJK runs: whitespace separates,
// runs of word characters are tokens, any other character stands alone --
// except that, as in NLTK, a period inside a word ("3.5", "e.g.x") and a
// comma before a digit ("2,790,060") do not split it.
void WordTokenize(std::u32string_view run, std::vector<std::string>& out) {
  auto joins = [&run](size_t k) {
    if (k == 0 || k + 1 >= run.size() || !IsWordChar(run[k - 1])) return false;
    if (run[k] == '.') return IsWordChar(run[k + 1]) && !IsSpace(run[k + 1]);
    if (run[k] == ',') return IsDigit(run[k + 1]);
    return false;
  };
  size_t i = 0;
  while (i < run.size()) {
    if (IsSpace(run[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    if (IsWordChar(run[i])) {
      while (j < run.size() && ((IsWordChar(run[j]) && !IsSpace(run[j])) || joins(j))) ++j;
    } else {
      ++j;
    }
    out.push_back(utf8::FromCodePoints(run.substr(i, j - i)));
    i = j;
  }
}

}  // namespace

std::vector<std::string> MixedSegmentation(std::string_view text, bool remove_punct) {
  const std::u32string s = LowerStrip(text);
  std::vector<std::string> out;
  std::u32string pending;
  for (char32_t c : s) {
    if (remove_punct && IsSpecial(c)) continue;
    if (IsScriptCjk(c) || IsSpecial(c)) {
      WordTokenize(pending, out);
      pending.clear();
      out.push_back(utf8::FromCodePoints(std::u32string(1, c)));
    } else {
      pending.push_back(c);
    }
  }
  WordTokenize(pending, out);
  return out;
}

std::string RemovePunctuation(std::string_view text) {
  std::u32string kept;
  for (char32_t c : LowerStrip(text))
    if (!IsSpecial(c)) kept.push_back(c);
  return utf8::FromCodePoints(kept);
}

double F1Score(const std::vector<std::string>& golds, std::string_view prediction) {
  const std::vector<std::string> pred = MixedSegmentation(prediction, true);
  double best = 0;
  for (const std::string& gold : golds) {
    const std::vector<std::string> ans = MixedSegmentation(gold, true);
    // Longest common contiguous run of tokens.
    size_t lcs = 0;
    std::vector<size_t> prev(pred.size() + 1, 0), cur(pred.size() + 1, 0);
    for (size_t i = 0; i < ans.size(); ++i) {
      for (size_t j = 0; j < pred.size(); ++j) {
        cur[j + 1] = ans[i] == pred[j] ? prev[j] + 1 : 0;
        lcs = std::max(lcs, cur[j + 1]);
      }
      std::swap(prev, cur);
    }
    if (lcs == 0) continue;
    const double precision = static_cast<double>(lcs) / static_cast<double>(pred.size());
    const double recall = static_cast<double>(lcs) / static_cast<double>(ans.size());
    best = std::max(best, 2 * precision * recall / (precision + recall));
  }
  return best;
}

double ExactMatch(const std::vector<std::string>& golds, std::string_view prediction) {
  const std::string pred = RemovePunctuation(prediction);
  for (const std::string& gold : golds)
    if (RemovePunctuation(gold) == pred) return 1;
  return 0;
}

}  // namespace askio::eval
