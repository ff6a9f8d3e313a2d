#include "model/span_finder.h"

#include <algorithm>
#include <array>
#include <vector>

#include "common/utf8.h"

namespace askio::model {
namespace {

// Interrogatives, longest first so that "什么时候" wins over "什么".
struct Interrogative {
  std::u32string_view word;
  QuestionType type;
};
constexpr std::array<Interrogative, 62> kInterrogatives = {{
    {U"哪一位", QuestionType::kPerson},  {U"哪位", QuestionType::kPerson},
    {U"哪国", QuestionType::kPlace},     {U"哪國", QuestionType::kPlace},
    {U"哪种", QuestionType::kThing},     {U"哪種", QuestionType::kThing},
    {U"何种", QuestionType::kThing},     {U"何種", QuestionType::kThing},
    {U"哪一种", QuestionType::kThing},   {U"哪一種", QuestionType::kThing},
    {U"什么时候", QuestionType::kTime},  {U"什麼時候", QuestionType::kTime},
    {U"甚麼時候", QuestionType::kTime},  {U"什么地方", QuestionType::kPlace},
    {U"什麼地方", QuestionType::kPlace}, {U"甚麼地方", QuestionType::kPlace},
    {U"哪一年", QuestionType::kTime},    {U"哪一天", QuestionType::kTime},
    {U"为什么", QuestionType::kReason},  {U"為什麼", QuestionType::kReason},
    {U"為甚麼", QuestionType::kReason},  {U"哪一個", QuestionType::kThing},
    {U"哪一个", QuestionType::kThing},   {U"多少", QuestionType::kNumber},
    {U"多长", QuestionType::kNumber},    {U"多長", QuestionType::kNumber},
    {U"多大", QuestionType::kNumber},    {U"多高", QuestionType::kNumber},
    {U"多重", QuestionType::kNumber},    {U"多远", QuestionType::kNumber},
    {U"多遠", QuestionType::kNumber},    {U"多久", QuestionType::kTime},
    {U"几年", QuestionType::kTime},      {U"幾年", QuestionType::kTime},
    {U"哪年", QuestionType::kTime},      {U"何时", QuestionType::kTime},
    {U"何時", QuestionType::kTime},      {U"何年", QuestionType::kTime},
    {U"哪里", QuestionType::kPlace},     {U"哪裡", QuestionType::kPlace},
    {U"哪儿", QuestionType::kPlace},     {U"哪兒", QuestionType::kPlace},
    {U"何处", QuestionType::kPlace},     {U"何處", QuestionType::kPlace},
    {U"为何", QuestionType::kReason},    {U"為何", QuestionType::kReason},
    {U"什么", QuestionType::kThing},     {U"什麼", QuestionType::kThing},
    {U"甚麼", QuestionType::kThing},     {U"哪些", QuestionType::kThing},
    {U"哪个", QuestionType::kThing},     {U"哪個", QuestionType::kThing},
    {U"如何", QuestionType::kThing},     {U"怎么", QuestionType::kThing},
    {U"怎麼", QuestionType::kThing},     {U"怎样", QuestionType::kThing},
    {U"怎樣", QuestionType::kThing},     {U"谁", QuestionType::kPerson},
    {U"誰", QuestionType::kPerson},      {U"几", QuestionType::kNumber},
    {U"幾", QuestionType::kNumber},      {U"哪", QuestionType::kThing},
}};

struct Found {
  size_t pos = std::u32string::npos, len = 0;
  QuestionType type = QuestionType::kUnknown;
};

Found FindInterrogative(const std::u32string& q) {
  for (size_t i = 0; i < q.size(); ++i) {
    for (const Interrogative& w : kInterrogatives) {
      if (q.compare(i, w.word.size(), w.word) != 0) continue;
      Found f{i, w.word.size(), w.type};
      // In 称为什么 / 算为什么 the 为 belongs to the verb: "called what", not "why".
      if (f.type == QuestionType::kReason && i > 0 && (q[i] == U'为' || q[i] == U'為') &&
          std::u32string_view(U"称稱算作成视視认認叫译譯").find(q[i - 1]) !=
              std::u32string_view::npos)
        f = {i + 1, w.word.size() - 1, QuestionType::kThing};
      return f;
    }
  }
  return {};
}

bool IsClauseBreak(char32_t c) {
  switch (c) {
    case U'，':
    case U'。':
    case U'；':
    case U'！':
    case U'？':
    case U',':
    case U';':
    case U'!':
    case U'?':
    case U'\n':
      return true;
    default:
      return false;
  }
}

// True when s[i] is a clause break, except a comma or period inside a number
// ("1,021", "3.5").
bool BreaksAt(const std::u32string& s, size_t i);

bool IsTrimmable(char32_t c) {
  switch (c) {
    case U' ':
    case U'\t':
    case U'\n':
    case U'，':
    case U'。':
    case U'；':
    case U'：':
    case U'、':
    case U',':
    case U';':
    case U':':
    case U'.':
    case U'！':
    case U'？':
    case U'!':
    case U'?':
    case U'“':
    case U'”':
    case U'「':
    case U'」':
    case U'"':
    case U'（':
    case U'）':
    case U'(':
    case U')':
    case U'『':
    case U'』':
    case U'《':
    case U'》':
    case U'【':
    case U'】':
      return true;
    default:
      return false;
  }
}

bool IsDigitLike(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= U'０' && c <= U'９') ||
         std::u32string_view(U"零〇一二三四五六七八九十百千万萬亿億两兩半").find(c) !=
             std::u32string_view::npos;
}

bool IsAsciiDigit(char32_t c) { return (c >= '0' && c <= '9') || (c >= U'０' && c <= U'９'); }

bool BreaksAt(const std::u32string& s, size_t i) {
  if (!IsClauseBreak(s[i])) return false;
  if (s[i] == ',' && i > 0 && i + 1 < s.size() && IsAsciiDigit(s[i - 1]) && IsAsciiDigit(s[i + 1]))
    return false;
  return true;
}

// Characters that usually end a number's unit or a date.
bool EndsValue(char32_t c) { return IsTrimmable(c) || c == U'的' || c == U'，'; }

// Narrows [b, e) of s to a value of the asked type, if it contains one.
void NarrowToType(const std::u32string& s, QuestionType type, size_t& b, size_t& e) {
  if (type != QuestionType::kNumber && type != QuestionType::kTime) return;
  for (size_t i = b; i < e; ++i) {
    const bool start = type == QuestionType::kTime ? IsAsciiDigit(s[i]) : IsDigitLike(s[i]);
    if (!start) continue;
    size_t j = i;
    while (j < e && (IsDigitLike(s[j]) || s[j] == '.' || s[j] == ',' || s[j] == U'至' ||
                     s[j] == '-' || s[j] == U'－' || s[j] == U'年' || s[j] == U'月' ||
                     s[j] == U'日' || s[j] == U'号' || s[j] == U'號'))
      ++j;
    // A unit: up to four more characters before a break ("公里", "人",
    // "平方公里"); a date already ends in its unit (年, 月, 日).
    size_t unit = 0;
    const bool dated =
        j > i && std::u32string_view(U"年月日号號").find(s[j - 1]) != std::u32string_view::npos;
    const size_t max_unit = dated ? 0 : (type == QuestionType::kTime ? 2 : 4);
    while (j < e && unit < max_unit && !EndsValue(s[j]) && !IsDigitLike(s[j])) {
      ++j;
      ++unit;
    }
    // Keep a leading qualifier such as 约/近/逾 that belongs to the number.
    size_t k = i;
    if (k > b &&
        std::u32string_view(U"约約近逾超过過共").find(s[k - 1]) != std::u32string_view::npos)
      --k;
    b = k;
    e = j;
    return;
  }
}

}  // namespace

QuestionType ClassifyQuestion(std::string_view question) {
  return FindInterrogative(utf8::ToCodePoints(question)).type;
}

const char* QuestionTypeName(QuestionType type) {
  switch (type) {
    case QuestionType::kPerson:
      return "person";
    case QuestionType::kTime:
      return "time";
    case QuestionType::kPlace:
      return "place";
    case QuestionType::kNumber:
      return "number";
    case QuestionType::kReason:
      return "reason";
    case QuestionType::kThing:
      return "thing";
    case QuestionType::kUnknown:
      break;
  }
  return "unknown";
}

namespace {

// Characters too common to show that a sentence talks about the question.
bool IsFunctionChar(char32_t c) {
  return std::u32string_view(U"的是了在和与與及为為于於之其也有被把一个個这這那").find(c) !=
         std::u32string_view::npos;
}

bool IsCjkChar(char32_t c) { return c >= 0x3400 && c <= 0x9FFF; }

// Quotes and brackets sit between an answer and its context ("《X》將…")
// without breaking the link between them.
bool IsBracket(char32_t c) {
  return std::u32string_view(U"《》「」『』“”‘’（）()\"").find(c) != std::u32string_view::npos;
}

// For "why" questions: the clause introduced by a causal connective.
std::optional<std::pair<size_t, size_t>> FindCause(const std::u32string& s) {
  // "…的原因是X": the cause is X.
  for (std::u32string_view marker : {U"原因是", U"原因為", U"原因为", U"原因在於", U"原因在于"}) {
    const size_t at = s.find(marker);
    if (at == std::u32string::npos) continue;
    size_t end = at + marker.size();
    while (end < s.size() && !BreaksAt(s, end)) ++end;
    return std::make_pair(at + marker.size(), end);
  }
  for (std::u32string_view marker : {U"因为", U"因為", U"由于", U"由於", U"因"}) {
    for (size_t at = s.find(marker); at != std::u32string::npos; at = s.find(marker, at + 1)) {
      // 因 alone only as "because": not in 原因/基因/因素, nor 因此/因而 ("therefore").
      if (marker == U"因" &&
          ((at > 0 && std::u32string_view(U"原基").find(s[at - 1]) != std::u32string_view::npos) ||
           (at + 1 < s.size() &&
            std::u32string_view(U"此而素").find(s[at + 1]) != std::u32string_view::npos)))
        continue;
      size_t end = at;
      while (end < s.size() && !BreaksAt(s, end)) ++end;
      return std::make_pair(at, end);
    }
  }
  return std::nullopt;
}

// Fallback when the question does not align verbatim: the answer is usually
// a run of sentence characters that the question does not contain, lying
// next to characters it does contain, inside one clause. A sentence character
// counts as "from the question" when a character pair around it occurs in the
// question (pairs, not single characters: 動 of 勞動 must not match 運動).
// Each run is scored by how much question context sits right before it (the
// question's left context) and right after it (its right context), and by
// whether it has the asked type.
// Where the question's contexts were found verbatim in the sentence: the end
// of the longest suffix of its left context, the start of the longest prefix
// of its right context (npos when under two characters).
struct Anchors {
  size_t left_end = std::u32string::npos, left_len = 0;
  size_t right_begin = std::u32string::npos, right_len = 0;
};

std::optional<std::pair<size_t, size_t>> BestUnmatchedRun(const std::u32string& s,
                                                          const std::u32string& left,
                                                          const std::u32string& right,
                                                          QuestionType type,
                                                          const Anchors& anchors) {
  auto pair_in = [](const std::u32string& ctx, char32_t x, char32_t y) {
    for (size_t k = 0; k + 1 < ctx.size(); ++k)
      if (ctx[k] == x && ctx[k + 1] == y) return true;
    return false;
  };
  // 0: not from the question; 1: from its left context; 2: from its right.
  std::vector<int> from(s.size(), 0);
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    const int side = pair_in(left, s[i], s[i + 1]) ? 1 : (pair_in(right, s[i], s[i + 1]) ? 2 : 0);
    if (side) {
      if (!from[i]) from[i] = side;
      from[i + 1] = side;
    }
  }
  double best_score = 0;
  std::optional<std::pair<size_t, size_t>> best;
  size_t i = 0;
  while (i < s.size()) {
    if (from[i] || IsTrimmable(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    // Title brackets bound a run too; Extend restores whole titles.
    while (j < s.size() && !from[j] && !BreaksAt(s, j) && s[j] != U'《' && s[j] != U'》') ++j;
    const size_t run_end = j;
    // Function characters at the edges belong to the sentence, not the answer.
    while (i < j && (IsFunctionChar(s[i]) || IsTrimmable(s[i]))) ++i;
    while (j > i && (IsFunctionChar(s[j - 1]) || IsTrimmable(s[j - 1]))) --j;
    if (i == j) {
      i = run_end;
      continue;
    }
    // Question characters adjacent to the run (function characters pass
    // without counting), up to the first other character.
    double before = 0, after = 0;
    for (size_t k = i, n = 0; k > 0 && n < 10; --k, ++n) {
      const int f = from[k - 1];
      if (f)
        before += f == 1 ? 1 : 0.5;
      else if (!IsFunctionChar(s[k - 1]) && !IsBracket(s[k - 1]))
        break;
    }
    for (size_t k = j, n = 0; k < s.size() && n < 10; ++k, ++n) {
      const int f = from[k];
      if (f)
        after += f == 2 ? 1 : 0.5;
      else if (!IsFunctionChar(s[k]) && !IsBracket(s[k]))
        break;
    }
    double score = before + after;
    // A run right after the question's left context, or right before its
    // right context, is where the interrogative sits.
    auto only_function_between = [&s](size_t from_pos, size_t to_pos) {
      for (size_t k = from_pos; k < to_pos; ++k)
        if (!IsFunctionChar(s[k]) && !IsTrimmable(s[k])) return false;
      return true;
    };
    if (anchors.left_end != std::u32string::npos && anchors.left_end <= i &&
        only_function_between(anchors.left_end, i))
      score += static_cast<double>(anchors.left_len);
    if (anchors.right_begin != std::u32string::npos && j <= anchors.right_begin &&
        only_function_between(j, anchors.right_begin))
      score += static_cast<double>(anchors.right_len);
    const size_t len = j - i;
    bool has_digit = false, has_cjk = false;
    for (size_t k = i; k < j; ++k) {
      has_digit =
          has_digit || IsAsciiDigit(s[k]) || (type != QuestionType::kTime && IsDigitLike(s[k]));
      has_cjk = has_cjk || IsCjkChar(s[k]);
    }
    if (type == QuestionType::kNumber || type == QuestionType::kTime)
      score *= has_digit ? 1.5 : 0.3;
    if (!has_cjk && !has_digit) score *= 0.5;  // a stray Latin fragment
    if (len == 1) score *= 0.5;                // single characters are rarely answers
    if (len > 20) score *= 0.7;
    // Names, places and things are short; descriptions are not asked with 谁/哪.
    if (type == QuestionType::kPerson || type == QuestionType::kPlace) {
      if (len > 10) score *= 0.6;
      if (has_digit) score *= 0.6;
    }
    if (score > best_score) {
      best_score = score;
      best = std::make_pair(i, j);
    }
    i = run_end;
  }
  if (best_score < 1.5) return std::nullopt;
  return best;
}

// For number and time questions: the first number or date in the sentence.
std::optional<std::pair<size_t, size_t>> FirstValue(const std::u32string& s, QuestionType type) {
  if (type != QuestionType::kNumber && type != QuestionType::kTime) return std::nullopt;
  size_t b = 0, e = s.size();
  NarrowToType(s, type, b, e);
  if (b == 0 && e == s.size()) return std::nullopt;  // nothing of that type
  return std::make_pair(b, e);
}

// Grows [b, e) to whole units a reader expects: a title in 《》 or 「」, and
// the head noun the question names right after its interrogative
// ("哪一個縣" -> the answer ends in 縣: "臺東" + "縣").
void Extend(const std::u32string& s, char32_t head_noun, size_t& b, size_t& e) {
  if (head_noun) {
    // The head noun ends the answer: "陝西省中南部" -> "陝西省"; "臺東" + 縣.
    const size_t inside = e > b + 1 ? s.rfind(head_noun, e - 1) : std::u32string::npos;
    if (inside != std::u32string::npos && inside > b)
      e = inside + 1;
    else if (e < s.size() && s[e] == head_noun)
      ++e;
  }
  for (auto [open, close] : {std::pair{U'《', U'》'}, std::pair{U'「', U'」'}}) {
    size_t o = s.rfind(open, b);
    if (o == std::u32string::npos || (o < b && s.find(close, o) < b)) continue;
    const size_t c = s.find(close, e > 0 ? e - 1 : 0);
    if (c == std::u32string::npos || c - o > 40) continue;
    b = o;
    e = c + 1;
  }
}

}  // namespace

namespace {

// Lower-cased words (ASCII letters and digits) and single CJK characters.
std::vector<std::u32string> Tokens(std::u32string_view text) {
  std::vector<std::u32string> out;
  std::u32string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(word);
    word.clear();
  };
  for (char32_t c : text) {
    if (c < 0x80 && std::isalnum(static_cast<int>(c))) {
      word += static_cast<char32_t>(std::tolower(static_cast<int>(c)));
      continue;
    }
    flush();
    if (IsCjkChar(c)) out.push_back(std::u32string(1, c));
  }
  flush();
  return out;
}

// A table row rendered as a record by the loaders ("列名: 值 | 列名: 值"):
// the answer is the value of the column the question asks about, i.e. the
// field whose name shares most with the question among the fields whose
// value the question does not already name (those identify the row).
std::optional<AnswerSpan> FindRecordField(std::string_view question, std::string_view sentence) {
  struct Field {
    size_t key_begin, key_end, value_begin, value_end;
  };
  std::vector<Field> fields;
  size_t pos = 0;
  while (pos <= sentence.size()) {
    size_t end = sentence.find(" | ", pos);
    if (end == std::string_view::npos) end = sentence.size();
    const size_t colon = sentence.substr(pos, end - pos).find(": ");
    if (colon == std::string_view::npos) return std::nullopt;
    fields.push_back({pos, pos + colon, pos + colon + 2, end});
    pos = end + 3;
  }
  if (fields.size() < 2) return std::nullopt;
  const std::u32string q = utf8::ToCodePoints(question);
  const std::vector<std::u32string> q_tokens = Tokens(q);
  // Latin words match on a shared stem ("owns" ~ "owner", "ports" ~ "port").
  auto same = [](const std::u32string& a, const std::u32string& b) {
    if (a == b) return true;
    if (a.size() < 3 || b.size() < 3 || a[0] >= 0x80 || b[0] >= 0x80) return false;
    size_t common = 0;
    while (common < a.size() && common < b.size() && a[common] == b[common]) ++common;
    return common >= 3 && common + 1 >= std::min(a.size(), b.size());
  };
  auto shared = [&](std::string_view text) {
    int n = 0;
    for (const std::u32string& t : Tokens(utf8::ToCodePoints(text)))
      n += std::any_of(q_tokens.begin(), q_tokens.end(),
                       [&](const std::u32string& q) { return same(q, t); });
    return n;
  };
  int best = 0;
  const Field* chosen = nullptr;
  for (const Field& f : fields) {
    const std::string_view value = sentence.substr(f.value_begin, f.value_end - f.value_begin);
    if (value.empty() || question.find(value) != std::string_view::npos) continue;
    const int score = shared(sentence.substr(f.key_begin, f.key_end - f.key_begin));
    if (score > best) {
      best = score;
      chosen = &f;
    }
  }
  if (!chosen) return std::nullopt;
  return AnswerSpan{chosen->value_begin, chosen->value_end, 1.0};
}

}  // namespace

std::optional<AnswerSpan> FindAnswerSpan(std::string_view question, std::string_view sentence) {
  if (auto field = FindRecordField(question, sentence)) return field;
  std::u32string q = utf8::ToCodePoints(question);
  while (!q.empty() && IsTrimmable(q.back())) q.pop_back();
  // The alignment works on Chinese characters; for questions in other
  // languages the whole sentence is the answer.
  if (std::none_of(q.begin(), q.end(), IsCjkChar)) return std::nullopt;
  Found wh = FindInterrogative(q);
  // "X被稱為？", "…的經濟來源是?": no interrogative; the gap is at the end.
  if (wh.pos == std::u32string::npos) wh = {q.size(), 0, QuestionType::kThing};
  const std::u32string s = utf8::ToCodePoints(sentence);
  std::u32string left = q.substr(0, wh.pos), right = q.substr(wh.pos + wh.len);
  while (!left.empty() && IsTrimmable(left.back())) left.pop_back();
  while (!right.empty() && IsTrimmable(right.front())) right.erase(0, 1);
  // The noun right after a "which" interrogative names what the answer is
  // ("哪一個縣" -> a 縣). Numbers and dates get their units elsewhere.
  const bool which = wh.pos < q.size() && q[wh.pos] == U'哪';
  const char32_t head_noun =
      which && !right.empty() && IsCjkChar(right.front()) && !IsFunctionChar(right.front())
          ? right.front()
          : 0;
  // A trailing particle is not context: "X是什么呢" -> R = "".
  if (right.size() == 1) right.clear();
  // "什么是X？" asks for a definition: the whole sentence is the answer.
  if (left.empty() && wh.type == QuestionType::kThing && !right.empty() &&
      (right.front() == U'是' || right.front() == U'為' || right.front() == U'为'))
    return std::nullopt;

  // Left anchor: the position in s after the longest suffix of `left`.
  size_t a = std::u32string::npos, left_len = 0;
  for (size_t i = 1; i <= s.size() && !left.empty(); ++i) {
    size_t k = 0;
    while (k < left.size() && k < i && s[i - 1 - k] == left[left.size() - 1 - k]) ++k;
    if (k > left_len) {
      left_len = k;
      a = i;
    }
  }
  if (left_len < 2) {
    a = std::u32string::npos;
    left_len = 0;
  }
  // Right anchor: the position in s (after a) where the longest prefix of
  // `right` starts.
  size_t b = std::u32string::npos, right_len = 0;
  for (size_t j = a == std::u32string::npos ? 0 : a; j < s.size() && !right.empty(); ++j) {
    size_t k = 0;
    while (k < right.size() && j + k < s.size() && s[j + k] == right[k]) ++k;
    if (k > right_len) {
      right_len = k;
      b = j;
    }
  }
  if (right_len < 2) {
    b = std::u32string::npos;
    right_len = 0;
  }
  size_t begin = 0, end = 0;
  const double context = static_cast<double>(left.size() + right.size());
  double alignment = context > 0 ? static_cast<double>(left_len + right_len) / context : 0;
  if (a != std::u32string::npos && b != std::u32string::npos && b > a) {
    begin = a;  // the question's two contexts frame the answer
    end = b;
  } else if (auto cause = wh.type == QuestionType::kReason ? FindCause(s) : std::nullopt) {
    begin = cause->first;
    end = cause->second;
    alignment = std::max(alignment, 0.5);
  } else if (auto run =
                 BestUnmatchedRun(s, left, right, wh.type, Anchors{a, left_len, b, right_len})) {
    begin = run->first;
    end = run->second;
    Extend(s, head_noun, begin, end);
    alignment = std::max(alignment, 0.5);
  } else if (auto value = FirstValue(s, wh.type)) {
    begin = value->first;
    end = value->second;
    alignment = std::max(alignment, 0.4);
  } else if (alignment >= 0.5 && a != std::u32string::npos) {
    begin = a;
    end = a;
    while (end < s.size() && !IsClauseBreak(s[end])) ++end;
  } else if (alignment >= 0.5 && b != std::u32string::npos) {
    end = b;
    begin = b;
    while (begin > 0 && !IsClauseBreak(s[begin - 1])) --begin;
  } else {
    return std::nullopt;
  }
  while (begin < end && IsTrimmable(s[begin])) ++begin;
  while (end > begin && IsTrimmable(s[end - 1])) --end;
  // A copula between the question's subject and the answer is not part of it.
  if (end - begin > 1 &&
      std::u32string_view(U"是为為乃即").find(s[begin]) != std::u32string_view::npos)
    ++begin;
  NarrowToType(s, wh.type, begin, end);
  if (begin >= end) return std::nullopt;

  // Back to byte offsets.
  size_t byte = 0, cp = 0, byte_begin = 0, byte_end = sentence.size();
  while (byte < sentence.size()) {
    if (cp == begin) byte_begin = byte;
    if (cp == end) {
      byte_end = byte;
      break;
    }
    utf8::Next(sentence, byte);
    ++cp;
  }
  return AnswerSpan{byte_begin, byte_end, alignment};
}

}  // namespace askio::model
