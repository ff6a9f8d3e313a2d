#include "graph/resolve.h"

#include <unicode/uchar.h>

#include <array>
#include <cctype>
#include <functional>
#include <vector>

#include "common/utf8.h"
#include "text/normalize.h"

namespace askio::graph {
namespace {

bool IsHan(char32_t c) {
  return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F);
}

bool IsNameChar(char32_t c) {
  if (c < 0x80) return std::isalnum(static_cast<unsigned char>(c)) != 0;
  return IsHan(c) || u_isalnum(static_cast<UChar32>(c));
}

void AppendFoldedNameChars(std::string& out, std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const char32_t c = utf8::Next(s, i);
    if (IsNameChar(c)) text::AppendFolded(out, c);
  }
}

// Legal-form words, folded, dropped from the end of a Latin name.
constexpr std::array<std::string_view, 14> kLatinLegal = {
    "inc", "incorporated", "corp", "corporation", "ltd", "limited", "llc",
    "plc", "gmbh",         "co",   "company",     "ag",  "sa",      "lp"};
// Dropped from the end of a Chinese name (longest first), when at least two
// characters remain.
constexpr std::array<std::string_view, 4> kHanLegal = {"股份有限公司", "有限责任公司", "有限公司",
                                                       "公司"};

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0, start = std::string_view::npos;
  while (i < s.size()) {
    const size_t at = i;
    const char32_t c = utf8::Next(s, i);
    const bool word = IsNameChar(c) && !IsHan(c);
    if (word && start == std::string_view::npos) start = at;
    if (!word && start != std::string_view::npos) {
      words.push_back(s.substr(start, at - start));
      start = std::string_view::npos;
    }
  }
  if (start != std::string_view::npos) words.push_back(s.substr(start));
  return words;
}

bool IsFunctionWord(std::string_view w) {
  static constexpr std::array<std::string_view, 9> kWords = {"of", "and", "the", "for", "de",
                                                             "du", "la",  "at",  "in"};
  std::string lower(w);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto k : kWords)
    if (lower == k) return true;
  return false;
}

bool HasHan(std::string_view s) {
  for (size_t i = 0; i < s.size();)
    if (IsHan(utf8::Next(s, i))) return true;
  return false;
}

bool HasLatinLetter(std::string_view s) {
  for (char c : s)
    if (std::isalpha(static_cast<unsigned char>(c))) return true;
  return false;
}

bool OnlyDigitsAndMarks(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const char32_t c = utf8::Next(s, i);
    if (IsNameChar(c) && !(c >= '0' && c <= '9') && c != U'年' && c != U'月' && c != U'日' &&
        !(c >= 0xFF10 && c <= 0xFF19))
      return false;
  }
  return true;
}

// A Latin name: every word starts upper-case, or is a function word, or
// the whole is an acronym.
bool LooksLikeLatinName(std::string_view s) {
  const auto words = Words(s);
  if (words.empty() || words.size() > 8) return false;
  if (!std::isupper(static_cast<unsigned char>(words.front()[0]))) return false;
  for (auto w : words)
    if (!std::isupper(static_cast<unsigned char>(w[0])) && !std::isdigit((unsigned char)w[0]) &&
        !IsFunctionWord(w))
      return false;
  return true;
}

}  // namespace

std::string FoldedName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  AppendFoldedNameChars(out, name);
  return out;
}

std::string_view LegalSuffix(std::string_view folded) {
  for (auto suffix : kHanLegal)
    if (folded.size() >= suffix.size() + 6 && folded.ends_with(suffix) &&
        HasHan(folded.substr(0, folded.size() - suffix.size())))
      return suffix;
  return {};
}

std::string NameKey(std::string_view name) {
  // Latin: drop trailing legal-form words while at least one word remains.
  auto words = Words(name);
  if (words.size() >= 2 && !HasHan(name)) {
    size_t keep = words.size();
    while (keep > 1) {
      const std::string w = FoldedName(words[keep - 1]);
      bool legal = false;
      for (auto l : kLatinLegal) legal = legal || w == l;
      if (!legal) break;
      --keep;
    }
    if (keep < words.size()) {
      const size_t end =
          static_cast<size_t>(words[keep - 1].data() + words[keep - 1].size() - name.data());
      return FoldedName(name.substr(0, end));
    }
    return FoldedName(name);
  }
  std::string folded = FoldedName(name);
  if (auto suffix = LegalSuffix(folded); !suffix.empty())
    folded.resize(folded.size() - suffix.size());
  return folded;
}

bool IsAcronymOf(std::string_view abbrev, std::string_view full) {
  std::string letters;
  for (char c : abbrev) {
    if (std::isalpha(static_cast<unsigned char>(c)))
      letters.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    else if (c != '.' && c != '&' && c != '-')
      return false;
  }
  if (letters.size() < 2 || letters.size() > 10) return false;
  std::vector<std::string> words;
  for (auto w : Words(full)) {
    if (IsFunctionWord(w)) continue;
    std::string up;
    for (char c : w) up.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    words.push_back(up);
  }
  if (words.size() < 1 || words.size() > letters.size()) return false;
  // Each word's initial must be used, in order; further letters of the
  // acronym may come from inside the current word (THU: TsingHua University).
  std::function<bool(size_t, size_t, size_t)> match = [&](size_t li, size_t wi,
                                                          size_t pos) -> bool {
    if (li == letters.size()) return wi == words.size();
    // Next word's initial.
    if (wi < words.size() && words[wi][0] == letters[li] && match(li + 1, wi + 1, 1)) return true;
    // Inside the current (previous) word.
    if (wi > 0) {
      const std::string& w = words[wi - 1];
      for (size_t p = pos; p < w.size(); ++p)
        if (w[p] == letters[li] && match(li + 1, wi, p + 1)) return true;
    }
    return false;
  };
  return match(0, 0, 0);
}

bool IsChineseAbbreviationOf(std::string_view abbrev, std::string_view full) {
  const auto a = utf8::ToCodePoints(FoldedName(abbrev));
  const auto f = utf8::ToCodePoints(FoldedName(full));
  if (a.size() < 2 || a.size() > 6 || f.size() <= a.size() || a[0] != f[0]) return false;
  for (char32_t c : a)
    if (!IsHan(c)) return false;
  size_t j = 0;
  for (char32_t c : a) {
    while (j < f.size() && f[j] != c) ++j;
    if (j == f.size()) return false;
    ++j;
  }
  return true;
}

std::optional<std::string> StatedAlias(std::string_view outer, std::string_view inner,
                                       std::string_view marker) {
  if (FoldedName(inner).empty() || FoldedName(outer).empty()) return std::nullopt;
  if (OnlyDigitsAndMarks(inner)) return std::nullopt;
  if (FoldedName(inner) == FoldedName(outer)) return std::nullopt;
  if (!marker.empty()) {
    static constexpr std::array<std::string_view, 22> kMarkers = {
        "简称",   "以下简称", "下称",          "简称为",     "又称",     "别称",
        "英文名", "英文",     "英语",          "英文名称",   "全称",     "原名",
        "旧称",   "亦称",     "俗称",          "英文简称",   "英文全称", "aka",
        "or",     "formerly", "also known as", "abbreviated"};
    std::string m(marker);
    while (!m.empty() && (m.back() == ':' || m.back() == ' ')) m.pop_back();
    if (m.ends_with("：")) m.resize(m.size() - 3);
    for (auto k : kMarkers)
      if (m == k)
        return "stated alias: " + std::string(outer) + "（" + m + std::string(inner) + "）";
    return std::nullopt;
  }
  const bool outer_han = HasHan(outer), inner_han = HasHan(inner);
  if (outer_han && !inner_han && HasLatinLetter(inner) && LooksLikeLatinName(inner))
    return "English name in brackets: " + std::string(outer) + "（" + std::string(inner) + "）";
  if (!outer_han && inner_han && LooksLikeLatinName(outer)) {
    const auto cps = utf8::ToCodePoints(inner);
    if (cps.size() >= 2 && cps.size() <= 12)
      return "Chinese name in brackets: " + std::string(outer) + " (" + std::string(inner) + ")";
  }
  if (!outer_han && !inner_han) {
    if (IsAcronymOf(inner, outer))
      return "acronym of the name before it: " + std::string(outer) + " (" + std::string(inner) +
             ")";
    if (IsAcronymOf(outer, inner))
      return "full name of the acronym before it: " + std::string(outer) + " (" +
             std::string(inner) + ")";
  }
  if (outer_han && inner_han && IsChineseAbbreviationOf(inner, outer))
    return "abbreviation in brackets: " + std::string(outer) + "（" + std::string(inner) + "）";
  return std::nullopt;
}

bool TypesCompatible(EntityType a, EntityType b) {
  return a == b || a == EntityType::kOther || b == EntityType::kOther;
}

MergeDecision DecideMerge(std::string_view name_a, EntityType type_a, std::string_view name_b,
                          EntityType type_b) {
  const std::string fa = FoldedName(name_a), fb = FoldedName(name_b);
  if (fa.empty() || fb.empty()) return {false, "a name without letters"};
  if (!TypesCompatible(type_a, type_b))
    return {false, "types differ (" + std::string(EntityTypeName(type_a)) + ", " +
                       std::string(EntityTypeName(type_b)) + ")"};
  if (fa == fb) return {true, "same name after folding case, width, script and punctuation"};
  const std::string ka = NameKey(name_a), kb = NameKey(name_b);
  if (ka == kb && !ka.empty()) {
    if (type_a != EntityType::kOrganization && type_a != EntityType::kOther)
      return {false, "legal-form suffix only merges organisations"};
    if (type_b != EntityType::kOrganization && type_b != EntityType::kOther)
      return {false, "legal-form suffix only merges organisations"};
    return {true, "same name without a legal-form suffix (" + std::string(name_a) + " / " +
                      std::string(name_b) + ")"};
  }
  return {false, "different names"};
}

}  // namespace askio::graph
