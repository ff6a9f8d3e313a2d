#include "graph/lexicon.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

#include "common/utf8.h"
#include "text/script_fold.h"

namespace askio::graph {
namespace {

// Longer words are rare and never names the extractor needs.
constexpr size_t kMaxWordChars = 16;

Pos PosOfTag(std::string_view tag) {
  if (tag.empty()) return Pos::kOther;
  if (tag == "nr" || tag == "nrfg" || tag == "nrt") return Pos::kPerson;
  if (tag == "ns") return Pos::kPlace;
  if (tag == "nt") return Pos::kOrganization;
  if (tag == "nz") return Pos::kProperNoun;
  if (tag == "j") return Pos::kAbbreviation;
  switch (tag[0]) {
    case 'n':
      return Pos::kNoun;
    case 'v':
      return Pos::kVerb;
    case 'm':
      return Pos::kNumeral;
    case 'q':
      return Pos::kQuantifier;
    case 't':
      return Pos::kTime;
    case 'p':
    case 'c':
    case 'u':
    case 'r':
    case 'd':
    case 'y':
    case 'e':
    case 'o':
    case 'f':
      return Pos::kFunction;
    default:
      return Pos::kOther;
  }
}

// Open addressing over views into one buffer: a word or a prefix of one
// (prefixes, with is_word false, let the DAG scan stop early, as jieba does).
struct Slot {
  uint32_t offset = 0;
  uint8_t length = 0;  // bytes; 0 = empty slot
  Pos pos = Pos::kUnknown;
  bool is_word = false;
  float log_p = 0;
};

class Lexicon {
 public:
  bool Load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    buffer_ = ss.str();
    struct Raw {
      uint32_t offset;
      uint8_t length;
      double freq;
      Pos pos;
    };
    std::vector<Raw> words;
    double total = 0;
    size_t i = 0;
    while (i < buffer_.size()) {
      size_t eol = buffer_.find('\n', i);
      if (eol == std::string::npos) eol = buffer_.size();
      const std::string_view line(buffer_.data() + i, eol - i);
      const size_t sp1 = line.find(' ');
      if (sp1 != std::string_view::npos && sp1 > 0 && sp1 < 255) {
        const size_t sp2 = line.find(' ', sp1 + 1);
        const std::string_view freq = line.substr(
            sp1 + 1, sp2 == std::string_view::npos ? std::string_view::npos : sp2 - sp1 - 1);
        std::string_view tag = sp2 == std::string_view::npos ? "" : line.substr(sp2 + 1);
        while (!tag.empty() && (tag.back() == '\r' || tag.back() == ' ')) tag.remove_suffix(1);
        const double f = std::strtod(std::string(freq).c_str(), nullptr);
        if (f > 0) {
          words.push_back({static_cast<uint32_t>(i), static_cast<uint8_t>(sp1), f, PosOfTag(tag)});
          total += f;
        }
      }
      i = eol + 1;
    }
    if (words.empty()) return false;
    size_t capacity = 1;
    while (capacity < words.size() * 4) capacity <<= 1;
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    const double log_total = std::log(total);
    unknown_log_p_ = static_cast<float>(-log_total);
    for (const Raw& w : words) {
      const std::string_view word(buffer_.data() + w.offset, w.length);
      if (utf8::CodePointCount(word) > kMaxWordChars) continue;
      Slot& s = Insert(w.offset, w.length);
      s.is_word = true;
      s.pos = w.pos;
      s.log_p = static_cast<float>(std::log(w.freq) - log_total);
      // Prefixes.
      size_t k = 0;
      utf8::Next(word, k);
      while (k < word.size()) {
        Insert(w.offset, static_cast<uint8_t>(k));
        utf8::Next(word, k);
      }
    }
    return true;
  }

  const Slot* Find(std::string_view key) const {
    if (slots_.empty() || key.size() > 255 || key.empty()) return nullptr;
    size_t h = std::hash<std::string_view>{}(key)&mask_;
    while (true) {
      const Slot& s = slots_[h];
      if (s.length == 0) return nullptr;
      if (s.length == key.size() && std::string_view(buffer_.data() + s.offset, s.length) == key)
        return &s;
      h = (h + 1) & mask_;
    }
  }

  float unknown_log_p() const { return unknown_log_p_; }

 private:
  Slot& Insert(uint32_t offset, uint8_t length) {
    const std::string_view key(buffer_.data() + offset, length);
    size_t h = std::hash<std::string_view>{}(key)&mask_;
    while (true) {
      Slot& s = slots_[h];
      if (s.length == 0) {
        s.offset = offset;
        s.length = length;
        return s;
      }
      if (s.length == length && std::string_view(buffer_.data() + s.offset, s.length) == key)
        return s;
      h = (h + 1) & mask_;
    }
  }

  std::string buffer_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  float unknown_log_p_ = -20;
};

const Lexicon* Get() {
  static const Lexicon* lexicon = [] {
    auto* l = new Lexicon();
    if (!l->Load(LexiconPath())) {
      delete l;
      return static_cast<Lexicon*>(nullptr);
    }
    return l;
  }();
  return lexicon;
}

}  // namespace

std::string LexiconPath() {
  if (const char* env = std::getenv("ASKIO_JIEBA_DICT"); env && *env) return env;
  return "/usr/lib/python3/dist-packages/jieba/dict.txt";
}

bool LexiconAvailable() { return Get() != nullptr; }

Pos LookupPos(std::string_view word) {
  const Lexicon* lex = Get();
  if (!lex) return Pos::kUnknown;
  std::string folded;
  folded.reserve(word.size());
  for (size_t i = 0; i < word.size();) utf8::Append(folded, text::FoldScript(utf8::Next(word, i)));
  const Slot* s = lex->Find(folded);
  return s && s->is_word ? s->pos : Pos::kUnknown;
}

void SegmentHan(std::string_view han, uint32_t base, std::vector<Segment>& out) {
  // Per character: its byte offset in `han` and in the folded copy.
  thread_local std::vector<uint32_t> orig, fold;
  thread_local std::string folded;
  orig.clear();
  fold.clear();
  folded.clear();
  for (size_t i = 0; i < han.size();) {
    orig.push_back(static_cast<uint32_t>(i));
    fold.push_back(static_cast<uint32_t>(folded.size()));
    utf8::Append(folded, text::FoldScript(utf8::Next(han, i)));
  }
  const size_t n = orig.size();
  orig.push_back(static_cast<uint32_t>(han.size()));
  fold.push_back(static_cast<uint32_t>(folded.size()));
  const Lexicon* lex = Get();
  if (!lex) {
    for (size_t c = 0; c < n; ++c)
      out.push_back({base + orig[c], base + orig[c + 1], Pos::kUnknown, 1});
    return;
  }
  // route[i]: best log probability of han[i..n) and the end of its first word.
  thread_local std::vector<std::pair<float, uint32_t>> route;
  thread_local std::vector<Pos> first_pos;
  route.assign(n + 1, {0.f, 0});
  first_pos.assign(n + 1, Pos::kUnknown);
  route[n] = {0.f, static_cast<uint32_t>(n)};
  for (size_t i = n; i-- > 0;) {
    float best = lex->unknown_log_p() + route[i + 1].first;
    uint32_t best_end = static_cast<uint32_t>(i + 1);
    Pos best_pos = Pos::kUnknown;
    for (size_t j = i + 1; j <= n && j - i <= kMaxWordChars; ++j) {
      const Slot* s = lex->Find(std::string_view(folded.data() + fold[i], fold[j] - fold[i]));
      if (!s) break;
      if (!s->is_word) continue;
      const float p = s->log_p + route[j].first;
      // A known single character always beats the unknown-character guess.
      if (j == i + 1 || p > best) {
        best = p;
        best_end = static_cast<uint32_t>(j);
        best_pos = s->pos;
      }
    }
    route[i] = {best, best_end};
    first_pos[i] = best_pos;
  }
  for (size_t i = 0; i < n;) {
    const size_t j = route[i].second;
    out.push_back({base + orig[i], base + orig[j], first_pos[i], static_cast<uint32_t>(j - i)});
    i = j;
  }
}

}  // namespace askio::graph
