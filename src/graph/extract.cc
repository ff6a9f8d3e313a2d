// Model-free extraction. One pass per sentence:
//   1. tokens: Han runs segmented with the lexicon, Latin words, numbers,
//      punctuation;
//   2. entity candidates, in priority order (earlier claims its tokens):
//      《titles》, capitalised Latin names, organisation/place names built on
//      a suffix, dictionary person/place/organisation words, surname + given
//      name;
//   3. aliases stated in brackets right after a mention;
//   4. relations: copula (A 是 B 的 C, A is the C of B), passive (A 由 B 创办,
//      A was founded by B), a short verb gap between two entities, and
//      co-occurrence;
//   5. attributes: dates and numbers with units, attached to the sentence's
//      subject.
#include "graph/extract.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

#include "common/utf8.h"
#include "graph/lexicon.h"
#include "graph/resolve.h"
#include "text/sentences.h"

namespace askio::graph {

std::string_view EntityTypeName(EntityType t) {
  switch (t) {
    case EntityType::kPerson:
      return "person";
    case EntityType::kOrganization:
      return "organization";
    case EntityType::kPlace:
      return "place";
    case EntityType::kWork:
      return "work";
    case EntityType::kConcept:
      return "concept";
    case EntityType::kOther:
      break;
  }
  return "other";
}

EntityType ParseEntityType(std::string_view name) {
  std::string n(name);
  for (char& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (n == "person" || n == "people" || n == "per") return EntityType::kPerson;
  if (n == "organization" || n == "organisation" || n == "org" || n == "company")
    return EntityType::kOrganization;
  if (n == "place" || n == "location" || n == "loc" || n == "gpe") return EntityType::kPlace;
  if (n == "work" || n == "title" || n == "book") return EntityType::kWork;
  if (n == "concept") return EntityType::kConcept;
  return EntityType::kOther;
}

namespace {

// --- Character classes ------------------------------------------------------

bool IsHan(char32_t c) {
  return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F) || c == U'〇';
}
bool IsDigit(char32_t c) { return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19); }
bool IsSpaceChar(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000 || c == 0xA0;
}
bool IsWordChar(char32_t c) {
  if (c < 0x80) return std::isalnum(static_cast<unsigned char>(c)) != 0;
  if (IsHan(c)) return false;
  return u_isalnum(static_cast<UChar32>(c)) != 0;
}

// --- Tokens -------------------------------------------------------------------

struct Tok {
  enum Kind : uint8_t { kHan, kWord, kNumber, kPunct, kSpace };
  uint32_t begin, end;
  Kind kind;
  Pos pos = Pos::kUnknown;
  uint32_t chars = 1;
};

void Tokenize(std::string_view text, uint32_t from, uint32_t to, std::vector<Tok>& out) {
  size_t i = from;
  while (i < to) {
    const size_t at = i;
    const char32_t c = utf8::Next(text, i);
    if (IsHan(c)) {
      size_t j = i;
      while (j < to) {
        size_t k = j;
        if (!IsHan(utf8::Next(text, k))) break;
        j = k;
      }
      thread_local std::vector<Segment> segs;
      segs.clear();
      SegmentHan(text.substr(at, j - at), static_cast<uint32_t>(at), segs);
      for (const Segment& s : segs) out.push_back({s.begin, s.end, Tok::kHan, s.pos, s.chars});
      i = j;
    } else if (IsWordChar(c)) {
      bool digits = IsDigit(c);
      size_t j = i;
      while (j < to) {
        size_t k = j;
        const char32_t d = utf8::Next(text, k);
        if (IsWordChar(d)) {
          digits = digits && IsDigit(d);
          j = k;
          continue;
        }
        // 3.5, 1,000 inside a number; O'Brien, e-mail inside a word.
        if (k < to &&
            ((digits && (d == '.' || d == ',')) || (!digits && (d == '\'' || d == '-')))) {
          size_t m = k;
          const char32_t e = utf8::Next(text, m);
          if (digits ? IsDigit(e) : (IsWordChar(e) && !IsDigit(e))) {
            j = m;
            continue;
          }
        }
        break;
      }
      out.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(j),
                     digits ? Tok::kNumber : Tok::kWord, Pos::kUnknown, 1});
      i = j;
    } else {
      out.push_back({static_cast<uint32_t>(at), static_cast<uint32_t>(i),
                     IsSpaceChar(c) ? Tok::kSpace : Tok::kPunct, Pos::kUnknown, 1});
    }
  }
}

// --- Word lists (small, in code) ---------------------------------------------

// Common Chinese surnames (single character), for names the dictionary lacks.
constexpr std::u32string_view kSurnames =
    U"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余于杜叶程"
    U"苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    U"龚邵万钱严覃武戴莫孔向汤";

// Single characters that never belong to a name: particles, pronouns,
// prepositions, frequent verbs.
constexpr std::u32string_view kStopChars =
    U"的了是在和与及或也都就又还而但被把将对从向于为以由因所其之这那个上下中内外说有等年月日时后前"
    U"我你他她它们不没很最更已曾并即如若则且给让使叫到去来过着得地吗呢吧啊等某每各该此";

// Dictionary person words that are mostly ordinary words in running text
// (the dictionary gives one tag per word). Found on the shared corpora.
constexpr std::array<std::u32string_view, 48> kPersonStop = {
    U"明白", U"文明",   U"武功", U"令人", U"二人", U"多谢", U"登基", U"崇拜", U"胡说", U"祥和",
    U"大王", U"高高的", U"二世", U"连",   U"金",   U"司",   U"夏",   U"宫",   U"府",   U"史",
    U"安全", U"黄金",   U"高达", U"高于", U"常常", U"周期", U"周年", U"周边", U"周围", U"江山",
    U"于是", U"方向",   U"方式", U"方面", U"方法", U"白色", U"平安", U"向往", U"马上", U"万一",
    U"石油", U"龙头",   U"金属", U"金融", U"金额", U"时期", U"任何", U"宋体"};

// Suffixes that make the words before them an organisation's name.
constexpr std::array<std::u32string_view, 34> kOrgSuffixes = {
    U"有限公司", U"股份有限公司", U"公司",   U"大学",   U"学院",   U"研究院", U"研究所",
    U"研究中心", U"银行",         U"集团",   U"医院",   U"中学",   U"小学",   U"委员会",
    U"协会",     U"学会",         U"基金会", U"出版社", U"报社",   U"电视台", U"实验室",
    U"俱乐部",   U"政府",         U"法院",   U"检察院", U"科学院", U"工作室", U"事务所",
    U"联盟",     U"部",           U"局",     U"厅",     U"署",     U"党"};
constexpr std::array<std::u32string_view, 7> kPlaceSuffixes = {U"省", U"市", U"县", U"区",
                                                               U"镇", U"乡", U"村"};

bool InList(std::u32string_view list, char32_t c) { return list.find(c) != list.npos; }

template <size_t N>
bool InArray(const std::array<std::u32string_view, N>& a, std::u32string_view w) {
  for (auto x : a)
    if (x == w) return true;
  return false;
}

// Latin words that start a sentence without being names.
bool IsCommonCapitalised(std::string_view w) {
  static const std::unordered_set<std::string_view> kWords = {
      "The",    "A",       "An",       "In",      "On",        "At",     "It",        "Its",
      "This",   "That",    "These",    "Those",   "He",        "She",    "They",      "We",
      "I",      "You",     "His",      "Her",     "Their",     "Our",    "My",        "Your",
      "After",  "Before",  "When",     "While",   "Since",     "But",    "And",       "Or",
      "If",     "However", "Although", "As",      "For",       "From",   "By",        "With",
      "Of",     "To",      "There",    "Here",    "Then",      "Today",  "Yesterday", "Some",
      "Many",   "Most",    "All",      "Each",    "Every",     "No",     "Not",       "Yes",
      "Also",   "Later",   "During",   "Under",   "Over",      "About",  "What",      "Who",
      "Which",  "Where",   "Why",      "How",     "Is",        "Are",    "Was",       "Were",
      "Be",     "Do",      "Does",     "Did",     "Has",       "Have",   "Had",       "Can",
      "Could",  "Will",    "Would",    "Should",  "May",       "Might",  "Must",      "Both",
      "Either", "Neither", "One",      "Two",     "Three",     "First",  "Second",    "Last",
      "Next",   "New",     "Other",    "Such",    "So",        "Thus",   "Note",      "See",
      "Use",    "Using",   "Example",  "For",     "Because",   "Until",  "Once",      "Only",
      "Even",   "Now",     "Then",     "Instead", "Otherwise", "Please", "Let",       "Make",
      "Get",    "Set"};
  return kWords.count(w) > 0;
}

bool IsMonthOrDay(std::string_view w) {
  static const std::unordered_set<std::string_view> kWords = {
      "January",   "February", "March",    "April",    "May",    "June",    "July",      "August",
      "September", "October",  "November", "December", "Monday", "Tuesday", "Wednesday", "Thursday",
      "Friday",    "Saturday", "Sunday",   "Jan",      "Feb",    "Mar",     "Apr",       "Jun",
      "Jul",       "Aug",      "Sep",      "Sept",     "Oct",    "Nov",     "Dec"};
  return kWords.count(w) > 0;
}

bool IsNameConnector(std::string_view w) {
  return w == "of" || w == "and" || w == "for" || w == "de" || w == "the" || w == "&" ||
         w == "von" || w == "van" || w == "der" || w == "da" || w == "du" || w == "la";
}

bool IsPersonTitle(std::string_view w) {
  return w == "Mr" || w == "Mrs" || w == "Ms" || w == "Dr" || w == "Prof" || w == "Professor" ||
         w == "Sir" || w == "President" || w == "Senator" || w == "Judge" || w == "Mayor" ||
         w == "Dame" || w == "Lord" || w == "Lady";
}

bool IsLatinOrgWord(std::string_view w) {
  static const std::unordered_set<std::string_view> kWords = {
      "Corp",      "Corporation", "Inc",          "Incorporated", "Ltd",          "Limited",
      "LLC",       "PLC",         "GmbH",         "Company",      "Co",           "University",
      "College",   "Institute",   "Foundation",   "Bank",         "Group",        "Association",
      "Society",   "School",      "Agency",       "Ministry",     "Department",   "Council",
      "Committee", "Laboratory",  "Laboratories", "Labs",         "Press",        "Party",
      "Club",      "Museum",      "Hospital",     "Academy",      "Organization", "Organisation",
      "Union",     "Federation",  "Airlines",     "Systems",      "Technologies", "Software",
      "Motors",    "Holdings",    "Partners",     "Bureau",       "Commission",   "Office",
      "Center",    "Centre",      "Service",      "Services",     "Authority",    "Consortium",
      "Project",   "Team",        "Studio",       "Studios",      "Inc.",         "AG",
      "SA"};
  return kWords.count(w) > 0;
}

bool IsLatinPlaceWord(std::string_view w) {
  static const std::unordered_set<std::string_view> kWords = {
      "City",      "County",  "River",    "Mountain", "Mountains", "Mount",    "Lake",
      "Island",    "Islands", "Province", "State",    "Street",    "Avenue",   "Road",
      "Bay",       "Valley",  "Sea",      "Ocean",    "Kingdom",   "Republic", "Desert",
      "Peninsula", "Region",  "District", "Park",     "Square",    "Bridge",   "Harbour",
      "Harbor",    "Coast",   "Strait",   "Canal",    "Port"};
  return kWords.count(w) > 0;
}

bool IsUpperStart(std::string_view w) {
  return !w.empty() && std::isupper(static_cast<unsigned char>(w[0]));
}

bool IsAcronym(std::string_view w) {
  if (w.size() < 2 || w.size() > 8) return false;
  size_t upper = 0;
  for (char c : w) {
    if (std::isupper(static_cast<unsigned char>(c)))
      ++upper;
    else if (!std::isdigit(static_cast<unsigned char>(c)) && c != '&')
      return false;
  }
  return upper >= 2;
}

// --- The per-chunk builder ---------------------------------------------------

struct Candidate {
  uint32_t begin, end;  // bytes
  size_t tok_begin, tok_end;
  EntityType type;
};

struct Span {
  uint32_t begin, end;
};

class Builder {
 public:
  Builder(std::string_view text, const ModelFreeOptions& options)
      : text_(text), options_(options) {}

  Extraction Run();

 private:
  std::string_view Sub(uint32_t b, uint32_t e) const { return text_.substr(b, e - b); }
  std::string_view TokText(const Tok& t) const { return Sub(t.begin, t.end); }
  std::u32string TokChars(const Tok& t) const { return utf8::ToCodePoints(TokText(t)); }

  void Sentence(uint32_t begin, uint32_t end);
  void Titles(std::vector<Candidate>& c);
  void LatinNames(std::vector<Candidate>& c, uint32_t sentence_begin);
  void HanNames(std::vector<Candidate>& c);
  uint32_t AddEntity(std::string_view name, EntityType type);
  void Aliases(std::vector<Mention>& sentence_mentions, uint32_t sentence_end);
  void Relations(const std::vector<Mention>& ms, Span sentence);
  void HanRelations(const std::vector<Mention>& ms, Span sentence);
  void LatinRelations(const std::vector<Mention>& ms, Span sentence);
  void Attributes(const std::vector<Mention>& ms);
  void AddRelation(uint32_t s, std::string predicate, uint32_t o, Span sentence,
                   Relation::Kind kind = Relation::Kind::kStated);
  size_t TokAt(uint32_t byte) const;  // first token starting at or after byte
  uint32_t Concept(std::string_view name);

  std::string_view text_;
  ModelFreeOptions options_;
  Extraction x_;
  std::vector<Tok> toks_;  // the current sentence
  std::vector<bool> used_;
  std::unordered_map<std::string, uint32_t> by_key_;
  std::unordered_set<std::string_view> mid_sentence_caps_;
};

size_t Builder::TokAt(uint32_t byte) const {
  return static_cast<size_t>(
      std::lower_bound(toks_.begin(), toks_.end(), byte,
                       [](const Tok& t, uint32_t b) { return t.begin < b; }) -
      toks_.begin());
}

uint32_t Builder::AddEntity(std::string_view name, EntityType type) {
  std::string key = NameKey(name);
  if (key.empty()) key = std::string(name);
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    Entity& e = x_.entities[it->second];
    if (TypesCompatible(e.type, type) || e.type == EntityType::kConcept) {
      if (e.type == EntityType::kOther || e.type == EntityType::kConcept) e.type = type;
      return it->second;
    }
    key += "\x1f";
    key += EntityTypeName(type);
    if (auto it2 = by_key_.find(key); it2 != by_key_.end()) return it2->second;
  }
  const auto id = static_cast<uint32_t>(x_.entities.size());
  x_.entities.push_back({std::string(name), type, {}, {}});
  by_key_.emplace(std::move(key), id);
  return id;
}

uint32_t Builder::Concept(std::string_view name) { return AddEntity(name, EntityType::kConcept); }

void Builder::AddRelation(uint32_t s, std::string predicate, uint32_t o, Span sentence,
                          Relation::Kind kind) {
  if (s == o) return;
  for (const Relation& r : x_.relations)
    if (r.subject == s && r.object == o && r.predicate == predicate &&
        r.sentence_begin == sentence.begin)
      return;
  x_.relations.push_back({s, o, std::move(predicate), kind, sentence.begin, sentence.end});
}

Extraction Builder::Run() {
  const auto sentences = text::SplitSentences(text_);
  // Capitalised words seen after a sentence's first word: a sentence-initial
  // single capitalised word is a name only if it also appears there.
  for (const auto& s : sentences) {
    bool first = true;
    size_t i = s.begin;
    while (i < s.end) {
      while (i < s.end && !std::isalpha(static_cast<unsigned char>(text_[i]))) {
        if (static_cast<unsigned char>(text_[i]) >= 0x80) first = false;
        ++i;
      }
      size_t j = i;
      while (j < s.end && std::isalnum(static_cast<unsigned char>(text_[j]))) ++j;
      if (j > i && !first && IsUpperStart(text_.substr(i, j - i)))
        mid_sentence_caps_.insert(text_.substr(i, j - i));
      if (j > i) first = false;
      i = j;
    }
  }
  for (const auto& s : sentences)
    Sentence(static_cast<uint32_t>(s.begin), static_cast<uint32_t>(s.end));
  // Entities merged into others by an alias have no mentions left: drop
  // them and renumber.
  std::vector<uint32_t> remap(x_.entities.size(), UINT32_MAX);
  for (const Mention& m : x_.mentions) remap[m.entity] = 0;
  for (const Relation& r : x_.relations) remap[r.subject] = remap[r.object] = 0;
  std::vector<Entity> kept;
  for (size_t i = 0; i < x_.entities.size(); ++i) {
    if (remap[i] == UINT32_MAX) continue;
    remap[i] = static_cast<uint32_t>(kept.size());
    kept.push_back(std::move(x_.entities[i]));
  }
  x_.entities = std::move(kept);
  for (Mention& m : x_.mentions) m.entity = remap[m.entity];
  for (Relation& r : x_.relations) {
    r.subject = remap[r.subject];
    r.object = remap[r.object];
  }
  for (Attribute& a : x_.attributes) a.entity = remap[a.entity];
  std::sort(x_.mentions.begin(), x_.mentions.end(),
            [](const Mention& a, const Mention& b) { return a.begin < b.begin; });
  return std::move(x_);
}

void Builder::Sentence(uint32_t begin, uint32_t end) {
  toks_.clear();
  Tokenize(text_, begin, end, toks_);
  used_.assign(toks_.size(), false);
  std::vector<Candidate> cands;
  Titles(cands);
  LatinNames(cands, begin);
  HanNames(cands);
  std::sort(cands.begin(), cands.end(),
            [](const Candidate& a, const Candidate& b) { return a.begin < b.begin; });
  std::vector<Mention> ms;
  for (const Candidate& c : cands) {
    const uint32_t e = AddEntity(Sub(c.begin, c.end), c.type);
    ms.push_back({e, c.begin, c.end});
  }
  Aliases(ms, end);
  for (const Mention& m : ms) x_.mentions.push_back(m);
  Relations(ms, {begin, end});
  Attributes(ms);
}

// 《title》 and 「title」 when it holds a short name.
void Builder::Titles(std::vector<Candidate>& c) {
  for (size_t i = 0; i < toks_.size(); ++i) {
    if (toks_[i].kind != Tok::kPunct || TokText(toks_[i]) != "《") continue;
    for (size_t j = i + 1; j < toks_.size() && j < i + 40; ++j) {
      if (toks_[j].kind == Tok::kPunct && TokText(toks_[j]) == "《") break;
      if (toks_[j].kind == Tok::kPunct && TokText(toks_[j]) == "》") {
        if (j > i + 1) {
          c.push_back({toks_[i + 1].begin, toks_[j - 1].end, i + 1, j, EntityType::kWork});
          for (size_t k = i; k <= j; ++k) used_[k] = true;
        }
        i = j;
        break;
      }
    }
  }
}

void Builder::LatinNames(std::vector<Candidate>& c, uint32_t sentence_begin) {
  size_t i = 0;
  while (i < toks_.size()) {
    if (used_[i] || toks_[i].kind != Tok::kWord || !IsUpperStart(TokText(toks_[i]))) {
      ++i;
      continue;
    }
    // Extend over "Word Word", "Word of Word", "Word & Word".
    size_t last = i;  // last capitalised word
    size_t j = i + 1;
    while (j + 1 < toks_.size()) {
      if (toks_[j].kind != Tok::kSpace) break;
      const Tok& w = toks_[j + 1];
      if (used_[j + 1]) break;
      const std::string_view wt = TokText(w);
      if ((w.kind == Tok::kWord || w.kind == Tok::kNumber) &&
          (IsUpperStart(wt) || (w.kind == Tok::kNumber && wt.size() <= 2))) {
        if (IsMonthOrDay(wt)) break;
        last = j + 1;
        j += 2;
        continue;
      }
      const bool connector =
          (w.kind == Tok::kWord && IsNameConnector(wt)) || (w.kind == Tok::kPunct && wt == "&");
      if (connector && j + 3 < toks_.size() && toks_[j + 2].kind == Tok::kSpace &&
          toks_[j + 3].kind == Tok::kWord && IsUpperStart(TokText(toks_[j + 3])) &&
          !IsMonthOrDay(TokText(toks_[j + 3]))) {
        last = j + 3;
        j += 4;
        continue;
      }
      break;
    }
    size_t first = i;
    // Leading sentence words and titles are not part of the name.
    while (first <= last &&
           (IsCommonCapitalised(TokText(toks_[first])) || IsPersonTitle(TokText(toks_[first])) ||
            IsMonthOrDay(TokText(toks_[first])))) {
      first += 2;
    }
    // A trailing "Corp." keeps its period in the name's span? No: the period
    // may end the sentence; the name ends at the word.
    if (first > last) {
      i = last + 1;
      continue;
    }
    while (first < last && IsNameConnector(TokText(toks_[first]))) first += 2;
    const std::string_view head = TokText(toks_[first]);
    const std::string_view tail = TokText(toks_[last]);
    const size_t words = (last - first) / 2 + 1;
    EntityType type = EntityType::kOther;
    bool titled = i >= 2 && IsPersonTitle(TokText(toks_[first >= 2 ? first - 2 : 0]));
    if (first >= 2 && IsPersonTitle(TokText(toks_[first - 2]))) titled = true;
    if (first >= 3 && TokText(toks_[first - 1]) == "." && IsPersonTitle(TokText(toks_[first - 3])))
      titled = true;
    bool org = false, place = false;
    for (size_t k = first; k <= last; k += 2) {
      org = org || IsLatinOrgWord(TokText(toks_[k]));
      place = place || IsLatinPlaceWord(TokText(toks_[k]));
    }
    if (titled)
      type = EntityType::kPerson;
    else if (org)
      type = EntityType::kOrganization;
    else if (place)
      type = EntityType::kPlace;
    else if (words >= 2 && words <= 3 && !IsAcronym(head) && !IsAcronym(tail)) {
      bool plain = true;
      for (size_t k = first; k <= last; k += 2)
        plain = plain && toks_[k].kind == Tok::kWord && !IsNameConnector(TokText(toks_[k]));
      if (plain) type = EntityType::kPerson;
    }
    bool accept = true;
    if (words == 1 && !titled) {
      const bool sentence_initial = toks_[first].begin == sentence_begin;
      if (IsCommonCapitalised(head) || IsMonthOrDay(head))
        accept = false;
      else if (!IsAcronym(head) && sentence_initial && !mid_sentence_caps_.count(head))
        accept = false;
      else if (head.size() < 2)
        accept = false;
    }
    if (accept) {
      c.push_back({toks_[first].begin, toks_[last].end, first, last + 1, type});
      for (size_t k = first; k <= last; ++k) used_[k] = true;
    }
    i = last + 1;
  }
}

void Builder::HanNames(std::vector<Candidate>& c) {
  const size_t n = toks_.size();
  auto joinable = [&](size_t k) {
    const Tok& t = toks_[k];
    if (used_[k] || t.kind != Tok::kHan) return false;
    switch (t.pos) {
      case Pos::kPlace:
      case Pos::kPerson:
      case Pos::kOrganization:
      case Pos::kProperNoun:
      case Pos::kAbbreviation:
      case Pos::kNoun:
        return true;
      case Pos::kUnknown:
        return !InList(kStopChars, TokChars(t)[0]);
      default:
        return false;
    }
  };
  // Organisations and places built on a suffix: 北京字节跳动科技有限公司 -> the
  // noun segments before 有限公司 (stopping at verbs and particles).
  for (size_t k = 0; k < n; ++k) {
    if (used_[k] || toks_[k].kind != Tok::kHan) continue;
    const std::u32string w = TokChars(toks_[k]);
    bool org = false, place = false;
    for (auto s : kOrgSuffixes)
      org = org || w == s ||
            (w.size() > s.size() && w.ends_with(s) && s.size() >= 2 && toks_[k].pos == Pos::kNoun);
    for (auto s : kPlaceSuffixes) place = place || w == s;
    if (!org && !place) continue;
    size_t first = k;
    uint32_t chars = toks_[k].chars;
    while (first > 0 && joinable(first - 1) && chars + toks_[first - 1].chars <= 14) {
      if (place && toks_[first - 1].pos != Pos::kPlace && toks_[first - 1].pos != Pos::kUnknown)
        break;
      --first;
      chars += toks_[first].chars;
    }
    if (first == k) continue;
    // At least one name-like segment (not only common nouns: 综合性大学).
    bool named = false;
    for (size_t q = first; q < k; ++q) {
      const Pos p = toks_[q].pos;
      named = named || (p != Pos::kNoun);
    }
    if (!named) continue;
    c.push_back({toks_[first].begin, toks_[k].end, first, k + 1,
                 org ? EntityType::kOrganization : EntityType::kPlace});
    for (size_t q = first; q <= k; ++q) used_[q] = true;
  }
  // Dictionary-tagged names, and surname + given name.
  for (size_t k = 0; k < n; ++k) {
    if (used_[k] || toks_[k].kind != Tok::kHan) continue;
    const Tok& t = toks_[k];
    const std::u32string w = TokChars(t);
    EntityType type = EntityType::kOther;
    bool name = false;
    if (t.pos == Pos::kPerson && t.chars >= 2 && !InArray(kPersonStop, w)) {
      type = EntityType::kPerson;
      name = true;
      // 王 + 小明: a surname segment before a dictionary given name.
      if (k > 0 && !used_[k - 1] && toks_[k - 1].kind == Tok::kHan && toks_[k - 1].chars == 1 &&
          t.chars == 2 && InList(kSurnames, TokChars(toks_[k - 1])[0])) {
        c.push_back({toks_[k - 1].begin, t.end, k - 1, k + 1, type});
        used_[k - 1] = used_[k] = true;
        continue;
      }
    } else if (t.pos == Pos::kPlace && t.chars >= 2) {
      type = EntityType::kPlace;
      name = true;
    } else if (t.pos == Pos::kOrganization && t.chars >= 2) {
      type = EntityType::kOrganization;
      name = true;
    } else if (t.pos == Pos::kProperNoun && t.chars >= 3) {
      name = true;
    } else if (t.chars == 1 && InList(kSurnames, w[0]) && t.pos != Pos::kFunction &&
               t.pos != Pos::kVerb) {
      // Surname + one or two single characters that are not particles: 张三, 李小龙.
      size_t j = k + 1;
      size_t given = 0;
      while (j < n && given < 2 && !used_[j] && toks_[j].kind == Tok::kHan && toks_[j].chars == 1 &&
             !InList(kStopChars, TokChars(toks_[j])[0]) && toks_[j].pos != Pos::kFunction) {
        ++given;
        ++j;
      }
      // A two-character dictionary word after the surname makes a full name
      // only when tagged as a name (handled above); here only singles.
      if (given >= 1) {
        c.push_back({t.begin, toks_[j - 1].end, k, j, EntityType::kPerson});
        for (size_t q = k; q < j; ++q) used_[q] = true;
      }
      continue;
    }
    if (name) {
      c.push_back({t.begin, t.end, k, k + 1, type});
      used_[k] = true;
    }
  }
}

// --- Aliases --------------------------------------------------------------------

void Builder::Aliases(std::vector<Mention>& ms, uint32_t sentence_end) {
  for (size_t mi = 0; mi < ms.size(); ++mi) {
    const Mention m = ms[mi];
    // The bracket must follow the mention directly (a space allowed).
    size_t i = m.end;
    while (i < sentence_end && text_[i] == ' ') ++i;
    size_t k = i;
    if (i >= sentence_end) continue;
    const char32_t open = utf8::Next(text_, k);
    if (open != U'（' && open != U'(') continue;
    const char32_t close = open == U'（' ? U'）' : U')';
    size_t close_at = std::string_view::npos;
    for (size_t q = k; q < sentence_end && q < k + 120;) {
      const size_t at = q;
      const char32_t c = utf8::Next(text_, q);
      if (c == close || (c == U')' && open == U'（') || (c == U'）' && open == U'(')) {
        close_at = at;
        break;
      }
    }
    if (close_at == std::string_view::npos) continue;
    uint32_t inner_b = static_cast<uint32_t>(k), inner_e = static_cast<uint32_t>(close_at);
    // A marker word before the name: 简称, 以下简称, 英文名：, formerly.
    std::string_view inner = Sub(inner_b, inner_e);
    std::string_view marker;
    static constexpr std::array<std::string_view, 21> kMarkers = {
        "以下简称", "英文简称", "英文全称", "英文名称",       "英文名",    "简称为", "简称",
        "下称",     "又称",     "别称",     "英文",           "英语",      "全称",   "原名",
        "旧称",     "亦称",     "俗称",     "also known as ", "formerly ", "aka ",   "or "};
    for (auto mk : kMarkers) {
      if (inner.starts_with(mk)) {
        marker = inner.substr(0, mk.size());
        inner_b += static_cast<uint32_t>(mk.size());
        break;
      }
    }
    // Separators and quotes around the name.
    auto strip = [&](std::initializer_list<std::string_view> ps) {
      bool again = true;
      while (again) {
        again = false;
        inner = Sub(inner_b, inner_e);
        for (auto p : ps) {
          if (inner.starts_with(p)) {
            inner_b += static_cast<uint32_t>(p.size());
            again = true;
          } else if (inner.ends_with(p)) {
            inner_e -= static_cast<uint32_t>(p.size());
            again = true;
          }
          if (again) break;
        }
      }
    };
    strip({"：", ":", " ", "“", "”", "\"", "「", "」", "『", "』", "‘", "’", "为"});
    // Only the first part of "Tsinghua University, THU" or "英文：X；简称：Y".
    inner = Sub(inner_b, inner_e);
    for (std::string_view sep : {"，", ",", "；", ";", "、"}) {
      const size_t p = inner.find(sep);
      if (p != std::string_view::npos) inner_e = inner_b + static_cast<uint32_t>(p);
      inner = Sub(inner_b, inner_e);
    }
    strip({" ", "“", "”", "\"", "「", "」"});
    inner = Sub(inner_b, inner_e);
    if (inner.empty() || utf8::CodePointCount(inner) > 40) continue;
    const std::string_view outer = Sub(m.begin, m.end);
    auto reason = StatedAlias(outer, inner, marker);
    if (!reason) continue;
    uint32_t target = m.entity;
    // "北大（全称北京大学）": the bracket holds the full name.
    const bool inner_is_full = marker == "全称" || marker == "英文全称";
    // An entity already found inside the bracket joins the outer one.
    for (size_t mj = mi + 1; mj < ms.size(); ++mj) {
      if (ms[mj].begin >= inner_b && ms[mj].end <= inner_e) {
        if (ms[mj].entity != target) {
          const uint32_t drop = ms[mj].entity;
          for (Mention& q : ms)
            if (q.entity == drop) q.entity = target;
          for (Mention& q : x_.mentions)
            if (q.entity == drop) q.entity = target;
          for (Relation& r : x_.relations) {
            if (r.subject == drop) r.subject = target;
            if (r.object == drop) r.object = target;
          }
          for (Attribute& a : x_.attributes)
            if (a.entity == drop) a.entity = target;
          for (auto& [k, v] : by_key_)
            if (v == drop) v = target;
        }
        ms.erase(ms.begin() + static_cast<std::ptrdiff_t>(mj));
        --mj;
      } else if (ms[mj].begin >= inner_e) {
        break;
      }
    }
    Entity& e = x_.entities[target];
    const std::string alias(inner_is_full ? outer : inner);
    if (inner_is_full) e.name = std::string(inner);
    if (e.type == EntityType::kOther || e.type == EntityType::kConcept) {
      // 清华大学 is typed by the lexicon; the English name inherits it.
    }
    bool have = false;
    for (const auto& a : e.aliases) have = have || a == alias;
    if (!have) {
      e.aliases.push_back(alias);
      e.alias_reasons.push_back(*reason);
    }
    by_key_[NameKey(inner)] = target;
    ms.insert(ms.begin() + static_cast<std::ptrdiff_t>(mi) + 1, {target, inner_b, inner_e});
    ++mi;
  }
}

// --- Relations ------------------------------------------------------------------

void Builder::Relations(const std::vector<Mention>& ms, Span sentence) {
  HanRelations(ms, sentence);
  LatinRelations(ms, sentence);
  if (!options_.cooccurrence) return;
  std::vector<uint32_t> ids;
  for (const Mention& m : ms) {
    if (x_.entities[m.entity].type == EntityType::kConcept) continue;
    if (std::find(ids.begin(), ids.end(), m.entity) == ids.end()) ids.push_back(m.entity);
    if (ids.size() >= options_.max_cooccurring) break;
  }
  for (size_t a = 0; a < ids.size(); ++a)
    for (size_t b = a + 1; b < ids.size(); ++b)
      AddRelation(std::min(ids[a], ids[b]), "", std::max(ids[a], ids[b]), sentence,
                  Relation::Kind::kCooccurs);
}

bool IsAspect(std::u32string_view w) {
  return w == U"了" || w == U"过" || w == U"着" || w == U"也" || w == U"曾" || w == U"曾经" ||
         w == U"已" || w == U"已经" || w == U"还" || w == U"都" || w == U"就" || w == U"现" ||
         w == U"目前" || w == U"正式" || w == U"先后" || w == U"则" || w == U"即";
}

void Builder::HanRelations(const std::vector<Mention>& ms, Span sentence) {
  const size_t n = toks_.size();
  auto tok_text32 = [&](size_t k) { return TokChars(toks_[k]); };
  auto is_punct = [&](size_t k) { return toks_[k].kind == Tok::kPunct; };
  // The mention ending right before token k (gap of aspect words only).
  auto subject_before = [&](size_t k) -> const Mention* {
    const Mention* best = nullptr;
    for (const Mention& m : ms) {
      if (m.end > toks_[k].begin) break;
      size_t q = TokAt(m.end);
      bool ok = true;
      uint32_t gap = 0;
      for (; q < k; ++q) {
        if (toks_[q].kind == Tok::kSpace) continue;
        if (toks_[q].kind == Tok::kPunct) {
          // "清华大学（Tsinghua University）是": the alias bracket is skipped.
          const std::string_view p = TokText(toks_[q]);
          if (p == "（" || p == "）" || p == "(" || p == ")" || p == "》" || p == "」") continue;
          ok = false;
          break;
        }
        const auto w = tok_text32(q);
        if (!IsAspect(w) || (gap += toks_[q].chars) > 3) {
          ok = false;
          break;
        }
      }
      if (ok) best = &m;
    }
    return best;
  };
  auto mention_at = [&](uint32_t b, uint32_t e) -> const Mention* {
    for (const Mention& m : ms)
      if (m.begin == b && m.end == e) return &m;
    return nullptr;
  };
  // Noun phrase from token k: Han nouns/unknowns up to punctuation, a verb
  // or a particle; at most 8 characters.
  auto noun_phrase = [&](size_t k, size_t limit) {
    size_t j = k;
    uint32_t chars = 0;
    while (j < limit && toks_[j].kind == Tok::kHan) {
      const Pos p = toks_[j].pos;
      // The dictionary tags some nouns as adverbs (首都 d): a two-character
      // function word is allowed to start the phrase.
      const bool lenient = j == k && p == Pos::kFunction && toks_[j].chars >= 2;
      if (!lenient && (p == Pos::kVerb || p == Pos::kFunction || p == Pos::kNumeral ||
                       p == Pos::kQuantifier || p == Pos::kTime))
        break;
      if (p == Pos::kUnknown && InList(kStopChars, tok_text32(j)[0])) break;
      if ((chars += toks_[j].chars) > 8) break;
      ++j;
    }
    return j;
  };
  for (size_t k = 0; k < n; ++k) {
    if (toks_[k].kind != Tok::kHan) continue;
    const std::u32string w = tok_text32(k);
    if (w == U"是") {
      const Mention* subj = subject_before(k);
      if (!subj) continue;
      // Skip a quantifier: 是一家/是一所/是一位/是中国的.
      size_t b = k + 1;
      if (b < n && toks_[b].pos == Pos::kNumeral) ++b;
      if (b < n && toks_[b].pos == Pos::kQuantifier) ++b;
      size_t de = b;
      while (de < n && !is_punct(de) && TokText(toks_[de]) != "的") ++de;
      if (de < n && TokText(toks_[de]) == "的" && de > b) {
        // A 是 B 的 C: B a mention or a noun phrase, C a noun phrase.
        const uint32_t bb = toks_[b].begin, be = toks_[de - 1].end;
        uint32_t object;
        if (const Mention* m = mention_at(bb, be))
          object = m->entity;
        else if (noun_phrase(b, de) == de)
          object = Concept(Sub(bb, be));
        else
          continue;
        const size_t ce = noun_phrase(de + 1, n);
        if (ce == de + 1) continue;
        std::string predicate(Sub(toks_[de + 1].begin, toks_[ce - 1].end));
        // C itself may be a known mention (北京是中国的首都: 首都 is a noun).
        AddRelation(subj->entity, std::move(predicate), object, sentence);
      } else {
        // A 是 B: B a mention right after (a quantifier allowed).
        size_t q = b;
        while (q < n && toks_[q].kind == Tok::kSpace) ++q;
        if (q >= n) continue;
        for (const Mention& m : ms)
          if (m.begin == toks_[q].begin) {
            AddRelation(subj->entity, "是", m.entity, sentence);
            break;
          }
      }
      continue;
    }
    if (w == U"由" || w == U"被") {
      // A 由 B 创办/创立/...
      const Mention* obj = subject_before(k);
      if (!obj) continue;
      const size_t b = k + 1;
      if (b >= n) continue;
      const Mention* agent = nullptr;
      for (const Mention& m : ms)
        if (m.begin == toks_[b].begin) agent = &m;
      if (!agent) continue;
      size_t v = TokAt(agent->end);
      while (v < n && toks_[v].kind == Tok::kHan && IsAspect(tok_text32(v))) ++v;
      if (v >= n || toks_[v].kind != Tok::kHan || toks_[v].pos != Pos::kVerb) continue;
      size_t ve = v + 1;
      // 创办于 / 所创建: keep a following 于.
      if (ve < n && TokText(toks_[ve]) == "于") ++ve;
      AddRelation(agent->entity, std::string(Sub(toks_[v].begin, toks_[ve - 1].end)), obj->entity,
                  sentence);
    }
  }
  // A <verb gap> B: between two consecutive mentions, up to 6 characters of
  // Han text holding a verb, no punctuation, no 是/由/被/的/和.
  for (size_t a = 0; a + 1 < ms.size(); ++a) {
    const Mention& A = ms[a];
    const Mention& B = ms[a + 1];
    if (A.entity == B.entity) continue;
    size_t q = TokAt(A.end);
    const size_t qe = TokAt(B.begin);
    if (q >= qe) continue;
    bool ok = true, verb = false;
    uint32_t chars = 0;
    std::string predicate;
    for (; q < qe; ++q) {
      const Tok& t = toks_[q];
      if (t.kind != Tok::kHan) {
        ok = false;
        break;
      }
      const std::u32string tw = tok_text32(q);
      if (tw == U"是" || tw == U"由" || tw == U"被" || tw == U"的" || tw == U"和" || tw == U"与" ||
          tw == U"及" || tw == U"或" || tw == U"、") {
        ok = false;
        break;
      }
      if ((chars += t.chars) > 6) {
        ok = false;
        break;
      }
      if (t.pos == Pos::kVerb) verb = true;
      if (!IsAspect(tw)) predicate += TokText(t);
    }
    // 毕业于, 位于: "X于" is a verb phrase even when the dictionary tags X a noun.
    if (ok && !predicate.empty() && predicate.ends_with("于") && predicate.size() > 3) verb = true;
    if (ok && verb && !predicate.empty()) AddRelation(A.entity, predicate, B.entity, sentence);
  }
}

// Lower-case words between two mentions, for the English patterns.
void Builder::LatinRelations(const std::vector<Mention>& ms, Span sentence) {
  auto words_between = [&](uint32_t b, uint32_t e, bool& comma, bool& clean) {
    std::vector<std::string_view> words;
    comma = false;
    clean = true;
    for (size_t q = TokAt(b); q < toks_.size() && toks_[q].begin < e; ++q) {
      const Tok& t = toks_[q];
      if (t.kind == Tok::kSpace) continue;
      if (t.kind == Tok::kPunct) {
        const std::string_view p = TokText(t);
        if (p == ",")
          comma = true;
        else if (p != "(" && p != ")")
          clean = false;
        continue;
      }
      if (t.kind != Tok::kWord) {
        clean = false;
        continue;
      }
      words.push_back(TokText(t));
    }
    return words;
  };
  auto aux = [](std::string_view w) {
    return w == "was" || w == "were" || w == "is" || w == "are" || w == "has" || w == "have" ||
           w == "had" || w == "been" || w == "be" || w == "will" || w == "would" || w == "also" ||
           w == "then" || w == "later" || w == "originally" || w == "first" || w == "jointly" ||
           w == "co";
  };
  for (size_t a = 0; a + 1 < ms.size(); ++a) {
    const Mention& A = ms[a];
    const Mention& B = ms[a + 1];
    if (A.entity == B.entity) continue;
    bool comma, clean;
    auto words = words_between(A.end, B.begin, comma, clean);
    if (!clean || words.empty() || words.size() > 6) continue;
    bool lower = true;
    for (auto w : words) lower = lower && !IsUpperStart(w);
    if (!lower) continue;
    // Passive: "A was founded by B", "A, founded by B".
    if (words.back() == "by" && words.size() >= 2) {
      const std::string_view v = words[words.size() - 2];
      if (v.ends_with("ed") || v == "built" || v == "written" || v == "led" || v == "made" ||
          v == "run" || v == "owned" || v == "held" || v == "won") {
        AddRelation(B.entity, std::string(v), A.entity, sentence);
      }
      continue;
    }
    // "A is the C of B", "A, the C of B".
    if (words.size() >= 3 && words.back() == "of") {
      size_t s = 0;
      while (s < words.size() && aux(words[s])) ++s;
      if (s < words.size() && (words[s] == "the" || words[s] == "a" || words[s] == "an")) ++s;
      if (s + 1 < words.size() && (s > 0 || comma)) {
        std::string predicate;
        for (size_t q = s; q + 1 < words.size(); ++q) {
          if (!predicate.empty()) predicate += ' ';
          predicate += words[q];
        }
        AddRelation(A.entity, std::move(predicate), B.entity, sentence);
      }
      continue;
    }
    if (comma) continue;
    // "A joined B", "A is based in B", "A acquired B".
    if (words.front() == "and" || words.front() == "or" || words.front() == "with") continue;
    std::string predicate;
    for (auto w : words) {
      if (aux(w) || w == "the" || w == "a" || w == "an") continue;
      if (w == "and" || w == "or") {
        predicate.clear();
        break;
      }
      if (!predicate.empty()) predicate += ' ';
      predicate += w;
    }
    if (!predicate.empty()) AddRelation(A.entity, std::move(predicate), B.entity, sentence);
  }
}

// --- Attributes -------------------------------------------------------------------

void Builder::Attributes(const std::vector<Mention>& ms) {
  if (ms.empty()) return;
  // The subject: the sentence's first non-concept mention.
  const Mention* subject = nullptr;
  for (const Mention& m : ms)
    if (x_.entities[m.entity].type != EntityType::kConcept) {
      subject = &m;
      break;
    }
  if (!subject) return;
  static constexpr std::array<std::u32string_view, 40> kHanUnits = {
      U"平方公里", U"平方米", U"公里", U"千米", U"公顷", U"美元", U"人民币", U"万",
      U"亿",       U"年代",   U"年",   U"月",   U"日",   U"号",   U"人",     U"名",
      U"元",       U"米",     U"吨",   U"岁",   U"个",   U"家",   U"所",     U"座",
      U"项",       U"次",     U"部",   U"种",   U"本",   U"册",   U"页",     U"倍",
      U"届",       U"位",     U"层",   U"公斤", U"千克", U"克",   U"分钟",   U"小时"};
  static const std::unordered_set<std::string_view> kLatinUnits = {
      "km",      "m",        "cm",       "mm",      "kg",      "g",         "t",
      "million", "billion",  "thousand", "percent", "people",  "employees", "years",
      "year",    "months",   "days",     "hours",   "minutes", "miles",     "users",
      "MB",      "GB",       "TB",       "KB",      "ms",      "s",         "km2",
      "acres",   "hectares", "dollars",  "euros",   "yuan"};
  const size_t n = toks_.size();
  for (size_t k = 0; k < n; ++k) {
    if (toks_[k].kind != Tok::kNumber) continue;
    if (toks_[k].begin < subject->end) continue;
    uint32_t vb = toks_[k].begin, ve = toks_[k].end;
    std::string_view num = TokText(toks_[k]);
    bool date = false, unit = false;
    size_t next = k + 1;
    // Han unit: the next segment starts with a unit (年, 万人, 平方公里 ...).
    if (next < n && toks_[next].kind == Tok::kHan) {
      const std::u32string w = TokChars(toks_[next]);
      for (auto u : kHanUnits) {
        if (w.starts_with(u)) {
          ve = toks_[next].begin + static_cast<uint32_t>(utf8::FromCodePoints(u).size());
          unit = true;
          date = u == U"年" || u == U"月" || u == U"日" || u == U"号" || u == U"年代";
          // 1911年4月29日: take the month and day along.
          if (u == U"年" || u == U"月") {
            size_t q = next + 1;
            while (q + 1 < n && toks_[q].kind == Tok::kNumber && toks_[q + 1].kind == Tok::kHan) {
              const std::u32string u2 = TokChars(toks_[q + 1]);
              if (!(u2.starts_with(U"月") || u2.starts_with(U"日") || u2.starts_with(U"号"))) break;
              ve = toks_[q + 1].begin + 3;
              q += 2;
            }
            k = q - 1;
          } else {
            k = next;
          }
          break;
        }
      }
    } else if (next + 1 < n && toks_[next].kind == Tok::kSpace &&
               toks_[next + 1].kind == Tok::kWord && kLatinUnits.count(TokText(toks_[next + 1]))) {
      ve = toks_[next + 1].end;
      unit = true;
      k = next + 1;
    } else if (next < n && toks_[next].kind == Tok::kPunct &&
               (TokText(toks_[next]) == "%" || TokText(toks_[next]) == "％")) {
      ve = toks_[next].end;
      unit = true;
      k = next;
    } else if (next < n && toks_[next].kind == Tok::kWord &&
               kLatinUnits.count(TokText(toks_[next]))) {
      ve = toks_[next].end;  // 12km
      unit = true;
      k = next;
    } else if (num.size() == 4 && (num.starts_with("1") || num.starts_with("20"))) {
      // A bare year after "in", "since", "from", "by" or a month name.
      size_t p = toks_[k].begin;
      size_t q = TokAt(static_cast<uint32_t>(p));
      if (q >= 2 && toks_[q - 1].kind == Tok::kSpace) {
        const std::string_view prev = TokText(toks_[q - 2]);
        date = prev == "in" || prev == "since" || prev == "from" || prev == "by" ||
               prev == "until" || prev == "In" || prev == "Since" || IsMonthOrDay(prev);
      } else if (q >= 3 && TokText(toks_[q - 1]) == " " && TokText(toks_[q - 2]) == ",") {
        date = q >= 4 && toks_[q - 3].kind == Tok::kNumber;  // March 3, 1999
      }
      if (q >= 4 && TokText(toks_[q - 2]) == "," && toks_[q - 3].kind == Tok::kNumber) {
        // "March 3, 1999": start at the month.
        if (q >= 5 && IsMonthOrDay(TokText(toks_[q - 5]))) vb = toks_[q - 5].begin;
        date = true;
      }
    }
    if (!date && !unit) continue;
    // The key: the verb right before the value (成立于, founded in) or the kind.
    std::string key = date ? "date" : "quantity";
    const size_t vt = TokAt(vb);
    if (vt >= 1 && toks_[vt - 1].kind == Tok::kHan) {
      size_t s = vt;
      uint32_t chars = 0;
      while (s > 0 && toks_[s - 1].kind == Tok::kHan && chars + toks_[s - 1].chars <= 4 &&
             toks_[s - 1].end > subject->end) {
        const Pos p = toks_[s - 1].pos;
        if (!(p == Pos::kVerb || TokText(toks_[s - 1]) == "于" || TokText(toks_[s - 1]) == "在"))
          break;
        chars += toks_[s - 1].chars;
        --s;
      }
      if (s < vt && chars >= 2) key = std::string(Sub(toks_[s].begin, toks_[vt - 1].end));
    } else if (vt >= 4 && toks_[vt - 1].kind == Tok::kSpace && toks_[vt - 2].kind == Tok::kWord) {
      const std::string_view prep = TokText(toks_[vt - 2]);
      if ((prep == "in" || prep == "on" || prep == "since") && toks_[vt - 4].kind == Tok::kWord &&
          TokText(toks_[vt - 4]).ends_with("ed"))
        key = std::string(TokText(toks_[vt - 4])) + " " + std::string(prep);
    }
    x_.attributes.push_back({subject->entity, std::move(key), std::string(Sub(vb, ve)), vb, ve});
  }
}

}  // namespace

Extraction ExtractModelFree(std::string_view text, const ModelFreeOptions& options) {
  Builder b(text, options);
  return b.Run();
}

}  // namespace askio::graph
